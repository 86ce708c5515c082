/**
 * Which addresses an app's alarm topic mails (src/commands/status/mail.ts), from SNS answers the
 * emulator does not give: several pages, an address subscribed twice (email and email-json), a
 * subscription just deleted (listed as "Deleted"), other addresses someone added, and a service
 * that refuses to answer (AccessDenied) for the alarms or for the mail. The states themselves, end
 * to end, are in test/e2e/status-alarms.test.ts.
 */
import { CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import type { AwsClients } from '../../src/aws/clients';
import { appAlarms } from '../../src/commands/status/alarms';
import { alarmMail } from '../../src/commands/status/mail';
import type { RunContext } from '../../src/run/context';
import { clientWithSend } from '../helpers/sdk-double';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:x-dev-acme-alarms';
const CONTACT = [{ ParameterKey: 'ContactEmail', ParameterValue: 'ops@example.com' }];

function sub(endpoint: string, arn: string, protocol = 'email'): Subscription {
  return { Endpoint: endpoint, Protocol: protocol, SubscriptionArn: arn, TopicArn: TOPIC };
}

/** Clients whose SNS answers ListSubscriptionsByTopic with these pages, in order. */
function clients(pages: Subscription[][]): { clients: AwsClients; asked: string[] } {
  const asked: string[] = [];
  const sns = clientWithSend(SNSClient, async (command: ListSubscriptionsByTopicCommand) => {
    expect(command).toBeInstanceOf(ListSubscriptionsByTopicCommand);
    asked.push(`${command.input.TopicArn} ${command.input.NextToken ?? '-'}`);
    const i = Number(command.input.NextToken ?? 0);
    return { Subscriptions: pages[i], NextToken: i + 1 < pages.length ? String(i + 1) : undefined };
  });
  return { clients: { sns } as unknown as AwsClients, asked };
}

test('the contact address first, then the others by name, across pages; other protocols and deleted ones left out', async () => {
  const { clients: c, asked } = clients([
    [sub('zed@example.com', 'PendingConfirmation'), sub('https://hooks.example.com/x', `${TOPIC}:1`, 'https')],
    [sub('ops@example.com', `${TOPIC}:2`), sub('gone@example.com', 'Deleted'), sub('ann@example.com', `${TOPIC}:3`)],
  ]);
  expect(await alarmMail(c, TOPIC, CONTACT)).toEqual([
    { endpoint: 'ops@example.com', state: 'confirmed' },
    { endpoint: 'ann@example.com', state: 'confirmed' },
    { endpoint: 'zed@example.com', state: 'pending-confirmation' },
  ]);
  expect(asked).toEqual([`${TOPIC} -`, `${TOPIC} 1`]);
});

test('the contact address subscribed twice (email and email-json) counts as confirmed when either is', async () => {
  const { clients: c } = clients([
    [sub('ops@example.com', `${TOPIC}:1`, 'email-json'), sub('ops@example.com', 'PendingConfirmation')],
  ]);
  expect(await alarmMail(c, TOPIC, CONTACT)).toEqual([{ endpoint: 'ops@example.com', state: 'confirmed' }]);
});

test('a contact address with no subscription left is not subscribed; without a ContactEmail parameter only what is there', async () => {
  const { clients: c } = clients([[sub('gone@example.com', 'Deleted'), sub('ann@example.com', 'PendingConfirmation')]]);
  expect(await alarmMail(c, TOPIC, CONTACT)).toEqual([
    { endpoint: 'ops@example.com', state: 'not-subscribed' },
    { endpoint: 'ann@example.com', state: 'pending-confirmation' },
  ]);
  expect(await alarmMail(c, TOPIC, undefined)).toEqual([
    { endpoint: 'ann@example.com', state: 'pending-confirmation' },
  ]);
});

describe('appAlarms: the alarms and their mail are read apart', () => {
  const stack = {
    StackName: 'x-dev-acme-alarms',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/x-dev-acme-alarms/1',
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date(0),
    Parameters: CONTACT,
  } as Stack;
  const resources = [
    { ResourceType: 'AWS::CloudWatch::Alarm', PhysicalResourceId: 'x-dev-acme-5xx' },
    { ResourceType: 'AWS::SNS::Topic', PhysicalResourceId: TOPIC },
  ];
  const denied = (action: string) =>
    Object.assign(new Error(`User: ci is not authorized to perform: ${action}`), { name: 'AccessDenied' });

  function ctx(cloudWatch: (command: unknown) => unknown, sns: (command: unknown) => unknown): RunContext {
    return {
      stacks: [{ name: 'x-dev-acme-alarms', stage: 'alarms', app: 'acme' }],
      clients: {
        cloudFormation: clientWithSend(CloudFormationClient, async () => ({ StackResourceSummaries: resources })),
        cloudWatch: clientWithSend(CloudWatchClient, async (c: unknown) => cloudWatch(c)),
        sns: clientWithSend(SNSClient, async (c: unknown) => sns(c)),
      },
    } as unknown as RunContext;
  }
  const alarm = { AlarmName: 'x-dev-acme-5xx', StateValue: 'INSUFFICIENT_DATA' };

  test('SNS denied: the alarm counts are still there, and the mail says why it cannot be read', async () => {
    const [acme] = await appAlarms(
      ctx(
        () => ({ MetricAlarms: [alarm] }),
        () => {
          throw denied('SNS:ListSubscriptionsByTopic');
        },
      ),
      [stack],
      () => true,
    );
    expect(acme).toEqual({
      app: 'acme',
      stack: 'x-dev-acme-alarms',
      states: { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 0 },
      inAlarm: [],
      topic: TOPIC,
      mail: [],
      mailError: 'AccessDenied: User: ci is not authorized to perform: SNS:ListSubscriptionsByTopic',
    });
  });

  test('CloudWatch denied: the mail is still there, and the alarms say why they cannot be read', async () => {
    const [acme] = await appAlarms(
      ctx(
        () => {
          throw denied('cloudwatch:DescribeAlarms');
        },
        () => ({ Subscriptions: [sub('ops@example.com', 'PendingConfirmation')] }),
      ),
      [stack],
      () => true,
    );
    expect(acme).toMatchObject({
      error: 'AccessDenied: User: ci is not authorized to perform: cloudwatch:DescribeAlarms',
      mail: [{ endpoint: 'ops@example.com', state: 'pending-confirmation' }],
    });
    expect(acme!.mailError).toBeUndefined();
  });
});
