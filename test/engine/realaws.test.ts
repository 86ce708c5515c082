/**
 * Issue 17, units behind the real-AWS checks: the EKS duplicate access entry (row 9), the
 * preflight's resource counting (row 8: Conditions decide how many Elastic IPs a network makes),
 * and the service watchdog's rule and wording (rows 1, 2). The end-to-end behaviour is in
 * test/e2e/watchdog.test.ts and test/e2e/preflight.test.ts.
 */
import { buildEksCluster } from '../../templates/eksCluster';
import { buildNetwork } from '../../templates/network';
import { toJson } from '../../templates/kit/cf';
import {
  callerPrincipal,
  countResources,
  duplicateClusterAdmins,
  preflight,
  SERVICE_LINKED_ROLES,
} from '../../src/deploy/preflight';
import { SAME_REASON_LIMIT, ServiceWatchdog, stopHint, stopSummary } from '../../src/deploy/watchdog';
import { catalogue } from '../../stages/catalogue';
import type { StackSpec } from '../../src/deploy/types';

const body = (built: { template: unknown }) => JSON.stringify(toJson(built.template as never));
const eks = (admin: string, name = 'x-dev-eks-cluster'): StackSpec => ({
  name,
  templateId: '14.env-eks-cluster',
  templateBody: body(buildEksCluster()),
  parameters: { ClusterAdminRoleArn: admin },
  tags: {},
  dependsOn: [],
  capabilities: [],
});

describe('row 9: EKS, no duplicate access entry for the creator', () => {
  const caller = 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42';

  test('the deploying role (assumed, any path) named as the extra admin of a new cluster is caught', () => {
    expect(duplicateClusterAdmins([eks('arn:aws:iam::111122223333:role/Deployer')], caller, new Set())).toEqual([
      { stack: 'x-dev-eks-cluster', role: 'arn:aws:iam::111122223333:role/Deployer' },
    ]);
    expect(
      duplicateClusterAdmins([eks('arn:aws:iam::111122223333:role/teams/Deployer')], caller, new Set()),
    ).toHaveLength(1);
  });

  test('another role, another account, no admin role, or an existing cluster pass', () => {
    expect(duplicateClusterAdmins([eks('arn:aws:iam::111122223333:role/TeamAdmin')], caller, new Set())).toEqual([]);
    expect(duplicateClusterAdmins([eks('arn:aws:iam::444455556666:role/Deployer')], caller, new Set())).toEqual([]);
    expect(duplicateClusterAdmins([eks('')], caller, new Set())).toEqual([]);
    expect(
      duplicateClusterAdmins([eks('arn:aws:iam::111122223333:role/Deployer')], caller, new Set(['x-dev-eks-cluster'])),
    ).toEqual([]);
  });

  test('the caller of plain IAM user keys is no role', () => {
    expect(callerPrincipal('arn:aws:iam::111122223333:user/alice')).toEqual({
      account: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/alice',
    });
    expect(
      duplicateClusterAdmins(
        [eks('arn:aws:iam::111122223333:role/alice')],
        'arn:aws:iam::111122223333:user/alice',
        new Set(),
      ),
    ).toEqual([]);
  });

  test('the template keeps the creator as admin and adds the entry only for a given role', () => {
    const t = toJson(buildEksCluster().template) as any;
    expect(t.Resources.Cluster.Properties.AccessConfig.BootstrapClusterCreatorAdminPermissions).toBe(true);
    expect(t.Resources.ClusterAdminAccess.Condition).toBe('HasClusterAdminRole');
  });
});

describe('row 8: what a network adds against the quotas', () => {
  const network = body(buildNetwork());
  test.each([
    [{ NatGateways: 'single', AzCount: '2' }, 1],
    [{ NatGateways: 'one-per-az', AzCount: '2' }, 2],
    [{ NatGateways: 'one-per-az', AzCount: '3' }, 3],
  ])('%p makes %i Elastic IPs and NAT gateways, one VPC', (parameters, eips) => {
    const counts = countResources(network, parameters);
    expect(counts.get('AWS::EC2::EIP')).toBe(eips);
    expect(counts.get('AWS::EC2::NatGateway')).toBe(eips);
    expect(counts.get('AWS::EC2::VPC')).toBe(1);
  });

  test('an account that does not let us look (AccessDenied) is reported as unchecked, never refused', async () => {
    const denied = async () => {
      throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    };
    const missing = async () => {
      throw Object.assign(new Error('Stack with id x-dev-network does not exist'), { name: 'ValidationError' });
    };
    const clients = {
      region: async () => 'us-east-1',
      cloudFormation: { send: missing },
      iam: { send: denied },
      ec2: { send: denied },
      serviceQuotas: { send: denied },
    };
    const spec: StackSpec = {
      name: 'x-dev-network',
      templateId: '11.env-network',
      templateBody: network,
      parameters: { NatGateways: 'one-per-az' },
      tags: {},
      dependsOn: [],
      capabilities: [],
    };
    const report = await preflight(clients as never, [spec]);
    expect(report.missingRoles).toEqual([]);
    expect(
      report.quotas.filter((q) => q.adds > 0).every((q) => !q.exceeded && /AccessDenied/.test(q.unchecked ?? '')),
    ).toBe(true);
    expect(report.quotas.find((q) => q.name.startsWith('Elastic IP'))).toMatchObject({
      adds: 2,
      limit: 5,
      limitSource: 'aws-default',
    });
  });

  test('every resource type with a service-linked role is one the catalogue uses', () => {
    const used = new Set(
      catalogue.flatMap((e) => Object.values((toJson(e.build().template) as any).Resources).map((r: any) => r.Type)),
    );
    for (const type of Object.keys(SERVICE_LINKED_ROLES)) expect(used).toContain(type);
  });
});

describe('rows 1, 2: the watchdog', () => {
  test("a crash reads as its exit code and reason; a failed start as the task's reason", () => {
    expect(
      stopSummary({
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', exitCode: 1, reason: 'mkdir /var/cache/nginx: read-only file system' }],
      }),
    ).toBe('exit 1: mkdir /var/cache/nginx: read-only file system');
    expect(
      stopSummary({
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', exitCode: 137 }],
      }),
    ).toBe('exit 137 (Essential container in task exited)');
    expect(
      stopSummary({
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 7 time(s): not found',
        containers: [{ name: 'app' }],
      }),
    ).toMatch(/^CannotPullContainerError/);
  });

  test('known reasons come with the fix', () => {
    expect(stopHint('CannotPullContainerError: ... acme-web:v9: not found')).toMatch(/push it/);
    expect(stopHint('CannotPullContainerError: dial tcp 52.0.0.1:443: i/o timeout')).toMatch(/NAT gateway/);
    expect(stopHint('Task failed ELB health checks in (target-group arn:...)')).toMatch(/healthCheckPath/);
    expect(stopHint('something new')).toBeUndefined();
  });

  /** A fake CloudFormation + ECS (+ ELB) answering what the watchdog reads. */
  function fakes(tasks: { reason: string; taskDefinition?: string }[], running = 0, unhealthy?: string) {
    const arn = 'arn:aws:ecs:us-east-1:111122223333:service/x-dev/acme';
    const cfn = { send: async () => ({ StackResourceDetail: { PhysicalResourceId: arn } }) };
    const ecs = {
      send: async (cmd: { constructor: { name: string } }) => {
        switch (cmd.constructor.name) {
          case 'DescribeServicesCommand':
            return {
              services: [
                {
                  status: 'ACTIVE',
                  taskDefinition: 'td:2',
                  loadBalancers: [{ targetGroupArn: 'tg-arn' }],
                  deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: 'td:2', runningCount: running }],
                  events: [],
                },
              ],
            };
          case 'ListTasksCommand':
            return { taskArns: tasks.map((_, i) => `arn:task/${i}`) };
          default:
            return {
              tasks: tasks.map((t, i) => ({
                taskArn: `arn:task/${i}`,
                taskDefinitionArn: t.taskDefinition ?? 'td:2',
                stoppedReason: t.reason,
                stoppedAt: new Date(Date.now() + i * 1000),
                containers: [{ name: 'app' }],
              })),
            };
        }
      },
    };
    const elb = {
      send: async (cmd: { constructor: { name: string } }) =>
        cmd.constructor.name === 'DescribeTargetGroupsCommand'
          ? { TargetGroups: [{ HealthCheckPath: '/healthcheck' }] }
          : {
              TargetHealthDescriptions: unhealthy
                ? [
                    {
                      Target: { Id: '10.0.1.5', Port: 3000 },
                      TargetHealth: {
                        State: 'unhealthy',
                        Reason: 'Target.ResponseCodeMismatch',
                        Description: unhealthy,
                      },
                    },
                  ]
                : [],
            },
    };
    return new ServiceWatchdog(cfn as never, ecs, 'stack', ['Service'], new Date(Date.now() - 60_000), Date.now, elb);
  }

  test('target health: a task that failed its health checks reads as what the load balancer saw', async () => {
    const failed = 'Task failed ELB health checks in (target-group tg-arn)';
    const out = await fakes(
      [{ reason: failed }, { reason: failed }],
      0,
      'Health checks failed with these codes: [502]',
    ).check();
    expect(out.notices.map((n) => `${n.kind}: ${n.message}`)).toEqual([
      'target-health: target 10.0.1.5:3000 unhealthy: 502 on /healthcheck',
      'task-stopped: task 0 stopped: health check failed: 502 on /healthcheck', // oldest first
      'task-stopped: task 1 stopped: health check failed: 502 on /healthcheck',
    ]);
    expect(out.verdict).toMatchObject({
      reason: 'health check failed: 502 on /healthcheck',
      hint: expect.stringMatching(/healthCheckPath/),
      tasks: 2,
    });
  });

  test(`gives up after ${SAME_REASON_LIMIT} stops for one reason with nothing running, not before`, async () => {
    const one = await fakes([{ reason: 'CannotPullContainerError: x not found' }]).check();
    expect(one.notices.map((n) => n.message)).toEqual(['task 0 stopped: CannotPullContainerError: x not found']);
    expect(one.verdict).toBeUndefined();
    const two = await fakes([
      { reason: 'CannotPullContainerError: x not found' },
      { reason: 'CannotPullContainerError: x not found' },
    ]).check();
    expect(two.verdict).toMatchObject({
      logicalId: 'Service',
      reason: 'CannotPullContainerError: x not found',
      tasks: 2,
    });
  });

  test('different reasons, or a deployment with running tasks, are left to ECS', async () => {
    expect((await fakes([{ reason: 'A' }, { reason: 'B' }]).check()).verdict).toBeUndefined();
    expect((await fakes([{ reason: 'A' }, { reason: 'A' }], 1).check()).verdict).toBeUndefined();
  });
});
