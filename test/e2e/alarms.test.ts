/**
 * End to end: an app's alarms, their topic and its dashboard (33.app-alarms). The real CLI deploys
 * examples/full.yaml on the local emulator; the alarms are then read back through CloudWatch, SNS
 * and the services they watch (ELBv2, ECS, RDS, ElastiCache), so each dimension is checked against
 * the real resource's name or id, not against what the template says. The emulator pieces this
 * needs (CloudWatch alarms in CloudFormation, dashboard bodies checked, e-mail subscriptions pending
 * until confirmed and listed without an ARN meanwhile) are in test/emulator/cfn_stages_moto/alarms.py.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

const ROOT = path.resolve(__dirname, '..', '..');
const FULL = path.join(ROOT, 'examples', 'full.yaml');
const APP = 'x-demo-acme-';

let emu: Emulator;
let cfn: CloudFormationClient;
let cw: CloudWatchClient;
let tmp: string;
let exportsOf: Map<string, string>;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { timeoutMs: 240_000 });
}

async function deploy(file: string): Promise<{ ok: boolean; stacks: { name: string; result: string }[] }> {
  const r = await cli(['deploy', '--params', file, '--yes', '--json']);
  if (r.code !== 0) throw new Error(`deploy exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function allExports(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListExportsCommand({ NextToken }));
    for (const e of page.Exports ?? []) out.set(e.Name!, e.Value!);
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

async function alarmsByName(prefix = APP): Promise<Map<string, MetricAlarm>> {
  const r = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, MaxRecords: 100 }));
  return new Map((r.MetricAlarms ?? []).map((a) => [a.AlarmName!, a]));
}

/** Every dimension of an alarm (of its metric, or of each metric of its expression), as name=value. */
function dimensionsOf(alarm: MetricAlarm): string[] {
  const dims = [
    ...(alarm.Dimensions ?? []),
    ...(alarm.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric?.Dimensions ?? []),
  ];
  return [...new Set(dims.map((d) => `${d.Name}=${d.Value}`))].sort();
}

beforeAll(async () => {
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  cw = new CloudWatchClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-alarms-'));
  await repositoriesWithImages(emu, cli, FULL, [{ repository: 'acme-web', tag: 'initial' }]);
  const first = await deploy(FULL);
  expect(first.stacks.find((s) => s.name === `${APP}alarms`)?.result).toBe('created');
  exportsOf = await allExports();
}, 300_000);

afterAll(async () => {
  cfn?.destroy();
  cw?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('every alarm of the app exists, on the real load balancer, target group, cluster, service, database, cache and queue', async () => {
  const ex = (key: string) => exportsOf.get(key)!;
  const elb = new ElasticLoadBalancingV2Client(emu.clientConfig);
  const ecs = new ECSClient(emu.clientConfig);
  const rds = new RDSClient(emu.clientConfig);
  const cache = new ElastiCacheClient(emu.clientConfig);
  try {
    const lbFullName = ex(`${APP}LoadBalancerFullName`); // app/<name>/<id>
    const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
    expect(lbs.filter((l) => l.LoadBalancerArn!.endsWith(`:loadbalancer/${lbFullName}`))).toHaveLength(1);
    const [tg] = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [ex(`${APP}TargetGroupArn`)] })))
      .TargetGroups!;
    const tgDimension = tg!.TargetGroupArn!.split(':').pop()!; // targetgroup/<name>/<id>
    const cluster = ex('x-demo-EcsClusterName');
    const [service] = (await ecs.send(new DescribeServicesCommand({ cluster, services: [ex(`${APP}EcsServiceName`)] })))
      .services!;
    expect(service!.status).toBe('ACTIVE');
    const [db] = (
      await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: ex(`${APP}main-PostgresClusterId`) }))
    ).DBClusters!;
    const [group] = (
      await cache.send(
        new DescribeReplicationGroupsCommand({ ReplicationGroupId: ex(`${APP}cache-RedisReplicationGroupId`) }),
      )
    ).ReplicationGroups!;
    const queue = ex(`${APP}jobs-QueueName`);
    const dlq = ex(`${APP}jobs-DeadLetterQueueName`);
    expect(dlq).toMatch(/dlq/);

    const lbDims = [`LoadBalancer=${lbFullName}`, `TargetGroup=${tgDimension}`];
    const serviceDims = [`ClusterName=${cluster}`, `ServiceName=${service!.serviceName}`];
    const dbDims = [`DBClusterIdentifier=${db!.DBClusterIdentifier}`];
    const nodes = [1, 2, 3, 4, 5, 6].map((i) => `CacheClusterId=${group!.ReplicationGroupId}-00${i}`);
    const expected: Record<string, string[]> = {
      '5xx': lbDims,
      'response-time': lbDims,
      'unhealthy-targets': lbDims,
      'service-cpu': serviceDims,
      'service-memory': serviceDims,
      'tasks-below-desired': serviceDims,
      'main-cpu': dbDims,
      'main-free-storage': dbDims,
      'main-free-memory': dbDims,
      'main-connections': dbDims,
      'cache-cpu': nodes,
      'cache-memory': nodes,
      'jobs-oldest-message': [`QueueName=${queue}`],
      'jobs-dead-letters': [`QueueName=${dlq}`],
    };
    const alarms = await alarmsByName();
    expect([...alarms.keys()].sort()).toEqual(
      Object.keys(expected)
        .map((k) => APP + k)
        .sort(),
    );
    for (const [name, dims] of Object.entries(expected)) {
      expect({ name, dims: dimensionsOf(alarms.get(APP + name)!) }).toEqual({ name, dims: [...dims].sort() });
    }
    // Namespaces: what each service publishes under.
    const namespaces = (name: string) => {
      const a = alarms.get(APP + name)!;
      return [
        ...new Set([a.Namespace, ...(a.Metrics ?? []).map((m) => m.MetricStat?.Metric?.Namespace)].filter(Boolean)),
      ];
    };
    expect(namespaces('5xx')).toEqual(['AWS/ApplicationELB']);
    expect(namespaces('unhealthy-targets')).toEqual(['AWS/ApplicationELB']);
    expect(namespaces('tasks-below-desired')).toEqual(['ECS/ContainerInsights']);
    expect(namespaces('main-cpu')).toEqual(['AWS/RDS']);
    expect(namespaces('cache-memory')).toEqual(['AWS/ElastiCache']);
    expect(namespaces('jobs-dead-letters')).toEqual(['AWS/SQS']);
    // Default thresholds, and every alarm notifies the app's topic on ALARM and on OK.
    expect(alarms.get(`${APP}service-cpu`)!.Threshold).toBe(85);
    expect(alarms.get(`${APP}jobs-dead-letters`)!.Threshold).toBe(1);
    const topic = (await cfn.send(new DescribeStacksCommand({ StackName: `${APP}alarms` }))).Stacks![0]!.Outputs!.find(
      (o) => o.OutputKey === 'AlarmTopicArn',
    )!.OutputValue!;
    for (const a of alarms.values()) {
      expect({ name: a.AlarmName, actions: a.AlarmActions, ok: a.OKActions }).toEqual({
        name: a.AlarmName,
        actions: [topic],
        ok: [topic],
      });
    }
  } finally {
    elb.destroy();
    ecs.destroy();
    rds.destroy();
    cache.destroy();
  }
});

test('the topic is encrypted with its own key and has the contact email subscribed, pending its confirmation', async () => {
  const sns = new SNSClient(emu.clientConfig);
  try {
    const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: `${APP}alarms` }))).Stacks![0]!.Outputs!;
    const topic = outputs.find((o) => o.OutputKey === 'AlarmTopicArn')!.OutputValue!;
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
    expect(attributes.KmsMasterKeyId).toMatch(/^arn:aws:kms:/);
    // Listed without an ARN while pending, as on AWS; the stack's own resource holds the ARN.
    const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions!;
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint, s.SubscriptionArn])).toEqual([
      ['email', 'ops@example.com', 'PendingConfirmation'],
    ]);
    const arn = (
      await cfn.send(
        new DescribeStackResourceCommand({ StackName: `${APP}alarms`, LogicalResourceId: 'EmailSubscription' }),
      )
    ).StackResourceDetail!.PhysicalResourceId!;
    const sub = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
    expect(sub.Attributes).toMatchObject({ PendingConfirmation: 'true', TopicArn: topic, Endpoint: 'ops@example.com' });
  } finally {
    sns.destroy();
  }
});

test('the dashboard graphs every alarm, and `provision outputs` gives its console URL and says the mail needs confirming', async () => {
  const alarms = await alarmsByName();
  const body = JSON.parse((await cw.send(new GetDashboardCommand({ DashboardName: 'x-demo-acme' }))).DashboardBody!);
  const graphed = body.widgets.flatMap((w: any) => w.properties?.annotations?.alarms ?? []);
  const states = body.widgets.find((w: any) => w.type === 'alarm').properties.alarms;
  const arns = [...alarms.values()].map((a) => a.AlarmArn).sort();
  expect([...graphed].sort()).toEqual(arns);
  expect([...states].sort()).toEqual(arns);

  const r = await cli(['outputs', '--params', FULL]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/x-demo-acme',
  );
  expect(r.stdout).toMatch(/AlarmEmail\s+ops@example\.com/);
  expect(r.stdout).toMatch(/confirm/i);
});

test('thresholds come from the params file: a changed one updates only the alarms stack', async () => {
  const file = path.join(tmp, 'thresholds.yaml');
  const text = fs
    .readFileSync(FULL, 'utf8')
    .replace(
      '    extras:\n',
      '    alarms:\n      serviceCpuPercent: 70\n      queueOldestMessageSeconds: 300\n    extras:\n',
    );
  fs.writeFileSync(file, text);
  const r = await deploy(file);
  const changed = r.stacks.filter((s) => s.result !== 'skipped-unchanged').map((s) => [s.name, s.result]);
  expect(changed).toEqual([[`${APP}alarms`, 'updated']]);
  const alarms = await alarmsByName();
  expect(alarms.get(`${APP}service-cpu`)!.Threshold).toBe(70);
  expect(alarms.get(`${APP}jobs-oldest-message`)!.Threshold).toBe(300);
  expect(alarms.get(`${APP}service-memory`)!.Threshold).toBe(85);
});

test('the console path: the published 33 with only its parameters watches the stores it is given', async () => {
  // The deployer's own alarms stack goes first: alarm names are unique in an account and region.
  await cfn.send(new DeleteStackCommand({ StackName: `${APP}alarms` }));
  expect((await alarmsByName()).size).toBe(0);
  const body = fs.readFileSync(path.join(ROOT, 'published', '0.1.0', '33.app-alarms.cf'), 'utf8');
  const parameters = {
    Prefix: 'x-',
    EnvironmentName: 'demo',
    ApplicationName: 'acme',
    ContactEmail: 'ops@example.com',
    PostgresStore: 'main',
    RedisStore: 'cache',
  };
  await cfn.send(
    new CreateStackCommand({
      StackName: 'console-acme-alarms',
      TemplateBody: body,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'console-acme-alarms' }))).Stacks![0]!;
  expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  const names = [...(await alarmsByName()).keys()].map((n) => n.slice(APP.length)).sort();
  expect(names).toEqual(
    [
      '5xx',
      'response-time',
      'unhealthy-targets',
      'service-cpu',
      'service-memory',
      'tasks-below-desired',
      'main-cpu',
      'main-free-storage',
      'main-free-memory',
      'main-connections',
      'cache-cpu',
      'cache-memory',
    ].sort(),
  );
  const dashboard = JSON.parse(
    (await cw.send(new GetDashboardCommand({ DashboardName: 'x-demo-acme' }))).DashboardBody!,
  );
  expect(dashboard.widgets.filter((w: any) => w.properties?.annotations?.alarms)).toHaveLength(names.length);
});

test('an environment deployed with the old defaults sees each hardened default in plan before it changes', async () => {
  const small = fs
    .readFileSync(path.join(ROOT, 'examples', 'small.yaml'), 'utf8')
    .replace('environment: dev', 'environment: old');
  const current = path.join(tmp, 'old-now.yaml');
  fs.writeFileSync(current, small);
  // What the templates defaulted to before: 90-day flow logs, the image's own user, no alarms stack.
  const before = path.join(tmp, 'old-before.yaml');
  fs.writeFileSync(
    before,
    small
      .replace('  natGateways: single', '  natGateways: single\n  flowLogRetentionDays: 90')
      .replace('      memory: 512\n', '      memory: 512\n      containerUser: ""\n    alarms: { enabled: false }\n'),
  );
  const deployed = await deploy(before);
  expect(deployed.stacks.map((s) => s.name)).not.toContain('x-old-acme-alarms');

  const r = await cli(['plan', '--params', current]);
  expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
  const section = (stack: string) => r.stdout.split(/\n(?=\S)/).find((s) => s.startsWith(`${stack} `)) ?? '';
  expect(section('x-old-network')).toMatch(/~ FlowLogGroup/);
  expect(section('x-old-acme-service')).toMatch(/TaskDefinition/);
  expect(section('x-old-acme-alarms')).toMatch(/new stack/);
  expect(section('x-old-ecs-cluster')).not.toMatch(/[~+-] \w/);
});
