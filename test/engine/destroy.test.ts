/**
 * destroyStacks against the fake CloudFormation: refuses while imported from outside the set,
 * deletes dependents first, reports what CloudFormation keeps, respects termination protection.
 */
import type { AwsClients } from '../../src/aws/clients';
import { destroyStacks } from '../../src/deploy/destroy';
import { reverseOrder } from '../../src/deploy/graph';
import { deployStack } from '../../src/deploy/stack';
import { ExportInUseError, TerminationProtectedError, type StackSpec } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, Recorder, fakeClients, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

const network = spec('x-dev-network', {
  resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    FlowLogs: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: '/x-dev/flow-logs' },
      DeletionPolicy: 'Retain',
    },
  },
  outputs: { VpcId: { Value: { Ref: 'Vpc' }, Export: { Name: 'x-dev-VpcId' } } },
});
const lb = spec(
  'x-dev-web-lb',
  {
    resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'x-dev-VpcId' } } } },
  },
  { dependsOn: ['x-dev-network'] },
);

async function deployAll(specs: StackSpec[]): Promise<void> {
  for (const s of specs) expect((await deployStack(clients, s, { poll: FAST })).kind).toBe('created');
}

beforeEach(async () => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
  await deployAll([network, lb]);
});

afterEach(() => clients.destroy());

it('refuses, before deleting anything, while a stack outside the set imports an export', async () => {
  const err = await destroyStacks(clients, [network], { poll: FAST }).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(ExportInUseError);
  expect((err as ExportInUseError).imports).toEqual([{ exportName: 'x-dev-VpcId', importer: 'x-dev-web-lb' }]);
  expect(fake.callsOf('DeleteStack')).toHaveLength(0);
});

it('deletes dependents first and reports retained resources', async () => {
  const rec = new Recorder();

  const results = await destroyStacks(clients, reverseOrder([network, lb]), { poll: FAST, events: rec.fn });

  expect(fake.callsOf('DeleteStack').map((p) => p.StackName)).toEqual([
    expect.stringContaining('/x-dev-web-lb/'),
    expect.stringContaining('/x-dev-network/'),
  ]);
  expect(results).toEqual([
    { kind: 'deleted', stackName: 'x-dev-web-lb', kept: [] },
    {
      kind: 'deleted',
      stackName: 'x-dev-network',
      kept: [
        {
          logicalId: 'FlowLogs',
          resourceType: 'AWS::Logs::LogGroup',
          physicalId: '/x-dev/flow-logs',
          policy: 'Retain',
        },
      ],
    },
  ]);
  expect(rec.resources()).toContainEqual({ logicalId: 'FlowLogs', status: 'DELETE_SKIPPED', reason: undefined });
  expect(fake.stack('x-dev-network')).toBeUndefined();
});

it('reports a stack that is already gone as absent', async () => {
  const results = await destroyStacks(clients, [{ name: 'x-dev-never-made' }], { poll: FAST });
  expect(results).toEqual([{ kind: 'absent', stackName: 'x-dev-never-made' }]);
});

it('stops at termination protection unless asked to turn it off', async () => {
  await deployStack(clients, { ...lb, terminationProtection: true }, { poll: FAST });

  await expect(destroyStacks(clients, [lb], { poll: FAST })).rejects.toBeInstanceOf(TerminationProtectedError);
  expect(fake.callsOf('DeleteStack')).toHaveLength(0);

  const results = await destroyStacks(clients, [lb], { poll: FAST, disableTerminationProtection: true });
  expect(results[0].kind).toBe('deleted');
});

it('stops at a failed delete with its root cause; the rest are not run', async () => {
  fake.failResource({
    stack: 'x-dev-web-lb',
    logicalId: 'Sg',
    on: 'delete',
    reason: 'You are not authorized to perform this operation',
  });

  const results = await destroyStacks(clients, reverseOrder([network, lb]), { poll: FAST });

  expect(results).toEqual([
    expect.objectContaining({
      kind: 'failed',
      stackName: 'x-dev-web-lb',
      status: 'DELETE_FAILED',
      rootCause: expect.objectContaining({
        logicalId: 'Sg',
        reason: 'You are not authorized to perform this operation',
      }),
    }),
    { kind: 'not-run', stackName: 'x-dev-network', because: 'stopped: x-dev-web-lb was not deleted (failed)' },
  ]);
  expect(fake.stack('x-dev-network')?.status).toBe('CREATE_COMPLETE');
});

describe('a delete blocked while AWS releases network interfaces', () => {
  const quick = { firstWaitMs: 5, maxWaitMs: 20, totalMs: 200 };
  const reason =
    'resource sg-123 has a dependent object (Service: Ec2, Status Code: 400, Error Code: DependencyViolation)';

  it('waits and deletes again on its own, saying so, until it goes', async () => {
    fake.failResource({ stack: 'x-dev-web-lb', logicalId: 'Sg', on: 'delete', reason, times: 2 });
    const rec = new Recorder();

    const results = await destroyStacks(clients, reverseOrder([network, lb]), {
      poll: FAST,
      events: rec.fn,
      releaseRetry: quick,
    });

    expect(results.map((r) => r.kind)).toEqual(['deleted', 'deleted']);
    expect(fake.callsOf('DeleteStack').map((p) => String(p.StackName).split('/')[1])).toEqual([
      'x-dev-web-lb',
      'x-dev-web-lb',
      'x-dev-web-lb',
      'x-dev-network',
    ]);
    const retries = rec.all.filter((e) => e.type === 'step' && e.step === 'retrying-delete');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({
      stackName: 'x-dev-web-lb',
      detail: expect.stringMatching(/^Sg: resource sg-123 has a dependent object.*; attempt 2 in 0 s$/),
    });
  });

  it('gives up within its bound and reports the stack failed with the reason', async () => {
    fake.failResource({ stack: 'x-dev-web-lb', logicalId: 'Sg', on: 'delete', reason, times: 100 });

    const results = await destroyStacks(clients, reverseOrder([network, lb]), {
      poll: FAST,
      releaseRetry: { firstWaitMs: 5, maxWaitMs: 5, totalMs: 12 },
    });

    expect(results[0]).toMatchObject({
      kind: 'failed',
      status: 'DELETE_FAILED',
      rootCause: { logicalId: 'Sg', reason },
    });
    expect(fake.callsOf('DeleteStack')).toHaveLength(3);
    expect(results[1]).toMatchObject({ kind: 'not-run' });
  });
});

it('deletes independent stacks at the same time, each after its dependents', async () => {
  const api = spec(
    'x-dev-api-lb',
    {
      resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'x-dev-VpcId' } } },
      },
    },
    { dependsOn: ['x-dev-network'] },
  );
  await deployAll([api]);
  const rec = new Recorder();

  const results = await destroyStacks(clients, reverseOrder([network, lb, api]), { poll: FAST, events: rec.fn });

  expect(results.every((r) => r.kind === 'deleted')).toBe(true);
  const order = rec.all.flatMap((e) =>
    e.type === 'step' && e.step === 'deleting'
      ? [`start ${e.stackName}`]
      : e.type === 'resource' && e.event.isStack && e.event.status === 'DELETE_COMPLETE'
        ? [`done ${e.stackName}`]
        : [],
  );
  // Both load balancer stacks start before either is gone; the network only after both.
  expect(order.slice(0, 2).sort()).toEqual(['start x-dev-api-lb', 'start x-dev-web-lb']);
  expect(order.indexOf('start x-dev-network')).toBeGreaterThan(
    Math.max(order.indexOf('done x-dev-api-lb'), order.indexOf('done x-dev-web-lb')),
  );
});
