/**
 * What every environment command starts from: the params file, validated; the stacks it plans
 * (optionally narrowed with --only); and the AWS clients, built lazily from the flags, the params
 * file and the SDK's standard chain (in that order).
 */
import type { AwsClients } from '../aws/clients';
import type { StackSpec } from '../deploy/types';
import { environmentId } from '../../templates/kit/names';
import { compactTemplate } from '../../templates/kit/cf';
import { templateNumber } from '../../templates/kit/ids';
import type { PlannedStack } from '../../stages/plan';
import { CliError } from '../cli/errors';
import { trapInterrupt } from '../cli/interrupt';
import { preferProfile, type GlobalOptions } from '../cli/global-options';
import { output } from '../cli/output';
import { loadPlanned, suggest } from '../params/load';
import { editDistance, regionProblem } from '../../stages/check';
import type { ParamsFile } from '../../stages/params';

export interface RunContext {
  file: string;
  params: ParamsFile;
  /** Every stack of the environment, in dependency order. */
  all: PlannedStack[];
  /** The stacks this run works on (all, or those picked with --only). */
  stacks: PlannedStack[];
  global: GlobalOptions;
  /** Built with the run's interrupt: `destroy()` also stops listening for Ctrl-C. */
  clients: AwsClients;
  /** Fires on the first Ctrl-C (see trapInterrupt); absent where the caller handles Ctrl-C itself (the wizard). */
  signal?: AbortSignal;
}

/** Per run context: whether it has gone for its environment's lock (what Ctrl-C then says, see openContext). */
const changingRuns = new WeakMap<RunContext, { changing: boolean }>();

/** `<prefix><environment>`, the name the lock, tags and messages use. */
export function environmentOf(ctx: Pick<RunContext, 'params'>): string {
  return environmentId(ctx.params);
}

/** What a person types to remove this environment's lock. */
export function unlockCommand(ctx: Pick<RunContext, 'file'>): string {
  return `provision unlock --params ${ctx.file}`;
}

/**
 * A `provision` command line to run next for this params file, with the `--profile`, `--region` and
 * `--endpoint-url` this run was given: a command printed without them would act in the params
 * file's region and account instead (and a plan file made with them would be refused there).
 */
export function nextCommand(ctx: Pick<RunContext, 'file' | 'global'>, command: string, ...args: string[]): string {
  const { profile, region, endpointUrl } = ctx.global;
  const where = [
    ...(profile ? ['--profile', profile] : []),
    ...(region ? ['--region', region] : []),
    ...(endpointUrl ? ['--endpoint-url', endpointUrl] : []),
  ];
  return ['provision', command, '--params', ctx.file, ...args, ...where].join(' ');
}

/**
 * Runs `work` holding the environment's run lock (see src/deploy/lock.ts): refused at once with
 * RunLockedError (exit 2) while another run holds it; released however `work` ends. If Ctrl-C's
 * grace period runs out first, the lock stays and its heartbeat stops: the message printed then
 * says how to remove it.
 */
export async function withRunLock<T>(ctx: RunContext, command: string, work: () => Promise<T>): Promise<T> {
  const { RunLock } = await import('../deploy/lock');
  const run = changingRuns.get(ctx);
  if (run) run.changing = true; // from the lock's own call on, Ctrl-C speaks of a run that changes things
  const lock = await RunLock.acquire(ctx.clients, environmentOf(ctx), { command, unlockCommand: unlockCommand(ctx) });
  let failure: unknown;
  try {
    return await work();
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    // After an endpoint stopped answering, trying again would only wait out three more timeouts.
    if ((failure as { code?: unknown } | undefined)?.code === 'EndpointUnreachable')
      warnLockKept(ctx, 'AWS does not answer');
    else
      await lock.release().catch((err: unknown) => warnLockKept(ctx, err instanceof Error ? err.message : String(err)));
  }
}

function warnLockKept(ctx: RunContext, why: string): void {
  process.stderr.write(
    `warning: could not remove the run lock of ${environmentOf(ctx)} (${why}); \`${unlockCommand(ctx)}\` removes it\n`,
  );
}

/** Whether `--only` word `o` names stack `s`: its stage key, its stack name, its template id or that id's number. */
function names(s: PlannedStack, o: string): boolean {
  return o === s.stage || o === s.name || o === s.templateId || o === String(templateNumber(s.templateId));
}

/** The known word `o` was probably meant to be: a few letters off (fewer for a short word), or its start. */
function closeTo(o: string, words: string[]): string | undefined {
  const near = suggest(o, words);
  if (!near) return undefined;
  if (o.length >= 3 && near.toLowerCase().startsWith(o.toLowerCase())) return near;
  return editDistance(o.toLowerCase(), near.toLowerCase()) <= Math.max(1, Math.floor(o.length / 3)) ? near : undefined;
}

/** Picks stacks by stage key (`network`, `service`...), template number (`31`) or stack name. */
export function selectStacks(all: PlannedStack[], only: string[] | undefined): PlannedStack[] {
  if (!only?.length) return all;
  const picked = all.filter((s) => only.some((o) => names(s, o)));
  const unknown = only.filter((o) => !all.some((s) => names(s, o)));
  if (unknown.length) {
    const words = [...new Set(all.flatMap((s) => [s.stage, s.name, s.templateId]))];
    const hints = unknown.flatMap((o) => {
      const near = closeTo(o, words);
      return near ? [`"${o}": did you mean "${near}"?`] : [];
    });
    throw CliError.usage(
      `--only ${unknown.join(', ')}: no such stage or stack in this environment${hints.length ? ` (${hints.join('; ')})` : ''}`,
      `use a stage (${[...new Set(all.map((s) => s.stage))].join(', ')}), a template number, or a stack name (${all.map((s) => s.name).join(', ')})`,
    );
  }
  return picked;
}

export async function openContext(
  file: string | undefined,
  global: GlobalOptions,
  only?: string[],
): Promise<RunContext> {
  if (!file)
    throw CliError.usage(
      '--params FILE is required',
      "pass the environment's params file (see examples/small.yaml), or run `provision` in a terminal for the wizard",
    );
  const { params, all } = loadPlanned(file);
  const region = global.region && regionProblem(global.region);
  if (region)
    throw CliError.usage(`--region: ${region}`, "pass a real region, or leave --region out to use the params file's");
  const stacks = selectStacks(all, only);
  const timeoutMs = parseAwsTimeout(global.awsTimeout);
  const { createClients } = await import('../aws/clients');
  // What Ctrl-C means depends on whether the run changes the environment: only runs that hold its
  // lock do (withRunLock); plan, status, outputs and logs only read.
  const run = { changing: false };
  const changing = () => run.changing;
  const trap = trapInterrupt({
    message: () =>
      changing()
        ? 'AWS calls in flight are abandoned; no new stacks start; running updates are cancelled (they roll back), running creates and deletes go on in CloudFormation. Run the same command again to converge.'
        : 'AWS calls in flight are abandoned; this command changes nothing.',
    leaving: () =>
      changing()
        ? `left without waiting for AWS. If the next run says the environment is busy, \`provision unlock --params ${file}\` removes this run's lock.`
        : undefined,
  });
  // The flag's own case was settled before the command ran (src/cli/main.ts); this is the file's.
  const note = global.profile ? undefined : preferProfile(params.profile, `profile: in ${file}`, process.env);
  if (note) output.warn(note);
  const clients = createClients({
    region: global.region ?? params.region,
    profile: global.profile ?? params.profile,
    ...(global.endpointUrl ? { endpointUrl: global.endpointUrl } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    signal: trap.signal,
  });
  const destroyClients = clients.destroy.bind(clients);
  (clients as { destroy: () => void }).destroy = () => {
    destroyClients();
    trap.dispose();
  };
  const ctx: RunContext = { file, params, all, stacks, global, clients, signal: trap.signal };
  changingRuns.set(ctx, run);
  return ctx;
}

/** The engine's view of a planned stack. Dependencies outside `inRun` are taken as deployed. */
export function toSpec(s: PlannedStack, inRun: Set<string>): StackSpec {
  return {
    name: s.name,
    templateId: s.templateId,
    templateBody: compactTemplate(s.built.template),
    parameters: s.parameters,
    tags: s.tags,
    dependsOn: s.dependsOn.filter((d) => inRun.has(d)),
    capabilities: s.capabilities,
    terminationProtection: s.terminationProtection,
  };
}

const specCache = new WeakMap<PlannedStack[], StackSpec[]>();

/**
 * The engine's view of every stack of the run (see {@link toSpec}), built once per run: each spec
 * serialises its template, and the run's checks, preflight and deploy all ask for them.
 */
export function specsOf(ctx: Pick<RunContext, 'stacks'>): StackSpec[] {
  let specs = specCache.get(ctx.stacks);
  if (!specs) {
    const inRun = new Set(ctx.stacks.map((s) => s.name));
    specs = ctx.stacks.map((s) => toSpec(s, inRun));
    specCache.set(ctx.stacks, specs);
  }
  return [...specs];
}

/** `--aws-timeout SECONDS` in milliseconds (undefined: the default). */
export function parseAwsTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
    throw CliError.usage(
      `--aws-timeout ${value}: give the seconds to wait for an AWS answer, more than 0 and at most 600`,
    );
  return Math.round(seconds * 1000);
}
