/**
 * `provision release --app A --version TAG`: run another image tag. Checks the tag is in the
 * service's ECR repository, changes ONLY the service stack's ImageTag through a change set
 * (template and other parameters as deployed), then follows the ECS rollout until the service is
 * stable. A failed rollout (or the circuit breaker rolling it back) is explained with the stopped
 * tasks' reasons and the latest service events.
 *
 * CloudFormation itself waits for the new tasks while it updates an ECS service, so the rollout is
 * followed while the stack updates, not only afterwards; `--no-wait` returns when the stack update
 * is done. Ctrl-C stops following (the release goes on in AWS) and exits 130.
 */
import { CancelUpdateStackCommand, ExecuteChangeSetCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { pollSeconds } from '../../cli/options';
import { c, output } from '../../cli/output';
import { changeLine } from '../../cli/progress';
import type { ChangeSetRef } from '../../deploy/change-set';
import { AbortedError } from '../../deploy/errors';
import type { PollOptions } from '../../deploy/types';
import { describeStack, isNotCancellable, uniqueName } from '../../deploy/cloudformation';
import { sleep } from '../../deploy/poll';
import { ServiceWatchdog, watchServices, type WatchdogVerdict } from '../../deploy/watchdog';
import { StackEventPoller, rootCause, watchStack } from '../../deploy/events';
import { StackStatus } from '../../deploy/stack-status';
import { appStacks, serviceStack } from '../../ops/locate';
import { assertImageTag, IMAGE_TAG_PATTERN, imageParams, imageTagChangeSet } from '../../ops/release';
import {
  baselineOf,
  describeService,
  describeSnapshot,
  outcomeLines,
  waitForRollout,
  type RolloutOutcome,
  type ServiceRef,
  type StackPhase,
} from '../../ops/rollout';
import { openContext, type RunContext, withRunLock } from '../../run/context';
import { serviceRef } from '../../run/service';
import { SERVICE_LOGICAL_ID } from '../../../templates/service/service';

export interface ReleaseFlags {
  params?: string;
  app?: string;
  extra?: string;
  version?: string;
  yes?: boolean;
  /** commander's `--no-wait`: false when given. */
  wait?: boolean;
  timeout?: string;
  /** First poll interval in seconds (backs off to 10 s). */
  pollInterval?: string;
}

function checkFlags(
  flags: ReleaseFlags,
  global: GlobalOptions,
): { tag: string; timeoutMs: number; poll?: PollOptions } {
  const tag = flags.version ?? '';
  if (!IMAGE_TAG_PATTERN.test(tag))
    throw CliError.usage(
      `--version "${tag}" is not an image tag`,
      'a Docker tag: letters, digits, "_", "." and "-", at most 128 characters, not starting with "." or "-"',
    );
  const minutes = Number(flags.timeout ?? '15');
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw CliError.usage(`--timeout ${flags.timeout}: give a number of minutes above 0`);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !global.json;
  if (!flags.yes && !interactive)
    throw CliError.usage('release needs --yes when it cannot ask (no terminal, or --json)');
  const seconds = pollSeconds(flags.pollInterval);
  return {
    tag,
    timeoutMs: minutes * 60_000,
    ...(seconds ? { poll: { initialMs: seconds * 1000, maxMs: Math.max(seconds * 1000, 10_000) } } : {}),
  };
}

export async function runRelease(flags: ReleaseFlags, global: GlobalOptions): Promise<void> {
  const { tag, timeoutMs, poll } = checkFlags(flags, global);
  const ctx = await openContext(flags.params, global);
  try {
    const planned = serviceStack(appStacks(ctx.all, flags.app, ctx.file), flags.extra, ctx.file);
    const stack = await deployedStack(ctx, planned.name);
    const image = imageParams(stack);
    if (image.publicImage) {
      throw CliError.usage(
        `${planned.name} runs the public image ${image.publicImage}; ImageTag applies only to its ECR repository`,
        `change the service's publicImage in ${ctx.file} and run \`provision deploy\``,
      );
    }
    if (!image.repository)
      throw CliError.usage(`${planned.name} has no RepositoryName, so there is no ECR image to release`);
    if (image.tag === tag) {
      say(
        global,
        { ok: true, stack: planned.name, result: 'unchanged', imageTag: tag },
        `${planned.name} already runs ${image.repository}:${tag}; nothing to release`,
      );
      return;
    }
    await assertImageTag(ctx.clients.ecr, image.repository, tag);
    const ref = await serviceRef(ctx, planned.name);
    const repository = image.repository;
    await withRunLock(ctx, `release --app ${flags.app} --version ${tag}`, () =>
      release(ctx, { stack, ref, from: image.tag, to: tag, repository, timeoutMs, poll, flags }),
    );
  } finally {
    ctx.clients.destroy();
  }
}

function say(global: GlobalOptions, json: Record<string, unknown>, text: string): void {
  if (global.json) output.json(json);
  else output.line(text);
}

/** The service stack, deployed and not busy; else an error saying what to do. */
async function deployedStack(ctx: RunContext, name: string): Promise<Stack> {
  const stack = await describeStack(ctx.clients.cloudFormation, name);
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS') {
    throw new CliError(
      `stack ${name} is not deployed`,
      ExitCode.Refused,
      `deploy the app first: provision deploy --params ${ctx.file}`,
    );
  }
  const status = new StackStatus(stack.StackStatus ?? '', stack.StackStatusReason);
  if (status.isInProgress)
    throw new CliError(
      `stack ${name} is ${status.name}: another operation is running`,
      ExitCode.Refused,
      'wait for it to finish (provision status), then release again',
    );
  if (!status.isStable)
    throw new CliError(
      `stack ${name} is ${status.name} and cannot be updated as it is`,
      ExitCode.Refused,
      `run \`provision deploy --params ${ctx.file}\` to repair it first`,
    );
  return stack;
}

interface Release {
  stack: Stack;
  ref: ServiceRef;
  from: string;
  to: string;
  repository: string;
  timeoutMs: number;
  poll?: PollOptions;
  flags: ReleaseFlags;
}

/** Shows the change set of the ImageTag change and asks; undefined when there is nothing to do or the answer is no. */
async function proposeChange(
  ctx: RunContext,
  r: Release,
  log: (text: string) => void,
): Promise<ChangeSetRef | undefined> {
  const { global } = ctx;
  const cfn = ctx.clients.cloudFormation;
  const name = r.stack.StackName ?? '';
  log(`${name}: ImageTag ${r.from} → ${c().bold(r.to)} (${r.repository}); template and other parameters as deployed`);
  const { ref, outcome } = await imageTagChangeSet(cfn, r.stack, r.to, r.poll);
  if (outcome.kind === 'empty') {
    say(
      global,
      { ok: true, stack: name, result: 'unchanged', imageTag: r.to },
      `${name}: CloudFormation found nothing to change`,
    );
    return undefined;
  }
  for (const ch of outcome.summary.changes) log(`  ${changeLine(ch)}`);
  if (!r.flags.yes && !(await confirm(`release ${r.repository}:${r.to} to ${name}?`))) {
    const { deleteChangeSet } = await import('../../deploy/cloudformation');
    await deleteChangeSet(cfn, ref.stackId, ref.changeSetName);
    say(global, { ok: false, stack: name, result: 'declined' }, 'not released; nothing changed');
    return undefined;
  }
  return ref;
}

async function release(ctx: RunContext, r: Release): Promise<void> {
  const log = (text: string): void => {
    if (!ctx.global.json) output.line(text);
  };
  const ref = await proposeChange(ctx, r, log);
  if (!ref) return;
  const cfn = ctx.clients.cloudFormation;
  const { poll } = r;
  const before = await describeService(ctx.clients.ecs, r.ref);
  const since = new Date();
  const dog = new ServiceWatchdog(
    cfn,
    ctx.clients.ecs,
    ref.stackId,
    [SERVICE_LOGICAL_ID],
    new Date(since.getTime() - 2000),
    Date.now,
    ctx.clients.elbv2,
  );
  await dog.baseline();
  // The context's Ctrl-C trap: the first press stops following (the release goes on), see trapInterrupt.
  const signal = ctx.signal ?? new AbortController().signal;
  const watching = new AbortController();
  try {
    const follow = await followStack(ctx, ref, signal, poll, log);
    const verdict = watchServices(dog, {
      emit: (n) => log(`› ${n.kind === 'service-event' ? `service: ${n.message}` : c().red(n.message)}`),
      signal: watching.signal,
      ...(poll ? { poll } : {}),
    });
    const gaveUp = new AbortController();
    void verdict.then((v) => v && gaveUp.abort());
    let result: RolloutOutcome;
    try {
      result = await waitForRollout(ctx.clients.ecs, r.ref, {
        baseline: baselineOf(before),
        timeoutMs: r.timeoutMs,
        since,
        signal: AbortSignal.any([signal, gaveUp.signal]),
        untilStackComplete: r.flags.wait === false,
        stackPhase: follow.phase,
        onProgress: (s) =>
          log(
            `› service: ${describeSnapshot(s)}${s.rolloutStateReason && s.rolloutState !== 'COMPLETED' ? c().dim(` (${s.rolloutStateReason})`) : ''}`,
          ),
        ...(poll ? { poll } : {}),
      });
    } catch (err) {
      if (!(err instanceof AbortedError) || signal.aborted) throw err;
      return await cancelRelease(ctx, r, ref, follow, (await verdict)!, signal);
    } finally {
      follow.stop();
    }
    report(ctx, r, result);
  } catch (err) {
    if (!(err instanceof AbortedError)) throw err;
    throw new CliError(
      'interrupted: stopped following the release; it goes on in CloudFormation and ECS',
      ExitCode.Interrupted,
      `follow it with \`provision status --params ${ctx.file}\``,
    );
  } finally {
    watching.abort();
  }
}

/**
 * The watchdog's verdict: the release's new tasks keep stopping for one reason. Cancel the stack
 * update (it rolls back to the previous ImageTag) rather than wait for the circuit breaker, wait
 * for the rollback, and say why.
 */
async function cancelRelease(
  ctx: RunContext,
  r: Release,
  ref: ChangeSetRef,
  follow: { phase: () => StackPhase },
  verdict: WatchdogVerdict,
  signal: AbortSignal,
): Promise<void> {
  const cfn = ctx.clients.cloudFormation;
  const name = r.stack.StackName ?? '';
  if (!ctx.global.json)
    output.line(`› ${name}: ${verdict.tasks} new tasks stopped: ${verdict.reason}; cancelling the update`);
  try {
    await cfn.send(new CancelUpdateStackCommand({ StackName: ref.stackId, ClientRequestToken: uniqueName() }));
  } catch (err) {
    if (!isNotCancellable(err)) throw err; // it finished meanwhile: report what it became
  }
  while (follow.phase().kind === 'running') await sleep(1000, signal);
  const settled = await describeStack(cfn, ref.stackId);
  const status = settled?.StackStatus ?? 'UNKNOWN';
  const done = `gave up after ${verdict.seconds} s instead of waiting for the circuit breaker, and cancelled the update (${status}: ${name} runs ImageTag ${r.from} again)`;
  if (ctx.global.json) {
    output.json({
      ok: false,
      stack: name,
      service: r.ref.service,
      repository: r.repository,
      from: r.from,
      to: r.to,
      result: 'cancelled-by-watchdog',
      status,
      watchdog: verdict,
    });
  } else {
    output.line(
      `${c().red('✖')} the release of ${r.repository}:${r.to} failed: ${verdict.tasks} new tasks stopped: ${verdict.reason}; ${done}`,
    );
    if (verdict.hint) output.line(`  fix: ${verdict.hint}`);
  }
  process.exitCode = ExitCode.Failed;
}

async function confirm(message: string): Promise<boolean> {
  const { confirm: ask } = await import('@inquirer/prompts');
  return ask({ message, default: false });
}

/**
 * Executes the change set and follows the stack in the background (its resource events are
 * printed); `phase()` tells the rollout wait where the update is.
 */
async function followStack(
  ctx: RunContext,
  ref: ChangeSetRef,
  signal: AbortSignal,
  poll: PollOptions | undefined,
  log: (t: string) => void,
): Promise<{ phase: () => StackPhase; stop: () => void }> {
  const cfn = ctx.clients.cloudFormation;
  const poller = new StackEventPoller(cfn, ref.stackId, (s) => s);
  await poller.start();
  const before = await describeStack(cfn, ref.stackId);
  await cfn.send(
    new ExecuteChangeSetCommand({
      StackName: ref.stackId,
      ChangeSetName: ref.changeSetName,
      ClientRequestToken: uniqueName(),
    }),
  );
  let phase: StackPhase = { kind: 'running' };
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  void watchStack(cfn, poller, {
    stackName: ref.stackName,
    signal: stop.signal,
    before,
    ...(poll ? { poll } : {}),
    emit: (e) => {
      if (e.type === 'resource')
        log(
          c().dim(
            `› ${e.event.status} ${e.event.logicalId} ${e.event.resourceType}${e.event.reason ? `: ${e.event.reason}` : ''}`,
          ),
        );
    },
  }).then(
    (after) => {
      const status = new StackStatus(after?.StackStatus ?? 'DELETE_COMPLETE', after?.StackStatusReason);
      phase = status.isComplete
        ? { kind: 'complete' }
        : {
            kind: 'failed',
            status: status.name,
            reason: rootCause(poller.events)?.reason ?? after?.StackStatusReason ?? '',
          };
    },
    (err) => {
      if (!(err instanceof AbortedError))
        phase = { kind: 'failed', status: 'UNKNOWN', reason: err instanceof Error ? err.message : String(err) };
    },
  );
  return {
    phase: () => phase,
    stop: () => stop.abort(),
  };
}

/** Says how the release ended (with the diagnosis when it failed) and sets the exit code. */
function report(ctx: RunContext, r: Release, result: RolloutOutcome): void {
  const name = r.stack.StackName ?? '';
  const ok = result.kind === 'stable' || result.kind === 'stack-complete';
  if (ctx.global.json) {
    output.json({
      ok,
      stack: name,
      service: r.ref.service,
      repository: r.repository,
      from: r.from,
      to: r.to,
      result: result.kind,
      ...('snapshot' in result && result.snapshot ? { rollout: result.snapshot } : {}),
      ...('stack' in result && result.stack ? { stackPhase: result.stack } : {}),
      ...('diagnosis' in result ? { diagnosis: result.diagnosis } : {}),
    });
  } else {
    const [first, ...rest] = outcomeLines(result, {
      stack: name,
      repository: r.repository,
      from: r.from,
      to: r.to,
      timeoutMs: r.timeoutMs,
      file: ctx.file,
    });
    output.line(`${ok ? c().green('✔') : c().red('✖')} ${first}`);
    for (const line of rest) output.line(line);
  }
  if (!ok) process.exitCode = ExitCode.Failed;
}
