/**
 * 46.data-sns-topic: an SNS topic for one application (Opta's aws-sns), encrypted with its own KMS
 * key, refusing requests not made over TLS, with optional SQS subscribers.
 *
 * Subscribers are named the way a console user knows them: by the DataName of a queue stack
 * (45) of the same application, not by ARN. The topic stack imports each queue's ARN from its
 * export (so it cannot name a queue that does not exist, and the deployer orders 45 first), and
 * the queue's own stack already allows this application's topics to deliver (its queue policy
 * and key policy, see sqsQueue.ts): a queue has one policy, so only its own stack writes it.
 * A FIFO topic can only deliver to FIFO queues, a standard topic only to standard queues.
 *
 * The topic is deleted with its stack (no Retain): SNS stores no messages, so nothing is lost,
 * and a retained topic would block re-creating a stack with the same name.
 */
import { SNS } from '../kit/resources';
import { SnsTopic, SqsQueue } from '../contracts';
import type { BuiltTemplate, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, withCondition } from '../kit/cf';
import { Patterns } from '../kit/names';
import { dataTemplate, storeKey, storeName, tlsOnly, dataIdentity } from './common';

/** How many subscriber queues the template takes (one parameter each, so each is validated). */
export const MAX_SQS_SUBSCRIBERS = 3;

function subscriberParams(t: TemplateBuilder<'application'>): string[] {
  return Array.from({ length: MAX_SQS_SUBSCRIBERS }, (_v, i) => {
    const name = `SqsSubscriber${i + 1}`;
    t.param(name, {
      Type: 'String',
      Default: '',
      AllowedPattern: `^$|${Patterns.DataName.pattern}`,
      MaxLength: Patterns.DataName.maxLength,
      ConstraintDescription: `empty, or ${Patterns.DataName.message}`,
      Description: `DataName of a queue (45.data-sqs-queue stack) of this application to subscribe to the topic (Opta's sqs_subscribers), e.g. "orders". Empty for none.`,
      label: `Subscriber queue ${i + 1}`,
      group: 'Subscribers',
    });
    return name;
  });
}

/** Who 46 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const SnsTopicTemplate = dataIdentity('46.data-sns-topic');

export function buildSnsTopic(): BuiltTemplate {
  const t = dataTemplate({
    id: SnsTopicTemplate.id,
    description:
      'SNS topic for an application: encrypted with its own KMS key, TLS-only policy, SQS subscribers from the same application',
    group: 'Topic',
    noun: 'topic',
  });
  const fifoParam = t.param('Fifo', {
    Type: 'String',
    Default: 'false',
    AllowedValues: ['false', 'true'],
    Description:
      'FIFO topic (Opta\'s fifo): ordered, deduplicated delivery to FIFO queues; the name then ends in ".fifo". Changing it replaces the topic.',
    label: 'FIFO topic',
  });
  const dedup = t.param('ContentBasedDeduplication', {
    Type: 'String',
    Default: 'false',
    AllowedValues: ['false', 'true'],
    Description:
      "FIFO topics only (Opta's content_based_deduplication): deduplicate by a hash of the body instead of an explicit deduplication id.",
    label: 'Content-based deduplication',
  });
  const raw = t.param('RawMessageDelivery', {
    Type: 'String',
    Default: 'true',
    AllowedValues: ['true', 'false'],
    Description:
      'true: subscriber queues receive the published message body as is (attributes become SQS message attributes); false: wrapped in the SNS JSON envelope.',
    label: 'Raw message delivery',
    group: 'Subscribers',
  });
  const subscribers = subscriberParams(t);
  const fifo = t.condition('IsFifo', Fn.Equals(fifoParam, 'true'));
  // The topic (and so what the key protects) is deleted with the stack: the key goes too.
  const key = storeKey(t, 'SNS topic', [], { protectsKeptData: false });

  // FifoTopic and ContentBasedDeduplication must be absent (not false) on a standard topic.
  const topic = t.add(
    'Topic',
    new SNS.Topic({
      TopicName: Fn.If(fifo, storeName('.fifo'), storeName()),
      FifoTopic: Fn.If(fifo, true, Refs.NoValue),
      ContentBasedDeduplication: Fn.If(fifo, dedup, Refs.NoValue),
      KmsMasterKeyId: key.att('Arn'),
      Tags: t.tags(),
    }),
  );
  t.add(
    'TopicPolicy',
    new SNS.TopicPolicy({
      Topics: [topic.ref],
      PolicyDocument: { Version: '2012-10-17', Statement: [tlsOnly('sns', topic.ref)] },
    }),
  );

  for (const name of subscribers) {
    const has = t.condition(`Has${name}`, Fn.Not(Fn.Equals(Fn.Ref(name), '')));
    t.add(
      `${name}Subscription`,
      withCondition(
        new SNS.Subscription({
          TopicArn: topic.ref,
          Protocol: 'sqs',
          Endpoint: t.import(SqsQueue.QueueArn, `\${${name}}`),
          RawMessageDelivery: raw,
        }),
        has,
      ),
    );
  }

  t.export(SnsTopic.TopicArn, topic.ref);
  t.export(SnsTopic.TopicName, topic.att('TopicName'));
  t.export(SnsTopic.KeyArn, key.att('Arn'));
  return t.build();
}
