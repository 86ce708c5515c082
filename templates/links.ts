/**
 * Links: what a service (32, 91) gets when it is linked to a data store of its application
 * (41-46). The service builders merge the grants; only this module knows what each kind needs.
 *
 * - Databases and caches give Opta's environment variables (`{name}_db_user`, `_db_password`,
 *   `_db_name`, `_db_host`; `{name}_cache_auth_token`) as ECS secrets read from the store's
 *   secret (`<secret-arn>:<json-key>::`), never as plain values, and the execution role may read
 *   exactly that secret and decrypt with exactly that store's key. The Redis host is not a
 *   credential and is not in the (generated) secret, so `{name}_cache_host` is a plain variable.
 * - Buckets, queues and topics give their name, URL or ARN as plain variables
 *   (`{name}_bucket_name`, `{name}_queue_url`, `{name}_topic_arn`) and task-role statements for
 *   the access asked for, naming only that resource and its key.
 */
import { DocumentDb, Postgres, Redis, S3Bucket, SnsTopic, SqsQueue } from './contracts';
import type { TemplateBuilder } from './kit/builder';
import { Fn, sub, type IntrinsicFunction, type PolicyStatement } from './kit/cf';
import { allow } from './kit/iam';
import type { DataKind, LinkAccess, LinkGrant, LinkSpec } from './kit/links';
import { checkName } from './kit/names';

/** The access values each kind accepts; databases and caches take none. */
export const LINK_ACCESS: Record<DataKind, readonly LinkAccess[]> = {
  postgres: [],
  documentdb: [],
  redis: [],
  s3: ['read', 'write'],
  sqs: ['publish', 'subscribe'],
  sns: ['publish', 'subscribe'],
};

/** The environment-variable names a link gives, for docs and for checking clashes early. */
export function linkVariableNames(link: Pick<LinkSpec, 'kind' | 'name'>): string[] {
  const n = link.name;
  switch (link.kind) {
    case 'postgres':
    case 'documentdb':
      return [`${n}_db_user`, `${n}_db_password`, `${n}_db_name`, `${n}_db_host`];
    case 'redis':
      return [`${n}_cache_host`, `${n}_cache_auth_token`];
    case 's3':
      return [`${n}_bucket_name`];
    case 'sqs':
      return [`${n}_queue_url`];
    case 'sns':
      return [`${n}_topic_arn`];
  }
}

type App = TemplateBuilder<'application'>;

/** Turns one link into the secrets, environment and IAM statements its service needs. */
export function linkGrant(t: App, link: LinkSpec): LinkGrant {
  const access = checkLink(link);
  switch (link.kind) {
    case 'postgres':
      return databaseGrant(link, t.import(Postgres.SecretArn, link.name), t.import(Postgres.KeyArn, link.name));
    case 'documentdb':
      return databaseGrant(link, t.import(DocumentDb.SecretArn, link.name), t.import(DocumentDb.KeyArn, link.name));
    case 'redis':
      return redisGrant(t, link.name);
    case 's3':
      return bucketGrant(t, link.name, access);
    case 'sqs':
      return queueGrant(t, link.name, access);
    case 'sns':
      return topicGrant(t, link.name, access);
  }
}

/**
 * Other words for an access, per kind: writing to a queue is sending to it (publish), reading
 * from it is receiving (subscribe).
 */
export const ACCESS_ALIASES: Partial<Record<DataKind, Partial<Record<LinkAccess, LinkAccess>>>> = {
  sqs: { write: 'publish', read: 'subscribe' },
};

/** The access list in the kind's own words, deduplicated. */
export function normaliseAccess(kind: DataKind, access: readonly LinkAccess[] = []): LinkAccess[] {
  return [...new Set(access.map((a) => ACCESS_ALIASES[kind]?.[a] ?? a))];
}

/** Validates the link's name and access; returns the access list (deduplicated). */
function checkLink(link: LinkSpec): LinkAccess[] {
  const what = `link to ${link.kind} "${link.name}"`;
  if (!(link.kind in LINK_ACCESS))
    throw new Error(`${what}: unknown kind; use one of ${Object.keys(LINK_ACCESS).join(', ')}`);
  const nameProblem = checkName('DataName', link.name);
  if (nameProblem) throw new Error(`${what}: ${nameProblem}`);
  const allowed = LINK_ACCESS[link.kind];
  const access = normaliseAccess(link.kind, link.access);
  const wrong = access.filter((a) => !allowed.includes(a));
  if (wrong.length && !allowed.length)
    throw new Error(
      `${what}: access ${wrong.join(', ')} does not apply; links to ${link.kind} take no access list (they give connection credentials)`,
    );
  if (wrong.length)
    throw new Error(`${what}: access ${wrong.join(', ')} does not fit ${link.kind}; use ${allowed.join(' and/or ')}`);
  if (allowed.length && !access.length)
    throw new Error(`${what}: say which access the service needs: ${allowed.join(' and/or ')}`);
  return access;
}

/** `arn:...:secret:name-AbCdEf:<key>::` — ECS reads one JSON key of the secret's current version. */
function secretKey(secretArn: IntrinsicFunction, jsonKey: string): IntrinsicFunction {
  return Fn.Join('', [secretArn, `:${jsonKey}::`]);
}

/** What ECS itself needs to inject a store's secret: read exactly it, decrypt with exactly its key. */
function executionStatements(secretArn: IntrinsicFunction, keyArn: IntrinsicFunction): PolicyStatement[] {
  return [
    allow(['secretsmanager:GetSecretValue'], secretArn),
    allow(['kms:Decrypt'], keyArn, {
      StringEquals: { 'kms:ViaService': sub('secretsmanager.${AWS::Region}.amazonaws.com') },
    }),
  ];
}

function databaseGrant(link: LinkSpec, secretArn: IntrinsicFunction, keyArn: IntrinsicFunction): LinkGrant {
  const [user, password, dbName, host] = linkVariableNames(link);
  return {
    secrets: [
      { Name: user!, ValueFrom: secretKey(secretArn, 'username') },
      { Name: password!, ValueFrom: secretKey(secretArn, 'password') },
      { Name: dbName!, ValueFrom: secretKey(secretArn, 'dbname') },
      { Name: host!, ValueFrom: secretKey(secretArn, 'host') },
    ],
    environment: [],
    // Opta gives apps no IAM permissions on a database: it is reached with the credentials.
    taskRoleStatements: [],
    executionRoleStatements: executionStatements(secretArn, keyArn),
  };
}

function redisGrant(t: App, name: string): LinkGrant {
  const secretArn = t.import(Redis.SecretArn, name);
  const [host, token] = linkVariableNames({ kind: 'redis', name });
  return {
    secrets: [{ Name: token!, ValueFrom: secretKey(secretArn, 'authToken') }],
    environment: [{ Name: host!, Value: t.import(Redis.Endpoint, name) }],
    taskRoleStatements: [],
    executionRoleStatements: executionStatements(secretArn, t.import(Redis.KeyArn, name)),
  };
}

function bucketGrant(t: App, name: string, access: LinkAccess[]): LinkGrant {
  const bucketArn = t.import(S3Bucket.BucketArn, name);
  const objects = Fn.Join('', [bucketArn, '/*']);
  const keyArn = t.import(S3Bucket.KeyArn, name);
  const statements: PolicyStatement[] = [];
  if (access.includes('read')) {
    statements.push(
      allow(['s3:ListBucket', 's3:GetBucketLocation'], bucketArn),
      allow(['s3:GetObject', 's3:GetObjectVersion'], objects),
      allow(['kms:Decrypt'], keyArn),
    );
  }
  if (access.includes('write')) {
    statements.push(
      allow(['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], objects),
      allow(['s3:ListBucketMultipartUploads'], bucketArn),
      // Writing encrypts a new data key; multipart uploads also decrypt it to finish the upload.
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn),
    );
  }
  return {
    secrets: [],
    environment: [{ Name: linkVariableNames({ kind: 's3', name })[0]!, Value: t.import(S3Bucket.BucketName, name) }],
    taskRoleStatements: statements,
    executionRoleStatements: [],
  };
}

function queueGrant(t: App, name: string, access: LinkAccess[]): LinkGrant {
  const queueArn = t.import(SqsQueue.QueueArn, name);
  const keyArn = t.import(SqsQueue.KeyArn, name);
  const statements: PolicyStatement[] = [];
  if (access.includes('publish')) {
    statements.push(
      allow(['sqs:SendMessage', 'sqs:GetQueueAttributes'], queueArn),
      // SendMessage to a KMS-encrypted queue needs both.
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn),
    );
  }
  if (access.includes('subscribe')) {
    statements.push(
      allow(
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        queueArn,
      ),
      allow(['kms:Decrypt'], keyArn),
    );
  }
  return {
    secrets: [],
    environment: [{ Name: linkVariableNames({ kind: 'sqs', name })[0]!, Value: t.import(SqsQueue.QueueUrl, name) }],
    taskRoleStatements: statements,
    executionRoleStatements: [],
  };
}

function topicGrant(t: App, name: string, access: LinkAccess[]): LinkGrant {
  const topicArn = t.import(SnsTopic.TopicArn, name);
  const statements: PolicyStatement[] = [];
  if (access.includes('publish')) {
    statements.push(
      allow(['sns:Publish', 'sns:GetTopicAttributes'], topicArn),
      // Publishing to a KMS-encrypted topic needs both.
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], t.import(SnsTopic.KeyArn, name)),
    );
  }
  if (access.includes('subscribe')) {
    // Subscribe its own endpoints (an HTTPS callback, its own queue) and manage those subscriptions.
    statements.push(
      allow(
        [
          'sns:Subscribe',
          'sns:ConfirmSubscription',
          'sns:Unsubscribe',
          'sns:ListSubscriptionsByTopic',
          'sns:GetTopicAttributes',
        ],
        topicArn,
      ),
    );
  }
  return {
    secrets: [],
    environment: [{ Name: linkVariableNames({ kind: 'sns', name })[0]!, Value: topicArn }],
    taskRoleStatements: statements,
    executionRoleStatements: [],
  };
}
