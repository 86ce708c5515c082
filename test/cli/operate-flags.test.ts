/**
 * `logs`, `exec` and `tunnel` refuse bad input before any AWS call, naming the field and the fix
 * (run in-process through main(); the endpoint is a closed port, so an AWS call would fail
 * differently).
 */
import { main } from '../../src/cli/main';

let out: jest.SpyInstance;
let err: jest.SpyInstance;
const saved = { ...process.env };
beforeEach(() => {
  out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_MAX_ATTEMPTS: '1',
  });
});
afterEach(() => {
  out.mockRestore();
  err.mockRestore();
  process.env = { ...saved };
  process.exitCode = undefined;
});

const stderr = () => err.mock.calls.map((c) => String(c[0])).join('');
const SMALL = ['--params', 'examples/small.yaml'];

test.each([
  [['logs', ...SMALL], 2, '--app NAME is required'],
  [['logs', ...SMALL, '--app', 'nope'], 2, 'apps in examples/small.yaml: acme'],
  [
    ['logs', ...SMALL, '--app', 'acme', '--extra', 'api2', '--data', 'main'],
    2,
    '--extra and --data pick different logs',
  ],
  [['logs', ...SMALL, '--app', 'acme', '--limit', '0'], 2, '--limit 0: give a whole number from 1 to 10000'],
  [['logs', ...SMALL, '--app', 'acme', '--since', 'last week'], 2, '--since last week: give a duration'],
  [['logs', ...SMALL, '--app', 'acme', '--extra', 'api2'], 2, 'it has no extra services'],
  [
    ['logs', ...SMALL, '--app', 'acme', '--data', 'main'],
    2,
    'app acme has no data stores (add them under data: in examples/small.yaml)',
  ],
  [['exec', ...SMALL, '--app', 'acme', '--task', 'a b'], 2, '--task a b: give a task id or ARN'],
  [
    ['tunnel', ...SMALL, '--app', 'acme', '--data', 'main', '--local-port', '70000'],
    2,
    '--local-port 70000: give a port from 1 to 65535',
  ],
  [['tunnel', ...SMALL, '--app', 'acme'], 2, '--data NAME is required'],
])('provision %j exits %i: %s', async (argv, code, message) => {
  expect(await main(argv as string[])).toBe(code);
  expect(stderr()).toContain(message);
});

test('exec looks for the Session Manager plugin before any AWS call', async () => {
  process.env.PATH = '/nonexistent';
  expect(await main(['exec', ...SMALL, '--app', 'acme'])).toBe(2);
  expect(stderr()).toContain(
    "provision exec needs AWS's Session Manager plugin (session-manager-plugin), which is not on your PATH",
  );
  expect(stderr()).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:9/);
});
