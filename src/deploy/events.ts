/**
 * The stack event stream: reads DescribeStackEvents pages (newest first) back to the last event
 * already seen, and hands out only new events, oldest first, with secrets masked. `watchStack`
 * polls until the stack settles; `rootCause` finds the event that explains a failure.
 */
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  paginateDescribeStackEvents,
  type Stack,
  type StackEvent as SdkStackEvent,
} from '@aws-sdk/client-cloudformation';
import { isCancellationReason, isThrottling } from './cloudformation';
import { StackStatus } from './stack-status';
import { StatusBoard } from './status-board';
import type { Masker } from './template';
import type { DeployEvent, PollOptions, ResourceFailure, StackEvent } from './types';

export class StackEventPoller {
  private readonly seen = new Set<string>();
  /** Everything read since start(), oldest first. */
  readonly events: StackEvent[] = [];

  constructor(
    private readonly cfn: CloudFormationClient,
    /** Poll by stack id where known: by name a deleted stack vanishes. */
    private stack: string,
    private readonly mask: Masker,
  ) {}

  /** Marks every event that exists now as old: only events after this call are reported. */
  async start(): Promise<void> {
    // New events are always listed above old ones, so the first page is enough of a marker.
    const page = await this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stack }));
    for (const e of page.StackEvents ?? []) this.seen.add(e.EventId ?? '');
  }

  /** Follow the stack by id once it is known (a create returns the id). */
  follow(stackId: string): void {
    this.stack = stackId;
  }

  /** New events since the last call, oldest first. */
  async poll(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    for (const e of (await this.readNew()).reverse()) {
      if (this.seen.has(e.EventId ?? '')) continue; // listed twice across pages
      this.seen.add(e.EventId ?? '');
      fresh.push(this.toEvent(e));
    }
    this.events.push(...fresh);
    return fresh;
  }

  private async readNew(): Promise<SdkStackEvent[]> {
    const out: SdkStackEvent[] = [];
    // Newest first: the pages stop being read at the first event already seen.
    for await (const page of paginateDescribeStackEvents({ client: this.cfn }, { StackName: this.stack })) {
      for (const e of page.StackEvents ?? []) {
        if (this.seen.has(e.EventId ?? '')) return out;
        out.push(e);
      }
    }
    return out;
  }

  private toEvent(e: SdkStackEvent): StackEvent {
    return {
      eventId: e.EventId ?? '',
      stackName: e.StackName ?? '',
      logicalId: e.LogicalResourceId ?? '',
      physicalId: e.PhysicalResourceId || undefined,
      resourceType: e.ResourceType ?? '',
      status: e.ResourceStatus ?? '',
      reason: e.ResourceStatusReason === undefined ? undefined : this.mask(e.ResourceStatusReason),
      timestamp: e.Timestamp ?? new Date(0),
      isStack: e.ResourceType === 'AWS::CloudFormation::Stack' && e.LogicalResourceId === e.StackName,
      ...(e.ClientRequestToken ? { clientRequestToken: e.ClientRequestToken } : {}),
    };
  }
}

export interface WatchOptions {
  stackName: string;
  emit: (e: DeployEvent) => void;
  poll?: PollOptions;
  signal?: AbortSignal;
  /**
   * The stack as it was just before our own operation started. Given, the watch only ends once
   * that operation visibly happened (a settled stack event after the start, or a new status or
   * update time): right after ExecuteChangeSet, DescribeStacks may still show the old status.
   */
  before?: Stack;
  /** The run's shared status reads (one per round for all stacks). @default one for this watch alone */
  board?: StatusBoard;
}

/**
 * Polls events and status until the stack settles; returns the settled stack (undefined once it
 * is deleted and gone). Throws AbortedError when the signal fires (the caller decides what that
 * means for the running operation).
 */
export async function watchStack(
  cfn: CloudFormationClient,
  poller: StackEventPoller,
  opts: WatchOptions,
): Promise<Stack | undefined> {
  const board = opts.board ?? new StatusBoard(cfn, opts.poll);
  board.begin(); // the first check at once: the operation may be done already
  // That first round's events are read beside its status, not after it: a small change is often
  // done by then, and its last events are then in hand one round trip sooner.
  let beside: Promise<StackEvent[]> | undefined = pollEvents(poller, board);
  beside.catch(() => undefined); // awaited below, unless the status read is aborted first
  for (;;) {
    const stack = await board.next(opts.before?.StackId ?? opts.stackName, opts.signal);
    // Otherwise status first, then events: once the status says settled, the events read after it are complete.
    const fresh = beside ? await beside : await pollEvents(poller, board);
    if (beside && stack && !endsAt(poller.events, stack)) fresh.push(...(await pollEvents(poller, board)));
    beside = undefined;
    for (const event of fresh) opts.emit({ type: 'resource', stackName: opts.stackName, event });
    if (fresh.length > 0) board.progress();
    if (!stack) return undefined;
    const status = new StackStatus(stack.StackStatus ?? '');
    if (status.isSettled && status.name !== 'REVIEW_IN_PROGRESS' && operationSeen(opts.before, stack, poller.events)) {
      return status.isDeleted ? undefined : stack;
    }
  }
}

/** New events; a throttled read slows the whole board down and is tried again next round. */
async function pollEvents(poller: StackEventPoller, board: StatusBoard): Promise<StackEvent[]> {
  try {
    return await poller.poll();
  } catch (err) {
    if (!isThrottling(err)) throw err;
    board.slowDown();
    return [];
  }
}

/**
 * True when the events read so far end with the stack's own event for the status it is in (on
 * AWS a stack's settled status is its last event): nothing of the operation is left to read. A
 * stack still in progress needs no more: the next round reads on.
 */
function endsAt(events: StackEvent[], stack: Stack): boolean {
  if (!new StackStatus(stack.StackStatus ?? '').isSettled) return true;
  const own = events.filter((e) => e.isStack);
  return own.length > 0 && own[own.length - 1]!.status === stack.StackStatus;
}

function operationSeen(before: Stack | undefined, now: Stack, events: StackEvent[]): boolean {
  if (!before) return true;
  if (events.some((e) => e.isStack && new StackStatus(e.status).isSettled && e.status !== 'REVIEW_IN_PROGRESS'))
    return true;
  return now.StackStatus !== before.StackStatus || String(now.LastUpdatedTime) !== String(before.LastUpdatedTime);
}

/**
 * The event that explains a failure: the first *_FAILED resource event whose reason is not a
 * cancellation caused by a sibling's failure; else the stack's own first failure reason.
 */
export function rootCause(events: StackEvent[]): ResourceFailure | undefined {
  const failed = events.filter((e) => e.status.endsWith('_FAILED') && !isCancellationReason(e.reason));
  const pick = failed.find((e) => !e.isStack) ?? failed[0];
  if (!pick) return undefined;
  return {
    logicalId: pick.logicalId,
    resourceType: pick.resourceType,
    physicalId: pick.physicalId,
    status: pick.status,
    reason: pick.reason ?? '',
    timestamp: pick.timestamp,
  };
}
