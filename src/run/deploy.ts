/**
 * Deploying a planned environment, as `provision deploy` and the wizard both do: the imports no
 * one provides, the account preflight, the passes that move exports safely, and the engine run
 * over the stacks with live progress and its summary. Ctrl-C stops new starts, cancels running
 * updates and detaches from running creates.
 */
import type { AwsClients } from '../aws/clients';
import type { ChangeSummary, DeployResult, StackSpec } from '../deploy/types';
import type { PreflightReport } from '../deploy/preflight';
import type { UnchangedChecks } from '../deploy/unchanged';
import type { PlannedChangeSets } from '../deploy/planned';
import type { EngineError } from '../deploy/errors';
import { CliError, ExitCode } from '../cli/errors';
import type { GlobalOptions } from '../cli/global-options';
import { trapInterrupt } from '../cli/interrupt';
import { c, output } from '../cli/output';
import { changeLine, describeFailure, Progress, summariseChanges } from '../cli/progress';
import { specsOf, type RunContext } from './context';
import type { ExportMoves } from './preflight';
import { heldResult, type ImageHolds } from './image-gate';
import { delegationHeld, type DelegationHold } from './delegation-gate';

/** Exports imported by the run that neither the run nor the account provides: named per stack. */
export async function missingImports(
  clients: AwsClients,
  ctx: RunContext,
): Promise<{ stack: string; exportName: string }[]> {
  const inRun = new Set(ctx.stacks.flatMap((s) => s.exports));
  const needed = ctx.stacks.flatMap((s) =>
    s.imports.filter((i) => !inRun.has(i)).map((exportName) => ({ stack: s.name, exportName })),
  );
  if (!needed.length) return [];
  const { listExports } = await import('../deploy/exports');
  const existing = new Set((await listExports(clients.cloudFormation)).map((e) => e.Name));
  return needed.filter((n) => !existing.has(n.exportName));
}

/**
 * Before the first stack: refuse when the run would exceed a quota (nothing created yet), and
 * create the service-linked roles the templates need that the account lacks (see preflight.ts).
 * The wizard's way; `deploy` takes the same three steps apart (see {@link startRunChecks}).
 */
export async function accountPreflight(ctx: RunContext, global: GlobalOptions): Promise<void> {
  const report = await readAccount(ctx);
  await judgeAccount(ctx, global, report);
  await createMissingRoles(ctx, global, report);
}

/**
 * The account preflight's reads (quotas, service-linked roles, a duplicate EKS admin), at once.
 * Reads only; the run's unchanged checks, when given, answer for the deployed stacks.
 */
export async function readAccount(ctx: RunContext, unchanged?: UnchangedChecks): Promise<PreflightReport> {
  const { preflight } = await import('../deploy/preflight');
  const specs = specsOf(ctx);
  const reads = unchanged && {
    stack: (spec: StackSpec) => unchanged.readOf(spec),
    template: (name: string) => unchanged.deployedTemplate(name),
  };
  // Other regions are plan's to look at (PreflightOptions): a first deploy is not slowed by them.
  const [report] = await Promise.all([
    preflight(ctx.clients, specs, reads, { otherRegions: false, fieldOf: fieldOf(ctx) }),
    refuseDuplicateClusterAdmin(ctx, specs),
  ]);
  return report;
}

/** The params-file field behind a stack's template parameter, for the preflight's refusals. */
export function fieldOf(ctx: RunContext): (stack: string, parameter: string) => string | undefined {
  return (stack, parameter) => ctx.stacks.find((s) => s.name === stack)?.fields[parameter];
}

/**
 * Refuses a run that would exceed a quota ({@link QuotaExceededError}) or asks for a size AWS does
 * not offer there ({@link NotOfferedError}); warns of what could not be checked.
 */
export async function judgeAccount(ctx: RunContext, global: GlobalOptions, report: PreflightReport): Promise<void> {
  const [{ QuotaExceededError }, { NotOfferedError, describeOffering }] = await Promise.all([
    import('../deploy/preflight'),
    import('../deploy/offerings'),
  ]);
  const exceeded = report.quotas.filter((q) => q.exceeded);
  if (exceeded.length) throw new QuotaExceededError(exceeded);
  const notOffered = report.offerings.filter((o) => o.offered === false);
  if (notOffered.length) throw new NotOfferedError(notOffered);
  if (!global.json)
    for (const o of report.offerings.filter((x) => x.unchecked))
      output.warn(`account preflight: ${describeOffering(o)}`);
  if (!global.json)
    for (const q of report.quotas.filter((x) => x.unchecked))
      output.warn(`account preflight: ${q.name} not checked (${q.unchecked})`);
  if (report.rolesUnchecked && !global.json)
    output.warn(`account preflight: service-linked roles not checked (${report.rolesUnchecked})`);
  if ((report.namesakes.length || report.elsewhere.length) && !global.json) {
    const { describeElsewhere, describeNamesake } = await import('../deploy/namesakes');
    for (const n of report.namesakes) output.warn(describeNamesake(n));
    for (const e of report.elsewhere) output.warn(describeElsewhere(e));
  }
}

/** Creates the service-linked roles the report found missing: the one change the preflight makes, once the run goes ahead. */
export async function createMissingRoles(
  ctx: RunContext,
  global: GlobalOptions,
  report: PreflightReport,
): Promise<void> {
  if (!report.missingRoles.length) return;
  const { createServiceLinkedRoles } = await import('../deploy/preflight');
  if (!global.json)
    output.line(
      `account preflight: creating the service-linked role${report.missingRoles.length === 1 ? '' : 's'} of ${report.missingRoles.join(', ')} (a new account has none until first use)`,
    );
  await createServiceLinkedRoles(ctx.clients, report.missingRoles);
}

/** A new EKS cluster's extra admin role must not be the deploying role, which EKS makes admin already. */
async function refuseDuplicateClusterAdmin(ctx: RunContext, specs: StackSpec[]): Promise<void> {
  const { callerArn, duplicateClusterAdmins, CLUSTER_ADMIN_PARAM } = await import('../deploy/preflight');
  const { describeStack } = await import('../deploy/cloudformation');
  const eks = specs.filter((s) => s.parameters[CLUSTER_ADMIN_PARAM]);
  if (!eks.length) return;
  const [caller, found] = await Promise.all([
    callerArn(ctx.clients),
    Promise.all(eks.map((s) => describeStack(ctx.clients.cloudFormation, s.name))),
  ]);
  const existing = new Set(eks.filter((_, i) => found[i]).map((s) => s.name));
  const dup = duplicateClusterAdmins(eks, caller, existing);
  if (!dup.length) return;
  throw CliError.usage(
    `eksCluster.clusterAdminRoleArn in ${ctx.file} is ${dup[0]!.role}, the role this deploy runs as: EKS makes the cluster's creator an admin already, and a second access entry for it fails ("already in use") and rolls ${dup[0]!.stack} back`,
    "leave clusterAdminRoleArn empty (you are admin as the creator), or name another role (e.g. the team's SSO role)",
  );
}

interface DeployAllOptions {
  yes: boolean;
  concurrency: number;
  pollMs?: number;
  /** The run's unchanged checks (see deploy/unchanged.ts). */
  unchanged?: UnchangedChecks;
  /** Service stacks that wait for their image (see ./image-gate.ts). */
  holds?: ImageHolds;
  /** The certificate stack that waits for its domain's delegation (see ./delegation-gate.ts). */
  delegation?: DelegationHold;
  /**
   * The run's first change, made once every check that can refuse the run has passed (the plan's
   * refusals included) and before any stack: the account's missing service-linked roles.
   */
  goAhead?: () => Promise<void>;
  /** The run's plan, when already under way (see ./gates.ts); else it is made here. */
  planned?: Promise<ExportMoves>;
  /** The change sets the plan kept (see deploy/planned.ts). */
  changeSets?: PlannedChangeSets;
  /** `deploy --plan`: each stack's change set held against the plan file's (see DeployOptions.matches). */
  matches?: (stackName: string, plan: ChangeSummary) => EngineError | undefined;
}

/** Per stack: when it started (ms after the run began) and how long it took; for --json and the benchmark. */
export const timings = new Map<string, { startedMs: number; seconds: number }>();

/**
 * The run, after a preflight over every stack (refusals stop it before anything changes): first
 * the importers of exports about to change are pointed at their current values, then the stacks
 * as planned (producers that remove an export still imported keep it for now), then those
 * producers once more, dropping what they kept. See deploy/exports.ts.
 */
export async function deployInPasses(ctx: RunContext, opts: DeployAllOptions): Promise<DeployResult[]> {
  const { preflight } = await import('./preflight');
  const specs = specsOf(ctx);
  const unchanged = opts.unchanged ?? (await unchangedChecks(ctx));
  const run = { ...opts, unchanged };
  const moves = await (opts.planned ?? preflight(ctx, specs, unchanged));
  try {
    return await deployPasses(ctx, { ...run, changeSets: moves.changeSets }, moves);
  } finally {
    // A stack the run did not reach (a failure, Ctrl-C) leaves no change set behind.
    await moves.changeSets.discardAll();
  }
}

async function deployPasses(ctx: RunContext, run: DeployAllOptions, moves: ExportMoves): Promise<DeployResult[]> {
  const { assertDetached } = await import('./preflight');
  const { keepingExports } = await import('../deploy/exports');
  const specs = specsOf(ctx);
  if (run.matches && (moves.detach.length || moves.keep.size))
    throw CliError.refused(
      'this deploy moves exports in use between stacks in several passes, which a plan file does not hold; nothing was changed',
      `deploy it without --plan (\`provision deploy --params ${ctx.file}\` shows and asks for each change set)`,
    );
  await run.goAhead?.();
  if (moves.detach.length) {
    say(
      ctx,
      `Exports about to change are in use: first pointing ${moves.detach.map((s) => s.name).join(', ')} at their current values`,
    );
    const detached = await deployAll(ctx, run, moves.detach);
    if (!detached.every(succeeded)) return detached;
    await assertDetached(ctx, moves);
  }
  const first = specs.map((s) =>
    moves.keep.has(s.name) ? { ...s, templateBody: keepingExports(s.templateBody, moves.keep.get(s.name)!) } : s,
  );
  const results = await deployAll(ctx, run, first);
  if (!moves.keep.size || !results.every(succeeded)) return results;
  say(
    ctx,
    `Importers have moved: removing the exports ${[...moves.keep.values()]
      .flat()
      .map((e) => e.exportName)
      .join(', ')}`,
  );
  const last = await deployAll(
    ctx,
    run,
    specs.filter((s) => moves.keep.has(s.name)),
  );
  return results.map((r) => last.find((l) => l.stackName === r.stackName) ?? r);
}

/**
 * The run's unchanged checks, started for every stack at once, so that an unchanged stack's
 * dependants never wait for its check and a no-op needs no change set (see deploy/unchanged.ts).
 */
export async function unchangedChecks(ctx: RunContext): Promise<UnchangedChecks> {
  const { UnchangedChecks } = await import('../deploy/unchanged');
  return new UnchangedChecks(ctx.clients, specsOf(ctx)).start();
}

/** True when the stack is where the run wanted it: created, updated or already so. */
export function succeeded(r: DeployResult): boolean {
  return ['created', 'updated', 'skipped-unchanged'].includes(r.kind);
}

/**
 * Sets the exit code of a run with a stack not done: 130 when interrupted; 2 when all that is not
 * done was declined at its question (or waits on a stack that was), since a "no" to a question is
 * a refusal, as in every command; else 1. Returns whether all succeeded.
 */
export function setExitCode(results: DeployResult[]): boolean {
  const ok = results.every(succeeded);
  if (ok) return true;
  const interrupted = results.some((r) => r.kind === 'cancelled' || r.kind === 'detached');
  const declinedOnly = results.every(
    (r) =>
      succeeded(r) ||
      r.kind === 'declined' ||
      (r.kind === 'not-run' && /^dependency \S+ (was declined|did not run)$/.test(r.because)),
  );
  process.exitCode = interrupted
    ? ExitCode.Interrupted
    : declinedOnly && results.some((r) => r.kind === 'declined')
      ? ExitCode.Refused
      : ExitCode.Failed;
  return ok;
}

/** The counts of a finished run and why each stack not done is not, then the exit code (see setExitCode). */
export function printSummary(results: DeployResult[]): boolean {
  const ok = results.every(succeeded);
  const count = (k: string) => results.filter((r) => r.kind === k).length;
  output.line();
  output.line(
    `${ok ? c().green('✔') : c().red('✖')} ${count('created')} created, ${count('updated')} updated, ${count('skipped-unchanged')} unchanged` +
      (ok ? '' : `, ${results.length - count('created') - count('updated') - count('skipped-unchanged')} not done`),
  );
  for (const r of results) if (!succeeded(r)) output.line(`  ${r.stackName}: ${describeFailure(r)}`);
  return setExitCode(results);
}

function say(ctx: RunContext, line: string): void {
  if (!ctx.global.json) output.line(c().yellow(line));
}

/** Runs the engine over the context's stacks (or the given specs) with progress; returns one result per stack. */
export async function deployAll(ctx: RunContext, opts: DeployAllOptions, given?: StackSpec[]): Promise<DeployResult[]> {
  const [{ deployStack }, { runGraph }, { lazyArtifactBucket }, { StatusBoard }, { isChangedByAnotherRun }] =
    await Promise.all([
      import('../deploy/stack'),
      import('../deploy/graph'),
      import('../deploy/artifacts'),
      import('../deploy/status-board'),
      import('../deploy/cloudformation'),
    ]);
  // One status read per poll round for all stacks: CloudFormation throttles reads per account.
  const board = new StatusBoard(ctx.clients.cloudFormation, opts.pollMs ? { initialMs: opts.pollMs } : {});
  const specs: StackSpec[] = given ?? specsOf(ctx);
  const progress = new Progress(specs, { json: ctx.global.json, verb: 'deploy' });
  const artifactBucket = lazyArtifactBucket(ctx.clients);
  // The CLI's context traps Ctrl-C for the whole run; the wizard's does not, so trap it here.
  const trap = ctx.signal
    ? undefined
    : trapInterrupt({
        message:
          'no new stacks start; running updates are cancelled (they roll back), running creates go on in CloudFormation. Run the same command again to converge.',
      });
  const signal = (ctx.signal ?? trap?.signal) as AbortSignal;
  const runStart = Date.now();
  progress.start();
  try {
    return await runGraph(
      specs,
      async (spec, signal) => {
        const started = Date.now();
        const held =
          (opts.holds && (await heldResult(ctx, opts.holds, spec.name))) ||
          (await delegationHeld(ctx, opts.delegation, spec.name));
        if (held) return held;
        const attempt = () =>
          deployStack(ctx.clients, spec, {
            events: (e) => progress.event(e),
            artifactBucket,
            board,
            ...(opts.unchanged ? { unchanged: opts.unchanged } : {}),
            ...(opts.changeSets ? { changeSets: opts.changeSets } : {}),
            ...(opts.matches ? { matches: (plan: ChangeSummary) => opts.matches!(spec.name, plan) } : {}),
            ...(signal ? { signal } : {}),
            ...(opts.pollMs ? { poll: { initialMs: opts.pollMs } } : {}),
            ...(opts.yes
              ? {}
              : {
                  confirm: (plan: ChangeSummary) =>
                    progress.confirm(spec.name, `apply these changes to ${spec.name}?`, [
                      summariseChanges(plan),
                      ...plan.changes.map(changeLine),
                    ]),
                }),
            allowRecreate: opts.yes
              ? async () => true
              : (name, status) =>
                  progress.confirm(
                    name,
                    `${name} is ${status} (its first creation failed; it holds no working resources). Delete it and create it again?`,
                    [],
                  ),
          });
        const result = await attempt().catch((err: unknown) => {
          if (!isChangedByAnotherRun(err)) throw err;
          // Another run (another environment sharing this project stack) got there first: wait for
          // its operation to end, then deploy onto the stack as it left it (usually unchanged).
          const why = `again: another run changed it meanwhile: ${(err as Error).message}`;
          progress.event({ type: 'step', stackName: spec.name, step: 'checking', detail: why });
          return attempt();
        });
        timings.set(spec.name, { startedMs: started - runStart, seconds: (Date.now() - started) / 1000 });
        progress.done(spec.name, result);
        return result;
      },
      { concurrency: opts.concurrency, signal },
    ).then((results) => {
      for (const r of results) progress.done(r.stackName, r);
      return results;
    });
  } finally {
    await progress.finish();
    trap?.dispose();
  }
}
