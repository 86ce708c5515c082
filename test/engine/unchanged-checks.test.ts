/**
 * The run's unchanged checks (src/deploy/unchanged.ts) against the fake CloudFormation: every
 * stack is checked once, at the start, and deploy's preflight plan and the deploy both take that
 * answer; a stack the run changes, or a spec that differs, is checked anew.
 */
import type { AwsClients } from '../../src/aws/clients';
import { deployStack, planStack } from '../../src/deploy/stack';
import type { StackSpec } from '../../src/deploy/types';
import { UnchangedChecks } from '../../src/deploy/unchanged';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, queues, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

const stacks: StackSpec[] = ['a', 'b', 'c'].map((n) =>
  spec(`x-dev-${n}`, { resources: queues({ Orders: `orders-${n}` }) }, { dependsOn: n === 'a' ? [] : ['x-dev-a'] }),
);

async function deployed(): Promise<number> {
  for (const s of stacks) expect((await deployStack(clients, s, { poll: FAST })).kind).toBe('created');
  return fake.calls.length;
}

it('checks each stack once; the preflight plan and the deploy take that answer, without a change set', async () => {
  const mark = await deployed();
  const checks = new UnchangedChecks(clients, stacks).start();

  const plans = await Promise.all(stacks.map((s) => planStack(clients, s, { unchanged: checks })));
  const results = await Promise.all(stacks.map((s) => deployStack(clients, s, { poll: FAST, unchanged: checks })));

  expect(plans.map((p) => p.kind)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  expect(results.map((r) => r.kind)).toEqual(['skipped-unchanged', 'skipped-unchanged', 'skipped-unchanged']);
  const after = fake.calls.slice(mark);
  expect(after.filter((c) => c.action === 'GetTemplate')).toHaveLength(3);
  // One status round for the three: a single DescribeStacks listing.
  expect(after.filter((c) => c.action === 'DescribeStacks').map((c) => c.params.StackName)).toEqual([undefined]);
  expect(after.filter((c) => c.action === 'CreateChangeSet')).toEqual([]);
});

it('checks a spec that differs from the one checked anew, and goes through a change set', async () => {
  await deployed();
  const checks = new UnchangedChecks(clients, stacks).start();
  const changed = { ...stacks[1]!, tags: { ...stacks[1]!.tags, Team: 'payments' } };

  expect((await deployStack(clients, changed, { poll: FAST, unchanged: checks })).kind).toBe('updated');
  // The stack changed under the run's checks: asked again for the original spec, it is checked afresh.
  expect((await deployStack(clients, stacks[1]!, { poll: FAST, unchanged: checks })).kind).toBe('updated');
});

it("starts every stack's check at once: no check waits for another stack's answer", async () => {
  await deployed();
  // GetTemplate answers are held until all three have been asked. A check that waited for its
  // dependency's answer (b and c depend on a) would never ask, and the gate would open only on
  // its timeout.
  const cfn = clients.cloudFormation;
  const send = cfn.send.bind(cfn);
  let asked = 0;
  let byTimeout = false;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(() => ((byTimeout = true), open()), 5_000);
  (cfn as any).send = async (command: any, ...rest: any[]) => {
    if (command.constructor.name === 'GetTemplateCommand') {
      if (++asked === stacks.length) open();
      await gate;
    }
    return (send as any)(command, ...rest);
  };
  try {
    const checks = new UnchangedChecks(clients, stacks).start();
    const plans = await Promise.all(stacks.map((s) => planStack(clients, s, { unchanged: checks })));
    expect(plans.map((p) => p.kind)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  } finally {
    clearTimeout(timer);
  }
  expect({ asked, byTimeout }).toEqual({ asked: 3, byTimeout: false });
});
