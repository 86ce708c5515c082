/**
 * Templates over 51,200 bytes go through the artifact bucket: the bucket is made private,
 * encrypted and versioned; the template is uploaded by content hash; CloudFormation gets a URL
 * it can read (localhost, never 127.0.0.1, on an emulator).
 */
import type { AwsClients } from '../../src/aws/clients';
import { artifactBucketName, ensureArtifactBucket, templateUrl } from '../../src/deploy/artifacts';
import { deployStack } from '../../src/deploy/stack';
import { ArtifactBucketUnavailableError, TemplateTooLargeError, type StackSpec } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

/** A template just over the inline limit: many topics with long display names. */
function bigSpec(): StackSpec {
  const resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = {};
  for (let i = 0; i < 60; i++)
    resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: `topic-${i}-${'x'.repeat(900)}` } };
  const s = spec('x-dev-big', { resources });
  expect(Buffer.byteLength(s.templateBody)).toBeGreaterThan(51_200);
  return s;
}

it('sends a large template through a new private, encrypted, versioned bucket', async () => {
  const s = bigSpec();

  const result = await deployStack(clients, s, { poll: FAST, artifactBucket: () => ensureArtifactBucket(clients) });

  expect(result.kind).toBe('created');
  const bucketName = 'cfn-stages-artifacts-123456789012-eu-west-1';
  const bucket = fake.s3.buckets.get(bucketName);
  expect(bucket?.region).toBe('eu-west-1');
  const settings = Object.fromEntries(bucket?.settings ?? []);
  for (const flag of ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']) {
    expect(settings.publicAccessBlock).toContain(`<${flag}>true</${flag}>`);
  }
  expect(settings.encryption).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>');
  expect(settings.versioning).toContain('<Status>Enabled</Status>');
  // The fake listens on plain HTTP (like a local emulator): a TLS-only policy would lock the tool out.
  expect(settings.policy).toBeUndefined();

  const [create] = fake.callsOf('CreateChangeSet');
  expect(create.TemplateBody).toBeUndefined();
  expect(create.TemplateURL).toMatch(new RegExp(`^http://localhost:4566/${bucketName}/templates/[0-9a-f]{64}\\.json$`));
  expect(fake.s3.objectAtUrl(create.TemplateURL)).toBe(s.templateBody);
});

it('makes the bucket TLS-only on an HTTPS endpoint (every AWS endpoint)', async () => {
  const https = fakeClients(fake, { endpointUrl: 'https://s3.eu-west-1.example.test' });
  try {
    await ensureArtifactBucket(https);
    const settings = Object.fromEntries(
      fake.s3.buckets.get('cfn-stages-artifacts-123456789012-eu-west-1')?.settings ?? [],
    );
    expect(JSON.parse(settings.policy).Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  } finally {
    https.destroy();
  }
});

it('reuses the bucket and the uploaded template on the next run', async () => {
  const s = bigSpec();
  const opts = { poll: FAST, artifactBucket: () => ensureArtifactBucket(clients) };
  await deployStack(clients, s, opts);
  const bigger = { ...s, templateBody: s.templateBody.replace('topic-0-', 'topic-zero-') };
  await deployStack(clients, bigger, opts);
  await deployStack(clients, s, opts);

  const creates = fake.s3.calls.filter((c) => c.method === 'PUT' && !c.key && !c.sub);
  const uploads = fake.s3.calls.filter((c) => c.method === 'PUT' && c.key);
  expect(creates).toHaveLength(1);
  expect(uploads).toHaveLength(2); // the third run's template was already there
});

it('refuses a large template when there is no artifact bucket', async () => {
  await expect(deployStack(clients, bigSpec(), { poll: FAST })).rejects.toBeInstanceOf(TemplateTooLargeError);
  expect(fake.callsOf('CreateChangeSet')).toHaveLength(0);
});

it('will not use a bucket of that name owned by another account', async () => {
  fake.s3.addBucket(artifactBucketName('123456789012', 'eu-west-1'), '999999999999');
  await expect(ensureArtifactBucket(clients)).rejects.toBeInstanceOf(ArtifactBucketUnavailableError);
});

describe('templateUrl', () => {
  it('uses the virtual-hosted S3 URL on AWS', () => {
    expect(templateUrl('b', 'templates/a.json', { region: 'eu-west-1' })).toBe(
      'https://b.s3.eu-west-1.amazonaws.com/templates/a.json',
    );
    expect(templateUrl('b', 'templates/a.json', { region: 'cn-north-1' })).toBe(
      'https://b.s3.cn-north-1.amazonaws.com.cn/templates/a.json',
    );
  });

  it('writes an emulator on 127.0.0.1 as localhost (moto reads 127.0.0.1 as bucket "127")', () => {
    expect(templateUrl('b', 'templates/a.json', { region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:5000' })).toBe(
      'http://localhost:5000/b/templates/a.json',
    );
    expect(templateUrl('b', 'k.json', { region: 'eu-west-1', endpointUrl: 'http://localhost:4566/' })).toBe(
      'http://localhost:4566/b/k.json',
    );
  });
});
