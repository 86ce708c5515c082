/**
 * Deleting stacks, dependents first. Before anything is deleted, every stack is checked: none may
 * export a value that a stack outside the set still imports, and none may be
 * termination-protected unless the caller asked to turn that off. Then the stacks go one at a
 * time; the first failure stops the rest. Resources CloudFormation keeps (DeletionPolicy Retain
 * or Snapshot, or DELETE_SKIPPED) are reported, since they go on costing money and holding data.
 */
import {
  DeleteStackCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
  UpdateTerminationProtectionCommand,
  type CloudFormationClient,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { describeStack, getTemplateBody, isNotImportedError, uniqueName } from './cloudformation';
import { AbortedError, ExportInUseError, TerminationProtectedError, type BlockingImport } from './errors';
import { StackEventPoller, rootCause, watchStack } from './events';
import { StackStatus } from './stack-status';
import { parseTemplate } from './template';
import type { DeployEvent, PollOptions, ResourceFailure } from './types';

export interface DestroyOptions {
  events?: (e: DeployEvent) => void;
  poll?: PollOptions;
  signal?: AbortSignal;
  /** Turn termination protection off where it is on. @default false: a protected stack stops the destroy */
  disableTerminationProtection?: boolean;
}

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

/**
 * Deletes the stacks in the order given (pass {@link reverseOrder} of the deploy specs). Throws
 * {@link ExportInUseError} or {@link TerminationProtectedError} before deleting anything.
 */
export async function destroyStacks(clients: AwsClients, stacksInReverse: Array<{ name: string }>, opts: DestroyOptions = {}): Promise<DestroyResult[]> {
  const cfn = clients.cloudFormation;
  const names = stacksInReverse.map((s) => s.name);
  const existing = new Map<string, Stack>();
  for (const name of names) {
    const stack = await describeStack(cfn, name);
    if (stack) existing.set(name, stack);
  }
  await assertDeletable(cfn, existing, opts);
  const results: DestroyResult[] = [];
  for (const name of names) {
    const previous = results[results.length - 1];
    if (previous && previous.kind !== 'deleted' && previous.kind !== 'absent' && previous.kind !== 'not-run') {
      results.push({ kind: 'not-run', stackName: name, because: `stopped: ${previous.stackName} was not deleted (${previous.kind})` });
    } else if (previous?.kind === 'not-run') {
      results.push({ kind: 'not-run', stackName: name, because: previous.because });
    } else {
      results.push(await destroyOne(cfn, name, opts));
    }
  }
  return results;
}

async function assertDeletable(cfn: CloudFormationClient, existing: Map<string, Stack>, opts: DestroyOptions): Promise<void> {
  for (const [name, stack] of existing) {
    opts.events?.({ type: 'step', stackName: name, step: 'checking-imports' });
    const blocking = (await importsOf(cfn, stack)).filter((i) => !existing.has(i.importer));
    if (blocking.length > 0) throw new ExportInUseError(name, blocking);
    if (stack.EnableTerminationProtection && !opts.disableTerminationProtection) throw new TerminationProtectedError(name);
  }
}

/** Who imports each export of the stack (ListImports answers "not imported" with an error). */
export async function importsOf(cfn: CloudFormationClient, stack: Stack): Promise<BlockingImport[]> {
  const found: BlockingImport[] = [];
  for (const output of stack.Outputs ?? []) {
    const exportName = output.ExportName;
    if (!exportName) continue;
    let NextToken: string | undefined;
    try {
      do {
        const page = await cfn.send(new ListImportsCommand({ ExportName: exportName, NextToken }));
        for (const importer of page.Imports ?? []) found.push({ exportName, importer });
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (err) {
      if (!isNotImportedError(err)) throw err;
    }
  }
  return found;
}

async function destroyOne(cfn: CloudFormationClient, name: string, opts: DestroyOptions): Promise<DestroyResult> {
  const emit = opts.events ?? (() => undefined);
  const watch = (poller: StackEventPoller, before?: Stack) => watchStack(cfn, poller, { stackName: name, emit, poll: opts.poll, signal: opts.signal, before });
  let stack = await describeStack(cfn, name);
  try {
    if (stack && new StackStatus(stack.StackStatus ?? '').isInProgress) {
      emit({ type: 'step', stackName: name, step: 'waiting', detail: stack.StackStatus });
      stack = await watch(await startedPoller(cfn, stack));
    }
    if (!stack) return { kind: 'absent', stackName: name };
    if (stack.EnableTerminationProtection) {
      emit({ type: 'step', stackName: name, step: 'termination-protection', detail: 'off' });
      await cfn.send(new UpdateTerminationProtectionCommand({ StackName: stack.StackId ?? name, EnableTerminationProtection: false }));
    }
    const kept = await keptByPolicy(cfn, stack);
    const poller = await startedPoller(cfn, stack);
    emit({ type: 'step', stackName: name, step: 'deleting' });
    await cfn.send(new DeleteStackCommand({ StackName: stack.StackId ?? name, ClientRequestToken: uniqueName() }));
    const after = await watch(poller, stack).catch((err: unknown) => {
      if (err instanceof AbortedError) return 'aborted' as const;
      throw err;
    });
    if (after === 'aborted') return { kind: 'detached', stackName: name, status: 'DELETE_IN_PROGRESS' };
    if (after) return { kind: 'failed', stackName: name, status: after.StackStatus ?? '', rootCause: rootCause(poller.events), statusReason: after.StackStatusReason };
    return { kind: 'deleted', stackName: name, kept: withSkipped(kept, poller) };
  } catch (err) {
    if (err instanceof AbortedError) return { kind: 'not-run', stackName: name, because: 'interrupted' };
    throw err;
  }
}

async function startedPoller(cfn: CloudFormationClient, stack: Stack): Promise<StackEventPoller> {
  const poller = new StackEventPoller(cfn, stack.StackId ?? stack.StackName ?? '', (t) => t);
  await poller.start();
  return poller;
}

/** Resources whose DeletionPolicy keeps them (or their snapshot), with their physical ids. */
async function keptByPolicy(cfn: CloudFormationClient, stack: Stack): Promise<KeptResource[]> {
  const resources = parseTemplate(await getTemplateBody(cfn, stack.StackId ?? stack.StackName ?? ''))?.Resources ?? {};
  const policies = Object.entries(resources).filter(([, r]) => ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(r.DeletionPolicy ?? ''));
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
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stack.StackId ?? stack.StackName, NextToken }));
    for (const r of page.StackResourceSummaries ?? []) if (r.LogicalResourceId) out.set(r.LogicalResourceId, r);
    NextToken = page.NextToken;
  } while (NextToken);
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
