/**
 * Executing a change set and following the stack (execute in src/deploy/stack.ts, watchStack in
 * src/deploy/events.ts), against the fake CloudFormation, shown without timing by holding answers:
 * - with nothing to confirm, the reads executing needs first go out while the change set is
 *   computed; with a confirmation, none before it;
 * - the first status round and the events are read at the same time, and the events reported are
 *   still complete when that events read came back before the operation ended.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../src/aws/clients';
import { deployStack } from '../../src/deploy/stack';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, queues, Recorder, spec, timedGate } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

type Send = (command: object, ...rest: unknown[]) => Promise<unknown>;

/** Wraps the CloudFormation client's send: `around` sees each command's name before it goes out. */
function intercept(around: (name: string, go: () => Promise<unknown>) => Promise<unknown>): void {
  const cfn = clients.cloudFormation as unknown as { send: Send };
  const send = cfn.send.bind(cfn);
  cfn.send = (command, ...rest) => around(command.constructor.name, () => send(command, ...rest));
}

it("reads the first round's status and the events at once after executing", async () => {
  // After ExecuteChangeSet, the status read is held until the events have been asked for too. A
  // watch that read the events only after the status answered would wait for the timeout.
  let executed = false;
  let eventsAsked = false;
  const gate = timedGate();
  intercept(async (name, go) => {
    if (name === 'ExecuteChangeSetCommand') executed = true;
    else if (executed && name === 'DescribeStackEventsCommand' && !eventsAsked) {
      eventsAsked = true;
      gate.open();
    } else if (executed && name === 'DescribeStacksCommand') await gate.opened;
    return go();
  });

  const result = await deployStack(clients, spec('x-dev-a', { resources: queues() }), { poll: FAST });

  expect(result.kind).toBe('created');
  expect(gate.timedOut()).toBe(false);
});

it('reads the events again when the status settled after they were read: every resource event is reported', async () => {
  // The first events read after executing is answered, then time passes (a request of the
  // test's own: each request is a tick of the fake's time), and only then is the status read
  // sent: it sees the stack complete while those events stop short of its end.
  let executed = false;
  let eventsBack: Promise<unknown> | undefined;
  let delayed = false;
  const cfn = clients.cloudFormation;
  const raw = cfn.send.bind(cfn) as unknown as Send;
  intercept(async (name, go) => {
    if (name === 'ExecuteChangeSetCommand') executed = true;
    if (executed && name === 'DescribeStackEventsCommand' && !eventsBack) return (eventsBack = go());
    if (executed && name === 'DescribeStacksCommand' && eventsBack && !delayed) {
      delayed = true;
      await eventsBack;
      await raw(new DescribeStacksCommand({ StackName: 'x-dev-a' }));
    }
    return go();
  });
  const rec = new Recorder();

  const result = await deployStack(
    clients,
    spec('x-dev-a', { resources: { Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders' } } } }),
    { poll: FAST, events: rec.fn },
  );

  expect(result.kind).toBe('created');
  const completed = rec
    .resources()
    .filter((r) => r.status === 'CREATE_COMPLETE')
    .map((r) => r.logicalId)
    .sort();
  expect(completed).toEqual(['Orders']);
  const stackEvents = rec.all.flatMap((e) => (e.type === 'resource' && e.event.isStack ? [e.event.status] : []));
  expect(stackEvents.at(-1)).toBe('CREATE_COMPLETE');
});

it('takes the events marker and the stack before executing while the change set is computed', async () => {
  // Change set reads are held until the marker has been asked for. An engine that took it only
  // after the change set was ready would wait for the timeout.
  let markerAsked = false;
  const gate = timedGate();
  intercept(async (name, go) => {
    if (name === 'DescribeStackEventsCommand' && !markerAsked) {
      markerAsked = true;
      gate.open();
    } else if (name === 'DescribeChangeSetCommand') await gate.opened;
    return go();
  });

  const result = await deployStack(clients, spec('x-dev-a', { resources: queues() }), { poll: FAST });

  expect(result.kind).toBe('created');
  expect(gate.timedOut()).toBe(false);
});

it('reads nothing for executing before the change is confirmed, and when it is declined only what removing the new stack takes', async () => {
  const order: string[] = [];
  intercept(async (name, go) => {
    order.push(name.replace(/Command$/, ''));
    return go();
  });

  const declined = await deployStack(clients, spec('x-dev-a', { resources: queues() }), {
    poll: FAST,
    confirm: async () => (order.push('(confirm)'), false),
  });

  expect(declined.kind).toBe('declined');
  expect(order.slice(order.indexOf('CreateChangeSet'))).toEqual([
    'CreateChangeSet',
    ...order.filter((a) => a === 'DescribeChangeSet'),
    '(confirm)',
    // The change set, then its stack once it is seen to be still under review with no other change set.
    'DeleteChangeSet',
    'DescribeStacks',
    'ListChangeSets',
    'DeleteStack',
  ]);
});
