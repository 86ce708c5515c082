/**
 * `restoreFrom` for the Redis cache (43.data-redis), without AWS: how the template takes the
 * snapshot, how `latest` settles for a new and an existing stack, and what destroy says of the
 * kept replication group. ElastiCache is a stand-in answering DescribeSnapshots; the round trip
 * itself runs against the emulator in test/e2e/lifecycle.test.ts.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { AwsClients } from '../../src/aws/clients';
import { describeRecreate } from '../../src/deploy/recreate';
import { CACHE_TYPE, settleRestore } from '../../src/deploy/restore';
import type { StackSpec } from '../../src/deploy/types';
import { buildRedis } from '../../templates/data/redis';
import { compactTemplate } from '../../templates/kit/cf';
import { clientWithSend } from '../helpers/sdk-double';

interface CacheSnapshot {
  name: string;
  group: string;
  description: string;
  at?: string;
}

/** ElastiCache answering DescribeSnapshots with `snapshots`, two to a page; every call recorded. */
function standIn(snapshots: CacheSnapshot[]): AwsClients & { calls: { name: string; input: any }[] } {
  const calls: { name: string; input: any }[] = [];
  const send = async (command: { constructor: { name: string }; input: any }) => {
    calls.push({ name: command.constructor.name, input: command.input });
    if (command.constructor.name !== 'DescribeSnapshotsCommand')
      throw new Error(`unexpected ${command.constructor.name}`);
    const start = Number(command.input.Marker ?? 0);
    const page = snapshots.slice(start, start + 2).map((s) => ({
      SnapshotName: s.name,
      ReplicationGroupId: s.group,
      ReplicationGroupDescription: s.description,
      NodeSnapshots: s.at ? [{ SnapshotCreateTime: new Date(s.at) }] : [],
    }));
    return { Snapshots: page, Marker: start + 2 < snapshots.length ? String(start + 2) : undefined };
  };
  return { calls, elastiCache: clientWithSend(ElastiCacheClient, send) } as unknown as AwsClients & {
    calls: { name: string; input: any }[];
  };
}

const body = compactTemplate(buildRedis().template);
const redis = (restoreFrom?: string): StackSpec => ({
  name: 'x-dev-acme-cache',
  templateId: '43.data-redis',
  templateBody: body,
  parameters: {
    Prefix: 'x-',
    EnvironmentName: 'dev',
    ApplicationName: 'acme',
    DataName: 'cache',
    ...(restoreFrom === undefined ? {} : { RestoreFrom: restoreFrom }),
  },
  tags: {},
  dependsOn: [],
  capabilities: [],
});

const snapshots: CacheSnapshot[] = [
  {
    name: 'x-dev-acme-cache-rg-1-final-old',
    group: 'x-dev-acme-cache-rg-1',
    description: 'Redis cache x-dev-acme-cache',
    at: '2026-01-01T00:00:00Z',
  },
  {
    name: 'x-dev-acme-other-final',
    group: 'x-dev-acme-other-rg',
    description: 'Redis cache x-dev-acme-other',
    at: '2026-04-01T00:00:00Z',
  },
  {
    name: 'x-dev-acme-cache-rg-2-final-new',
    group: 'x-dev-acme-cache-rg-2',
    description: 'Redis cache x-dev-acme-cache',
    at: '2026-03-01T00:00:00Z',
  },
  {
    name: 'x-dev-acme-cache-rg-1-manual',
    group: 'x-dev-acme-cache-rg-1',
    description: 'Redis cache x-dev-acme-cache',
    at: '2026-02-01T00:00:00Z',
  },
];

describe('the template', () => {
  const doc = JSON.parse(body);

  test("RestoreFrom, when set, becomes the replication group's SnapshotName; empty leaves it out", () => {
    expect(doc.Parameters.RestoreFrom).toMatchObject({ Type: 'String', Default: '' });
    expect(doc.Conditions.Restoring).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'RestoreFrom' }, ''] }] });
    expect(doc.Resources.ReplicationGroup.Properties.SnapshotName).toEqual({
      'Fn::If': ['Restoring', { Ref: 'RestoreFrom' }, { Ref: 'AWS::NoValue' }],
    });
    expect(doc.Resources.ReplicationGroup.DeletionPolicy).toBe('Snapshot');
  });

  test('RestoreFrom takes an ElastiCache snapshot name (or latest, or empty), not an RDS snapshot ARN', () => {
    const allowed = new RegExp(doc.Parameters.RestoreFrom.AllowedPattern);
    for (const ok of ['', 'latest', 'x-dev-acme-cache-rg-1-final-old'])
      expect({ ok, matches: allowed.test(ok) }).toEqual({ ok, matches: true });
    for (const bad of ['arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:x', 'has space', '-leading-hyphen'])
      expect({ bad, matches: allowed.test(bad) }).toEqual({ bad, matches: false });
  });
});

describe('restoreFrom for a cache', () => {
  test('latest, for a new stack, is the newest snapshot of this store, whichever creation of it (all pages read)', async () => {
    const clients = standIn(snapshots);
    const r = await settleRestore(clients, redis('latest'), undefined);
    expect(r).toMatchObject({
      restoresFrom: 'x-dev-acme-cache-rg-2-final-new',
      store: 'cache',
      spec: { parameters: { RestoreFrom: 'x-dev-acme-cache-rg-2-final-new' } },
    });
    expect(clients.calls.map((c) => [c.name, c.input.SnapshotSource])).toEqual([
      ['DescribeSnapshotsCommand', 'user'],
      ['DescribeSnapshotsCommand', 'user'],
    ]);
  });

  test('latest with no snapshot of this store yet starts empty, and says so for the cache', async () => {
    const r = await settleRestore(
      standIn(snapshots.filter((s) => s.description !== 'Redis cache x-dev-acme-cache')),
      redis('latest'),
      undefined,
    );
    expect(r).toMatchObject({
      noSnapshotOf: 'x-dev-acme-cache',
      store: 'cache',
      spec: { parameters: { RestoreFrom: '' } },
    });
    expect(r.restoresFrom).toBeUndefined();
  });

  test('a snapshot named in the file is used as it is, with no look-up', async () => {
    const clients = standIn(snapshots);
    expect(await settleRestore(clients, redis('x-dev-acme-cache-rg-1-manual'), undefined)).toMatchObject({
      restoresFrom: 'x-dev-acme-cache-rg-1-manual',
      store: 'cache',
    });
    expect(clients.calls).toEqual([]);
  });

  test('an existing stack keeps the value it was created with, whatever the file says (no replacement)', async () => {
    const clients = standIn(snapshots);
    const deployed = {
      StackStatus: 'UPDATE_COMPLETE',
      Parameters: [{ ParameterKey: 'RestoreFrom', ParameterValue: 'x-dev-acme-cache-rg-1-final-old' }],
    } as Stack;
    for (const asked of ['latest', '', 'something-else', undefined]) {
      const r = await settleRestore(clients, redis(asked), deployed);
      expect({ asked, value: r.spec.parameters.RestoreFrom, restores: r.restoresFrom }).toEqual({
        asked,
        value: 'x-dev-acme-cache-rg-1-final-old',
        restores: undefined,
      });
    }
    expect(clients.calls).toEqual([]);
  });
});

test("destroy says a kept cache's snapshot can start the next one, as a database's can", () => {
  const cache = describeRecreate({
    logicalId: 'ReplicationGroup',
    resourceType: CACHE_TYPE,
    physicalId: 'x-dev-acme-cache-rg-1',
    policy: 'Snapshot',
  });
  expect(cache).toBe(
    'the next deploy creates an empty cache, or one restored from this snapshot with restoreFrom: latest (or the snapshot name)',
  );
  expect(
    describeRecreate({
      logicalId: 'Cluster',
      resourceType: 'AWS::RDS::DBCluster',
      physicalId: 'x-dev-acme-main',
      policy: 'Snapshot',
    }),
  ).toContain('creates an empty database, or one restored from this snapshot with restoreFrom: latest');
  expect(
    describeRecreate({
      logicalId: 'Volume',
      resourceType: 'AWS::EC2::Volume',
      physicalId: 'vol-1',
      policy: 'Snapshot',
    }),
  ).toBe('the next deploy creates an empty one; the snapshot stays until you delete it');
});
