/**
 * Running the built CLI (`bin/provision.js`) as a user would, in its own process, against an
 * emulator: every end-to-end suite goes through this one function.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './emulator';

/** What a CLI run left: exit code, output, and for timing tests the pid and the wall time. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  pid?: number;
  seconds: number;
}

export interface CliOptions {
  /** Extra environment for this run (over the emulator's). */
  env?: Record<string, string>;
  /**
   * A HOME of its own: the run then gets only PATH, HOME and the emulator's environment, nothing
   * of the developer's (AWS profile, SSO cache). Without it the test process's environment is kept.
   */
  home?: string;
  /** @default the repository */
  cwd?: string;
  /** Killed after this long. @default no limit (jest's test timeout applies) */
  timeoutMs?: number;
}

/** `provision ...args` with `emulatorEnv` (an emulator's `env`), NO_COLOR and the options above. */
export function runCli(emulatorEnv: Record<string, string>, args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const base = opts.home ? { PATH: process.env.PATH ?? '', HOME: opts.home } : process.env;
  const env = { ...base, NO_COLOR: '1', ...emulatorEnv, ...opts.env };
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'provision.js'), ...args],
      {
        cwd: opts.cwd ?? REPO_ROOT,
        env,
        maxBuffer: 16 * 1024 * 1024,
        ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          stdout,
          stderr,
          pid: child.pid,
          seconds: (Date.now() - started) / 1000,
        }),
    );
  });
}
