/**
 * Errors the CLI shows to people. Each carries an exit code and, where there is one, the fix.
 * Code below the CLI throws typed errors; only here do they become text.
 *
 * The exit-code rule every command follows: 0 done (or nothing to do); 1 failed: an operation
 * was attempted and did not succeed (something may have changed; the root cause is printed);
 * 2 refused: nothing was changed, because of the input (usage, params file) or of a state the
 * user must deal with first (another run holds the lock, deletion or termination protection,
 * exports in use, missing imports, an answer of "no"); 130 interrupted (Ctrl-C).
 */
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

  /** Wraps an unexpected error; AWS SDK errors keep their name and message. */
  static from(err: unknown): CliError {
    if (err instanceof CliError) return err;
    if (err instanceof Error) {
      // The engine's typed errors carry a code and a hint; their message already says what failed.
      const hint = (err as { hint?: unknown }).hint;
      const typed = typeof (err as { code?: unknown }).code === 'string' && typeof hint === 'string';
      const name = !typed && err.name && err.name !== 'Error' ? `${err.name}: ` : '';
      // Engine refusals (see EngineError.refusal) changed nothing: exit 2, as bad input does.
      const code =
        (err as { code?: unknown }).code === 'Aborted'
          ? ExitCode.Interrupted
          : (err as { refusal?: unknown }).refusal === true
            ? ExitCode.Refused
            : ExitCode.Failed;
      return new CliError(`${name}${err.message}`, code, typed ? (hint as string) : undefined, { cause: err });
    }
    return new CliError(String(err));
  }
}
