/**
 * Day two, the prefix of a deployed environment changed in its params file, end to end with the
 * real CLI against the emulator. The prefix is part of every stack and export name, so the edited
 * file plans a second, complete environment; the first is neither moved nor deleted and keeps
 * running with no file pointing at it. Two environments that differ only by prefix are allowed,
 * so plan and deploy say so (src/deploy/namesakes.ts) rather than refuse, and only on the run
 * that creates the environment. A changed region likewise leaves the environment in the old
 * region; plan (not deploy, whose first run the ~35 regional calls would slow) names it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

const NOTE =
  'environment pc also exists in this region under prefix x- (x-pc: 1 stack): this run creates y-pc beside it. A prefix changed in the params file does not move or delete x-pc; once y-pc takes its place, destroy it with the params file as it was (prefix: x-)';

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp });
}

/** examples/small.yaml as environment `pc` with the given prefix (and region). */
function paramsFile(prefix: string, region = 'us-east-1'): string {
  const text = fs
    .readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8')
    .replace('environment: dev', 'environment: pc')
    .replace('prefix: x-', `prefix: ${prefix}`)
    .replace('region: us-east-1', `region: ${region}`);
  const name = `pc-${prefix.replace('-', '')}-${region}.yaml`;
  fs.writeFileSync(path.join(tmp, name), text);
  return name;
}

async function liveStacks(): Promise<string[]> {
  const out = await cfn.send(new ListStacksCommand({}));
  return (out.StackSummaries ?? [])
    .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
    .map((s) => s.StackName!)
    .sort();
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-prefix-change-'));
  const first = await cli(['deploy', '--params', paramsFile('x-'), '--yes', '--only', 'network']);
  if (first.code !== 0) throw new Error(`first deploy exited ${first.code}\n${first.stdout}\n${first.stderr}`);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('plan of the file with a new prefix names the environment left under the old one, and what to do with it', async () => {
  const r = await cli(['plan', '--params', paramsFile('y-'), '--only', 'network']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`Account preflight:\n  ! ${NOTE}`);
});

test('deploy says it too, creates the new environment and leaves the old one as it is', async () => {
  const r = await cli(['deploy', '--params', paramsFile('y-'), '--yes', '--only', 'network']);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`warning: ${NOTE}`);
  expect(await liveStacks()).toEqual(['x-pc-network', 'y-pc-network']);
});

test('once the environment exists, its runs no longer say it', async () => {
  const plan = await cli(['plan', '--params', paramsFile('y-')]);
  expect(plan.code).toBe(0);
  expect(plan.stdout + plan.stderr).not.toContain('also exists in this region');
  const old = await cli(['plan', '--params', paramsFile('x-')]);
  expect(old.stdout + old.stderr).not.toContain('also exists in this region');
});

test('plan of the file with a new region names the stacks left in the old one; deploy does not look', async () => {
  const file = paramsFile('x-', 'eu-west-1');
  const plan = await cli(['plan', '--params', file, '--only', 'network']);
  expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
  expect(plan.stdout).toContain(
    '  ! environment x-pc is also deployed in us-east-1 (x-pc-network): this run creates it in eu-west-1. A region changed in the params file does not move or delete the stacks in us-east-1; once this one takes their place, destroy them with the params file as it was (region: us-east-1)',
  );
  const deploy = await cli(['deploy', '--params', file, '--yes', '--only', 'network']);
  expect(deploy.code).toBe(0);
  expect(deploy.stdout + deploy.stderr).not.toContain('also deployed in');
  expect(await liveStacks()).toEqual(['x-pc-network', 'y-pc-network']); // us-east-1's, as before
});
