/**
 * `provision status` reads CloudFormation with one stack listing, end to end with the real CLI
 * against the emulator, every AWS call recorded (test/helpers/sdk-calls.js): the listing gives the
 * run's stacks and the environment's stacks the file no longer plans (which it used to look for
 * with a listing of its own, beside a read per stack); `--only` reads its few stacks by name, as
 * `outputs` (which needs no leftovers) reads its own, all at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, runCliRecorded, type RecordedCall } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

let emulator: Emulator;
let tmp: string;
const BASE = 'environment: sl\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n';

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'status-listing-e2e-'));
  fs.writeFileSync(
    path.join(tmp, 'both.yaml'),
    `${BASE}network: { azCount: 2, natGateways: single }\necsCluster: {}\n`,
  );
  fs.writeFileSync(path.join(tmp, 'dev.yaml'), `${BASE}network: { azCount: 2, natGateways: single }\n`);
  emulator = await startEmulator();
  const deploy = await runCli(emulator.env, ['deploy', '--params', 'both.yaml', '--yes'], { home: tmp, cwd: tmp });
  expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const describes = (calls: RecordedCall[]) =>
  calls.filter((c) => c.service === 'CloudFormation' && c.action === 'DescribeStacks');

test('status makes one DescribeStacks listing, and shows both its stacks and the one the file no longer plans', async () => {
  const { run, calls } = await runCliRecorded(emulator.env, ['--json', 'status', '--params', 'dev.yaml'], {
    home: tmp,
    cwd: tmp,
  });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  const doc = JSON.parse(run.stdout) as { stacks: { name: string; status: string }[]; leftovers: { name: string }[] };
  expect(doc.stacks.map((s) => [s.name, s.status])).toEqual([
    ['x-sl-network', 'CREATE_COMPLETE'],
    ['x-sl-access-logs', 'CREATE_COMPLETE'],
  ]);
  expect(doc.leftovers).toEqual([expect.objectContaining({ name: 'x-sl-ecs-cluster', status: 'CREATE_COMPLETE' })]);
  // One call, and no StackName: a listing (before, a read per stack came beside it: 3 calls here).
  expect(describes(calls).map((c) => c.stack ?? 'listing')).toEqual(['listing']);
  expect(calls.filter((c) => c.service === 'CloudFormation').map((c) => c.action)).toEqual(['DescribeStacks']);
});

test('outputs, which needs no leftovers, reads its stacks by name, all at once', async () => {
  const { run, calls } = await runCliRecorded(emulator.env, ['--json', 'outputs', '--params', 'both.yaml'], {
    home: tmp,
    cwd: tmp,
  });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(Object.keys(JSON.parse(run.stdout)).sort()).toEqual(['x-sl-access-logs', 'x-sl-ecs-cluster', 'x-sl-network']);
  const reads = describes(calls);
  expect(reads.map((c) => c.stack).sort()).toEqual(['x-sl-access-logs', 'x-sl-ecs-cluster', 'x-sl-network']);
  // At once (before, one after the other): every read starts before the first one ends.
  expect(Math.max(...reads.map((c) => c.start))).toBeLessThan(Math.min(...reads.map((c) => c.end)));
});

test('status --only reads its stacks by name, with no listing', async () => {
  const { run, calls } = await runCliRecorded(
    emulator.env,
    ['status', '--params', 'both.yaml', '--only', 'network', 'ecsCluster'],
    { home: tmp, cwd: tmp },
  );
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/x-sl-ecs-cluster +13\.env-ecs-cluster +CREATE_COMPLETE/);
  expect(
    describes(calls)
      .map((c) => c.stack)
      .sort(),
  ).toEqual(['x-sl-ecs-cluster', 'x-sl-network']);
});
