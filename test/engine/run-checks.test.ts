/**
 * The checks `deploy` makes between taking its lock and its first change (src/run/gates.ts), on
 * examples/full.yaml with the fake CloudFormation and stand-ins for ECR, IAM, EC2 and Service
 * Quotas: reads that do not depend on each other are all in flight at once. Shown without timing:
 * the answers of a set of reads are held until every one of them has been asked. A check that
 * waited for another's answer before asking would never ask, and the gate would open only on
 * its timeout.
 */
import * as path from 'node:path';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../src/aws/clients';
import { loadParams } from '../../src/params/load';
import { specsOf, type RunContext } from '../../src/run/context';
import { preflight as accountPreflight } from '../../src/deploy/preflight';
import { deployStack } from '../../src/deploy/stack';
import { startPlan, startRunChecks } from '../../src/run/gates';
import { planRun } from '../../src/run/plan';
import { preflight } from '../../src/run/preflight';
import { planEnvironment } from '../../stages/plan';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, timedGate } from './helpers';

const FULL = path.join(__dirname, '..', '..', 'examples', 'full.yaml');

/** Plain answers of the services the fake CloudFormation does not play: a fresh account. */
const ANSWERS: Record<string, unknown> = {
  DescribeImagesCommand: { imageDetails: [{ imageTags: ['initial'] }] },
  ListRolesCommand: { Roles: [] },
  GetServiceQuotaCommand: { Quota: { Value: 5 } },
  DescribeVpcsCommand: { Vpcs: [] },
  DescribeAddressesCommand: { Addresses: [] },
  DescribeNatGatewaysCommand: { NatGateways: [] },
  DescribeRepositoriesCommand: Object.assign(new Error('no such repository'), { name: 'RepositoryNotFoundException' }),
};

let fake: FakeCloudFormation;
let clients: AwsClients;
let asked: string[];

/**
 * Holds the answers of `held` (command names) until each has been asked at least once, or until
 * the timeout (then `timedOut` says so). Every other call is answered at once.
 */
function gate(held: string[]): { timedOut: () => boolean } {
  const answers = timedGate();
  const hold = async (name: string): Promise<void> => {
    asked.push(name);
    if (held.every((h) => asked.includes(h))) answers.open();
    if (held.includes(name)) await answers.opened;
  };
  const cfn = clients.cloudFormation;
  const cfnSend = cfn.send.bind(cfn);
  (cfn as unknown as { send: unknown }).send = async (command: object, ...rest: unknown[]) => {
    await hold(command.constructor.name);
    return (cfnSend as (...a: unknown[]) => unknown)(command, ...rest);
  };
  for (const client of [clients.ecr, clients.iam, clients.ec2, clients.serviceQuotas]) {
    (client as unknown as { send: unknown }).send = async (command: object) => {
      await hold(command.constructor.name);
      const answer = ANSWERS[command.constructor.name];
      if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
      if (answer instanceof Error) throw answer;
      return answer;
    };
  }
  return { timedOut: answers.timedOut };
}

async function context(): Promise<RunContext> {
  const params = loadParams(FULL);
  const all = planEnvironment(params);
  return { file: FULL, params, all, stacks: all, global: { json: true } as RunContext['global'], clients };
}

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
  asked = [];
});

afterEach(() => clients.destroy());

async function settle(ctx: RunContext): Promise<void> {
  const checks = await startRunChecks(ctx);
  await Promise.all([checks.missingImports, checks.shared, checks.images, checks.delegation, checks.account]);
}

it('asks for the image and the stacks at once: no check waits for an earlier check', async () => {
  const g = gate(['DescribeImagesCommand', 'DescribeStacksCommand']);
  await settle(await context());
  expect(g.timedOut()).toBe(false);
  // The roles are listed once the stacks' reads say what the run creates (here: everything).
  expect(asked).toContain('ListRolesCommand');
});

describe('service-linked roles: listed only for what the run adds', () => {
  /** The run's ECS cluster spec, and reads that find it deployed (CREATE_COMPLETE) with `body`. */
  async function clusterDeployedAs(body: (own: string) => string) {
    const cluster = specsOf(await context()).find((s) => s.name === 'x-demo-ecs-cluster')!;
    const stack = { StackName: cluster.name, StackId: `id/${cluster.name}`, StackStatus: 'CREATE_COMPLETE' } as Stack;
    const reads = { stack: async () => stack, template: async () => body(cluster.templateBody) };
    return { cluster, reads };
  }

  it('an existing stack that already has its resources needs no role: no listing, no IAM call', async () => {
    const { cluster, reads } = await clusterDeployedAs((own) => own);
    gate([]);
    const report = await accountPreflight(clients, [cluster], reads);
    expect(asked).not.toContain('ListRolesCommand');
    expect(report.missingRoles).toEqual([]);
  });

  it("an existing stack whose new template adds a service's first resource has its role checked", async () => {
    const { cluster, reads } = await clusterDeployedAs((own) => {
      const doc = JSON.parse(own) as { Resources: Record<string, { Type: string }> };
      // Deployed before it had anything of ECS's: the new template brings the cluster.
      const kept = Object.entries(doc.Resources).filter(([, r]) => !r.Type.startsWith('AWS::ECS::'));
      return JSON.stringify({ ...doc, Resources: Object.fromEntries(kept) });
    });
    gate([]);
    const report = await accountPreflight(clients, [cluster], reads);
    expect(asked).toContain('ListRolesCommand');
    expect(report.missingRoles).toContain('ecs.amazonaws.com');
  });
});

it("reads each quota's limit beside what is in use, and every quota at once", async () => {
  const g = gate([
    'GetServiceQuotaCommand',
    'DescribeVpcsCommand',
    'DescribeAddressesCommand',
    'DescribeNatGatewaysCommand',
  ]);
  const ctx = await context();
  const checks = await startRunChecks(ctx);
  const report = await checks.account;
  expect(g.timedOut()).toBe(false);
  // The fresh account has room for what the run adds: nothing exceeded, every quota counted.
  expect(report.quotas.filter((q) => q.adds > 0).map((q) => [q.name, q.inUse, q.limit, q.exceeded])).toEqual([
    ['Elastic IP addresses per region', 0, 5, false],
    ['VPCs per region', 0, 5, false],
    ['NAT gateways per availability zone', 0, 5, false],
  ]);
  expect(report.missingRoles.length).toBeGreaterThan(0);
});

it('changes nothing: the checks only read', async () => {
  gate([]);
  await settle(await context());
  expect(asked.filter((a) => !/^(Describe|List|Get)/.test(a))).toEqual([]);
});

it('reads a deployed stack and its template once for the unchanged check and the quota count alike', async () => {
  const ctx = await context();
  const network = specsOf(ctx).find((s) => s.name === 'x-demo-network')!;
  // Deployed without its outputs (the fake does not evaluate them all): the template differs, so
  // the check reads it, and the preflight counts the network's Elastic IPs and VPC against it.
  const { Outputs: _outputs, ...bare } = JSON.parse(network.templateBody) as Record<string, unknown>;
  const deployed = { ...network, templateBody: JSON.stringify(bare), dependsOn: [] };
  expect((await deployStack(clients, deployed, { poll: FAST })).kind).toBe('created');
  const mark = fake.calls.length;
  gate([]);

  await settle(ctx);

  const after = fake.calls.slice(mark);
  expect(after.filter((c) => c.action === 'GetTemplate').map((c) => c.params.StackName)).toEqual(['x-demo-network']);
  expect(after.filter((c) => c.action === 'DescribeStacks' && c.params.StackName === 'x-demo-network')).toEqual([]);
});

it("plan looks up the services' images beside the stacks' plans, not after them", async () => {
  const g = gate(['DescribeImagesCommand', 'DescribeStacksCommand']);
  const env = await planRun(await context());
  expect(g.timedOut()).toBe(false);
  expect(env.images).toEqual([]);
  expect(env.plans.every((p) => p.kind === 'changes' && p.plan.type === 'create')).toBe(true);
});

describe("deploy's plan beside the checks (startPlan)", () => {
  /** The network deployed without its outputs: planning the full template is an update, through a change set. */
  async function networkToUpdate(ctx: RunContext): Promise<void> {
    const network = specsOf(ctx).find((s) => s.name === 'x-demo-network')!;
    const { Outputs: _outputs, ...bare } = JSON.parse(network.templateBody) as Record<string, unknown>;
    const deployed = { ...network, templateBody: JSON.stringify(bare), dependsOn: [] };
    expect((await deployStack(clients, deployed, { poll: FAST })).kind).toBe('created');
  }

  /** The full example with its network to update, the run's checks started; `mark`: the calls before the plan. */
  async function checksStarted() {
    const ctx = await context();
    await networkToUpdate(ctx);
    gate([]);
    const checks = await startRunChecks(ctx);
    return { ctx, checks, mark: fake.calls.length };
  }

  it('plans while the checks read, and makes no change set for a run they refuse', async () => {
    const { ctx, checks, mark } = await checksStarted();
    // The network's plan reaches the point where it would create its change set; the run is
    // refused there.
    let reached!: () => void;
    const atChangeSet = new Promise<void>((resolve) => (reached = resolve));
    const planning = preflight(ctx, specsOf(ctx), checks.unchanged, () => {
      reached();
      return Promise.reject(new Error('refused by a check'));
    });

    await atChangeSet;
    await expect(planning).rejects.toThrow('refused by a check');
    // Its reads went out (the new stacks' adoption checks among them), its change set did not.
    expect(asked).toContain('DescribeRepositoriesCommand');
    expect(fake.calls.slice(mark).map((c) => c.action)).not.toContain('CreateChangeSet');
  });

  it('stopped, the plan under way makes no change set', async () => {
    const { ctx, checks, mark } = await checksStarted();

    const plan = startPlan(ctx, checks.unchanged);
    await plan.stop(new Error('an image is missing'));

    await expect(plan.moves).rejects.toThrow('an image is missing');
    expect(fake.calls.slice(mark).map((c) => c.action)).not.toContain('CreateChangeSet');
  });

  it('makes the change set it needs once the checks have passed', async () => {
    const { ctx, checks, mark } = await checksStarted();

    const plan = startPlan(ctx, checks.unchanged);
    plan.allow();
    const moves = await plan.moves;

    expect(moves.detach).toEqual([]);
    const made = fake.calls.slice(mark).filter((c) => c.action === 'CreateChangeSet');
    expect(made.map((c) => c.params.StackName)).toEqual(['x-demo-network']);
    // The run's check read the deployed template; the plan took its answer instead of reading again.
    const byName = fake.calls
      .slice(mark)
      .filter((c) => c.action === 'GetTemplate' && c.params.StackName === 'x-demo-network');
    expect(byName).toHaveLength(1);
    // Kept for the deploy, which executes it rather than making the same one again (deploy/planned.ts).
    expect(moves.changeSets.size).toBe(1);
    expect(fake.stack('x-demo-network')?.changeSets.size).toBe(1);
    await moves.changeSets.discardAll();
    expect(fake.stack('x-demo-network')?.changeSets.size).toBe(0);
  });
});
