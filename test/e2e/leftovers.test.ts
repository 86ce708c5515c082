/**
 * Day two, an app removed from the params file, end to end with the real CLI against the emulator.
 * A deploy changes only what the file plans, so the removed app's stacks stay: plan and status
 * name them (src/deploy/leftovers.ts finds them by the environment's tag) with the command that
 * deletes them, `destroy --only` takes their stack names, and a destroy of the whole environment
 * deletes them too, importers first: its network and access-log stacks, which they import from,
 * would otherwise refuse to go ("cannot be deleted while other stacks use its exports").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { Terminal } from '../helpers/terminal';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emulator: Emulator;
let tmp: string;
const REMOVED = ['x-lt-api-loadbalancer', 'x-lt-api-db', 'x-lt-api-jobs'];

function cli(args: string[]): Promise<CliRun> {
  return runCli(emulator.env, args, { home: tmp, cwd: tmp });
}

/**
 * The environment with `acme`; with `api` (a load balancer, a Postgres database, a queue) unless
 * `api` is false, its database protected from deletion (the default) unless `api` is 'unprotected'.
 */
function paramsFile(name: string, api: boolean | 'unprotected'): string {
  const db = `{ kind: postgres, name: db, instances: 1${api === 'unprotected' ? ', deletionProtection: false' : ''} }`;
  const apiApp = `  - name: api
    loadBalancer: { healthCheckPath: /health }
    data: [${db}, { kind: sqs, name: jobs }]
`;
  fs.writeFileSync(
    path.join(tmp, name),
    `environment: lt
prefix: x-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
apps:
  - name: acme
    loadBalancer: { healthCheckPath: /health }
${api ? apiApp : ''}`,
  );
  return name;
}

async function liveStacks(): Promise<string[]> {
  const cfn = new CloudFormationClient(emulator.clientConfig);
  try {
    const stacks = (await cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
    return stacks
      .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => s.StackName ?? '')
      .sort();
  } finally {
    cfn.destroy();
  }
}

function expectOk(r: CliRun): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leftovers-e2e-'));
  emulator = await startEmulator();
  paramsFile('both.yaml', true);
  paramsFile('dev.yaml', false);
  paramsFile('unprotected.yaml', 'unprotected');
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('plan and status name the stacks of an app removed from the file, and the command that deletes them', async () => {
  expectOk(await cli(['deploy', '--params', 'both.yaml', '--yes']));
  const plan = await cli(['plan', '--params', 'dev.yaml']);
  expect(plan.code).toBe(0);
  expect(plan.stderr).toContain('3 stacks of this environment are no longer in dev.yaml');
  expect(plan.stderr).toContain(`provision destroy --params dev.yaml --only ${REMOVED.join(' ')}`);
  const json = await cli(['--json', 'plan', '--params', 'dev.yaml']);
  expect(JSON.parse(json.stdout).leftovers).toEqual([
    { name: 'x-lt-api-loadbalancer', status: 'CREATE_COMPLETE', templateId: '31.app-loadbalancer', app: 'api' },
    { name: 'x-lt-api-db', status: 'CREATE_COMPLETE', templateId: '41.data-postgres', app: 'api' },
    { name: 'x-lt-api-jobs', status: 'CREATE_COMPLETE', templateId: '45.data-sqs-queue', app: 'api' },
  ]);
  const status = await cli(['status', '--params', 'dev.yaml']);
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/x-lt-api-jobs +45\.data-sqs-queue +CREATE_COMPLETE +api/);
  const statusJson = await cli(['--json', 'status', '--params', 'dev.yaml']);
  expect(JSON.parse(statusJson.stdout).leftovers.map((l: { name: string }) => l.name)).toEqual(REMOVED);
  // The file that still has the app has nothing left over.
  expect((await cli(['plan', '--params', 'both.yaml'])).stderr).not.toContain('no longer in');
});

test('deploy leaves the removed stacks as they are, and says so, from the listing its checks read anyway', async () => {
  const deploy = await cli(['deploy', '--params', 'dev.yaml', '--yes']);
  expectOk(deploy);
  expect(deploy.stderr).toContain('3 stacks of this environment are no longer in dev.yaml, and deploy leaves them');
  expect(deploy.stderr).toContain(`provision destroy --params dev.yaml --only ${REMOVED.join(' ')}`);
  const json = await cli(['--json', 'deploy', '--params', 'dev.yaml', '--yes']);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout).leftovers.map((l: { name: string }) => l.name)).toEqual(REMOVED);
  expect(await liveStacks()).toEqual(expect.arrayContaining(REMOVED));
  expect((await cli(['deploy', '--params', 'both.yaml', '--yes'])).stderr).not.toContain('no longer in');
});

test('destroy --only takes a removed stack by its name; a misspelt one is refused, naming them', async () => {
  const typo = await cli(['destroy', '--params', 'dev.yaml', '--only', 'x-lt-api-job', '--yes']);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toContain('--only x-lt-api-job: no such stage or stack in this environment');
  expect(typo.stderr).toContain(`or a stack of x-lt no longer in dev.yaml (${REMOVED.join(', ')})`);
  expect(await liveStacks()).toEqual(expect.arrayContaining(REMOVED));

  const one = await cli(['destroy', '--params', 'dev.yaml', '--only', 'x-lt-api-jobs', '--yes']);
  expectOk(one);
  expect(one.stdout).toContain('1 deleted');
  expect(await liveStacks()).not.toContain('x-lt-api-jobs');
  expect(await liveStacks()).toContain('x-lt-api-loadbalancer');
});

test('a removed database still protected from deletion stops the whole destroy before anything goes, with the way out', async () => {
  const r = await cli(['destroy', '--params', 'dev.yaml', '--yes']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('1 stack has deletion protection on; nothing was deleted:');
  expect(r.stderr).toContain('  x-lt-api-db (no longer in dev.yaml: deletionProtection)');
  expect(r.stderr).toContain(
    'a stack no longer in dev.yaml goes back in it first (its app or store, with deletionProtection: false)',
  );
  expect(await liveStacks()).toEqual(expect.arrayContaining(['x-lt-network', 'x-lt-api-db']));
  // The way out, as the hint gives it: the app back in a file with the protection off, deployed.
  expectOk(await cli(['deploy', '--params', 'unprotected.yaml', '--yes']));
});

test('in a terminal, destroy lists the removed stacks among those it would delete; a wrong name deletes nothing', async () => {
  const term = new Terminal(['destroy', '--params', 'dev.yaml'], tmp, { ...emulator.env, HOME: tmp });
  try {
    await term.waitFor(/Type the environment name \(lt\) to confirm:/, 30_000);
    expect(term.text).toMatch(/This deletes 6 stacks of x-lt:/);
    expect(term.text).toContain('  x-lt-api-loadbalancer (no longer in dev.yaml)');
    expect(term.text).toContain('  x-lt-network\n');
    term.send('nope\r');
    expect(await term.exited).toBe(2);
    expect(term.text).toContain('destroy cancelled: the name did not match');
  } finally {
    term.kill();
  }
  expect(await liveStacks()).toEqual([
    'x-lt-access-logs',
    'x-lt-acme-loadbalancer',
    'x-lt-api-db',
    'x-lt-api-jobs',
    'x-lt-api-loadbalancer',
    'x-lt-network',
  ]);
});

test('a destroy of the whole environment deletes the removed app too, before the stacks it imports from', async () => {
  const r = await cli(['--json', 'destroy', '--params', 'dev.yaml', '--yes']);
  expectOk(r);
  const doc = JSON.parse(r.stdout) as { ok: boolean; stacks: { name: string; result: string }[] };
  expect(doc.ok).toBe(true);
  expect(doc.stacks).toEqual(
    expect.arrayContaining([
      { name: 'x-lt-api-loadbalancer', result: 'deleted' },
      { name: 'x-lt-api-db', result: 'deleted' },
      { name: 'x-lt-api-jobs', result: 'deleted' },
      { name: 'x-lt-network', result: 'deleted' },
      { name: 'x-lt-access-logs', result: 'deleted' },
    ]),
  );
  expect(await liveStacks()).toEqual([]);
});
