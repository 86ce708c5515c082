/**
 * The alarm part of `provision status`: for each app with a deployed alarms stack (33.app-alarms),
 * how many of its alarms are in ALARM, INSUFFICIENT_DATA and OK now, and which are going off.
 * A stack's state says its alarms exist, not whether the app is well; this says that, without a
 * trip to the console.
 *
 * The alarms are the stack's own `AWS::CloudWatch::Alarm` resources (their physical ids are the
 * alarm names), so another app whose name starts the same (`acme` and `acme-api`) never mixes in,
 * as a name-prefix search would. Its topic (`AWS::SNS::Topic`) is where the mail goes: whether the
 * address confirmed its subscription is ./mail.ts's part.
 */
import type { Stack, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { listStackResources } from '../../deploy/cloudformation';
import { errorText } from '../../errors';
import type { RunContext } from '../../run/context';
import { alarmMail, type AlarmMail } from './mail';

/** CloudWatch's alarm states, in the order status shows them. */
export const ALARM_STATES = ['ALARM', 'INSUFFICIENT_DATA', 'OK'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** One app's alarms as CloudWatch holds them now. */
export interface AppAlarms {
  app: string;
  /** The alarms stack. */
  stack: string;
  /** How many of the app's alarms are in each state. */
  states: Record<AlarmState, number>;
  /** The alarms going off, with CloudWatch's reason and since when (ISO time). */
  inAlarm: { name: string; reason?: string; since?: string }[];
  /** What went wrong reading them; the rest of status is still shown. */
  error?: string;
  /** The topic the alarms notify (its ARN), when the stack has one. */
  topic?: string;
  /** Its e-mail addresses and whether each gets the mail (see ./mail.ts). */
  mail: AlarmMail[];
  /** What went wrong reading the topic's subscriptions. */
  mailError?: string;
}

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

/**
 * The alarm states of every app of the run whose alarms stack has resources; `stacks` are the
 * run's stacks as DescribeStacks gave them, in `ctx.stacks` order.
 */
export async function appAlarms(
  ctx: RunContext,
  stacks: (Stack | undefined)[],
  hasResources: (stack: Stack | undefined) => boolean,
): Promise<AppAlarms[]> {
  const deployed = ctx.stacks.flatMap((s, i) =>
    s.stage === 'alarms' && hasResources(stacks[i]) ? [{ spec: s, stack: stacks[i]! }] : [],
  );
  return Promise.all(deployed.map(({ spec, stack }) => alarmsOfStack(ctx, spec.app ?? spec.name, stack)));
}

async function alarmsOfStack(ctx: RunContext, app: string, stack: Stack): Promise<AppAlarms> {
  const result: AppAlarms = {
    app,
    stack: stack.StackName ?? '',
    states: { ALARM: 0, INSUFFICIENT_DATA: 0, OK: 0 },
    inAlarm: [],
    mail: [],
  };
  let resources: StackResourceSummary[];
  try {
    resources = await listStackResources(ctx.clients.cloudFormation, stack);
  } catch (err) {
    result.error = errorText(err);
    return result;
  }
  const physical = (type: string) =>
    resources.filter((r) => r.ResourceType === type && r.PhysicalResourceId).map((r) => r.PhysicalResourceId!);
  result.topic = physical('AWS::SNS::Topic')[0];
  await Promise.all([
    countStates(ctx, result, physical('AWS::CloudWatch::Alarm')).catch((err) => {
      result.error = errorText(err);
    }),
    result.topic &&
      alarmMail(ctx.clients, result.topic, stack.Parameters).then(
        (mail) => void (result.mail = mail),
        (err) => void (result.mailError = errorText(err)),
      ),
  ]);
  return result;
}

/** Counts the alarms `names` by state into `result`, and lists those in ALARM. */
async function countStates(ctx: RunContext, result: AppAlarms, names: string[]): Promise<void> {
  for (const alarm of await describeAlarms(ctx, names)) {
    const state = alarm.StateValue as AlarmState | undefined;
    if (state && state in result.states) result.states[state] += 1;
    if (state === 'ALARM')
      result.inAlarm.push({
        name: alarm.AlarmName ?? '',
        ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
        ...(alarm.StateUpdatedTimestamp ? { since: alarm.StateUpdatedTimestamp.toISOString() } : {}),
      });
  }
  result.inAlarm.sort((a, b) => a.name.localeCompare(b.name));
}

async function describeAlarms(ctx: RunContext, names: string[]): Promise<MetricAlarm[]> {
  const found: MetricAlarm[] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const out = await ctx.clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + NAMES_PER_CALL), MaxRecords: NAMES_PER_CALL }),
    );
    found.push(...(out.MetricAlarms ?? []));
  }
  return found;
}
