/**
 * The deploy executes the change set its plan made (src/deploy/planned.ts) instead of making the
 * same one again, but only while it still stands for that update: the same stack, not changed
 * since, and the same spec; and the run's plan keeps it only when nothing the stack depends on
 * changes in the run (src/run/preflight.ts). Against the fake CloudFormation: real SDK clients.
 */
import type { AwsClients } from '../../src/aws/clients';
import { PlannedChangeSets } from '../../src/deploy/planned';
import { deployStack, planStack } from '../../src/deploy/stack';
import type { StackSpec } from '../../src/deploy/types';
import type { RunContext } from '../../src/run/context';
import { preflight } from '../../src/run/preflight';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, Recorder, fakeClients, queues, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

const producer = spec('x-dev-queues', {
  resources: queues(),
  outputs: { OrdersQueue: { Value: { Ref: 'Orders' }, Export: { Name: 'x-dev-OrdersQueue' } } },
});
const consumer = spec(
  'x-dev-consumer',
  {
    resources: {
      Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { 'Fn::ImportValue': 'x-dev-OrdersQueue' } } },
    },
  },
  { dependsOn: ['x-dev-queues'] },
);

/** The same stack with one more resource: an update with one Add. */
function grown(s: StackSpec, extra = 'Extra'): StackSpec {
  const body = JSON.parse(s.templateBody) as { Resources: Record<string, unknown> };
  body.Resources[extra] = { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${s.name}-${extra.toLowerCase()}` } };
  return { ...s, templateBody: JSON.stringify(body) };
}

const actions = (from: number, name: string) =>
  fake.calls
    .slice(from)
    .filter((c) => c.params.StackName === name || String(c.params.StackName).includes(`/${name}/`))
    .map((c) => c.action);

/** Plans `s` as deploy's plan does (keeping its change set) and returns the run's kept change sets. */
async function planKept(s: StackSpec): Promise<PlannedChangeSets> {
  const planned = new PlannedChangeSets(clients.cloudFormation);
  const plan = await planStack(clients, s, { poll: FAST, keep: true });
  if (plan.kind === 'changes' && plan.held) planned.add(s.name, plan.held);
  return planned;
}

describe('an update executes the change set its plan made', () => {
  it('makes one change set, not two, and the update goes through', async () => {
    await deployStack(clients, producer, { poll: FAST });
    const next = grown(producer);
    const mark = fake.calls.length;
    const planned = await planKept(next);
    expect(planned.size).toBe(1);
    const rec = new Recorder();

    const result = await deployStack(clients, next, { poll: FAST, changeSets: planned, events: rec.fn });

    expect(result.kind).toBe('updated');
    const made = actions(mark, producer.name);
    expect(made.filter((a) => a === 'CreateChangeSet')).toHaveLength(1);
    expect(made).not.toContain('DeleteChangeSet');
    expect(made.filter((a) => a === 'ExecuteChangeSet')).toHaveLength(1);
    expect(rec.steps()).toContain('planned-change-set');
    expect(rec.steps()).not.toContain('creating-change-set');
    expect(fake.stack(producer.name)?.resources.has('Extra')).toBe(true);
    expect(planned.size).toBe(0);
  });

  it('makes its own when the stack changed after the plan (an update from outside)', async () => {
    await deployStack(clients, producer, { poll: FAST });
    const next = grown(producer);
    const planned = await planKept(next);
    // Someone else updates the stack between the plan and the deploy.
    await deployStack(clients, grown(producer, 'Outside'), { poll: FAST });
    const mark = fake.calls.length;

    const result = await deployStack(clients, next, { poll: FAST, changeSets: planned });

    expect(result.kind).toBe('updated');
    const made = actions(mark, producer.name);
    expect(made).toContain('CreateChangeSet'); // a fresh one, computed on the stack as it is now
    expect(fake.stack(producer.name)?.resources.has('Extra')).toBe(true);
    expect(fake.stack(producer.name)?.resources.has('Outside')).toBe(false);
    expect(fake.stack(producer.name)?.changeSets.size).toBe(0);
  });

  it('makes its own when the spec is not the one planned (a pass that deploys another template first)', async () => {
    await deployStack(clients, producer, { poll: FAST });
    const planned = await planKept(grown(producer));
    const other = grown(producer, 'Other');
    const rec = new Recorder();

    const result = await deployStack(clients, other, { poll: FAST, changeSets: planned, events: rec.fn });

    expect(result.kind).toBe('updated');
    expect(rec.steps()).toContain('creating-change-set');
    expect(fake.stack(producer.name)?.resources.has('Other')).toBe(true);
    expect(fake.stack(producer.name)?.resources.has('Extra')).toBe(false);
    expect(fake.stack(producer.name)?.changeSets.size).toBe(0);
  });

  it('deletes the kept change set when the update is declined', async () => {
    await deployStack(clients, producer, { poll: FAST });
    const next = grown(producer);
    const planned = await planKept(next);

    const result = await deployStack(clients, next, { poll: FAST, changeSets: planned, confirm: async () => false });

    expect(result.kind).toBe('declined');
    expect(fake.stack(producer.name)?.changeSets.size).toBe(0);
    expect(fake.stack(producer.name)?.resources.has('Extra')).toBe(false);
  });

  it('what the run did not use is deleted at its end', async () => {
    await deployStack(clients, producer, { poll: FAST });
    const planned = await planKept(grown(producer));
    expect(fake.stack(producer.name)?.changeSets.size).toBe(1);
    await planned.discardAll();
    expect(fake.stack(producer.name)?.changeSets.size).toBe(0);
  });
});

describe("the run's plan keeps a change set only when nothing the stack depends on changes", () => {
  /** Just what preflight reads of a run's context for stacks that plan cleanly. */
  const ctx = (): RunContext =>
    ({ file: 'env.yaml', stacks: [], all: [], clients, global: { json: true } }) as unknown as RunContext;

  beforeEach(async () => {
    await deployStack(clients, producer, { poll: FAST });
    await deployStack(clients, consumer, { poll: FAST });
  });

  it('keeps the change set of a stack whose dependencies are unchanged', async () => {
    const moves = await preflight(ctx(), [producer, grown(consumer)]);
    expect(moves.changeSets.nameFor(consumer.name)).toBeDefined();
    expect(fake.stack(consumer.name)?.changeSets.size).toBe(1);
    await moves.changeSets.discardAll();
  });

  it("drops a dependant's change set when its dependency changes in the same run", async () => {
    const moves = await preflight(ctx(), [grown(producer), grown(consumer)]);
    expect(moves.changeSets.nameFor(producer.name)).toBeDefined();
    expect(moves.changeSets.nameFor(consumer.name)).toBeUndefined();
    expect(fake.stack(consumer.name)?.changeSets.size).toBe(0); // deleted now, not left behind
    await moves.changeSets.discardAll();
    expect(fake.stack(producer.name)?.changeSets.size).toBe(0);
  });

  it('leaves no change set behind when another stack cannot be planned', async () => {
    const other = spec('x-dev-other', { resources: { Solo: { Type: 'AWS::SNS::Topic' } } });
    await deployStack(clients, other, { poll: FAST });
    const cfn = clients.cloudFormation;
    const send = cfn.send.bind(cfn) as (...a: unknown[]) => Promise<unknown>;
    (cfn as unknown as { send: unknown }).send = async (command: object, ...rest: unknown[]) => {
      const input = (command as { input?: { StackName?: string } }).input;
      if (command.constructor.name === 'CreateChangeSetCommand' && input?.StackName === other.name)
        throw Object.assign(new Error('not authorized to perform: cloudformation:CreateChangeSet'), {
          name: 'AccessDenied',
        });
      return send(command, ...rest);
    };

    await expect(preflight(ctx(), [grown(other), grown(consumer)])).rejects.toThrow('not authorized');

    // The consumer's change set, computed while the other stack's plan failed, is gone too, also
    // once anything still under way would have ended (the fake answers at once).
    expect(fake.stack(consumer.name)?.changeSets.size).toBe(0);
    const calls = fake.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls.length).toBe(calls);
    expect(fake.stack(consumer.name)?.changeSets.size).toBe(0);
  });
});
