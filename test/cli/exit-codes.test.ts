/** The CLI's exit codes for usage mistakes, run in-process through main(). */
import { main } from '../../src/cli/main';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();

const stderr = io.stderr;

test.each([
  [['--help'], 0],
  [['config', '--help'], 0],
  [['config'], 2],
  [['no-such-command'], 2],
  [['deploy', '--yes'], 2],
  [['plan', '--params', '/no/such/file.yaml'], 2],
])('provision %j exits %i', async (argv, code) => {
  expect(await main(argv as string[])).toBe(code);
});

test('a missing params file names the file and the fix', async () => {
  expect(await main(['status', '--params', '/no/such/file.yaml'])).toBe(2);
  expect(stderr()).toContain('cannot read params file /no/such/file.yaml: no such file');
  expect(stderr()).toContain('see examples/');
});

test('deploy without a terminal needs --yes, and says so before touching anything', async () => {
  expect(await main(['deploy', '--params', 'examples/small.yaml'])).toBe(2);
  expect(stderr()).toContain('deploy needs --yes when it cannot ask');
  // The way on names the file given, not a placeholder.
  expect(stderr()).toContain('provision plan --params examples/small.yaml');
  expect(stderr()).toContain('provision deploy --params examples/small.yaml --yes');
});

test.each([['deploy', '--yes'], ['release', '--app', 'acme', '--version', 'v2', '--yes'], ['logs']])(
  '%s refuses a --poll-interval that is no number of seconds above 0, naming the flag',
  async (...command) => {
    for (const bad of ['abc', '-1', '0', '61']) {
      io.clear();
      expect(await main([...command, '--params', 'examples/small.yaml', '--poll-interval', bad])).toBe(2);
      expect(stderr()).toContain(`--poll-interval ${bad}: give a number of seconds above 0, at most 60`);
    }
  },
);
