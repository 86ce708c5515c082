/**
 * `provision publish` without AWS: quick-create links (encoding, parameters filled from a params
 * file, defaults and NoEcho left out), content types, key prefixes, the bucket-policy merge, the
 * bucket errors people see (through a stub S3 client), and the refusals that happen before any
 * AWS call. The upload itself, the bucket settings and console-style stack creation from the
 * printed URLs are in test/e2e/publish.test.ts.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { main } from '../../src/cli/main';
import { publishedVersions } from '../../src/commands/publish/run';
import { ensurePublishBucket, grantPublicRead, PublishError, putObject } from '../../src/publish/bucket';
import {
  bucketNameProblem,
  consoleParameters,
  contentTypeOf,
  mergePolicy,
  publicReadStatement,
  quickCreateUrl,
  resolveKeyPrefix,
  stackNamePatternOf,
} from '../../src/publish/links';
import { loadParams } from '../../src/params/load';
import { planEnvironment } from '../../stages/plan';

const ROOT = path.resolve(__dirname, '..', '..');
const CATALOGUE = path.join(ROOT, 'published', '0.1.0');

/** The console's own reading of a quick-create link: the route after `#`, then its query string. */
function readLink(link: string): { base: string; route: string; query: URLSearchParams } {
  const [base, fragment] = link.split('#') as [string, string];
  const [route, query] = fragment.split('?') as [string, string];
  return { base, route, query: new URLSearchParams(query) };
}

describe('quick-create links', () => {
  test('the template URL survives the round trip, with its own ? & = escaped', () => {
    const templateUrl = 'https://b.s3.eu-west-1.amazonaws.com/cfn-stages/0.1.0/11.env-network.cf?versionId=a&b=c';
    const link = quickCreateUrl({
      region: 'eu-west-1',
      templateUrl,
      stackName: 'x-dev-network',
      parameters: { Prefix: 'x-', ContactEmail: 'ops+cfn@example.com', Note: 'a b&c=d#e' },
    });
    const { base, route, query } = readLink(link);
    expect(base).toBe('https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1');
    expect(route).toBe('/stacks/quickcreate');
    expect(query.get('templateURL')).toBe(templateUrl);
    expect(query.get('stackName')).toBe('x-dev-network');
    expect(query.get('param_ContactEmail')).toBe('ops+cfn@example.com'); // a raw + would read as a space
    expect(query.get('param_Note')).toBe('a b&c=d#e');
    expect([...query.keys()]).toEqual(['templateURL', 'stackName', 'param_Prefix', 'param_ContactEmail', 'param_Note']);
    expect(link.split('#')).toHaveLength(2); // the # in a value is encoded
  });

  test('without a params file: only the template, no stack name', () => {
    const link = quickCreateUrl({
      region: 'us-east-1',
      templateUrl: 'https://b.s3.us-east-1.amazonaws.com/k/13.env-ecs-cluster.cf',
    });
    expect(link).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?templateURL=https%3A%2F%2Fb.s3.us-east-1.amazonaws.com%2Fk%2F13.env-ecs-cluster.cf',
    );
    expect(readLink(link).query.has('stackName')).toBe(false);
  });

  test('China and GovCloud regions use their own console', () => {
    expect(quickCreateUrl({ region: 'cn-north-1', templateUrl: 'u' })).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/cloudformation\/home\?region=cn-north-1#/,
    );
    expect(quickCreateUrl({ region: 'us-gov-west-1', templateUrl: 'u' })).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\//,
    );
  });
});

describe('parameters in a link', () => {
  const declared = {
    Prefix: { Type: 'String' },
    EnvironmentName: { Type: 'String' },
    CostCode: { Type: 'String', Default: 'unassigned' },
    FlowLogRetentionDays: { Type: 'Number', Default: 90 },
    Subnets: { Type: 'CommaDelimitedList', Default: '10.0.0.0/22,10.0.4.0/22' },
    CertificateArn: { Type: 'String', Default: '' },
    AdminPassword: { Type: 'String', NoEcho: true },
    ApiToken: { Type: 'String', NoEcho: 'true' },
  };

  test('only non-default, non-empty values of declared, non-NoEcho parameters, in template order', () => {
    const values = {
      EnvironmentName: 'dev',
      Prefix: 'x-',
      CostCode: 'unassigned', // the default
      FlowLogRetentionDays: '90', // the default, as the planner writes numbers
      Subnets: '10.0.0.0/22, 10.0.4.0/22', // the default, spaced differently
      CertificateArn: '',
      AdminPassword: 'hunter2',
      ApiToken: 'tok',
      NotInTemplate: 'x',
    };
    expect(consoleParameters(declared, values)).toEqual({ Prefix: 'x-', EnvironmentName: 'dev' });
    expect(
      Object.keys(consoleParameters(declared, { ...values, FlowLogRetentionDays: '30', CostCode: 'cc-1' })),
    ).toEqual(['Prefix', 'EnvironmentName', 'CostCode', 'FlowLogRetentionDays']);
  });

  test('a NoEcho value never reaches the link, even when the params file sets it', () => {
    const params = consoleParameters(declared, { Prefix: 'x-', AdminPassword: 'hunter2', ApiToken: 'tok' });
    const link = quickCreateUrl({ region: 'us-east-1', templateUrl: 'u', stackName: 's', parameters: params });
    expect(link).not.toMatch(/hunter2|tok|AdminPassword|ApiToken/);
  });

  test('from examples/full.yaml and the published templates: names and settings a person would otherwise type', () => {
    const stacks = planEnvironment(loadParams(path.join(ROOT, 'examples', 'full.yaml')));
    const lb = stacks.find((s) => s.name === 'x-demo-acme-loadbalancer')!;
    const template = JSON.parse(fs.readFileSync(path.join(CATALOGUE, `${lb.templateId}.cf`), 'utf8'));
    const params = consoleParameters(template.Parameters, lb.parameters);
    // idleTimeoutSeconds: 120 in the file; healthCheckPath: /healthcheck is the template default.
    expect(params).toEqual({
      Prefix: 'x-',
      EnvironmentName: 'demo',
      ApplicationName: 'acme',
      ContactEmail: 'ops@example.com',
      CostCode: 'cc-1234',
      IdleTimeoutSeconds: '120',
    });
    const { query } = readLink(
      quickCreateUrl({
        region: 'us-east-1',
        templateUrl: 'https://b.s3.us-east-1.amazonaws.com/k/31.app-loadbalancer.cf',
        stackName: lb.name,
        parameters: params,
      }),
    );
    expect(query.get('stackName')).toBe('x-demo-acme-loadbalancer');
    expect(query.get('param_IdleTimeoutSeconds')).toBe('120');
    expect(query.has('param_HealthCheckPath')).toBe(false);

    const extra = stacks.find((s) => s.name === 'x-demo-acme-api2')!;
    const extraParams = consoleParameters(
      JSON.parse(fs.readFileSync(path.join(CATALOGUE, `${extra.templateId}.cf`), 'utf8')).Parameters,
      extra.parameters,
    );
    expect(extraParams).toMatchObject({
      Suffix: 'api2',
      PathPrefix: '/api2',
      RulePriority: '10',
      HealthCheckPath: '/api2/healthcheck',
      RepositoryName: 'acme-web',
    });
  });

  test('each published template states its stack-name rule, and the planner follows it', () => {
    const stacks = planEnvironment(loadParams(path.join(ROOT, 'examples', 'full.yaml')));
    for (const s of stacks) {
      const pattern = stackNamePatternOf(
        JSON.parse(fs.readFileSync(path.join(CATALOGUE, `${s.templateId}.cf`), 'utf8')),
      );
      expect(pattern).toBeDefined();
      const name = pattern!.replace(/\{(\w+)\}/g, (_m, k: string) => s.parameters[k] ?? `{${k}}`);
      expect({ stack: s.name, fromPattern: name }).toEqual({ stack: s.name, fromPattern: s.name });
    }
  });
});

describe('content types', () => {
  test('every template of the catalogue is JSON and is served as such; the schema too', () => {
    for (const file of fs.readdirSync(CATALOGUE)) {
      expect({ file, type: contentTypeOf(file, fs.readFileSync(path.join(CATALOGUE, file))) }).toEqual({
        file,
        type: 'application/json',
      });
    }
    expect(
      contentTypeOf('params.schema.json', fs.readFileSync(path.join(ROOT, 'published', 'params.schema.json'))),
    ).toBe('application/json');
  });

  test('the body decides for .cf: JSON (after a byte-order mark or blanks) or YAML', () => {
    expect(contentTypeOf('11.x.cf', '\ufeff \n\t{"Resources":{}}')).toBe('application/json');
    expect(contentTypeOf('11.x.cf', 'AWSTemplateFormatVersion: "2010-09-09"\n')).toBe('application/yaml');
    expect(contentTypeOf('11.x.cf', Buffer.from('# comment\n{}'))).toBe('application/yaml');
  });
});

describe('key prefixes and bucket names', () => {
  test('the default is versioned; {version} is filled; slashes are normalised', () => {
    expect(resolveKeyPrefix(undefined, '0.1.0')).toBe('cfn-stages/0.1.0/');
    expect(resolveKeyPrefix('templates/{version}', '1.2.3')).toBe('templates/1.2.3/');
    expect(resolveKeyPrefix('/shared/', '1.2.3')).toBe('shared/');
    expect(resolveKeyPrefix('', '1.2.3')).toBe('');
  });

  test('prefixes a browser or S3 would read differently are refused', () => {
    expect(() => resolveKeyPrefix('a/../b', '1')).toThrow(/\.\./);
    expect(() => resolveKeyPrefix('a//b', '1')).toThrow(/empty segment/);
    expect(() => resolveKeyPrefix('a b', '1')).toThrow(/only letters/);
  });

  test("bucket names follow S3's rules", () => {
    expect(bucketNameProblem('acme-cfn-templates')).toBeUndefined();
    expect(bucketNameProblem('Acme')).toMatch(/lower-case/);
    expect(bucketNameProblem('ab')).toMatch(/3 to 63/);
    expect(bucketNameProblem('a..b')).toMatch(/two dots/);
    expect(bucketNameProblem('10.0.0.1')).toMatch(/IP address/);
  });
});

describe('bucket policy', () => {
  test('the public grant is read-only, on the prefix only, and merges into an existing policy', () => {
    const grant = publicReadStatement('acme-t', 'cfn-stages/0.1.0/', 'eu-west-1');
    expect(grant).toMatchObject({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::acme-t/cfn-stages/0.1.0/*',
    });
    expect(publicReadStatement('b', 'p/', 'cn-north-1').Resource).toBe('arn:aws-cn:s3:::b/p/*');
    const theirs = {
      Sid: 'TheirOwn',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:DeleteObject',
      Resource: 'arn:aws:s3:::acme-t/*',
    };
    const first = mergePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [theirs] }), [grant]);
    expect(first.changed).toBe(true);
    expect(JSON.parse(first.policy).Statement).toEqual([theirs, grant]);
    const again = mergePolicy(first.policy, [grant]);
    expect(again.changed).toBe(false);
    expect(JSON.parse(again.policy).Statement).toHaveLength(2);
    // Another version's prefix gets its own statement.
    expect(
      JSON.parse(mergePolicy(first.policy, [publicReadStatement('acme-t', 'cfn-stages/0.2.0/', 'eu-west-1')]).policy)
        .Statement,
    ).toHaveLength(3);
  });
});

/** A stand-in S3 client: answers each command by its class name, records what was sent. */
function stubS3(answers: Record<string, (input: any) => unknown>): {
  s3: S3Client;
  sent: { command: string; input: any }[];
} {
  const sent: { command: string; input: any }[] = [];
  const s3 = {
    send: async (cmd: { constructor: { name: string }; input: any }) => {
      const command = cmd.constructor.name.replace(/Command$/, '');
      sent.push({ command, input: cmd.input });
      const answer = answers[command];
      if (!answer) return {};
      return answer(cmd.input);
    },
  } as unknown as S3Client;
  return { s3, sent };
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('the bucket', () => {
  const target = (s3: S3Client, endpointUrl?: string) => ({
    s3,
    bucket: 'acme-t',
    region: 'eu-west-1',
    account: '111122223333',
    ...(endpointUrl ? { endpointUrl } : {}),
  });

  test('a new bucket: created in the region, encrypted, versioned, every public block on, TLS-only policy', async () => {
    const { s3, sent } = stubS3({
      HeadBucket: () => {
        throw awsError('NotFound', 404);
      },
    });
    expect(await ensurePublishBucket(target(s3))).toEqual({ created: true });
    const by = (c: string) => sent.find((s) => s.command === c)?.input;
    expect(by('CreateBucket')).toMatchObject({
      Bucket: 'acme-t',
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(
      by('PutBucketEncryption').ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
    expect(by('PutBucketVersioning').VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(by('PutPublicAccessBlock').PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.parse(by('PutBucketPolicy').Policy).Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    // Every call asks S3 to make sure the bucket is this account's.
    expect(
      sent.filter((s) => s.command !== 'CreateBucket').every((s) => s.input.ExpectedBucketOwner === '111122223333'),
    ).toBe(true);
  });

  test('an existing bucket is left as it is', async () => {
    const { s3, sent } = stubS3({});
    expect(await ensurePublishBucket(target(s3))).toEqual({ created: false });
    expect(sent.map((s) => s.command)).toEqual(['HeadBucket']);
  });

  test("someone else's bucket: the error names the bucket and the fix", async () => {
    const denied = stubS3({
      HeadBucket: () => {
        throw awsError('Forbidden', 403);
      },
    });
    const err = await ensurePublishBucket(target(denied.s3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect(err).toMatchObject({
      code: 'BucketAccessDenied',
      bucket: 'acme-t',
      message: expect.stringContaining('bucket acme-t exists but these credentials may not use it'),
    });
    expect((err as PublishError).hint).toMatch(/pass another --bucket/);

    const taken = stubS3({
      HeadBucket: () => {
        throw awsError('NotFound', 404);
      },
      CreateBucket: () => {
        throw awsError('BucketAlreadyExists', 409);
      },
    });
    await expect(ensurePublishBucket(target(taken.s3))).rejects.toMatchObject({
      code: 'BucketNotOurs',
      message: 'bucket acme-t already exists in another AWS account',
    });
  });

  test('a bucket in another region is refused with the region to pass', async () => {
    const { s3 } = stubS3({ HeadBucket: () => ({ BucketRegion: 'us-west-2' }) });
    await expect(ensurePublishBucket(target(s3))).rejects.toMatchObject({
      code: 'BucketInOtherRegion',
      hint: expect.stringContaining('--region us-west-2'),
    });
  });

  test('--public lifts only the policy blocks and adds one read grant; a blocked account gets a clear error', async () => {
    const { s3, sent } = stubS3({
      GetPublicAccessBlock: () => ({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
      GetBucketPolicy: () => {
        throw awsError('NoSuchBucketPolicy', 404);
      },
    });
    expect(await grantPublicRead(target(s3), 'cfn-stages/0.1.0/')).toBe(true);
    expect(sent.find((s) => s.command === 'PutPublicAccessBlock')!.input.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    expect(JSON.parse(sent.find((s) => s.command === 'PutBucketPolicy')!.input.Policy).Statement).toEqual([
      publicReadStatement('acme-t', 'cfn-stages/0.1.0/', 'eu-west-1'),
    ]);

    const blocked = stubS3({
      PutBucketPolicy: () => {
        throw awsError('AccessDenied', 403);
      },
    });
    await expect(grantPublicRead(target(blocked.s3), 'cfn-stages/0.1.0/')).rejects.toMatchObject({
      code: 'PublicPolicyBlocked',
      message: expect.stringContaining('acme-t'),
      hint: expect.stringContaining('Block Public Access'),
    });
  });

  test('an object already there with the same bytes and type is not uploaded again', async () => {
    const body = Buffer.from('{"Resources":{}}');
    const md5 = createHash('md5').update(body).digest('hex');
    const same = stubS3({ HeadObject: () => ({ ETag: `"${md5}"`, ContentType: 'application/json' }) });
    expect(await putObject(target(same.s3), 'k/11.x.cf', body, 'application/json')).toBe('unchanged');
    expect(same.sent.map((s) => s.command)).toEqual(['HeadObject']);
    const otherType = stubS3({ HeadObject: () => ({ ETag: `"${md5}"`, ContentType: 'binary/octet-stream' }) });
    expect(await putObject(target(otherType.s3), 'k/11.x.cf', body, 'application/json')).toBe('uploaded');
    expect(otherType.sent[1]!.input).toMatchObject({
      Key: 'k/11.x.cf',
      ContentType: 'application/json',
      ServerSideEncryption: 'AES256',
    });
  });
});

describe('refused before any AWS call', () => {
  let stderr: string;
  let spy: jest.SpyInstance;
  const env = { ...process.env };

  beforeEach(() => {
    stderr = '';
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    // No credentials and an endpoint nobody listens on: any AWS call would fail differently.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
  });
  afterEach(() => {
    spy.mockRestore();
    process.env = { ...env };
  });

  test('a version with no catalogue: exit 2, naming the versions there are', async () => {
    expect(publishedVersions()).toContain('0.1.0');
    expect(await main(['publish', '--bucket', 'acme-t', '--version', '9.9.9'])).toBe(2);
    expect(stderr).toMatch(/no catalogue for version 9\.9\.9/);
    expect(stderr).toMatch(/versions there are: .*0\.1\.0/);
  });

  test('a bad bucket name, and --public with an empty prefix', async () => {
    expect(await main(['publish', '--bucket', 'Acme_T'])).toBe(2);
    expect(stderr).toMatch(/--bucket "Acme_T": a bucket name holds lower-case letters/);
    expect(await main(['publish', '--bucket', 'acme-t', '--public', '--key-prefix', ''])).toBe(2);
    expect(stderr).toMatch(/--public needs a --key-prefix/);
  });
});
