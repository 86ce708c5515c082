/**
 * 45.data-sqs-queue: an SQS queue for one application (Opta's aws-sqs), with a dead-letter queue
 * for messages that keep failing. Both are encrypted with the queue's own KMS key (SQS-managed
 * SSE is switched off in its favour), refuse requests not made over TLS, and are retained on
 * delete and on replacement so no stack operation drops queued messages.
 *
 * Topics of the same application (46) may deliver into the queue: the queue policy and the key
 * policy allow the SNS service for topics named `{Prefix}{EnvironmentName}-{ApplicationName}-<DataName>`
 * only. The pattern excludes names with a further hyphen, so app "acme" does not accept topics
 * of app "acme-b". The subscription itself is made by the topic's stack.
 */
import { SQS } from '../kit/resources';
import { SqsQueue } from '../contracts';
import type { BuiltTemplate, Handle, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, keep, sub, type IntrinsicFunction, type PolicyStatement } from '../kit/cf';
import { creationId, dataTemplate, storeKey, storeName, tlsOnly, dataIdentity } from './common';

/** The aws:SourceArn conditions that match exactly the SNS topics of this application. */
export function appTopicsCondition(): PolicyStatement['Condition'] {
  const topics =
    'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Prefix}${EnvironmentName}-${ApplicationName}-';
  return {
    ArnLike: { 'aws:SourceArn': sub(`${topics}*`) },
    // DataNames have no hyphen: a further one means another application whose name extends ours.
    ArnNotLike: { 'aws:SourceArn': sub(`${topics}*-*`) },
  };
}

interface QueueParams {
  fifo: IntrinsicFunction;
  dedup: IntrinsicFunction;
  delay: IntrinsicFunction;
  retention: IntrinsicFunction;
  receiveWait: IntrinsicFunction;
  visibility: IntrinsicFunction;
  maxReceive: IntrinsicFunction;
}

function queueParams(t: TemplateBuilder<'application'>): QueueParams {
  const num = (
    name: string,
    def: number,
    min: number,
    max: number,
    description: string,
    label: string,
  ): IntrinsicFunction =>
    t.param(name, {
      Type: 'Number',
      Default: def,
      MinValue: min,
      MaxValue: max,
      ConstraintDescription: `between ${min} and ${max}`,
      Description: description,
      label,
    });
  return {
    fifo: t.param('Fifo', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      Description:
        'FIFO queue (Opta\'s fifo): exactly-once, ordered delivery per message group; the name then ends in ".fifo". Changing it on a deployed queue replaces it with a new, empty one (the old one is kept with its messages); provision deploy refuses that change.',
      label: 'FIFO queue',
    }),
    dedup: t.param('ContentBasedDeduplication', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      Description:
        "FIFO queues only (Opta's content_based_deduplication): deduplicate by a hash of the body instead of an explicit deduplication id.",
      label: 'Content-based deduplication',
    }),
    delay: num(
      'DelaySeconds',
      0,
      0,
      900,
      "Seconds every new message stays invisible before it can be received (Opta's delay_seconds, 0 to 900).",
      'Delivery delay (seconds)',
    ),
    retention: num(
      'MessageRetentionSeconds',
      345600,
      60,
      1209600,
      "Seconds a message is kept if nobody deletes it (Opta's message_retention_seconds): 60 to 1209600 (14 days); default 4 days.",
      'Message retention (seconds)',
    ),
    receiveWait: num(
      'ReceiveWaitTimeSeconds',
      0,
      0,
      20,
      "Long polling: seconds a receive call waits for a message to arrive (Opta's receive_wait_time_seconds, 0 to 20). 20 saves empty receives.",
      'Receive wait (seconds)',
    ),
    visibility: num(
      'VisibilityTimeout',
      30,
      0,
      43200,
      'Seconds a received message stays hidden from other consumers while it is processed; longer than your slowest handler.',
      'Visibility timeout (seconds)',
    ),
    maxReceive: num(
      'MaxReceiveCount',
      5,
      1,
      1000,
      'Receives after which a message that is never deleted moves to the dead-letter queue.',
      'Max receive count',
    ),
  };
}

/**
 * `x-dev-acme-jobs-1a2b3c4d` (`.fifo` for a FIFO queue): the store's name for people, and the
 * stack's {@link creationId} so a queue kept by a destroyed stack never blocks the next one.
 */
function queueName(fifo: string, suffix: string): IntrinsicFunction {
  const base = [storeName(suffix), '-', creationId()];
  return Fn.If(fifo, Fn.Join('', [...base, '.fifo']), Fn.Join('', base));
}

/** Who 45 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const SqsQueueTemplate = dataIdentity('45.data-sqs-queue');

export function buildSqsQueue(): BuiltTemplate {
  const t = dataTemplate({
    id: SqsQueueTemplate.id,
    description:
      'SQS queue for an application, with a dead-letter queue: encrypted with its own KMS key, TLS-only policy, retained on delete',
    group: 'Queue',
    noun: 'queue',
  });
  const p = queueParams(t);
  const fifo = t.condition('IsFifo', Fn.Equals(p.fifo, 'true'));
  const key = storeKey(t, 'SQS queue', [
    {
      Sid: 'AppTopicsDeliverToQueue',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*', // in a key policy, "*" is this key
      Condition: appTopicsCondition(),
    },
  ]);
  const encryption = { KmsMasterKeyId: key.att('Arn'), KmsDataKeyReusePeriodSeconds: 300, SqsManagedSseEnabled: false };
  // FifoQueue and ContentBasedDeduplication must be absent (not false) on a standard queue.
  const fifoProps = {
    FifoQueue: Fn.If(fifo, true, Refs.NoValue),
    ContentBasedDeduplication: Fn.If(fifo, p.dedup, Refs.NoValue),
  };

  const dlq = t.add(
    'DeadLetterQueue',
    keep(
      new SQS.Queue({
        QueueName: queueName(fifo, '-dlq'),
        ...fifoProps,
        // The longest retention SQS allows: a message keeps its original enqueue time when it moves here.
        MessageRetentionPeriod: 1209600,
        ...encryption,
        Tags: t.tags(),
      }),
    ),
  );
  const queue = t.add(
    'Queue',
    keep(
      new SQS.Queue({
        QueueName: queueName(fifo, ''),
        ...fifoProps,
        DelaySeconds: p.delay,
        MessageRetentionPeriod: p.retention,
        ReceiveMessageWaitTimeSeconds: p.receiveWait,
        VisibilityTimeout: p.visibility,
        RedrivePolicy: { deadLetterTargetArn: dlq.att('Arn'), maxReceiveCount: p.maxReceive },
        ...encryption,
        Tags: t.tags(),
      }),
    ),
  );
  queuePolicy(t, queue, dlq);

  t.export(SqsQueue.QueueUrl, queue.ref);
  t.export(SqsQueue.QueueArn, queue.att('Arn'));
  t.export(SqsQueue.QueueName, queue.att('QueueName'));
  t.export(SqsQueue.KeyArn, key.att('Arn'));
  t.export(SqsQueue.DeadLetterQueueName, dlq.att('QueueName'));
  t.output('DeadLetterQueueUrl', 'URL of the dead-letter queue (inspect or redrive failed messages)', dlq.ref);
  return t.build();
}

function queuePolicy(t: TemplateBuilder<'application'>, queue: Handle, dlq: Handle): void {
  t.add(
    'QueuePolicy',
    new SQS.QueuePolicy({
      Queues: [queue.ref, dlq.ref],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          tlsOnly('sqs', [queue.att('Arn'), dlq.att('Arn')]),
          {
            Sid: 'AppTopicsSendMessage',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queue.att('Arn'),
            Condition: appTopicsCondition(),
          },
        ],
      },
    }),
  );
}
