/**
 * `provision plan`: the stacks of the environment in deploy order with what each depends on, and
 * per stack what a deploy would change (see src/run/plan.ts), then the imports nothing provides,
 * the shared stacks it would change and the account preflight. Changes nothing.
 */
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import type { PreflightReport } from '../../deploy/preflight';
import type { PlanResult } from '../../deploy/stack';
import type { EngineError } from '../../deploy/errors';
import { environmentOf, nextCommand, openContext, specsOf, type RunContext } from '../../run/context';
import { fieldOf, missingImports } from '../../run/deploy';
import { planRun, preflightLines, printPlan, type EnvironmentPlan } from '../../run/plan';
import type { SharedChange } from '../../run/shared';
import type { LeftoverStack } from '../../deploy/leftovers';

/** What the plan command reports beyond each stack's own plan. */
interface Findings {
  missing: { stack: string; exportName: string }[];
  shared: SharedChange[];
  account: PreflightReport;
  /** Stacks of the environment the params file no longer plans (deploy leaves them). */
  leftovers: LeftoverStack[];
}

export async function runPlan(
  flags: { params?: string; only?: string[]; out?: string },
  global: GlobalOptions,
): Promise<void> {
  const out = flags.out ? await import('./out') : undefined;
  out?.checkOut(flags.out!);
  const ctx = await openContext(flags.params, global, flags.only);
  try {
    // For a plan file, the stacks as deployed before they are planned (see ./out.ts).
    const deployed = out ? await (await import('../../run/plan-file')).readDeployed(ctx) : undefined;
    // The stacks' plans and the run-level findings read independently: at the same time.
    const findingsRead = find(ctx);
    findingsRead.catch(() => undefined); // awaited below, unless planning fails first
    const env = await planRun(ctx);
    const findings = await findingsRead;
    const planFile = out && deployed ? out.writePlan(ctx, flags.out!, flags.only, deployed, env) : undefined;
    if (global.json) {
      const { fieldsOf } = await import('../../run/refused');
      output.json({ ...planDocument(ctx, env, findings, fieldsOf), ...(planFile ? { planFile } : {}) });
    } else {
      await printAll(ctx, env, findings);
      if (planFile && refusals(env, findings))
        output.line(
          `Plan written to ${planFile}, but deploy will refuse it as it stands (see above): fix what is refused, then plan again.`,
        );
      else if (planFile)
        output.line(
          `Plan written to ${planFile}. Deploy exactly it with: ${nextCommand(ctx, 'deploy', '--plan', planFile)}`,
        );
    }
  } finally {
    ctx.clients.destroy();
  }
}

async function find(ctx: RunContext): Promise<Findings> {
  const [{ sharedChanges }, { preflight }, { leftoverStacks }] = await Promise.all([
    import('../../run/shared'),
    import('../../deploy/preflight'),
    import('../../deploy/leftovers'),
  ]);
  const [missing, shared, account, leftovers] = await Promise.all([
    missingImports(ctx.clients, ctx),
    sharedChanges(ctx),
    preflight(ctx.clients, specsOf(ctx), undefined, { fieldOf: fieldOf(ctx) }),
    leftoverStacks(
      ctx.clients.cloudFormation,
      environmentOf(ctx),
      ctx.all.map((s) => s.name),
    ),
  ]);
  return { missing, shared, account, leftovers };
}

/** A plan result for --json: errors as their code, message, hint and the params-file fields behind them. */
function planJson(p: PlanResult, fields: (e: EngineError) => { fields?: string[] }): unknown {
  const err = (e: EngineError) => ({ code: e.code, message: e.message, hint: e.hint, ...fields(e) });
  if (p.kind === 'refused') return { kind: p.kind, stackName: p.stackName, error: err(p.error) };
  if (p.kind === 'changes' && p.refused) return { ...p, refused: err(p.refused) };
  return p;
}

function planDocument(
  ctx: RunContext,
  env: EnvironmentPlan,
  f: Findings,
  fieldsOf: typeof import('../../run/refused').fieldsOf,
): Record<string, unknown> {
  const fields = (e: EngineError) => {
    const found = fieldsOf(ctx, e).fields;
    return found ? { fields: found } : {};
  };
  return {
    environment: environmentOf(ctx),
    stacks: ctx.stacks.map((s, i) => ({
      name: s.name,
      template: s.templateId,
      dependsOn: s.dependsOn,
      plan: planJson(env.plans[i]!, fields),
    })),
    missingImports: f.missing,
    missingImages: env.images.map((m) => ({
      stack: m.stack,
      repository: m.repository,
      tag: m.tag,
      repositoryExists: m.state === 'no-tag',
    })),
    sharedChanges: f.shared,
    preflight: f.account,
    leftovers: f.leftovers,
  };
}

/** How many things the plan shows that deploy will refuse: stacks that cannot take their change, quotas, sizes. */
function refusals(env: EnvironmentPlan, f: Findings): number {
  const stacks = env.plans.filter((p) => p.kind === 'refused' || (p.kind === 'changes' && p.refused)).length;
  const quotas = f.account.quotas.filter((q) => q.exceeded).length;
  return stacks + quotas + f.account.offerings.filter((o) => o.offered === false).length;
}

async function printAll(ctx: RunContext, env: EnvironmentPlan, f: Findings): Promise<void> {
  const [{ describeSharedChanges }, { warnLeftovers }] = await Promise.all([
    import('../../run/shared'),
    import('../../run/leftovers'),
  ]);
  await printPlan(ctx, env, { indent: '', spaced: true, listCreates: true });
  for (const m of f.missing) output.warn(`${m.stack} imports ${m.exportName}, which nothing exports yet`);
  warnLeftovers(ctx.file, f.leftovers);
  if (f.shared.length) {
    output.line();
    for (const line of describeSharedChanges(f.shared)) output.line(c().yellow(line));
    output.line(c().yellow('deploy asks before changing them (with --yes it refuses unless --update-shared)'));
  }
  preflightLines(f.account);
  const changing = env.plans.filter((p) => p.kind === 'changes').length;
  const refused = env.plans.filter((p) => p.kind === 'refused' || (p.kind === 'changes' && p.refused)).length;
  if (refused)
    output.warn(
      `${refused} stack${refused === 1 ? '' : 's'} cannot take ${refused === 1 ? 'its' : 'their'} change: deploy will refuse before changing anything (see above)`,
    );
  output.line();
  output.line(`${changing} of ${env.plans.length} stacks would change. Apply with: ${nextCommand(ctx, 'deploy')}`);
}
