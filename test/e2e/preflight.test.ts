/**
 * The account preflight end to end (issue 17, rows 7 and 8), with the real CLI against the
 * emulator playing a new account (`CFN_STAGES_EMULATOR_NEW_ACCOUNT=1`: no service-linked roles,
 * and ECS refuses a cluster until its role exists, as AWS does on first use).
 *
 * - row 7: the first cluster of a new account. Without the role, the cluster stack created the way
 *   a deploy without the preflight creates it rolls back ("Unable to assume the service linked
 *   role"); plan says deploy will create the role; deploy creates it, replaces the failed stack and
 *   the whole environment deploys; a re-run has nothing to create.
 * - row 8: Elastic IPs. dev (one NAT gateway) and stage (one per zone, 2 zones) hold 3 of the
 *   region's 5 Elastic IPs (AWS's default; the emulator's Service Quotas has no value for it, as
 *   an account without an applied quota); a third environment with a NAT gateway in each of 3
 *   zones needs 3 more: its plan reports the excess, its deploy refuses (exit 2) before creating
 *   anything (no stack, no service-linked role, the run lock released), and with
 *   `natGateways: single` it fits.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DeleteServiceLinkedRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

const CLUSTER_TEMPLATE = path.join(
  REPO_ROOT,
  'published',
  fs.readdirSync(path.join(REPO_ROOT, 'published')).find((d) => /^\d/.test(d)) ?? '',
  '13.env-ecs-cluster.cf',
);

type Run = CliRun;

let emulator: Emulator;
let tmp: string;

function cli(args: string[]): Promise<Run> {
  return runCli(emulator.env, args, { home: tmp });
}

/** examples/small.yaml as environment `env` with `nat` NAT gateways in `zones` zones. */
function paramsFor(env: string, nat: 'single' | 'one-per-az', zones = 2): string {
  const file = path.join(tmp, `${env}-${nat}.yaml`);
  const text = fs
    .readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8')
    .replace('environment: dev', `environment: ${env}`)
    .replace('azCount: 2', `azCount: ${zones}`)
    .replace('natGateways: single', `natGateways: ${nat}`)
    .replace('../published/', `${REPO_ROOT}/published/`);
  fs.writeFileSync(file, text);
  return file;
}

async function stackExists(name: string): Promise<boolean> {
  try {
    const out = await new CloudFormationClient(emulator.clientConfig).send(
      new DescribeStacksCommand({ StackName: name }),
    );
    return (out.Stacks ?? []).length > 0;
  } catch {
    return false;
  }
}

async function pushImage(repositoryName: string, imageTag: string): Promise<void> {
  await new ECRClient(emulator.clientConfig).send(
    new PutImageCommand({
      repositoryName,
      imageTag,
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 1, digest: `sha256:${'0'.repeat(64)}` },
        layers: [],
      }),
    }),
  );
}

async function elasticIps(): Promise<number> {
  return ((await new EC2Client(emulator.clientConfig).send(new DescribeAddressesCommand({}))).Addresses ?? []).length;
}

async function serviceRoles(): Promise<string[]> {
  const out = await new IAMClient(emulator.clientConfig).send(
    new ListRolesCommand({ PathPrefix: '/aws-service-role/' }),
  );
  return (out.Roles ?? []).map((r) => r.Path ?? '');
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-e2e-'));
  emulator = await startEmulator({ env: { CFN_STAGES_EMULATOR_NEW_ACCOUNT: '1' } });
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('row 7: the first ECS cluster of a new account', () => {
  test('without the service-linked role the account refuses a cluster: the cluster stack, created as before, rolls back', async () => {
    await expect(
      new ECSClient(emulator.clientConfig).send(new CreateClusterCommand({ clusterName: 'probe' })),
    ).rejects.toThrow(/Unable to assume the service linked role/);
    const network = await cli(['deploy', '--params', paramsFor('dev', 'single'), '--yes', '--only', 'network', '21']);
    expect(network.code).toBe(0);
    expect(await serviceRoles()).toEqual([]); // the network and the image repository need none
    await pushImage('acme-web', 'initial'); // the service's image, so deploy may start it
    // The ECS cluster stack as a deploy without the preflight makes it: a change set, executed.
    const cfn = new CloudFormationClient(emulator.clientConfig);
    const parameters = { Prefix: 'x-', EnvironmentName: 'dev', ContactEmail: 'ops@example.com' };
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'x-dev-ecs-cluster',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: fs.readFileSync(CLUSTER_TEMPLATE, 'utf8'),
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    await waitUntilChangeSetCreateComplete(
      { client: cfn, maxWaitTime: 30, minDelay: 1 },
      { StackName: 'x-dev-ecs-cluster', ChangeSetName: 'first' },
    );
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'x-dev-ecs-cluster', ChangeSetName: 'first' }));
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'x-dev-ecs-cluster' }))).Stacks?.[0];
    expect(stack?.StackStatus).toBe('ROLLBACK_COMPLETE');
    const events =
      (await cfn.send(new DescribeStackEventsCommand({ StackName: 'x-dev-ecs-cluster' }))).StackEvents ?? [];
    expect(
      events.find((e) => e.ResourceType === 'AWS::ECS::Cluster' && e.ResourceStatus === 'CREATE_FAILED')
        ?.ResourceStatusReason,
    ).toMatch(/Unable to assume the service linked role/);
  });

  test('plan says deploy will create the roles the templates need', async () => {
    const run = await cli(['plan', '--params', paramsFor('dev', 'single')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('deploy creates the service-linked role of ecs.amazonaws.com first');
    expect(run.stdout).toContain('deploy creates the service-linked role of elasticloadbalancing.amazonaws.com first');
    expect(await serviceRoles()).toEqual([]); // plan changes nothing
  });

  test('deploy creates them before the first stack, and the cluster deploys (the failed one is replaced)', async () => {
    const run = await cli(['deploy', '--params', paramsFor('dev', 'single'), '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/account preflight: creating the service-linked roles of .*ecs\.amazonaws\.com/);
    expect(await serviceRoles()).toEqual(
      expect.arrayContaining([
        '/aws-service-role/ecs.amazonaws.com/',
        '/aws-service-role/elasticloadbalancing.amazonaws.com/',
      ]),
    );
    expect(await stackExists('x-dev-ecs-cluster')).toBe(true);
    const again = await cli(['deploy', '--params', paramsFor('dev', 'single'), '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('account preflight');
  });
});

describe('row 8: Elastic IPs of a third environment', () => {
  test("a second environment with a NAT gateway per zone deploys (3 of 5 Elastic IPs, with dev's one)", async () => {
    const run = await cli(['deploy', '--params', paramsFor('stage', 'one-per-az'), '--yes', '--only', 'network']);
    expect(run.code).toBe(0);
    expect(await elasticIps()).toBe(3);
  });

  test('the third one: plan reports the excess and deploy refuses (exit 2) before creating anything', async () => {
    const file = paramsFor('prod', 'one-per-az', 3);
    // A role the run would create, gone again, so that a refusal that created it would show.
    const iam = new IAMClient(emulator.clientConfig);
    await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForECS' }));
    const rolesBefore = await serviceRoles();
    expect(rolesBefore).not.toContain('/aws-service-role/ecs.amazonaws.com/');
    const plan = await cli(['plan', '--params', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'Elastic IP addresses per region: 3 in use + 3 from x-prod-network, limit 5 (AWS default): EXCEEDED, deploy will refuse',
    );
    expect(plan.stdout).toContain('natGateways: single');
    const deploy = await cli(['deploy', '--params', file, '--yes']);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain('this deploy would exceed a quota of the account; nothing was created');
    expect(deploy.stderr).toContain(
      'Elastic IP addresses per region: 3 in use + 3 from x-prod-network > 5 (AWS default)',
    );
    expect(deploy.stderr).toMatch(/set natGateways: single under network:/);
    expect(await stackExists('x-prod-network')).toBe(false);
    expect(await stackExists('x-prod-ecs-cluster')).toBe(false);
    expect(await elasticIps()).toBe(3);
    expect(await serviceRoles()).toEqual(rolesBefore); // the preflight's roles come after the quota check
    await expect(
      new SSMClient(emulator.clientConfig).send(new GetParameterCommand({ Name: '/cfn-stages/x-prod/lock' })),
    ).rejects.toThrow(/ParameterNotFound|not found/i); // the run lock is released
  });

  test('with natGateways: single it fits', async () => {
    const run = await cli(['deploy', '--params', paramsFor('prod', 'single', 3), '--yes', '--only', 'network']);
    expect(run.code).toBe(0);
    expect(await elasticIps()).toBe(4);
  });
});
