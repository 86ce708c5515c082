/**
 * The emulator's cache restore (cfn_stages_moto/cache_restore.py, README "Lifecycle") through the
 * real SDK: a replication group created with `SnapshotName` needs that snapshot (SnapshotNotFoundFault
 * fails the resource, as on AWS), and one created from an existing snapshot notes its source. The
 * deployer's look-up of a store's newest snapshot runs here too, against real DescribeSnapshots
 * answers (the whole destroy -> restore round trip is in test/e2e/lifecycle.test.ts).
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateSnapshotCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { newestCacheSnapshot } from '../../src/deploy/restore';
import { startEmulator, type Emulator } from '../helpers/emulator';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The emulator's note of a group's source (test control, cache_restore.RESTORED_PREFIX). */
const RESTORED_PREFIX = '/cfn-stages-emulator/restored/';

let emu: Emulator;
let cfn: CloudFormationClient;
let cache: ElastiCacheClient;
let ssm: SSMClient;
let clients: AwsClients;

beforeAll(async () => {
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  cache = new ElastiCacheClient(emu.clientConfig);
  ssm = new SSMClient(emu.clientConfig);
  clients = createClients({
    endpointUrl: emu.endpoint,
    region: emu.clientConfig.region,
    credentials: emu.clientConfig.credentials,
  });
}, 60_000);

afterAll(async () => {
  clients?.destroy();
  for (const c of [cfn, cache, ssm]) c?.destroy();
  await emu?.stop();
});

function group(description: string, snapshotName?: string): string {
  return JSON.stringify({
    Resources: {
      Group: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: {
          ReplicationGroupDescription: description,
          Engine: 'redis',
          CacheNodeType: 'cache.t4g.medium',
          NumCacheClusters: 2,
          AutomaticFailoverEnabled: true,
          ...(snapshotName ? { SnapshotName: snapshotName } : {}),
        },
      },
    },
  });
}

/** Creates a stack the way the deployer does: a CREATE change set, executed. */
async function create(stackName: string, body: string): Promise<void> {
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: 'create',
      ChangeSetType: 'CREATE',
      TemplateBody: body,
    }),
  );
  await cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: 'create' }));
}

async function groupId(stackName: string): Promise<string> {
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  return resources.find((r) => r.LogicalResourceId === 'Group')!.PhysicalResourceId!;
}

async function status(stackName: string): Promise<string | undefined> {
  return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus;
}

test('a replication group restored from a snapshot needs the snapshot, and notes it as its source', async () => {
  await create('cache-one', group('Redis cache x-dev-acme-cache'));
  const first = await groupId('cache-one');
  await cache.send(new CreateSnapshotCommand({ ReplicationGroupId: first, SnapshotName: 'cache-one-final-a' }));

  await create('cache-missing', group('Redis cache x-dev-acme-other', 'no-such-snapshot'));
  expect(await status('cache-missing')).toBe('ROLLBACK_COMPLETE');
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'cache-missing' }))).StackEvents ?? [];
  expect(
    events.find((e) => e.ResourceStatus === 'CREATE_FAILED' && e.LogicalResourceId === 'Group')?.ResourceStatusReason,
  ).toContain('no-such-snapshot not found');

  await create('cache-two', group('Redis cache x-dev-acme-cache', 'cache-one-final-a'));
  expect(await status('cache-two')).toBe('CREATE_COMPLETE');
  const second = await groupId('cache-two');
  expect(second).not.toBe(first);
  expect((await ssm.send(new GetParameterCommand({ Name: `${RESTORED_PREFIX}${second}` }))).Parameter?.Value).toBe(
    'cache-one-final-a',
  );
  await expect(ssm.send(new GetParameterCommand({ Name: `${RESTORED_PREFIX}${first}` }))).rejects.toMatchObject({
    name: 'ParameterNotFound',
  });
});

test("a store's newest snapshot is found by its group id or by the description that names the store", async () => {
  await create('cache-three', group('Redis cache x-dev-acme-sessions'));
  const id = await groupId('cache-three');
  await cache.send(new CreateSnapshotCommand({ ReplicationGroupId: id, SnapshotName: 'cache-three-final-a' }));
  expect(await newestCacheSnapshot(clients, { groupId: id })).toBe('cache-three-final-a');
  expect(await newestCacheSnapshot(clients, { description: 'Redis cache x-dev-acme-sessions' })).toBe(
    'cache-three-final-a',
  );
  expect(await newestCacheSnapshot(clients, { description: 'Redis cache x-dev-acme-nothing' })).toBeUndefined();
});
