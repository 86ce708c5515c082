/**
 * `provision status`: every stack of the environment, its state, when it last changed, drift (as
 * last detected) and termination protection. Stacks not deployed yet are listed as such.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { GlobalOptions } from '../cli/main';
import { c, output } from '../cli/output';
import { table } from '../cli/table';
import { openContext } from './context';

function colourStatus(status: string): string {
  if (/FAILED|ROLLBACK/.test(status)) return c().red(status);
  if (/IN_PROGRESS/.test(status)) return c().cyan(status);
  if (status === 'not deployed') return c().dim(status);
  return c().green(status);
}

export async function runStatus(flags: { params?: string; only?: string[] }, global: GlobalOptions): Promise<void> {
  const ctx = await openContext(flags.params, global, flags.only);
  try {
    const { describeStack } = await import('../deploy/cloudformation');
    const stacks: (Stack | undefined)[] = await Promise.all(ctx.stacks.map((s) => describeStack(ctx.clients.cloudFormation, s.name)));
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
    if (global.json) {
      output.json({ environment: `${ctx.params.prefix}${ctx.params.environment}`, region: await ctx.clients.region(), stacks: rows });
      return;
    }
    output.line(c().bold(`${ctx.params.prefix}${ctx.params.environment} (${await ctx.clients.region()})`));
    output.line(table(
      rows.map((r) => [r.name, c().dim(r.template), colourStatus(r.status), r.lastChanged?.replace('T', ' ').slice(0, 19) ?? '-', r.drift === 'NOT_CHECKED' ? c().dim('not checked') : r.drift ?? '-', r.terminationProtection ? 'protected' : '']),
      ['STACK', 'TEMPLATE', 'STATUS', 'LAST CHANGE (UTC)', 'DRIFT', ''].map((h) => c().dim(h)),
    ));
    for (const r of rows) if (r.reason && /FAILED|ROLLBACK/.test(r.status)) output.line(c().red(`  ${r.name}: ${r.reason}`));
  } finally {
    ctx.clients.destroy();
  }
}
