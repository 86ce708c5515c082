/**
 * Bringing a database back after a destroy. `destroy` leaves a final snapshot of every database
 * cluster; the data-store templates take a `RestoreFrom` parameter (a cluster snapshot) used when
 * the cluster is created. In a params file `restoreFrom: latest` means "the newest final snapshot
 * of this store's cluster", found here before anything is touched, so `plan` can name it; while
 * there is none (the environment's first deploy), the database starts empty, so the same file
 * serves the first deploy and every re-create after a destroy.
 *
 * Once a cluster was created from a snapshot, CloudFormation needs the same SnapshotIdentifier on
 * every later update, or it would replace the cluster with an empty one. So for a stack that
 * exists, the deployed value is kept whatever the file says: `restoreFrom` acts only on creation.
 */
import { DescribeDBClusterSnapshotsCommand, ModifyDBClusterCommand, type DBClusterSnapshot } from '@aws-sdk/client-rds';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { parametersOf } from './cloudformation';
import { effectiveParameters, parseTemplate, type TemplateDoc } from './template';
import type { StackSpec } from './types';

/** The data-store templates' parameter (`restoreFrom` in a params file). */
export const RESTORE_PARAMETER = 'RestoreFrom';
/** The params-file value that picks the newest final snapshot. */
export const LATEST = 'latest';

const CLUSTER_TYPES = ['AWS::RDS::DBCluster', 'AWS::DocDB::DBCluster'];

/** What a stack's restore comes to: the snapshot a creation starts from, if any. */
export interface RestorePlan {
  spec: StackSpec;
  /** The snapshot identifier the cluster is created from (only when the stack is created now). */
  restoresFrom?: string;
  /** `latest` found no final snapshot of this cluster: it is created empty. */
  noSnapshotOf?: string;
}

/**
 * The spec with `RestoreFrom` settled: the deployed value for an existing stack; for a new one,
 * `latest` replaced by the newest final snapshot of the store's cluster (or by nothing, when
 * there is none yet). Specs without the parameter pass through untouched.
 */
export async function settleRestore(clients: AwsClients, spec: StackSpec, stack: Stack | undefined): Promise<RestorePlan> {
  const doc = parseTemplate(spec.templateBody);
  if (!doc?.Parameters?.[RESTORE_PARAMETER]) return { spec };
  if (stack) return { spec: withRestore(spec, parametersOf(stack)[RESTORE_PARAMETER] ?? '') };
  const asked = spec.parameters[RESTORE_PARAMETER] ?? '';
  if (asked !== LATEST) return { spec, ...(asked ? { restoresFrom: asked } : {}) };
  const cluster = clusterIdentifier(spec, doc);
  const snapshot = cluster ? await newestFinalSnapshot(clients, cluster) : undefined;
  if (!snapshot) return { spec: withRestore(spec, ''), noSnapshotOf: cluster ?? spec.name };
  return { spec: withRestore(spec, snapshot), restoresFrom: snapshot };
}

function withRestore(spec: StackSpec, value: string): StackSpec {
  return { ...spec, parameters: { ...spec.parameters, [RESTORE_PARAMETER]: value } };
}

/** The cluster's identifier as the template names it (`Fn::Sub` of parameters), lower-cased as RDS keeps it. */
export function clusterIdentifier(spec: StackSpec, doc: TemplateDoc): string | undefined {
  const cluster = Object.values(doc.Resources ?? {}).find((r) => CLUSTER_TYPES.includes(r.Type));
  const pattern = (cluster?.Properties?.DBClusterIdentifier as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  if (typeof pattern !== 'string') return undefined;
  const params = effectiveParameters(spec, doc) ?? spec.parameters;
  return pattern.replace(/\$\{([A-Za-z0-9]+)\}/g, (_m, name: string) => params[name] ?? '').toLowerCase();
}

/** The newest manual snapshot of the cluster (CloudFormation's final snapshots are manual ones). */
export async function newestFinalSnapshot(clients: AwsClients, clusterId: string): Promise<string | undefined> {
  const found: DBClusterSnapshot[] = [];
  let Marker: string | undefined;
  do {
    const page = await clients.rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: clusterId, SnapshotType: 'manual', Marker }));
    found.push(...(page.DBClusterSnapshots ?? []));
    Marker = page.Marker;
  } while (Marker);
  const newest = found
    .filter((s) => s.DBClusterIdentifier === clusterId)
    .sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0))[0];
  return newest?.DBClusterSnapshotIdentifier;
}

/**
 * A cluster created from a snapshot keeps the snapshot's master password, while its stack made a
 * new secret with a new one (CloudFormation takes no password when restoring). This sets the
 * secret's password on the cluster (ModifyDBCluster, applied at once), so linked services connect
 * with what the secret says. The password passes through this process only and is never shown.
 */
export async function applyNewSecretPassword(clients: AwsClients, spec: StackSpec, outputs: Record<string, string>): Promise<void> {
  const doc = parseTemplate(spec.templateBody);
  const cluster = doc && clusterIdentifier(spec, doc);
  const secretId = Object.entries(doc?.Resources ?? {}).find(([, r]) => r.Type === 'AWS::SecretsManager::Secret')?.[0];
  const outputKey = Object.entries(doc?.Outputs ?? {}).find(([, o]) => (o.Value as { Ref?: string } | undefined)?.Ref === secretId)?.[0];
  const secretArn = outputKey ? outputs[outputKey] : undefined;
  if (!cluster || !secretArn) return;
  const value = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const password = (JSON.parse(value.SecretString ?? '{}') as { password?: string }).password;
  if (!password) return;
  await clients.rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: cluster, MasterUserPassword: password, ApplyImmediately: true }));
}
