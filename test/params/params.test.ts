/**
 * Params files: validation collects every problem at once, each with its line, field and fix;
 * the JSON Schema comes from the same definition; the stage plan derives its order from imports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParamsError } from '../../src/params/errors';
import { parseParams } from '../../src/params/load';
import { paramsJsonSchema } from '../../stages/params';
import { planEnvironment } from '../../stages/plan';
import { root } from '../helpers/templates';

const example = (name: string) => fs.readFileSync(path.join(root, 'examples', name), 'utf8');

function problems(text: string): string[] {
  try {
    parseParams(text, 'dev.yaml');
  } catch (err) {
    if (err instanceof ParamsError) return err.problems.map((p) => `${p.line ?? '-'} ${p.field}: ${p.message}`);
    throw err;
  }
  return [];
}

test('the examples are valid', () => {
  expect(problems(example('small.yaml'))).toEqual([]);
  expect(problems(example('full.yaml'))).toEqual([]);
});

test('five mistakes give five messages naming line, field and fix', () => {
  const text = [
    'environment: Dev', // 1: upper case
    'prefix: xyz-', // 2: too long
    'region: us-east-1',
    'tags:',
    '  contactEmail: ops@example.com',
    'netwrk:', // 6: typo
    '  azCount: 2',
    'ecsCluster: {}',
    'apps:',
    '  - name: acme',
    '    service:',
    '      cpu: 300', // 12: not a Fargate value
    '      links:',
    '        - name: db', // 14: no such data store
  ].join('\n');
  const found = problems(text);
  expect(found).toHaveLength(5);
  expect(found[0]).toMatch(/^1 environment: an environment name is 1 to 10 lower-case/);
  expect(found[1]).toMatch(/^2 prefix: a prefix is 2 or 3 characters/);
  expect(found.find((p) => p.includes('netwrk'))).toMatch(/^6 netwrk: unknown field \(did you mean "network"\?\)/);
  expect(found.find((p) => p.includes('cpu'))).toMatch(/^12 apps\[0\]\.service\.cpu: must be one of/);
  expect(found.find((p) => p.includes('links'))).toMatch(
    /^14 apps\[0\]\.service\.links\[0\]\.name: app "acme" has no data store named "db"/,
  );
});

test('YAML syntax errors are reported with their line', () => {
  expect(problems('environment: dev\nprefix: [x-\n')[0]).toMatch(/^\d+ : YAML:/);
});

test('link access must fit the kind of store', () => {
  const text = example('small.yaml') + ['    data:', '      - kind: s3', '        name: files'].join('\n');
  const base = parseParams(text, 'x.yaml');
  expect(base.apps?.[0]?.data).toHaveLength(1);
  const bad = text.replace(
    '    service:\n',
    '    service:\n      links:\n        - name: files\n          access: [publish]\n',
  );
  expect(problems(bad)).toEqual([
    expect.stringMatching(/links\[0\]\.access: "publish" does not apply to a s3 link; use read and\/or write/),
  ]);
});

test('the published JSON Schema is current', () => {
  const file = path.join(root, 'published', 'params.schema.json');
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(paramsJsonSchema())));
});

describe('the plan of the full example', () => {
  const plan = planEnvironment(parseParams(example('full.yaml'), 'full.yaml'));
  const byStage = (stage: string) => plan.filter((s) => s.stage === stage);

  test('names stacks by the stack-name rules', () => {
    expect(byStage('network')[0]!.name).toBe('x-demo-network');
    expect(byStage('repository')[0]!.name).toBe('ecr-acme-web');
    expect(byStage('service')[0]!.name).toBe('x-demo-acme-service');
  });

  test('derives dependencies from imports, and orders them', () => {
    const svc = byStage('service')[0]!;
    expect(svc.dependsOn).toEqual(
      expect.arrayContaining(['x-demo-network', 'x-demo-ecs-cluster', 'x-demo-acme-loadbalancer', 'ecr-acme-web']),
    );
    const index = new Map(plan.map((s, i) => [s.name, i]));
    for (const s of plan) for (const d of s.dependsOn) expect(index.get(d)!).toBeLessThan(index.get(s.name)!);
    expect(plan[0]!.name).toBe('x-demo-network');
    expect(plan.every((s) => s.external.length === 0)).toBe(true);
  });

  test('fills every template parameter, standard ones from the file', () => {
    const net = byStage('network')[0]!;
    expect(net.parameters).toMatchObject({
      Prefix: 'x-',
      EnvironmentName: 'demo',
      NatGateways: 'single',
      AzCount: '2',
      VpcCidr: '10.0.0.0/16',
    });
    expect(Object.keys(net.parameters).sort()).toEqual(Object.keys(net.built.template.Parameters!).sort());
  });

  test('linked services get a linked template variant', () => {
    const svc = byStage('service')[0]!;
    expect(svc.imports.some((i) => i.startsWith('x-demo-acme-main-'))).toBe(true);
  });
});
