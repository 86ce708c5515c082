/**
 * `provision` in a real pseudo-terminal (test/e2e/run_in_pty.py: Python's pty module), for
 * end-to-end tests of the wizard: every prompt is answered by the first rule matching its text
 * (Enter, its default, when none does), until the program exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './emulator';

const PTY = path.join(REPO_ROOT, 'test', 'e2e', 'run_in_pty.py');
const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** A prompt whose line starts with `prompt` gets `keys`. */
export type Rule = [prompt: RegExp, keys: string];

/** Screen output as text: colours, cursor moves and erases removed. */
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

export class Terminal {
  private raw = '';
  private code: number | undefined;
  private readonly child: ChildProcess;

  constructor(args: string[], cwd: string, env: Record<string, string>) {
    const python = fs.existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
    const bin = path.join(REPO_ROOT, 'bin', 'provision.js');
    this.child = spawn(python, [PTY, '--rows', '50', '--cols', '160', '--', process.execPath, bin, ...args], {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.raw += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.raw += d.toString('utf8')));
    this.child.on('exit', (code, signal) => (this.code = code ?? (signal ? 128 : 1)));
  }

  get text(): string {
    return plain(this.raw);
  }

  kill(): void {
    if (this.code === undefined) this.child.kill('SIGKILL');
  }

  /** Answers every prompt ("? Message") until the program exits; resolves with its exit code. */
  async answerAll(rules: Rule[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let from = 0;
    while (this.code === undefined) {
      if (Date.now() > deadline)
        throw new Error(`timed out answering prompts; last screen:\n${this.text.slice(-3000)}`);
      const m = /(?:^|\n)\? ([^\n]*)/.exec(this.text.slice(from));
      const before = this.raw.length;
      await sleep(m ? 80 : 25);
      if (!m || this.raw.length !== before) continue; // let the prompt finish drawing
      const line = m[1]!;
      this.child.stdin!.write(rules.find(([re]) => re.test(line))?.[1] ?? '\r');
      // The answer is taken when the prompt turns into "✔ ..." (or the program exits).
      const start = from + m.index;
      for (let t = 0; t < 400 && this.code === undefined && this.text.indexOf('✔', start) < 0; t++) await sleep(25);
      const taken = this.text.indexOf('✔', start);
      if (taken < 0 && this.code === undefined)
        throw new Error(`no answer taken for "${line}":\n${this.text.slice(-3000)}`);
      from = taken < 0 ? start + 1 : taken + 1;
    }
    return this.code;
  }
}
