/**
 * CloudFormation's rate limits (issue 17, row 12), against the fake CloudFormation: the stacks of
 * one run share one status read per poll round (not one DescribeStacks per stack), throttled
 * reads slow the run down instead of failing it, and the clients use the SDK's adaptive retry.
 */
import type { AwsClients } from '../../src/aws/clients';
import { deployStack } from '../../src/deploy/stack';
import { StatusBoard } from '../../src/deploy/status-board';
import type { StackSpec } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, queues, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

// Six resources each: the creates take several rounds of the fake's time (one tick per request).
const stacks: StackSpec[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) =>
  spec(`x-dev-${n}`, {
    resources: {
      ...queues({ Orders: `orders-${n}`, Payments: `payments-${n}` }),
      Refunds: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `refunds-${n}` } },
      Invoices: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `invoices-${n}` } },
      Audit: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: `audit-${n}` } },
    },
  }),
);

/** DescribeStacks calls made while the stacks' change sets execute (the watching), split by kind. */
function describesWhileWatching(): { listings: number; single: number } {
  const firstExecute = fake.calls.findIndex((c) => c.action === 'ExecuteChangeSet');
  const watching = fake.calls.slice(firstExecute).filter((c) => c.action === 'DescribeStacks');
  const listings = watching.filter((c) => c.params.StackName === undefined).length;
  return { listings, single: watching.length - listings };
}

it('reads the status of every watched stack with one call per round, not one per stack', async () => {
  const board = new StatusBoard(clients.cloudFormation, FAST);
  const results = await Promise.all(stacks.map((s) => deployStack(clients, s, { poll: FAST, board })));

  expect(results.map((r) => r.kind)).toEqual(stacks.map(() => 'created'));
  const { listings, single } = describesWhileWatching();
  // Each round is one listing (or one single read when only one stack is left waiting); the
  // only other reads are each deploy's own "stack before execute" look, one per stack.
  expect(board.rounds).toBeGreaterThanOrEqual(2);
  expect(listings + single).toBeLessThanOrEqual(board.rounds + stacks.length);
  expect(listings).toBeGreaterThan(0);
});

it('without a shared board the same deploys read once per stack per round (the rate the board avoids)', async () => {
  await Promise.all(stacks.map((s) => deployStack(clients, s, { poll: FAST })));
  const unshared = describesWhileWatching();
  expect(unshared.listings).toBe(0);

  const fake2 = new FakeCloudFormation();
  const clients2 = fakeClients(fake2);
  try {
    const board = new StatusBoard(clients2.cloudFormation, FAST);
    await Promise.all(stacks.map((s) => deployStack(clients2, s, { poll: FAST, board })));
    const shared = fake2.callsOf('DescribeStacks').length;
    expect(shared).toBeLessThan(fake.callsOf('DescribeStacks').length);
  } finally {
    clients2.destroy();
  }
});

it('answers throttled status and event reads by slowing down, and still finishes', async () => {
  // No SDK retries at all (and no adaptive send-rate limit): the board itself must absorb it.
  clients.destroy();
  clients = fakeClients(fake, { maxAttempts: 1, retryMode: 'standard' });
  const board = new StatusBoard(clients.cloudFormation, { initialMs: 1, maxMs: 40, factor: 2 });
  const delays: number[] = [];
  const results = await Promise.all(
    stacks.slice(0, 3).map((s) =>
      deployStack(clients, s, {
        board,
        events: (e) => {
          if (e.type === 'step' && e.step === 'executing' && s === stacks[0]) {
            fake.throttle('DescribeStacks', 3);
            fake.throttle('DescribeStackEvents', 2);
          }
          if (e.type === 'resource') delays.push(board.currentMs);
        },
      }),
    ),
  );

  expect(results.map((r) => r.kind)).toEqual(['created', 'created', 'created']);
  expect(fake.calls.filter((c) => c.action === 'DescribeStacks').length).toBeGreaterThan(3);
  expect(board.throttledRounds).toBeGreaterThanOrEqual(1);
  // After throttling the board went to its slowest pace before speeding up again on progress.
  expect(Math.max(...delays)).toBe(40);
});

it('builds clients with the SDK adaptive retry mode (a send rate that drops after throttling)', async () => {
  const strategy = (c: AwsClients) =>
    (c.cloudFormation.config as unknown as { retryStrategy: () => Promise<{ mode: string }> }).retryStrategy();
  expect((await strategy(clients)).mode).toBe('adaptive');
  const standard = fakeClients(fake, { retryMode: 'standard' });
  try {
    expect((await strategy(standard)).mode).toBe('standard');
  } finally {
    standard.destroy();
  }
});

it('a watcher that is interrupted leaves the round without a read for it', async () => {
  const board = new StatusBoard(clients.cloudFormation, { initialMs: 50 });
  const ctrl = new AbortController();
  const waiting = board.next('x-dev-a', ctrl.signal);
  ctrl.abort();
  await expect(waiting).rejects.toThrow('interrupted');
  await new Promise((r) => setTimeout(r, 80));
  expect(fake.callsOf('DescribeStacks')).toHaveLength(0);
  expect(board.rounds).toBe(0);
});

it('falls back to one read per stack when the role may not list stacks (DescribeStacks scoped to its own)', async () => {
  // A least-privilege deploy role: cloudformation:DescribeStacks on stack/x-dev-* only, so a
  // listing (no StackName) is AccessDenied while reads by name work.
  let refused = 0;
  clients.cloudFormation.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { StackName?: string };
      if (context.commandName === 'DescribeStacksCommand' && !input.StackName) {
        refused += 1;
        throw Object.assign(
          new Error('User is not authorized to perform: cloudformation:DescribeStacks on resource: *'),
          { name: 'AccessDenied' },
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'scopedRole' },
  );
  const board = new StatusBoard(clients.cloudFormation, FAST);
  const results = await Promise.all(stacks.slice(0, 3).map((s) => deployStack(clients, s, { poll: FAST, board })));

  expect(results.map((r) => r.kind)).toEqual(['created', 'created', 'created']);
  // Tried once, refused, never again: the rounds went on with reads by name.
  expect(refused).toBe(1);
  expect(fake.callsOf('DescribeStacks').length).toBeGreaterThan(3);
});

it('a throttled change set read slows down and goes on, even with no SDK retries left', async () => {
  clients.destroy();
  clients = fakeClients(fake, { maxAttempts: 1, retryMode: 'standard' });
  fake.throttle('DescribeChangeSet', 3);
  const result = await deployStack(clients, stacks[0]!, { poll: FAST });
  expect(result.kind).toBe('created');
  // Three throttled reads answered, then the change set was read until computed.
  expect(fake.callsOf('DescribeChangeSet').length).toBeGreaterThan(3);
});
