/** 45.data-sqs-queue: Opta's fields, dead-letter queue, KMS, TLS-only policy, delivery from the app's topics. */
import { buildSqsQueue } from '../../templates/data/sqsQueue';
import { json, resource } from '../helpers/templates';

const built = buildSqsQueue();
const t = json(built);
const queue = resource(t, 'Queue');
const dlq = resource(t, 'DeadLetterQueue');
const topics =
  'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Prefix}${EnvironmentName}-${ApplicationName}-';

test("Opta's fields and defaults", () => {
  const defaults = Object.fromEntries(
    ['Fifo', 'ContentBasedDeduplication', 'DelaySeconds', 'MessageRetentionSeconds', 'ReceiveWaitTimeSeconds'].map(
      (n) => [n, t.Parameters[n].Default],
    ),
  );
  expect(defaults).toEqual({
    Fifo: 'false',
    ContentBasedDeduplication: 'false',
    DelaySeconds: 0,
    MessageRetentionSeconds: 345600,
    ReceiveWaitTimeSeconds: 0,
  });
  expect(queue.Properties).toMatchObject({
    DelaySeconds: { Ref: 'DelaySeconds' },
    MessageRetentionPeriod: { Ref: 'MessageRetentionSeconds' },
    ReceiveMessageWaitTimeSeconds: { Ref: 'ReceiveWaitTimeSeconds' },
  });
});

test("FIFO settings only on FIFO queues, and the dead-letter queue matches the queue's kind", () => {
  for (const q of [queue, dlq]) {
    expect(q.Properties.FifoQueue).toEqual({ 'Fn::If': ['IsFifo', true, { Ref: 'AWS::NoValue' }] });
    expect(q.Properties.ContentBasedDeduplication).toEqual({
      'Fn::If': ['IsFifo', { Ref: 'ContentBasedDeduplication' }, { Ref: 'AWS::NoValue' }],
    });
  }
  // The store's name plus 8 hex characters of the stack id: new at every creation of the stack.
  const creationId = {
    'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }],
  };
  const named = (suffix: string, fifo: boolean) => ({
    'Fn::Join': [
      '',
      [
        { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-\${DataName}${suffix}` },
        '-',
        creationId,
        ...(fifo ? ['.fifo'] : []),
      ],
    ],
  });
  expect(queue.Properties.QueueName).toEqual({ 'Fn::If': ['IsFifo', named('', true), named('', false)] });
  expect(dlq.Properties.QueueName).toEqual({ 'Fn::If': ['IsFifo', named('-dlq', true), named('-dlq', false)] });
});

test('failing messages move to the dead-letter queue after MaxReceiveCount receives', () => {
  expect(queue.Properties.RedrivePolicy).toEqual({
    deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
    maxReceiveCount: { Ref: 'MaxReceiveCount' },
  });
  expect(dlq.Properties.MessageRetentionPeriod).toBe(1209600);
});

test('both queues encrypted with the store key, SQS-managed SSE off', () => {
  for (const q of [queue, dlq]) {
    expect(q.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] },
      SqsManagedSseEnabled: false,
    });
  }
});

test("the queue policy denies non-TLS requests and lets only this application's topics send", () => {
  const p = resource(t, 'QueuePolicy').Properties;
  expect(p.Queues).toEqual([{ Ref: 'Queue' }, { Ref: 'DeadLetterQueue' }]);
  const [deny, fromTopics] = p.PolicyDocument.Statement;
  expect(deny).toMatchObject({
    Effect: 'Deny',
    Principal: '*',
    Action: 'sqs:*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  expect(deny.Resource).toEqual([{ 'Fn::GetAtt': ['Queue', 'Arn'] }, { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }]);
  expect(fromTopics).toEqual({
    Sid: 'AppTopicsSendMessage',
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
    Condition: {
      ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `${topics}*` } },
      ArnNotLike: { 'aws:SourceArn': { 'Fn::Sub': `${topics}*-*` } },
    },
  });
});

test("the topic-name pattern matches this app's topics and not those of an app whose name extends it", () => {
  const like = (pattern: string, name: string) =>
    new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(name);
  const ok = (name: string) => like('x-dev-acme-*', name) && !like('x-dev-acme-*-*', name);
  expect(['x-dev-acme-orders', 'x-dev-acme-orders.fifo'].map(ok)).toEqual([true, true]);
  expect(['x-dev-acme-b-orders', 'x-dev-acmex-orders', 'x-prod-acme-orders'].map(ok)).toEqual([false, false, false]);
});

test("the key lets SNS encrypt for this application's topics only", () => {
  const statements = resource(t, 'Key').Properties.KeyPolicy.Statement;
  expect(statements[1]).toMatchObject({
    Principal: { Service: 'sns.amazonaws.com' },
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `${topics}*` } } },
  });
});
