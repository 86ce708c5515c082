/**
 * End to end, the real CLI against the local emulator: living with environments.
 * - Two environments share one ECR repository (a project stack): either can be destroyed with
 *   exit 0 while the other stays untouched; the repository stack is kept until deleted on purpose;
 *   a deploy that would change it under the other environment is refused with --yes (exit 2).
 * - One run at a time: of two deploys started together exactly one runs, the other is refused
 *   naming who holds the lock; an abandoned lock is reported and `provision unlock` removes it.
 * - Refusals exit 2 with nothing deleted (deletion protection).
 * - Destroy of the network right after the services, while the emulator still holds their
 *   security groups (test/emulator/cfn_stages_moto/release.py), finishes by retrying; EC2
 *   capacity's protections are lifted before its stack is deleted.
 * - An endpoint that accepts connections and never answers: a clear failure within the timeout,
 *   and Ctrl-C leaves with exit code 130 within 2 s.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { freePort, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const SMALL = fs.readFileSync(path.join(ROOT, 'examples', 'small.yaml'), 'utf8');
const REPO_STACK = 'ecr-acme-web';

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

type Run = CliRun;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCli(emu.env, args, { env, timeoutMs: 120_000 });
}

/** A params file for environment `name`: the small example, with `edit` applied to its text. */
function paramsFor(name: string, edit: (text: string) => string = (t) => t): string {
  const file = path.join(tmp, `${name}.yaml`);
  fs.writeFileSync(file, edit(SMALL.replace('environment: dev', `environment: ${name}`)));
  return file;
}

const withPostgres = (t: string) =>
  t.replace('      memory: 512', '      memory: 512\n    data:\n      - { kind: postgres, name: main }');
const withKeepImages = (n: number) => (t: string) =>
  t.replace('  - name: acme-web ', `  - name: acme-web\n    keepImages: ${n}\n   `);

async function stackStatus(name: string): Promise<string | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus;
  } catch {
    return undefined;
  }
}

async function liveStacks(prefix: string): Promise<string[]> {
  const r = await cfn.send(new ListStacksCommand({}));
  return (r.StackSummaries ?? [])
    .filter((s) => s.StackStatus !== 'DELETE_COMPLETE' && s.StackName!.startsWith(prefix))
    .map((s) => s.StackName!)
    .sort();
}

function pushImage(tag: string): Promise<unknown> {
  const ecr = new ECRClient(emu.clientConfig);
  return ecr
    .send(
      new PutImageCommand({
        repositoryName: 'acme-web',
        imageTag: tag,
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            size: 1234,
            digest: `sha256:${Buffer.from(tag.padEnd(32, '0')).toString('hex')}`,
          },
          layers: [],
        }),
      }),
    )
    .finally(() => ecr.destroy());
}

async function deployOk(file: string): Promise<void> {
  const r = await cli(['deploy', '--params', file, '--yes']);
  if (r.code !== 0) throw new Error(`deploy ${file} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
}

beforeAll(async () => {
  // The emulator holds a deleted load balancer's or service's security groups for 3 s (release.py).
  process.env.CFN_STAGES_EMULATOR_RELEASE_SECONDS = '3';
  try {
    emu = await startEmulator();
  } finally {
    delete process.env.CFN_STAGES_EMULATOR_RELEASE_SECONDS;
  }
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-engine-'));
  // The repository first, then its image, so each environment's service has an image to run.
  const r = await cli(['deploy', '--params', paramsFor('a'), '--yes', '--only', 'repository']);
  if (r.code !== 0) throw new Error(`deploy of the repository exited ${r.code}\n${r.stderr}`);
  await pushImage('initial');
}, 90_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('two environments sharing one repository', () => {
  test('deploy both; a change to the shared repository under the other environment is shown and refused with --yes', async () => {
    await deployOk(paramsFor('a'));
    await deployOk(paramsFor('b'));
    expect((await cfn.send(new DescribeStacksCommand({ StackName: REPO_STACK }))).Stacks![0]!.Tags).toEqual([
      { Key: 'cfn-stages:template', Value: '21.project-ecr-image-repo' },
    ]);
    const keepImages = async () =>
      (await cfn.send(new DescribeStacksCommand({ StackName: REPO_STACK }))).Stacks![0]!.Parameters!.find(
        (p) => p.ParameterKey === 'KeepImages',
      )!.ParameterValue;
    const before = await keepImages();

    const changed = paramsFor('b', withKeepImages(40));
    const plan = await cli(['plan', '--params', changed]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      `${REPO_STACK} is shared: x-a-acme-service (environment x-a) uses it; this deploy would change it for them too:`,
    );
    expect(plan.stdout).toContain(`KeepImages: ${before} → 40`);

    const refused = await cli(['deploy', '--params', changed, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('x-a-acme-service (environment x-a)');
    expect(refused.stderr).toContain('--update-shared');
    expect(await keepImages()).toBe(before);
    expect(before).not.toBe('40');
  }, 120_000);

  test('deleting the shared stack on purpose is refused while another environment imports it', async () => {
    const r = await cli(['destroy', '--params', paramsFor('b'), '--yes', '--only', 'repository', '--delete-shared']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`stack ${REPO_STACK} cannot be deleted while other stacks use its exports`);
    expect(await stackStatus(REPO_STACK)).toBe('CREATE_COMPLETE');
  }, 60_000);

  test('destroy b, then a: each exits 0, the other stays untouched, the repository stays until removed on purpose', async () => {
    const b = await cli(['destroy', '--params', paramsFor('b'), '--yes']);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(
      `Kept ${REPO_STACK}: a project stack, shared between environments; still imported by x-a-acme-service`,
    );
    expect(await liveStacks('x-b-')).toEqual([]);
    for (const s of ['x-a-network', 'x-a-ecs-cluster', 'x-a-acme-loadbalancer', 'x-a-acme-service'])
      expect(await stackStatus(s)).toBe('CREATE_COMPLETE');

    const a = await cli(['destroy', '--params', paramsFor('a'), '--yes']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain(
      `Kept ${REPO_STACK}: a project stack, shared between environments; nothing imports it now: delete it with \`provision destroy --params ${paramsFor('a')} --only ${REPO_STACK} --delete-shared\``,
    );
    expect(await liveStacks('x-a-')).toEqual([]);
    expect(await stackStatus(REPO_STACK)).toBe('CREATE_COMPLETE');
  }, 120_000);
});

describe('one run at a time per environment', () => {
  test('of two deploys started together exactly one runs; the other is refused naming the holder', async () => {
    const file = paramsFor('c', withPostgres);
    const [first, second] = await Promise.all([
      cli(['deploy', '--params', file, '--yes']),
      cli(['deploy', '--params', file, '--yes']),
    ]);

    const codes = [first.code, second.code].sort();
    expect(codes).toEqual([0, 2]);
    const [winner, loser] = first.code === 0 ? [first, second] : [second, first];
    expect(loser.stderr).toMatch(
      new RegExp(
        `environment x-c is busy: \`deploy\` since \\S+ \\(host ${os.hostname()}, user \\S+, pid ${winner.pid}; last heartbeat`,
      ),
    );
    expect(loser.stderr).toContain(`provision unlock --params ${file}`);
    for (const s of [
      'x-c-network',
      'x-c-ecs-cluster',
      'ecr-acme-web',
      'x-c-acme-loadbalancer',
      'x-c-acme-main',
      'x-c-acme-service',
    ])
      expect(await stackStatus(s)).toBe('CREATE_COMPLETE');
  }, 120_000);

  test('a lock left by a crashed run is reported as abandoned; unlock removes it and the next run proceeds', async () => {
    const file = paramsFor('c', withPostgres);
    const ssm = new SSMClient(emu.clientConfig);
    const dead = {
      command: 'deploy',
      host: os.hostname(),
      user: 'ci',
      pid: 2 ** 22 + 1,
      since: new Date().toISOString(),
      heartbeat: new Date().toISOString(),
      runId: 'crashed',
    };
    await ssm.send(
      new PutParameterCommand({ Name: '/cfn-stages/x-c/lock', Value: JSON.stringify(dead), Type: 'String' }),
    );
    ssm.destroy();

    const refused = await cli(['destroy', '--params', file, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`it looks abandoned: process ${dead.pid} no longer runs on ${os.hostname()}`);

    const unlocked = await cli(['unlock', '--params', file]);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toContain(`removed the lock of x-c: \`deploy\` since ${dead.since}`);
    expect((await cli(['unlock', '--params', file])).stdout).toContain('x-c is not locked');
    expect((await cli(['deploy', '--params', file, '--yes'])).code).toBe(0);
  }, 60_000);
});

describe('destroy', () => {
  test('refuses (exit 2, nothing deleted) while a database has deletion protection', async () => {
    const r = await cli(['destroy', '--params', paramsFor('c', withPostgres), '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('x-c-acme-main (apps[acme] postgres: deletionProtection)');
    expect(await liveStacks('x-c-')).toHaveLength(7); // with the access-log and the app's alarms stacks
    expect(r.stderr).toContain('nothing was deleted');
  }, 60_000);

  test('deletes the network right after the services by waiting out the security groups AWS still holds', async () => {
    const file = paramsFor('c', (t) =>
      t.replace(
        '      memory: 512',
        '      memory: 512\n    data:\n      - { kind: postgres, name: main, deletionProtection: false }',
      ),
    );
    await deployOk(file);

    const r = await cli(['destroy', '--params', file, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /x-c-network: waiting for AWS to release what blocked the delete, then deleting again \(\w+: resource sg-\w+ has a dependent object; attempt 2 in 5 s\)/,
    );
    expect(await liveStacks('x-c-')).toEqual([]);
  }, 120_000);
});

describe('EC2 capacity', () => {
  test('its scale-in and managed termination protections are lifted before its stack is deleted', async () => {
    const file = paramsFor('e', (t) =>
      t.replace(/ecsCluster: \{\}.*/, 'ecsCluster: { enableEc2Capacity: true, ec2MinSize: 1, ec2DesiredCapacity: 1 }'),
    );
    const deployed = await cli(['deploy', '--params', file, '--yes', '--only', 'network', 'ecsCluster']);
    expect(deployed.code).toBe(0);
    const autoScaling = new AutoScalingClient(emu.clientConfig);
    const groups = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!.filter((g) =>
      g.AutoScalingGroupName!.startsWith('x-e-'),
    );
    autoScaling.destroy();
    expect(
      groups.map((g) => [g.NewInstancesProtectedFromScaleIn, g.Instances!.map((i) => i.ProtectedFromScaleIn)]),
    ).toEqual([[true, [true]]]);

    const r = await cli(['destroy', '--params', file, '--yes']);

    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /x-e-ecs-cluster: lifting EC2 capacity protections that would block the delete \(managed termination protection off on x-e-ecs-cluster-Ec2CapacityProvider-\w+; scale-in protection off on 1 instance\(s\)\)/,
    );
    expect(await liveStacks('x-e-')).toEqual([]);
  }, 60_000);
});

describe('a dead endpoint', () => {
  let server: net.Server;
  let port: number;
  let connections = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    port = await freePort();
    server = net.createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('error', () => undefined); // accepts, reads, never answers
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a call that gets no answer fails within its timeout, naming the endpoint, region, call and fix', async () => {
    const started = Date.now();
    const r = await cli([
      'status',
      '--params',
      paramsFor('d'),
      '--endpoint-url',
      `http://127.0.0.1:${port}`,
      '--aws-timeout',
      '1',
    ]);
    const seconds = (Date.now() - started) / 1000;

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `CloudFormation DescribeStacks got no answer from http://127.0.0.1:${port} (region us-east-1): no answer within 1 s (3 attempts)`,
    );
    expect(r.stderr).toContain('--endpoint-url');
    expect(seconds).toBeLessThan(15);
  }, 60_000);

  test('a refused connection says so at once', async () => {
    const closed = await freePort();
    const r = await cli(['status', '--params', paramsFor('d'), '--endpoint-url', `http://127.0.0.1:${closed}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `got no answer from http://127.0.0.1:${closed} (region us-east-1): connection refused (3 attempts)`,
    );
  }, 60_000);

  test('Ctrl-C leaves with exit code 130 within 2 s while a call hangs', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'provision.js'),
        'deploy',
        '--params',
        paramsFor('d'),
        '--yes',
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
      ],
      {
        env: { ...process.env, ...emu.env, NO_COLOR: '1' },
        cwd: ROOT,
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const before = connections;
    while (connections === before) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // the request is in flight, unanswered

    const sent = Date.now();
    child.kill('SIGINT');
    const code = await exited;

    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(stderr).toContain('interrupted: AWS calls in flight are abandoned');
  }, 60_000);
});

describe('the shared repository, once nothing imports it', () => {
  test('is deleted on purpose with --delete-shared; the repository itself is retained by its template', async () => {
    const removed = await cli([
      'destroy',
      '--params',
      paramsFor('a'),
      '--yes',
      '--only',
      REPO_STACK,
      '--delete-shared',
    ]);
    expect(removed.code).toBe(0);
    expect(await stackStatus(REPO_STACK)).toBeUndefined();
    expect(
      (await new ECRClient(emu.clientConfig).send(new DescribeRepositoriesCommand({ repositoryNames: ['acme-web'] })))
        .repositories,
    ).toHaveLength(1);
  }, 60_000);
});
