/** 46.data-sns-topic: KMS, TLS-only policy, FIFO, SQS subscribers named by DataName. */
import { buildSnsTopic, MAX_SQS_SUBSCRIBERS } from '../../templates/data/snsTopic';
import { json, ofType, resource } from '../helpers/templates';

const built = buildSnsTopic();
const t = json(built);
const topic = resource(t, 'Topic').Properties;

test('encrypted with the store key; FIFO settings only on FIFO topics', () => {
  expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['Key', 'Arn'] });
  expect(topic.FifoTopic).toEqual({ 'Fn::If': ['IsFifo', true, { Ref: 'AWS::NoValue' }] });
  expect(topic.ContentBasedDeduplication).toEqual({
    'Fn::If': ['IsFifo', { Ref: 'ContentBasedDeduplication' }, { Ref: 'AWS::NoValue' }],
  });
  expect(topic.TopicName['Fn::If'][1]).toEqual({
    'Fn::Sub': '${Prefix}${EnvironmentName}-${ApplicationName}-${DataName}.fifo',
  });
  expect([t.Parameters.Fifo.Default, t.Parameters.ContentBasedDeduplication.Default]).toEqual(['false', 'false']);
});

test('the topic policy refuses publishing without TLS', () => {
  const p = resource(t, 'TopicPolicy').Properties;
  expect(p.Topics).toEqual([{ Ref: 'Topic' }]);
  expect(p.PolicyDocument.Statement).toEqual([
    expect.objectContaining({
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: { Ref: 'Topic' },
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  ]);
});

test('each subscriber is a queue of the same application named by its DataName, imported from its stack', () => {
  const subs = ofType(t, 'AWS::SNS::Subscription');
  expect(subs).toHaveLength(MAX_SQS_SUBSCRIBERS);
  subs.forEach(([, s], i) => {
    const param = `SqsSubscriber${i + 1}`;
    expect(s.Condition).toBe(`Has${param}`);
    expect(t.Conditions![`Has${param}`]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: param }, ''] }] });
    expect(s.Properties).toMatchObject({ TopicArn: { Ref: 'Topic' }, Protocol: 'sqs' });
    expect(s.Properties.Endpoint).toEqual({
      'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-\${${param}}-QueueArn` },
    });
    expect(t.Parameters[param]).toMatchObject({ Default: '' });
    expect(new RegExp(t.Parameters[param].AllowedPattern).test('orders')).toBe(true);
    expect(new RegExp(t.Parameters[param].AllowedPattern).test('arn:aws:sqs:eu-west-1:1:q')).toBe(false);
  });
  expect(built.imports.map((i) => [i.contract.key, i.instance])).toEqual(
    [1, 2, 3].map((n) => ['QueueArn', `\${SqsSubscriber${n}}`]),
  );
});

test('the topic is not retained: SNS holds no data', () => {
  expect(resource(t, 'Topic').DeletionPolicy).toBeUndefined();
});
