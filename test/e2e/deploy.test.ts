/**
 * End to end: the real CLI (`node bin/provision.js`, a child process) against the local emulator
 * (moto with cfn-stages' extension, test/emulator/), through the real AWS SDK. The full example
 * environment deploys; its resources are then checked through the service APIs; a re-run skips
 * every stack; a changed setting updates only the stack it touches; a bad params file makes no
 * AWS call; destroy leaves no stacks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  ListExportsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand, DescribeServicesCommand, ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

const ROOT = path.resolve(__dirname, '..', '..');
const FULL = path.join(ROOT, 'examples', 'full.yaml');

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

type Run = CliRun;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCli(emu.env, args, { env, timeoutMs: 240_000 });
}

async function deployJson(
  file: string,
): Promise<{ ok: boolean; stacks: { name: string; result: string; detail?: string }[] }> {
  const r = await cli(['deploy', '--params', file, '--yes', '--json']);
  if (r.code !== 0) throw new Error(`deploy exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function exportsByName(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListExportsCommand({ NextToken }));
    for (const e of page.Exports ?? []) out.set(e.Name!, e.Value!);
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

async function liveStacks(): Promise<string[]> {
  const r = await cfn.send(new ListStacksCommand({}));
  return (r.StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName!);
}

beforeAll(async () => {
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-e2e-'));
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a params file with mistakes is refused before any AWS call', async () => {
  const bad = path.join(tmp, 'bad.yaml');
  fs.writeFileSync(
    bad,
    fs
      .readFileSync(FULL, 'utf8')
      .replace('environment: demo', 'environment: Demo')
      .replace('prefix: x-', 'prefix: xyz-')
      .replace('natGateways: single', 'natGateways: none')
      .replace('cpu: 512', 'cpu: 300')
      .replace('access: [read]', 'access: [publish]'),
  );
  const r = await cli(['deploy', '--params', bad, '--yes']);
  expect(r.code).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => /^\s+line \d+:/.test(l));
  expect(lines).toHaveLength(5);
  expect(r.stderr).toMatch(/5 problems/);
  expect(r.stderr).toMatch(/line \d+: environment: /);
  expect(r.stderr).toMatch(/line \d+: network\.natGateways: must be one of "one-per-az", "single"/);
  expect(r.stderr).toMatch(/links\[2\]\.access: "publish" does not apply to a s3 link/);
  expect(await liveStacks()).toEqual([]);
});

test('plan lists every stack in dependency order', async () => {
  const r = await cli(['plan', '--params', FULL]);
  expect(r.code).toBe(0);
  const order = [...r.stdout.matchAll(/^(x-demo-[\w-]+|ecr-[\w-]+) \d\d\./gm)].map((m) => m[1]);
  expect(order).toHaveLength(14);
  expect(order.indexOf('x-demo-network')).toBeLessThan(order.indexOf('x-demo-ecs-cluster'));
  expect(order.indexOf('x-demo-acme-loadbalancer')).toBeLessThan(order.indexOf('x-demo-acme-service'));
  expect(order.indexOf('x-demo-acme-main')).toBeLessThan(order.indexOf('x-demo-acme-service'));
  expect(r.stdout).toMatch(/x-demo-network 11\.env-network\n\s+new stack: \d+ to add/);
  expect(await liveStacks()).toEqual([]); // plan changes nothing
}, 120_000);

describe('the full example environment', () => {
  let first: Awaited<ReturnType<typeof deployJson>>;

  beforeAll(async () => {
    // The first run as a user makes it: the repository, the image pushed, then the rest.
    await repositoriesWithImages(emu, cli, FULL, [{ repository: 'acme-web', tag: 'initial' }]);
    first = await deployJson(FULL);
  }, 300_000);

  test('deploys every stack', () => {
    expect(first.ok).toBe(true);
    expect(first.stacks).toHaveLength(14);
    for (const s of first.stacks)
      expect({ name: s.name, result: s.result }).toEqual({
        name: s.name,
        result: s.name === 'ecr-acme-web' ? 'skipped-unchanged' : 'created',
      });
  });

  test('network: a VPC with public, private and data subnets in two AZs, none handing out public IPs', async () => {
    const ex = await exportsByName();
    const ec2 = new EC2Client(emu.clientConfig);
    try {
      const vpc = await ec2.send(new DescribeVpcsCommand({ VpcIds: [ex.get('x-demo-VpcId')!] }));
      expect(vpc.Vpcs?.[0]?.CidrBlock).toBe('10.0.0.0/16');
      const ids = ['PublicSubnetIds', 'PrivateSubnetIds', 'DataSubnetIds'].flatMap((k) =>
        ex.get(`x-demo-${k}`)!.split(','),
      );
      expect(ids).toHaveLength(6);
      const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }));
      expect(new Set(subnets.Subnets!.map((s) => s.AvailabilityZone)).size).toBe(2);
      expect(subnets.Subnets!.every((s) => s.MapPublicIpOnLaunch === false && s.VpcId === ex.get('x-demo-VpcId'))).toBe(
        true,
      );
    } finally {
      ec2.destroy();
    }
  });

  test('load balancer: each extra service has a path rule forwarding to its own target group', async () => {
    const ex = await exportsByName();
    const elb = new ElasticLoadBalancingV2Client(emu.clientConfig);
    try {
      const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: ex.get('x-demo-acme-ListenerArn')! }));
      for (const suffix of ['api2', 'admin']) {
        const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: `x-demo-acme-${suffix}` }));
        const tg = res.StackResources!.find(
          (r) => r.ResourceType === 'AWS::ElasticLoadBalancingV2::TargetGroup',
        )!.PhysicalResourceId;
        const rule = rules.Rules!.find((r) => JSON.stringify(r.Conditions).includes(`/${suffix}`));
        expect(rule).toBeDefined();
        const forwards = rule!
          .Actions!.flatMap((a) => [
            a.TargetGroupArn,
            ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn),
          ])
          .filter(Boolean);
        expect(forwards).toEqual([tg]);
      }
    } finally {
      elb.destroy();
    }
  });

  test('ECS: the cluster runs the app service and both extras; ECR has the repository', async () => {
    const ecs = new ECSClient(emu.clientConfig);
    const ecr = new ECRClient(emu.clientConfig);
    try {
      const cluster = await ecs.send(new DescribeClustersCommand({ clusters: ['x-demo'] }));
      expect(cluster.clusters?.[0]?.status).toBe('ACTIVE');
      const arns = (await ecs.send(new ListServicesCommand({ cluster: 'x-demo' }))).serviceArns ?? [];
      expect(arns).toHaveLength(3);
      const services = await ecs.send(new DescribeServicesCommand({ cluster: 'x-demo', services: arns }));
      // (moto's ECS service keeps no network or load-balancer settings; the template tests cover those)
      const families = (services.services ?? []).map((s) => s.taskDefinition!.split('/')[1]!.split(':')[0]).sort();
      expect(families).toEqual(['x-demo-acme', 'x-demo-acme-admin', 'x-demo-acme-api2']);
      const repo = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['acme-web'] }));
      expect(repo.repositories?.[0]?.imageTagMutability).toBe('IMMUTABLE');
    } finally {
      ecs.destroy();
      ecr.destroy();
    }
  });

  test('exports line up with the documented names', async () => {
    const ex = await exportsByName();
    for (const name of [
      'x-demo-VpcId',
      'x-demo-EcsClusterName',
      'ecr-acme-web-RepositoryUri',
      'x-demo-acme-TargetGroupArn',
      'x-demo-acme-ConfigSecretArn',
      'x-demo-acme-main-PostgresSecretArn',
      'x-demo-acme-cache-RedisSecretArn',
      'x-demo-acme-jobs-QueueArn',
      'x-demo-acme-files-BucketArn',
      'x-demo-acme-events-TopicArn',
    ]) {
      expect({ name, present: ex.has(name) }).toEqual({ name, present: true });
    }
  });

  test('status and outputs show the environment', async () => {
    const status = await cli(['status', '--params', FULL, '--json']);
    expect(status.code).toBe(0);
    const st = JSON.parse(status.stdout);
    expect(st.stacks.map((s: any) => s.status)).toEqual(Array(14).fill('CREATE_COMPLETE'));
    const outputs = await cli(['outputs', '--params', FULL, '--json']);
    expect(JSON.parse(outputs.stdout)['x-demo-acme-loadbalancer'].outputs.AppUrl).toMatch(/^http:\/\//);
  }, 60_000);

  test('a re-run skips every stack', async () => {
    const again = await deployJson(FULL);
    expect(again.stacks.map((s) => s.result)).toEqual(Array(14).fill('skipped-unchanged'));
  }, 120_000);

  test('a changed setting updates only the stack it touches', async () => {
    const changed = path.join(tmp, 'changed.yaml');
    fs.writeFileSync(changed, fs.readFileSync(FULL, 'utf8').replace('maxContainers: 3', 'maxContainers: 5'));
    const r = await deployJson(changed);
    const updated = r.stacks.filter((s) => s.result !== 'skipped-unchanged');
    expect(updated).toEqual([expect.objectContaining({ name: 'x-demo-acme-service', result: 'updated' })]);
    const back = await deployJson(FULL); // and back again
    expect(back.stacks.filter((s) => s.result !== 'skipped-unchanged').map((s) => s.name)).toEqual([
      'x-demo-acme-service',
    ]);
  }, 180_000);

  test('destroy refuses a partial destroy while other stacks import, then removes everything', async () => {
    const partial = await cli(['destroy', '--params', FULL, '--yes', '--only', 'network']);
    expect(partial.code).toBe(2); // refused: nothing was deleted
    expect(partial.stderr).toMatch(
      /x-demo-network cannot be deleted while other stacks use its exports: x-demo-[\w-]+ imports x-demo-\w+/,
    );
    expect((await liveStacks()).length).toBe(14);

    // The database has deletion protection: destroy refuses up front and says how to lift it.
    const guarded = await cli(['destroy', '--params', FULL, '--yes']);
    expect(guarded.code).toBe(2);
    expect(guarded.stderr).toMatch(/deletion protection on; nothing was deleted:\n\s+x-demo-acme-main/);
    expect((await liveStacks()).length).toBe(14);
    const unprotected = path.join(tmp, 'unprotected.yaml');
    fs.writeFileSync(
      unprotected,
      fs.readFileSync(FULL, 'utf8').replace('instances: 2', 'instances: 2\n        deletionProtection: false'),
    );
    const lifted = await deployJson(unprotected);
    expect(lifted.stacks.filter((s) => s.result !== 'skipped-unchanged').map((s) => s.name)).toEqual([
      'x-demo-acme-main',
    ]);

    const r = await cli(['destroy', '--params', unprotected, '--yes', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stacks.map((s: any) => s.result)).toEqual(Array(13).fill('deleted'));
    // Data is never lost by accident: the database, cache, bucket, queue and keys are kept.
    const keptTypes = new Set(out.kept.map((k: any) => k.resourceType));
    for (const t of ['AWS::RDS::DBCluster', 'AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::KMS::Key'])
      expect(keptTypes).toContain(t);
    // The repository stack is the project's, shared by environments: kept until deleted on purpose.
    expect(out.keptShared).toEqual([{ stack: 'ecr-acme-web', importers: [] }]);
    expect(await liveStacks()).toEqual(['ecr-acme-web']);
    const shared = await cli([
      'destroy',
      '--params',
      unprotected,
      '--yes',
      '--json',
      '--only',
      'repository',
      '--delete-shared',
    ]);
    expect(shared.code).toBe(0);
    expect(JSON.parse(shared.stdout).kept.map((k: any) => k.resourceType)).toContain('AWS::ECR::Repository');
    expect(await liveStacks()).toEqual([]);
  }, 240_000);
});
