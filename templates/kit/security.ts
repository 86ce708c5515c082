/**
 * Shared security building blocks: customer-managed KMS keys (with rotation) and encrypted log
 * groups. Every volume, key and log group in the catalogue goes through these, so encryption is
 * decided once.
 */
import { Fn, Refs, keep, sub, type CfnResource, type IntrinsicFunction, type PolicyStatement } from './cf';
import type { Handle, TemplateBuilder } from './builder';
import type { Scope } from './names';

export interface KeyOptions {
  description: string;
  /** Alias after `alias/`: scoped to the environment/application by the caller. */
  alias: IntrinsicFunction;
  /**
   * Extra key-policy statements (service principals that use the key). The account's root
   * principal always administers the key, so IAM policies can grant its use.
   */
  statements?: PolicyStatement[];
  /**
   * Whether the AWS service that stores data under the key (RDS, DocumentDB, ElastiCache, EKS)
   * creates KMS grants on it for its own resources. Only then may the account's principals create
   * grants, and only grants for AWS resources (`kms:GrantIsForAWSResource`); a key of a service
   * that uses no grants (CloudWatch Logs, Secrets Manager, S3, SQS, SNS) allows no grant at all.
   * @default false
   */
  serviceGrants?: boolean;
  /**
   * Whether anything the key encrypts outlives the stack (a final snapshot, a retained secret,
   * queue or bucket). Such a key is kept with it, since that data is unreadable without it.
   * Otherwise (log groups, a topic, a cluster's secrets: all deleted with the stack) the key is
   * scheduled for deletion with the stack rather than left to cost money and protect nothing.
   */
  protectsKeptData: boolean;
}

/**
 * AWS's shortest pending window: a key is deleted 7 days after its stack (or a failed first
 * creation) lets it go, and can be recovered until then.
 */
export const KEY_PENDING_WINDOW_DAYS = 7;

/**
 * What the account (through IAM policies) may do with a key: administer it and use it, but not
 * `kms:CreateGrant`, which would let any principal allowed it hand the key's use to anyone.
 * AWS's default key-administrator actions, with `kms:Create*` narrowed to `kms:CreateAlias`.
 */
export const ACCOUNT_KEY_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:RetireGrant',
];

/** The key policy: the account administers and uses the key; grants only for AWS resources, when asked. */
function keyPolicy(opts: KeyOptions): { Version: string; Statement: PolicyStatement[] } {
  const account = { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') };
  const statements: PolicyStatement[] = [
    { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: account, Action: ACCOUNT_KEY_ACTIONS, Resource: '*' },
  ];
  if (opts.serviceGrants) {
    statements.push({
      Sid: 'AccountGrantsForAwsResources',
      Effect: 'Allow',
      Principal: account,
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
  }
  return { Version: '2012-10-17', Statement: [...statements, ...(opts.statements ?? [])] };
}

/** A symmetric KMS key with yearly rotation, and its alias. Returns the key's handle. */
export function kmsKey<S extends Scope>(t: TemplateBuilder<S>, id: string, opts: KeyOptions): Handle {
  const resource: CfnResource = {
    Type: 'AWS::KMS::Key',
    Properties: {
      Description: opts.description,
      EnableKeyRotation: true,
      PendingWindowInDays: KEY_PENDING_WINDOW_DAYS,
      KeyPolicy: keyPolicy(opts),
      Tags: t.tags(),
    },
  };
  if (opts.protectsKeptData) keep(resource);
  else Object.assign(resource, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  const key = t.add(id, resource);
  t.add(`${id}Alias`, { Type: 'AWS::KMS::Alias', Properties: { AliasName: opts.alias, TargetKeyId: key.ref } });
  return key;
}

/** Key-policy statement letting CloudWatch Logs use a key for log groups under a name prefix. */
export function logsMayUseKey(logGroupPrefix: IntrinsicFunction | string): PolicyStatement {
  return {
    Sid: 'CloudWatchLogsUseKey',
    Effect: 'Allow',
    Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': typeof logGroupPrefix === 'string' ? sub(logGroupPrefix) : logGroupPrefix,
      },
    },
  };
}

export interface LogGroupOptions {
  name: IntrinsicFunction;
  retentionDays: IntrinsicFunction | number;
  kmsKey: Handle | IntrinsicFunction;
}

/** A log group encrypted with a customer-managed key, with retention. */
export function logGroup<S extends Scope>(t: TemplateBuilder<S>, id: string, opts: LogGroupOptions): Handle {
  return t.add(id, {
    Type: 'AWS::Logs::LogGroup',
    Properties: {
      LogGroupName: opts.name,
      RetentionInDays: opts.retentionDays,
      KmsKeyId: 'att' in opts.kmsKey ? opts.kmsKey.att('Arn') : opts.kmsKey,
      Tags: t.tags(),
    },
  });
}

/** The log-retention values CloudWatch accepts, for `AllowedValues`. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export { Fn, Refs };

/**
 * Checkov skips, in the resource's metadata, each with the reason a reviewer reads. This is the
 * only way the catalogue silences a check.
 */
export function checkovSkip(skips: [id: string, reason: string][]): {
  checkov: { skip: { id: string; comment: string }[] };
} {
  return { checkov: { skip: skips.map(([id, comment]) => ({ id, comment })) } };
}
