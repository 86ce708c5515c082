/**
 * The service watchdog end to end (issue 17, row 1), with the real CLI against the emulator
 * running ECS tasks (`CFN_STAGES_EMULATOR_TASKS=run`): a service whose tasks stop keeps its stack
 * in progress until the circuit breaker, set here to 300 s (on AWS: ten minutes or more). Images
 * are pushed into the emulator's ECR; one whose manifest carries the emulator's stop annotations
 * crashes on start (exit 1, "mkdir /var/cache/nginx: read-only file system"), as nginx does on a
 * read-only root.
 *
 * - deploy, create: the service stack's new tasks crash; deploy shows the reason live, gives up
 *   within seconds (not at the breaker's 300 s), deletes the unfinished stack, exits 1 with the
 *   reason and the fix; a re-run with a good image creates it;
 * - deploy, update to a crashing tag: the update is cancelled and rolls back;
 * - release to a crashing tag: the same watchdog cancels the release's update.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

const BREAKER_SECONDS = 300;
const SERVICE_STACK = 'x-dev-acme-service';
const CRASH = 'mkdir /var/cache/nginx: read-only file system';

type Run = CliRun;

let emulator: Emulator;
let tmp: string;
let params: string;

function cli(args: string[]): Promise<Run> {
  return runCli(emulator.env, args, { home: tmp });
}

/** The example environment with the service on `tag`. */
function writeParams(tag: string): void {
  const text = fs
    .readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8')
    .replace('imageTag: initial', `imageTag: ${tag}`);
  fs.writeFileSync(params, text.replace('../published/', `${REPO_ROOT}/published/`));
}

/** Pushes `tag`; `exitCode` makes the emulator's tasks of it crash with that code and CRASH. */
async function push(tag: string, exitCode?: number): Promise<void> {
  await new ECRClient(emulator.clientConfig).send(
    new PutImageCommand({
      repositoryName: 'acme-web',
      imageTag: tag,
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          size: 1234,
          digest: `sha256:${Buffer.from(tag.padEnd(32, '0')).toString('hex')}`,
        },
        layers: [],
        ...(exitCode === undefined
          ? {}
          : {
              annotations: { 'cfn-stages.emulator/exit-code': String(exitCode), 'cfn-stages.emulator/reason': CRASH },
            }),
      }),
    }),
  );
}

async function stackStatus(name: string): Promise<{ status?: string; imageTag?: string }> {
  try {
    const out = await new CloudFormationClient(emulator.clientConfig).send(
      new DescribeStacksCommand({ StackName: name }),
    );
    const stack = out.Stacks?.[0];
    return {
      status: stack?.StackStatus,
      imageTag: stack?.Parameters?.find((p) => p.ParameterKey === 'ImageTag')?.ParameterValue,
    };
  } catch {
    return {};
  }
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'watchdog-e2e-'));
  params = path.join(tmp, 'dev.yaml');
  emulator = await startEmulator({
    env: {
      CFN_STAGES_EMULATOR_TASKS: 'run',
      CFN_STAGES_EMULATOR_TASK_SECONDS: '1',
      CFN_STAGES_EMULATOR_BREAKER_SECONDS: String(BREAKER_SECONDS),
    },
  });
  writeParams('crash1');
  const repo = await cli(['deploy', '--params', params, '--yes', '--only', '21']);
  if (repo.code !== 0) throw new Error(`repository deploy failed:\n${repo.stderr}\n${repo.stdout}`);
  await push('crash1', 1);
  await push('good');
  await push('crash2', 1);
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('create: deploy shows why the tasks stop, gives up well before the circuit breaker and leaves no stack waiting', async () => {
  const run = await cli(['deploy', '--params', params, '--yes', '--poll-interval', '1']);
  const text = run.stdout + run.stderr;
  expect(run.code).toBe(1);
  expect(text).toContain(`task stopped Service: exit 1: ${CRASH}`); // live, as it happened
  expect(text).toMatch(
    new RegExp(
      `${SERVICE_STACK}: failed \\(DELETE_COMPLETE\\): Service AWS::ECS::Service: \\d+ new tasks stopped: exit 1: ${CRASH}; gave up after \\d+ s`,
    ),
  );
  expect(text).toContain('readonlyRootFilesystem: false');
  expect(run.seconds).toBeLessThan(BREAKER_SECONDS / 3);
  expect((await stackStatus(SERVICE_STACK)).status).toBeUndefined(); // deleted, not left in progress
  expect((await stackStatus('x-dev-acme-loadbalancer')).status).toBe('CREATE_COMPLETE'); // the rest stands
});

test('a re-run with an image that starts creates the service', async () => {
  writeParams('good');
  const run = await cli(['deploy', '--params', params, '--yes', '--poll-interval', '1']);
  expect(run.code).toBe(0);
  expect(await stackStatus(SERVICE_STACK)).toEqual({ status: 'CREATE_COMPLETE', imageTag: 'good' });
});

test('update: deploy cancels the update of a service whose new tasks crash; it rolls back', async () => {
  writeParams('crash2');
  const run = await cli(['deploy', '--params', params, '--yes', '--poll-interval', '1']);
  const text = run.stdout + run.stderr;
  expect(run.code).toBe(1);
  expect(text).toMatch(
    new RegExp(
      `${SERVICE_STACK}: failed \\(UPDATE_ROLLBACK_COMPLETE\\): .*exit 1: ${CRASH}; gave up after \\d+ s .*cancelled the update`,
    ),
  );
  expect(run.seconds).toBeLessThan(BREAKER_SECONDS / 3);
  expect(await stackStatus(SERVICE_STACK)).toEqual({ status: 'UPDATE_ROLLBACK_COMPLETE', imageTag: 'good' });
});

test('release shares the watchdog: a release whose tasks crash is cancelled with the reason', async () => {
  writeParams('good');
  const run = await cli([
    'release',
    '--params',
    params,
    '--app',
    'acme',
    '--version',
    'crash2',
    '--yes',
    '--poll-interval',
    '1',
  ]);
  const text = run.stdout + run.stderr;
  expect(run.code).toBe(1);
  expect(text).toContain(`exit 1: ${CRASH}`);
  expect(text).toMatch(/gave up after \d+ s.*cancelled the update/);
  expect(run.seconds).toBeLessThan(BREAKER_SECONDS / 3);
  expect(await stackStatus(SERVICE_STACK)).toEqual({ status: 'UPDATE_ROLLBACK_COMPLETE', imageTag: 'good' });
});
