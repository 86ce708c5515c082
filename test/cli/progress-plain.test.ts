/**
 * Progress without a terminal (listr2's simple renderer, as in CI logs): lines from parallel stacks
 * interleave, so each line names its stack, and names it once.
 */
import { Progress, type RunResult } from '../../src/cli/progress';

let out: jest.SpyInstance;
let err: jest.SpyInstance;
let tty: PropertyDescriptor | undefined;
beforeEach(() => {
  // Run from a terminal, the test still renders as without one (under `npm test` stdout is a pipe).
  tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  if (process.stdout.isTTY) Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
  out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  out.mockRestore();
  err.mockRestore();
  if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
});
const written = () =>
  [...out.mock.calls, ...err.mock.calls]
    .map((c) => String(c[0]))
    .join('')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '');

const STACKS = ['acme-web-ecr', 'acme-net', 'acme-db', 'acme-app', 'acme-cache', 'acme-old'];

test('each plain line names its stack once, whatever the stack ends with', async () => {
  const p = new Progress(
    STACKS.map((name, i) => ({ name, templateId: `2${i}.some-template`, dependsOn: i === 3 ? ['acme-db'] : [] })),
    { verb: 'deploy' },
  );
  p.start();
  await new Promise((r) => setTimeout(r, 50));
  p.event({ type: 'step', stackName: 'acme-net', step: 'creating-change-set' });
  const results: RunResult[] = [
    { kind: 'skipped-unchanged', stackName: 'acme-web-ecr', outputs: {} },
    { kind: 'created', stackName: 'acme-net', changes: [], outputs: {} },
    { kind: 'failed', stackName: 'acme-db', status: 'ROLLBACK_COMPLETE', statusReason: 'boom' },
    { kind: 'not-run', stackName: 'acme-app', because: 'dependency acme-db did not succeed' },
    { kind: 'absent', stackName: 'acme-cache' },
    { kind: 'deleted', stackName: 'acme-old', kept: [] },
  ];
  for (const r of results) p.done(r.stackName, r);
  await p.finish();
  const lines = written()
    .split('\n')
    .filter((l) => l.trim());
  for (const name of STACKS) {
    const mine = lines.filter((l) => l.includes(name));
    expect(mine.length).toBeGreaterThan(0);
    for (const l of mine) expect({ line: l, times: l.split(name).length - 1 }).toEqual({ line: l, times: 1 });
  }
  expect(lines).toContainEqual(expect.stringMatching(/acme-web-ecr 20\.some-template.*\[SKIPPED: unchanged\]$/));
  expect(lines).toContainEqual(
    expect.stringMatching(/acme-db 22\.some-template.*FAILED.*failed \(ROLLBACK_COMPLETE\): boom/),
  );
  expect(lines).toContainEqual(expect.stringMatching(/acme-app 23\.some-template.*not run: dependency acme-db/));
});
