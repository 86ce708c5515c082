/**
 * `provision logs`, `exec` and `tunnel` end to end: the real CLI (`node bin/provision.js`, built by
 * `npm run build`) and real SDK clients against the local emulator, on an environment with jump
 * boxes, a Postgres database, a Redis cache, ECS Exec on for the main service and an extra service.
 *
 * - logs: events written to the app's log group the way the awslogs driver writes them (stream
 *   `<prefix>/<container>/<task id>`), filtered by service, text and time; `--follow` prints an
 *   event written after it started, then exits 130 on SIGINT.
 * - exec and tunnel: everything up to AWS's Session Manager plugin. A fake `session-manager-plugin`
 *   on PATH records its argv and environment and exits 0, so the test sees exactly the invocation
 *   the real plugin would get (session, region, target, endpoint). Without it on PATH, the install
 *   instructions. moto's ECS services run no tasks, so the test starts one the way the service
 *   scheduler does (RunTask with the service's task definition, group `service:NAME`, exec as the
 *   service says); ExecuteCommand and StartSession come from test/emulator/cfn_stages_moto/sessions.py.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort, REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

const LOG_GROUP = '/cfn-stages/x-dev/acme';
const CLUSTER = 'x-dev';
const MAIN = 'x-dev-acme-service';
const EXTRA = 'x-dev-acme-api2';

type Run = CliRun;

let emulator: Emulator;
let tmp: string;
let params: string;
let pluginDir: string;
let pluginLog: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCli(emulator.env, args, { env, home: tmp });
}

async function ok(args: string[], env?: Record<string, string>): Promise<Run> {
  const run = await cli(args, env);
  if (run.code !== 0) throw new Error(`provision ${args.join(' ')} exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return run;
}

const sdk = <T>(Client: new (config: Emulator['clientConfig']) => T): T => new Client(emulator.clientConfig);
/** PATH with the fake plugin first. */
const withPlugin = (): Record<string, string> => ({
  PATH: `${pluginDir}${path.delimiter}${process.env.PATH ?? ''}`,
  FAKE_PLUGIN_LOG: pluginLog,
});
/** What the fake plugin recorded on its last session run. */
const lastPluginRun = (): { argv: string[]; env: Record<string, string | null> } => {
  const runs = fs
    .readFileSync(pluginLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.argv[0] !== '--version');
  return runs[runs.length - 1];
};

/** A params file: examples/small.yaml plus jump boxes, data stores, ECS Exec and an extra service. */
function writeParams(file: string, opts: { jumpboxes: boolean; undeployed?: boolean }): void {
  const small = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8');
  const text = small
    .replace('ecsCluster: {}', `${opts.jumpboxes ? 'jumpboxes: {}\n' : ''}ecsCluster: {}`)
    .replace(
      '      memory: 512',
      [
        '      memory: 512',
        '      enableExecuteCommand: true',
        '      readonlyRootFilesystem: false',
        '    extras:',
        '      - suffix: api2',
        '        pathPrefix: /api2',
        '        rulePriority: 10',
        '        repositoryName: acme-web',
        '        imageTag: initial',
        '    data:',
        '      - kind: postgres',
        '        name: main',
        '      - kind: redis',
        '        name: cache',
        '      - kind: s3',
        '        name: files',
        ...(opts.undeployed ? ['      - kind: postgres', '        name: later'] : []),
      ].join('\n'),
    );
  fs.writeFileSync(file, text);
}

/** The fake plugin: records argv and the session variable (one JSON line per run), exits 0. */
function writeFakePlugin(dir: string): void {
  const file = path.join(dir, 'session-manager-plugin');
  fs.writeFileSync(
    file,
    [
      `#!${process.execPath}`,
      "const fs = require('fs');",
      "fs.appendFileSync(process.env.FAKE_PLUGIN_LOG, JSON.stringify({ argv: process.argv.slice(2), env: { AWS_SSM_START_SESSION_RESPONSE: process.env.AWS_SSM_START_SESSION_RESPONSE ?? null } }) + '\\n');",
      "if (process.argv[2] === '--version') console.log('1.2.707.0');",
    ].join('\n'),
  );
  fs.chmodSync(file, 0o755);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'operate-access-e2e-'));
  pluginDir = path.join(tmp, 'bin');
  fs.mkdirSync(pluginDir);
  writeFakePlugin(pluginDir);
  pluginLog = path.join(tmp, 'plugin.log');
  params = path.join(tmp, 'dev.yaml');
  writeParams(params, { jumpboxes: true });
  emulator = await startEmulator();
  // moto advances a task's state on every read (RUNNING -> STOPPED at once); keep tasks running.
  await fetch(`${emulator.endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } }),
  });
  // A service is deployed only once its image exists: the repository, then the image, then the rest.
  await repositoriesWithImages(emulator, cli, params, [{ repository: 'acme-web', tag: 'initial' }]);
  await ok(['deploy', '--params', params, '--yes']);
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- logs -------------------------------------------------------------------------------------

const taskId = (n: number) =>
  `${n}`
    .repeat(32)
    .slice(0, 32)
    .replace(/[^0-9a-f]/g, 'a');

/** Writes events as the awslogs driver does: one stream per task, `<prefix>/<container>/<task id>`. */
async function writeEvents(
  prefix: string,
  task: string,
  events: { at: number; message: string }[],
  group = LOG_GROUP,
): Promise<void> {
  const logs = sdk(CloudWatchLogsClient);
  const stream = `${prefix}/app/${task}`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch((e) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: events.map((e) => ({ timestamp: e.at, message: e.message })),
    }),
  );
  logs.destroy();
}

describe('provision logs', () => {
  const now = Date.now();
  beforeAll(async () => {
    await writeEvents('app', taskId(1), [
      { at: now - 2 * 3600_000, message: 'booted two hours ago' },
      { at: now - 20 * 60_000, message: 'GET /healthcheck 200' },
    ]);
    await writeEvents('app', taskId(2), [{ at: now - 10 * 60_000, message: 'ERROR payment failed' }]);
    await writeEvents('api2', taskId(3), [{ at: now - 5 * 60_000, message: 'api2 served /api2/x' }]);
  });

  const APP = () => ['--params', params, '--app', 'acme'];

  test("the main service's events of the last hour, newest last, each with its time and task", async () => {
    const run = await ok(['logs', ...APP()]);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([
      `${new Date(now - 20 * 60_000).toISOString()} task ${taskId(1).slice(0, 8)}  GET /healthcheck 200`,
      `${new Date(now - 10 * 60_000).toISOString()} task ${taskId(2).slice(0, 8)}  ERROR payment failed`,
    ]);
  });

  test('--since, --filter and --extra narrow by time, text and service; --json gives one object per event', async () => {
    expect((await ok(['logs', ...APP(), '--since', '3h'])).stdout).toContain('booted two hours ago');
    expect((await ok(['logs', ...APP(), '--since', '15m'])).stdout.trim().split('\n')).toHaveLength(1);
    expect((await ok(['logs', ...APP(), '--filter', 'ERROR'])).stdout.trim()).toMatch(/ERROR payment failed$/);
    const extra = await ok(['logs', ...APP(), '--extra', 'api2']);
    expect(extra.stdout.trim()).toMatch(new RegExp(`task ${taskId(3).slice(0, 8)}  api2 served /api2/x$`));
    const json = (await ok(['--json', 'logs', ...APP()])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json[1]).toEqual({
      time: new Date(now - 10 * 60_000).toISOString(),
      timestamp: now - 10 * 60_000,
      group: LOG_GROUP,
      stream: `app/app/${taskId(2)}`,
      task: taskId(2),
      message: 'ERROR payment failed',
    });
  });

  test("--data reads a data store's own log groups; stores without logs and bad flags are refused", async () => {
    const cfn = sdk(CloudFormationClient);
    const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'x-dev-acme-cache' }));
    const slowLog = StackResources!.find((r) => r.ResourceType === 'AWS::Logs::LogGroup')!.PhysicalResourceId!;
    await writeEvents('slow', 'x', [{ at: now - 60_000, message: '{"command":"KEYS *","duration":12000}' }], slowLog);
    expect((await ok(['logs', ...APP(), '--data', 'cache'])).stdout).toContain('"command":"KEYS *"');
    const s3 = await cli(['logs', ...APP(), '--data', 'files']);
    expect([s3.code, s3.stderr]).toEqual([2, expect.stringContaining('writes no logs to CloudWatch Logs')]);
    const since = await cli(['logs', ...APP(), '--since', 'yesterday']);
    expect([since.code, since.stderr]).toEqual([2, expect.stringContaining('--since yesterday')]);
    const nostore = await cli(['logs', ...APP(), '--data', 'nope']);
    expect(nostore.stderr).toContain('its data stores: main (postgres), cache (redis), files (s3)');
  });

  test('--follow prints an event written after it started, then exits 130 on SIGINT', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'provision.js'),
        'logs',
        ...APP(),
        '--follow',
        '--since',
        '1m',
        '--poll-interval',
        '0.5',
      ],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: tmp, NO_COLOR: '1', ...emulator.env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => stderr.includes('following new events'));
    await writeEvents('app', taskId(4), [{ at: Date.now(), message: 'written while following' }]);
    await until(() => stdout.includes('written while following'));
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stdout).toMatch(new RegExp(`task ${taskId(4).slice(0, 8)}  written while following\\n$`));
  });
});

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- exec -------------------------------------------------------------------------------------

/** Starts a task of the service as its scheduler would (moto's services start none). */
async function startServiceTask(stackName: string, enableExecuteCommand: boolean): Promise<string> {
  const ecs = sdk(ECSClient);
  const cfn = sdk(CloudFormationClient);
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const serviceArn = StackResources!.find((r) => r.LogicalResourceId === 'Service')!.PhysicalResourceId!;
  const [service] = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [serviceArn] })))
    .services!;
  const { tasks } = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: service!.taskDefinition,
      launchType: 'FARGATE',
      group: `service:${service!.serviceName}`,
      networkConfiguration: service!.networkConfiguration,
      enableExecuteCommand,
    }),
  );
  return tasks![0]!.taskArn!;
}

describe('provision exec', () => {
  const EXEC = () => ['exec', '--params', params, '--app', 'acme'];

  test('without the Session Manager plugin on PATH: how to install it, exit 2, no raw spawn error', async () => {
    const run = await cli([...EXEC()], { PATH: path.dirname(process.execPath) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "provision exec needs AWS's Session Manager plugin (session-manager-plugin), which is not on your PATH",
    );
    expect(run.stderr).toMatch(
      process.platform === 'darwin'
        ? /brew install --cask session-manager-plugin/
        : /dpkg -i session-manager-plugin\.deb/,
    );
    expect(run.stderr).not.toMatch(/ENOENT|spawn/);
  });

  test('refuses, saying why, when the service has no task that accepts ECS Exec, or exec is off', async () => {
    const none = await cli([...EXEC()], withPlugin());
    expect([none.code, none.stderr]).toEqual([
      2,
      expect.stringMatching(/service x-dev-acme-service-\S+ has no running task/),
    ]);
    const old = await startServiceTask(MAIN, false);
    const refused = await cli([...EXEC()], withPlugin());
    expect([refused.code, refused.stderr]).toEqual([
      2,
      expect.stringMatching(
        /no running task of x-dev-acme-service-\S+ accepts ECS Exec \(1 running, started before exec was on/,
      ),
    ]);
    await sdk(ECSClient).send(new StopTaskCommand({ cluster: CLUSTER, task: old }));
    const stopped = await cli([...EXEC(), '--task', old], withPlugin());
    expect([stopped.code, stopped.stderr]).toEqual([2, expect.stringContaining(`task ${old} of ${MAIN}-Service`)]);
    expect(stopped.stderr).toMatch(/ is STOPPED\n/);
    const off = await cli([...EXEC(), '--extra', 'api2'], withPlugin());
    expect([off.code, off.stderr]).toEqual([2, expect.stringContaining(`ECS Exec is off for ${EXTRA}`)]);
    expect(off.stderr).toContain(
      'set enableExecuteCommand: true and readonlyRootFilesystem: false under the extra service "api2"',
    );
  });

  test('runs the plugin as `aws ecs execute-command` does: session, region, target with the container runtime id, endpoint', async () => {
    const task = await startServiceTask(MAIN, true);
    const run = await ok([...EXEC(), '--', 'ls', '-la', '/tmp'], withPlugin());
    const { argv } = lastPluginRun();
    const [session, region, action, profile, request, endpoint] = argv;
    expect(JSON.parse(session!)).toEqual({
      sessionId: expect.stringMatching(/^ecs-execute-command-/),
      streamUrl: expect.stringMatching(/^wss:\/\/ssmmessages\.us-east-1\.amazonaws\.com\/v1\/data-channel\//),
      tokenValue: expect.any(String),
    });
    expect([region, action, profile, endpoint]).toEqual(['us-east-1', 'StartSession', '', emulator.endpoint]);
    const [described] = (await sdk(ECSClient).send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task] })))
      .tasks!;
    const id = task.split('/').pop();
    expect(JSON.parse(request!)).toEqual({ Target: `ecs:${CLUSTER}_${id}_${described!.containers![0]!.runtimeId}` });
    expect(run.stderr).toContain(`task ${id} of ${MAIN}, container app: ls -la /tmp`);
  });
});

// ---- tunnel -----------------------------------------------------------------------------------

describe('provision tunnel', () => {
  const TUNNEL = () => ['tunnel', '--params', params, '--app', 'acme'];

  test('forwards a local port through the jump box with AWS-StartPortForwardingSessionToRemoteHost, as `aws ssm start-session` does', async () => {
    const port = await freePort();
    const run = await ok([...TUNNEL(), '--data', 'main', '--local-port', String(port)], withPlugin());
    const cfn = sdk(CloudFormationClient);
    const box = (
      await cfn.send(new DescribeStackResourcesCommand({ StackName: 'x-dev-jumpboxes' }))
    ).StackResources!.find((r) => r.ResourceType === 'AWS::EC2::Instance')!.PhysicalResourceId;
    const [db] = (await cfn.send(new DescribeStacksCommand({ StackName: 'x-dev-acme-main' }))).Stacks!;
    const host = db!.Outputs!.find((o) => o.OutputKey === 'PostgresEndpoint')!.OutputValue!;
    const { argv, env } = lastPluginRun();
    // A plugin newer than 1.2.497.0 gets the session through the environment, not argv.
    expect(argv).toEqual([
      'AWS_SSM_START_SESSION_RESPONSE',
      'us-east-1',
      'StartSession',
      '',
      expect.any(String),
      emulator.endpoint,
    ]);
    expect(JSON.parse(argv[4]!)).toEqual({
      Target: box,
      DocumentName: 'AWS-StartPortForwardingSessionToRemoteHost',
      Parameters: { host: [host], portNumber: ['5432'], localPortNumber: [String(port)] },
    });
    expect(Object.keys(JSON.parse(env.AWS_SSM_START_SESSION_RESPONSE!))).toEqual([
      'SessionId',
      'TokenValue',
      'StreamUrl',
    ]);
    expect(run.stdout).toContain(`localhost:${port} → ${host}:5432 through jump box ${box}`);
    expect(run.stdout).toContain(`postgresql://postgres@localhost:${port}/`);
    expect(run.stdout).toMatch(/password: in Secrets Manager, arn:aws:secretsmanager:[^ ]+ \(key password\)/);
    const secretArn = /in Secrets Manager, (\S+)/.exec(run.stdout)![1]!;
    const { SecretString } = await sdk(SecretsManagerClient).send(new GetSecretValueCommand({ SecretId: secretArn }));
    const password = JSON.parse(SecretString!).password as string;
    expect(run.stdout + run.stderr).not.toContain(password);
    expect(
      (await ok([...TUNNEL(), '--data', 'main', '--local-port', String(port), '--show'], withPlugin())).stdout,
    ).toContain(`password: ${password}`);
  });

  test('Redis: a TLS URL and where the AUTH token is; refusals name the fix', async () => {
    const port = await freePort();
    const redis = await ok([...TUNNEL(), '--data', 'cache', '--local-port', String(port)], withPlugin());
    expect(redis.stdout).toContain(`rediss://localhost:${port}`);
    expect(redis.stdout).toContain('(key authToken)');
    const s3 = await cli([...TUNNEL(), '--data', 'files'], withPlugin());
    expect([s3.code, s3.stderr]).toEqual([2, expect.stringContaining('tunnels go to databases and caches')]);
    const noBoxes = path.join(tmp, 'no-jumpboxes.yaml');
    writeParams(noBoxes, { jumpboxes: false });
    const none = await cli(['tunnel', '--params', noBoxes, '--app', 'acme', '--data', 'main'], withPlugin());
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('add `jumpboxes: {}`')]);
    const missing = await cli([...TUNNEL(), '--data', 'main'], { PATH: path.dirname(process.execPath) });
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringContaining("provision tunnel needs AWS's Session Manager plugin"),
    ]);
  });
});

test('a stage that is in the params file but not deployed is named, with the command that deploys it', async () => {
  const later = path.join(tmp, 'later.yaml');
  writeParams(later, { jumpboxes: true, undeployed: true });
  for (const command of ['logs', 'tunnel']) {
    const run = await cli([command, '--params', later, '--app', 'acme', '--data', 'later'], withPlugin());
    expect([run.code, run.stderr]).toEqual([
      2,
      expect.stringContaining('data store later (stack x-dev-acme-later) is not deployed'),
    ]);
    expect(run.stderr).toContain(`deploy it first: provision deploy --params ${later} --only x-dev-acme-later`);
  }
});

test('--help of logs, exec and tunnel shows an example', async () => {
  for (const command of ['logs', 'exec', 'tunnel']) {
    const help = (await ok([command, '--help'])).stdout;
    expect(help).toMatch(new RegExp(`Examples?:\\n  provision ${command} --params envs/dev.yaml --app acme`));
  }
});
