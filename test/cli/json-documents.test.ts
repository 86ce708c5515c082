/**
 * `--json` promises one parseable document on stdout, whatever the outcome, so that a script can
 * read the result and the exit code together. These are the paths that run without AWS.
 */
import { main } from '../../src/cli/main';

let out: jest.SpyInstance;
let err: jest.SpyInstance;
beforeEach(() => {
  out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  out.mockRestore();
  err.mockRestore();
  process.exitCode = undefined;
});
const stdout = () => out.mock.calls.map((c) => String(c[0])).join('');

test('synth --check with stale files: one document naming them and the fix, exit 1', async () => {
  // A catalogue version with no published/ folder: every template is stale.
  expect(await main(['--json', 'synth', '--check', '--version', '9.9.9'])).toBe(1);
  const doc = JSON.parse(stdout());
  expect(doc).toMatchObject({ ok: false, error: 'published/ is out of date', hint: expect.stringContaining('synth') });
  expect(doc.stale).toContain('11.env-network.cf');
});

test('synth --check when up to date: one document, exit 0', async () => {
  expect(await main(['--json', 'synth', '--check'])).toBe(0);
  expect(JSON.parse(stdout())).toEqual({ ok: true, stale: [] });
});
