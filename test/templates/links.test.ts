/**
 * linkGrant: what a service gets for each link. Exercised on a throwaway application-scope builder
 * (the service templates call it the same way).
 */
import { TemplateBuilder } from '../../templates/kit/builder';
import { toJson } from '../../templates/kit/cf';
import { producerOf } from '../../stages/catalogue';
import { EcsServiceTemplate } from '../../templates/ecsService';
import type { LinkSpec } from '../../templates/kit/links';
import { linkGrant, linkVariableNames } from '../../templates/links';

function app(): TemplateBuilder<'application'> {
  return new TemplateBuilder({
    ...EcsServiceTemplate,
    description: 'link test',
    group: 'Service',
  });
}

const exported = (name: string, key: string) => ({
  'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-${name}-${key}` },
});
const secretKey = (name: string, key: string, jsonKey: string) => ({
  'Fn::Join': ['', [exported(name, key), `:${jsonKey}::`]],
});
const grant = (link: LinkSpec, t = app()) => toJson(linkGrant(t, link));

/** Every resource an IAM statement names, flattened. */
const resources = (statements: any[]) => statements.flatMap((s) => [].concat(s.Resource));

describe('a postgres, a redis, a bucket with read and a queue with publish', () => {
  const t = app();
  const links: LinkSpec[] = [
    { kind: 'postgres', name: 'rds' },
    { kind: 'redis', name: 'cache' },
    { kind: 's3', name: 'assets', access: ['read'] },
    { kind: 'sqs', name: 'jobs', access: ['publish'] },
  ];
  const [pg, redis, bucket, queue] = links.map((l) => grant(l, t));

  test("postgres: Opta's four variables, each an ECS secret from one key of the store's secret", () => {
    expect(pg.secrets).toEqual([
      { Name: 'rds_db_user', ValueFrom: secretKey('rds', 'PostgresSecretArn', 'username') },
      { Name: 'rds_db_password', ValueFrom: secretKey('rds', 'PostgresSecretArn', 'password') },
      { Name: 'rds_db_name', ValueFrom: secretKey('rds', 'PostgresSecretArn', 'dbname') },
      { Name: 'rds_db_host', ValueFrom: secretKey('rds', 'PostgresSecretArn', 'host') },
    ]);
    expect(pg.environment).toEqual([]);
    expect(pg.taskRoleStatements).toEqual([]);
  });

  test('postgres: the execution role reads exactly that secret and decrypts with exactly that key, via Secrets Manager', () => {
    expect(pg.executionRoleStatements).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: exported('rds', 'PostgresSecretArn') },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: exported('rds', 'PostgresKeyArn'),
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } },
      },
    ]);
  });

  test('redis: the auth token as a secret, the host as a plain variable', () => {
    expect(redis.secrets).toEqual([
      { Name: 'cache_cache_auth_token', ValueFrom: secretKey('cache', 'RedisSecretArn', 'authToken') },
    ]);
    expect(redis.environment).toEqual([{ Name: 'cache_cache_host', Value: exported('cache', 'RedisEndpoint') }]);
    expect(resources(redis.executionRoleStatements)).toEqual([
      exported('cache', 'RedisSecretArn'),
      exported('cache', 'RedisKeyArn'),
    ]);
    expect(redis.taskRoleStatements).toEqual([]);
  });

  test('bucket read: list the bucket, get its objects, decrypt with its key; nothing else', () => {
    expect(bucket.environment).toEqual([{ Name: 'assets_bucket_name', Value: exported('assets', 'BucketName') }]);
    expect(bucket.secrets).toEqual([]);
    expect(bucket.executionRoleStatements).toEqual([]);
    const objects = { 'Fn::Join': ['', [exported('assets', 'BucketArn'), '/*']] };
    expect(bucket.taskRoleStatements).toEqual([
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: exported('assets', 'BucketArn') },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: objects },
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: exported('assets', 'BucketKeyArn') },
    ]);
    const actions = bucket.taskRoleStatements.flatMap((s: any) => s.Action);
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('s3:DeleteObject');
  });

  test('queue publish: send to that queue and encrypt with its key', () => {
    expect(queue.environment).toEqual([{ Name: 'jobs_queue_url', Value: exported('jobs', 'QueueUrl') }]);
    expect(queue.taskRoleStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        Resource: exported('jobs', 'QueueArn'),
      },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: exported('jobs', 'QueueKeyArn') },
    ]);
  });

  test('every statement names only the linked store\'s own exports: no "*", no other store', () => {
    const all = [pg, redis, bucket, queue].flatMap((g) => [...g.taskRoleStatements, ...g.executionRoleStatements]);
    const names = JSON.stringify(resources(all)).match(/\$\{ApplicationName\}-[a-z0-9]+-[A-Za-z]+/g)!;
    expect(JSON.stringify(resources(all))).not.toMatch(/"\*"/);
    expect(new Set(names)).toEqual(
      new Set([
        '${ApplicationName}-rds-PostgresSecretArn',
        '${ApplicationName}-rds-PostgresKeyArn',
        '${ApplicationName}-cache-RedisSecretArn',
        '${ApplicationName}-cache-RedisKeyArn',
        '${ApplicationName}-assets-BucketArn',
        '${ApplicationName}-assets-BucketKeyArn',
        '${ApplicationName}-jobs-QueueArn',
        '${ApplicationName}-jobs-QueueKeyArn',
      ]),
    );
  });

  test('the service template records each store as a dependency, by its DataName', () => {
    const imports = t
      .build()
      .imports.map((i) => `${producerOf(i.contract)?.templateId}:${i.instance}:${i.contract.key}`);
    expect(imports).toEqual(
      expect.arrayContaining([
        '41.data-postgres:rds:PostgresSecretArn',
        '43.data-redis:cache:RedisSecretArn',
        '44.data-s3-bucket:assets:BucketArn',
        '45.data-sqs-queue:jobs:QueueUrl',
      ]),
    );
  });
});

test('documentdb gives the same four variables from its own secret', () => {
  expect(
    grant({ kind: 'documentdb', name: 'docs' }).secrets.map((s: any) => [s.Name, s.ValueFrom['Fn::Join'][1][1]]),
  ).toEqual([
    ['docs_db_user', ':username::'],
    ['docs_db_password', ':password::'],
    ['docs_db_name', ':dbname::'],
    ['docs_db_host', ':host::'],
  ]);
});

test('bucket write: put and delete objects, encrypt with the key; read and write together give both', () => {
  const write = grant({ kind: 's3', name: 'assets', access: ['write'] }).taskRoleStatements;
  expect(write.flatMap((s: any) => s.Action)).toEqual(
    expect.arrayContaining(['s3:PutObject', 's3:DeleteObject', 'kms:GenerateDataKey']),
  );
  expect(write.flatMap((s: any) => s.Action)).not.toContain('s3:GetObject');
  const both = grant({ kind: 's3', name: 'assets', access: ['read', 'write'] }).taskRoleStatements.flatMap(
    (s: any) => s.Action,
  );
  expect(both).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:DeleteObject']));
});

test('queue subscribe and topic publish/subscribe', () => {
  const sub = grant({ kind: 'sqs', name: 'jobs', access: ['subscribe'] }).taskRoleStatements;
  expect(sub[0].Action).toEqual([
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueAttributes',
  ]);
  expect(sub[1]).toEqual({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: exported('jobs', 'QueueKeyArn') });
  const topic = grant({ kind: 'sns', name: 'events', access: ['publish', 'subscribe'] });
  expect(topic.environment).toEqual([{ Name: 'events_topic_arn', Value: exported('events', 'TopicArn') }]);
  expect(topic.taskRoleStatements[0]).toEqual({
    Effect: 'Allow',
    Action: ['sns:Publish', 'sns:GetTopicAttributes'],
    Resource: exported('events', 'TopicArn'),
  });
  expect(topic.taskRoleStatements[1].Resource).toEqual(exported('events', 'TopicKeyArn'));
  expect(topic.taskRoleStatements[2].Action).toContain('sns:Subscribe');
  expect(resources(topic.taskRoleStatements)).not.toContain('*');
});

test('a queue link with write (or read) is the same as publish (or subscribe)', () => {
  expect(grant({ kind: 'sqs', name: 'jobs', access: ['write'] })).toEqual(
    grant({ kind: 'sqs', name: 'jobs', access: ['publish'] }),
  );
  expect(grant({ kind: 'sqs', name: 'jobs', access: ['read'] })).toEqual(
    grant({ kind: 'sqs', name: 'jobs', access: ['subscribe'] }),
  );
});

describe('links that do not fit are rejected with an error naming the link', () => {
  test.each<[LinkSpec, RegExp]>([
    [
      { kind: 'sns', name: 'events', access: ['write'] },
      /link to sns "events": access write does not fit sns; use publish and\/or subscribe/,
    ],
    [
      { kind: 's3', name: 'assets', access: ['publish'] },
      /link to s3 "assets": access publish does not fit s3; use read and\/or write/,
    ],
    [{ kind: 'postgres', name: 'rds', access: ['read'] }, /link to postgres "rds": access read does not apply/],
    [{ kind: 's3', name: 'assets' }, /link to s3 "assets": say which access the service needs: read and\/or write/],
    [{ kind: 'sns', name: 'Bad-Name', access: ['publish'] }, /link to sns "Bad-Name": a data store name is/],
    [{ kind: 'mysql' as never, name: 'db' }, /link to mysql "db": unknown kind/],
  ])('%j', (link, message) => {
    expect(() => linkGrant(app(), link)).toThrow(message);
  });
});

test('linkVariableNames lists exactly the names a grant sets', () => {
  for (const link of [
    { kind: 'postgres', name: 'a' },
    { kind: 'redis', name: 'b' },
    { kind: 's3', name: 'c', access: ['read'] },
  ] as LinkSpec[]) {
    const g = linkGrant(app(), link);
    expect([...g.secrets, ...g.environment].map((v) => v.Name).sort()).toEqual(linkVariableNames(link).sort());
  }
});
