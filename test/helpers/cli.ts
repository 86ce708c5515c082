/**
 * Running the built CLI (`bin/provision.js`) as a user would, in its own process, against an
 * emulator: every end-to-end suite goes through this one function.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

/** One AWS call the CLI made, as test/helpers/sdk-calls.js records it. */
export interface RecordedCall {
  service: string;
  action: string;
  /** The StackName it was sent with (a name or a stack id), if any. */
  stack?: string;
  start: number;
  end: number;
}

/**
 * {@link runCli} with every AWS call the run makes recorded (test/helpers/sdk-calls.js, preloaded
 * into the CLI's process): the run, and its calls in the order they ended.
 */
export async function runCliRecorded(
  emulatorEnv: Record<string, string>,
  args: string[],
  opts: CliOptions = {},
): Promise<{ run: CliRun; calls: RecordedCall[] }> {
  const log = path.join(
    os.tmpdir(),
    `cfn-stages-calls-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`,
  );
  try {
    const run = await runCli(emulatorEnv, args, {
      ...opts,
      env: {
        ...opts.env,
        NODE_OPTIONS: `-r ${path.join(REPO_ROOT, 'test', 'helpers', 'sdk-calls.js')}`,
        SDK_CALLS: log,
      },
    });
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
    return { run, calls: lines.map((l) => JSON.parse(l) as RecordedCall) };
  } finally {
    fs.rmSync(log, { force: true });
  }
}

/**
 * `deploy --params <file> --yes --json`, recorded (see {@link runCliRecorded}): each stack's result
 * by name, and the calls. The test fails here unless the run exits 0.
 */
export async function deployRecorded(
  emulatorEnv: Record<string, string>,
  file: string,
  opts: CliOptions = {},
): Promise<{ results: Record<string, string>; calls: RecordedCall[] }> {
  const { run, calls } = await runCliRecorded(emulatorEnv, ['deploy', '--params', file, '--yes', '--json'], opts);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: run.stderr });
  const report = JSON.parse(run.stdout) as { stacks: { name: string; result: string }[] };
  return { results: Object.fromEntries(report.stacks.map((s) => [s.name, s.result])), calls };
}
