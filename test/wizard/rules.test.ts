/**
 * The wizard follows the templates' Rules as the user answers: once cpu is chosen, only the memory
 * sizes the template's Fargate rule allows are offered (memory 8192 with cpu 256 cannot be picked),
 * and a maximum typed below its minimum is refused. Driven through the injected Prompter.
 */
import { brokenRules } from '../../stages/check';
import { publishedTemplate, stages } from '../../stages/catalogue';
import { runFlow, type FlowContext, type Prompter } from '../../src/wizard/flow';

/** Answers by question id (Enter for the rest); records each select's choices and default. */
function scripted(answers: Record<string, string>) {
  const offered: Record<string, { choices: string[]; default?: string }> = {};
  const refusals: Record<string, string> = {};
  const p: Prompter = {
    async input(q) {
      const value = answers[q.id] ?? q.default ?? '';
      const problem = q.validate?.(value);
      if (problem) {
        refusals[q.id] = problem;
        throw new Error(`${q.id}: "${value}" refused: ${problem}`);
      }
      return value;
    },
    confirm: async (q) => (q.id in answers ? answers[q.id] === 'yes' : q.default),
    async select(q) {
      offered[q.id] = {
        choices: q.choices.map((c) => c.value),
        ...(q.default !== undefined ? { default: q.default } : {}),
      };
      const value = answers[q.id] ?? q.default ?? q.choices[0]!.value;
      if (!q.choices.some((c) => c.value === value))
        throw new Error(`${q.id}: "${value}" is not a choice (${q.choices.map((c) => c.value).join(', ')})`);
      return value as never;
    },
    checkbox: async (q) => q.choices.filter((c) => c.checked && !c.disabled).map((c) => c.value) as never[],
    note: () => undefined,
  };
  return { p, offered, refusals };
}

const context: FlowContext = {
  env: { AWS_REGION: 'us-east-1' },
  savedFiles: [],
  load: (file) => {
    throw new Error(`unexpected load of ${file}`);
  },
  findExisting: async () => undefined,
  exists: () => false,
};

const BASE = { contactEmail: 'ops@example.com', 'repositories[0].name': 'acme-web', 'apps[0].name': 'acme' };
const service = publishedTemplate(stages.service).template;
/** The memory sizes the template's own Rules allow on Fargate with a cpu, computed from the rules. */
const allowedMemory = (cpu: string, all: string[]) =>
  all.filter(
    (m) => brokenRules(service, { LaunchType: 'FARGATE', Cpu: cpu, Memory: m, RepositoryName: 'x' }).length === 0,
  );

test('memory 8192 cannot be chosen with cpu 256: the choices follow the template rule', async () => {
  const s = scripted({ ...BASE, 'apps[0].service.cpu': '256', 'apps[0].service.memory': '8192' });
  await expect(runFlow(s.p, context)).rejects.toThrow(
    /apps\[0\]\.service\.memory: "8192" is not a choice \(512, 1024, 2048\)/,
  );
});

test.each(['256', '1024', '4096'])(
  'with cpu %s the memory question offers exactly what the rule allows',
  async (cpu) => {
    const s = scripted({ ...BASE, 'apps[0].service.cpu': cpu });
    await runFlow(s.p, context);
    const memory = s.offered['apps[0].service.memory']!;
    const all = (service.Parameters as Record<string, { AllowedValues: string[] }>).Memory.AllowedValues;
    expect(memory.choices).toEqual(allowedMemory(cpu, all));
    expect(memory.choices).not.toHaveLength(all.length);
    // The default moves to an allowed size when the template default (512) does not fit.
    expect(memory.choices).toContain(memory.default);
    // cpu itself is not narrowed by a memory not yet asked.
    expect(s.offered['apps[0].service.cpu']!.choices).toHaveLength(7);
  },
);

test('a maximum typed below the minimum is refused as it is typed', async () => {
  const s = scripted({ ...BASE, 'apps[0].service.minContainers': '4', 'apps[0].service.maxContainers': '2' });
  await expect(runFlow(s.p, context)).rejects.toThrow(
    /maxContainers: "2" refused: must be at least minContainers \(4\)/,
  );
});

test('a region that does not exist is refused as it is typed, with the nearest real one', async () => {
  const s = scripted({ ...BASE, region: 'us-east-9' });
  await expect(runFlow(s.p, context)).rejects.toThrow(
    /region: "us-east-9" refused: "us-east-9" is not an AWS region \(did you mean "us-east-1"\?\)/,
  );
});

test('subnets typed in the advanced settings must lie inside the VPC typed before them', async () => {
  const advanced = { ...BASE, 'network.advanced': 'yes', 'network.vpcCidr': '10.8.0.0/16' };
  await expect(runFlow(scripted(advanced).p, context)).rejects.toThrow(
    /network\.publicSubnetCidrs: "10\.0\.0\.0\/22,10\.0\.4\.0\/22,10\.0\.8\.0\/22" refused: 10\.0\.0\.0\/22 is not inside vpcCidr 10\.8\.0\.0\/16/,
  );
  await expect(runFlow(scripted({ ...advanced, 'network.vpcCidr': '10.300.0.0/16' }).p, context)).rejects.toThrow(
    /network\.vpcCidr: "10\.300\.0\.0\/16" refused: .*300 is not an address octet/,
  );
  const inside = {
    ...advanced,
    'network.publicSubnetCidrs': '10.8.0.0/22,10.8.4.0/22',
    'network.privateSubnetCidrs': '10.8.32.0/19,10.8.64.0/19',
    'network.dataSubnetCidrs': '10.8.16.0/22,10.8.20.0/22',
  };
  await expect(
    runFlow(scripted({ ...inside, 'network.dataSubnetCidrs': '10.8.0.0/22,10.8.20.0/22' }).p, context),
  ).rejects.toThrow(/dataSubnetCidrs: .* refused: 10\.8\.0\.0\/22 overlaps 10\.8\.0\.0\/22 \(publicSubnetCidrs\)/);
  await expect(runFlow(scripted(inside).p, context)).resolves.toBeDefined();
});
