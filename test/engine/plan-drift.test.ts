/**
 * `deploy --plan`: a change set whose changes are not the planned ones is deleted, not executed,
 * and the stack's deploy ends with the error (src/deploy/stack.ts, DeployOptions.matches), both
 * for a change set the deploy makes and for one its plan kept. Against the fake CloudFormation;
 * test/e2e/plan-file.test.ts shows one case end to end (an SSM-typed parameter's value moved).
 */
import type { AwsClients } from '../../src/aws/clients';
import { PlanDriftError, PlannedChangeSets } from '../../src/deploy/planned';
import { deployStack, planStack } from '../../src/deploy/stack';
import type { ChangeSummary, StackSpec } from '../../src/deploy/types';
import { changesDiffer, type PlannedStackEntry } from '../../src/run/plan-file';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, queues, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

const base = spec('x-dev-queues', { resources: queues() });

/** The same stack with one more queue: an update with one Add. */
function grown(s: StackSpec, extra: string): StackSpec {
  const body = JSON.parse(s.templateBody) as { Resources: Record<string, unknown> };
  body.Resources[extra] = { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${s.name}-${extra.toLowerCase()}` } };
  return { ...s, templateBody: JSON.stringify(body) };
}

/** A plan file's entry for a stack planned with one Add of `logicalId`. */
const plannedAdd = (logicalId: string): PlannedStackEntry['plan'] => ({
  kind: 'changes',
  type: 'update',
  changes: [{ action: 'Add', logicalId, resourceType: 'AWS::SQS::Queue', replacement: 'never' }],
});

const matcher = (planned: PlannedStackEntry['plan']) => (actual: ChangeSummary) => {
  const difference = changesDiffer(planned, actual);
  return difference ? new PlanDriftError(base.name, difference, 'plan.json') : undefined;
};

const pendingChangeSets = () => [...(fake.stack(base.name)?.changeSets.values() ?? [])];

it('executes a change set whose changes are the planned ones', async () => {
  await deployStack(clients, base, { poll: FAST });
  const result = await deployStack(clients, grown(base, 'Extra'), {
    poll: FAST,
    matches: matcher(plannedAdd('Extra')),
  });
  expect(result.kind).toBe('updated');
  expect(fake.stack(base.name)?.resources.has('Extra')).toBe(true);
});

it('deletes, not executes, a change set the deploy made whose changes differ, and throws PlanDrift naming both', async () => {
  await deployStack(clients, base, { poll: FAST });
  const executed = () => fake.calls.filter((c) => c.action === 'ExecuteChangeSet').length;
  const before = executed();

  const deploying = deployStack(clients, grown(base, 'Other'), { poll: FAST, matches: matcher(plannedAdd('Extra')) });

  await expect(deploying).rejects.toThrow(PlanDriftError);
  await expect(deploying).rejects.toMatchObject({
    code: 'PlanDrift',
    stackName: base.name,
    difference: '+ Add Other AWS::SQS::Queue; - Add Extra AWS::SQS::Queue',
  });
  expect(executed()).toBe(before);
  expect(fake.stack(base.name)?.resources.has('Other')).toBe(false);
  expect(pendingChangeSets()).toEqual([]);
});

it('deletes, not executes, a change set the plan kept whose changes differ', async () => {
  await deployStack(clients, base, { poll: FAST });
  const next = grown(base, 'Other');
  const kept = new PlannedChangeSets(clients.cloudFormation);
  const plan = await planStack(clients, next, { poll: FAST, keep: true });
  if (plan.kind === 'changes' && plan.held) kept.add(next.name, plan.held);
  expect(kept.size).toBe(1);

  const deploying = deployStack(clients, next, { poll: FAST, changeSets: kept, matches: matcher(plannedAdd('Extra')) });

  await expect(deploying).rejects.toThrow(/x-dev-queues: its changes are no longer those of the plan in plan\.json/);
  expect(fake.calls.filter((c) => c.action === 'ExecuteChangeSet')).toHaveLength(1); // the first deploy's
  expect(pendingChangeSets()).toEqual([]);
});
