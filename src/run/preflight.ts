/**
 * What deploy checks across the whole run before it changes anything, so that a change
 * CloudFormation would refuse halfway (after earlier stacks already changed) is refused first:
 *
 * - a stack that cannot take its change (a setting fixed after creation, a custom-named resource
 *   replaced): deploy stops, exit 2, with the way out;
 * - exports the run changes or removes while other stacks import them: importers in the run are
 *   moved out of the way (see deploy/exports.ts); importers outside it stop the run, exit 2.
 *
 * An update's change set made here is kept for the deploy when it will still stand for that update
 * (see deploy/planned.ts and {@link keepReusable}), so the deploy does not make the same one again.
 */
import type { StackSpec } from '../deploy/types';
import type { ExportChange } from '../deploy/exports';
import type { PlanResult } from '../deploy/stack';
import { PlannedChangeSets } from '../deploy/planned';
import type { UnchangedChecks } from '../deploy/unchanged';
import { DEFAULT_CONCURRENCY } from '../deploy/graph';
import { CliError, ExitCode } from '../cli/errors';
import type { RunContext } from './context';
import { mapLimit } from './plan';

/** How deploy moves importers out of the way of the run's export changes. */
export interface ExportMoves {
  /** Importers to point at the current values of exports about to change, deployed first. */
  detach: StackSpec[];
  /** Producers that remove exports still imported: deployed keeping them, then again as planned. */
  keep: Map<string, ExportChange[]>;
  /** The exports the detached importers were pinned off, which must have no importer left among them. */
  pinned: string[];
  /** The updates' change sets kept for the deploy; what it does not use it deletes at its end. */
  changeSets: PlannedChangeSets;
}

/**
 * Plans every stack of the run (the run's unchanged checks, when given, answer for stacks that
 * need no change set; `beforeChangeSet` holds each change set, see PlanOptions); throws a usage
 * error (nothing touched) for what cannot be done.
 */
export async function preflight(
  ctx: RunContext,
  specs: StackSpec[],
  unchanged?: UnchangedChecks,
  beforeChangeSet?: () => Promise<void>,
): Promise<ExportMoves> {
  const { planStack } = await import('../deploy/stack');
  // As many at once as a deploy runs: each plan of a changed stack waits on a change set.
  const changeSets = new PlannedChangeSets(ctx.clients.cloudFormation);
  try {
    // Each kept change set is counted as its plan ends, and a plan that fails stops the others
    // from starting but lets those under way end: none may make a change set after the clean-up.
    let failed: { err: unknown } | undefined;
    const settled = await mapLimit(specs, DEFAULT_CONCURRENCY, async (s) => {
      if (failed) return undefined;
      try {
        const plan = await planStack(ctx.clients, s, {
          keep: true,
          ...(unchanged ? { unchanged } : {}),
          ...(beforeChangeSet ? { beforeChangeSet } : {}),
        });
        if (plan.kind === 'changes' && plan.held) changeSets.add(s.name, plan.held);
        return plan;
      } catch (err) {
        failed ??= { err };
        return undefined;
      }
    });
    if (failed) throw failed.err;
    const plans = settled as PlanResult[];
    const refusals = plans.flatMap((p) =>
      p.kind === 'refused' ? [p.error] : p.kind === 'changes' && p.refused ? [p.refused] : [],
    );
    if (refusals.length) {
      const { ChangesRefusedError, fieldsOf } = await import('./refused');
      throw new ChangesRefusedError(
        refusals.map((e) => ({
          stack: e.stackName ?? '',
          code: e.code,
          message: e.message,
          ...(e.hint ? { hint: e.hint } : {}),
          ...fieldsOf(ctx, e),
        })),
      );
    }
    const moves = await exportMoves(ctx, specs, plans);
    await keepReusable(changeSets, specs, plans, moves);
    return { ...moves, changeSets };
  } catch (err) {
    await changeSets.discardAll();
    throw err;
  }
}

/**
 * Keeps a stack's planned change set only when the run changes nothing it depends on (every
 * dependency in the run is unchanged: its imports resolve as when the change set was made) and no
 * export pass deploys it with another template first; deletes the others now.
 */
async function keepReusable(
  changeSets: PlannedChangeSets,
  specs: StackSpec[],
  plans: PlanResult[],
  moves: Omit<ExportMoves, 'changeSets'>,
): Promise<void> {
  const changing = new Set(specs.filter((_, i) => plans[i]!.kind !== 'unchanged').map((s) => s.name));
  const moved = new Set([...moves.detach.map((s) => s.name), ...moves.keep.keys()]);
  for (const spec of specs) {
    if (moved.has(spec.name) || spec.dependsOn.some((d) => changing.has(d))) await changeSets.drop(spec.name);
  }
}

async function exportMoves(
  ctx: RunContext,
  specs: StackSpec[],
  plans: PlanResult[],
): Promise<Omit<ExportMoves, 'changeSets'>> {
  const inRun = new Set(specs.map((s) => s.name));
  const problems: string[] = [];
  const detachValues = new Map<string, Record<string, string>>();
  const keep = new Map<string, ExportChange[]>();
  plans.forEach((p, i) => {
    if (p.kind !== 'changes') return;
    for (const e of (p.exports ?? []).filter((x) => x.importers.length)) {
      for (const importer of e.importers) {
        if (!inRun.has(importer)) problems.push(outsideProblem(ctx, specs[i]!.name, e, importer));
        else if (e.kind === 'removed' && ctx.stacks.find((s) => s.name === importer)?.imports.includes(e.exportName)) {
          problems.push(
            `${importer} still imports ${e.exportName}, which ${specs[i]!.name} would no longer export: keep the stage that needs it, or drop the link in ${ctx.file}`,
          );
        } else if (e.kind === 'changed')
          detachValues.set(importer, { ...detachValues.get(importer), [e.exportName]: e.value });
      }
      if (e.kind === 'removed') keep.set(specs[i]!.name, [...(keep.get(specs[i]!.name) ?? []), e]);
    }
  });
  const detach = await detachSpecs(ctx, specs, detachValues, problems);
  if (problems.length) {
    throw CliError.usage(
      `exports in use stop this deploy; nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return { detach, keep, pinned: [...new Set([...detachValues.values()].flatMap((v) => Object.keys(v)))] };
}

function outsideProblem(ctx: RunContext, producer: string, e: ExportChange, importer: string): string {
  const what = `${producer} would ${e.kind === 'changed' ? 'change' : 'remove'} export ${e.exportName}, which ${importer} imports`;
  const planned = ctx.all.find((s) => s.name === importer);
  if (planned) return `${what}: deploy both together (drop --only, or add --only ${planned.stage})`;
  return `${what}, and ${importer} is not part of ${ctx.file}: update ${importer} so it no longer imports ${e.exportName} (or delete it), then deploy again`;
}

/**
 * After the detach pass: an importer CloudFormation still counts (its change set found nothing to
 * change, say) would make the producer's update fail, so the run stops here instead.
 */
export async function assertDetached(ctx: RunContext, moves: ExportMoves): Promise<void> {
  const { importersOf } = await import('../deploy/exports');
  const detached = new Set(moves.detach.map((s) => s.name));
  const left: string[] = [];
  for (const name of moves.pinned) {
    for (const importer of await importersOf(ctx.clients.cloudFormation, name))
      if (detached.has(importer)) left.push(`${importer} still imports ${name}`);
  }
  if (left.length) {
    throw new CliError(
      `exports about to change are still in use after their importers were pointed at the current values: ${left.join('; ')}`,
      ExitCode.Failed,
      'the importers now hold the current values (nothing else changed); update them so they no longer import these exports, then deploy again',
    );
  }
}

/** Each importer's deployed template with the imports of changing exports pinned to their current values. */
async function detachSpecs(
  ctx: RunContext,
  specs: StackSpec[],
  values: Map<string, Record<string, string>>,
  problems: string[],
): Promise<StackSpec[]> {
  const { describeStack, getTemplateBody, parametersOf, tagsOf } = await import('../deploy/cloudformation');
  const { detachedTemplate } = await import('../deploy/exports');
  const out: StackSpec[] = [];
  for (const [importer, pinned] of values) {
    const cfn = ctx.clients.cloudFormation;
    const stack = await describeStack(cfn, importer);
    const body = stack ? await getTemplateBody(cfn, stack.StackId ?? importer) : undefined;
    const detached = stack && body ? detachedTemplate(body, stack, pinned) : undefined;
    const missed = Object.keys(pinned).filter((name) => !detached?.detached.includes(name));
    if (!stack || !detached || missed.length) {
      problems.push(
        `${importer} imports ${missed.join(', ')} in a form this tool cannot pin to its current value: update ${importer} so it no longer imports it, then deploy again`,
      );
      continue;
    }
    const planned = specs.find((s) => s.name === importer)!;
    out.push({
      ...planned,
      templateBody: detached.body,
      parameters: parametersOf(stack),
      tags: tagsOf(stack),
      dependsOn: [],
      terminationProtection: undefined,
    });
  }
  return out;
}
