/**
 * Operating an app end to end, with the real CLI (`node bin/provision.js`, built by `npm run build`)
 * and real AWS SDK clients against the local emulator: deploy examples/small.yaml, then
 * - `config set/get/edit/history/rollback` on the app's configuration secret (masked output,
 *   --show, typed values, nothing written without a change, rollback of a rollback, a broken
 *   secret explained without printing it);
 * - `release`: an image pushed into the ECR repository with PutImage, a missing tag refused, then
 *   the release: only ImageTag changes (template and every other parameter as before) and the
 *   stack's task definition runs the new tag;
 * - `status`: each service's counts, image tag and rollout state.
 * Checks go through the SDK too, so they see what AWS holds, not only what the CLI says.
 *
 * What the emulator cannot show (tasks that fail, a circuit-breaker rollback, a rollout that never
 * settles) is tested with a fake ECS in test/engine/release.test.ts. moto's ECS services run no
 * tasks (0/0) and report their one deployment COMPLETED, so waiting for stability ends at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CONFIG_SECRET_OUTPUT, secretName } from '../../src/ops/secret';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { pushImage as push, repositoriesWithImages } from '../helpers/images';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

const PARAMS = 'examples/small.yaml';
const APP = ['--params', PARAMS, '--app', 'acme'];
const SERVICE_STACK = 'x-dev-acme-service';
/** The app's configuration secret: its name is generated, so it is read from the stack's export. */
let SECRET = '';

type Run = CliRun;

let emulator: Emulator;
let tmp: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCli(emulator.env, args, { env, home: tmp });
}

async function ok(args: string[], env?: Record<string, string>): Promise<Run> {
  const run = await cli(args, env);
  if (run.code !== 0) throw new Error(`provision ${args.join(' ')} exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return run;
}

const sdk = <T>(Client: new (config: Emulator['clientConfig']) => T): T => new Client(emulator.clientConfig);

async function currentSecret(): Promise<{ text: string; versionId: string }> {
  const out = await sdk(SecretsManagerClient).send(new GetSecretValueCommand({ SecretId: SECRET }));
  return { text: out.SecretString ?? '', versionId: out.VersionId ?? '' };
}

async function versionCount(): Promise<number> {
  const out = await sdk(SecretsManagerClient).send(
    new ListSecretVersionIdsCommand({ SecretId: SECRET, IncludeDeprecated: true }),
  );
  return (out.Versions ?? []).length;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'operate-e2e-'));
  emulator = await startEmulator();
  await repositoriesWithImages(emulator, cli, PARAMS, [{ repository: 'acme-web', tag: 'initial' }]);
  await ok(['deploy', '--params', PARAMS, '--yes']);
  const lb = await sdk(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'x-dev-acme-loadbalancer' }));
  SECRET = lb.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === CONFIG_SECRET_OUTPUT)?.OutputValue ?? '';
  expect(SECRET).toMatch(/^arn:aws:secretsmanager:/);
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('config', () => {
  const document = { LOG_LEVEL: 'debug', WORKERS: 4, DB_URL: 'postgres://app:s3cr3t-pw@db.internal/app' };

  it('sets keys, prints only their names, and reads them back masked or, with --show, in full', async () => {
    expect(JSON.parse((await ok(['config', 'get', ...APP])).stdout)).toEqual({});
    const set = await ok(['config', 'set', ...APP, 'LOG_LEVEL=debug', 'WORKERS:=4', `DB_URL=${document.DB_URL}`]);
    expect(set.stdout).toContain('(+LOG_LEVEL +WORKERS +DB_URL)');
    expect(set.stdout + set.stderr).not.toContain('s3cr3t');
    expect(JSON.parse((await currentSecret()).text)).toEqual(document);

    const masked = await ok(['config', 'get', ...APP]);
    expect(JSON.parse(masked.stdout)).toEqual({ LOG_LEVEL: '****', WORKERS: '****', DB_URL: '****' });
    expect(masked.stdout + masked.stderr).not.toMatch(/s3cr3t|debug/);
    expect(JSON.parse((await ok(['--json', 'config', 'get', ...APP])).stdout)).toEqual({
      LOG_LEVEL: '****',
      WORKERS: '****',
      DB_URL: '****',
    });
    expect(JSON.parse((await ok(['config', 'get', ...APP, '--show', '--json'])).stdout)).toEqual(document);
  });

  it('writes nothing when nothing changes, and removes keys with --unset', async () => {
    const before = await versionCount();
    const same = await ok(['config', 'set', ...APP, 'LOG_LEVEL=debug']);
    expect(same.stdout).toContain('no change, nothing written');
    expect(await versionCount()).toBe(before);

    const unset = JSON.parse((await ok(['config', 'set', ...APP, '--unset', 'LOG_LEVEL', '--json'])).stdout);
    expect(unset).toMatchObject({ ok: true, written: true, added: [], changed: [], removed: ['LOG_LEVEL'] });
    expect(await versionCount()).toBe(before + 1);
    expect(JSON.parse((await currentSecret()).text)).toEqual({ WORKERS: 4, DB_URL: document.DB_URL });
  });

  it('lists the history, rolls back to the previous version, and rolls the rollback back', async () => {
    const history = JSON.parse((await ok(['config', 'history', ...APP, '--json'])).stdout);
    expect(history.versions[0].stages).toContain('AWSCURRENT');
    expect(history.versions[1].stages).toContain('AWSPREVIOUS');
    const human = await ok(['config', 'history', ...APP]);
    expect(human.stdout).toContain(history.versions[0].versionId);

    const rollback = await ok(['config', 'rollback', ...APP]);
    expect(rollback.stdout).toContain(`with the value of ${history.versions[1].versionId} (+LOG_LEVEL)`);
    expect(JSON.parse((await currentSecret()).text)).toEqual(document);

    await ok(['config', 'rollback', ...APP]);
    expect(JSON.parse((await currentSecret()).text)).toEqual({ WORKERS: 4, DB_URL: document.DB_URL });

    const first = history.versions[history.versions.length - 1].versionId;
    await ok(['config', 'rollback', ...APP, '--to', first]);
    expect(JSON.parse((await currentSecret()).text)).toEqual({});
    const missing = await cli(['config', 'rollback', ...APP, '--to', '00000000-0000-0000-0000-000000000000']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'version 00000000-0000-0000-0000-000000000000 of the configuration secret does not exist',
    );
  });

  it('edits in a private temporary file that is removed afterwards, and refuses invalid JSON', async () => {
    const editor = path.join(tmp, 'editor.js');
    const log = path.join(tmp, 'editor.log');
    fs.writeFileSync(
      editor,
      `
      const fs = require('fs');
      const file = process.argv[2];
      fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ file, mode: (fs.statSync(file).mode & 0o777).toString(8), before: fs.readFileSync(file, 'utf8') }) + '\\n');
      fs.writeFileSync(file, process.env.NEW_CONTENT);
    `,
    );
    const env = (content: string) => ({ EDITOR: `"${process.execPath}" "${editor}"`, NEW_CONTENT: content });
    const run = await ok(['config', 'edit', ...APP], env('{"FEATURE_X": "on", "WORKERS": 2}'));
    expect(run.stdout).toContain('(+FEATURE_X +WORKERS)');
    const seen = JSON.parse(fs.readFileSync(log, 'utf8').trim());
    expect(seen.mode).toBe('600');
    expect(JSON.parse(seen.before)).toEqual({});
    expect(fs.existsSync(seen.file)).toBe(false);
    expect(JSON.parse((await currentSecret()).text)).toEqual({ FEATURE_X: 'on', WORKERS: 2 });

    const before = await currentSecret();
    const invalid = await cli(['config', 'edit', ...APP], env('{"FEATURE_X": on}'));
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(
      'the edited document is not a JSON object (invalid JSON at line 1, column 15); nothing written',
    );
    expect((await currentSecret()).versionId).toBe(before.versionId);
  });

  it('explains a secret that is not a JSON object without printing it, and edit repairs it', async () => {
    await sdk(SecretsManagerClient).send(
      new PutSecretValueCommand({ SecretId: SECRET, SecretString: 'hunter2-not-json' }),
    );
    const get = await cli(['config', 'get', ...APP, '--show']);
    expect(get.code).toBe(2);
    expect(get.stderr).toContain(`the secret ${secretName(SECRET)}`);
    expect(get.stderr).toContain('is not a JSON object: invalid JSON at line 1, column 1');
    expect(get.stderr).toContain('config edit --params examples/small.yaml --app acme');
    expect(get.stdout + get.stderr).not.toContain('hunter2');
    expect((await cli(['config', 'set', ...APP, 'A=1'])).code).toBe(2);

    const editor = path.join(tmp, 'fix.sh');
    fs.writeFileSync(editor, '#!/bin/sh\nprintf \'{"A": "1"}\' > "$1"\n', { mode: 0o755 });
    await ok(['config', 'edit', ...APP], { EDITOR: editor });
    expect(JSON.parse((await currentSecret()).text)).toEqual({ A: '1' });
  });

  it('names the apps when the app is unknown, and needs credentials', async () => {
    const unknown = await cli(['config', 'get', '--params', PARAMS, '--app', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no app "nope" in examples/small.yaml');
    expect(unknown.stderr).toContain('apps in examples/small.yaml: acme');

    const noCreds = await cli(['config', 'get', ...APP], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toContain('no AWS credentials found');
  });
});

describe('release and status', () => {
  const pushImage = (tag: string) => push(emulator, 'acme-web', tag);

  async function serviceStack() {
    const cfn = sdk(CloudFormationClient);
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: SERVICE_STACK }))).Stacks![0]!;
    const template = (await cfn.send(new GetTemplateCommand({ StackName: SERVICE_STACK }))).TemplateBody;
    const td = (
      await cfn.send(
        new DescribeStackResourceCommand({ StackName: SERVICE_STACK, LogicalResourceId: 'TaskDefinition' }),
      )
    ).StackResourceDetail!.PhysicalResourceId!;
    const image = (await sdk(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: td }))).taskDefinition!
      .containerDefinitions![0]!.image!;
    const parameters = Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey!, p.ParameterValue!]));
    return { parameters, template, image };
  }

  it("status shows each service's task counts, image tag and rollout state", async () => {
    const json = JSON.parse((await ok(['status', '--params', PARAMS, '--json'])).stdout);
    expect(json.stacks.map((s: { name: string }) => s.name)).toContain(SERVICE_STACK);
    expect(json.services).toHaveLength(1);
    expect(json.services[0]).toMatchObject({
      stack: SERVICE_STACK,
      cluster: 'x-dev',
      imageTag: 'initial',
      rolloutState: 'COMPLETED',
      running: expect.any(Number),
      desired: expect.any(Number),
      pending: expect.any(Number),
    });
    expect(json.services[0].image).toMatch(/\/acme-web:initial$/);
    expect(json.services[0].targets).toEqual({ counts: {}, total: 0 });

    const human = await ok(['status', '--params', PARAMS]);
    expect(human.stdout).toMatch(/SERVICE STACK\s+TASKS \(RUNNING\/DESIRED\)\s+IMAGE TAG\s+ROLLOUT\s+TARGETS/);
    expect(human.stdout).toMatch(new RegExp(`${SERVICE_STACK}\\s+\\d+/\\d+\\s+initial\\s+COMPLETED\\s+no targets`));
  });

  it('refuses a tag that is not in the repository, naming it and the tags there are', async () => {
    await pushImage('v2');
    const run = await cli(['release', ...APP, '--version', 'v9', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('image tag "v9" is not in ECR repository acme-web');
    expect(run.stderr).toContain('newest tags there: v2');
    expect((await serviceStack()).parameters.ImageTag).toBe('initial');
  });

  it('changes only ImageTag (template and other parameters as deployed) and waits for the service', async () => {
    const before = await serviceStack();
    expect(before.image).toMatch(/:initial$/);
    const run = await ok(['release', ...APP, '--version', 'v2', '--yes', '--poll-interval', '0.2']);
    expect(run.stdout).toContain('x-dev-acme-service: ImageTag initial → v2 (acme-web)');
    expect(run.stdout).toMatch(/✔ released acme-web:v2 to x-dev-acme-service: running \d+\/\d+/);
    const after = await serviceStack();
    expect(after.image).toMatch(/\/acme-web:v2$/);
    expect(after.parameters).toEqual({ ...before.parameters, ImageTag: 'v2' });
    expect(after.template).toBe(before.template);

    const again = await ok(['release', ...APP, '--version', 'v2', '--yes']);
    expect(again.stdout).toContain('already runs acme-web:v2; nothing to release');
  });

  it('--no-wait returns after the stack update; status reports the image ECS runs', async () => {
    await pushImage('v3');
    const before = await serviceStack();
    const json = JSON.parse(
      (await ok(['release', ...APP, '--version', 'v3', '--yes', '--no-wait', '--json', '--poll-interval', '0.2']))
        .stdout,
    );
    expect(json).toMatchObject({
      ok: true,
      stack: SERVICE_STACK,
      repository: 'acme-web',
      from: 'v2',
      to: 'v3',
      result: 'stack-complete',
    });
    const after = await serviceStack();
    expect(after.image).toMatch(/\/acme-web:v3$/);
    expect(after.parameters).toEqual({ ...before.parameters, ImageTag: 'v3' });

    // The tag status shows is the one in the task definition ECS runs the service with.
    const ecs = sdk(ECSClient);
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'x-dev', services: [json.service] })))
      .services![0]!;
    const running = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! })))
      .taskDefinition!.containerDefinitions![0]!.image!;
    expect(running).toMatch(/\/acme-web:v3$/); // ECS moved to the released revision
    const status = JSON.parse((await ok(['status', '--params', PARAMS, '--json'])).stdout);
    expect(status.services[0].image).toBe(running);
  });

  it('says which stack to deploy when the app is in the params file but not deployed', async () => {
    const file = path.join(tmp, 'two-apps.yaml');
    const small = fs.readFileSync(path.join(REPO_ROOT, PARAMS), 'utf8');
    fs.writeFileSync(file, `${small.trimEnd()}\n  - name: other\n    service:\n      repositoryName: acme-web\n`);
    const config = await cli(['config', 'get', '--params', file, '--app', 'other']);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain("app other's load balancer stack x-dev-other-loadbalancer is not deployed");
    expect(config.stderr).toContain(`provision deploy --params ${file}`);
    const release = await cli(['release', '--params', file, '--app', 'other', '--version', 'v2', '--yes']);
    expect(release.code).toBe(2);
    expect(release.stderr).toContain('stack x-dev-other-service is not deployed');
  });

  it('needs --yes without a terminal, and says when the app has no such extra service', async () => {
    const noYes = await cli(['release', ...APP, '--version', 'v3']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('release needs --yes');
    const extra = await cli(['release', ...APP, '--extra', 'api2', '--version', 'v3', '--yes']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('app acme has no extra service "api2"');
  });
});
