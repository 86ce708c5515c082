/**
 * Poll pacing for long CloudFormation operations: poll quickly at first (most changes are
 * small), then back off while nothing new happens, up to a cap, and come back to the quick pace as
 * soon as progress shows. This spaces out calls on a slow or throttled API; the retries of a
 * throttled call itself are the SDK's (see createClients).
 */
import type { PollOptions } from './types';
import { AbortedError } from './errors';

export const DEFAULT_POLL: Required<PollOptions> = { initialMs: 1000, maxMs: 10_000, factor: 1.5 };

export class Pacer {
  private readonly opts: Required<PollOptions>;
  private delay: number;

  constructor(opts: PollOptions = {}) {
    this.opts = { ...DEFAULT_POLL, ...opts };
    this.delay = this.opts.initialMs;
  }

  /** Waits before the next poll; `progressed` resets the pace, a quiet poll slows it. */
  async wait(progressed: boolean, signal?: AbortSignal): Promise<void> {
    this.delay = progressed ? this.opts.initialMs : Math.min(this.opts.maxMs, Math.ceil(this.delay * this.opts.factor));
    await sleep(this.delay, signal);
  }

  /** The delay the next quiet poll will use (for tests and logs). */
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
