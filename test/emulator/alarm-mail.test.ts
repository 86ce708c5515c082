/**
 * The emulator's alarm states and e-mail subscriptions (test/emulator/README.md, `alarms.py`), through
 * the real SDK: a pending e-mail subscription is listed as "PendingConfirmation" (no ARN) until it
 * is confirmed with the token AWS would mail, a wrong token is refused, and a confirmed one is
 * listed by its ARN; a new alarm starts in INSUFFICIENT_DATA and keeps its state when redefined.
 * test/e2e/status-alarms.test.ts relies on these through the CLI.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { startEmulator, type Emulator } from '../helpers/emulator';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(60_000);

let emulator: Emulator;
let sns: SNSClient;
let cw: CloudWatchClient;

beforeAll(async () => {
  emulator = await startEmulator();
  sns = new SNSClient(emulator.clientConfig);
  cw = new CloudWatchClient(emulator.clientConfig);
});

afterAll(async () => {
  sns?.destroy();
  cw?.destroy();
  await emulator?.stop();
});

describe('an e-mail subscription', () => {
  let topic: string;
  let arn: string;

  beforeAll(async () => {
    topic = (await sns.send(new CreateTopicCommand({ Name: 'mail-test' }))).TopicArn!;
    arn = (
      await sns.send(
        new SubscribeCommand({
          TopicArn: topic,
          Protocol: 'email',
          Endpoint: 'ops@example.com',
          ReturnSubscriptionArn: true,
        }),
      )
    ).SubscriptionArn!;
  });

  const listed = async () =>
    ((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? []).map((s) => ({
      arn: s.SubscriptionArn,
      endpoint: s.Endpoint,
      protocol: s.Protocol,
      topic: s.TopicArn,
    }));

  test('is listed as PendingConfirmation, without its ARN, until confirmed; its attributes say so', async () => {
    expect(arn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:mail-test:[0-9a-f-]{36}$/);
    expect(await listed()).toEqual([
      { arn: 'PendingConfirmation', endpoint: 'ops@example.com', protocol: 'email', topic },
    ]);
    const all = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? [];
    expect(all.filter((s) => s.TopicArn === topic).map((s) => s.SubscriptionArn)).toEqual(['PendingConfirmation']);
    const attributes = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes;
    expect(attributes).toMatchObject({ PendingConfirmation: 'true', ConfirmationWasAuthenticated: 'false' });
  });

  test('a token the topic never mailed is refused, and the subscription stays pending', async () => {
    await expect(
      sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: 'not-the-token' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    expect((await listed())[0]!.arn).toBe('PendingConfirmation');
  });

  test('confirmed with the mailed token (the id at the end of its ARN here), it is listed by its ARN', async () => {
    const token = arn.split(':').pop()!;
    const out = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: token }));
    expect(out.SubscriptionArn).toBe(arn);
    expect(await listed()).toEqual([{ arn, endpoint: 'ops@example.com', protocol: 'email', topic }]);
    const attributes = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes;
    expect(attributes).toMatchObject({ PendingConfirmation: 'false' });
  });
});

describe('an alarm', () => {
  const put = (threshold: number) =>
    cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'mail-test-cpu',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  const alarm = async () =>
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['mail-test-cpu'] }))).MetricAlarms![0]!;

  test('starts in INSUFFICIENT_DATA, as on AWS', async () => {
    await put(80);
    expect(await alarm()).toMatchObject({ StateValue: 'INSUFFICIENT_DATA', Threshold: 80 });
  });

  test('redefined, it keeps its state and reason', async () => {
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'mail-test-cpu', StateValue: 'ALARM', StateReason: 'Threshold Crossed' }),
    );
    await put(90);
    expect(await alarm()).toMatchObject({ StateValue: 'ALARM', StateReason: 'Threshold Crossed', Threshold: 90 });
  });
});
