/**
 * `plan` works for every stack whatever its size: CloudFormation gets minified JSON bodies (every
 * catalogue template then fits inline, while published/ stays readable), the quick "unchanged"
 * check holds across the two forms, and a body still over the limit goes through the artifact
 * bucket in plan exactly as in deploy. Against the stateful fake CloudFormation and fake S3.
 */
import * as path from 'node:path';
import type { AwsClients } from '../../src/aws/clients';
import { INLINE_TEMPLATE_LIMIT, lazyArtifactBucket } from '../../src/deploy/artifacts';
import { deployStack, planStack } from '../../src/deploy/stack';
import { TemplateTooLargeError, type StackSpec } from '../../src/deploy/types';
import { toSpec } from '../../src/run/context';
import { loadParams } from '../../src/params/load';
import { planEnvironment } from '../../stages/plan';
import { compactTemplate, renderTemplate } from '../../templates/kit/cf';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

const topics = (n: number, name = (i: number) => `topic-${i}-${'x'.repeat(900)}`) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `Topic${i}`,
      { Type: 'AWS::SNS::Topic', Properties: { DisplayName: name(i) } },
    ]),
  );

test('every stack of the full example is sent minified and fits inline; the network template would not as published', () => {
  const stacks = planEnvironment(loadParams(path.join(__dirname, '..', '..', 'examples', 'full.yaml')));
  const inRun = new Set(stacks.map((s) => s.name));
  for (const s of stacks) {
    const body = toSpec(s, inRun).templateBody;
    expect(body).toBe(compactTemplate(s.built.template));
    expect({ stack: s.name, fits: Buffer.byteLength(body) <= INLINE_TEMPLATE_LIMIT }).toEqual({
      stack: s.name,
      fits: true,
    });
  }
  const network = stacks.find((s) => s.stage === 'network')!;
  expect(Buffer.byteLength(renderTemplate(network.built.template))).toBeGreaterThan(INLINE_TEMPLATE_LIMIT);
});

test('a stack deployed from a readable body is unchanged for the same template minified (no change set)', async () => {
  const minified = spec('x-dev-topics', { resources: topics(3, (i) => `topic-${i}`) });
  const readable: StackSpec = { ...minified, templateBody: renderTemplate(JSON.parse(minified.templateBody)) };
  expect(readable.templateBody).not.toBe(minified.templateBody);
  expect((await deployStack(clients, readable, { poll: FAST })).kind).toBe('created');
  const before = fake.callsOf('CreateChangeSet').length;
  expect(await planStack(clients, minified, { poll: FAST })).toEqual({ kind: 'unchanged', stackName: readable.name });
  expect(fake.callsOf('CreateChangeSet')).toHaveLength(before);
});

test('plan of an update still over the inline limit goes through the artifact bucket, as deploy does', async () => {
  const small = spec('x-dev-big', { resources: topics(2) });
  await deployStack(clients, small, { poll: FAST });
  const big = spec('x-dev-big', { resources: topics(60) });
  expect(Buffer.byteLength(big.templateBody)).toBeGreaterThan(INLINE_TEMPLATE_LIMIT);

  await expect(planStack(clients, big, { poll: FAST })).rejects.toBeInstanceOf(TemplateTooLargeError);
  const result = await planStack(clients, big, { poll: FAST, artifactBucket: lazyArtifactBucket(clients) });

  expect(result).toMatchObject({ kind: 'changes', plan: { type: 'update' } });
  expect(result.kind === 'changes' && result.plan.changes.filter((c) => c.action === 'Add')).toHaveLength(58);
  const create = fake.callsOf('CreateChangeSet').pop()!;
  expect(create.TemplateBody).toBeUndefined();
  expect(fake.s3.objectAtUrl(create.TemplateURL)).toBe(big.templateBody);
  expect(fake.stack('x-dev-big')?.changeSets.size).toBe(0); // plan changes nothing
});

test('the bucket is looked up once per run, and only when a template needs it', async () => {
  const bucket = lazyArtifactBucket(clients);
  expect(fake.s3.buckets.size).toBe(0);
  const [a, b] = await Promise.all([bucket(), bucket()]);
  expect(a).toBe('cfn-stages-artifacts-123456789012-eu-west-1');
  expect(b).toBe(a);
  expect(fake.s3.buckets.size).toBe(1);
});
