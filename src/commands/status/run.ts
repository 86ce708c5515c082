/**
 * `provision status`: every stack of the environment, its state, when it last changed, drift (as
 * last detected) and termination protection. Stacks not deployed yet are listed as such. The
 * stacks, and those of the environment the file no longer plans, come from one DescribeStacks
 * listing (src/run/stacks.ts).
 * Then, for each deployed service stack (32, 91): its task counts, the image tag it runs, the
 * rollout state and the load balancer's view of its targets (see src/ops/health.ts); and for each
 * app with an alarms stack (33), how many of its alarms are in each state, naming those going off
 * (./alarms.ts), and whether the contact address confirmed the alarm mail (./mail.ts).
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { table } from '../../cli/table';
import { describeTargets, serviceHealth, type ServiceHealth } from '../../ops/health';
import { appUrls, HTTP_ONLY_NOTE } from '../../ops/app-url';
import { environmentOf, openContext, type RunContext } from '../../run/context';
import { readStacks } from '../../run/stacks';
import type { AppAlarms } from './alarms';
import type { AlarmMail } from './mail';
import type { LeftoverStack } from '../../deploy/leftovers';

function colourStatus(status: string): string {
  if (/FAILED|ROLLBACK/.test(status)) return c().red(status);
  if (/IN_PROGRESS/.test(status)) return c().cyan(status);
  if (status === 'not deployed') return c().dim(status);
  return c().green(status);
}

export async function runStatus(flags: { params?: string; only?: string[] }, global: GlobalOptions): Promise<void> {
  const ctx = await openContext(flags.params, global, flags.only);
  try {
    const { outputsOf } = await import('../../deploy/cloudformation');
    const { stacks, leftovers } = await readStacks(ctx, flags.only);
    const rows = ctx.stacks.map((s, i) => {
      const st = stacks[i];
      return {
        name: s.name,
        template: s.templateId,
        status: st?.StackStatus ?? 'not deployed',
        reason: st?.StackStatusReason,
        lastChanged: (st?.LastUpdatedTime ?? st?.CreationTime)?.toISOString(),
        drift: st?.DriftInformation?.StackDriftStatus ?? (st ? 'NOT_CHECKED' : undefined),
        terminationProtection: st ? Boolean(st.EnableTerminationProtection) : undefined,
      };
    });
    const [services, alarms] = await Promise.all([servicesOf(ctx, stacks), alarmsOf(ctx, stacks)]);
    if (global.json) {
      output.json({
        environment: environmentOf(ctx),
        region: await ctx.clients.region(),
        stacks: rows,
        services,
        alarms,
        leftovers: leftovers ?? null,
      });
      return;
    }
    output.line(c().bold(`${environmentOf(ctx)} (${await ctx.clients.region()})`));
    output.line(
      table(
        rows.map((r) => [
          r.name,
          c().dim(r.template),
          colourStatus(r.status),
          r.lastChanged?.replace('T', ' ').slice(0, 19) ?? '-',
          r.drift === 'NOT_CHECKED' ? c().dim('not checked') : (r.drift ?? '-'),
          r.terminationProtection ? 'protected' : '',
        ]),
        ['STACK', 'TEMPLATE', 'STATUS', 'LAST CHANGE (UTC)', 'DRIFT', ''].map((h) => c().dim(h)),
      ),
    );
    for (const r of rows)
      if (r.reason && /FAILED|ROLLBACK/.test(r.status)) output.line(c().red(`  ${r.name}: ${r.reason}`));
    if (leftovers?.length) await printLeftovers(ctx, leftovers);
    if (services.length) printServices(services);
    if (alarms.length) printAlarms(alarms);
    const urls = appUrls(ctx.stacks, Object.fromEntries(ctx.stacks.map((s, i) => [s.name, outputsOf(stacks[i])])));
    for (const u of urls)
      output.line(`${c().bold(u.app)}: ${u.url}${u.httpOnly ? c().yellow(`  (${HTTP_ONLY_NOTE})`) : ''}`);
  } finally {
    ctx.clients.destroy();
  }
}

async function printLeftovers(ctx: RunContext, leftovers: LeftoverStack[]): Promise<void> {
  const { describeLeftovers, leftoversDestroyCommand } = await import('../../deploy/leftovers');
  output.line(c().yellow(describeLeftovers(leftovers, ctx.file)));
  const rows = leftovers.map((l) => [`  ${l.name}`, c().dim(l.templateId ?? '-'), colourStatus(l.status), l.app ?? '']);
  output.line(
    table(
      rows,
      ['  STACK', 'TEMPLATE', 'STATUS', 'APP'].map((h) => c().dim(h)),
    ),
  );
  output.line(`  delete with: ${leftoversDestroyCommand(leftovers, ctx.file)}`);
}

/** Health of every service stack of this run that is deployed (and not being created or deleted). */
async function servicesOf(ctx: RunContext, stacks: (Stack | undefined)[]): Promise<ServiceHealth[]> {
  const deployed = ctx.stacks.filter(
    (s, i) => (s.stage === 'service' || s.stage === 'extra') && hasResources(stacks[i]),
  );
  if (!deployed.length) return [];
  const { clusterFromStack } = await import('../../run/service');
  let cluster: Promise<string | undefined> | undefined;
  return Promise.all(
    deployed.map((s) =>
      serviceHealth(ctx.clients, {
        stackName: s.name,
        loadBalancerStack: ctx.all.find((l) => l.stage === 'loadBalancer' && l.app === s.app)?.name,
        clusterName: () => (cluster ??= clusterFromStack(ctx)),
      }),
    ),
  );
}

/** The alarm states of every app whose alarms stack is deployed (the CloudWatch client loads only then). */
async function alarmsOf(ctx: RunContext, stacks: (Stack | undefined)[]): Promise<AppAlarms[]> {
  if (!ctx.stacks.some((s, i) => s.stage === 'alarms' && hasResources(stacks[i]))) return [];
  return (await import('./alarms')).appAlarms(ctx, stacks, hasResources);
}

/** One line per app: `acme alarms: 1 ALARM (x-dev-acme-5xx), 0 INSUFFICIENT_DATA, 6 OK`, then why each goes off. */
function printAlarms(alarms: AppAlarms[]): void {
  output.line();
  for (const a of alarms) {
    if (a.error) output.line(c().red(`${c().bold(a.app)} alarms: cannot be read (${a.error})`));
    else printStates(a);
    // The mail is read apart from the alarms: one may be readable when the other is not.
    for (const m of a.mail) output.line(mailLine(m, a.topic));
    if (a.mailError) output.line(c().red(`  alarm mail: cannot be read (${a.mailError})`));
  }
}

function printStates(a: AppAlarms): void {
  const firing = a.states.ALARM
    ? c().red(`${a.states.ALARM} ALARM (${a.inAlarm.map((x) => x.name).join(', ')})`)
    : c().green('0 ALARM');
  const noData = `${a.states.INSUFFICIENT_DATA} INSUFFICIENT_DATA`;
  output.line(
    `${c().bold(a.app)} alarms: ${firing}, ${a.states.INSUFFICIENT_DATA ? c().yellow(noData) : noData}, ${a.states.OK} OK`,
  );
  for (const x of a.inAlarm)
    output.line(c().red(`  ${x.name}${x.reason ? `: ${x.reason}` : ''}${x.since ? ` (since ${x.since})` : ''}`));
}

/** `  mail to ops@example.com: pending confirmation ...`: whether the alarms reach that address, and the fix. */
function mailLine(m: AlarmMail, topic: string | undefined): string {
  const to = `  mail to ${m.endpoint}`;
  if (m.state === 'confirmed') return c().dim(`${to}: confirmed`);
  if (m.state === 'pending-confirmation')
    return c().yellow(
      `${to}: pending confirmation: these alarms mail nobody until the link AWS mailed there is followed (it lapses after 48 hours)`,
    );
  return c().red(
    `${to}: not subscribed (unsubscribed, or not confirmed within 48 hours): these alarms mail nobody; subscribe it again: aws sns subscribe --topic-arn ${topic ?? '<AlarmTopicArn>'} --protocol email --notification-endpoint ${m.endpoint}`,
  );
}

function printServices(services: ServiceHealth[]): void {
  output.line();
  output.line(
    table(
      services.map((h) => [
        h.stack,
        h.running === undefined
          ? '-'
          : `${h.running}/${h.desired}${h.pending ? c().cyan(` +${h.pending} pending`) : ''}`,
        h.imageTag ?? '-',
        colourRollout(h.rolloutState, h.deployments),
        h.targets ? colourTargets(h.targets) : '-',
      ]),
      ['SERVICE STACK', 'TASKS (RUNNING/DESIRED)', 'IMAGE TAG', 'ROLLOUT', 'TARGETS'].map((h) => c().dim(h)),
    ),
  );
  for (const h of services) {
    if (h.error) output.line(c().red(`  ${h.stack}: ${h.error}`));
    if (h.rolloutState === 'FAILED' && h.rolloutStateReason)
      output.line(c().red(`  ${h.stack}: ${h.rolloutStateReason}`));
    const bad = h.targets?.firstUnhealthy;
    if (bad)
      output.line(
        c().red(
          `  ${h.stack}: target ${bad.target} is ${bad.state}${bad.reason ? ` (${bad.reason})` : ''}${bad.description ? `: ${bad.description}` : ''}`,
        ),
      );
  }
}

function colourRollout(state: string | undefined, deployments: number | undefined): string {
  const more = deployments && deployments > 1 ? c().dim(` (${deployments} deployments)`) : '';
  if (!state) return '-';
  if (state === 'FAILED') return c().red(state) + more;
  if (state === 'IN_PROGRESS') return c().cyan(state) + more;
  return c().green(state) + more;
}

/** A stack whose resources exist (not being created for the first time, not failed to create, not deleted). */
function hasResources(stack: Stack | undefined): boolean {
  const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
  return !['REVIEW_IN_PROGRESS', 'CREATE_IN_PROGRESS'].includes(status) && !/^(ROLLBACK|DELETE)_/.test(status);
}

function colourTargets(t: NonNullable<ServiceHealth['targets']>): string {
  const text = describeTargets(t);
  return t.firstUnhealthy ? c().red(text) : t.total ? c().green(text) : c().dim(text);
}
