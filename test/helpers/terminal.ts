/**
 * `provision` in a real pseudo-terminal (test/e2e/run_in_pty.py: Python's pty module; the project
 * has no node-pty), for end-to-end tests of the wizard: its screen as text, keys sent, waits on
 * what it shows, and every prompt answered by the first rule matching its text.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './emulator';

const BIN = path.join(REPO_ROOT, 'bin', 'provision.js');
const PTY = path.join(REPO_ROOT, 'test', 'e2e', 'run_in_pty.py');
const PYTHON = fs.existsSync(path.join(REPO_ROOT, '.venv', 'bin', 'python'))
  ? path.join(REPO_ROOT, '.venv', 'bin', 'python')
  : 'python3';

/** Terminal output as text: colours, cursor moves and erases removed. */
/* eslint-disable no-control-regex -- these strip the terminal's escape sequences */
function plain(raw: string): string {
  return raw
    .replace(/\x1b\][^\x07]*\x07/g, '')
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\x1b[()][0-9A-B]/g, '')
    .replace(/\r\n?/g, '\n');
}
/* eslint-enable no-control-regex */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A rule: a prompt whose line starts with `prompt` gets `keys` (Enter alone when no rule matches). */
export type Rule = [prompt: RegExp, keys: string];

/** `provision ...` in a pseudo-terminal, with its screen output and exit code. */
export class Terminal {
  private raw = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number>;
  private code: number | undefined;
  /** Prompts answered, with what was sent. */
  readonly answered: { prompt: string; keys: string }[] = [];

  constructor(args: string[], cwd: string, env: Record<string, string>) {
    this.child = spawn(PYTHON, [PTY, '--rows', '50', '--cols', '160', '--', process.execPath, BIN, ...args], {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.raw += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.raw += d.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve((this.code = code ?? (signal ? 128 : 1)))),
    );
  }

  get text(): string {
    return plain(this.raw);
  }

  send(keys: string): void {
    this.child.stdin!.write(keys);
  }

  kill(): void {
    if (this.code === undefined) this.child.kill('SIGKILL');
  }

  /** Waits until `re` matches the screen text after `from`; returns the index after the match. */
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text.slice(from);
      const m = re.exec(text);
      if (m) return from + m.index + m[0].length;
      if (this.code !== undefined) throw new Error(`exited ${this.code} before ${re} appeared:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${this.tail()}`);
      await sleep(25);
    }
  }

  tail(n = 4000): string {
    return this.text.slice(-n);
  }

  /**
   * Answers every prompt until the program exits: each pending prompt ("? Message...") gets the
   * keys of the first rule matching its text, or Enter (its default). An answered prompt shows as
   * "✔ Message ..."; a refused one would show again and fail the run. Resolves with the exit code.
   */
  async answerAll(rules: Rule[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let from = 0;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`timed out answering prompts; last screen:\n${this.tail()}`);
      if (this.code !== undefined) return this.code;
      const text = this.text;
      const rest = text.slice(from);
      const m = /(?:^|\n)\? ([^\n]*)/.exec(rest);
      if (!m) {
        await sleep(25);
        continue;
      }
      // Let the prompt finish drawing before answering it.
      const before = this.raw.length;
      await sleep(60);
      if (this.raw.length !== before) continue;
      const line = m[1]!;
      const keys = rules.find(([re]) => re.test(line))?.[1] ?? '\r';
      // The message without its shown default ("Prefix (x-)" -> "Prefix").
      const key = line.replace(/ \([^)]*\)\s*$/, '').slice(0, 24);
      if (this.answered.filter((a) => a.prompt === line).length > 3)
        throw new Error(`prompt "${line}" keeps coming back (answer refused?):\n${this.tail()}`);
      this.answered.push({ prompt: line, keys });
      this.send(keys);
      const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // A refused answer leaves the prompt open (its problem under it): this wait then times out.
      from = await this.waitFor(
        new RegExp(`✔ ${escaped}[^\\n]*`),
        Math.min(10_000, Math.max(1000, deadline - Date.now())),
        from + m.index,
      ).catch((err: Error) => {
        throw new Error(`no answer taken for "${line}" (keys ${JSON.stringify(keys)}): ${err.message}`);
      });
    }
  }
}
