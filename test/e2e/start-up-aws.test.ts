/**
 * Start-up against the emulator (issue 12): a command loads the AWS clients it calls, and the S3
 * client only when it sends something to S3. plan, deploy (templates that fit inline), status and
 * outputs never load it; publish, which uploads, does (the check can fail). Counted from the
 * process's module cache (test/helpers/loaded-modules.cjs).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli } from '../helpers/cli';

const PRELOAD = path.join(REPO_ROOT, 'test', 'helpers', 'loaded-modules.cjs');
const SMALL = path.join(REPO_ROOT, 'examples', 'small.yaml');

let emu: Emulator;
let tmp: string;

beforeAll(async () => {
  emu = await startEmulator();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-start-aws-'));
}, 120_000);

afterAll(async () => {
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the CLI and returns the AWS SDK client packages it loaded. */
async function clientsLoadedBy(args: string[]): Promise<string[]> {
  const out = path.join(tmp, `${args.join('-').replace(/[^a-z0-9-]/gi, '_')}.txt`);
  const run = await runCli(emu.env, args, {
    env: { NODE_OPTIONS: `--require ${PRELOAD}`, LOADED_MODULES_FILE: out },
    timeoutMs: 120_000,
  });
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: expect.any(String) });
  const files = fs.readFileSync(out, 'utf8').split('\n');
  const clients = files.flatMap((f) => /node_modules[\\/]@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]/.exec(f)?.[1] ?? []);
  return [...new Set(clients)].sort();
}

it('plan, deploy, status and outputs load CloudFormation but never the S3 client; publish does', async () => {
  const plan = await clientsLoadedBy(['plan', '--params', SMALL]);
  expect(plan).toContain('client-cloudformation');
  expect(plan).not.toContain('client-s3');

  const deploy = await clientsLoadedBy(['deploy', '--params', SMALL, '--only', 'network', '--yes']);
  expect(deploy).toContain('client-cloudformation');
  expect(deploy).not.toContain('client-s3');

  for (const command of ['status', 'outputs']) {
    const loaded = await clientsLoadedBy([command, '--params', SMALL, '--only', 'network']);
    expect(loaded).toContain('client-cloudformation');
    expect(loaded).not.toContain('client-s3');
  }

  const publish = await clientsLoadedBy(['publish', '--bucket', 'start-up-templates']);
  expect(publish).toContain('client-s3');
}, 240_000);

it("a no-op re-run loads the clients of the calls it makes, not those of restores, scale-in protection or a service's targets", async () => {
  // Every stack of the small example but the service (which would wait for its image to be pushed).
  const args = [
    'deploy',
    '--params',
    SMALL,
    '--only',
    'network',
    'accessLogs',
    'ecsCluster',
    'loadBalancer',
    'repository',
    '--yes',
  ];
  expect(await clientsLoadedBy(args)).toContain('client-cloudformation');
  const again = await clientsLoadedBy(args);
  expect(again).toContain('client-cloudformation');
  expect(again).toContain('client-ssm'); // the run lock
  const unused = ['client-rds', 'client-elasticache', 'client-secrets-manager', 'client-auto-scaling', 'client-ecs'];
  expect(again.filter((c) => unused.includes(c) || c === 'client-elastic-load-balancing-v2')).toEqual([]);
}, 240_000);
