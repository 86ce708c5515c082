/**
 * End to end, living with an environment: the real CLI (a child process) against the local
 * emulator, through the real SDK.
 *
 * 1. The full example: deploy; change a network setting; `plan` exits 0 and shows the change;
 *    deploy it; destroy; deploy the same file again (the kept ECR repository adopted by resource
 *    import, the database and the cache created from their final snapshots because the file
 *    says `restoreFrom: latest` for both); destroy again.
 * 2. A first creation that fails (a resource made to fail by the emulator), then the fix: the
 *    re-run converges with no clean-up by hand, because the failed attempt left nothing behind.
 *
 * Emulator pieces these rely on: test/emulator/README.md, "Lifecycle".
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FULL = path.join(REPO_ROOT, 'examples', 'full.yaml');
/** The emulator's switch for failing one resource (test/emulator/cfn_stages_moto/lifecycle.py). */
const FAIL_PREFIX = '/cfn-stages-emulator/fail/';
/** Where the emulator notes the snapshot a replication group was created from (cache_restore.py). */
const RESTORED_PREFIX = '/cfn-stages-emulator/restored/';

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

type Run = CliRun;

function cli(args: string[]): Promise<Run> {
  return runCli(emu.env, args, { home: tmp });
}

async function json(args: string[], expectedCode = 0): Promise<any> {
  const r = await cli([...args, '--json']);
  if (r.code !== expectedCode)
    throw new Error(`provision ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A params file in the temp dir: the text of `from` with each [search, replacement] applied. */
function paramsFile(name: string, from: string, edits: [string, string][]): string {
  let text = fs.readFileSync(from, 'utf8');
  for (const [a, b] of edits) {
    if (!text.includes(a)) throw new Error(`${name}: "${a}" not in ${from}`);
    text = text.replace(a, b);
  }
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

async function liveStacks(): Promise<string[]> {
  const r = await cfn.send(new ListStacksCommand({}));
  return (r.StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName!);
}

/** Every event of every stack ever named `name` (deleted ones included), oldest first. */
async function eventsOf(name: string): Promise<StackEvent[]> {
  const all = await cfn.send(new ListStacksCommand({}));
  const ids = (all.StackSummaries ?? []).filter((s) => s.StackName === name).map((s) => s.StackId!);
  const events: StackEvent[] = [];
  for (const id of ids)
    events.push(...((await cfn.send(new DescribeStackEventsCommand({ StackName: id }))).StackEvents ?? []));
  return events.reverse();
}

/** One output of a live stack. */
async function output(stack: string, key: string): Promise<string> {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  const value = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value) throw new Error(`${stack} has no output ${key}`);
  return value;
}

async function parameter(stack: string, key: string): Promise<string | undefined> {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  return out.Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-lifecycle-'));
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the full example: change, destroy, deploy the same file again, destroy again', () => {
  // The database may be deleted on purpose, and comes back from its final snapshot on a re-create;
  // so does the cache.
  let life = '';
  let changed = '';
  let snapshot = '';
  let cacheSnapshot = '';
  let firstGroup = '';

  test('deploys the full example', async () => {
    life = paramsFile('life.yaml', FULL, [
      ['instances: 2', 'instances: 2\n        deletionProtection: false\n        restoreFrom: latest'],
      ['nodeType: cache.t4g.small', 'nodeType: cache.t4g.small\n        restoreFrom: latest'],
    ]);
    const plan = await cli(['plan', '--params', life]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'restoreFrom: latest: no final snapshot of x-demo-acme-main yet, the database starts empty',
    );
    expect(plan.stdout).toContain(
      'restoreFrom: latest: no final snapshot of x-demo-acme-cache yet, the cache starts empty',
    );
    await repositoriesWithImages(emu, cli, life); // a service waits for its image
    const out = await json(['deploy', '--params', life, '--yes']);
    expect(out.stacks.map((s: any) => [s.name, s.result])).toEqual(
      out.stacks.map((s: any) => [s.name, s.name === 'ecr-acme-web' ? 'skipped-unchanged' : 'created']),
    );
    expect(out.stacks).toHaveLength(14);
    expect(await parameter('x-demo-acme-main', 'RestoreFrom')).toBe('');
    expect(await parameter('x-demo-acme-cache', 'RestoreFrom')).toBe('');
    firstGroup = await output('x-demo-acme-cache', 'ReplicationGroupId');
  }, 240_000);

  test('a changed network setting plans (exit 0, the change shown) and deploys', async () => {
    changed = paramsFile('changed.yaml', life, [
      ['natGateways: single', 'natGateways: single\n  flowLogRetentionDays: 30'],
    ]);
    const plan = await cli(['plan', '--params', changed]);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toMatch(
      /x-demo-network 11\.env-network\n\s+update: 0 to add, 1 to change, 0 to remove\n\s+~ FlowLogGroup AWS::Logs::LogGroup \(RetentionInDays\)/,
    );
    expect(plan.stdout).toContain('1 of 14 stacks would change');
    const out = await json(['deploy', '--params', changed, '--yes']);
    expect(out.stacks.filter((s: any) => s.result !== 'skipped-unchanged').map((s: any) => [s.name, s.result])).toEqual(
      [['x-demo-network', 'updated']],
    );
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'x-demo-network' }))).Stacks![0]!;
    expect(stack.LastUpdatedTime).toBeInstanceOf(Date);
  }, 240_000);

  test('destroy keeps the data and says what a re-create does with each kept resource', async () => {
    const out = await json(['destroy', '--params', changed, '--yes']);
    expect(out.stacks.map((s: any) => s.result)).toEqual(Array(13).fill('deleted'));
    // The repository stack is a project stack, shared between environments: an environment's
    // destroy keeps it. Deleting it is an act of its own; its repository is retained by the template.
    expect(out.keptShared).toEqual([{ stack: 'ecr-acme-web', importers: [] }]);
    expect(await liveStacks()).toEqual(['ecr-acme-web']);
    const shared = await json(['destroy', '--params', changed, '--yes', '--only', 'ecr-acme-web', '--delete-shared']);
    expect(shared.stacks.map((s: any) => [s.name, s.result])).toEqual([['ecr-acme-web', 'deleted']]);
    expect(await liveStacks()).toEqual([]);
    expect(shared.kept.filter((k: any) => k.resourceType === 'AWS::ECR::Repository')).toEqual([
      expect.objectContaining({
        physicalId: 'acme-web',
        onRecreate: expect.stringContaining('adopted by the next deploy'),
      }),
    ]);
    const kept = (type: string, stack?: string) =>
      out.kept.filter((k: any) => k.resourceType === type && (!stack || k.stack === stack));
    const [cluster] = kept('AWS::RDS::DBCluster');
    expect(cluster).toMatchObject({
      stack: 'x-demo-acme-main',
      policy: 'Snapshot',
      snapshot: expect.stringMatching(/^x-demo-acme-main-final-/),
      onRecreate: expect.stringContaining('restoreFrom: latest'),
    });
    snapshot = cluster.snapshot;
    const [group] = kept('AWS::ElastiCache::ReplicationGroup');
    expect(group).toMatchObject({
      stack: 'x-demo-acme-cache',
      physicalId: firstGroup,
      policy: 'Snapshot',
      snapshot: expect.stringMatching(new RegExp(`^${firstGroup}-final-`)),
      onRecreate: expect.stringContaining('restored from this snapshot with restoreFrom: latest'),
    });
    cacheSnapshot = group.snapshot;
    expect(kept('AWS::SQS::Queue').map((k: any) => k.onRecreate)).toEqual([
      expect.stringContaining('makes a new queue'),
      expect.stringContaining('makes a new queue'),
    ]);
    // Keys of data that went with its stack are not kept: the network's flow-log key, the topic's key.
    const keyStacks = kept('AWS::KMS::Key')
      .map((k: any) => k.stack)
      .sort();
    expect(keyStacks).toEqual([
      'x-demo-acme-cache',
      'x-demo-acme-files',
      'x-demo-acme-jobs',
      'x-demo-acme-loadbalancer',
      'x-demo-acme-main',
    ]);
    const networkKey = (await eventsOf('x-demo-network'))
      .filter((e) => e.LogicalResourceId === 'LogsKey')
      .map((e) => e.ResourceStatus);
    expect(networkKey.slice(-2)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  }, 240_000);

  test('plan of the same file names what a re-create adopts and restores', async () => {
    const plan = await cli(['plan', '--params', life]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/ecr-acme-web 21\.project-ecr-image-repo\n\s+new stack: 0 to add, 1 to adopt/);
    expect(plan.stdout).toContain(
      '= Repository AWS::ECR::Repository adopts the existing acme-web (kept by an earlier stack)',
    );
    expect(plan.stdout).toContain(`the database is created from snapshot ${snapshot}`);
    expect(plan.stdout).toMatch(
      new RegExp(
        `x-demo-acme-cache 43\\.data-redis.*\\n\\s+new stack: .*\\n\\s+the cache is created from snapshot ${cacheSnapshot}\\n`,
      ),
    );
  }, 120_000);

  test("deploying the same file again succeeds: repository adopted, database restored with the new secret's password, cache restored", async () => {
    const run = await cli(['deploy', '--params', life, '--yes']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/13 created, 1 updated, 0 unchanged/); // the repository: imported, then updated with the full template
    expect(run.stdout).toContain(
      `database created from its snapshot (from ${snapshot}: setting the new secret's password)`,
    );
    expect(run.stdout).toContain(`cache created from its snapshot (from ${cacheSnapshot})`);
    const status = await json(['status', '--params', life]);
    expect(Object.fromEntries(status.stacks.map((s: any) => [s.name, s.status]))['ecr-acme-web']).toBe(
      'UPDATE_COMPLETE',
    );
    const importEvents = (await eventsOf('ecr-acme-web'))
      .filter((e) => e.LogicalResourceId === 'Repository')
      .map((e) => e.ResourceStatus);
    expect(importEvents.slice(-2)).toEqual(['IMPORT_IN_PROGRESS', 'IMPORT_COMPLETE']);
    const ecr = new ECRClient(emu.clientConfig);
    try {
      expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual([
        'acme-web',
      ]);
    } finally {
      ecr.destroy();
    }
    expect(await parameter('x-demo-acme-main', 'RestoreFrom')).toBe(snapshot);
    expect(await parameter('x-demo-acme-cache', 'RestoreFrom')).toBe(cacheSnapshot);
    // A new replication group (a new generated id), created from the final snapshot of the first.
    const group = await output('x-demo-acme-cache', 'ReplicationGroupId');
    expect(group).not.toBe(firstGroup);
    const elastiCache = new ElastiCacheClient(emu.clientConfig);
    const ssm = new SSMClient(emu.clientConfig);
    try {
      const described = (await elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: group })))
        .ReplicationGroups?.[0];
      expect(described).toMatchObject({ Description: 'Redis cache x-demo-acme-cache', Status: 'available' });
      expect((await ssm.send(new GetParameterCommand({ Name: `${RESTORED_PREFIX}${group}` }))).Parameter?.Value).toBe(
        cacheSnapshot,
      );
    } finally {
      elastiCache.destroy();
      ssm.destroy();
    }
    const rds = new RDSClient(emu.clientConfig);
    const sm = new SecretsManagerClient(emu.clientConfig);
    try {
      const db = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'x-demo-acme-main' })))
        .DBClusters?.[0];
      expect(db?.Status).toBe('available');
      const secretArn = (
        await cfn.send(new DescribeStacksCommand({ StackName: 'x-demo-acme-main' }))
      ).Stacks![0]!.Outputs!.find((o) => o.ExportName === 'x-demo-acme-main-PostgresSecretArn')!.OutputValue!;
      const secret = JSON.parse(
        (await sm.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '{}',
      );
      expect(secret.password).toMatch(/^[A-Za-z0-9]{32}$/);
    } finally {
      rds.destroy();
      sm.destroy();
    }
    // A second run changes nothing: the deployed RestoreFrom is kept, the database is not replaced.
    const again = await json(['deploy', '--params', life, '--yes']);
    expect(again.stacks.map((s: any) => s.result)).toEqual(Array(14).fill('skipped-unchanged'));
  }, 300_000);

  test('destroy again leaves no stack', async () => {
    const out = await json(['destroy', '--params', life, '--yes']);
    expect(out.stacks.map((s: any) => s.result)).toEqual(Array(13).fill('deleted'));
    expect(await liveStacks()).toEqual(['ecr-acme-web']);
    const shared = await json(['destroy', '--params', life, '--yes', '--only', 'ecr-acme-web', '--delete-shared']);
    expect(shared.ok).toBe(true);
    expect(await liveStacks()).toEqual([]);
  }, 240_000);
});

describe('a first creation that fails, then the fix', () => {
  test('the re-run converges with no clean-up: the failed attempt kept no queue, DLQ or key', async () => {
    const file = paramsFile('queue.yaml', path.join(REPO_ROOT, 'examples', 'small.yaml'), [
      ['environment: dev', 'environment: qfail'],
      ['      memory: 512', '      memory: 512\n    data:\n      - kind: sqs\n        name: jobs'],
    ]);
    const stack = 'x-qfail-acme-jobs';
    const ssm = new SSMClient(emu.clientConfig);
    try {
      await ssm.send(
        new PutParameterCommand({ Name: `${FAIL_PREFIX}${stack}/Queue`, Value: 'create', Type: 'String' }),
      );
      const failed = await cli(['deploy', '--params', file, '--yes']);
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toContain('Failure requested by the test');
      const first = await eventsOf(stack);
      // The rollback deleted what the attempt made, retained types included (RetainExceptOnCreate).
      for (const id of ['DeadLetterQueue', 'Key']) {
        expect({
          id,
          last: first
            .filter((e) => e.LogicalResourceId === id)
            .map((e) => e.ResourceStatus)
            .pop(),
        }).toEqual({ id, last: 'DELETE_COMPLETE' });
      }
      expect(first.some((e) => e.ResourceStatus === 'DELETE_SKIPPED')).toBe(false);

      await ssm.send(new DeleteParameterCommand({ Name: `${FAIL_PREFIX}${stack}/Queue` })); // the fix
      const fixed = await json(['deploy', '--params', file, '--yes']);
      expect(fixed.ok).toBe(true);
      expect(fixed.stacks.find((s: any) => s.name === stack).result).toBe('created');
      expect((await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0]!.StackStatus).toBe(
        'CREATE_COMPLETE',
      );
    } finally {
      ssm.destroy();
    }
  }, 240_000);
});
