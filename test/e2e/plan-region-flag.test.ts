/**
 * `plan --region R` (and `--profile`, `--endpoint-url`) where the params file names another region,
 * end to end with the real CLI against the emulator: the plan's heading names the region it was
 * made in, and the commands it prints keep the flags, so that running them acts where the plan
 * looked: `deploy --plan` of the printed line deploys the plan, where the same line without
 * `--region` would be refused (the plan's region is not the file's).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emu: Emulator;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp, timeoutMs: 120_000 });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-region-flag-'));
  emu = await startEmulator();
  fs.writeFileSync(
    path.join(tmp, 'rf.yaml'),
    `environment: rf
prefix: g-
region: us-east-1
tags: { contactEmail: ops@example.com }
apps:
  - name: shop
    data:
      - { kind: sqs, name: jobs }
`,
  );
}, 120_000);

afterAll(async () => {
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('plan --region: the heading names that region, and the printed deploy commands keep the flag and work', async () => {
  const plan = await cli(['plan', '--params', 'rf.yaml', '--region', 'eu-west-1', '--out', 'rf.plan.json']);

  expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
  expect(plan.stdout).toMatch(/^Plan for g-rf \(eu-west-1\), \d+ stacks in deploy order:/);
  expect(plan.stdout).toContain('Apply with: provision deploy --params rf.yaml --region eu-west-1\n');
  const printed = /Deploy exactly it with: (provision deploy .*)\n/.exec(plan.stdout)?.[1];
  expect(printed).toBe('provision deploy --params rf.yaml --plan rf.plan.json --region eu-west-1');

  // Without the flag, the plan is refused: the file's region is not the plan's.
  const bare = await cli(['deploy', '--params', 'rf.yaml', '--plan', 'rf.plan.json']);
  expect(bare.code).toBe(2);
  expect(bare.stderr).toContain('region: planned with eu-west-1, now us-east-1');

  // The printed line, as a user would paste it.
  const deploy = await cli(printed!.split(' ').slice(1));
  expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
  const cfn = new CloudFormationClient({ ...emu.clientConfig, region: 'eu-west-1' });
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: 'g-rf-shop-jobs' }));
    expect(out.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  } finally {
    cfn.destroy();
  }
});
