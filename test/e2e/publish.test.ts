/**
 * End to end: `provision publish` (the real CLI, a child process) against the local emulator,
 * then the published templates used the way a person uses them in the CloudFormation console:
 * each printed template URL pasted in turn, with only the parameters a person types (prefix,
 * environment, contact email, and the app, repository and suffix names where a template asks),
 * through the real @aws-sdk/client-cloudformation CreateStack with TemplateURL. The exports then
 * line up under the documented names, and the stacks that import them (32, 91) complete.
 *
 * The emulator reads TemplateURL from its own S3 (the URL's host is written `localhost`, because
 * moto reads a host of 127.0.0.1 as a bucket named "127"). This test fetches URLs itself on
 * 127.0.0.1 only, so it rewrites `localhost` to that address before a request. moto checks
 * anonymous object reads against the bucket policy, so a plain GET shows what --public opens.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const CATALOGUE = path.join(ROOT, 'published', VERSION);
const BUCKET = 'acme-cfn-templates';

let emu: Emulator;
let cfn: CloudFormationClient;
let s3: S3Client;
let tmp: string;

type Run = CliRun;

function cli(args: string[]): Promise<Run> {
  return runCli(emu.env, [...args, '--endpoint-url', emu.endpoint], { timeoutMs: 60_000 });
}

/** GET on the emulator, always at 127.0.0.1 (the printed URL says localhost, see above). */
function fetchLocal(url: string): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  const u = new URL(url);
  expect(u.hostname).toBe('localhost');
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: u.port, path: u.pathname }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

/** What a person reads off the human output: per template file, its URL and stack-name rule. */
function readPrinted(stdout: string): Map<string, { url: string; stackName?: string; quickCreate?: string }> {
  const out = new Map<string, { url: string; stackName?: string; quickCreate?: string }>();
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(\d\d\.[\w-]+\.cf)\s/.exec(line);
    if (head) current = head[1];
    if (!current) continue;
    const field = /^\s+(template|stack name|quick-create):\s+(\S+)/.exec(line);
    if (!field) continue;
    const entry = out.get(current) ?? { url: '' };
    if (field[1] === 'template') entry.url = field[2]!;
    if (field[1] === 'stack name') entry.stackName = field[2]!;
    if (field[1] === 'quick-create') entry.quickCreate = field[2]!;
    out.set(current, entry);
  }
  return out;
}

async function objectVersions(bucket: string): Promise<number> {
  return ((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions ?? []).length;
}

beforeAll(async () => {
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  s3 = new S3Client(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-publish-'));
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  s3?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('publish, then create stacks from the printed URLs as in the console', () => {
  const files = fs
    .readdirSync(CATALOGUE)
    .filter((f) => f.endsWith('.cf'))
    .sort();
  let first: Run;
  let printed: ReturnType<typeof readPrinted>;

  beforeAll(async () => {
    first = await cli(['publish', '--bucket', BUCKET]);
    printed = readPrinted(first.stdout);
  }, 60_000);

  test('every template is uploaded and printed with its URL, stack-name rule and quick-create link', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `${files.length} templates in s3://${BUCKET}/cfn-stages/${VERSION}/ (${files.length} uploaded, 0 unchanged)`,
    );
    expect(first.stdout).toMatch(/The templates are private/);
    expect([...printed.keys()]).toEqual(files);
    for (const [file, p] of printed) {
      // Path style on the emulator endpoint, 127.0.0.1 written as localhost.
      expect(p.url).toBe(`http://localhost:${emu.port}/${BUCKET}/cfn-stages/${VERSION}/${file}`);
      expect(p.stackName).toMatch(/^(\{Prefix\}\{EnvironmentName\}-|ecr-\{RepositoryName\})/);
      const fragment = new URLSearchParams(p.quickCreate!.split('#/stacks/quickcreate?')[1]);
      expect(p.quickCreate).toMatch(
        /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudformation\/home\?region=us-east-1#/,
      );
      expect(fragment.get('templateURL')).toBe(p.url);
      expect(fragment.has('stackName')).toBe(false);
    }
  });

  test('without --public, a printed URL refuses anonymous readers (the emulator enforces bucket policies)', async () => {
    const res = await fetchLocal(printed.get('11.env-network.cf')!.url);
    expect(res.status).toBe(403);
  });

  test('the new bucket is private, encrypted and versioned', async () => {
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }))).PublicAccessBlockConfiguration).toEqual(
      {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    );
    const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe(
      'AES256',
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe('Enabled');
  });

  test('a re-run writes the same keys and uploads nothing unchanged (no new object versions)', async () => {
    const before = await objectVersions(BUCKET);
    expect(before).toBe(files.length + 1); // the templates and the schema
    const again = await cli(['publish', '--bucket', BUCKET, '--json']);
    expect(again.code).toBe(0);
    const r = JSON.parse(again.stdout);
    expect(r).toMatchObject({
      ok: true,
      bucket: BUCKET,
      version: VERSION,
      keyPrefix: `cfn-stages/${VERSION}/`,
      bucketCreated: false,
      public: false,
    });
    expect(r.templates.map((t: any) => [t.file, t.url, t.contentType, t.status])).toEqual(
      files.map((f) => [f, printed.get(f)!.url, 'application/json', 'unchanged']),
    );
    expect(await objectVersions(BUCKET)).toBe(before);
  });

  describe('stacks created in order from the URLs, with only the console parameters a person types', () => {
    const person = { Prefix: 'x-', EnvironmentName: 'pub', ContactEmail: 'ops@example.com' };
    const app = { ...person, ApplicationName: 'acme' };
    // The order a person follows: the numbers (1x environment, 2x project, 3x app, 9x extras).
    const steps: { file: string; values: Record<string, string> }[] = [
      { file: '11.env-network.cf', values: person },
      { file: '13.env-ecs-cluster.cf', values: person },
      { file: '15.env-access-logs.cf', values: person }, // 31's access logs go to this bucket
      {
        file: '21.project-ecr-image-repo.cf',
        values: { RepositoryName: 'acme-web', ContactEmail: person.ContactEmail },
      },
      { file: '31.app-loadbalancer.cf', values: app },
      { file: '32.app-ecs-service.cf', values: { ...app, RepositoryName: 'acme-web' } },
      {
        file: '91.extra-service.cf',
        values: { ...app, Suffix: 'api2', PathPrefix: '/api2', RepositoryName: 'acme-web' },
      },
    ];
    const created = new Map<string, { stackName: string; stackId: string; status: string }>();

    beforeAll(async () => {
      for (const step of steps) {
        const p = printed.get(step.file)!;
        // The person fills the stack-name rule the output shows with the same values.
        const stackName = p.stackName!.replace(/\{(\w+)\}/g, (_m, k: string) => step.values[k]!);
        const Parameters: Parameter[] = Object.entries(step.values).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        }));
        const { StackId } = await cfn.send(
          new CreateStackCommand({
            StackName: stackName,
            TemplateURL: p.url,
            Parameters,
            Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
          }),
        );
        let status = 'CREATE_IN_PROGRESS';
        for (let i = 0; i < 100 && status.endsWith('_IN_PROGRESS'); i++) {
          status = (await cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks![0]!.StackStatus!;
          if (status.endsWith('_IN_PROGRESS')) await new Promise((r) => setTimeout(r, 100));
        }
        created.set(step.file, { stackName, stackId: StackId!, status });
        if (status !== 'CREATE_COMPLETE') break; // the next stacks would only fail on its missing exports
      }
    }, 60_000);

    test('every stack, the importing 32 and 91 included, reaches CREATE_COMPLETE', () => {
      expect([...created].map(([file, s]) => [file, s.stackName, s.status])).toEqual([
        ['11.env-network.cf', 'x-pub-network', 'CREATE_COMPLETE'],
        ['13.env-ecs-cluster.cf', 'x-pub-ecs-cluster', 'CREATE_COMPLETE'],
        ['15.env-access-logs.cf', 'x-pub-access-logs', 'CREATE_COMPLETE'],
        ['21.project-ecr-image-repo.cf', 'ecr-acme-web', 'CREATE_COMPLETE'],
        ['31.app-loadbalancer.cf', 'x-pub-acme-loadbalancer', 'CREATE_COMPLETE'],
        ['32.app-ecs-service.cf', 'x-pub-acme-service', 'CREATE_COMPLETE'],
        ['91.extra-service.cf', 'x-pub-acme-api2', 'CREATE_COMPLETE'],
      ]);
    });

    test('each stack exports under the documented names', async () => {
      const byStack = new Map<string, string[]>();
      let NextToken: string | undefined;
      do {
        const page = await cfn.send(new ListExportsCommand({ NextToken }));
        for (const e of page.Exports ?? [])
          byStack.set(e.ExportingStackId!, [...(byStack.get(e.ExportingStackId!) ?? []), e.Name!]);
        NextToken = page.NextToken;
      } while (NextToken);
      const exportsOf = (file: string) => (byStack.get(created.get(file)!.stackId) ?? []).sort();
      const env = (keys: string[]) => keys.map((k) => `x-pub-${k}`).sort();
      expect(exportsOf('11.env-network.cf')).toEqual(
        env([
          'VpcId',
          'VpcCidr',
          'PublicSubnetIds',
          'PrivateSubnetIds',
          'DataSubnetIds',
          'LoadBalancerSecurityGroupId',
          'AppSecurityGroupId',
          'DatabaseSecurityGroupId',
          'CacheSecurityGroupId',
          'DbSubnetGroupName',
          'CacheSubnetGroupName',
          'AvailabilityZones',
        ]),
      );
      expect(exportsOf('13.env-ecs-cluster.cf')).toEqual(env(['EcsClusterName', 'EcsClusterArn']));
      expect(exportsOf('21.project-ecr-image-repo.cf')).toEqual([
        'ecr-acme-web-RepositoryArn',
        'ecr-acme-web-RepositoryUri',
      ]);
      expect(exportsOf('31.app-loadbalancer.cf')).toEqual(
        env([
          'acme-ListenerArn',
          'acme-TargetGroupArn',
          'acme-LoadBalancerFullName',
          'acme-LoadBalancerDnsName',
          'acme-LogGroupName',
          'acme-ConfigSecretArn',
          'acme-AppKeyArn',
        ]),
      );
    });

    test('the imports resolved to the real cluster: both services run in it', async () => {
      const ecs = new ECSClient(emu.clientConfig);
      try {
        const arns = (await ecs.send(new ListServicesCommand({ cluster: 'x-pub' }))).serviceArns ?? [];
        expect(arns).toHaveLength(2);
      } finally {
        ecs.destroy();
      }
    });

    test('with --params, the printed links carry the same stack names and typed values, and --public says so loudly', async () => {
      const file = path.join(tmp, 'pub.yaml');
      fs.writeFileSync(
        file,
        [
          'environment: pub',
          'prefix: x-',
          'region: us-east-1',
          'tags:',
          '  contactEmail: ops@example.com',
          'network: {}',
          'ecsCluster: {}',
          'repositories:',
          '  - name: acme-web',
          'apps:',
          '  - name: acme',
          '    loadBalancer: {}',
          '    service:',
          '      repositoryName: acme-web',
          '    extras:',
          '      - suffix: api2',
          '        pathPrefix: /api2',
          '        repositoryName: acme-web',
          '',
        ].join('\n'),
      );
      const open = 'acme-cfn-public';
      const r = await cli(['publish', '--bucket', open, '--params', file, '--public', '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`PUBLIC: anyone on the internet can read s3://${open}/cfn-stages/${VERSION}/*`);
      const out = JSON.parse(r.stdout);
      expect(out.public).toBe(true);
      for (const step of steps) {
        const t = out.templates.find((x: any) => x.file === step.file);
        expect(t.stacks).toHaveLength(1);
        const link = t.stacks[0];
        const q = new URLSearchParams(link.quickCreate.split('#/stacks/quickcreate?')[1]);
        const params = Object.fromEntries(
          [...q].filter(([k]) => k.startsWith('param_')).map(([k, v]) => [k.slice('param_'.length), v]),
        );
        expect({ file: step.file, stackName: q.get('stackName'), params, url: q.get('templateURL') }).toEqual({
          file: step.file,
          stackName: created.get(step.file)!.stackName,
          params: step.values, // exactly what the person typed: nothing else differs from a default
          url: `http://localhost:${emu.port}/${open}/cfn-stages/${VERSION}/${step.file}`,
        });
      }
      // Anyone can now read a printed URL: the file byte for byte, served as JSON; the schema too.
      const url = out.templates.find((x: any) => x.file === '11.env-network.cf').url;
      const res = await fetchLocal(url);
      expect({ status: res.status, type: res.type }).toEqual({ status: 200, type: 'application/json' });
      expect(res.body.equals(fs.readFileSync(path.join(CATALOGUE, '11.env-network.cf')))).toBe(true);
      const schema = await fetchLocal(out.schema.url);
      expect(schema.status).toBe(200);
      expect(schema.body.equals(fs.readFileSync(path.join(ROOT, 'published', 'params.schema.json')))).toBe(true);
      // ...but nothing outside the templates' prefix.
      await s3.send(new PutObjectCommand({ Bucket: open, Key: 'private/notes.txt', Body: 'not for everyone' }));
      expect((await fetchLocal(`http://localhost:${emu.port}/${open}/private/notes.txt`)).status).toBe(403);
      // Only the templates' prefix is readable by anyone, and only readable; ACLs stay blocked.
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: open }))).Policy!);
      expect(policy.Statement).toEqual([
        {
          Sid: expect.any(String),
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${open}/cfn-stages/${VERSION}/*`,
        },
      ]);
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: open }))).PublicAccessBlockConfiguration).toEqual(
        {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      );
    });
  });

  test('a version with no catalogue fails before any upload, naming the versions there are', async () => {
    const r = await cli(['publish', '--bucket', 'acme-other', '--version', '0.0.9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no catalogue for version 0.0.9');
    expect(r.stderr).toContain(`versions there are: ${VERSION}`);
  });
});
