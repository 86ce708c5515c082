/**
 * The wizard and a domain: the domain is an optional environment stage; with it, each app is asked
 * its public address (offered `<app>.<domain>`), checked as the params file checks it, and the
 * saved file plans the zone, the certificate and an HTTPS load balancer. The certificate is never
 * a choice of its own: it comes with the domain.
 */
import { planEnvironment } from '../../stages/plan';
import { parseParams } from '../../src/params/load';
import { renderParams, toParamsDocument, type ParamsDoc } from '../../src/wizard/document';
import { runFlow, type FlowContext, type Prompter } from '../../src/wizard/flow';

function scripted(answers: Record<string, unknown>) {
  const asked: string[] = [];
  const defaults: Record<string, unknown> = {};
  const offered: Record<string, string[]> = {};
  const p: Prompter = {
    async input(q) {
      asked.push(q.id);
      defaults[q.id] = q.default;
      const value = q.id in answers ? String(answers[q.id]) : (q.default ?? '');
      const problem = q.validate?.(value);
      if (problem) throw new Error(`${q.id}: "${value}" refused: ${problem}`);
      return value;
    },
    async confirm(q) {
      asked.push(q.id);
      return q.id in answers ? Boolean(answers[q.id]) : q.default;
    },
    async select(q) {
      asked.push(q.id);
      return ((answers[q.id] as string | undefined) ?? q.default ?? q.choices[0]!.value) as never;
    },
    async checkbox(q) {
      asked.push(q.id);
      offered[q.id] = q.choices.map((ch) => ch.value);
      const checked = q.choices.filter((ch) => ch.checked && !ch.disabled).map((ch) => ch.value);
      return ((answers[q.id] as string[] | undefined) ?? checked) as never[];
    },
    note: () => undefined,
  };
  return { p, asked, defaults, offered };
}

const context = (): FlowContext => ({
  env: { AWS_REGION: 'eu-west-1' },
  savedFiles: [],
  load: (file) => {
    throw new Error(`unexpected load of ${file}`);
  },
  findExisting: async () => undefined,
  exists: () => false,
});

const BASE = {
  environment: 'dev',
  contactEmail: 'ops@example.com',
  'network.natGateways': 'single',
  'repositories[0].name': 'acme-web',
  'apps[0].name': 'acme',
};

function planOf(answers: ParamsDoc) {
  return planEnvironment(parseParams(renderParams(toParamsDocument(answers), { file: 'envs/x.yaml' }), 'envs/x.yaml'));
}

test('the domain is offered as a stage; the certificate is not a choice of its own', async () => {
  const s = scripted(BASE);
  const result = await runFlow(s.p, context());
  expect(s.offered.stages).toContain('domain');
  expect(s.offered.stages).not.toContain('certificate');
  // Without a domain nothing asks a public address, and the app is HTTP only.
  expect(s.asked).not.toContain('apps[0].publicUri');
  expect(result.answers.apps![0]!.publicUri).toBeUndefined();
});

test('with a domain: its name, then each app is offered <app>.<domain>; the file plans HTTPS', async () => {
  const s = scripted({ ...BASE, stages: ['ecsCluster', 'domain'], 'domain.domainName': 'dev.example.com' });
  const result = await runFlow(s.p, context());
  expect(s.asked).toEqual(expect.arrayContaining(['domain.domainName', 'apps[0].publicUri']));
  expect(s.defaults['apps[0].publicUri']).toBe('acme.dev.example.com');
  expect(result.answers.domain).toEqual({ domainName: 'dev.example.com' });
  expect(result.answers.apps![0]!.publicUri).toBe('acme.dev.example.com');
  const plan = planOf(result.answers);
  expect(plan.map((x) => x.name)).toEqual(expect.arrayContaining(['x-dev-dns-zone', 'x-dev-certificate']));
  const lb = plan.find((x) => x.name === 'x-dev-acme-loadbalancer')!;
  expect(lb.parameters.DomainName).toBe('acme.dev.example.com');
  expect(lb.dependsOn).toContain('x-dev-certificate');
});

test('a public address outside the domain is refused as you type; "none" keeps the app HTTP only', async () => {
  const outside = scripted({
    ...BASE,
    stages: ['ecsCluster', 'domain'],
    'domain.domainName': 'dev.example.com',
    'apps[0].publicUri': 'acme.example.org',
  });
  await expect(runFlow(outside.p, context())).rejects.toThrow(
    /apps\[0\]\.publicUri: "acme\.example\.org" refused: "acme\.example\.org" is not dev\.example\.com or a name one label under it/,
  );
  const none = scripted({
    ...BASE,
    stages: ['ecsCluster', 'domain'],
    'domain.domainName': 'dev.example.com',
    'apps[0].publicUri': 'none',
  });
  const result = await runFlow(none.p, context());
  expect(result.answers.apps![0]!.publicUri).toBeUndefined();
  expect(planOf(result.answers).find((x) => x.name === 'x-dev-acme-loadbalancer')!.parameters.DomainName).toBe('');
});
