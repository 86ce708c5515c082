/**
 * End to end, plan once and deploy exactly that: `provision plan --out FILE` writes a plan file,
 * `provision deploy --plan FILE` deploys it, or refuses before changing anything when what the plan
 * was made from moved (the params file edited, another deploy in between). The real CLI against
 * the emulator; see src/run/plan-file.ts. And a stack whose change set is not the planned one
 * (an SSM-typed parameter's value moved: same inputs, other changes) is not executed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

const AMI_PARAMETER = '/cfn-stages-test/plan-file-ami';
const CLUSTER = 'f-pf-ecs-cluster';
const JOBS = 'f-pf-shop-jobs';
const MAIL = 'f-pf-shop-mail';

let emu: Emulator;
let tmp: string;
let cfn: CloudFormationClient;
let ssm: SSMClient;

/** An ECS cluster whose AMI is an SSM parameter, two queues with this visibility timeout; `extra` adds a third. */
function writeParams(visibilityTimeout: number, extra = ''): string {
  const file = path.join(tmp, 'pf.yaml');
  fs.writeFileSync(
    file,
    `environment: pf
prefix: f-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
ecsCluster: { enableEc2Capacity: true, ec2MinSize: 1, ec2DesiredCapacity: 1, ec2ImageId: ${AMI_PARAMETER} }
apps:
  - name: shop
    data:
      - { kind: sqs, name: jobs, visibilityTimeout: ${visibilityTimeout} }
      - { kind: sqs, name: mail, visibilityTimeout: ${visibilityTimeout} }
${extra}`,
  );
  return 'pf.yaml';
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp, timeoutMs: 120_000 });
}

/** Each stack's version (id, last change, status, visibility timeout), to show nothing moved. */
async function versions(): Promise<Record<string, string>> {
  const out = await cfn.send(new DescribeStacksCommand({}));
  return Object.fromEntries(
    (out.Stacks ?? [])
      .filter((s) => s.StackName?.startsWith('f-pf-'))
      .map((s) => [
        s.StackName!,
        `${s.StackId}@${String(s.LastUpdatedTime ?? s.CreationTime)} ${s.StackStatus} ${s.Parameters?.find((p) => p.ParameterKey === 'VisibilityTimeout')?.ParameterValue ?? ''}`,
      ]),
  );
}

async function leftChangeSets(): Promise<string[]> {
  const names = Object.keys(await versions());
  const left: string[] = [];
  for (const StackName of names)
    for (const s of (await cfn.send(new ListChangeSetsCommand({ StackName }))).Summaries ?? [])
      left.push(`${StackName} ${s.ChangeSetName}`);
  return left;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-file-'));
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  ssm = new SSMClient(emu.clientConfig);
  await ssm.send(new PutParameterCommand({ Name: AMI_PARAMETER, Value: 'ami-0123456789abcdef0', Type: 'String' }));
  // A new environment through a plan file: every stack a create, held against its planned adds.
  const plan = await cli(['plan', '--params', writeParams(30), '--out', 'first.json']);
  const first = await cli(['deploy', '--params', 'pf.yaml', '--plan', 'first.json']);
  if (plan.code !== 0 || first.code !== 0) throw new Error(`first deploy failed:\n${first.stdout}${first.stderr}`);
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  ssm?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('plan --out, then deploy --plan: exactly the planned updates, without --yes or a prompt', async () => {
  const params = writeParams(120);
  const plan = await cli(['plan', '--params', params, '--out', 'plan.json']);
  expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
  expect(plan.stdout).toContain('Plan written to plan.json');
  const doc = JSON.parse(fs.readFileSync(path.join(tmp, 'plan.json'), 'utf8'));
  expect(doc).toMatchObject({ format: 'cfn-stages-plan', region: 'us-east-1', params: { file: params } });
  expect(
    doc.stacks
      .filter((s: { plan: { kind: string } }) => s.plan.kind === 'changes')
      .map((s: { name: string }) => s.name)
      .sort(),
  ).toEqual([JOBS, MAIL]);
  expect((fs.statSync(path.join(tmp, 'plan.json')).mode & 0o777).toString(8)).toBe('600');
  // Digests, not values: neither a parameter value (the contact e-mail, the AMI behind its SSM name) nor a tag.
  const text = fs.readFileSync(path.join(tmp, 'plan.json'), 'utf8');
  for (const value of ['ops@example.com', 'ami-0123456789abcdef0', AMI_PARAMETER]) expect(text).not.toContain(value);

  const deploy = await cli(['--json', 'deploy', '--params', params, '--plan', 'plan.json']);
  expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
  const results = Object.fromEntries(
    (JSON.parse(deploy.stdout).stacks as { name: string; result: string }[]).map((s) => [s.name, s.result]),
  );
  expect(Object.entries(results).filter(([, r]) => r !== 'skipped-unchanged')).toEqual([
    [JOBS, 'updated'],
    [MAIL, 'updated'],
  ]);
  expect(await leftChangeSets()).toEqual([]);
});

test('another deploy between plan and deploy --plan: exit 2, nothing changed, the stacks named', async () => {
  const plan = await cli(['plan', '--params', writeParams(300), '--out', 'plan.json']);
  expect(plan.code).toBe(0);
  const other = await cli(['deploy', '--params', writeParams(300), '--yes', '--only', JOBS]);
  expect(other.code).toBe(0);
  const before = await versions();

  const deploy = await cli(['deploy', '--params', 'pf.yaml', '--plan', 'plan.json']);

  expect(deploy.code).toBe(2);
  expect(deploy.stderr).toContain('the plan in plan.json no longer stands for this deploy; nothing was changed');
  expect(deploy.stderr).toMatch(new RegExp(`${JOBS}: changed since the plan \\(last change \\S+, now \\S+\\)`));
  expect(deploy.stderr).not.toContain(`${MAIL}:`);
  expect(deploy.stderr).toContain('provision plan --params pf.yaml --out plan.json');
  expect(await versions()).toEqual(before);
  expect(await leftChangeSets()).toEqual([]);
});

test('the params file edited after the plan: exit 2, nothing changed, the file and each stack named', async () => {
  const plan = await cli(['plan', '--params', writeParams(300), '--out', 'plan.json']);
  expect(plan.code).toBe(0);
  writeParams(600);
  const before = await versions();

  const deploy = await cli(['deploy', '--params', 'pf.yaml', '--plan', 'plan.json']);

  expect(deploy.code).toBe(2);
  expect(deploy.stderr).toContain('params file pf.yaml: changed since the plan');
  for (const stack of [JOBS, MAIL])
    expect(deploy.stderr).toContain(`${stack}: its template, parameters or tags differ from the plan's`);
  expect(await versions()).toEqual(before);
});

test("--only other than the plan's: exit 2, naming the stacks the plan has and the run has not", async () => {
  const plan = await cli(['plan', '--params', writeParams(300), '--out', 'plan.json']);
  expect(plan.code).toBe(0);
  const before = await versions();

  const deploy = await cli(['deploy', '--params', 'pf.yaml', '--plan', 'plan.json', '--only', JOBS]);

  expect(deploy.code).toBe(2);
  expect(deploy.stderr).toContain(`${MAIL}: planned, but not part of this run`);
  expect(await versions()).toEqual(before);
});

test('a malformed or foreign plan file: exit 2 before any AWS call, naming what is wrong', async () => {
  const params = writeParams(300);
  const write = (name: string, text: string) => fs.writeFileSync(path.join(tmp, name), text);
  write('not-json.json', 'plan: yes\n');
  write('foreign.json', JSON.stringify({ format_version: '1.2', terraform_version: '1.9.0' }));
  const good = JSON.parse(fs.readFileSync(path.join(tmp, 'plan.json'), 'utf8'));
  write('no-account.json', JSON.stringify({ ...good, account: undefined }));
  write('bad-stack.json', JSON.stringify({ ...good, stacks: [{ ...good.stacks[0], input: 7 }] }));
  write('no-stack-input.json', JSON.stringify({ ...good, stacks: [{ ...good.stacks[0], input: undefined }] }));
  const cases: [string, string][] = [
    ['missing.json', '--plan missing.json: cannot read it (ENOENT)'],
    ['not-json.json', '--plan not-json.json: not a plan file (not JSON)'],
    ['foreign.json', '--plan foreign.json: not a plan file of this tool (field "format" is not "cfn-stages-plan")'],
    ['no-account.json', '--plan no-account.json: field "account" is missing'],
    ['bad-stack.json', '--plan bad-stack.json: field "stacks[0].input" is not valid'],
    ['no-stack-input.json', '--plan no-stack-input.json: field "stacks[0].input" is missing'],
  ];
  for (const [file, message] of cases) {
    const run = await cli(['deploy', '--params', params, '--plan', file, '--endpoint-url', 'http://127.0.0.1:9']);
    expect({ file, code: run.code, named: run.stderr.includes(message) }).toEqual({ file, code: 2, named: true });
  }
});

test('plan --out where no plan file can be written: exit 2 before any AWS call, and nothing left behind', async () => {
  const params = writeParams(300);
  fs.mkdirSync(path.join(tmp, 'a-folder'), { recursive: true });
  const cases: [string, string][] = [
    ['no-such-folder/p.json', 'no-such-folder/p.json: folder'],
    ['a-folder', '--out a-folder: is a folder'],
    // Not even root may create a file there.
    ['/proc/cfn-stages-plan.json', '--out /proc/cfn-stages-plan.json: cannot write there'],
  ];
  for (const [out, message] of cases) {
    const run = await cli(['plan', '--params', params, '--out', out, '--endpoint-url', 'http://127.0.0.1:9']);
    expect({ out, code: run.code, named: run.stderr.includes(message) }).toEqual({ out, code: 2, named: true });
  }
  // A file that can be written is checked by making it and removing it again: a plan that then fails leaves nothing.
  const fails = await cli(['plan', '--params', params, '--out', 'unmade.json', '--endpoint-url', 'http://127.0.0.1:9']);
  expect(fails.code).toBe(1);
  expect(fs.existsSync(path.join(tmp, 'unmade.json'))).toBe(false);
});

test("plan --json --only --out: one JSON document naming the file; deploy --plan takes the plan's --only", async () => {
  const params = writeParams(900);
  const plan = await cli(['--json', 'plan', '--params', params, '--only', JOBS, '--out', 'only.json']);
  expect(plan.code).toBe(0);
  const doc = JSON.parse(plan.stdout);
  expect(doc.planFile).toBe('only.json');
  expect(doc.stacks.map((s: { name: string }) => s.name)).toEqual([JOBS]);
  expect(JSON.parse(fs.readFileSync(path.join(tmp, 'only.json'), 'utf8')).only).toEqual([JOBS]);

  const deploy = await cli(['--json', 'deploy', '--params', params, '--plan', 'only.json']);
  expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(deploy.stdout).stacks.map((s: { name: string; result: string }) => [s.name, s.result])).toEqual([
    [JOBS, 'updated'],
  ]);
});

test('a stack the plan creates: deploy --plan creates it, its change set being the planned adds', async () => {
  const params = writeParams(900, '      - { kind: sqs, name: audit }\n');
  const plan = await cli(['plan', '--params', params, '--out', 'create.json']);
  expect(plan.code).toBe(0);
  const planned = JSON.parse(fs.readFileSync(path.join(tmp, 'create.json'), 'utf8'));
  const audit = planned.stacks.find((s: { name: string }) => s.name === 'f-pf-shop-audit');
  expect(audit).toMatchObject({ deployed: 'absent', plan: { kind: 'changes', type: 'create' } });
  expect(audit.plan.changes.length).toBeGreaterThan(0);

  const deploy = await cli(['--json', 'deploy', '--params', params, '--plan', 'create.json']);
  expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
  const results = JSON.parse(deploy.stdout).stacks as { name: string; result: string }[];
  expect(results.find((s) => s.name === 'f-pf-shop-audit')?.result).toBe('created');
});

test("an SSM value moved after the plan: that stack's change set is not the planned one, so it is not executed", async () => {
  const params = writeParams(900, '      - { kind: sqs, name: audit }\n'); // as deployed: a plan of no changes
  const plan = await cli(['plan', '--params', params, '--out', 'ssm.json']);
  expect(plan.code).toBe(0);
  await ssm.send(
    new PutParameterCommand({ Name: AMI_PARAMETER, Value: 'ami-0fedcba9876543210', Type: 'String', Overwrite: true }),
  );
  const before = await versions();

  const deploy = await cli(['deploy', '--params', params, '--plan', 'ssm.json']);

  expect(deploy.code).toBe(1);
  expect(deploy.stdout).toMatch(
    new RegExp(
      `${CLUSTER}: its changes are no longer those of the plan in ssm\\.json \\(\\+ Modify Ec2LaunchTemplate AWS::EC2::LaunchTemplate`,
    ),
  );
  expect(await versions()).toEqual(before);
  expect(await leftChangeSets()).toEqual([]);
});
