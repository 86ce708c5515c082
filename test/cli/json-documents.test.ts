/**
 * `--json` promises one parseable document on stdout, whatever the outcome, so that a script can
 * read the result and the exit code together. These are the paths that run without AWS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();
const stdout = io.stdout;

test('synth --check with stale files: one document naming them and the fix, exit 1', async () => {
  // A catalogue version with no published/ folder: every template is stale.
  expect(await main(['--json', 'synth', '--check', '--version', '9.9.9'])).toBe(1);
  const doc = JSON.parse(stdout());
  expect(doc).toMatchObject({
    ok: false,
    dir: path.resolve('published', '9.9.9'),
    error: 'published/9.9.9 is out of date',
    hint: expect.stringContaining('synth'),
  });
  expect(doc.stale).toContain('11.env-network.cf');
});

test('synth --check when up to date: one document, exit 0', async () => {
  expect(await main(['--json', 'synth', '--check'])).toBe(0);
  expect(JSON.parse(stdout())).toEqual({
    ok: true,
    dir: expect.stringMatching(/published\/\d+\.\d+\.\d+$/),
    stale: [],
  });
});

test.each([
  [['--json'], 'no command given'],
  [['--json', 'config'], 'config: no subcommand given'],
  [['--region', 'eu-west-1', '--json', 'config'], 'config: no subcommand given'],
  [['--json', 'bogus'], "unknown command 'bogus'"],
  [['--json', 'plan', '--params', 'envs/dev.yaml', '--bogus'], "unknown option '--bogus'"],
  [['--json', 'deploy', '--only'], "option '--only <stage...>' argument missing"],
])('a usage error with %j: one document saying what is wrong, exit 2', async (argv, error) => {
  expect(await main(argv)).toBe(2);
  const doc = JSON.parse(stdout());
  expect(doc).toEqual({ ok: false, error: expect.stringContaining(error), hint: 'run `provision --help` for usage' });
});

test('without --json a usage error writes nothing on stdout', async () => {
  expect(await main(['plan', '--bogus'])).toBe(2);
  expect(stdout()).toBe('');
});

test('a params file with problems: one document with the code and every problem (field, line, message, hint)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-params-'));
  const file = path.join(dir, 'dev.yaml');
  fs.writeFileSync(
    file,
    'environment: dev\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\nnetwrk: {}\n',
  );
  try {
    expect(await main(['--json', 'plan', '--params', file])).toBe(2);
    const doc = JSON.parse(stdout());
    expect(doc).toMatchObject({ ok: false, code: 'ParamsInvalid' });
    expect(doc.problems).toEqual([
      {
        field: 'netwrk',
        line: 5,
        message: expect.stringContaining('unknown field (did you mean "network"?)'),
        hint: 'rename it to "network"',
      },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
