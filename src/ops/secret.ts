/**
 * The app's configuration secret in Secrets Manager: finding it (the ConfigSecretArn output of the
 * app's load balancer stack), reading a version, writing a new one, and its version history.
 *
 * Writes are PutSecretValue: Secrets Manager stores a new version and moves AWSCURRENT to it (the
 * old current becomes AWSPREVIOUS) in one step, so a failed write leaves the old version current.
 * Each write carries its own ClientRequestToken, which the SDK reuses when it retries the call, so a
 * retried write cannot make two versions. Before writing, the current version is checked against
 * the one the change was based on, so two people editing at once cannot silently undo each other.
 * Values are never logged or put in error messages.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  paginateListSecretVersionIds,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describeStack, outputsOf } from '../deploy/cloudformation';
import { OpsError } from './errors';

/** The stack output (and export key) 31.app-loadbalancer publishes the secret's ARN under. */
export const CONFIG_SECRET_OUTPUT = 'ConfigSecretArn';

/** One version of the secret, as read. */
export interface SecretVersion {
  versionId: string;
  stages: string[];
  /** The secret text; undefined when the version holds binary data. */
  text?: string;
}

/** One line of the version history. */
export interface VersionInfo {
  versionId: string;
  stages: string[];
  created?: Date;
}

/**
 * The secret's ARN from the load balancer stack's outputs; errors say which stack to deploy. A
 * stack that exists but failed to create (or is being deleted) has no usable outputs either.
 */
export async function configSecretArn(
  cfn: CloudFormationClient,
  stackName: string,
  app: string,
  file: string,
): Promise<string> {
  const stack = await describeStack(cfn, stackName);
  const status = stack?.StackStatus ?? '';
  if (!stack || status === 'REVIEW_IN_PROGRESS' || /^(DELETE_|ROLLBACK_)/.test(status) || status === 'CREATE_FAILED') {
    throw new OpsError(
      'NotDeployed',
      `app ${app}'s load balancer stack ${stackName} is ${stack ? status : 'not deployed'}, so its configuration secret does not exist yet`,
      `deploy it first: provision deploy --params ${file}`,
    );
  }
  const arn = outputsOf(stack)[CONFIG_SECRET_OUTPUT];
  if (!arn) {
    throw new OpsError(
      'NotDeployed',
      `stack ${stackName} has no ${CONFIG_SECRET_OUTPUT} output`,
      `deploy the current templates (provision deploy --params ${file}) and run again`,
    );
  }
  return arn;
}

/** A version by id, or the current one. */
export async function readVersion(sm: SecretsManagerClient, arn: string, versionId?: string): Promise<SecretVersion> {
  try {
    const out = await sm.send(
      new GetSecretValueCommand({
        SecretId: arn,
        ...(versionId ? { VersionId: versionId } : { VersionStage: 'AWSCURRENT' }),
      }),
    );
    return {
      versionId: out.VersionId ?? '',
      stages: out.VersionStages ?? [],
      ...(out.SecretString !== undefined ? { text: out.SecretString } : {}),
    };
  } catch (err) {
    throw secretError(err, arn, versionId);
  }
}

/** Secrets Manager's not-found errors, in the words of this command. */
function secretError(err: unknown, arn: string, versionId?: string): unknown {
  const name = err instanceof Error ? err.name : '';
  if (name === 'ResourceNotFoundException') {
    return versionId
      ? new OpsError(
          'UnknownTarget',
          `version ${versionId} of the configuration secret does not exist (or has been removed by Secrets Manager)`,
          'list the versions there are with `provision config history`',
        )
      : new OpsError(
          'NotDeployed',
          `the configuration secret ${secretName(arn)} does not exist (it may have been deleted)`,
          "deploy the app's load balancer stack again to re-create it, or restore the secret in the Secrets Manager console",
        );
  }
  if (name === 'InvalidRequestException' && err instanceof Error && /deletion/i.test(err.message)) {
    return new OpsError(
      'NotDeployed',
      `the configuration secret ${secretName(arn)} is scheduled for deletion`,
      'restore it first: aws secretsmanager restore-secret --secret-id ' + arn,
    );
  }
  return err;
}

/** The version AWSCURRENT points to now. */
export async function currentVersionId(sm: SecretsManagerClient, arn: string): Promise<string | undefined> {
  try {
    const out = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    return Object.entries(out.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  } catch (err) {
    throw secretError(err, arn);
  }
}

/**
 * Stores `text` as the new current version, provided the current version is still `basedOn`
 * (else nothing is written and the error says to run again). Returns the new version's id.
 */
export async function writeVersion(
  sm: SecretsManagerClient,
  arn: string,
  text: string,
  basedOn: string,
): Promise<string> {
  const now = await currentVersionId(sm, arn);
  if (now !== basedOn) {
    throw new OpsError(
      'SecretChanged',
      `the configuration secret changed while this command was running (its current version is now ${now ?? 'unknown'}, not ${basedOn}); nothing was written`,
      'run the command again: it will start from the new version',
    );
  }
  const token = randomUUID();
  const out = await sm.send(
    new PutSecretValueCommand({ SecretId: arn, SecretString: text, ClientRequestToken: token }),
  );
  return out.VersionId ?? token;
}

/** Every version Secrets Manager still holds, newest first (see {@link orderVersions}). */
export async function listVersions(sm: SecretsManagerClient, arn: string): Promise<VersionInfo[]> {
  const versions: VersionInfo[] = [];
  try {
    for await (const page of paginateListSecretVersionIds({ client: sm }, { SecretId: arn, IncludeDeprecated: true })) {
      for (const v of page.Versions ?? []) {
        if (v.VersionId)
          versions.push({
            versionId: v.VersionId,
            stages: v.VersionStages ?? [],
            ...(v.CreatedDate ? { created: v.CreatedDate } : {}),
          });
      }
    }
  } catch (err) {
    throw secretError(err, arn);
  }
  return orderVersions(versions);
}

/**
 * Newest first. Creation times can tie (they have second precision), so AWSCURRENT, then
 * AWSPREVIOUS, come first among equals; then by id for a stable order.
 */
export function orderVersions(versions: VersionInfo[]): VersionInfo[] {
  const rank = (v: VersionInfo) => (v.stages.includes('AWSCURRENT') ? 0 : v.stages.includes('AWSPREVIOUS') ? 1 : 2);
  return [...versions].sort(
    (a, b) =>
      (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0) ||
      rank(a) - rank(b) ||
      a.versionId.localeCompare(b.versionId),
  );
}

/** The version a rollback restores by default: the one AWSPREVIOUS marks. */
export function previousVersion(versions: VersionInfo[]): VersionInfo | undefined {
  return versions.find((v) => v.stages.includes('AWSPREVIOUS'));
}

/** `prefix-env/app/config` from `arn:...:secret:prefix-env/app/config-AbCdEf`. */
export function secretName(arn: string): string {
  const m = /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
  return m ? m[1]! : arn;
}
