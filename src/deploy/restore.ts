/**
 * Bringing a database or cache back after a destroy. `destroy` leaves a final snapshot of every
 * database cluster and cache replication group; the data-store templates take a `RestoreFrom`
 * parameter (a snapshot) used when the cluster or replication group is created. In a params file
 * `restoreFrom: latest` means "the newest final snapshot of this store", found here before
 * anything is touched, so `plan` can name it; while there is none (the environment's first
 * deploy), the store starts empty, so the same file serves the first deploy and every re-create
 * after a destroy.
 *
 * Once a store was created from a snapshot, CloudFormation needs the same snapshot on every later
 * update, or it would replace the store with an empty one. So for a stack that exists, the
 * deployed value is kept whatever the file says: `restoreFrom` acts only on creation.
 */
import type { Snapshot } from '@aws-sdk/client-elasticache';
import type { DBClusterSnapshot } from '@aws-sdk/client-rds';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { sdk, type AwsClients } from '../aws/clients';
import { parametersOf } from './cloudformation';
import { effectiveParameters, parseTemplate, type TemplateDoc, type TemplateResource } from './template';
import type { StackSpec } from './types';

/** The data-store templates' parameter (`restoreFrom` in a params file). */
export const RESTORE_PARAMETER = 'RestoreFrom';
/** The params-file value that picks the newest final snapshot. */
export const LATEST = 'latest';

/** Resource types whose final snapshot `restoreFrom` can start a new store from. */
export const CLUSTER_TYPES = ['AWS::RDS::DBCluster', 'AWS::DocDB::DBCluster'];
export const CACHE_TYPE = 'AWS::ElastiCache::ReplicationGroup';

/** What kind of store a restore brings back: the word `plan` and `deploy` use for it. */
export type RestoredStore = 'database' | 'cache';

/** What a stack's restore comes to: the snapshot a creation starts from, if any. */
export interface RestorePlan {
  spec: StackSpec;
  /** The snapshot the cluster or replication group is created from (only when the stack is created now). */
  restoresFrom?: string;
  /** `latest` found no final snapshot of this store: it is created empty. */
  noSnapshotOf?: string;
  /** Set with `restoresFrom` or `noSnapshotOf`. */
  store?: RestoredStore;
}

/**
 * The spec with `RestoreFrom` settled: the deployed value for an existing stack; for a new one,
 * `latest` replaced by the newest final snapshot of the store's cluster (or by nothing, when
 * there is none yet). Specs without the parameter pass through untouched.
 */
export async function settleRestore(
  clients: AwsClients,
  spec: StackSpec,
  stack: Stack | undefined,
): Promise<RestorePlan> {
  const doc = parseTemplate(spec.templateBody);
  if (!doc?.Parameters?.[RESTORE_PARAMETER]) return { spec };
  if (stack) return { spec: withRestore(spec, parametersOf(stack)[RESTORE_PARAMETER] ?? '') };
  const asked = spec.parameters[RESTORE_PARAMETER] ?? '';
  const store: RestoredStore = isCache(doc) ? 'cache' : 'database';
  if (asked !== LATEST) return { spec, ...(asked ? { restoresFrom: asked, store } : {}) };
  const found = store === 'cache' ? await latestOfCache(clients, spec, doc) : await latestOfCluster(clients, spec, doc);
  if (!found.snapshot) return { spec: withRestore(spec, ''), noSnapshotOf: found.of, store };
  return { spec: withRestore(spec, found.snapshot), restoresFrom: found.snapshot, store };
}

interface Latest {
  /** What `latest` looked for: the cluster identifier or the store's name. */
  of: string;
  snapshot?: string;
}

async function latestOfCluster(clients: AwsClients, spec: StackSpec, doc: TemplateDoc): Promise<Latest> {
  const cluster = clusterIdentifier(spec, doc);
  return { of: cluster ?? spec.name, snapshot: cluster ? await newestFinalSnapshot(clients, cluster) : undefined };
}

/**
 * A replication group's id is generated anew at each creation (the template sets none), so the
 * store's snapshots are found by the group's description, which names the store.
 */
async function latestOfCache(clients: AwsClients, spec: StackSpec, doc: TemplateDoc): Promise<Latest> {
  const description = substituted(spec, doc, resourceOf(doc, [CACHE_TYPE])?.Properties?.ReplicationGroupDescription);
  const snapshot = description ? await newestCacheSnapshot(clients, { description }) : undefined;
  return { of: spec.name, snapshot };
}

function isCache(doc: TemplateDoc): boolean {
  return !!resourceOf(doc, [CACHE_TYPE]);
}

function resourceOf(doc: TemplateDoc, types: string[]): TemplateResource | undefined {
  return Object.values(doc.Resources ?? {}).find((r) => types.includes(r.Type));
}

/** An `Fn::Sub` of parameters (or a plain string) as it comes out with the spec's parameters. */
function substituted(spec: StackSpec, doc: TemplateDoc, value: unknown): string | undefined {
  const pattern = typeof value === 'string' ? value : (value as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  if (typeof pattern !== 'string') return undefined;
  const params = effectiveParameters(spec, doc) ?? spec.parameters;
  return pattern.replace(/\$\{([A-Za-z0-9]+)\}/g, (_m, name: string) => params[name] ?? '');
}

function withRestore(spec: StackSpec, value: string): StackSpec {
  return { ...spec, parameters: { ...spec.parameters, [RESTORE_PARAMETER]: value } };
}

/** The cluster's identifier as the template names it (`Fn::Sub` of parameters), lower-cased as RDS keeps it. */
export function clusterIdentifier(spec: StackSpec, doc: TemplateDoc): string | undefined {
  const pattern = (
    resourceOf(doc, CLUSTER_TYPES)?.Properties?.DBClusterIdentifier as { 'Fn::Sub'?: unknown } | undefined
  )?.['Fn::Sub'];
  return substituted(spec, doc, typeof pattern === 'string' ? { 'Fn::Sub': pattern } : undefined)?.toLowerCase();
}

/** The newest manual snapshot of the cluster (CloudFormation's final snapshots are manual ones). */
export async function newestFinalSnapshot(clients: AwsClients, clusterId: string): Promise<string | undefined> {
  const { paginateDescribeDBClusterSnapshots } = sdk('@aws-sdk/client-rds');
  const found: DBClusterSnapshot[] = [];
  const input = { DBClusterIdentifier: clusterId, SnapshotType: 'manual' };
  for await (const page of paginateDescribeDBClusterSnapshots({ client: clients.rds }, input)) {
    found.push(...(page.DBClusterSnapshots ?? []));
  }
  const newest = found
    .filter((s) => s.DBClusterIdentifier === clusterId)
    .sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0))[0];
  return newest?.DBClusterSnapshotIdentifier;
}

/**
 * The newest manual snapshot (a final snapshot is one) of a replication group, named by its id
 * (a group destroy just deleted) or by its description (the store, whichever creation made it).
 * Listed in full and filtered here: DescribeSnapshots filtered by the id of a group that no longer
 * exists is refused. A snapshot's time is that of its nodes' snapshots; ties keep the listing's order.
 */
export async function newestCacheSnapshot(
  clients: AwsClients,
  of: { groupId?: string; description?: string },
): Promise<string | undefined> {
  const { paginateDescribeSnapshots } = sdk('@aws-sdk/client-elasticache');
  const found: Snapshot[] = [];
  for await (const page of paginateDescribeSnapshots({ client: clients.elastiCache }, { SnapshotSource: 'user' })) {
    found.push(...(page.Snapshots ?? []));
  }
  const taken = (s: Snapshot) =>
    Math.max(0, ...(s.NodeSnapshots ?? []).map((n) => n.SnapshotCreateTime?.getTime() ?? 0));
  const newest = found
    .filter(
      (s) =>
        (!of.groupId || s.ReplicationGroupId === of.groupId) &&
        (!of.description || s.ReplicationGroupDescription === of.description),
    )
    .reduce<Snapshot | undefined>((best, s) => (!best || taken(s) >= taken(best) ? s : best), undefined);
  return newest?.SnapshotName;
}

/**
 * A cluster created from a snapshot keeps the snapshot's master password, while its stack made a
 * new secret with a new one (CloudFormation takes no password when restoring). This sets the
 * secret's password on the cluster (ModifyDBCluster, applied at once), so linked services connect
 * with what the secret says. The password passes through this process only and is never shown.
 */
export async function applyNewSecretPassword(
  clients: AwsClients,
  spec: StackSpec,
  outputs: Record<string, string>,
): Promise<void> {
  const doc = parseTemplate(spec.templateBody);
  const cluster = doc && clusterIdentifier(spec, doc);
  const secretId = Object.entries(doc?.Resources ?? {}).find(([, r]) => r.Type === 'AWS::SecretsManager::Secret')?.[0];
  const outputKey = Object.entries(doc?.Outputs ?? {}).find(
    ([, o]) => (o.Value as { Ref?: string } | undefined)?.Ref === secretId,
  )?.[0];
  const secretArn = outputKey ? outputs[outputKey] : undefined;
  if (!cluster || !secretArn) return;
  const { GetSecretValueCommand } = sdk('@aws-sdk/client-secrets-manager');
  const { ModifyDBClusterCommand } = sdk('@aws-sdk/client-rds');
  const value = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const password = (JSON.parse(value.SecretString ?? '{}') as { password?: string }).password;
  if (!password) return;
  await clients.rds.send(
    new ModifyDBClusterCommand({ DBClusterIdentifier: cluster, MasterUserPassword: password, ApplyImmediately: true }),
  );
}
