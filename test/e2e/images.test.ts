/**
 * End to end, against the local emulator through the real SDK and the real CLI: a service is never
 * deployed before its image exists.
 * - A console-style CreateStack of the published 32 with neither RepositoryName nor PublicImage is
 *   refused with the template's own rule message (the emulator evaluates `Rules` as AWS does), and
 *   so is a CreateChangeSet whose Fargate memory does not fit its CPU.
 * - `deploy` of examples/small.yaml before any image is pushed creates the repository and the
 *   stacks that need no image, stops before the service stack with the push commands (exit 1), and
 *   leaves no service stack; a re-run refuses up front (exit 2) and changes nothing.
 * - After the image is pushed (an image manifest put under the tag through the ECR API, as a
 *   user's `docker push` ends), the same command completes.
 * Also: a rule's RuleCondition and UpdateStack on the emulator; `plan` naming the waiting service;
 * the --json report of a held service; an image gone from ECR under a deployed service (a warning).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  UpdateStackCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { pushImage } from '../helpers/images';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SMALL = 'examples/small.yaml';
const SERVICE = 'x-dev-acme-service';
const OTHERS = ['x-dev-network', 'x-dev-ecs-cluster', 'x-dev-access-logs', 'ecr-acme-web', 'x-dev-acme-loadbalancer'];

let emu: Emulator;
let cfn: CloudFormationClient;

type Run = CliRun;

function cli(args: string[]): Promise<Run> {
  return runCli(emu.env, args, { timeoutMs: 180_000 });
}

async function stacks(): Promise<Map<string, { status: string; updated?: Date }>> {
  const r = await cfn.send(new ListStacksCommand({}));
  return new Map(
    (r.StackSummaries ?? [])
      .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => [
        s.StackName!,
        { status: s.StackStatus!, ...(s.LastUpdatedTime ? { updated: s.LastUpdatedTime } : {}) },
      ]),
  );
}

/** The published 32 as a console user pastes it. */
function published32(): string {
  const dir = path.join(
    REPO_ROOT,
    'published',
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version,
  );
  return fs.readFileSync(path.join(dir, '32.app-ecs-service.cf'), 'utf8');
}

const consoleParams = (extra: Record<string, string> = {}): Parameter[] =>
  Object.entries({
    Prefix: 'x-',
    EnvironmentName: 'dev',
    ApplicationName: 'acme',
    ContactEmail: 'ops@example.com',
    ...extra,
  }).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
});

describe('the emulator evaluates template Rules, as CloudFormation does', () => {
  test("a console-style CreateStack of 32 with no image given is refused with the rule's message", async () => {
    const create = cfn.send(
      new CreateStackCommand({
        StackName: 'console-service',
        TemplateBody: published32(),
        Parameters: consoleParams(),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    await expect(create).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Give RepositoryName (and ImageTag) or PublicImage.',
    });
    expect((await stacks()).has('console-service')).toBe(false);
  });

  test("a CreateChangeSet whose Fargate memory does not fit its CPU is refused with that rule's message", async () => {
    const change = cfn.send(
      new CreateChangeSetCommand({
        StackName: 'console-service',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: published32(),
        Parameters: consoleParams({ PublicImage: 'nginx:1.27', Cpu: '256', Memory: '4096' }),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    await expect(change).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^Fargate with 256 CPU units takes 512, 1024, 2048 MiB/),
    });
    expect((await stacks()).has('console-service')).toBe(false);
  });
  test('a rule applies only when its RuleCondition holds; list rule functions and UpdateStack are checked too', async () => {
    const template = JSON.stringify({
      Parameters: { Mode: { Type: 'String', Default: 'off' }, Zones: { Type: 'CommaDelimitedList', Default: 'a,b' } },
      Rules: {
        ZonesKnownWhenOn: {
          RuleCondition: { 'Fn::Equals': [{ Ref: 'Mode' }, 'on'] },
          Assertions: [
            {
              Assert: { 'Fn::EachMemberIn': [{ Ref: 'Zones' }, ['a', 'b', 'c']] },
              AssertDescription: 'With Mode on, Zones are a, b or c.',
            },
          ],
        },
        KeepsA: {
          Assertions: [
            { Assert: { 'Fn::Contains': [{ Ref: 'Zones' }, 'a'] }, AssertDescription: 'Zones must include a.' },
          ],
        },
      },
      Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    });
    const params = (p: Record<string, string>): Parameter[] =>
      Object.entries(p).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    // Mode off: the first rule is skipped, so an unknown zone passes.
    await cfn.send(
      new CreateStackCommand({ StackName: 'rules-demo', TemplateBody: template, Parameters: params({ Zones: 'a,x' }) }),
    );
    expect((await stacks()).get('rules-demo')?.status).toBe('CREATE_COMPLETE');
    await expect(
      cfn.send(
        new UpdateStackCommand({
          StackName: 'rules-demo',
          TemplateBody: template,
          Parameters: params({ Mode: 'on', Zones: 'a,x' }),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'With Mode on, Zones are a, b or c.',
    });
    await expect(
      cfn.send(
        new UpdateStackCommand({
          StackName: 'rules-demo',
          TemplateBody: template,
          Parameters: params({ Zones: 'b, c' }),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Zones must include a.',
    });
    const kept = (await cfn.send(new DescribeStacksCommand({ StackName: 'rules-demo' }))).Stacks?.[0];
    expect({
      status: kept?.StackStatus,
      zones: kept?.Parameters?.find((p) => p.ParameterKey === 'Zones')?.ParameterValue,
    }).toEqual({ status: 'CREATE_COMPLETE', zones: 'a,x' });
  });
});

describe('deploy: the image before the service', () => {
  test('plan says which service waits for which image, before anything exists', async () => {
    const r = await cli(['plan', '--params', SMALL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `\\n${SERVICE} 32\\.app-ecs-service[^\\n]*\\n(  .*\\n)*  waits for its image: acme-web:initial is not in ECR; deploy stops before this stack until it is pushed \\(docker push ACCOUNT_ID\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/acme-web:initial\\)\\n`,
      ),
    );
    const json = JSON.parse((await cli(['plan', '--params', SMALL, '--json'])).stdout);
    expect(json.missingImages).toEqual([
      { stack: SERVICE, repository: 'acme-web', tag: 'initial', repositoryExists: false },
    ]);
    expect([...(await stacks()).keys()].filter((n) => n.startsWith('x-dev-') || n.startsWith('ecr-'))).toEqual([]); // plan changes nothing
  }, 60_000);

  test('before any image is pushed: the other stacks are created, the service is not, and the push commands are shown (exit 1)', async () => {
    const r = await cli(['deploy', '--params', SMALL, '--yes']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.any(String) });
    expect(r.stdout).toContain(`${SERVICE}: not run: its image acme-web:initial is not in ECR yet`);
    expect(r.stdout).toMatch(
      /aws ecr get-login-password --region us-east-1 \| docker login --username AWS --password-stdin 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\n/,
    );
    expect(r.stdout).toContain('docker tag LOCAL_IMAGE 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-web:initial');
    expect(r.stdout).toContain('docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-web:initial');
    expect(r.stdout).toContain(`set publicImage on the service in ${SMALL}`);
    const now = await stacks();
    for (const name of OTHERS)
      expect({ name, status: now.get(name)?.status }).toEqual({ name, status: 'CREATE_COMPLETE' });
    expect(now.has(SERVICE)).toBe(false); // nothing half-done: the service stack was never started
  }, 180_000);

  test('a re-run before the push is refused up front (exit 2): nothing changes, --only names the other stages', async () => {
    const before = await stacks();
    const r = await cli(['deploy', '--params', SMALL, '--yes', '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: false,
      error: expect.stringContaining("a service's image is missing; nothing was changed"),
    });
    expect(out.error).toContain('docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-web:initial');
    expect(out.error).toContain(
      'deploy the other stacks first: --only network ecsCluster accessLogs repository loadBalancer',
    );
    expect(await stacks()).toEqual(before);
  }, 60_000);

  test('after the image is pushed, the same command completes', async () => {
    await pushImage(emu, 'acme-web', 'initial');
    const r = await cli(['deploy', '--params', SMALL, '--yes', '--json']);
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.stacks.find((s: { name: string }) => s.name === SERVICE)).toMatchObject({ result: 'created' });
    expect(
      out.stacks
        .filter((s: { result: string }) => s.result === 'skipped-unchanged')
        .map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual([...OTHERS].sort());
    const service = (await cfn.send(new DescribeStacksCommand({ StackName: SERVICE }))).Stacks?.[0];
    expect(service?.StackStatus).toBe('CREATE_COMPLETE');
    expect(service?.Parameters?.find((p) => p.ParameterKey === 'ImageTag')?.ParameterValue).toBe('initial');
  }, 120_000);

  test('--json: a second app whose repository this run creates is held, its push commands in the report; the first app is untouched', async () => {
    const file = path.join(os.tmpdir(), `images-two-apps-${process.pid}.yaml`);
    const small = fs.readFileSync(path.join(REPO_ROOT, SMALL), 'utf8');
    fs.writeFileSync(
      file,
      small.replace('  - name: acme-web ', '  - name: acme-api\n  - name: acme-web ') +
        '  - name: api\n    loadBalancer: { healthCheckPath: /health }\n    service: { repositoryName: acme-api, imageTag: v1, cpu: 256, memory: 512 }\n',
    );
    try {
      const r = await cli(['deploy', '--params', file, '--yes', '--json']);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      const result = (name: string) => out.stacks.find((s: { name: string }) => s.name === name)?.result;
      expect([
        result('ecr-acme-api'),
        result('x-dev-api-loadbalancer'),
        result('x-dev-api-service'),
        result(SERVICE),
      ]).toEqual(['created', 'created', 'not-run', 'skipped-unchanged']);
      expect(out.images).toEqual([
        {
          repository: 'acme-api',
          tag: 'v1',
          uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-api',
          commands: [
            'aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com',
            'docker tag LOCAL_IMAGE 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-api:v1',
            'docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-api:v1',
          ],
        },
      ]);
      expect((await stacks()).has('x-dev-api-service')).toBe(false);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 120_000);

  test('an image that left ECR after its service was deployed only warns: the deploy does not introduce it', async () => {
    const ecr = new ECRClient(emu.clientConfig);
    try {
      await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'acme-web', imageIds: [{ imageTag: 'initial' }] }));
    } finally {
      ecr.destroy();
    }
    const r = await cli(['deploy', '--params', SMALL, '--yes', '--json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining(`warning: ${SERVICE} runs acme-web:initial, which is no longer in ECR`),
    });
    expect(JSON.parse(r.stdout).stacks.every((s: { result: string }) => s.result === 'skipped-unchanged')).toBe(true);
  }, 60_000);
});
