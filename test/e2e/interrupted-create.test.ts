/**
 * Day two, a run interrupted (Ctrl-C) while it made a new stack's CREATE change set: the call went
 * out, so CloudFormation holds the stack in REVIEW_IN_PROGRESS with that change set, never
 * executed. The next run of the same command converges: one stack of that name, created, and none
 * of the change sets left over (AWS deletes a stack's other change sets once one executes).
 * End to end with the real CLI against the emulator, which joins a CREATE change set to a stack in
 * review as AWS does (test/emulator/cfn_stages_moto/stacks.py, create_change_set); the interrupted
 * run's leftover is made here with the SDK, as it would stand after Ctrl-C.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

const STACK = 'x-dev-access-logs';
let emulator: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emulator.env, args, { home: tmp, cwd: tmp });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'interrupted-create-e2e-'));
  fs.writeFileSync(
    path.join(tmp, 'dev.yaml'),
    'environment: dev\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n' +
      'network: { azCount: 2, natGateways: single }\n',
  );
  emulator = await startEmulator();
  cfn = new CloudFormationClient(emulator.clientConfig);
});

afterAll(async () => {
  cfn?.destroy();
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a re-run after Ctrl-C during a CREATE change set creates the stack once, and leaves no change set', async () => {
  // What the interrupted run left: the stack in review with its change set, never executed.
  const body = fs.readFileSync(path.join(REPO_ROOT, 'published', '0.1.0', '15.env-access-logs.cf'), 'utf8');
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: STACK,
      ChangeSetName: 'cfn-stages-interrupted-run',
      ChangeSetType: 'CREATE',
      TemplateBody: body,
      Parameters: [
        { ParameterKey: 'Prefix', ParameterValue: 'x-' },
        { ParameterKey: 'EnvironmentName', ParameterValue: 'dev' },
        { ParameterKey: 'ContactEmail', ParameterValue: 'ops@example.com' },
      ],
    }),
  ); // the emulator makes change sets at once

  const deploy = await cli(['deploy', '--params', 'dev.yaml', '--yes']);
  expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
  expect(deploy.stdout).toContain(`${STACK} 15.env-access-logs created`);

  const stacks = ((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackName === STACK);
  expect(stacks.map((s) => s.StackStatus)).toEqual(['CREATE_COMPLETE']);
  expect((await cfn.send(new ListChangeSetsCommand({ StackName: STACK }))).Summaries ?? []).toEqual([]);
  const status = await cli(['--json', 'status', '--params', 'dev.yaml']);
  const row = JSON.parse(status.stdout).stacks.find((s: { name: string }) => s.name === STACK);
  expect(row.status).toBe('CREATE_COMPLETE');
});

test('a CREATE change set for a stack that exists otherwise is refused, as on AWS', async () => {
  const body = fs.readFileSync(path.join(REPO_ROOT, 'published', '0.1.0', '15.env-access-logs.cf'), 'utf8');
  await expect(
    cfn.send(
      new CreateChangeSetCommand({
        StackName: STACK,
        ChangeSetName: 'again',
        ChangeSetType: 'CREATE',
        TemplateBody: body,
        Parameters: [
          { ParameterKey: 'Prefix', ParameterValue: 'x-' },
          { ParameterKey: 'EnvironmentName', ParameterValue: 'dev' },
          { ParameterKey: 'ContactEmail', ParameterValue: 'ops@example.com' },
        ],
      }),
    ),
  ).rejects.toThrow(`Stack [${STACK}] already exists and cannot be created again with the changeSet [again].`);
});
