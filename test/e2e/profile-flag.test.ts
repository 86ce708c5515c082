/**
 * `--profile` while access keys are also set in the environment, end to end with the real CLI
 * against the emulator, which refuses a key id starting `ASIAEXPIRED` as AWS refuses expired
 * session credentials (test/emulator/cfn_stages_moto/credentials.py): so which credentials a run
 * used shows in whether it is refused. As with the AWS CLI, an explicit `--profile` wins over
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, with one line saying so instead of the SDK's own
 * multi-line warning; so does a params file's `profile:` (which the SDK preferred already); with
 * neither, the keys are used as before.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

let emulator: Emulator;
let tmp: string;
const EXPIRED = { AWS_ACCESS_KEY_ID: 'ASIAEXPIREDEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 'expired' };
const GOOD = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
const NOTE = 'using profile';

/** `provision ...args` with these keys in the environment and the profiles of tmp/credentials. */
function cli(args: string[], keys: Record<string, string>): Promise<CliRun> {
  return runCli(emulator.env, args, {
    home: tmp,
    cwd: tmp,
    env: { ...keys, AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'credentials') },
  });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-flag-e2e-'));
  fs.writeFileSync(
    path.join(tmp, 'credentials'),
    '[good]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n' +
      '[expired]\naws_access_key_id = ASIAEXPIREDEXAMPLE02\naws_secret_access_key = x\naws_session_token = expired\n',
  );
  const env = 'environment: dev\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n';
  fs.writeFileSync(path.join(tmp, 'dev.yaml'), `${env}network: { azCount: 2, natGateways: single }\n`);
  fs.writeFileSync(path.join(tmp, 'good.yaml'), `${env}profile: good\nnetwork: { azCount: 2, natGateways: single }\n`);
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('--profile wins over expired keys in the environment: the run works, with one line of its own', async () => {
  const r = await cli(['--profile', 'good', 'status', '--params', 'dev.yaml'], EXPIRED);
  expect({ code: r.code, stderr: r.stderr }).toEqual({
    code: 0,
    stderr:
      'warning: using profile good (--profile); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment are ignored\n',
  });
  expect(r.stdout).toContain('x-dev-network');
});

test('--profile with an expired profile is refused even though the keys in the environment are good', async () => {
  const r = await cli(['--json', '--profile', 'expired', 'status', '--params', 'dev.yaml'], GOOD);
  expect(r.code).toBe(1);
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'CredentialsExpired' });
  expect(r.stderr.split('\n').filter((l) => l.includes(NOTE))).toEqual([
    'warning: using profile expired (--profile); AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment are ignored',
  ]);
  expect(r.stderr).not.toContain('Multiple credential sources');
});

test("a params file's profile: also wins over the keys, with one line naming the file; --profile wins over both", async () => {
  const r = await cli(['status', '--params', 'good.yaml'], EXPIRED);
  expect({ code: r.code, stderr: r.stderr }).toEqual({
    code: 0,
    stderr:
      'warning: using profile good (profile: in good.yaml); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment are ignored\n',
  });
  const flag = await cli(['--profile', 'expired', 'status', '--params', 'good.yaml'], GOOD);
  expect(flag.code).toBe(1);
  expect(flag.stderr).toContain('AWS refused the credentials: they have expired');
  expect(flag.stderr.split('\n').filter((l) => l.includes(NOTE))).toEqual([
    'warning: using profile expired (--profile); AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment are ignored',
  ]);
});

test('without --profile the keys in the environment are used, and nothing is said about them', async () => {
  const refused = await cli(['status', '--params', 'dev.yaml'], EXPIRED);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('AWS refused the credentials: they have expired');
  const ok = await cli(['status', '--params', 'dev.yaml'], GOOD);
  expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
});
