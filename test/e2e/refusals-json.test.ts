/**
 * Refusals a script matches on, end to end with the real CLI against the emulator: with `--json`,
 * deploy's refusal of stacks that cannot take their change (a queue that `fifo: true` would replace,
 * data left in the old one; the params-file field named, as for people) and its refusal of a plan file that no longer stands are one document
 * with a `code` and, per stack or plan-file field, a problem with its own code and way out. And a
 * plan file made for another environment is refused before any AWS call, without suggesting to
 * write this environment's plan over it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

const QUEUE = 'j-rj-shop-jobs';

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp, timeoutMs: 120_000 });
}

/** Environment `env` (prefix j-): one app with a queue, `queue` added to its settings. */
function writeParams(name: string, env: string, queue = ''): string {
  fs.writeFileSync(
    path.join(tmp, name),
    `environment: ${env}
prefix: j-
region: us-east-1
tags: { contactEmail: ops@example.com }
apps:
  - name: shop
    data:
      - { kind: sqs, name: jobs${queue} }
`,
  );
  return name;
}

/** The queue stack's status and last change: what a refusal must leave alone. */
async function queueVersion(): Promise<string> {
  const s = (await cfn.send(new DescribeStacksCommand({ StackName: QUEUE }))).Stacks![0]!;
  return `${s.StackStatus}@${String(s.LastUpdatedTime ?? s.CreationTime)}`;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refusals-json-'));
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  const first = await cli(['deploy', '--params', writeParams('rj.yaml', 'rj'), '--yes']);
  if (first.code !== 0) throw new Error(`first deploy failed:\n${first.stdout}${first.stderr}`);
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('deploy --json refusing a data-holding replacement: a code to match on, and the stack with its own code and way out', async () => {
  const before = await queueVersion();

  const r = await cli(['--json', 'deploy', '--params', writeParams('fifo.yaml', 'rj', ', fifo: true'), '--yes']);

  expect(r.code).toBe(2);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ ok: false, code: 'ChangesRefused', hint: expect.any(String) });
  expect(doc.problems).toEqual([
    {
      stack: QUEUE,
      code: 'DataReplacement',
      message: expect.stringMatching(new RegExp(`^stack ${QUEUE}: replacing a resource that holds data`)),
      hint: expect.stringMatching(/^nothing was changed\. Undo the change to [^.]*FifoQueue/),
      // The params-file field behind it: a condition on the Fifo parameter picks the queue's name.
      fields: ['apps[0].data[0].fifo'],
    },
  ]);
  // The text people read is as it was: the stack's refusal and its way out.
  expect(r.stderr).toMatch(/1 stack cannot take its change; nothing was changed:\n {2}stack j-rj-shop-jobs: /);
  expect(r.stderr).toMatch(
    /\n {4}in fifo\.yaml: fifo \(SQS queue, app shop\)\n {4}way out: nothing was changed\. Undo /,
  );
  expect(await queueVersion()).toBe(before);
  expect((await cfn.send(new ListChangeSetsCommand({ StackName: QUEUE }))).Summaries ?? []).toEqual([]);
});

test('deploy --json --plan with a plan that no longer stands: code PlanStale, each problem naming its stack', async () => {
  const params = writeParams('rj.yaml', 'rj', ', visibilityTimeout: 60');
  expect((await cli(['plan', '--params', params, '--out', 'rj.plan.json'])).code).toBe(0);
  expect((await cli(['deploy', '--params', params, '--yes'])).code).toBe(0);
  const before = await queueVersion();

  const r = await cli(['--json', 'deploy', '--params', params, '--plan', 'rj.plan.json']);

  expect(r.code).toBe(2);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ ok: false, code: 'PlanStale', hint: expect.stringContaining('--out rj.plan.json') });
  expect(doc.problems).toEqual([
    { stack: QUEUE, message: expect.stringMatching(/^changed since the plan \(last change \S+, now \S+\)$/) },
  ]);
  expect(await queueVersion()).toBe(before);
});

test("another environment's plan file: refused before any AWS call, naming both, never suggesting to write over it", async () => {
  const other = writeParams('other.yaml', 'ot');
  expect((await cli(['plan', '--params', other, '--out', 'other.plan.json'])).code).toBe(0);
  const planned = fs.readFileSync(path.join(tmp, 'other.plan.json'), 'utf8');

  // A dead endpoint: the refusal must come before any call (and before the run lock of rj).
  const r = await cli([
    '--json',
    'deploy',
    '--params',
    'rj.yaml',
    '--plan',
    'other.plan.json',
    '--endpoint-url',
    'http://127.0.0.1:9',
  ]);

  expect(r.code).toBe(2);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ ok: false, code: 'PlanStale' });
  expect(doc.problems).toEqual([
    { field: 'environment', message: 'environment: planned with j-ot (from other.yaml), now j-rj (from rj.yaml)' },
  ]);
  expect(doc.hint).toContain('provision deploy --params other.yaml --plan other.plan.json');
  expect(doc.hint).not.toContain('--out other.plan.json');
  expect(r.stderr).not.toMatch(/changed since the plan|not part of this run/);
  expect(fs.readFileSync(path.join(tmp, 'other.plan.json'), 'utf8')).toBe(planned);
});

test('a plan file cut short or of a newer format: --json gives its code and the field at fault, before any AWS call', async () => {
  const good = fs.readFileSync(path.join(tmp, 'rj.plan.json'), 'utf8');
  fs.writeFileSync(path.join(tmp, 'cut.plan.json'), good.slice(0, good.length / 2));
  fs.writeFileSync(path.join(tmp, 'newer.plan.json'), JSON.stringify({ ...JSON.parse(good), formatVersion: 2 }));
  const run = (file: string) =>
    cli(['--json', 'deploy', '--params', 'rj.yaml', '--plan', file, '--endpoint-url', 'http://127.0.0.1:9']);

  const cut = await run('cut.plan.json');
  expect(cut.code).toBe(2);
  expect(JSON.parse(cut.stdout)).toMatchObject({ ok: false, code: 'PlanFileInvalid', hint: expect.any(String) });

  const newer = await run('newer.plan.json');
  expect(newer.code).toBe(2);
  expect(JSON.parse(newer.stdout)).toMatchObject({
    code: 'PlanFileInvalid',
    problems: [{ field: 'formatVersion', message: expect.stringContaining('written in plan format 2') }],
    hint: expect.stringMatching(/^deploy it with the cfn-stages version that wrote it/),
  });
});

test('plan, before deploy, names the params-file field behind a refused replacement, in text and in --json', async () => {
  const params = writeParams('fifo.yaml', 'rj', ', fifo: true');

  const text = await cli(['plan', '--params', params]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(
    new RegExp(
      `REFUSED stack ${QUEUE}: replacing a resource that holds data[^\\n]*\\n {2}in fifo\\.yaml: fifo \\(SQS queue, app shop\\)\\n {2}way out: `,
    ),
  );

  const json = await cli(['--json', 'plan', '--params', params]);
  expect(json.code).toBe(0);
  const queue = JSON.parse(json.stdout).stacks.find((s: { name: string }) => s.name === QUEUE);
  expect(queue.plan.refused).toMatchObject({ code: 'DataReplacement', fields: ['apps[0].data[0].fifo'] });
});

test('deploy --json --only a stack whose imports nothing provides: code ImportsMissing, each import with its way out', async () => {
  const params = writeParams('mi.yaml', 'mi');

  const r = await cli(['--json', 'deploy', '--params', params, '--yes', '--only', 'j-mi-shop-loadbalancer']);

  expect(r.code).toBe(2);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ ok: false, code: 'ImportsMissing', hint: 'nothing was changed' });
  expect(doc.problems).toContainEqual({
    stack: 'j-mi-shop-loadbalancer',
    exportName: 'j-mi-VpcId',
    hint: 'deploy j-mi-network first (drop --only, or add --only network)',
  });
  const stacks = await cfn.send(new DescribeStacksCommand({}));
  expect((stacks.Stacks ?? []).filter((s) => s.StackName!.startsWith('j-mi-'))).toEqual([]);
});
