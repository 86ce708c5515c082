/**
 * Where the CLI writes: human text to stderr/stdout with optional colour, or JSON on stdout.
 * Colour follows --no-color, NO_COLOR and whether stdout is a terminal.
 */
import pc from 'picocolors';
import { CliError, type ExitCodeValue } from './errors';
import type { GlobalOptions } from './global-options';

let colors = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);

export function setColor(opts: GlobalOptions): void {
  colors = pc.createColors(opts.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY));
}

export function c(): ReturnType<typeof pc.createColors> {
  return colors;
}

export const output = {
  /** A line for people (stdout). */
  line(text = ''): void {
    process.stdout.write(text + '\n');
  },
  /** A machine-readable document (stdout). */
  json(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  },
  warn(text: string): void {
    process.stderr.write(colors.yellow(`warning: ${text}`) + '\n');
  },
  /**
   * Reports an error and returns its exit code. With --json, one document: the message and hint,
   * and from a typed error below the CLI its `code` (to match on) and, for a params file, each of
   * its `problems` (field, line, message, hint).
   */
  failure(err: CliError, opts: GlobalOptions): ExitCodeValue {
    if (opts.json) {
      const cause = err.cause as { code?: unknown; problems?: unknown } | undefined;
      const doc = {
        ok: false,
        error: err.message,
        ...(err.hint ? { hint: err.hint } : {}),
        ...(typeof cause?.code === 'string' ? { code: cause.code } : {}),
        ...(Array.isArray(cause?.problems) ? { problems: cause.problems } : {}),
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }
    process.stderr.write(colors.red(`provision: ${err.message}`) + '\n');
    if (err.hint) process.stderr.write(`  ${err.hint}\n`);
    if (opts.verbose && err.cause instanceof Error && err.cause.stack)
      process.stderr.write(colors.dim(err.cause.stack) + '\n');
    return err.exitCode;
  },
};
