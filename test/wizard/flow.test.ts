/**
 * The wizard's question flow with injected answers (no terminal, no AWS): which questions are
 * asked, their defaults (template defaults, AWS_REGION, a saved file, an existing environment's
 * current values), validation as the params file does it, and the document the answers make.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { catalogue, DATA_KINDS, stages } from '../../stages/catalogue';
import { planEnvironment } from '../../stages/plan';
import { renderTemplate } from '../../templates/kit/cf';
import { parseParams } from '../../src/params/load';
import { linkedDataOf } from '../../src/wizard/discover';
import {
  ENVIRONMENT_STAGES,
  documentFromStacks,
  renderParams,
  toParamsDocument,
  type AppDoc,
  type ParamsDoc,
} from '../../src/wizard/document';
import { runFlow, type Choice, type FlowContext, type Prompter } from '../../src/wizard/flow';

/** Several answers to a question asked more than once (a loop), in order. */
class Seq {
  constructor(readonly values: unknown[]) {}
}
const seq = (...values: unknown[]) => new Seq(values);

/**
 * A Prompter answering from a map of question id -> answer; a question without an answer gets its
 * default (what Enter does). Text answers go through the question's validation: a refused answer
 * fails the test with the question's own message.
 */
function scripted(answers: Record<string, unknown>) {
  const asked: string[] = [];
  const notes: string[] = [];
  const defaults: Record<string, unknown> = {};
  const used = new Set<string>();
  const take = (id: string): unknown => {
    asked.push(id);
    if (!(id in answers)) return undefined;
    used.add(id);
    const a = answers[id];
    if (a instanceof Seq) return a.values.length ? a.values.shift() : undefined;
    return a;
  };
  const p: Prompter = {
    async input(q) {
      defaults[q.id] = q.default;
      const a = take(q.id);
      const value = a === undefined ? (q.default ?? '') : String(a);
      const problem = q.validate?.(value);
      if (problem) throw new Error(`${q.id}: "${value}" refused: ${problem}`);
      return value;
    },
    async confirm(q) {
      defaults[q.id] = q.default;
      const a = take(q.id);
      return a === undefined ? q.default : Boolean(a);
    },
    async select(q) {
      defaults[q.id] = q.default;
      const a = take(q.id) as string | undefined;
      const value = a ?? q.default ?? q.choices[0]!.value;
      if (!q.choices.some((ch) => ch.value === value))
        throw new Error(`${q.id}: "${value}" is not a choice (${q.choices.map((ch) => ch.value).join(', ')})`);
      return value as never;
    },
    async checkbox(q) {
      const checked = q.choices.filter((ch) => ch.checked && !ch.disabled).map((ch) => ch.value);
      defaults[q.id] = checked;
      const a = take(q.id) as string[] | undefined;
      const value = (a ?? checked) as never[];
      const problem = q.validate?.(value);
      if (problem) throw new Error(`${q.id}: refused: ${problem}`);
      return value;
    },
    note: (text) => notes.push(text),
  };
  /** Every scripted answer must have been asked for (else the test scripts a question that does not exist). */
  const unused = () => Object.keys(answers).filter((k) => !used.has(k));
  return { p, asked, notes, defaults, unused };
}

function context(over: Partial<FlowContext> = {}): FlowContext {
  return {
    env: { AWS_REGION: 'eu-west-1' },
    savedFiles: [],
    load: (file) => {
      throw new Error(`unexpected load of ${file}`);
    },
    findExisting: async () => undefined,
    exists: () => false,
    ...over,
  };
}

/** The params file the answers make, validated and planned. */
function planOf(answers: ParamsDoc) {
  const text = renderParams(toParamsDocument(answers), { file: 'envs/x.yaml' });
  return planEnvironment(parseParams(text, 'envs/x.yaml'));
}

const SMALL = {
  environment: 'dev',
  contactEmail: 'ops@example.com',
  'network.natGateways': 'single',
  'repositories[0].name': 'acme-web',
  'apps[0].name': 'acme',
  'apps[0].service.maxContainers': '5',
};

describe('a new environment', () => {
  test('asks the important settings, defaults the rest, and makes a small valid environment', async () => {
    const s = scripted(SMALL);
    const result = await runFlow(s.p, context());
    expect(s.unused()).toEqual([]);
    expect(result.file).toBe('envs/dev.yaml');
    expect(result.existing).toBeUndefined();
    expect(toParamsDocument(result.answers)).toEqual({
      environment: 'dev',
      prefix: 'x-',
      region: 'eu-west-1',
      tags: { contactEmail: 'ops@example.com' },
      network: { natGateways: 'single' },
      ecsCluster: {},
      accessLogs: {},
      repositories: [{ name: 'acme-web' }],
      apps: [{ name: 'acme', loadBalancer: {}, service: { repositoryName: 'acme-web', maxContainers: 5 } }],
    });
    expect(planOf(result.answers).map((x) => x.name)).toEqual([
      'x-dev-network',
      'x-dev-ecs-cluster',
      'x-dev-access-logs',
      'ecr-acme-web',
      'x-dev-acme-loadbalancer',
      'x-dev-acme-service',
      'x-dev-acme-alarms', // every app with a service is watched (33.app-alarms)
    ]);
    // The order of the first questions, and the defaults they offered.
    expect(s.asked.slice(0, 7)).toEqual([
      'environment',
      'prefix',
      'region',
      'profile',
      'contactEmail',
      'costCode',
      'stages',
    ]);
    expect(s.defaults).toMatchObject({
      environment: 'dev',
      prefix: 'x-',
      region: 'eu-west-1',
      profile: '',
      stages: ['ecsCluster'],
      'apps[0].service.maxContainers': '3',
      'apps[0].service.image': 'ecr:acme-web',
    });
    // Important settings are asked; the others only behind "advanced settings?".
    expect(s.asked).toEqual(
      expect.arrayContaining([
        'network.azCount',
        'network.natGateways',
        'network.advanced',
        'apps[0].loadBalancer.healthCheckPath',
        'apps[0].service.cpu',
      ]),
    );
    expect(s.asked).not.toContain('network.vpcCidr');
    expect(s.asked).not.toContain('apps[0].service.targetCpuPercent');
  });

  test('region and profile default from AWS_REGION and AWS_PROFILE', async () => {
    const s = scripted(SMALL);
    const result = await runFlow(s.p, context({ env: { AWS_REGION: 'ap-south-1', AWS_PROFILE: 'team' } }));
    expect(s.defaults).toMatchObject({ region: 'ap-south-1', profile: 'team' });
    expect(toParamsDocument(result.answers)).toMatchObject({ region: 'ap-south-1', profile: 'team' });
  });

  test("answers are validated with the shared name patterns and the templates' rules", async () => {
    await expect(runFlow(scripted({ ...SMALL, environment: 'Dev' }).p, context())).rejects.toThrow(
      /environment: "Dev" refused: an environment name is 1 to 10 lower-case/,
    );
    await expect(runFlow(scripted({ ...SMALL, prefix: 'x' }).p, context())).rejects.toThrow(
      /prefix: "x" refused: a prefix is 2 or 3 characters/,
    );
    await expect(runFlow(scripted({ ...SMALL, region: 'Europe' }).p, context())).rejects.toThrow(
      /region: "Europe" refused/,
    );
    await expect(runFlow(scripted({ ...SMALL, 'apps[0].service.maxContainers': 'lots' }).p, context())).rejects.toThrow(
      /maxContainers: "lots" refused: a number is needed/,
    );
    await expect(
      runFlow(scripted({ ...SMALL, 'apps[0].loadBalancer.healthCheckPath': 'health' }).p, context()),
    ).rejects.toThrow(/healthCheckPath: "health" refused/);
    // Contact email has no default: it must be answered.
    const { contactEmail: _omit, ...noEmail } = SMALL;
    await expect(runFlow(scripted(noEmail).p, context())).rejects.toThrow(/contactEmail: "" refused: a contact email/);
  });

  test('"advanced settings?" walks every other parameter of the stage', async () => {
    // A new VPC range needs subnets inside it (the template's default subnets are in 10.0.0.0/16).
    const subnets = {
      'network.publicSubnetCidrs': '10.8.0.0/22,10.8.4.0/22',
      'network.privateSubnetCidrs': '10.8.32.0/19,10.8.64.0/19',
      'network.dataSubnetCidrs': '10.8.16.0/22,10.8.20.0/22',
    };
    const s = scripted({
      ...SMALL,
      'network.advanced': true,
      'network.vpcCidr': '10.8.0.0/16',
      ...subnets,
      'network.flowLogRetentionDays': '30',
    });
    const result = await runFlow(s.p, context());
    expect(s.asked).toEqual(
      expect.arrayContaining([
        'network.vpcCidr',
        'network.publicSubnetCidrs',
        'network.privateSubnetCidrs',
        'network.dataSubnetCidrs',
        'network.flowLogRetentionDays',
      ]),
    );
    expect(toParamsDocument(result.answers).network).toEqual({
      natGateways: 'single',
      vpcCidr: '10.8.0.0/16',
      publicSubnetCidrs: subnets['network.publicSubnetCidrs'],
      privateSubnetCidrs: subnets['network.privateSubnetCidrs'],
      dataSubnetCidrs: subnets['network.dataSubnetCidrs'],
      flowLogRetentionDays: 30,
    });
  });

  test('data stores, extra services and links with their access', async () => {
    const s = scripted({
      ...SMALL,
      'apps[0].data.add': true,
      'apps[0].data[0].kind': 's3',
      'apps[0].data.add[1]': true,
      'apps[0].data[1].kind': 'postgres',
      'apps[0].data[1].instances': '1',
      'apps[0].service.links.files.access': ['read'],
      'apps[0].extras.add': true,
      'apps[0].extras[0].image': 'public',
      'apps[0].extras[0].publicImage': 'public.ecr.aws/docker/library/httpd:2.4',
      'apps[0].extras[0].links': ['db'],
    });
    const result = await runFlow(s.p, context());
    expect(s.unused()).toEqual([]);
    const app = toParamsDocument(result.answers).apps![0]!;
    expect(app.data).toEqual([
      { kind: 's3', name: 'files' },
      { kind: 'postgres', name: 'db', instances: '1' },
    ]);
    expect(app.service!.links).toEqual([{ name: 'files', access: ['read'] }, { name: 'db' }]);
    expect(app.extras).toEqual([
      {
        suffix: 'api',
        pathPrefix: '/api',
        publicImage: 'public.ecr.aws/docker/library/httpd:2.4',
        links: [{ name: 'db' }],
      },
    ]);
    expect(planOf(result.answers).map((x) => x.name)).toEqual(
      expect.arrayContaining(['x-dev-acme-files', 'x-dev-acme-db', 'x-dev-acme-api']),
    );
    await expect(
      runFlow(
        scripted({
          ...SMALL,
          'apps[0].data.add': true,
          'apps[0].data[0].kind': 's3',
          'apps[0].service.links.files.access': [],
        }).p,
        context(),
      ),
    ).rejects.toThrow(/pick at least one/);
  });

  test('names must be unique where the params file says so', async () => {
    const s = scripted({ ...SMALL, 'apps.add[1]': true, 'apps[1].name': 'acme' });
    await expect(runFlow(s.p, context())).rejects.toThrow(/apps\[1\].name: "acme" refused: "acme" is already an app/);
  });

  test('without the ECS cluster an app gets a load balancer only', async () => {
    const t = scripted({
      environment: 'dev',
      contactEmail: 'ops@example.com',
      stages: ['jumpboxes'],
      'repositories.add': false,
      'apps[0].name': 'acme',
    });
    const result = await runFlow(t.p, context());
    expect(t.asked).not.toContain('apps[0].service');
    const doc = toParamsDocument(result.answers);
    expect(doc.jumpboxes).toEqual({});
    expect(doc.ecsCluster).toBeUndefined();
    expect(doc.apps).toEqual([{ name: 'acme', loadBalancer: {} }]);
    expect(planOf(result.answers).map((x) => x.stage)).toEqual(['network', 'jumpboxes', 'accessLogs', 'loadBalancer']);
  });

  test('an existing file is replaced only when confirmed', async () => {
    const s = scripted({ ...SMALL, overwrite: false, file: seq('envs/dev.yaml', 'envs/dev-copy.yaml') });
    const result = await runFlow(s.p, context({ exists: (f) => f === 'envs/dev.yaml' }));
    expect(result.file).toBe('envs/dev-copy.yaml');
    await expect(runFlow(scripted({ ...SMALL, file: 'envs/dev.json' }).p, context())).rejects.toThrow(/ends in .yaml/);
  });
});

describe('starting from a saved params file', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const full = parse(fs.readFileSync(path.join(ROOT, 'examples', 'full.yaml'), 'utf8')) as ParamsDoc;

  test('saved files are offered, and the chosen one gives every default', async () => {
    const s = scripted({});
    const result = await runFlow(s.p, context({ savedFiles: ['envs/demo.yaml'], load: () => full }));
    expect(s.defaults).toMatchObject({
      start: 'envs/demo.yaml',
      environment: 'demo',
      region: 'us-east-1',
      contactEmail: 'ops@example.com',
      'apps[0].service.cpu': '512',
    });
    expect(result.file).toBe('envs/demo.yaml');
    const before = planEnvironment(parseParams(renderParams(full as ParamsDoc, { file: 'a' })));
    const after = planOf(result.answers);
    expect(after.map((x) => [x.name, x.parameters])).toEqual(before.map((x) => [x.name, x.parameters]));
    expect(after.map((x) => renderTemplate(x.built.template))).toEqual(
      before.map((x) => renderTemplate(x.built.template)),
    );
  });

  test('an app field that no question asks keeps its saved value', async () => {
    const doc = { ...full, apps: full.apps!.map((a) => ({ ...a, publicNote: 'shop' }) as AppDoc) };
    const result = await runFlow(scripted({}).p, context({ start: { file: 'envs/demo.yaml', doc } }));
    expect(result.answers.apps![0]).toMatchObject({ name: 'acme', publicNote: 'shop' });
  });

  test('"start a new environment" ignores the saved files', async () => {
    const s = scripted({ ...SMALL, start: '\u0000new' });
    const result = await runFlow(s.p, context({ savedFiles: ['envs/demo.yaml'], load: () => full }));
    expect(toParamsDocument(result.answers).apps![0]!.name).toBe('acme');
  });
});

describe('an existing environment', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const fullText = fs.readFileSync(path.join(ROOT, 'examples', 'full.yaml'), 'utf8');
  const full = parse(fullText) as ParamsDoc;
  const stacks = planEnvironment(parseParams(fullText));
  const existing = {
    stacks: stacks.map((x) => x.name),
    doc: documentFromStacks(
      stacks.map((x) => ({
        name: x.name,
        templateId: x.templateId,
        parameters: x.parameters,
        tags: x.tags,
        ...(x.stage === 'service' || x.stage === 'extra'
          ? { linkedData: linkedDataOf(renderTemplate(x.built.template)) }
          : {}),
      })),
      { environment: 'demo', prefix: 'x-', region: 'us-east-1' },
    ),
  };

  test('is found, offered for update, and its current values are the defaults: Enter everywhere changes nothing', async () => {
    const s = scripted({ environment: 'demo' });
    const seen: unknown[] = [];
    const result = await runFlow(
      s.p,
      context({ start: { file: 'envs/demo.yaml', doc: full }, findExisting: async (w) => (seen.push(w), existing) }),
    );
    expect(seen).toEqual([{ environment: 'demo', prefix: 'x-', region: 'us-east-1' }]);
    expect(s.asked).toContain('update');
    expect(result.existing).toBe(existing);
    expect(s.notes.join('\n')).toMatch(/Found x-demo in us-east-1: 14 stacks/);
    expect(s.defaults).toMatchObject({
      'network.natGateways': 'single',
      'apps[0].service.maxContainers': '3',
      'apps[0].service.cpu': '512',
      'apps[0].data[0].instanceClass': 'db.r6g.large',
    });
    // Advanced settings not walked keep their current values.
    expect(s.asked).not.toContain('apps[0].loadBalancer.idleTimeoutSeconds');
    expect(toParamsDocument(result.answers).apps![0]!.loadBalancer).toEqual({ idleTimeoutSeconds: 120 });
    const after = planOf(result.answers);
    after.forEach((x, i) => {
      expect(x.name).toBe(stacks[i]!.name);
      expect(x.parameters).toEqual(stacks[i]!.parameters);
      expect(renderTemplate(x.built.template)).toEqual(renderTemplate(stacks[i]!.built.template));
    });
  });

  test("one changed answer changes one stack's parameters", async () => {
    const s = scripted({ 'apps[0].service.maxContainers': '6' });
    const result = await runFlow(
      s.p,
      context({ start: { file: 'envs/demo.yaml', doc: full }, findExisting: async () => existing }),
    );
    const after = planOf(result.answers);
    const changed = after
      .filter((x, i) => JSON.stringify(x.parameters) !== JSON.stringify(stacks[i]!.parameters))
      .map((x) => x.name);
    expect(changed).toEqual(['x-demo-acme-service']);
    expect(after.find((x) => x.stage === 'service')!.parameters.MaxContainers).toBe('6');
  });

  test('declining the update asks for another name', async () => {
    const s = scripted({ ...SMALL, environment: seq('demo', 'demo2'), update: false });
    const result = await runFlow(
      s.p,
      context({ findExisting: async (w) => (w.environment === 'demo' ? existing : undefined) }),
    );
    expect(s.asked.filter((id) => id === 'environment')).toHaveLength(2);
    expect(result.answers.environment).toBe('demo2');
    expect(result.existing).toBeUndefined();
  });
});

describe('the catalogue rows drive the questions', () => {
  /** The scripted prompter, also recording the choices each select or checkbox offered. */
  function withChoices(answers: Record<string, unknown>) {
    const s = scripted(answers);
    const offered: Record<string, Choice<string>[]> = {};
    const p: Prompter = {
      ...s.p,
      select: (q) => ((offered[q.id] = q.choices), s.p.select(q)),
      checkbox: (q) => ((offered[q.id] = q.choices), s.p.checkbox(q)),
    };
    return { ...s, p, offered };
  }

  test("the stage question offers each environment row with its title, number and help; a chosen stage's up-front questions follow", async () => {
    const s = withChoices({ ...SMALL, stages: ['jumpboxes', 'ecsCluster'] });
    await runFlow(s.p, context());
    const sections = catalogue.filter((r) => r.place.kind === 'section' && r.place.at === 'environment');
    expect(ENVIRONMENT_STAGES).toEqual(sections.map((r) => r.key));
    // A row built with another section (the certificate with the domain) is not offered on its own.
    const envRows = sections.filter((r) => !(r.place.kind === 'section' && 'withSection' in r.place));
    expect(envRows.length).toBe(sections.length - 1);
    expect(s.offered.stages!.map((ch) => ch.value)).toEqual(envRows.map((r) => r.key));
    for (const [i, r] of envRows.entries()) {
      const choice = s.offered.stages![i]!;
      expect(choice.name).toBe(`${r.title} (${r.templateId.split('.')[0]}): ${r.help}`);
      const always = r.place.kind === 'section' && Boolean(r.place.always);
      expect(Boolean(choice.disabled)).toBe(always);
      if (always) expect(choice.checked).toBe(true);
    }
    for (const key of ['network', 'jumpboxes', 'ecsCluster'] as const)
      for (const q of stages[key].questions) expect(s.asked).toContain(`${key}.${q}`);
    for (const q of stages.eksCluster.questions) expect(s.asked).not.toContain(`eksCluster.${q}`);
  });

  test("data store kinds are the data rows, with their help; a new store is offered the row's name", async () => {
    const s = withChoices({ ...SMALL, 'apps[0].data.add': true, 'apps[0].data[0].kind': 'redis' });
    const result = await runFlow(s.p, context());
    expect(s.offered['apps[0].data[0].kind']).toEqual(
      DATA_KINDS.map((k) => ({
        value: k,
        name: `${stages[k].title} (${stages[k].templateId})`,
        description: stages[k].help,
      })),
    );
    expect(s.defaults['apps[0].data[0].name']).toBe(stages.redis.defaultName);
    expect(result.answers.apps![0]!.data).toEqual([
      expect.objectContaining({ kind: 'redis', name: stages.redis.defaultName }),
    ]);
  });
});
