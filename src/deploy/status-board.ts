/**
 * One status read per poll round for every stack a run is watching. CloudFormation's read APIs
 * are throttled per account at a few calls per second, shared by everything in it (several
 * environments deployed by CI at once). Watching 40 stacks with one DescribeStacks each per poll
 * multiplies the rate by 40; here the watchers of a run wait on one board, and each round answers
 * all of them with one DescribeStacks listing (or single reads, when that is cheaper).
 *
 * Throttling is answered by slowing down, never by failing: a round whose read is throttled
 * (after the SDK's own adaptive retries) keeps its waiters for the next round, at the slowest pace.
 */
import { paginateDescribeStacks, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { describeStack, isThrottling } from './cloudformation';
import { AbortedError } from './errors';
import { DEFAULT_POLL } from './poll';
import type { PollOptions } from './types';

interface Waiter {
  key: string;
  resolve: (stack: Stack | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * The status reads of one run: watchers ask for their stack with {@link StatusBoard.next} and are
 * answered together at the next round. Rounds are paced as in poll.ts: at once when a watch
 * begins, quick while something happens, slower while quiet up to the cap, slowest after
 * throttling; and they only run while someone waits.
 */
export class StatusBoard {
  private readonly opts: Required<PollOptions>;
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  /** When the pending round is due (ms since the epoch). */
  private dueAt = 0;
  /** A round's read is in flight; it schedules the next one when done. */
  private reading = false;
  private delay: number;
  private progressed = true;
  /** The next round comes at once (a watch just began). */
  private urgent = false;
  /** Pages the last full listing took: single reads are used while they cost fewer calls. */
  private listingPages = 1;
  /**
   * Set when a listing (DescribeStacks without a name) is refused: a deploy role may be allowed to
   * describe only its own stacks (`stack/x-dev-*`), which a listing is not. Single reads from then on.
   */
  private listingRefused = false;
  /** Rounds run so far (each one status read for every waiting stack). */
  rounds = 0;
  private lastListing: Stack[] | undefined;
  /** Rounds whose read was throttled and deferred. */
  throttledRounds = 0;

  constructor(
    private readonly cfn: CloudFormationClient,
    poll: PollOptions = {},
  ) {
    this.opts = { ...DEFAULT_POLL, ...poll };
    this.delay = this.opts.initialMs;
  }

  /** The delay before the next round (for tests and logs). */
  get currentMs(): number {
    return this.delay;
  }

  /**
   * The stack (by name, or by id: a deleted one then reads DELETE_COMPLETE) as the next round
   * sees it; undefined once it does not exist. Rejects with {@link AbortedError} when the signal fires.
   */
  next(nameOrId: string, signal?: AbortSignal): Promise<Stack | undefined> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(new AbortedError());
      };
      const waiter: Waiter = {
        key: nameOrId,
        resolve: (stack) => (signal?.removeEventListener('abort', onAbort), resolve(stack)),
        reject: (err) => (signal?.removeEventListener('abort', onAbort), reject(err)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.schedule();
    });
  }

  /** A watcher saw something happen: the next round comes at the quick pace. */
  progress(): void {
    this.progressed = true;
    this.hurry(this.opts.initialMs);
  }

  /**
   * A watch begins (an operation was just started, or is found running): the next round comes at
   * once, since a small change may be done already (the first check is immediate, not a sleep).
   */
  begin(): void {
    this.urgent = true;
    this.hurry(0);
  }

  /** The API throttled a read outside the board (events): poll at the slowest pace for now. */
  slowDown(): void {
    this.progressed = false;
    this.urgent = false;
    this.delay = this.opts.maxMs;
  }

  /** Brings a pending round forward when it is due later than `withinMs` from now. */
  private hurry(withinMs: number): void {
    if (!this.timer || this.reading || this.dueAt - Date.now() <= withinMs) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  private nextDelay(): number {
    if (this.urgent) {
      this.urgent = false;
      this.progressed = true; // after the immediate round, the quick pace
      return 0;
    }
    this.delay = this.progressed
      ? this.opts.initialMs
      : Math.min(this.opts.maxMs, Math.ceil(this.delay * this.opts.factor));
    this.progressed = false;
    return this.delay;
  }

  private schedule(): void {
    if (this.timer || this.reading || this.waiters.size === 0) return;
    const delay = this.nextDelay();
    this.dueAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.round(), delay);
  }

  private async round(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.waiters];
    if (batch.length === 0) return;
    this.reading = true;
    this.rounds += 1;
    try {
      const found = await this.read([...new Set(batch.map((w) => w.key))]);
      for (const w of batch) {
        if (!this.waiters.delete(w)) continue; // aborted meanwhile
        w.resolve(found.get(w.key));
      }
    } catch (err) {
      if (isThrottling(err)) {
        this.throttledRounds += 1;
        this.slowDown();
      } else {
        for (const w of batch) if (this.waiters.delete(w)) w.reject(err);
      }
    } finally {
      this.reading = false;
      this.schedule();
    }
  }

  /**
   * One listing for all keys when that is fewer calls than reading each. A listing shows every
   * stack that is not deleted, so a name it lacks does not exist; an id it lacks (a deleted stack
   * reads DELETE_COMPLETE by id), and every key when there was no listing, is read singly.
   */
  private async read(keys: string[]): Promise<Map<string, Stack | undefined>> {
    const found = new Map<string, Stack | undefined>();
    const listed = keys.length > this.listingPages && !this.listingRefused ? await this.listAll() : undefined;
    for (const key of keys) {
      const stack = listed?.find((s) => s.StackId === key || s.StackName === key);
      if (stack || (listed && !isStackId(key))) found.set(key, stack);
    }
    const unlisted = keys.filter((key) => !found.has(key));
    const read = await Promise.all(unlisted.map((key) => describeStack(this.cfn, key)));
    unlisted.forEach((key, i) => found.set(key, read[i]));
    return found;
  }

  /** Every stack not deleted; undefined when the listing is refused (see listingRefused). */
  private async listAll(): Promise<Stack[] | undefined> {
    try {
      return await this.listPages();
    } catch (err) {
      if (isThrottling(err)) throw err;
      this.listingRefused = true;
      return undefined;
    }
  }

  private async listPages(): Promise<Stack[]> {
    const stacks: Stack[] = [];
    let pages = 0;
    for await (const page of paginateDescribeStacks({ client: this.cfn }, {})) {
      stacks.push(...(page.Stacks ?? []));
      pages += 1;
    }
    this.listingPages = pages;
    this.lastListing = stacks;
    return stacks;
  }

  /**
   * Every stack of the account and region as the last full listing read them, or undefined when no
   * round listed them (single reads were cheaper, or a listing was refused).
   */
  get listed(): readonly Stack[] | undefined {
    return this.lastListing;
  }
}

/** A stack id is its ARN (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`); anything else is a name. */
function isStackId(key: string): boolean {
  return key.startsWith('arn:');
}
