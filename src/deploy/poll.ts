/**
 * Poll pacing for long CloudFormation operations: find out as soon as the API knows. The first
 * check comes at once (the caller reads before its first wait; a new watch on the status board
 * reads immediately), then quickly, then backing off while nothing new happens up to a cap, and
 * back to the quick pace as soon as progress shows.
 *
 * Why these numbers: on AWS a stack takes seconds to minutes, so a cap of 5 s notices a finished
 * stack within 5 s (the old 10 s cap added up to 10 s per level of the dependency chain), while
 * the quick start costs only a handful of reads per stack; every status read of a run is shared
 * (see StatusBoard), so the rate does not grow with the number of stacks. The retries of a
 * throttled call are the SDK's (adaptive retry, see createClients); a read still throttled after
 * those makes the pace the slowest until something moves again.
 */
import type { PollOptions } from './types';
import { AbortedError } from './errors';

/** The engine's pace while waiting on CloudFormation: 250 ms, then x1.5 per quiet poll, at most 5 s. */
export const DEFAULT_POLL: Required<PollOptions> = { initialMs: 250, maxMs: 5_000, factor: 1.5 };

export class Pacer {
  private readonly opts: Required<PollOptions>;
  private delay: number;
  private waited = false;

  constructor(opts: PollOptions = {}) {
    this.opts = { ...DEFAULT_POLL, ...opts };
    this.delay = this.opts.initialMs;
  }

  /**
   * Waits before the next poll: the first wait is the quick one; then `progressed` resets the
   * pace and a quiet poll slows it, up to the cap.
   */
  async wait(progressed: boolean, signal?: AbortSignal): Promise<void> {
    if (progressed || !this.waited) this.delay = this.opts.initialMs;
    else this.delay = Math.min(this.opts.maxMs, Math.ceil(this.delay * this.opts.factor));
    this.waited = true;
    await sleep(this.delay, signal);
  }

  /** The delay the last wait used (for tests and logs). */
  get currentMs(): number {
    return this.delay;
  }
}

/** setTimeout as a promise that rejects with {@link AbortedError} when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
