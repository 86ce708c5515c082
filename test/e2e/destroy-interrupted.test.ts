/**
 * End to end, the built CLI against the local emulator: Ctrl-C during `destroy`. The run leaves
 * with 130 and its closing line counts the stacks not done and says why (interrupted), naming
 * each; running the same destroy again finishes the job.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli } from '../helpers/cli';

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;
let params: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'destroy-interrupted-'));
  params = path.join(tmp, 'di.yaml');
  fs.writeFileSync(
    params,
    [
      'environment: di',
      'prefix: x-',
      'region: us-east-1',
      'tags: { contactEmail: ops@example.com }',
      'network: { azCount: 2, natGateways: single }',
      'ecsCluster: {}',
      '',
    ].join('\n'),
  );
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function liveStacks(): Promise<string[]> {
  const r = await cfn.send(new ListStacksCommand({}));
  return (r.StackSummaries ?? [])
    .filter((s) => s.StackStatus !== 'DELETE_COMPLETE' && s.StackName!.startsWith('x-di-'))
    .map((s) => s.StackName!)
    .sort();
}

/** `provision destroy --yes`, with Ctrl-C sent when its first stack starts deleting. */
function destroyInterrupted(): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'provision.js'), 'destroy', '--params', params, '--yes'],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...emu.env } },
  );
  let stdout = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!sent && /: deleting$/m.test(stdout)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout })));
}

test('Ctrl-C during destroy: exit 130, the stacks not done counted as interrupted and named; a re-run finishes', async () => {
  const deployed = await runCli(emu.env, ['deploy', '--params', params, '--yes'], { timeoutMs: 120_000 });
  expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: '' });
  const stacks = await liveStacks();
  expect(stacks.length).toBeGreaterThanOrEqual(2);

  const r = await destroyInterrupted();
  expect(r.code).toBe(130);
  const summary = r.stdout.match(/^✖ (\d+) deleted, (\d+) (?:was|were) not deployed, (\d+) not done \(interrupted\)$/m);
  expect(summary).not.toBeNull();
  const [deleted, absent, notDone] = summary!.slice(1).map(Number);
  expect(deleted! + absent! + notDone!).toBe(stacks.length);
  expect(notDone).toBeGreaterThanOrEqual(1);
  // One line per stack not done, saying why. The one CloudFormation was deleting goes on without
  // us (detached); the ones not reached are all still there.
  const named = [
    ...r.stdout.matchAll(/^ {2}(x-di-\S+): (not run: interrupted|detached while CloudFormation goes on .*)$/gm),
  ];
  expect(named).toHaveLength(notDone!);
  const notReached = named.filter(([, , why]) => why!.startsWith('not run')).map(([, name]) => name);
  expect(notReached.length).toBeGreaterThanOrEqual(1);
  expect(await liveStacks()).toEqual(expect.arrayContaining(notReached));

  const again = await runCli(emu.env, ['destroy', '--params', params, '--yes'], { timeoutMs: 120_000 });
  expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
  expect(again.stdout).toMatch(/^✔ \d+ deleted, \d+ (?:was|were) not deployed$/m);
  expect(await liveStacks()).toEqual([]);
}, 240_000);
