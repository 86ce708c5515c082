/**
 * Answers -> params document -> YAML, validated by the params file's own parser; and the way back
 * from an existing environment's stacks (their current parameters) to a document.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { planEnvironment, type PlannedStack } from '../../stages/plan';
import { renderTemplate } from '../../templates/kit/cf';
import { ParamsError } from '../../src/params/errors';
import { parseParams } from '../../src/params/load';
import { linkedDataOf, templateOfStack } from '../../src/wizard/discover';
import { catalogue } from '../../stages/catalogue';
import { paramsJsonSchema } from '../../stages/params';
import {
  ENVIRONMENT_STAGES,
  documentFromStacks,
  mergeExisting,
  renderParams,
  toParamsDocument,
  validateDocument,
  type AppDoc,
  type FoundStack,
  type ParamsDoc,
} from '../../src/wizard/document';

const ROOT = path.resolve(__dirname, '..', '..');
const fullText = fs.readFileSync(path.join(ROOT, 'examples', 'full.yaml'), 'utf8');
const full = parse(fullText) as ParamsDoc;

/** What the wizard reads back from a deployed environment (parameters, tags, linked stores). */
function deployed(stacks: PlannedStack[], extraTags: Record<string, string> = {}): FoundStack[] {
  return stacks.map((s) => ({
    name: s.name,
    templateId: s.templateId,
    parameters: s.parameters,
    tags: { ...s.tags, ...extraTags },
    ...(s.stage === 'service' || s.stage === 'extra'
      ? { linkedData: linkedDataOf(renderTemplate(s.built.template)) }
      : {}),
  }));
}

function plannedOf(doc: ParamsDoc): PlannedStack[] {
  return planEnvironment(parseParams(renderParams(toParamsDocument(doc), { file: 'x.yaml' })));
}

describe('the document follows the catalogue and the params schema', () => {
  test("the environment's stages are the catalogue's top-level sections, each a key of the params file", () => {
    const topLevel = Object.keys((paramsJsonSchema() as { properties: Record<string, unknown> }).properties);
    const stageKeys = catalogue.map((r) => r.key as string);
    expect(ENVIRONMENT_STAGES).toEqual(topLevel.filter((k) => stageKeys.includes(k)));
    expect(ENVIRONMENT_STAGES).toEqual(expect.arrayContaining(['network', 'jumpboxes', 'ecsCluster', 'eksCluster']));
  });

  test('a top-level section is in the YAML in number order with a blank line before it', () => {
    const text = renderParams(
      toParamsDocument({
        environment: 'dev',
        prefix: 'x-',
        region: 'us-east-1',
        tags: { contactEmail: 'ops@example.com' },
        eksCluster: {},
        jumpboxes: { jumpBoxCount: 2 },
      }),
      { file: 'envs/dev.yaml' },
    );
    expect(text).toMatch(
      /contactEmail: ops@example.com\n\nnetwork: \{\}\n\njumpboxes:\n {2}jumpBoxCount: 2\n\neksCluster: \{\}\n$/,
    );
  });
});

describe('toParamsDocument', () => {
  test('an app field no step asks (one the params file gains later) stays in its place, after the name', () => {
    // A field this module does not know: the schema's type will have it once it exists there.
    const app = { name: 'web', publicNote: 'shop', loadBalancer: { idleTimeoutSeconds: 120 } } as unknown as AppDoc;
    const doc = toParamsDocument({
      environment: 'dev',
      prefix: 'x-',
      region: 'us-east-1',
      tags: { contactEmail: 'ops@example.com' },
      apps: [app],
    });
    expect(Object.entries(doc.apps![0]!)).toEqual([
      ['name', 'web'],
      ['publicNote', 'shop'],
      ['loadBalancer', { idleTimeoutSeconds: 120 }],
    ]);
    const deployed: ParamsDoc = { ...doc, apps: [{ name: 'web', loadBalancer: {} }] };
    expect(mergeExisting(doc, deployed).apps).toEqual([{ name: 'web', publicNote: 'shop', loadBalancer: {} }]);
  });

  test('leaves template defaults out, keeps present stages and structural fields', () => {
    const doc = toParamsDocument({
      environment: 'dev',
      prefix: 'x-',
      region: 'us-east-1',
      tags: { contactEmail: 'ops@example.com' },
      network: { azCount: '2', natGateways: 'single', vpcCidr: '10.0.0.0/16' },
      ecsCluster: { defaultCapacityStrategy: 'FARGATE' },
      repositories: [{ name: 'web', imageTagMutability: 'IMMUTABLE', keepImages: 10 }],
      apps: [
        {
          name: 'web',
          loadBalancer: { scheme: 'internet-facing' },
          service: { repositoryName: 'web', imageTag: 'initial', maxContainers: 5, links: [], environment: {} },
          extras: [],
          data: [],
        },
      ],
    });
    expect(doc).toEqual({
      environment: 'dev',
      prefix: 'x-',
      region: 'us-east-1',
      tags: { contactEmail: 'ops@example.com' },
      network: { natGateways: 'single' },
      ecsCluster: {},
      repositories: [{ name: 'web', keepImages: 10 }],
      apps: [{ name: 'web', loadBalancer: {}, service: { repositoryName: 'web', maxContainers: 5 } }],
    });
  });

  test('renders YAML with a schema line that the params parser accepts', () => {
    const text = renderParams(toParamsDocument(full), {
      file: 'envs/demo.yaml',
      schemaRef: '../published/params.schema.json',
    });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../published/params.schema.json');
    expect(text).toContain('provision deploy --params envs/demo.yaml --yes');
    const params = validateDocument(text, 'envs/demo.yaml');
    // The rendered document plans exactly the stacks the example does.
    const before = planEnvironment(parseParams(fullText));
    const after = planEnvironment(params);
    expect(after.map((s) => [s.name, s.parameters])).toEqual(before.map((s) => [s.name, s.parameters]));
    expect(after.map((s) => renderTemplate(s.built.template))).toEqual(
      before.map((s) => renderTemplate(s.built.template)),
    );
  });

  test('a bad answer is reported with its field, as for a params file', () => {
    const doc = toParamsDocument({
      environment: 'dev',
      prefix: 'x-',
      region: 'us-east-1',
      tags: { contactEmail: 'ops@example.com' },
      apps: [{ name: 'web', service: { maxContainers: 5 } }],
    });
    const text = renderParams(doc, { file: 'envs/dev.yaml' });
    expect(() => validateDocument(text, 'envs/dev.yaml')).toThrow(ParamsError);
    expect(() => validateDocument(text, 'envs/dev.yaml')).toThrow(/apps\[0\].*ecsCluster/);
  });
});

describe('an existing environment as defaults', () => {
  const stacks = planEnvironment(parseParams(fullText));

  test('stack names and tags tell the template; service templates tell their links', () => {
    const DEMO = { prefix: 'x-', environment: 'demo' };
    expect(templateOfStack('x-demo-acme-service', {}, DEMO)).toBe('32.app-ecs-service');
    expect(templateOfStack('x-demo-ecs-cluster', {}, DEMO)).toBe('13.env-ecs-cluster');
    expect(templateOfStack('ecr-acme-web', {}, DEMO)).toBe('21.project-ecr-image-repo');
    expect(templateOfStack('x-demo-acme-main', { 'cfn-stages:template': '41.data-postgres' }, DEMO)).toBe(
      '41.data-postgres',
    );
    expect(templateOfStack('x-demo-acme-main', {}, DEMO)).toBeUndefined();
    const service = stacks.find((s) => s.stage === 'service')!;
    expect(linkedDataOf(renderTemplate(service.built.template)).sort()).toEqual(['cache', 'files', 'jobs', 'main']);
    expect(linkedDataOf('not json')).toEqual([]);
  });

  test('current parameters rebuild the same stacks (links get every access their store allows)', () => {
    const doc = documentFromStacks(deployed(stacks, { team: 'platform' }), {
      environment: 'demo',
      prefix: 'x-',
      region: 'us-east-1',
    });
    expect(doc.network).toEqual({ natGateways: 'single' });
    expect(doc.tags).toEqual({ contactEmail: 'ops@example.com', costCode: 'cc-1234', extra: { team: 'platform' } });
    expect(doc.apps![0]!.service).toMatchObject({ repositoryName: 'acme-web', cpu: '512', memory: '1024' });
    expect(doc.apps![0]!.service!.links).toEqual(
      expect.arrayContaining([{ name: 'files', access: ['read', 'write'] }, { name: 'main' }]),
    );
    const again = plannedOf(doc);
    expect(again.map((s) => s.name).sort()).toEqual(stacks.map((s) => s.name).sort());
    for (const s of again) expect(s.parameters).toEqual(stacks.find((x) => x.name === s.name)!.parameters);
  });

  test('an SSM-parameter option reported as the AMI it resolved to is not taken as a setting', () => {
    const ecs = stacks.find((x) => x.stage === 'ecsCluster')!;
    const doc = documentFromStacks(
      [
        {
          name: ecs.name,
          templateId: ecs.templateId,
          parameters: { ...ecs.parameters, Ec2ImageId: 'ami-0aae19d30bab785d3' },
        },
      ],
      { environment: 'demo', prefix: 'x-', region: 'us-east-1' },
    );
    expect(doc.ecsCluster).toEqual({});
    const custom = documentFromStacks(
      [{ name: ecs.name, templateId: ecs.templateId, parameters: { ...ecs.parameters, Ec2ImageId: '/my/ami' } }],
      { environment: 'demo', prefix: 'x-', region: 'us-east-1' },
    );
    expect(custom.ecsCluster).toEqual({ ec2ImageId: '/my/ami' });
  });

  test('merged over the saved params file, every stack comes out exactly as deployed', () => {
    const doc = mergeExisting(
      full,
      documentFromStacks(deployed(stacks), { environment: 'demo', prefix: 'x-', region: 'us-east-1' }),
    );
    const again = plannedOf(doc);
    expect(again.map((s) => s.name)).toEqual(stacks.map((s) => s.name));
    again.forEach((s, i) => {
      expect(s.parameters).toEqual(stacks[i]!.parameters);
      expect(renderTemplate(s.built.template)).toEqual(renderTemplate(stacks[i]!.built.template));
    });
  });

  test('what is deployed wins over the saved file; the file adds sections not deployed yet', () => {
    const saved: ParamsDoc = {
      environment: 'dev',
      prefix: 'x-',
      region: 'us-east-1',
      tags: { contactEmail: 'old@example.com' },
      network: { azCount: 3 },
      ecsCluster: {},
      apps: [
        { name: 'web', loadBalancer: {}, service: { maxContainers: 9, environment: { MODE: 'x' } } },
        { name: 'later', loadBalancer: {} },
      ],
    };
    const current: ParamsDoc = {
      environment: 'dev',
      prefix: 'x-',
      region: 'us-east-1',
      tags: { contactEmail: 'ops@example.com' },
      network: {},
      ecsCluster: {},
      apps: [{ name: 'web', loadBalancer: {}, service: { maxContainers: 4 } }],
    };
    const merged = mergeExisting(saved, current);
    expect(merged.network).toEqual({});
    expect(merged.tags.contactEmail).toBe('ops@example.com');
    expect(merged.apps).toEqual([
      { name: 'web', loadBalancer: {}, service: { maxContainers: 4, environment: { MODE: 'x' } } },
      { name: 'later', loadBalancer: {} },
    ]);
    expect(mergeExisting(undefined, current)).toBe(current);
  });
});
