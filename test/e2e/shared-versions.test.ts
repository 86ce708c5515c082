/**
 * Two environments sharing a repository, deployed with different cfn-stages versions, end to end
 * with the real CLI against the emulator. With the same settings, another version's template can
 * still differ (here: an older one without scan on push): each environment's deploy would put its
 * own version's repository stack back under the other's feet. Like a change of the shared stack's
 * settings (test/e2e/engine.test.ts), plan says so and deploy --yes refuses it unless
 * --update-shared says it is meant for every environment.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

const REPO_STACK = 'ecr-acme-web';

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp });
}

/** examples/small.yaml as environment `env`. */
function paramsFile(env: string): string {
  const text = fs
    .readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8')
    .replace('environment: dev', `environment: ${env}`);
  fs.writeFileSync(path.join(tmp, `${env}.yaml`), text);
  return `${env}.yaml`;
}

async function repoStack(): Promise<Stack> {
  return (await cfn.send(new DescribeStacksCommand({ StackName: REPO_STACK }))).Stacks![0]!;
}

async function deployOk(args: string[]): Promise<CliRun> {
  const r = await cli(['deploy', ...args, '--yes']);
  if (r.code !== 0) throw new Error(`deploy ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-shared-versions-'));
  await repositoriesWithImages(emu, cli, path.join(tmp, paramsFile('va')));
  await deployOk(['--params', paramsFile('va')]);
  await deployOk(['--params', paramsFile('vb')]);
  // Environment va's last deploy was made by an older version: the same stack, scan on push off.
  const deployed = await repoStack();
  const body = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: REPO_STACK }))).TemplateBody!);
  body.Resources.Repository.Properties.ImageScanningConfiguration = { ScanOnPush: false };
  await cfn.send(
    new UpdateStackCommand({
      StackName: REPO_STACK,
      TemplateBody: JSON.stringify(body),
      Parameters: (deployed.Parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
      Tags: deployed.Tags,
    }),
  );
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("plan names the shared stack another version deployed, with the resources this version's template changes", async () => {
  const r = await cli(['plan', '--params', paramsFile('vb')]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    `${REPO_STACK} is shared: x-va-acme-service (environment x-va) uses it; this deploy would change it for them too:\n  template (Repository): as deployed → this cfn-stages version's`,
  );
});

test('deploy --yes refuses to change it for the other environment, and changes nothing', async () => {
  const before = await repoStack();
  const r = await cli(['deploy', '--params', paramsFile('vb'), '--yes']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('template (Repository): as deployed → this cfn-stages version');
  expect(r.stderr).toContain('--update-shared');
  expect(String((await repoStack()).LastUpdatedTime)).toBe(String(before.LastUpdatedTime));
});

test('deploy --json --yes: the refusal has a code, and each shared stack with its importers and changed settings', async () => {
  const before = await repoStack();
  const r = await cli(['--json', 'deploy', '--params', paramsFile('vb'), '--yes']);
  expect(r.code).toBe(2);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ ok: false, code: 'SharedChange', hint: expect.stringContaining('--update-shared') });
  expect(doc.problems).toEqual([
    {
      stack: REPO_STACK,
      importers: ['x-va-acme-service (environment x-va)'],
      changes: [{ key: 'template (Repository)', from: 'as deployed', to: "this cfn-stages version's" }],
    },
  ]);
  expect(String((await repoStack()).LastUpdatedTime)).toBe(String(before.LastUpdatedTime));
});

test('with --update-shared it goes, and then both environments find it as deployed', async () => {
  const r = await deployOk(['--params', paramsFile('vb'), '--update-shared']);
  expect(r.stdout).toMatch(new RegExp(`${REPO_STACK} 21\\.project-ecr-image-repo updated`));
  const body = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: REPO_STACK }))).TemplateBody!);
  expect(body.Resources.Repository.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
  for (const env of ['va', 'vb']) {
    const again = await deployOk(['--params', paramsFile(env)]);
    expect(again.stdout).toMatch(new RegExp(`${REPO_STACK} 21\\.project-ecr-image-repo \\[SKIPPED: unchanged\\]`));
  }
});
