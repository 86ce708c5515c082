/**
 * The base of every error the tool throws on purpose below the CLI (the engine, the AWS client
 * factory, params files, the operate commands' lookups): a stable `code` to match on (never the
 * message), a `hint` telling a person what to do, and the run's {@link Outcome}. Nothing here
 * prints: src/cli/errors.ts is the one place that turns these into text and exit codes.
 */

/**
 * How a run that throws this error ends: `failed` (something was attempted and may have changed:
 * exit 1), `refused` (stopped before changing anything, because of the input or of a state to
 * deal with first: exit 2), `interrupted` (Ctrl-C: exit 130).
 */
export type Outcome = 'failed' | 'refused' | 'interrupted';

/** A condition the tool reports on purpose. See the file comment. */
export class ToolError<Code extends string = string> extends Error {
  constructor(
    /** Stable, for code to match on. */
    readonly code: Code,
    message: string,
    /** What a person can do about it (a flag, a command, a console page). */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** @default 'failed': subclasses say when nothing was changed, or the run was interrupted. */
  get outcome(): Outcome {
    return 'failed';
  }
}

/**
 * An error as one line for a report that goes on after it (status, health): the AWS error's name
 * and message, or the message alone when the name says nothing more than `Error`.
 */
export function errorText(err: unknown): string {
  return err instanceof Error
    ? `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`
    : String(err);
}
