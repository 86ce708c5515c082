/**
 * Whether an app's alarms reach anyone by e-mail. The alarms stack (33.app-alarms) subscribes the
 * environment's ContactEmail to the app's alarm topic; AWS then mails a confirmation link, and
 * until it is followed SNS delivers nothing to that address (and deletes the subscription after
 * 48 hours). The stack says CREATE_COMPLETE all the same, so an app can run for weeks with alarms
 * that notify nobody; status says so.
 *
 * The topic's subscriptions come from SNS ListSubscriptionsByTopic, where a subscription still
 * waiting for its confirmation has "PendingConfirmation" instead of an ARN (GetSubscriptionAttributes
 * needs that ARN, so it cannot ask about a pending one found this way).
 */
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { StdParam } from '../../../templates/kit/names';
import type { AwsClients } from '../../aws/clients';

/**
 * - `confirmed`: the address gets the alarms' mail;
 * - `pending-confirmation`: AWS mailed a link that nobody followed yet: nothing is delivered;
 * - `not-subscribed`: the contact address has no subscription on the topic any more (unsubscribed
 *   from a mail, or unconfirmed for 48 hours): nothing is delivered, and a deploy does not bring it back.
 */
export type MailState = 'confirmed' | 'pending-confirmation' | 'not-subscribed';

/** One e-mail address of an app's alarm topic. */
export interface AlarmMail {
  endpoint: string;
  state: MailState;
}

/** SNS's stand-in for the ARN of a subscription not confirmed yet (ListSubscriptions*). */
const PENDING_ARN = 'PendingConfirmation';
/** A subscription deleted a moment ago is still listed a while, as "Deleted". */
const DELETED_ARN = 'Deleted';
const MAIL_PROTOCOLS: ReadonlySet<string> = new Set(['email', 'email-json']);

/**
 * The e-mail subscriptions of the topic `topicArn`: the stack's contact address (its ContactEmail
 * parameter, as deployed) first, `not-subscribed` when the topic no longer has it, then any other
 * address someone added, in order.
 */
export async function alarmMail(
  clients: AwsClients,
  topicArn: string,
  stackParameters: Parameter[] | undefined,
): Promise<AlarmMail[]> {
  const found = new Map<string, MailState>();
  for await (const page of paginateListSubscriptionsByTopic({ client: clients.sns }, { TopicArn: topicArn })) {
    for (const s of page.Subscriptions ?? []) {
      if (!s.Endpoint || !MAIL_PROTOCOLS.has(s.Protocol ?? '') || s.SubscriptionArn === DELETED_ARN) continue;
      const state: MailState = s.SubscriptionArn === PENDING_ARN ? 'pending-confirmation' : 'confirmed';
      // The same address twice (email and email-json): confirmed if either is.
      if (found.get(s.Endpoint) !== 'confirmed') found.set(s.Endpoint, state);
    }
  }
  const contact = stackParameters?.find((p) => p.ParameterKey === StdParam.ContactEmail)?.ParameterValue;
  const mail: AlarmMail[] = contact ? [{ endpoint: contact, state: found.get(contact) ?? 'not-subscribed' }] : [];
  for (const [endpoint, state] of [...found].sort(([a], [b]) => a.localeCompare(b)))
    if (endpoint !== contact) mail.push({ endpoint, state });
  return mail;
}
