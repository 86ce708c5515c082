/**
 * Which addresses an app's alarm topic mails (src/commands/status/mail.ts), from SNS answers the
 * emulator does not give: several pages, an address subscribed twice (email and email-json), a
 * subscription just deleted (listed as "Deleted"), other addresses someone added. The states
 * themselves, end to end, are in test/e2e/status-alarms.test.ts.
 */
import { ListSubscriptionsByTopicCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import type { AwsClients } from '../../src/aws/clients';
import { alarmMail } from '../../src/commands/status/mail';
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
