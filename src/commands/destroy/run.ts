/**
 * `provision destroy`: deletes the environment's stacks in reverse dependency order, independent
 * ones in parallel. It refuses (exit 2, nothing deleted) while a stack outside the set imports one
 * of their exports or a database has deletion protection, asks for the environment name to be
 * typed (unless --yes), holds the environment's run lock, and reports what CloudFormation kept:
 * databases and caches leave a final snapshot, buckets, queues, secrets, keys and repositories
 * are retained, as their templates say.
 *
 * Project stacks (scope `project`: the ECR repositories) are shared by every environment that
 * names them, so an environment's destroy never deletes them and never refuses because of them:
 * it keeps them and says who still imports them. `--delete-shared` deletes them on purpose, and
 * is refused while any stack outside this destroy imports them.
 */
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { describeFailure, Progress } from '../../cli/progress';
import { environmentOf, openContext, selectStacks, withRunLock, type RunContext } from '../../run/context';
import { isSharedStack } from '../../run/shared';
import type { PlannedStack } from '../../../stages/plan';
import type { DestroyResult, KeptResource } from '../../deploy/destroy';
import type { LeftoverStack } from '../../deploy/leftovers';

/**
 * A stack this destroy may delete: one the params file plans, or one of the environment's that the
 * file no longer plans (an app or store removed from it), which only its deployed imports order.
 */
interface Target {
  name: string;
  templateId?: string;
  dependsOn: string[];
  /** Where it is in the params file (`apps[acme] service`), or that it is no longer there. */
  where: string;
  shared: boolean;
  /** Deployed, but no longer in the params file. */
  leftover: boolean;
}

function plannedTarget(s: PlannedStack): Target {
  return {
    name: s.name,
    templateId: s.templateId,
    dependsOn: s.dependsOn,
    where: `${s.app ? `apps[${s.app}] ` : ''}${s.stage}`,
    shared: isSharedStack(s),
    leftover: false,
  };
}

function leftoverTarget(l: LeftoverStack, file: string): Target {
  return {
    name: l.name,
    ...(l.templateId ? { templateId: l.templateId } : {}),
    dependsOn: [],
    where: `no longer in ${file}`,
    shared: false,
    leftover: true,
  };
}

/**
 * Databases are created with deletion protection on: CloudFormation would fail half-way through a
 * destroy on them. Refuse before deleting anything, and say how to switch it off on purpose.
 */
async function refuseProtectedData(ctx: RunContext, targets: Target[]): Promise<void> {
  const { describeStack, parametersOf } = await import('../../deploy/cloudformation');
  const protectedStacks: Target[] = [];
  for (const s of targets) {
    const st = await describeStack(ctx.clients.cloudFormation, s.name);
    if (st && parametersOf(st).DeletionProtection === 'true') protectedStacks.push(s);
  }
  if (protectedStacks.length) {
    const where = protectedStacks.map((s) => `  ${s.name} (${s.where}: deletionProtection)`);
    throw new CliError(
      `${protectedStacks.length} stack${protectedStacks.length === 1 ? ' has' : 's have'} deletion protection on; nothing was deleted:\n${where.join('\n')}`,
      ExitCode.Refused,
      `to delete them on purpose: set deletionProtection: false for them (or protected: false for the whole environment) in ${ctx.file}, run \`provision deploy\`, then destroy again (databases still leave a final snapshot)` +
        (protectedStacks.some((s) => s.leftover)
          ? `; a stack no longer in ${ctx.file} goes back in it first (its app or store, with deletionProtection: false)`
          : ''),
    );
  }
}

/** Adds to each kept resource what a re-create does with it, and a database's or cache's final snapshot. */
async function withRecreate<K extends KeptResource>(
  ctx: RunContext,
  kept: K[],
): Promise<(K & { onRecreate: string; snapshot?: string })[]> {
  const [{ describeRecreate }, restore] = await Promise.all([
    import('../../deploy/recreate'),
    import('../../deploy/restore'),
  ]);
  return Promise.all(
    kept.map(async (k) => {
      const id = k.policy === 'Snapshot' ? k.physicalId?.toLowerCase() : undefined;
      let snapshot: string | undefined;
      if (id && restore.CLUSTER_TYPES.includes(k.resourceType))
        snapshot = await restore.newestFinalSnapshot(ctx.clients, id);
      else if (id && k.resourceType === restore.CACHE_TYPE)
        snapshot = await restore.newestCacheSnapshot(ctx.clients, { groupId: id });
      return { ...k, onRecreate: describeRecreate(k), ...(snapshot ? { snapshot } : {}) };
    }),
  );
}

export interface DestroyFlags {
  params?: string;
  yes?: boolean;
  only?: string[];
  disableTerminationProtection?: boolean;
  deleteShared?: boolean;
}

export async function runDestroy(flags: DestroyFlags, global: GlobalOptions): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !global.json;
  if (!flags.yes && !interactive)
    throw CliError.usage('destroy needs --yes when it cannot ask (no terminal, or --json)');
  const ctx = await openContext(flags.params, global);
  try {
    const targets = await pickTargets(ctx, flags.only);
    const shared = targets.filter((s) => s.shared);
    const doomed = flags.deleteShared ? targets : targets.filter((s) => !s.shared);
    if (!flags.yes) await confirmByName(ctx, doomed);
    await withRunLock(ctx, flags.deleteShared ? 'destroy --delete-shared' : 'destroy', async () => {
      await refuseProtectedData(ctx, doomed);
      const results = await deleteWithProgress(ctx, doomed, flags);
      const keptShared = flags.deleteShared ? [] : await sharedStillThere(ctx, shared);
      await report(ctx, results, keptShared);
    });
  } finally {
    ctx.clients.destroy();
  }
}

/**
 * The stacks to delete: with `--only`, those it names, where a stack of the environment that the
 * params file no longer plans is named by its stack name; without, the whole environment, those
 * stacks included (their imports would otherwise stop the delete of the network they use).
 */
async function pickTargets(ctx: RunContext, only: string[] | undefined): Promise<Target[]> {
  if (only?.length) {
    try {
      return selectStacks(ctx.all, only).map(plannedTarget);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
    }
  }
  const { leftoverStacks } = await import('../../deploy/leftovers');
  const env = environmentOf(ctx);
  const leftovers = await leftoverStacks(
    ctx.clients.cloudFormation,
    env,
    ctx.all.map((s) => s.name),
  );
  if (!only?.length) return [...ctx.all.map(plannedTarget), ...leftovers.map((l) => leftoverTarget(l, ctx.file))];
  const named = leftovers.filter((l) => only.includes(l.name));
  const rest = only.filter((o) => !named.some((l) => l.name === o));
  try {
    const planned = rest.length ? selectStacks(ctx.all, rest) : [];
    return [...planned.map(plannedTarget), ...named.map((l) => leftoverTarget(l, ctx.file))];
  } catch (err) {
    if (!(err instanceof CliError) || !leftovers.length) throw err;
    const names = leftovers.map((l) => l.name).join(', ');
    throw CliError.usage(err.message, `${err.hint}; or a stack of ${env} no longer in ${ctx.file} (${names})`);
  }
}

async function confirmByName(ctx: RunContext, doomed: Target[]): Promise<void> {
  const { input } = await import('@inquirer/prompts');
  output.line(
    `This deletes ${doomed.length} stacks of ${c().bold(environmentOf(ctx))}:\n${doomed
      .map((s) => `  ${s.name}${s.leftover ? c().dim(` (${s.where})`) : ''}`)
      .reverse()
      .join('\n')}`,
  );
  const typed = await input({ message: `Type the environment name (${ctx.params.environment}) to confirm:` });
  if (typed.trim() !== ctx.params.environment)
    throw new CliError('destroy cancelled: the name did not match', ExitCode.Refused);
}

type DestroyResults = Awaited<ReturnType<typeof import('../../deploy/destroy').destroyStacks>>;

async function deleteWithProgress(ctx: RunContext, doomed: Target[], flags: DestroyFlags): Promise<DestroyResults> {
  const [{ destroyStacks }, { reverseOrder }] = await Promise.all([
    import('../../deploy/destroy'),
    import('../../deploy/graph'),
  ]);
  const inRun = new Set(doomed.map((s) => s.name));
  const nodes = doomed.map((s) => ({
    name: s.name,
    templateId: s.templateId ?? 'stack',
    dependsOn: s.dependsOn.filter((d) => inRun.has(d)),
  }));
  const ordered = reverseOrder(nodes);
  const progress = new Progress(
    ordered.map((n) => ({ ...n, dependsOn: [] })),
    { json: ctx.global.json, verb: 'destroy' },
  );
  progress.start();
  try {
    const results = await destroyStacks(ctx.clients, ordered, {
      events: (e) => progress.event(e),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(flags.disableTerminationProtection ? { disableTerminationProtection: true } : {}),
    });
    for (const r of results) progress.done(r.stackName, r);
    return results;
  } finally {
    await progress.finish();
  }
}

/** A project stack this destroy left in place, and the stacks (of any environment) that still import it. */
interface KeptShared {
  stack: string;
  importers: string[];
}

async function sharedStillThere(ctx: RunContext, shared: Target[]): Promise<KeptShared[]> {
  const [{ describeStack }, { importsOf }] = await Promise.all([
    import('../../deploy/cloudformation'),
    import('../../deploy/destroy'),
  ]);
  const out: KeptShared[] = [];
  for (const s of shared) {
    const stack = await describeStack(ctx.clients.cloudFormation, s.name);
    if (!stack) continue;
    const importers = [...new Set((await importsOf(ctx.clients.cloudFormation, stack)).map((i) => i.importer))];
    out.push({ stack: s.name, importers });
  }
  return out;
}

/** A stack this destroy is done with: deleted, or there was nothing to delete. */
function doneWith(r: DestroyResult): boolean {
  return r.kind === 'deleted' || r.kind === 'absent';
}

/** Left by Ctrl-C: not reached, or still deleting in CloudFormation without us. */
function wasInterrupted(r: DestroyResult): boolean {
  return r.kind === 'detached' || (r.kind === 'not-run' && r.because === 'interrupted');
}

/**
 * The counts of a finished destroy, as deploy's: deleted, not deployed, and the stacks not done
 * (with "interrupted" when Ctrl-C left them), then one line per stack not done saying why.
 */
export function destroySummary(results: DestroyResult[]): string[] {
  const count = (k: DestroyResult['kind']) => results.filter((r) => r.kind === k).length;
  const notDone = results.filter((r) => !doneWith(r));
  const why = notDone.some(wasInterrupted) ? ' (interrupted)' : '';
  return [
    `${notDone.length ? c().red('✖') : c().green('✔')} ${count('deleted')} deleted, ${count('absent')} ${count('absent') === 1 ? 'was' : 'were'} not deployed` +
      (notDone.length ? `, ${notDone.length} not done${why}` : ''),
    ...notDone.map((r) => `  ${r.stackName}: ${describeFailure(r)}`),
  ];
}

async function report(ctx: RunContext, results: DestroyResults, keptShared: KeptShared[]): Promise<void> {
  const env = environmentOf(ctx);
  const kept = await withRecreate(
    ctx,
    results.flatMap((r) => (r.kind === 'deleted' ? r.kept.map((k) => ({ stack: r.stackName, ...k })) : [])),
  );
  const ok = results.every(doneWith);
  const interrupted = results.some(wasInterrupted);
  if (ctx.global.json) {
    output.json({
      ok,
      environment: env,
      stacks: results.map((r) => ({ name: r.stackName, result: r.kind })),
      kept,
      keptShared,
    });
  } else {
    output.line();
    for (const line of destroySummary(results)) output.line(line);
    if (kept.length) {
      output.line(
        'Kept by their templates (delete them by hand once you are sure), and what a deploy of the same file does with them:',
      );
      for (const k of kept) {
        const what =
          k.policy === 'Snapshot'
            ? `final snapshot ${k.snapshot ?? 'taken'}`
            : k.policy === 'skipped'
              ? 'left in place'
              : 'retained';
        output.line(`  ${k.stack}: ${k.logicalId} ${c().dim(k.resourceType)} ${k.physicalId ?? ''} — ${what}`);
        output.line(`    ${c().dim(`on re-create: ${k.onRecreate}`)}`);
      }
    }
    for (const k of keptShared) {
      output.line(
        `Kept ${k.stack}: a project stack, shared between environments; ` +
          (k.importers.length
            ? `still imported by ${k.importers.join(', ')}`
            : `nothing imports it now: delete it with \`provision destroy --params ${ctx.file} --only ${k.stack} --delete-shared\``),
      );
    }
  }
  if (!ok) process.exitCode = interrupted ? ExitCode.Interrupted : ExitCode.Failed;
}
