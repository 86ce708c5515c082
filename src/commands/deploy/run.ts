/**
 * `provision deploy`: every stack of the environment (or those picked with --only), dependencies
 * first and independent stacks at the same time, through change sets, with live progress. Without
 * --yes, each change set is shown and confirmed in the terminal; without a terminal, --yes is
 * required. Ctrl-C stops new starts, cancels running updates and detaches from running creates;
 * a second Ctrl-C leaves at once. A re-run converges.
 */
import type { DeployResult } from '../../deploy/types';
import type { LeftoverStack } from '../../deploy/leftovers';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../../deploy/graph';
import { CliError } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { pollSeconds } from '../../cli/options';
import { output } from '../../cli/output';
import { describeFailure } from '../../cli/progress';
import { environmentOf, openContext, withRunLock, type RunContext } from '../../run/context';
import {
  createMissingRoles,
  deployInPasses,
  judgeAccount,
  printSummary,
  setExitCode,
  succeeded,
  timings,
} from '../../run/deploy';
import { startPlan, startRunChecks, type RunChecks } from '../../run/gates';
import { heldImages, printHeld } from '../../run/image-gate';
import { printDelegation } from '../../run/delegation-gate';

export interface DeployFlags {
  params?: string;
  yes?: boolean;
  only?: string[];
  concurrency?: string;
  pollInterval?: string;
  /** Change project stacks that other environments use without asking (see src/run/shared.ts). */
  updateShared?: boolean;
  /** A plan file (`plan --out`) to deploy exactly; implies --yes (see ./plan-check.ts). */
  plan?: string;
}

function producerHint(ctx: RunContext, exportName: string): string {
  const producer = ctx.all.find((s) => s.exports.includes(exportName));
  if (producer) return `deploy ${producer.name} first (drop --only, or add --only ${producer.stage})`;
  if (exportName.startsWith('ecr-'))
    return `add the repository under repositories: in ${ctx.file}, or deploy it with the params file that owns it`;
  return `add the stage that exports it to ${ctx.file}`;
}

/** The checks that need no AWS call: --yes without a terminal, --concurrency's range. */
function checkFlags(flags: DeployFlags, global: GlobalOptions): number {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !global.json;
  if (!flags.yes && !flags.plan && !interactive) {
    const file = flags.params ?? 'FILE';
    throw CliError.usage(
      'deploy needs --yes when it cannot ask (no terminal, or --json)',
      `review with \`provision plan --params ${file}\`, then run \`provision deploy --params ${file} --yes\` (or plan with --out PLAN and deploy exactly it with --plan PLAN)`,
    );
  }
  const concurrency = flags.concurrency ? Number(flags.concurrency) : DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    throw CliError.usage(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  pollMs(flags);
  return concurrency;
}

/** --poll-interval in milliseconds (see pollSeconds). */
function pollMs(flags: DeployFlags): number | undefined {
  const seconds = pollSeconds(flags.pollInterval);
  return seconds === undefined ? undefined : seconds * 1000;
}

/** Refuses, naming each, imports that neither the run nor the account provides. */
async function refuseMissingImports(ctx: RunContext, missing: { stack: string; exportName: string }[]): Promise<void> {
  if (!missing.length) return;
  const { ImportsMissingError } = await import('../../run/refused');
  throw new ImportsMissingError(missing.map((m) => ({ ...m, hint: producerHint(ctx, m.exportName) })));
}

export async function runDeploy(flags: DeployFlags, global: GlobalOptions): Promise<void> {
  const concurrency = checkFlags(flags, global);
  const planned = flags.plan ? await planOf(flags.plan) : undefined;
  const ctx = await openContext(flags.params, global, flags.only ?? planned?.file.only ?? undefined);
  try {
    if (planned) planned.check.refuseOtherEnvironment(ctx, planned.file, flags.plan!);
    await withRunLock(ctx, 'deploy', async () => {
      if (planned) await planned.check.checkAgainstPlan(ctx, planned.file, flags.plan!);
      // Every check's reads go out now, together, and the plan beside them; the verdicts follow in
      // a fixed order, and only then may the plan make change sets (see run/gates.ts).
      const checks = await startRunChecks(ctx, { updateShared: flags.updateShared });
      const plan = startPlan(ctx, checks.unchanged);
      const verdicts = await judge(ctx, checks, flags, global).catch(async (err: unknown) => {
        await plan.stop(err);
        throw err;
      });
      plan.allow();
      const { holds, delegation, account } = verdicts;
      const opts = {
        yes: Boolean(flags.yes || planned),
        ...(planned ? { matches: await planned.check.planMatcher(planned.file, flags.plan!) } : {}),
        concurrency,
        pollMs: pollMs(flags),
        holds,
        delegation,
        unchanged: checks.unchanged,
        planned: plan.moves,
        // The roles are the run's first change: after every refusal, the plan's included.
        goAhead: () => createMissingRoles(ctx, global, account),
      };
      const results = await deployInPasses(ctx, opts);
      const pushes = await heldImages(ctx, holds, results);
      const pending = delegation?.last && !delegation.last.delegated ? { delegation: delegation.last } : {};
      const leftovers = await leftoversOf(ctx, checks);
      const replan = planned && !results.every(succeeded) ? planned.check.replanHint(ctx, flags.plan!) : undefined;
      report(ctx, results, {
        ...(pushes.length ? { images: pushes } : {}),
        ...pending,
        ...(leftovers.length ? { leftovers } : {}),
        ...(replan ? { hint: replan } : {}),
      });
      printHeld(ctx, holds, pushes);
      printDelegation(ctx, delegation);
      if (leftovers.length && !ctx.global.json)
        (await import('../../run/leftovers')).warnLeftovers(ctx.file, leftovers);
      if (replan && !ctx.global.json) output.warn(replan);
    });
  } finally {
    ctx.clients.destroy();
  }
}

/** The plan file, read and checked before any AWS call, and the checks made with it. */
async function planOf(file: string) {
  const [{ readPlanFile }, check] = await Promise.all([import('../../run/plan-file'), import('./plan-check')]);
  return { file: readPlanFile(file), check };
}

/**
 * Stacks of this environment the params file no longer plans (an app taken out of it), from the
 * listing the run's checks read anyway: a deploy leaves them as they are, and says so. None when
 * the checks read stacks one by one (see StatusBoard.listed).
 */
async function leftoversOf(ctx: RunContext, checks: RunChecks): Promise<LeftoverStack[]> {
  const listed = checks.unchanged.listedStacks();
  if (!listed) return [];
  const { leftoversIn } = await import('../../deploy/leftovers');
  return leftoversIn(
    listed,
    environmentOf(ctx),
    ctx.all.map((s) => s.name),
  );
}

/** The checks' verdicts, in their order (see run/gates.ts): throws the first refusal. */
async function judge(ctx: RunContext, checks: RunChecks, flags: DeployFlags, global: GlobalOptions) {
  await refuseMissingImports(ctx, await checks.missingImports);
  const { confirmSharedChanges } = await import('../../run/shared');
  await confirmSharedChanges(ctx, {
    updateShared: flags.updateShared,
    changes: checks.shared,
    ...(flags.yes || flags.plan ? {} : { ask: askYesNo }),
  });
  const holds = await checks.images;
  const delegation = await checks.delegation;
  const account = await checks.account;
  await judgeAccount(ctx, global, account);
  return { holds, delegation, account };
}

async function askYesNo(message: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: false });
}

/** Results whose --json entry says what went wrong. */
const DETAILED = new Set<DeployResult['kind']>(['failed', 'error', 'not-run', 'cancelled', 'detached']);

/** The run's outcome: one JSON document with --json, else the summary lines (see printSummary). */
function report(ctx: RunContext, results: DeployResult[], extra: Record<string, unknown> = {}): void {
  if (!ctx.global.json) {
    printSummary(results);
    return;
  }
  output.json({
    ok: results.every(succeeded),
    environment: environmentOf(ctx),
    stacks: results.map((r) => ({
      name: r.stackName,
      result: r.kind,
      ...('changes' in r ? { changes: r.changes.length } : {}),
      ...(timings.has(r.stackName)
        ? { seconds: timings.get(r.stackName)!.seconds, startedAfterMs: timings.get(r.stackName)!.startedMs }
        : {}),
      dependsOn: ctx.stacks.find((s) => s.name === r.stackName)?.dependsOn ?? [],
      ...(DETAILED.has(r.kind) ? { detail: describeFailure(r) } : {}),
    })),
    ...extra,
  });
  setExitCode(results);
}
