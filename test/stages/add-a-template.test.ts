/**
 * What adding a template takes (README, "Layout"): its builder module, its contracts, one catalogue
 * row, its tests. This test adds a throw-away template the same way (a builder that imports the
 * network's VPC and exports a value of its own, and one row) and nothing else, and finds it in the
 * params schema and its JSON Schema, in the plan (named by its rule, ordered after the network it
 * imports from, its option passed as a parameter), and in discovery of an existing environment.
 */
import type * as Catalogue from '../../stages/catalogue';

jest.mock('../../stages/catalogue', () => {
  const actual = jest.requireActual<typeof Catalogue>('../../stages/catalogue');
  const { TemplateBuilder } =
    jest.requireActual<typeof import('../../templates/kit/builder')>('../../templates/kit/builder');
  const { Network } = jest.requireActual<typeof import('../../templates/contracts')>('../../templates/contracts');
  const { envExport } = jest.requireActual<typeof import('../../templates/kit/exports')>('../../templates/kit/exports');
  // 1. The builder module: its identity, its contract, its builder.
  const ProbeTemplate = { id: '19.env-probe', scope: 'environment', stackSuffix: 'probe' } as const;
  const ProbeName = envExport('ProbeName', 'The probe parameter name');
  const buildProbe = () => {
    const t = new TemplateBuilder({ ...ProbeTemplate, description: 'A probe', group: 'Probe' });
    const size = t.param('ProbeSize', {
      Type: 'Number',
      Default: 1,
      MinValue: 1,
      MaxValue: 3,
      Description: 'How many probes to run',
    });
    const probe = t.add('Probe', {
      Type: 'AWS::SSM::Parameter',
      Properties: { Type: 'String', Value: t.import(Network.VpcId), Description: size },
    } as never);
    t.export(ProbeName, probe.ref);
    return t.build();
  };
  // 2. One row.
  const probe = actual.row({
    key: 'probe',
    template: ProbeTemplate,
    build: buildProbe,
    title: 'Probe',
    help: 'a throw-away probe',
    place: { kind: 'section', at: 'environment' },
    questions: ['probeSize'],
  });
  const catalogue = [...actual.catalogue.slice(0, 4), probe, ...actual.catalogue.slice(4)];
  return { ...actual, catalogue, stages: { ...actual.stages, probe } };
});

import { paramsJsonSchema } from '../../stages/params';
import { planEnvironment } from '../../stages/plan';
import { parseParams } from '../../src/params/load';
import { templateOfStack } from '../../src/wizard/discover';

const file = `
environment: dev
prefix: x-
region: eu-west-1
tags: { contactEmail: ops@example.com }
probe: { probeSize: 2 }
`;

test('the new row is a section of the params file and of its JSON Schema', () => {
  const schema = paramsJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
  expect(Object.keys(schema.properties.probe?.properties ?? {})).toEqual(['probeSize']);
  expect(() => parseParams(file.replace('probeSize: 2', 'probeSize: 7'))).toThrow(/probe\.probeSize/);
});

test('the new template is planned: named by its rule, after the stack it imports from, with its option', () => {
  const stacks = planEnvironment(parseParams(file));
  const probe = stacks.find((s) => s.templateId === '19.env-probe');
  expect(probe).toMatchObject({
    name: 'x-dev-probe',
    stage: 'probe',
    dependsOn: ['x-dev-network'],
    exports: ['x-dev-ProbeName'],
    parameters: expect.objectContaining({ ProbeSize: '2', Prefix: 'x-', EnvironmentName: 'dev' }),
    fields: expect.objectContaining({ ProbeSize: 'probe.probeSize' }),
  });
  expect(stacks.map((s) => s.name)).toEqual(['x-dev-network', 'x-dev-probe']);
  expect(planEnvironment(parseParams(file.replace(/^probe:.*$/m, ''))).map((s) => s.name)).toEqual(['x-dev-network']);
});

test('discovery knows a stack of the new template by its name alone', () => {
  expect(templateOfStack('x-dev-probe', {}, { prefix: 'x-', environment: 'dev' })).toBe('19.env-probe');
  expect(templateOfStack('x-prod-probe', {}, { prefix: 'x-', environment: 'dev' })).toBeUndefined();
});
