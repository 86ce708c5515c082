/**
 * The alarm part of `provision status`: for each app with a deployed alarms stack (33.app-alarms),
 * how many of its alarms are in ALARM, INSUFFICIENT_DATA and OK now, and which are going off.
 * A stack's state says its alarms exist, not whether the app is well; this says that, without a
 * trip to the console.
 *
 * The alarms are the stack's own `AWS::CloudWatch::Alarm` resources (their physical ids are the
 * alarm names), so another app whose name starts the same (`acme` and `acme-api`) never mixes in,
 * as a name-prefix search would.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { listStackResources } from '../../deploy/cloudformation';
import type { RunContext } from '../../run/context';

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
  };
  try {
    const names = (await listStackResources(ctx.clients.cloudFormation, stack))
      .filter((r) => r.ResourceType === 'AWS::CloudWatch::Alarm' && r.PhysicalResourceId)
      .map((r) => r.PhysicalResourceId!);
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
  } catch (err) {
    result.error =
      err instanceof Error ? `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}` : String(err);
  }
  return result;
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
