/**
 * Deleting stacks, dependents first. Before anything is deleted, every stack is checked: none may
 * export a value that a stack outside the set still imports, and none may be
 * termination-protected unless the caller asked to turn that off. Then the stacks go along the
 * graph in reverse: a stack is deleted as soon as every stack of the set that imports from it is
 * gone, independent ones at the same time (up to a cap); the first failure stops new starts.
 * A delete that AWS refuses only because it is still releasing network interfaces
 * (DependencyViolation on a security group or subnet after a load balancer or service went) is
 * retried on its own, with growing waits, within a bound. Resources CloudFormation keeps
 * (DeletionPolicy Retain or Snapshot, or DELETE_SKIPPED) are reported, since they go on costing
 * money and holding data.
 */
import {
  DeleteStackCommand,
  UpdateTerminationProtectionCommand,
  type CloudFormationClient,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { describeStack, getTemplateBody, isReleasePending, listStackResources, uniqueName } from './cloudformation';
import { AbortedError, ExportInUseError, TerminationProtectedError, type BlockingImport } from './errors';
import { StackEventPoller, rootCause, watchStack } from './events';
import { importersOf } from './exports';
import { sleep } from './poll';
import { liftCapacityProtections } from './capacity';
import { StackStatus } from './stack-status';
import { parseTemplate } from './template';
import type { DeployEvent, PollOptions, ResourceFailure } from './types';

export interface DestroyOptions {
  events?: (e: DeployEvent) => void;
  poll?: PollOptions;
  signal?: AbortSignal;
  /** Turn termination protection off where it is on. @default false: a protected stack stops the destroy */
  disableTerminationProtection?: boolean;
  /** Stacks deleted at the same time. @default 4 */
  concurrency?: number;
  /** Retrying deletes blocked while AWS releases network interfaces. @default DEFAULT_RELEASE_RETRY */
  releaseRetry?: ReleaseRetry;
  /**
   * Runs before a stack's DeleteStack. @default lifting EC2 capacity's protections, which
   * CloudFormation's delete would hang on (see capacity.ts)
   */
  beforeDelete?: (stack: Stack) => Promise<void>;
}

/** Waits between attempts of a delete blocked by resources AWS is still releasing. */
export interface ReleaseRetry {
  firstWaitMs: number;
  maxWaitMs: number;
  /** Give up (the stack stays DELETE_FAILED) once this much time was spent waiting. */
  totalMs: number;
}

/** Network interfaces of load balancers and Fargate tasks usually go within minutes. */
export const DEFAULT_RELEASE_RETRY: ReleaseRetry = { firstWaitMs: 5_000, maxWaitMs: 60_000, totalMs: 20 * 60_000 };

/** A resource CloudFormation leaves in place when its stack is deleted. */
export interface KeptResource {
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** Retain / RetainExceptOnCreate: left as is; Snapshot: deleted after a final snapshot; skipped: DELETE_SKIPPED. */
  policy: 'Retain' | 'RetainExceptOnCreate' | 'Snapshot' | 'skipped';
}

export type DestroyResult =
  | { kind: 'deleted'; stackName: string; kept: KeptResource[] }
  | { kind: 'absent'; stackName: string }
  | { kind: 'failed'; stackName: string; status: string; rootCause?: ResourceFailure; statusReason?: string }
  /** Interrupted while CloudFormation deletes: it goes on; a re-run waits for it. */
  | { kind: 'detached'; stackName: string; status: string }
  | { kind: 'not-run'; stackName: string; because: string };

/** A stack to delete; `dependsOn` are the stacks it imports from (as in a deploy). */
export interface DestroyNode {
  name: string;
  dependsOn?: string[];
}

/**
 * Deletes the stacks, a stack only once every stack of the set that depends on it is gone, and
 * returns one result per stack in the order given. Without `dependsOn` the given order is
 * followed one at a time (pass {@link reverseOrder} of the deploy specs). Throws
 * {@link ExportInUseError} or {@link TerminationProtectedError} before deleting anything.
 */
export async function destroyStacks(
  clients: AwsClients,
  stacksInReverse: DestroyNode[],
  opts: DestroyOptions = {},
): Promise<DestroyResult[]> {
  const cfn = clients.cloudFormation;
  const existing = new Map<string, Stack>();
  for (const { name } of stacksInReverse) {
    const stack = await describeStack(cfn, name);
    if (stack) existing.set(name, stack);
  }
  const importedBy = await assertDeletable(cfn, existing, opts);
  opts = { ...opts, beforeDelete: opts.beforeDelete ?? ((stack) => liftProtections(clients, stack, opts.events)) };
  const blockers = deletionBlockers(stacksInReverse, importedBy);
  const results = new Map<string, DestroyResult>();
  const running = new Set<string>();
  let stoppedBy: DestroyResult | undefined;
  const limit = Math.max(1, opts.concurrency ?? 4);
  await new Promise<void>((resolve, reject) => {
    const startReady = (): void => {
      for (const { name } of stacksInReverse) {
        if (stoppedBy || opts.signal?.aborted || running.size >= limit) break;
        if (results.has(name) || running.has(name) || !blockers.get(name)!.every((b) => results.has(b))) continue;
        running.add(name);
        destroyOne(cfn, name, opts).then((r) => {
          results.set(name, r);
          running.delete(name);
          // A stack left because of Ctrl-C is the interrupt, not a failure that stops the others.
          const interrupted = r.kind === 'detached' || (r.kind === 'not-run' && r.because === 'interrupted');
          if (r.kind !== 'deleted' && r.kind !== 'absent' && !interrupted && !stoppedBy) stoppedBy = r;
          startReady();
        }, reject);
      }
      if (running.size === 0) resolve();
    };
    startReady();
  });
  const because = stoppedBy ? `stopped: ${stoppedBy.stackName} was not deleted (${stoppedBy.kind})` : 'interrupted';
  return stacksInReverse.map(({ name }) => results.get(name) ?? { kind: 'not-run', stackName: name, because });
}

async function liftProtections(clients: AwsClients, stack: Stack, emit: DestroyOptions['events']): Promise<void> {
  const lifted = await liftCapacityProtections(clients, stack);
  if (!lifted) return;
  const detail = `managed termination protection off on ${lifted.capacityProviders.join(', ') || 'no capacity provider'}; scale-in protection off on ${lifted.instances} instance(s)`;
  emit?.({ type: 'step', stackName: stack.StackName ?? '', step: 'lifting-protections', detail });
}

/**
 * Per stack, the stacks that must be gone first: its dependents in the set (or, without graph, the
 * one before it), and every stack of the set that imports from it as deployed (`importedBy`): a
 * stack the plan does not know (one no longer in the params file) still holds its imports.
 */
function deletionBlockers(nodes: DestroyNode[], importedBy: Map<string, string[]>): Map<string, string[]> {
  const graph = nodes.some((n) => n.dependsOn !== undefined);
  return new Map(
    nodes.map((n, i) => {
      const planned = graph
        ? nodes.filter((other) => other.dependsOn?.includes(n.name)).map((o) => o.name)
        : i > 0
          ? [nodes[i - 1]!.name]
          : [];
      return [n.name, [...new Set([...planned, ...(importedBy.get(n.name) ?? [])])].filter((b) => b !== n.name)];
    }),
  );
}

/** Refuses what cannot go; returns, per stack of the set, the stacks of the set that import from it. */
async function assertDeletable(
  cfn: CloudFormationClient,
  existing: Map<string, Stack>,
  opts: DestroyOptions,
): Promise<Map<string, string[]>> {
  const importedBy = new Map<string, string[]>();
  for (const [name, stack] of existing) {
    opts.events?.({ type: 'step', stackName: name, step: 'checking-imports' });
    const imports = await importsOf(cfn, stack);
    const blocking = imports.filter((i) => !existing.has(i.importer));
    if (blocking.length > 0) throw new ExportInUseError(name, blocking);
    if (stack.EnableTerminationProtection && !opts.disableTerminationProtection)
      throw new TerminationProtectedError(name);
    importedBy.set(name, [...new Set(imports.map((i) => i.importer))]);
  }
  return importedBy;
}

/** Who imports each export of the stack (ListImports answers "not imported" with an error). */
export async function importsOf(cfn: CloudFormationClient, stack: Stack): Promise<BlockingImport[]> {
  const found: BlockingImport[] = [];
  for (const output of stack.Outputs ?? []) {
    const exportName = output.ExportName;
    if (!exportName) continue;
    for (const importer of await importersOf(cfn, exportName)) found.push({ exportName, importer });
  }
  return found;
}

async function destroyOne(cfn: CloudFormationClient, name: string, opts: DestroyOptions): Promise<DestroyResult> {
  const emit = opts.events ?? (() => undefined);
  const watch = (poller: StackEventPoller, before?: Stack) =>
    watchStack(cfn, poller, { stackName: name, emit, poll: opts.poll, signal: opts.signal, before });
  let stack = await describeStack(cfn, name);
  try {
    if (stack && new StackStatus(stack.StackStatus ?? '').isInProgress) {
      emit({ type: 'step', stackName: name, step: 'waiting', detail: stack.StackStatus });
      stack = await watch(await startedPoller(cfn, stack));
    }
    if (!stack) return { kind: 'absent', stackName: name };
    if (stack.EnableTerminationProtection) {
      emit({ type: 'step', stackName: name, step: 'termination-protection', detail: 'off' });
      await cfn.send(
        new UpdateTerminationProtectionCommand({
          StackName: stack.StackId ?? name,
          EnableTerminationProtection: false,
        }),
      );
    }
    const kept = await keptByPolicy(cfn, stack);
    await opts.beforeDelete?.(stack);
    const retry = opts.releaseRetry ?? DEFAULT_RELEASE_RETRY;
    let waited = 0;
    let current: Stack = stack;
    for (let attempt = 1; ; attempt += 1) {
      const poller = await startedPoller(cfn, current);
      emit({ type: 'step', stackName: name, step: 'deleting' });
      const sent = await cfn
        .send(new DeleteStackCommand({ StackName: current.StackId ?? name, ClientRequestToken: uniqueName() }))
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof AbortedError) return false;
            throw err;
          },
        );
      // Ctrl-C with the delete on its way: CloudFormation may have it and go on deleting, so the
      // stack is left as a running delete (a re-run attaches, or finds it gone), not as never started.
      if (!sent) return { kind: 'detached', stackName: name, status: 'DELETE_IN_PROGRESS' };
      const after: Stack | undefined | 'aborted' = await watch(poller, current).catch((err: unknown) => {
        if (err instanceof AbortedError) return 'aborted' as const;
        throw err;
      });
      if (after === 'aborted') return { kind: 'detached', stackName: name, status: 'DELETE_IN_PROGRESS' };
      if (!after) return { kind: 'deleted', stackName: name, kept: withSkipped(kept, poller) };
      const blocked = releasePending(poller);
      const wait = Math.min(retry.maxWaitMs, retry.firstWaitMs * 2 ** (attempt - 1));
      if (!blocked || waited + wait > retry.totalMs) {
        return {
          kind: 'failed',
          stackName: name,
          status: after.StackStatus ?? '',
          rootCause: rootCause(poller.events),
          statusReason: after.StackStatusReason,
        };
      }
      emit({
        type: 'step',
        stackName: name,
        step: 'retrying-delete',
        detail: `${blocked.logicalId}: ${blocked.reason}; attempt ${attempt + 1} in ${Math.round(wait / 1000)} s`,
      });
      await sleep(wait, opts.signal);
      waited += wait;
      current = after;
    }
  } catch (err) {
    if (err instanceof AbortedError) return { kind: 'not-run', stackName: name, because: 'interrupted' };
    throw err;
  }
}

/**
 * The resource that blocked this delete attempt when every failure in it was AWS still releasing
 * something (see isReleasePending); undefined when anything else failed.
 */
function releasePending(poller: StackEventPoller): ResourceFailure | undefined {
  const failures = poller.events.filter((e) => !e.isStack && e.status === 'DELETE_FAILED');
  if (failures.length === 0 || !failures.every((f) => isReleasePending(f.reason))) return undefined;
  return rootCause(poller.events);
}

async function startedPoller(cfn: CloudFormationClient, stack: Stack): Promise<StackEventPoller> {
  const poller = new StackEventPoller(cfn, stack.StackId ?? stack.StackName ?? '', (t) => t);
  await poller.start();
  return poller;
}

/** Resources whose DeletionPolicy keeps them (or their snapshot), with their physical ids. */
async function keptByPolicy(cfn: CloudFormationClient, stack: Stack): Promise<KeptResource[]> {
  const resources = parseTemplate(await getTemplateBody(cfn, stack.StackId ?? stack.StackName ?? ''))?.Resources ?? {};
  const policies = Object.entries(resources).filter(([, r]) =>
    ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(r.DeletionPolicy ?? ''),
  );
  if (policies.length === 0) return [];
  const live = await listResources(cfn, stack);
  return policies
    .filter(([id]) => live.has(id))
    .map(([logicalId, r]) => ({
      logicalId,
      resourceType: r.Type,
      physicalId: live.get(logicalId)?.PhysicalResourceId,
      policy: r.DeletionPolicy as KeptResource['policy'],
    }));
}

async function listResources(cfn: CloudFormationClient, stack: Stack): Promise<Map<string, StackResourceSummary>> {
  const out = new Map<string, StackResourceSummary>();
  for (const r of await listStackResources(cfn, stack)) if (r.LogicalResourceId) out.set(r.LogicalResourceId, r);
  return out;
}

/** Adds resources the delete skipped (DELETE_SKIPPED events) that no policy named. */
function withSkipped(kept: KeptResource[], poller: StackEventPoller): KeptResource[] {
  const out = [...kept];
  for (const e of poller.events) {
    if (e.status !== 'DELETE_SKIPPED' || e.isStack || out.some((k) => k.logicalId === e.logicalId)) continue;
    out.push({ logicalId: e.logicalId, resourceType: e.resourceType, physicalId: e.physicalId, policy: 'skipped' });
  }
  return out;
}
