/**
 * Day two, a change that would replace a resource holding data, end to end with the real CLI
 * against the emulator. CloudFormation goes ahead with such a replacement when the name changes
 * too (only a custom name kept is refused): `fifo: true` on a deployed queue makes new, empty
 * `.fifo` queues and leaves the messages in the old ones (retained), and a `bucketName` given to a
 * deployed bucket makes a new, empty bucket beside the old one. The same happens when a newer
 * version's templates change such a property. deploy refuses both before changing anything
 * (exit 2), plan marks them, and a change that does not replace anything still deploys. So is a
 * newer version's change to how a deployed secret is generated: Secrets Manager would make a new
 * password (here a cache's AUTH token) that the store created with the old one never gets.
 *
 * Emulator piece this relies on (test/emulator/README.md, "Updates"): a property whose value a
 * changed condition picks (`Fn::If [IsFifo, ...]`) is listed in the change set's details.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

const QUEUE = 'x-dr-acme-jobs';
const CACHE = 'x-dr-acme-cache';
const BUCKET = 'x-dr-acme-files';

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp });
}

/** examples/small.yaml as environment `dr`, its service on a public image, with a queue and a bucket. */
function paramsFile(name: string, queue = '', bucket = ''): string {
  let text = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8');
  for (const [a, b] of [
    ['environment: dev', 'environment: dr'],
    ['repositoryName: acme-web\n      imageTag: initial', 'publicImage: public.ecr.aws/nginx/nginx:1.27'],
  ] as const) {
    if (!text.includes(a)) throw new Error(`"${a}" not in examples/small.yaml`);
    text = text.replace(a, b);
  }
  text += `    data:\n      - { kind: sqs, name: jobs${queue} }\n      - { kind: s3, name: files${bucket} }\n      - { kind: redis, name: cache }\n`;
  fs.writeFileSync(path.join(tmp, name), text);
  return name;
}

async function stack(name: string): Promise<Stack> {
  return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
}

/** The physical ids of the data each stack holds (queue URLs, bucket names), by stack and logical id. */
async function dataResources(): Promise<string[]> {
  const ids: string[] = [];
  for (const name of [QUEUE, BUCKET]) {
    const out = await cfn.send(new ListStackResourcesCommand({ StackName: name }));
    for (const r of out.StackResourceSummaries ?? [])
      if (['AWS::SQS::Queue', 'AWS::S3::Bucket'].includes(r.ResourceType!))
        ids.push(`${name} ${r.LogicalResourceId} ${r.PhysicalResourceId}`);
  }
  return ids.sort();
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-data-replacement-'));
  const first = await cli(['deploy', '--params', paramsFile('dr.yaml'), '--yes']);
  if (first.code !== 0) throw new Error(`first deploy exited ${first.code}\n${first.stdout}\n${first.stderr}`);
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const REPLACING = () => paramsFile('replacing.yaml', ', fifo: true', ', bucketName: x-dr-acme-files-named');

test('plan marks each replacement of a queue or bucket as refused, and says deploy will refuse', async () => {
  const r = await cli(['plan', '--params', REPLACING(), '--out', 'refused.plan.json']);
  expect(r.code).toBe(0);
  // The plan file is written, but not offered for a deploy that would only refuse it.
  expect(fs.existsSync(path.join(tmp, 'refused.plan.json'))).toBe(true);
  expect(r.stdout).toContain('Plan written to refused.plan.json, but deploy will refuse it as it stands');
  expect(r.stdout).not.toContain('Deploy exactly it with');
  expect(r.stdout).toMatch(
    /~ Queue AWS::SQS::Queue REPLACED \([^)]*FifoQueue[^)]*\) REFUSED: replacing Queue \(\S+\) would start a new, empty queue, leaving its messages in the old one/,
  );
  expect(r.stdout).toMatch(
    /~ Bucket AWS::S3::Bucket REPLACED \(BucketName\) REFUSED: replacing Bucket \(\S+\) would start a new, empty bucket, leaving its objects in the old one/,
  );
  expect(r.stderr).toMatch(/2 stacks cannot take their change: deploy will refuse/);
});

test('deploy --yes refuses them before changing anything (exit 2), with the way out; the data stays where it is', async () => {
  const before = await Promise.all([stack(QUEUE), stack(BUCKET)]);
  const dataBefore = await dataResources();
  expect(dataBefore).toHaveLength(4); // the queue and its dead-letter queue, the bucket and its access-log bucket

  const r = await cli(['deploy', '--params', REPLACING(), '--yes']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    new RegExp(
      `stack ${QUEUE}: replacing a resource that holds data would start it empty, its data left in the old one: DeadLetterQueue \\(\\S+\\) AWS::SQS::Queue because of [^;]*FifoQueue`,
    ),
  );
  expect(r.stderr).toMatch(
    new RegExp(
      `stack ${BUCKET}: replacing a resource that holds data .*Bucket \\(\\S+\\) AWS::S3::Bucket because of BucketName`,
    ),
  );
  expect(r.stderr).toMatch(
    /way out: nothing was changed\. Undo the change to [^.]*BucketName\. For a new, empty one, add it beside the old one under another name/,
  );

  const after = await Promise.all([stack(QUEUE), stack(BUCKET)]);
  expect(after.map((s) => [s.StackStatus, String(s.LastUpdatedTime)])).toEqual(
    before.map((s) => [s.StackStatus, String(s.LastUpdatedTime)]),
  );
  expect(await dataResources()).toEqual(dataBefore);
  for (const name of [QUEUE, BUCKET])
    expect((await cfn.send(new ListChangeSetsCommand({ StackName: name }))).Summaries ?? []).toEqual([]);
});

test('a change that replaces nothing still deploys', async () => {
  const r = await cli(['deploy', '--params', paramsFile('in-place.yaml', ', visibilityTimeout: 60'), '--yes']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(new RegExp(`${QUEUE} 45\\.data-sqs-queue updated`));
  const params = (await stack(QUEUE)).Parameters ?? [];
  expect(params.find((p) => p.ParameterKey === 'VisibilityTimeout')?.ParameterValue).toBe('60');
  expect(await dataResources()).toHaveLength(4);
});

test('a newer version that changes how a deployed secret is generated is refused, naming the secret', async () => {
  // The environment as an older version left it: the same stack, its secret generated differently.
  const deployed = await stack(CACHE);
  const body = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: CACHE }))).TemplateBody!);
  body.Resources.Secret.Properties.GenerateSecretString.PasswordLength = 48;
  await cfn.send(
    new UpdateStackCommand({
      StackName: CACHE,
      TemplateBody: JSON.stringify(body),
      Parameters: (deployed.Parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
      Tags: deployed.Tags,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const before = await stack(CACHE);
  expect(before.StackStatus).toBe('UPDATE_COMPLETE');

  const plan = await cli(['plan', '--params', 'dr.yaml']);
  expect(plan.stdout).toMatch(
    /~ Secret AWS::SecretsManager::Secret \(GenerateSecretString\) REFUSED: changing how Secret \(\S+\) is generated \(GenerateSecretString\) makes Secrets Manager generate a new value/,
  );
  const r = await cli(['deploy', '--params', 'dr.yaml', '--yes']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    new RegExp(
      `stack ${CACHE}: a secret would be generated again, and what uses it would keep the old value: Secret \\(\\S+\\) AWS::SecretsManager::Secret because of GenerateSecretString`,
    ),
  );
  expect(r.stderr).toMatch(
    /way out: nothing was changed\. Undo the change to GenerateSecretString; a change that comes with a new cfn-stages version/,
  );
  const after = await stack(CACHE);
  expect([after.StackStatus, String(after.LastUpdatedTime)]).toEqual([
    before.StackStatus,
    String(before.LastUpdatedTime),
  ]);
});
