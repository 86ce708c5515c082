/**
 * deployStack and planStack against the stateful fake CloudFormation (fake-cloudformation.md):
 * real SDK clients, real serialisation, fake service. Each test drives the stack through real
 * flows (create, fail, roll back...) rather than planting states.
 */
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../src/aws/clients';
import { planStack, deployStack } from '../../src/deploy/stack';
import { RecreateRefusedError, RollbackFailedError, type DeployResult, type StackSpec } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, Recorder, fakeClients, queues, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

function deploy(s: StackSpec, opts: Parameters<typeof deployStack>[2] = {}): Promise<DeployResult> {
  return deployStack(clients, s, { poll: FAST, ...opts });
}

const v1 = spec('x-dev-queues', {
  resources: queues(),
  outputs: { OrdersQueue: { Value: { Ref: 'Orders' }, Export: { Name: 'x-dev-OrdersQueue' } } },
});

describe('create', () => {
  it('creates a new stack through a CREATE change set and reports every resource as it goes', async () => {
    const rec = new Recorder();
    const result = await deploy(v1, { events: rec.fn });

    expect(result).toEqual({
      kind: 'created',
      stackName: 'x-dev-queues',
      changes: expect.any(Array),
      outputs: { OrdersQueue: 'orders' },
    });
    expect(fake.stack('x-dev-queues')?.status).toBe('CREATE_COMPLETE');
    const [create] = fake.callsOf('CreateChangeSet');
    expect(create).toMatchObject({ ChangeSetType: 'CREATE', Tags: [{ Key: 'Environment', Value: 'dev' }] });
    expect(create.ClientToken).toBe(create.ChangeSetName);
    expect(fake.callsOf('ExecuteChangeSet')[0].ClientRequestToken).toMatch(/^cfn-stages-/);

    const plan = rec.all.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.plan.changes.map((c) => `${c.action} ${c.logicalId}`)).toEqual([
      'Add Orders',
      'Add Payments',
      'Add Alerts',
    ]);
    expect(rec.resources().map((r) => `${r.logicalId} ${r.status}`)).toEqual([
      'Orders CREATE_IN_PROGRESS',
      'Payments CREATE_IN_PROGRESS',
      'Alerts CREATE_IN_PROGRESS',
      'Orders CREATE_COMPLETE',
      'Payments CREATE_COMPLETE',
      'Alerts CREATE_COMPLETE',
    ]);
    expect(rec.steps()).toEqual(['checking', 'creating-change-set', 'executing']);
  });
});

describe('unchanged stacks', () => {
  it('skips a stack whose template, parameters and tags are unchanged, without a change set', async () => {
    await deploy(v1);
    const before = fake.callsOf('CreateChangeSet').length;

    const result = await deploy(v1);

    expect(result).toEqual({
      kind: 'skipped-unchanged',
      stackName: 'x-dev-queues',
      outputs: { OrdersQueue: 'orders' },
    });
    expect(fake.callsOf('CreateChangeSet')).toHaveLength(before);
    expect(fake.callsOf('GetTemplate')).toHaveLength(1);
  });

  it('goes through a change set when only the tags changed', async () => {
    await deploy(v1);
    const result = await deploy({ ...v1, tags: { Environment: 'dev', Team: 'payments' } });
    expect(result.kind).toBe('updated');
    expect(fake.stack(v1.name)?.config.tags).toEqual({ Environment: 'dev', Team: 'payments' });
  });

  it('treats a change set that CloudFormation finds empty as unchanged, and deletes it', async () => {
    // A NoEcho parameter cannot be compared (DescribeStacks shows ****), so a change set decides.
    const withSecret = spec(
      'x-dev-db',
      {
        parameters: { Password: { Type: 'String', NoEcho: true } },
        resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'db' } } },
      },
      { parameters: { Password: 'correct-horse-battery' } },
    );
    await deploy(withSecret);

    const result = await deploy(withSecret);

    expect(result.kind).toBe('skipped-unchanged');
    expect(fake.callsOf('CreateChangeSet')).toHaveLength(2);
    expect(fake.callsOf('ExecuteChangeSet')).toHaveLength(1);
    expect(fake.stack('x-dev-db')?.changeSets.size).toBe(0);
  });
});

describe('update', () => {
  it('flags replacements in the plan, asks, and updates', async () => {
    const withInstance = (type: string, queue: string) =>
      spec('x-dev-app', {
        resources: {
          ...queues(),
          // Replaced under a new name: a topic, since a queue, holding messages, may not be (see refusals.ts).
          Orders: { Type: 'AWS::SNS::Topic', Properties: { TopicName: queue } },
          Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', InstanceType: type } },
        },
      });
    await deploy(withInstance('t3.small', 'orders'));
    const confirm = jest.fn(async () => true);

    const result = await deploy(withInstance('t3.large', 'orders-v2'), { confirm });

    expect(result.kind).toBe('updated');
    const plan = (confirm.mock.calls[0] as unknown[])[0] as {
      changes: Array<{ logicalId: string; action: string; replacement: string; causes: string[] }>;
    };
    expect(plan.changes).toEqual([
      expect.objectContaining({ logicalId: 'Orders', action: 'Modify', replacement: 'always', causes: ['TopicName'] }),
      expect.objectContaining({
        logicalId: 'Box',
        action: 'Modify',
        replacement: 'conditional',
        causes: ['InstanceType'],
      }),
    ]);
    expect(fake.stack('x-dev-app')?.resources.get('Orders')?.physicalId).toBe('orders-v2');
  });

  it('deletes the change set and changes nothing when the plan is declined', async () => {
    await deploy(v1);
    const v2 = spec(v1.name, { resources: queues({ Alerts: 'renamed' }) });

    const result = await deploy(v2, { confirm: async () => false });

    expect(result).toMatchObject({ kind: 'declined', stackExists: true });
    expect(fake.stack(v1.name)?.changeSets.size).toBe(0);
    expect(fake.callsOf('ExecuteChangeSet')).toHaveLength(1);
  });
});

describe('failures', () => {
  it('names the first failure that is not a cancellation as the root cause', async () => {
    fake.failResource({
      stack: v1.name,
      logicalId: 'Orders',
      on: 'create',
      reason: 'Resource handler returned message: "Queue name already taken"',
    });
    const rec = new Recorder();

    const result = await deploy(v1, { events: rec.fn });

    expect(result).toMatchObject({
      kind: 'failed',
      status: 'ROLLBACK_COMPLETE',
      rootCause: {
        logicalId: 'Orders',
        status: 'CREATE_FAILED',
        reason: 'Resource handler returned message: "Queue name already taken"',
      },
    });
    // The cancellations of its siblings came first in the stream; the root cause skipped them.
    const failures = rec.resources().filter((r) => r.status === 'CREATE_FAILED');
    expect(failures.map((f) => f.reason)).toEqual([
      'Resource creation cancelled',
      'Resource creation cancelled',
      expect.stringContaining('already taken'),
    ]);
  });

  it('deletes a stack left in ROLLBACK_COMPLETE and creates it again', async () => {
    fake.failResource({ stack: v1.name, logicalId: 'Payments', on: 'create', reason: 'boom' });
    await deploy(v1);
    const allowRecreate = jest.fn(async () => true);
    const rec = new Recorder();

    const result = await deploy(v1, { allowRecreate, events: rec.fn });

    expect(allowRecreate).toHaveBeenCalledWith(v1.name, 'ROLLBACK_COMPLETE');
    expect(rec.steps()).toContain('deleting-failed-stack');
    expect(result.kind).toBe('created');
    expect(fake.stack(v1.name)?.status).toBe('CREATE_COMPLETE');
  });

  it('leaves a ROLLBACK_COMPLETE stack alone when the recreate is refused', async () => {
    fake.failResource({ stack: v1.name, logicalId: 'Payments', on: 'create', reason: 'boom' });
    await deploy(v1);

    await expect(deploy(v1, { allowRecreate: async () => false })).rejects.toBeInstanceOf(RecreateRefusedError);
    expect(fake.stack(v1.name)?.status).toBe('ROLLBACK_COMPLETE');
    expect(fake.callsOf('DeleteStack')).toHaveLength(0);
  });

  it('continues a failed update rollback, then updates', async () => {
    await deploy(v1);
    const v2 = spec(v1.name, { resources: queues({ Alerts: 'alerts-v2' }) });
    fake.failResource({ stack: v1.name, logicalId: 'Alerts', on: 'update', reason: 'Rate of topic updates exceeded' });
    fake.failResource({ stack: v1.name, logicalId: 'Alerts', on: 'rollback', reason: 'Topic is locked' });

    const failed = await deploy(v2);
    expect(failed).toMatchObject({
      kind: 'failed',
      status: 'UPDATE_ROLLBACK_FAILED',
      rootCause: { logicalId: 'Alerts', reason: 'Rate of topic updates exceeded' },
    });

    const rec = new Recorder();
    const result = await deploy(v2, { events: rec.fn });

    expect(rec.steps()).toEqual(expect.arrayContaining(['continuing-rollback', 'executing']));
    expect(fake.callsOf('ContinueUpdateRollback')).toHaveLength(1);
    expect(result.kind).toBe('updated');
    expect(fake.stack(v1.name)?.resources.get('Alerts')?.props.DisplayName).toBe('alerts-v2');
  });

  it('stops with RollbackFailedError when continuing the rollback fails again', async () => {
    await deploy(v1);
    const v2 = spec(v1.name, { resources: queues({ Alerts: 'alerts-v2' }) });
    fake.failResource({ stack: v1.name, logicalId: 'Alerts', on: 'update', reason: 'no' });
    fake.failResource({ stack: v1.name, logicalId: 'Alerts', on: 'rollback', reason: 'Topic is locked', times: 2 });
    await deploy(v2);

    const err = await deploy(v2).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RollbackFailedError);
    expect((err as RollbackFailedError).reason).toBe('Topic is locked');
  });
});

/** Another operator's change, started with the SDK directly and not waited for. */
async function startOtherUpdate(s: StackSpec, changeSetName: string, execute: boolean): Promise<void> {
  const cfn = clients.cloudFormation;
  const stack = fake.stack(s.name);
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: s.name,
      ChangeSetName: changeSetName,
      ChangeSetType: stack ? 'UPDATE' : 'CREATE',
      TemplateBody: s.templateBody,
      Tags: [{ Key: 'Environment', Value: 'dev' }],
    }),
  );
  for (let i = 0; i < 5; i++) {
    const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: s.name, ChangeSetName: changeSetName }));
    if (cs.Status === 'CREATE_COMPLETE') break;
  }
  if (execute) await cfn.send(new ExecuteChangeSetCommand({ StackName: s.name, ChangeSetName: changeSetName }));
}

describe('stacks found mid-operation', () => {
  it('waits for an operation already in progress, showing its events, then deploys', async () => {
    await deploy(v1);
    await startOtherUpdate(spec(v1.name, { resources: queues({ Alerts: 'theirs' }) }), 'someone-else', true);
    expect(fake.stack(v1.name)?.status).toBe('UPDATE_IN_PROGRESS');
    const rec = new Recorder();

    const result = await deploy(spec(v1.name, { resources: queues({ Alerts: 'ours' }) }), { events: rec.fn });

    expect(rec.all).toContainEqual({ type: 'step', stackName: v1.name, step: 'waiting', detail: 'UPDATE_IN_PROGRESS' });
    expect(rec.resources()).toContainEqual({ logicalId: 'Alerts', status: 'UPDATE_COMPLETE', reason: undefined });
    expect(result.kind).toBe('updated');
    expect(fake.stack(v1.name)?.resources.get('Alerts')?.props.DisplayName).toBe('ours');
  });

  it('creates a stack left in REVIEW_IN_PROGRESS, cleaning up change sets an earlier run left', async () => {
    await startOtherUpdate(v1, 'cfn-stages-left-behind', false);
    expect(fake.stack(v1.name)?.status).toBe('REVIEW_IN_PROGRESS');
    const rec = new Recorder();

    const result = await deploy(v1, { events: rec.fn });

    expect(rec.steps()).toContain('cleaning-change-sets');
    expect(fake.callsOf('DeleteChangeSet').map((p) => p.ChangeSetName)).toEqual(['cfn-stages-left-behind']);
    expect(fake.callsOf('CreateChangeSet').at(-1)).toMatchObject({ ChangeSetType: 'CREATE' });
    expect(result.kind).toBe('created');
  });
});

describe('interrupted runs', () => {
  it('cancels an executing update on abort, and a re-run converges', async () => {
    await deploy(v1);
    // Three resources changed in place (a queue, holding messages, is not replaced: see refusals.ts).
    const longer = { VisibilityTimeout: 60 };
    const { Orders, Payments, Alerts } = queues({ Alerts: 'alerts-v2' });
    const v2 = spec(v1.name, {
      resources: {
        Orders: { ...Orders!, Properties: { ...Orders!.Properties, ...longer } },
        Payments: { ...Payments!, Properties: { ...Payments!.Properties, ...longer } },
        Alerts: Alerts!,
      },
    });
    const ctrl = new AbortController();

    const result = await deploy(v2, {
      signal: ctrl.signal,
      events: (e) => {
        if (e.type === 'resource' && e.event.status === 'UPDATE_IN_PROGRESS' && !e.event.isStack) ctrl.abort();
      },
    });

    expect(result).toEqual({ kind: 'cancelled', stackName: v1.name, status: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(fake.callsOf('CancelUpdateStack')).toHaveLength(1);

    const again = await deploy(v2);
    expect(again.kind).toBe('updated');
    expect(fake.stack(v1.name)?.status).toBe('UPDATE_COMPLETE');
    expect(fake.stack(v1.name)?.resources.get('Alerts')?.props.DisplayName).toBe('alerts-v2');
  });

  it('detaches from an executing create on abort; a re-run waits for it and finds nothing to do', async () => {
    const ctrl = new AbortController();
    const result = await deploy(v1, {
      signal: ctrl.signal,
      events: (e) => {
        if (e.type === 'resource' && e.event.status === 'CREATE_IN_PROGRESS' && !e.event.isStack) ctrl.abort();
      },
    });

    expect(result).toEqual({ kind: 'detached', stackName: v1.name, status: 'CREATE_IN_PROGRESS' });
    expect(fake.callsOf('CancelUpdateStack')).toHaveLength(0);

    const again = await deploy(v1);
    expect(again.kind).toBe('skipped-unchanged');
    expect(fake.stack(v1.name)?.status).toBe('CREATE_COMPLETE');
  });
});

describe('secrets and settings', () => {
  it('never emits a NoEcho parameter value, even inside a failure reason', async () => {
    const secret = 's3cr3t-Value-42';
    const s = spec(
      'x-dev-secret',
      {
        parameters: { Token: { Type: 'String', NoEcho: true } },
        resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { Ref: 'Token' } } } },
      },
      { parameters: { Token: secret } },
    );
    fake.failResource({ stack: s.name, logicalId: 'Topic', on: 'create', reason: `Invalid DisplayName ${secret}` });
    const rec = new Recorder();

    const result = await deploy(s, { events: rec.fn });

    expect(result).toMatchObject({ kind: 'failed', rootCause: { reason: 'Invalid DisplayName ****' } });
    expect(JSON.stringify(rec.all)).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('turns termination protection on when the spec asks for it', async () => {
    await deploy({ ...v1, terminationProtection: true });
    expect(fake.stack(v1.name)?.terminationProtection).toBe(true);
    await deploy({ ...v1, terminationProtection: true });
    expect(fake.callsOf('UpdateTerminationProtection')).toHaveLength(1);
  });
});

describe('planStack', () => {
  it('plans a new stack from its template without touching CloudFormation state', async () => {
    const result = await planStack(clients, v1, { poll: FAST });
    expect(result).toEqual({
      kind: 'changes',
      plan: { stackName: v1.name, type: 'create', changes: expect.any(Array) },
    });
    expect(result.kind === 'changes' && result.plan.changes.map((c) => c.logicalId)).toEqual([
      'Orders',
      'Payments',
      'Alerts',
    ]);
    expect(fake.callsOf('CreateChangeSet')).toHaveLength(0);
  });

  it('reads an update from a change set, then deletes it', async () => {
    await deploy(v1);
    const result = await planStack(clients, spec(v1.name, { resources: queues({ Payments: 'payments-v2' }) }), {
      poll: FAST,
    });
    expect(result).toMatchObject({
      kind: 'changes',
      plan: { type: 'update', changes: [{ logicalId: 'Payments', action: 'Modify', replacement: 'always' }] },
    });
    expect(fake.stack(v1.name)?.changeSets.size).toBe(0);
    expect(fake.stack(v1.name)?.resources.get('Payments')?.physicalId).toBe('payments');
  });

  it('says unchanged without a change set, and not-plannable while the stack is busy', async () => {
    await deploy(v1);
    expect(await planStack(clients, v1, { poll: FAST })).toEqual({ kind: 'unchanged', stackName: v1.name });
    await startOtherUpdate(spec(v1.name, { resources: queues({ Alerts: 'theirs' }) }), 'someone-else', true);
    expect(await planStack(clients, v1, { poll: FAST })).toMatchObject({
      kind: 'not-plannable',
      status: 'UPDATE_IN_PROGRESS',
    });
  });

  it('reports a change set CloudFormation rejects (a missing export) as not plannable', async () => {
    await deploy(v1);
    const importing = spec(v1.name, {
      resources: {
        ...queues(),
        Extra: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::ImportValue': 'x-dev-Nope' } } },
      },
    });
    expect(await planStack(clients, importing, { poll: FAST })).toEqual({
      kind: 'not-plannable',
      stackName: v1.name,
      reason: 'No export named x-dev-Nope found. Rollback requested by user.',
    });
  });
});
