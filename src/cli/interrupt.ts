/**
 * Ctrl-C for commands that talk to AWS. The first Ctrl-C fires the run's abort signal: calls in
 * flight are abandoned at once (see createClients' `signal`), no new stacks start, running
 * updates are cancelled; the command then ends on its own with exit code 130. Should it not have
 * ended within {@link GRACE_MS} (an endpoint that does not answer the cancel), the process leaves
 * anyway with 130. A second Ctrl-C leaves at once.
 */
import { setMaxListeners } from 'node:events';
import { ExitCode } from './errors';

/** How long the first Ctrl-C lets a command wind down before the process leaves. */
export const GRACE_MS = 1500;

export interface InterruptTrap {
  /** Fires on the first Ctrl-C. */
  readonly signal: AbortSignal;
  /** Stops listening (the command is over). */
  dispose(): void;
}

export interface TrapOptions {
  /**
   * Printed on the first Ctrl-C (stderr), e.g. what happens to running stacks; a function is asked
   * then, for a command whose answer depends on how far it got (see openContext).
   */
  message: string | (() => string);
  /** Printed if the grace period runs out, e.g. how to recover a lock that could not be released. */
  leaving?: string | (() => string | undefined);
  graceMs?: number;
  write?: (text: string) => void;
  exit?: (code: number) => void;
}

let held = 0;

/**
 * While held, Ctrl-C belongs to a child that owns the terminal (an editor): the trap ignores it.
 * Returns the release.
 */
export function holdInterrupts(): () => void {
  held += 1;
  let done = false;
  return () => {
    if (!done) held -= 1;
    done = true;
  };
}

/** Listens for SIGINT until disposed. */
export function trapInterrupt(opts: TrapOptions): InterruptTrap {
  const abort = new AbortController();
  // Every call in flight and every stack being watched listens on the run's signal: with up to 16
  // stacks at once that is well over Node's default of 10, which is not a leak here.
  setMaxListeners(0, abort.signal);
  const write = opts.write ?? ((t: string) => void process.stderr.write(t));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let timer: NodeJS.Timeout | undefined;
  const onSigint = (): void => {
    if (held > 0) return;
    if (abort.signal.aborted) return exit(ExitCode.Interrupted);
    const message = typeof opts.message === 'function' ? opts.message() : opts.message;
    write(`\ninterrupted: ${message} Ctrl-C again to leave now.\n`);
    abort.abort();
    timer = setTimeout(() => {
      const leaving = typeof opts.leaving === 'function' ? opts.leaving() : opts.leaving;
      if (leaving) write(`${leaving}\n`);
      exit(ExitCode.Interrupted);
    }, opts.graceMs ?? GRACE_MS);
    timer.unref();
  };
  process.on('SIGINT', onSigint);
  return {
    signal: abort.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      if (timer) clearTimeout(timer);
    },
  };
}
