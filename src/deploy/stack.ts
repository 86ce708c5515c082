/**
 * Deploying one stack: `deployStack` is a short run of early returns (settle the stack's state,
 * skip when unchanged, make a change set, confirm, execute, watch) handing off to small helpers.
 * `planStack` stops after the change set and deletes it (or keeps it for the deploy, see planned.ts).
 *
 * Every stack status has a known path (see stack-status.ts); "no changes" is a result; failures
 * come back as results with their root cause; an abort (Ctrl-C) cancels an update or detaches
 * from a create, and a re-run converges from whatever state that leaves.
 */
import {
  CancelUpdateStackCommand,
  ContinueUpdateRollbackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  UpdateTerminationProtectionCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { activeResources, pseudoFor } from '../../stages/check';
import type { AwsClients } from '../aws/clients';
import { findAdoptions, importTemplate, type Adoption } from './adopt';
import { INLINE_TEMPLATE_LIMIT, uploadTemplate } from './artifacts';
import { createChangeSet, waitForChangeSet, type ChangeSetRef, type TemplateSource } from './change-set';
import {
  deleteChangeSet,
  describeStack,
  isNotCancellable,
  isOursToDelete,
  listChangeSets,
  listOwnChangeSets,
  outputsOf,
  uniqueName,
} from './cloudformation';
import { exportChanges, type ExportChange } from './exports';
import { inputOf, versionOf, type HeldChangeSet, type PlannedChangeSets } from './planned';
import { deployRecords } from './records';
import { markRefusals, refusedChanges, fixedSettingChanges, withParametersBehind } from './refusals';
import {
  AbortedError,
  AdoptionBlockedError,
  ChangeSetFailedError,
  CustomNameReplacementError,
  type EngineError,
  FixedSettingError,
  RecreateRefusedError,
  RollbackFailedError,
  StackStateError,
  TemplateTooLargeError,
} from './errors';
import { StackEventPoller, rootCause, watchStack } from './events';
import { applyNewSecretPassword, settleRestore, type RestoredStore } from './restore';
import { StackStatus } from './stack-status';
import type { StatusBoard } from './status-board';
import { ServiceWatchdog, serviceLogicalIds, watchServices } from './watchdog';
import { maskerFor, parseTemplate, type Masker } from './template';
import { isUnchanged, ssmReader, type UnchangedChecks } from './unchanged';
import type {
  ChangeSummary,
  DeployEvent,
  DeployResult,
  DeployStep,
  PollOptions,
  StackSpec,
  WatchdogVerdict,
} from './types';

export interface DeployOptions {
  /** Progress: steps, the plan, and every new resource event (secrets masked). */
  events?: (e: DeployEvent) => void;
  /** Asked with the plan before executing; false deletes the change set. @default execute without asking */
  confirm?: (plan: ChangeSummary) => Promise<boolean>;
  /** Name of a bucket for templates over 51,200 bytes (see ensureArtifactBucket); called only when needed. */
  artifactBucket?: () => Promise<string>;
  /**
   * Asked before deleting a stack whose creation failed (ROLLBACK_COMPLETE, ROLLBACK_FAILED) so it
   * can be created again. Such a stack holds no working resources. @default allow
   */
  allowRecreate?: (stackName: string, status: string) => Promise<boolean>;
  poll?: PollOptions;
  /** Status reads shared by every stack of the run (see StatusBoard). @default one per stack */
  board?: StatusBoard;
  /** The run's unchanged checks, started together (see unchanged.ts). @default each stack checks itself */
  unchanged?: UnchangedChecks;
  /** The change sets the run's plan made and kept (see planned.ts): an update executes its own. @default none */
  changeSets?: PlannedChangeSets;
  /**
   * Held against every change set before it is executed (`deploy --plan`): an error instead of
   * executing it (the change set is deleted, the error thrown). @default execute what CloudFormation computed
   */
  matches?: (plan: ChangeSummary) => EngineError | undefined;
  /** Ctrl-C: cancels an executing update (it rolls back), detaches from an executing create. */
  signal?: AbortSignal;
}

/** What one deploy needs at hand, built once per call. */
interface Ctx {
  clients: AwsClients;
  cfn: CloudFormationClient;
  spec: StackSpec;
  mask: Masker;
  opts: DeployOptions;
  emit: (e: DeployEvent) => void;
  step: (step: DeployStep, detail?: string) => void;
}

function contextFor(clients: AwsClients, spec: StackSpec, opts: DeployOptions): Ctx {
  const emit = opts.events ?? (() => undefined);
  return {
    clients,
    cfn: clients.cloudFormation,
    spec,
    mask: maskerFor(spec),
    opts,
    emit,
    step: (step, detail) =>
      emit({ type: 'step', stackName: spec.name, step, ...(detail === undefined ? {} : { detail }) }),
  };
}

/**
 * Creates or updates one stack through a change set and waits for the result. Throws only for
 * conditions that stop the stack before CloudFormation ran anything (typed EngineErrors such as
 * {@link RecreateRefusedError}, {@link ChangeSetFailedError}, or SDK errors); a CloudFormation
 * failure is a `failed` result with its root cause.
 */
export async function deployStack(
  clients: AwsClients,
  spec: StackSpec,
  opts: DeployOptions = {},
): Promise<DeployResult> {
  const ctx = contextFor(clients, spec, opts);
  try {
    return await deploySteps(ctx);
  } catch (err) {
    // Interrupted before anything of ours was executing (waiting on another operation, deleting a
    // failed create): nothing to cancel, and a re-run picks up from the stack's state.
    if (err instanceof AbortedError) return { kind: 'cancelled', stackName: spec.name };
    // An SDK error may quote what it was sent (a parameter value): mask before it travels on.
    if (err instanceof Error) err.message = ctx.mask(err.message);
    throw err;
  }
}

async function deploySteps(ctx: Ctx): Promise<DeployResult> {
  ctx.step('checking');
  const same = await ctx.opts.unchanged?.lookup(ctx.spec).catch(() => undefined);
  if (same) return skipped(ctx, same);
  ctx.opts.unchanged?.forget(ctx.spec.name); // what follows may change the stack
  let stack = await settle(ctx);
  if (stack && new StackStatus(stack.StackStatus ?? '').isCreationFailure) stack = await recreate(ctx, stack);
  let reviewing = !!stack && new StackStatus(stack.StackStatus ?? '').isReviewInProgress;
  const restore = await settleRestore(ctx.clients, ctx.spec, stack && !reviewing ? stack : undefined);
  ctx.spec = restore.spec;
  if (stack && !reviewing) refuseFixedSettings(ctx, stack);
  if (!stack || reviewing) {
    const adopted = await adopt(ctx);
    if (adopted && 'kind' in adopted) return adopted;
    // The import is what the plan showed as adopted; what follows it was not planned as an update.
    if (adopted) [stack, reviewing, ctx.opts] = [adopted, false, { ...ctx.opts, matches: undefined }];
  }
  // A change set the plan made for this very update says there are changes: no need to read the template again.
  const planned = !!stack && !reviewing && !!ctx.opts.changeSets?.standsFor(ctx.spec, stack);
  if (stack && !reviewing && !planned && (await unchanged(ctx, stack))) return skipped(ctx, stack);
  if (stack) await cleanChangeSets(ctx, stack);
  const result = await changeAndExecute(ctx, stack && !reviewing ? 'UPDATE' : 'CREATE', stack);
  if (restore.restoresFrom && result.kind === 'created' && restore.store === 'cache') {
    ctx.step('restored-cache', `from ${restore.restoresFrom}`); // the AUTH token is the new stack's already
  } else if (restore.restoresFrom && result.kind === 'created') {
    ctx.step('restoring', `from ${restore.restoresFrom}: setting the new secret's password`);
    await applyNewSecretPassword(ctx.clients, ctx.spec, result.outputs);
  }
  return result;
}

async function changeAndExecute(ctx: Ctx, type: 'CREATE' | 'UPDATE', stack: Stack | undefined): Promise<DeployResult> {
  const held = type === 'UPDATE' && stack ? await ctx.opts.changeSets?.take(ctx.spec, stack) : undefined;
  if (held) return executePlanned(ctx, held, stack);
  const template = await templateSource(ctx);
  ctx.step('creating-change-set', type === 'CREATE' ? 'new stack' : undefined);
  const ref = await createChangeSet(ctx.cfn, ctx.spec, type, template);
  // With nothing to confirm, what executing reads first goes out while the change set is computed.
  const ahead = ctx.opts.confirm ? undefined : beforeExecuting(ctx, ref);
  void ahead?.catch(() => undefined); // awaited by execute; unused when there is nothing to execute
  let outcome;
  try {
    outcome = await waitForChangeSet(ctx.cfn, ref, ctx.mask, ctx.opts.poll, ctx.opts.signal);
  } catch (err) {
    await discard(ctx, ref);
    if (err instanceof AbortedError) return { kind: 'cancelled', stackName: ctx.spec.name, status: stack?.StackStatus };
    throw err;
  }
  if (outcome.kind === 'empty') return skipped(ctx, stack ?? (await describeStack(ctx.cfn, ref.stackId)));
  const plan = judged(ctx, outcome.summary, stack);
  if (refusedChanges(plan).length) {
    await discard(ctx, ref);
    throw new CustomNameReplacementError(ctx.spec.name, refusedChanges(plan));
  }
  await refuseUnplanned(ctx, ref, plan);
  ctx.emit({ type: 'plan', stackName: ctx.spec.name, plan });
  if (ctx.opts.confirm && !(await ctx.opts.confirm(plan))) {
    await discard(ctx, ref);
    return { kind: 'declined', stackName: ctx.spec.name, plan, stackExists: type === 'UPDATE' };
  }
  return execute(ctx, ref, plan, ahead);
}

/**
 * A change set's changes as deploy and plan show them: each line the update may not make marked
 * refused (refusals.ts), and on a deployed stack the template parameters behind each change.
 */
function judged(ctx: Ctx, summary: ChangeSummary, stack: Stack | undefined): ChangeSummary {
  const marked = markRefusals(summary, ctx.spec.templateBody);
  return stack ? withParametersBehind(marked, ctx.spec, stack) : marked;
}

/** Executes the change set the plan made for this very update (see planned.ts), after the confirmation. */
async function executePlanned(ctx: Ctx, held: HeldChangeSet, stack: Stack | undefined): Promise<DeployResult> {
  ctx.step('planned-change-set');
  await refuseUnplanned(ctx, held.ref, held.plan);
  ctx.emit({ type: 'plan', stackName: ctx.spec.name, plan: held.plan });
  if (ctx.opts.confirm && !(await ctx.opts.confirm(held.plan))) {
    await discard(ctx, held.ref);
    return { kind: 'declined', stackName: ctx.spec.name, plan: held.plan, stackExists: true };
  }
  return execute(ctx, held.ref, held.plan, beforeExecuting(ctx, held.ref, stack));
}

/** A change set other than the one a plan file showed is deleted, not executed (DeployOptions.matches). */
async function refuseUnplanned(ctx: Ctx, ref: ChangeSetRef, plan: ChangeSummary): Promise<void> {
  const drift = ctx.opts.matches?.(plan);
  if (!drift) return;
  await discard(ctx, ref);
  throw drift;
}

/** What execute reads before ExecuteChangeSet: the events' marker and the stack as it is. */
interface BeforeExecuting {
  poller: StackEventPoller;
  before: Stack | undefined;
}

/**
 * The reads execute needs before it starts the change set, at the same time. Nothing happens to
 * the stack while its change set is computed, so they may be read during that wait.
 */
async function beforeExecuting(ctx: Ctx, ref: ChangeSetRef, known?: Stack): Promise<BeforeExecuting> {
  const poller = new StackEventPoller(ctx.cfn, ref.stackId, ctx.mask);
  const [, before] = await Promise.all([poller.start(), known ?? describeStack(ctx.cfn, ref.stackId)]);
  return { poller, before };
}

/** A parameter fixed after creation may not change (see refusals.ts); checked before any change set. */
function refuseFixedSettings(ctx: Ctx, stack: Stack): void {
  const changes = fixedSettingChanges(ctx.spec, stack);
  if (changes.length) throw new FixedSettingError(ctx.spec.name, changes);
}

/**
 * A stack about to be created whose contract-named resources an earlier stack kept (see
 * adopt.ts): imports them first, so the full template then goes through as an update. Returns
 * the stack after the import, a result when the import did not complete, or undefined when
 * there is nothing to adopt.
 */
async function adopt(ctx: Ctx): Promise<Stack | DeployResult | undefined> {
  const adoptions = await findAdoptions(ctx.clients, ctx.spec);
  if (adoptions.length === 0) return undefined;
  ctx.step('adopting', adoptions.map((a) => `${a.resourceType} ${a.physicalId}`).join(', '));
  const ref = await createChangeSet(
    ctx.cfn,
    ctx.spec,
    'IMPORT',
    { TemplateBody: importTemplate(ctx.spec.templateBody, adoptions) },
    adoptions,
  );
  let outcome;
  try {
    outcome = await waitForChangeSet(ctx.cfn, ref, ctx.mask, ctx.opts.poll, ctx.opts.signal);
  } catch (err) {
    await discard(ctx, ref);
    if (err instanceof AbortedError) return { kind: 'cancelled', stackName: ctx.spec.name };
    throw err;
  }
  if (outcome.kind === 'empty') return undefined;
  ctx.emit({ type: 'plan', stackName: ctx.spec.name, plan: outcome.summary });
  if (ctx.opts.confirm && !(await ctx.opts.confirm(outcome.summary))) {
    await discard(ctx, ref);
    return { kind: 'declined', stackName: ctx.spec.name, plan: outcome.summary, stackExists: false };
  }
  const result = await execute(ctx, ref, outcome.summary);
  return result.kind === 'updated' ? describeStack(ctx.cfn, ref.stackId) : result;
}

/**
 * Brings the stack to a state a deploy can start from: waits out running operations (showing
 * their events: "attach"), and continues a failed update rollback once. Returns undefined when
 * there is no stack. Throws AbortedError when the signal fires while waiting.
 */
async function settle(ctx: Ctx): Promise<Stack | undefined> {
  let stack = await describeStack(ctx.cfn, ctx.spec.name);
  let rollbackContinued = false;
  for (;;) {
    if (!stack) return undefined;
    const status = new StackStatus(stack.StackStatus ?? '', stack.StackStatusReason);
    switch (status.next) {
      case 'wait':
        ctx.step('waiting', status.name);
        stack = await attach(ctx, stack);
        break;
      case 'continue-rollback':
        if (rollbackContinued)
          throw new RollbackFailedError(ctx.spec.name, status.name, ctx.mask(stack.StackStatusReason ?? ''));
        rollbackContinued = true;
        stack = await continueRollback(ctx, stack);
        break;
      case 'needs-attention':
        throw new StackStateError(
          ctx.spec.name,
          status.name,
          hintFor(status.name),
          ctx.mask(stack.StackStatusReason ?? ''),
        );
      case 'create':
        return undefined;
      default:
        return stack;
    }
  }
}

function hintFor(status: string): string {
  return status === 'DELETE_FAILED'
    ? 'see which resource could not be deleted (its event in the console), deal with it, then run destroy again'
    : 'resolve it in the CloudFormation console, then run again';
}

/** Follows the stack with this run's settings until it settles (the run's signal unless another is given). */
function follow(ctx: Ctx, poller: StackEventPoller, before: Stack | undefined, signal = ctx.opts.signal) {
  return watchStack(ctx.cfn, poller, {
    stackName: ctx.spec.name,
    emit: ctx.emit,
    poll: ctx.opts.poll,
    board: ctx.opts.board,
    signal,
    before,
  });
}

/** Follows an operation already running (not ours) until the stack settles. */
async function attach(ctx: Ctx, stack: Stack): Promise<Stack | undefined> {
  const poller = new StackEventPoller(ctx.cfn, stack.StackId ?? ctx.spec.name, ctx.mask);
  await poller.start();
  return follow(ctx, poller, undefined);
}

/** UPDATE_ROLLBACK_FAILED: ask CloudFormation to finish the rollback, and wait for it. */
async function continueRollback(ctx: Ctx, stack: Stack): Promise<Stack | undefined> {
  ctx.step('continuing-rollback');
  const poller = new StackEventPoller(ctx.cfn, stack.StackId ?? ctx.spec.name, ctx.mask);
  await poller.start();
  await ctx.cfn.send(
    new ContinueUpdateRollbackCommand({ StackName: stack.StackId ?? ctx.spec.name, ClientRequestToken: uniqueName() }),
  );
  const after = await follow(ctx, poller, stack);
  if (after?.StackStatus === 'UPDATE_ROLLBACK_FAILED') {
    throw new RollbackFailedError(
      ctx.spec.name,
      after.StackStatus,
      rootCause(poller.events)?.reason ?? ctx.mask(after.StackStatusReason ?? ''),
    );
  }
  return after;
}

/** A failed create can only be deleted; do that (when allowed) so the stack can be created anew. */
async function recreate(ctx: Ctx, stack: Stack): Promise<undefined> {
  const status = stack.StackStatus ?? '';
  const allowed = ctx.opts.allowRecreate ? await ctx.opts.allowRecreate(ctx.spec.name, status) : true;
  if (!allowed) throw new RecreateRefusedError(ctx.spec.name, status);
  ctx.step('deleting-failed-stack', status);
  const stackId = stack.StackId ?? ctx.spec.name;
  const poller = new StackEventPoller(ctx.cfn, stackId, ctx.mask);
  await poller.start();
  await ctx.cfn.send(new DeleteStackCommand({ StackName: stackId, ClientRequestToken: uniqueName() }));
  const after = await follow(ctx, poller, stack);
  if (after) {
    const reason = rootCause(poller.events)?.reason ?? ctx.mask(after.StackStatusReason ?? '');
    throw new StackStateError(ctx.spec.name, after.StackStatus ?? '', hintFor(after.StackStatus ?? ''), reason);
  }
  return undefined;
}

/** See unchanged.ts: no change set when template, parameters (SSM ones by value) and tags are as deployed. */
function unchanged(ctx: Ctx, stack: Stack): Promise<boolean> {
  return isUnchanged(ctx.cfn, ctx.spec, stack, ssmReader(ctx.clients));
}

async function skipped(ctx: Ctx, stack: Stack | undefined): Promise<DeployResult> {
  if (stack) await protect(ctx, stack);
  return { kind: 'skipped-unchanged', stackName: ctx.spec.name, outputs: outputsOf(stack) };
}

/**
 * Change sets this tool left behind (an interrupted run) would pile up; delete them first. Only
 * this run's and abandoned ones (see isOursToDelete): another run's may be in use right now (a
 * plan reading its change set).
 */
async function cleanChangeSets(ctx: Ctx, stack: Stack): Promise<void> {
  const kept = ctx.opts.changeSets?.nameFor(ctx.spec.name);
  const stale = (await listOwnChangeSets(ctx.cfn, stack)).filter(
    (cs) => isOursToDelete(cs) && cs.ChangeSetName !== kept,
  );
  if (stale.length === 0) return;
  ctx.step('cleaning-change-sets', `${stale.length} left from an earlier run`);
  for (const cs of stale) await deleteChangeSet(ctx.cfn, stack.StackId ?? ctx.spec.name, cs.ChangeSetName ?? '');
}

/** Inline when it fits, else through the artifact bucket (TemplateTooLargeError without one). */
async function templateSource(ctx: Ctx): Promise<TemplateSource> {
  const bytes = Buffer.byteLength(ctx.spec.templateBody, 'utf8');
  if (bytes <= INLINE_TEMPLATE_LIMIT) return { TemplateBody: ctx.spec.templateBody };
  if (!ctx.opts.artifactBucket) throw new TemplateTooLargeError(ctx.spec.name, bytes, INLINE_TEMPLATE_LIMIT);
  ctx.step('uploading-template', `${bytes} bytes`);
  const bucket = await ctx.opts.artifactBucket();
  return { TemplateURL: await uploadTemplate(ctx.clients, bucket, ctx.spec.templateBody) };
}

/**
 * Removes a change set that will not run. A CREATE (or IMPORT) change set made its stack
 * (REVIEW_IN_PROGRESS, no resources), which goes too, so that nothing is left behind; but only
 * while it is still that: another run (an environment sharing this project stack) may have made
 * its own change set on the same stack meanwhile, or executed it, which also deletes this run's.
 * Deleting the stack then would delete the other run's stack under it. So the change set goes
 * first, and the stack only when it is still under review and holds no change set at all.
 */
async function discard(ctx: Ctx, ref: ChangeSetRef): Promise<void> {
  await deleteChangeSet(ctx.cfn, ref.stackId, ref.changeSetName);
  if (ref.type === 'UPDATE') return;
  const stack = await describeStack(ctx.cfn, ref.stackId);
  if (stack?.StackStatus !== 'REVIEW_IN_PROGRESS') return;
  if ((await listChangeSets(ctx.cfn, stack)).length) return;
  await ctx.cfn.send(new DeleteStackCommand({ StackName: ref.stackId }));
}

async function execute(
  ctx: Ctx,
  ref: ChangeSetRef,
  plan: ChangeSummary,
  ahead?: Promise<BeforeExecuting>,
): Promise<DeployResult> {
  // Independent reads, at the same time: the events' marker, the stack before (unless read
  // already), and the services' baseline, taken now: a task that stopped earlier is not ours.
  const [{ poller, before }, dog] = await Promise.all([ahead ?? beforeExecuting(ctx, ref), watchdogFor(ctx, ref)]);
  ctx.step('executing', `${plan.changes.length} change(s)`);
  const token = uniqueName();
  const sent = await ctx.cfn
    .send(
      new ExecuteChangeSetCommand({
        StackName: ref.stackId,
        ChangeSetName: ref.changeSetName,
        ClientRequestToken: token,
      }),
    )
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof AbortedError) return false;
        throw err;
      },
    );
  if (!sent) return executeAbandoned(ctx, ref);
  const watching = new AbortController();
  const verdict = dog
    ? watchServices(dog, {
        emit: (notice) => ctx.emit({ type: 'service', stackName: ctx.spec.name, notice }),
        poll: ctx.opts.poll,
        signal: watching.signal,
      })
    : undefined;
  const stopStack = new AbortController();
  void verdict?.then((v) => v && stopStack.abort());
  const signal = ctx.opts.signal ? AbortSignal.any([ctx.opts.signal, stopStack.signal]) : stopStack.signal;
  let after: Stack | undefined;
  try {
    after = await follow(ctx, poller, before, signal);
  } catch (err) {
    if (!(err instanceof AbortedError)) throw err;
    if (ctx.opts.signal?.aborted) return interrupt(ctx, ref);
    return giveUp(ctx, ref, poller, (await verdict)!);
  } finally {
    watching.abort();
  }
  const status = new StackStatus(after?.StackStatus ?? 'DELETE_COMPLETE', after?.StackStatusReason);
  if (after && status.isComplete) {
    // This body is what the stack holds as of this (StackId, time): a re-run need not read it back.
    // Unless another operation ran on the stack while we watched: then that time may be its.
    const foreign = poller.events.some((e) => e.clientRequestToken && e.clientRequestToken !== token);
    if (ref.type !== 'IMPORT' && !foreign) deployRecords().remember(after, ctx.spec.templateBody);
    await protect(ctx, after);
    return {
      kind: ref.type === 'CREATE' ? 'created' : 'updated',
      stackName: ctx.spec.name,
      changes: plan.changes,
      outputs: outputsOf(after),
    };
  }
  await dropExecuted(ctx, ref);
  return {
    kind: 'failed',
    stackName: ctx.spec.name,
    status: status.name,
    rootCause: rootCause(poller.events),
    statusReason: status.reason === undefined ? undefined : ctx.mask(status.reason),
  };
}

/**
 * A failed update's change set stays on the stack, EXECUTE_FAILED, where a successful one is
 * removed; nothing can run it again, so it goes now rather than at a later run's clean-up (which
 * spares another run's change sets for a day). Best effort: the failure is what the run reports.
 */
async function dropExecuted(ctx: Ctx, ref: ChangeSetRef): Promise<void> {
  if (ref.type !== 'UPDATE') return;
  await deleteChangeSet(ctx.cfn, ref.stackId, ref.changeSetName).catch(() => undefined);
}

/** A watchdog when the template has ECS services (their stack waits for the tasks); else none. */
async function watchdogFor(ctx: Ctx, ref: ChangeSetRef): Promise<ServiceWatchdog | undefined> {
  const services = serviceLogicalIds(parseTemplate(ctx.spec.templateBody));
  if (!services.length) return undefined;
  // A little slack for clock skew between this machine and ECS's stoppedAt.
  const dog = new ServiceWatchdog(
    ctx.cfn,
    ctx.clients.ecs,
    ref.stackId,
    services,
    new Date(Date.now() - 2000),
    Date.now,
    ctx.clients.elbv2,
  );
  if (ref.type === 'UPDATE') await dog.baseline();
  return dog;
}

/**
 * The service's new tasks keep stopping for one reason: end the wait instead of sitting out the
 * circuit breaker. An update is cancelled (it rolls back to what ran before); a create cannot be
 * cancelled, so the stack is deleted (it held nothing that worked). Then the stack is followed
 * until it settles, and the result names the tasks' reason.
 */
async function giveUp(
  ctx: Ctx,
  ref: ChangeSetRef,
  poller: StackEventPoller,
  verdict: WatchdogVerdict,
): Promise<DeployResult> {
  ctx.step('stopping-failed-service', `${verdict.tasks} tasks stopped: ${verdict.reason}`);
  const action = ref.type === 'UPDATE' ? 'cancelled-update' : 'deleted-create';
  const current = await describeStack(ctx.cfn, ref.stackId);
  try {
    if (action === 'cancelled-update')
      await ctx.cfn.send(new CancelUpdateStackCommand({ StackName: ref.stackId, ClientRequestToken: uniqueName() }));
    else await ctx.cfn.send(new DeleteStackCommand({ StackName: ref.stackId, ClientRequestToken: uniqueName() }));
  } catch (err) {
    if (!isNotCancellable(err)) throw err; // the update finished meanwhile: follow it to its end
  }
  const after = await follow(ctx, poller, current);
  const status = after?.StackStatus ?? 'DELETE_COMPLETE';
  if (after && new StackStatus(status).isComplete) {
    return {
      kind: ref.type === 'CREATE' ? 'created' : 'updated',
      stackName: ctx.spec.name,
      changes: [],
      outputs: outputsOf(after),
    };
  }
  return { kind: 'failed', stackName: ctx.spec.name, status, gaveUp: { ...verdict, action } };
}

/**
 * Ctrl-C with ExecuteChangeSet on its way: CloudFormation may or may not have it. A change set
 * still AVAILABLE was not run: it is removed (as {@link discard} does; a change set the plan kept
 * is no longer the run's to clean up at its end) and nothing ran. Otherwise it runs (or ran): as
 * {@link interrupt}. Should the request land after the deletion, CloudFormation refuses it.
 */
async function executeAbandoned(ctx: Ctx, ref: ChangeSetRef): Promise<DeployResult> {
  const waiting = await ctx.cfn
    .send(new DescribeChangeSetCommand({ StackName: ref.stackId, ChangeSetName: ref.changeSetName }))
    .then(
      (cs) => cs.ExecutionStatus === 'AVAILABLE',
      () => false,
    );
  if (waiting) {
    const removed = await discard(ctx, ref).then(
      () => true,
      () => false, // executing after all (a deletion is refused then): as below
    );
    if (removed) return { kind: 'cancelled', stackName: ctx.spec.name };
  }
  return interrupt(ctx, ref);
}

/** Ctrl-C while our change set runs: cancel an update (it rolls back); leave a create running. */
async function interrupt(ctx: Ctx, ref: ChangeSetRef): Promise<DeployResult> {
  if (ref.type === 'CREATE') return { kind: 'detached', stackName: ctx.spec.name, status: 'CREATE_IN_PROGRESS' };
  ctx.step('cancelling');
  try {
    await ctx.cfn.send(new CancelUpdateStackCommand({ StackName: ref.stackId, ClientRequestToken: uniqueName() }));
    return { kind: 'cancelled', stackName: ctx.spec.name, status: 'UPDATE_ROLLBACK_IN_PROGRESS' };
  } catch (err) {
    // Past the point of no return (cleanup running): the update will complete on its own.
    if (!isNotCancellable(err)) throw err;
    const now = await describeStack(ctx.cfn, ref.stackId);
    return { kind: 'detached', stackName: ctx.spec.name, status: now?.StackStatus ?? 'UNKNOWN' };
  }
}

/** Sets termination protection when the spec asks for a value the stack does not have. */
async function protect(ctx: Ctx, stack: Stack): Promise<void> {
  const want = ctx.spec.terminationProtection;
  if (want === undefined || (stack.EnableTerminationProtection ?? false) === want) return;
  ctx.step('termination-protection', want ? 'on' : 'off');
  await ctx.cfn.send(
    new UpdateTerminationProtectionCommand({
      StackName: stack.StackId ?? ctx.spec.name,
      EnableTerminationProtection: want,
    }),
  );
}

/** What `provision plan` shows for one stack. */
export type PlanResult =
  | { kind: 'unchanged'; stackName: string }
  /**
   * `plan.type` is `create` for a new stack; `deletesFailedStack` names the failed status removed
   * first; `restoresFrom` the snapshot a new database or cache (`store`) starts from
   * (`noSnapshotOf`: `latest` found none for that store, so it starts empty).
   */
  | {
      kind: 'changes';
      plan: ChangeSummary;
      deletesFailedStack?: string;
      restoresFrom?: string;
      noSnapshotOf?: string;
      store?: RestoredStore;
      /** CloudFormation would refuse the update (a custom-named resource replaced); deploy refuses it first. */
      refused?: CustomNameReplacementError;
      /** Exports the update changes or removes, with the stacks importing each. */
      exports?: ExportChange[];
      /** The update's change set, kept for the deploy (PlanOptions.keep): the caller's to use or delete. */
      held?: HeldChangeSet;
    }
  /** A change this stack cannot take (a setting fixed after creation); deploy refuses it. */
  | { kind: 'refused'; stackName: string; error: EngineError }
  /** No plan can be computed now: the stack is busy or stuck, or CloudFormation rejected the change set. */
  | { kind: 'not-plannable'; stackName: string; reason: string; status?: string };

export interface PlanOptions {
  artifactBucket?: () => Promise<string>;
  /**
   * Awaited before the plan's change set is created (its only write): deploy plans while its
   * other checks still read, and lets change sets be made only once none of them refused the run.
   * A rejection stops the plan there. @default go ahead
   */
  beforeChangeSet?: () => Promise<void>;
  /** The run's unchanged checks, started together (see unchanged.ts). @default each stack checks itself */
  unchanged?: UnchangedChecks;
  /**
   * Keep an update's change set for the deploy that follows (returned as `held`, see planned.ts)
   * rather than deleting it; one that CloudFormation would refuse, or that changes exports, is
   * deleted as before. @default delete it
   */
  keep?: boolean;
  poll?: PollOptions;
  signal?: AbortSignal;
}

/**
 * The plan for one stack without changing it. An existing stack gets a change set that is read
 * and deleted (or kept for the deploy that follows: PlanOptions.keep). A new stack is planned from its template (every resource an Add) rather than by a
 * change set, because CloudFormation rejects a new stack's change set while the exports it
 * imports do not exist yet, which is the normal case for a fresh environment.
 */
export async function planStack(clients: AwsClients, spec: StackSpec, opts: PlanOptions = {}): Promise<PlanResult> {
  const ctx = contextFor(clients, spec, opts);
  // The run's check, when it answered, stands for the stack as it read it (readOf, below).
  const checked = await opts.unchanged?.lookup(spec).then(
    (same) => (same ? 'unchanged' : 'changed'),
    () => undefined,
  );
  if (checked === 'unchanged') return { kind: 'unchanged', stackName: spec.name };
  const stack = opts.unchanged ? await opts.unchanged.readOf(spec) : await describeStack(ctx.cfn, spec.name);
  const status = new StackStatus(stack?.StackStatus ?? 'DELETE_COMPLETE', stack?.StackStatusReason);
  const creating = !stack || status.isDeleted || status.isReviewInProgress || status.isCreationFailure;
  const restore = await settleRestore(clients, spec, creating ? undefined : stack);
  ctx.spec = restore.spec;
  if (creating) {
    let adoptions: Adoption[];
    try {
      adoptions = await findAdoptions(clients, ctx.spec);
    } catch (err) {
      if (err instanceof AdoptionBlockedError)
        return { kind: 'not-plannable', stackName: spec.name, reason: `${err.message}: ${err.hint}` };
      throw err;
    }
    return {
      kind: 'changes',
      plan: planFromTemplate(ctx.spec, await clients.region(), adoptions),
      ...(status.isCreationFailure ? { deletesFailedStack: status.name } : {}),
      ...(restore.restoresFrom ? { restoresFrom: restore.restoresFrom } : {}),
      ...(restore.noSnapshotOf ? { noSnapshotOf: restore.noSnapshotOf } : {}),
      ...(restore.store ? { store: restore.store } : {}),
    };
  }
  if (status.next === 'wait')
    return { kind: 'not-plannable', stackName: spec.name, status: status.name, reason: 'another operation is running' };
  if (status.next === 'continue-rollback') {
    return {
      kind: 'not-plannable',
      stackName: spec.name,
      status: status.name,
      reason: 'deploy will continue the rollback first, then plan again',
    };
  }
  if (status.next === 'needs-attention')
    return { kind: 'not-plannable', stackName: spec.name, status: status.name, reason: hintFor(status.name) };
  const fixed = fixedSettingChanges(spec, stack);
  if (fixed.length) return { kind: 'refused', stackName: spec.name, error: new FixedSettingError(spec.name, fixed) };
  if (checked !== 'changed' && (await unchanged(ctx, stack))) return { kind: 'unchanged', stackName: spec.name };
  await opts.beforeChangeSet?.();
  return planUpdate(ctx, stack, Boolean(opts.keep));
}

async function planUpdate(ctx: Ctx, stack: Stack, keep: boolean): Promise<PlanResult> {
  const ref = await createChangeSet(ctx.cfn, ctx.spec, 'UPDATE', await templateSource(ctx));
  try {
    const outcome = await waitForChangeSet(ctx.cfn, ref, ctx.mask, ctx.opts.poll, ctx.opts.signal);
    if (outcome.kind === 'empty') return { kind: 'unchanged', stackName: ctx.spec.name }; // deleted by the wait
    const plan = judged(ctx, outcome.summary, stack);
    const refused = refusedChanges(plan);
    const checks = (ctx.opts as PlanOptions).unchanged;
    const deployed = checks ? () => checks.deployedTemplate(ctx.spec.name) : undefined;
    const exports = await exportChanges(ctx.cfn, ctx.spec, stack, plan, deployed);
    const held = keep && !refused.length && !exports.length;
    if (!held) await discard(ctx, ref);
    return {
      kind: 'changes',
      plan,
      ...(refused.length ? { refused: new CustomNameReplacementError(ctx.spec.name, refused) } : {}),
      ...(exports.length ? { exports } : {}),
      ...(held ? { held: { ref, plan, input: inputOf(ctx.spec), version: versionOf(stack) } } : {}),
    };
  } catch (err) {
    await discard(ctx, ref);
    if (err instanceof ChangeSetFailedError)
      return { kind: 'not-plannable', stackName: ctx.spec.name, reason: err.reason };
    throw err;
  }
}

/**
 * Every resource a new stack creates, as an Add: those of the template whose `Condition` holds with
 * the stack's parameters (a resource a condition switches off is not created, so not listed). A
 * kept resource the stack adopts (see adopt.ts) is an Import instead.
 */
function planFromTemplate(spec: StackSpec, region: string, adoptions: Adoption[] = []): ChangeSummary {
  const template = parseTemplate(spec.templateBody) ?? { Resources: {} };
  const resources = template.Resources ?? {};
  return {
    stackName: spec.name,
    type: 'create',
    changes: activeResources(template, spec.parameters, pseudoFor(region)).map((logicalId) => {
      const adopted = adoptions.find((a) => a.logicalId === logicalId);
      return {
        action: adopted ? 'Import' : 'Add',
        logicalId,
        resourceType: resources[logicalId]!.Type,
        ...(adopted ? { physicalId: adopted.physicalId } : {}),
        replacement: 'never',
        causes: [],
      };
    }),
  };
}
