/**
 * Two environments that share a repository, deployed at the same time, end to end with the real
 * CLI against the emulator. The run lock is per environment, so nothing keeps their runs apart on
 * the shared project stack (`ecr-<name>`): on a fresh account both make a CREATE change set for it,
 * and whichever executes first deletes the other's (executing a change set deletes the stack's
 * other change sets), or the later CREATE is refused because the stack now exists. Both are what
 * AWS does; the run that lost must wait for the other's operation and carry on, not stop the
 * rest of its environment with "ChangeSet [X] does not exist".
 *
 * The tests place the other run at the worst moment deterministically (test/helpers/other-run.js,
 * preloaded into the CLI). Two real CLIs started at once meet these orderings only now and then.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

/** examples/small.yaml as environment `env` with repository `repo`, its service on a public image. */
function paramsFile(env: string, repo: string): string {
  let text = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8');
  for (const [a, b] of [
    ['environment: dev', `environment: ${env}`],
    ['- name: acme-web', `- name: ${repo}`],
    ['repositoryName: acme-web\n      imageTag: initial', 'publicImage: public.ecr.aws/nginx/nginx:1.27'],
  ] as const) {
    if (!text.includes(a)) throw new Error(`"${a}" not in examples/small.yaml`);
    text = text.replace(a, b);
  }
  const file = path.join(tmp, `${env}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** `deploy --yes --json` of a file, with another run creating `stack` right before `at`. */
function deployRaced(
  file: string,
  stack: string,
  at: 'ExecuteChangeSet' | 'CreateChangeSet' | 'DescribeChangeSet',
  only: string[] = [],
) {
  return runCli(emu.env, ['deploy', '--params', file, '--yes', '--json', ...only], {
    home: tmp,
    env: {
      NODE_OPTIONS: `-r ${path.join(REPO_ROOT, 'test', 'helpers', 'other-run.js')}`,
      OTHER_RUN_STACK: stack,
      OTHER_RUN_AT: at,
    },
  });
}

function results(run: CliRun): [string, string][] {
  if (!run.stdout.trim()) throw new Error(`no JSON (exit ${run.code}):\n${run.stderr}`);
  return JSON.parse(run.stdout).stacks.map((s: { name: string; result: string }) => [s.name, s.result]);
}

async function changeSetsOf(stack: string): Promise<string[]> {
  const out = await cfn.send(new ListChangeSetsCommand({ StackName: stack }));
  return (out.Summaries ?? []).map((s) => s.ChangeSetName!);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-shared-race-'));
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('another run executes its change set for the shared stack first: this run waits, finds it done, and deploys the rest', async () => {
  const run = await deployRaced(paramsFile('raceone', 'race-one'), 'ecr-race-one', 'ExecuteChangeSet');
  expect(run.stderr).toContain('[other run] created ecr-race-one');
  expect({ code: run.code, results: results(run) }).toEqual({
    code: 0,
    results: expect.arrayContaining([
      ['ecr-race-one', 'skipped-unchanged'],
      ['x-raceone-network', 'created'],
      ['x-raceone-acme-service', 'created'],
      ['x-raceone-acme-alarms', 'created'],
    ]),
  });
  expect(results(run).filter(([, r]) => r !== 'created' && r !== 'skipped-unchanged')).toEqual([]);
  expect(await changeSetsOf('ecr-race-one')).toEqual([]);
});

test('another run created the shared stack before this run asked for its change set: the refused CREATE is not a failure', async () => {
  const file = paramsFile('racetwo', 'race-two');
  const run = await deployRaced(file, 'ecr-race-two', 'CreateChangeSet', ['--only', 'repository']);
  expect(run.stderr).toContain('[other run] created ecr-race-two');
  expect({ code: run.code, results: results(run) }).toEqual({
    code: 0,
    results: [['ecr-race-two', 'skipped-unchanged']],
  });
  expect(await changeSetsOf('ecr-race-two')).toEqual([]);
});

test('another run executes its change set while this run waits for its own: this run leaves the stack the other made alone', async () => {
  // Executing the other run's change set deleted this run's, which this run then finds gone while
  // waiting for it. Its clean-up of a CREATE change set used to delete the stack it had made: by
  // then the other run's new stack, whose run then failed with DELETE_COMPLETE.
  const file = paramsFile('racethree', 'race-three');
  const run = await deployRaced(file, 'ecr-race-three', 'DescribeChangeSet', ['--only', 'repository']);
  expect(run.stderr).toContain('[other run] created ecr-race-three');
  const othersId = /\[other run\] created ecr-race-three \((.+)\)/.exec(run.stderr)?.[1];
  const stacks = (await cfn.send(new DescribeStacksCommand({ StackName: 'ecr-race-three' }))).Stacks ?? [];
  expect(stacks.map((s) => [s.StackId, s.StackStatus])).toEqual([[othersId, 'CREATE_COMPLETE']]);
  expect({ code: run.code, results: results(run) }).toEqual({
    code: 0,
    results: [['ecr-race-three', 'skipped-unchanged']],
  });
  expect(await changeSetsOf('ecr-race-three')).toEqual([]);
});
