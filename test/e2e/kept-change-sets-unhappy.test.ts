/**
 * End to end, the unhappy paths of the change sets a deploy's plan keeps (src/deploy/planned.ts):
 * an update run whose plan kept a change set for every changed stack, stopped before it used them
 * all, by a failing stack or by Ctrl-C. Neither may leave a change set of the run on any stack, and
 * the same command run again converges. Two independent queue stacks change in each run, deployed
 * one at a time (`--concurrency 1`), so the second one's kept change set is never reached.
 *
 * - failure: the emulator's test control makes the queue's update fail and roll back
 *   (`/cfn-stages-emulator/fail/<stack>/<logical id>`, test/emulator/README.md);
 * - Ctrl-C: the CLI talks to the emulator through a small proxy here (see holdingProxy) that stops
 *   the run where Ctrl-C meets it on AWS: watching its first stack's update (the reads after the
 *   first ExecuteChangeSet are held until SIGINT has been sent), or with that ExecuteChangeSet still
 *   on its way (never answered, never forwarded): then the change set was not run, and is deleted.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emu: Emulator;
let tmp: string;
let cfn: CloudFormationClient;
let ssm: SSMClient;

/** Two independent queues of one app, with this visibility timeout. */
function paramsFile(env: string, visibilityTimeout: number): string {
  const file = path.join(tmp, `${env}.yaml`);
  fs.writeFileSync(
    file,
    `environment: ${env}
prefix: k-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
apps:
  - name: shop
    data:
      - { kind: sqs, name: jobs, visibilityTimeout: ${visibilityTimeout} }
      - { kind: sqs, name: mail, visibilityTimeout: ${visibilityTimeout} }
`,
  );
  return file;
}

const stacksOf = (env: string) => [`k-${env}-shop-jobs`, `k-${env}-shop-mail`];

function cli(args: string[], endpoint?: string): Promise<CliRun> {
  return runCli(emu.env, endpoint ? [...args, '--endpoint-url', endpoint] : args, {
    home: tmp,
    timeoutMs: 120_000,
  });
}

/** `deploy --yes --json --concurrency 1`: the exit code and each stack's result. */
async function deploy(file: string): Promise<{ code: number; results: Record<string, string>; stderr: string }> {
  const run = await cli(['deploy', '--params', file, '--yes', '--json', '--concurrency', '1']);
  const report = JSON.parse(run.stdout || '{}') as { stacks?: { name: string; result: string }[] };
  if (!report.stacks)
    throw new Error(`deploy gave no result per stack (exit ${run.code}):\n${run.stdout}${run.stderr}`);
  return {
    code: run.code,
    stderr: run.stderr,
    results: Object.fromEntries(report.stacks.map((s) => [s.name, s.result])),
  };
}

/** Every change set on the stacks, by stack (empty lists expected). */
async function changeSets(stacks: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of stacks) {
    const listed = await cfn.send(new ListChangeSetsCommand({ StackName: name }));
    out[name] = (listed.Summaries ?? []).map((s) => `${s.ChangeSetName} ${s.ExecutionStatus}`);
  }
  return out;
}

async function visibility(stack: string): Promise<string | undefined> {
  const [s] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks ?? [];
  return s?.Parameters?.find((p) => p.ParameterKey === 'VisibilityTimeout')?.ParameterValue;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-change-sets-'));
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  ssm = new SSMClient(emu.clientConfig);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  ssm?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a stack failing in an update run: exit 1, no change set of the run left on any stack, a re-run converges', async () => {
  const stacks = stacksOf('kf');
  expect((await deploy(paramsFile('kf', 30))).code).toBe(0);
  // Both queues' updates fail; the first to run stops the run, so the other's kept change set is never used.
  const hooks = stacks.map((s) => `/cfn-stages-emulator/fail/${s}/Queue`);
  for (const Name of hooks) await ssm.send(new PutParameterCommand({ Name, Value: 'update', Type: 'String' }));

  const failed = await deploy(paramsFile('kf', 120));

  expect(failed.code).toBe(1);
  expect(stacks.map((s) => failed.results[s]).sort()).toEqual(['failed', 'not-run']);
  expect(await changeSets(stacks)).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
  for (const s of stacks) expect(await visibility(s)).toBe('30'); // the failed update rolled back

  for (const Name of hooks) await ssm.send(new DeleteParameterCommand({ Name }));
  const again = await deploy(paramsFile('kf', 120));
  expect({ code: again.code, results: stacks.map((s) => again.results[s]) }).toEqual({
    code: 0,
    results: ['updated', 'updated'],
  });
  for (const s of stacks) expect(await visibility(s)).toBe('120');
  expect(await changeSets(stacks)).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
});

/** Where the proxy stops the run: its first ExecuteChangeSet on its way, or the reads after one went through. */
type HoldAt = 'execute' | 'after-execute';

/**
 * A proxy to the emulator that holds the run at `at` until `release`: the moments Ctrl-C meets on
 * AWS, where a request takes its time and an update minutes. A held ExecuteChangeSet stays
 * unanswered until the proxy closes (it never reaches CloudFormation); held reads are answered on release.
 */
async function holdingProxy(
  target: string,
  at: HoldAt,
): Promise<{ endpoint: string; reached: Promise<void>; release(): void; close(): Promise<void> }> {
  let holding = false;
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const held: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const executing = body.includes('Action=ExecuteChangeSet');
      const forward = (): void => {
        const up = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          if (executing && at === 'after-execute') answer.on('end', () => ((holding = true), reach()));
        });
        up.on('error', () => res.destroy());
        up.end(body);
      };
      if (holding) held.push(forward);
      else if (executing && at === 'execute') {
        holding = true; // and this request is never answered, nor forwarded
        reach();
      } else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached,
    release: () => {
      holding = false;
      for (const f of held.splice(0)) f();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `deploy --yes --json --concurrency 1` through a proxy holding it `at`, with Ctrl-C there. */
async function deployInterrupted(
  file: string,
  at: HoldAt,
): Promise<{ code: number | null; results: Record<string, string>; stderr: string }> {
  const proxy = await holdingProxy(emu.endpoint, at);
  try {
    return await runInterrupted(file, proxy);
  } finally {
    await proxy.close();
  }
}

async function runInterrupted(
  file: string,
  proxy: Awaited<ReturnType<typeof holdingProxy>>,
): Promise<{ code: number | null; results: Record<string, string>; stderr: string }> {
  const args = ['deploy', '--params', file, '--yes', '--json', '--concurrency', '1', '--endpoint-url', proxy.endpoint];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'provision.js'), ...args], {
    cwd: tmp,
    env: { PATH: process.env.PATH ?? '', HOME: tmp, NO_COLOR: '1', ...emu.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  await proxy.reached;
  await new Promise((r) => setTimeout(r, 300)); // the run waits on the held request
  child.kill('SIGINT');
  proxy.release();
  const code = await closed;
  const report = JSON.parse(stdout || '{"stacks":[]}') as { stacks: { name: string; result: string }[] };
  return { code, stderr, results: Object.fromEntries(report.stacks.map((s) => [s.name, s.result])) };
}

test('Ctrl-C while an update runs: exit 130, no change set of the run left on any stack, a re-run converges', async () => {
  const stacks = stacksOf('ki');
  expect((await deploy(paramsFile('ki', 30))).code).toBe(0);

  const interrupted = await deployInterrupted(paramsFile('ki', 120), 'after-execute');

  expect(interrupted.code).toBe(130);
  expect(interrupted.stderr).toContain('interrupted:');
  // The first stack's update had gone through (the emulator is quick): detached from; the other never started.
  expect(stacks.map((s) => interrupted.results[s]).sort()).toEqual(['detached', 'not-run']);
  expect(await changeSets(stacks)).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
  const notRun = stacks.find((s) => interrupted.results[s] === 'not-run')!;
  expect(await visibility(notRun)).toBe('30');

  const again = await deploy(paramsFile('ki', 120));
  expect(again.code).toBe(0);
  expect(again.results[notRun]).toBe('updated');
  for (const s of stacks) expect(await visibility(s)).toBe('120');
  expect(await changeSets(stacks)).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
});

test('Ctrl-C with ExecuteChangeSet on its way, never arrived: the change set is deleted, not left; a re-run converges', async () => {
  const stacks = stacksOf('kx');
  expect((await deploy(paramsFile('kx', 30))).code).toBe(0);

  const interrupted = await deployInterrupted(paramsFile('kx', 120), 'execute');

  expect(interrupted.code).toBe(130);
  expect([
    interrupted.stderr.includes('left without waiting'),
    stacks.map((s) => interrupted.results[s]).sort(),
  ]).toEqual([false, ['cancelled', 'not-run']]);
  expect(await changeSets(stacks)).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
  for (const s of stacks) expect(await visibility(s)).toBe('30');

  const again = await deploy(paramsFile('kx', 120));
  expect({ code: again.code, results: stacks.map((s) => again.results[s]) }).toEqual({
    code: 0,
    results: ['updated', 'updated'],
  });
  expect(await changeSets(stacks)).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
});
