/**
 * Credentials AWS refuses, end to end with the real CLI against the emulator, which refuses a key
 * id starting `ASIAEXPIRED` as AWS refuses expired session credentials (ExpiredToken in the query
 * protocol, ExpiredTokenException in the JSON one: test/emulator/cfn_stages_moto/credentials.py).
 * Every command says the credentials expired and how to renew them, instead of the call's raw
 * error, exits 1, and with `--json` prints one document; a deploy refused so changes nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

let emulator: Emulator;
let tmp: string;
const EXPIRED = { AWS_ACCESS_KEY_ID: 'ASIAEXPIREDEXAMPLE01', AWS_SESSION_TOKEN: 'expired-session-token' };

function cli(args: string[]): Promise<CliRun> {
  return runCli(emulator.env, args, { home: tmp, cwd: tmp, env: EXPIRED });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'credentials-e2e-'));
  fs.writeFileSync(
    path.join(tmp, 'dev.yaml'),
    'environment: dev\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n' +
      'network: { azCount: 2, natGateways: single }\n',
  );
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test.each([
  ['plan', ['plan', '--params', 'dev.yaml'], 'ExpiredToken:'],
  ['status', ['status', '--params', 'dev.yaml'], 'ExpiredToken:'],
  ['outputs', ['outputs', '--params', 'dev.yaml'], 'ExpiredToken:'],
  // deploy's first call takes the run lock in SSM, a JSON-protocol service.
  ['deploy', ['deploy', '--params', 'dev.yaml', '--yes'], 'ExpiredTokenException:'],
])('%s with expired credentials says so, with how to renew them (exit 1)', async (_name, args, detail) => {
  const r = await cli(args);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('provision: AWS refused the credentials: they have expired (');
  expect(r.stderr).toContain(detail);
  expect(r.stderr).toContain('`aws sso login`');
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
});

test('input errors still come first: a bad --app is refused before any AWS call (exit 2)', async () => {
  const r = await cli(['config', 'get', '--params', 'dev.yaml', '--app', 'x']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('no app "x" in dev.yaml');
});

test('--json: one document with the error, the hint and the code to match on', async () => {
  const r = await cli(['--json', 'plan', '--params', 'dev.yaml']);
  expect(r.code).toBe(1);
  const doc = JSON.parse(r.stdout);
  expect(doc).toEqual({
    ok: false,
    error: expect.stringContaining(
      'they have expired (ExpiredToken: The security token included in the request is expired)',
    ),
    hint: expect.stringContaining('AWS_SESSION_TOKEN'),
    code: 'CredentialsExpired',
  });
});

test('the refused deploy changed nothing: no stack, no run lock', async () => {
  const cfn = new CloudFormationClient(emulator.clientConfig);
  const ssm = new SSMClient(emulator.clientConfig);
  try {
    expect((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).toEqual([]);
    const locks = await ssm.send(new GetParametersByPathCommand({ Path: '/cfn-stages/', Recursive: true }));
    expect(locks.Parameters ?? []).toEqual([]);
  } finally {
    cfn.destroy();
    ssm.destroy();
  }
});
