/**
 * How `provision` reaches the wizard (in-process, the wizard itself replaced): with no command, a
 * terminal runs it and anything else gets the usage and exit code 2; `provision wizard` passes
 * --params on; Ctrl-C inside it is exit code 130 with one line.
 */
import { main } from '../../src/cli/main';

const runWizard = jest.fn();
jest.mock('../../src/commands/wizard/run', () => ({ runWizard: (...args: unknown[]) => runWizard(...args) }));

function setTty(stdin: boolean, stdout: boolean): () => void {
  const before = [process.stdin.isTTY, process.stdout.isTTY];
  Object.defineProperty(process.stdin, 'isTTY', { value: stdin, configurable: true });
  Object.defineProperty(process.stdout, 'isTTY', { value: stdout, configurable: true });
  return () => {
    Object.defineProperty(process.stdin, 'isTTY', { value: before[0], configurable: true });
    Object.defineProperty(process.stdout, 'isTTY', { value: before[1], configurable: true });
  };
}

let stderr: string;
let restoreWrite: () => void;

beforeEach(() => {
  runWizard.mockReset();
  stderr = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  restoreWrite = () => {
    spy.mockRestore();
    out.mockRestore();
  };
});

afterEach(() => restoreWrite());

test('no command and no terminal: usage on stderr, exit code 2, no wizard', async () => {
  for (const [stdin, stdout] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    const restore = setTty(stdin, stdout);
    try {
      stderr = '';
      expect(await main([])).toBe(2);
      expect(stderr).toMatch(/Usage: provision/);
      expect(stderr).toMatch(/no terminal for the wizard/);
    } finally {
      restore();
    }
  }
  expect(runWizard).not.toHaveBeenCalled();
});

test('no command in a terminal runs the wizard', async () => {
  const restore = setTty(true, true);
  try {
    expect(await main([])).toBe(0);
  } finally {
    restore();
  }
  expect(runWizard).toHaveBeenCalledTimes(1);
  expect(runWizard.mock.calls[0][0]).toEqual({});
});

test('`provision wizard --params F` starts from that file; the command is hidden from --help', async () => {
  expect(await main(['wizard', '--params', 'envs/dev.yaml'])).toBe(0);
  expect(runWizard.mock.calls[0][0]).toEqual({ params: 'envs/dev.yaml' });
  let help = '';
  (process.stdout.write as unknown as jest.Mock).mockImplementation((chunk: string) => ((help += chunk), true));
  await main(['--help']);
  expect(help).toMatch(/Usage: provision/);
  expect(help).not.toMatch(/^\s+wizard/m);
});

test('an interrupted wizard is exit code 130 with a one-line message', async () => {
  const { CliError, ExitCode } = await import('../../src/cli/errors');
  runWizard.mockRejectedValue(new CliError('wizard cancelled: nothing was deployed', ExitCode.Interrupted));
  expect(await main(['wizard'])).toBe(130);
  expect(stderr.trim().split('\n')).toEqual([
    expect.stringContaining('provision: wizard cancelled: nothing was deployed'),
  ]);
});
