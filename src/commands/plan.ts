/**
 * `provision plan`: the stacks of the environment in deploy order with what each depends on, and
 * per stack what a deploy would change (add / modify / remove, replacements flagged). Changes
 * nothing: existing stacks get a change set that is read and deleted.
 */
import type { GlobalOptions } from '../cli/main';
import { c, output } from '../cli/output';
import { changeLine, summariseChanges } from '../cli/progress';
import type { PlanResult } from '../deploy/stack';
import { openContext, toSpec } from './context';
import { missingImports } from './deploy';
import { imageNeeds, missingImages, pushInstructionsFor, waitingNote } from '../ops/images';

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

export async function runPlan(flags: { params?: string; only?: string[] }, global: GlobalOptions): Promise<void> {
  const ctx = await openContext(flags.params, global, flags.only);
  try {
    const { planStack } = await import('../deploy/stack');
    const inRun = new Set(ctx.stacks.map((s) => s.name));
    const plans: PlanResult[] = await mapLimit(ctx.stacks, 4, (s) => planStack(ctx.clients, toSpec(s, inRun)));
    const missing = await missingImports(ctx.clients, ctx);
    const images = await missingImages(ctx.clients.ecr, imageNeeds(ctx.stacks));
    if (global.json) {
      output.json({
        environment: `${ctx.params.prefix}${ctx.params.environment}`,
        stacks: ctx.stacks.map((s, i) => ({ name: s.name, template: s.templateId, dependsOn: s.dependsOn, plan: plans[i] })),
        missingImports: missing,
        missingImages: images.map((m) => ({ stack: m.stack, repository: m.repository, tag: m.tag, repositoryExists: m.state === 'no-tag' })),
      });
      return;
    }
    const pushes = images.length ? await pushInstructionsFor(ctx.clients.ecr, await ctx.clients.region(), images) : [];
    output.line(`${c().bold(`Plan for ${ctx.params.prefix}${ctx.params.environment}`)} (${ctx.params.region}), ${ctx.stacks.length} stacks in deploy order:`);
    ctx.stacks.forEach((s, i) => {
      const p = plans[i]!;
      const deps = s.dependsOn.length ? c().dim(` after ${s.dependsOn.join(', ')}`) : '';
      output.line();
      output.line(`${c().bold(s.name)} ${c().dim(s.templateId)}${deps}`);
      if (p.kind === 'unchanged') output.line(`  ${c().dim('no changes')}`);
      else if (p.kind === 'not-plannable') output.line(`  ${c().yellow(`cannot plan now: ${p.reason}`)}`);
      else {
        output.line(`  ${p.plan.type === 'create' ? 'new stack' : 'update'}: ${summariseChanges(p.plan)}${p.deletesFailedStack ? c().yellow(` (first deletes the failed stack, ${p.deletesFailedStack})`) : ''}`);
        for (const ch of p.plan.changes) output.line(`    ${changeLine(ch)}`);
      }
      for (const m of images.filter((x) => x.stack === s.name)) output.line(`  ${c().yellow(waitingNote(m, pushes))}`);
    });
    for (const m of missing) output.warn(`${m.stack} imports ${m.exportName}, which nothing exports yet`);
    const changing = plans.filter((p) => p.kind === 'changes').length;
    output.line();
    output.line(`${changing} of ${plans.length} stacks would change. Apply with: provision deploy --params ${ctx.file}`);
  } finally {
    ctx.clients.destroy();
  }
}
