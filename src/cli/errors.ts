/**
 * Errors the CLI shows to people. Each carries an exit code and, where there is one, the fix.
 * Code below the CLI throws typed errors (ToolError, src/errors.ts); only here do they become
 * text and exit codes (CliError.from). The CLI's own checks (flags, answers) throw CliError.
 *
 * The exit-code rule every command follows: 0 done (or nothing to do); 1 failed: an operation
 * was attempted and did not succeed (something may have changed; the root cause is printed);
 * 2 refused: nothing was changed, because of the input (usage, params file) or of a state the
 * user must deal with first (another run holds the lock, deletion or termination protection,
 * exports in use, missing imports, an answer of "no"); 130 interrupted (Ctrl-C).
 */
import { ToolError, type Outcome } from '../errors';

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Refused: 2, Interrupted: 130 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.Failed,
    /** What the user can do about it. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }

  static usage(message: string, hint?: string): CliError {
    return new CliError(message, ExitCode.Usage, hint);
  }

  /** Stopped before changing anything, for a state the user must deal with first (exit 2). */
  static refused(message: string, hint?: string): CliError {
    return new CliError(message, ExitCode.Refused, hint);
  }

  /**
   * The one place an error becomes an exit code: the tool's typed errors (src/errors.ts) by their
   * outcome, with their message and hint as they are; anything else (an AWS SDK error, a bug) is a
   * failure (exit 1) and keeps its name, which says where it came from.
   */
  static from(err: unknown): CliError {
    if (err instanceof CliError) return err;
    if (err instanceof ToolError) return new CliError(err.message, EXIT_CODE[err.outcome], err.hint, { cause: err });
    if (err instanceof Error) {
      const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
      return new CliError(`${name}${err.message}`, ExitCode.Failed, undefined, { cause: err });
    }
    return new CliError(String(err));
  }
}

/** The exit code of each outcome (see the rule at the top of this file). */
const EXIT_CODE: Record<Outcome, ExitCodeValue> = {
  failed: ExitCode.Failed,
  refused: ExitCode.Refused,
  interrupted: ExitCode.Interrupted,
};
