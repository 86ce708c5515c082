/**
 * runGraph's scheduling, first with hand-driven runs (so the test decides when each stack
 * finishes), then with deployStack against the fake CloudFormation.
 */
import { deployStack } from '../../src/deploy/stack';
import { reverseOrder, runGraph, topologicalOrder, type GraphNode } from '../../src/deploy/graph';
import { GraphCycleError, type DeployResult } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, spec } from './helpers';

const node = (name: string, ...dependsOn: string[]): GraphNode => ({ name, dependsOn });

/** Runs that finish when the test says, recording what ran at the same time. */
class Driver {
  readonly started: string[] = [];
  peak = 0;
  private readonly pending = new Map<string, (r: DeployResult) => void>();

  readonly run = (spec: GraphNode): Promise<DeployResult> => {
    this.started.push(spec.name);
    return new Promise((resolve) => {
      this.pending.set(spec.name, resolve);
      this.peak = Math.max(this.peak, this.pending.size);
    });
  };

  running(): string[] {
    return [...this.pending.keys()];
  }

  async finish(name: string, kind: 'created' | 'failed' = 'created'): Promise<void> {
    const resolve = this.pending.get(name);
    if (!resolve) throw new Error(`${name} is not running (running: ${this.running().join(', ')})`);
    this.pending.delete(name);
    resolve(
      kind === 'created'
        ? { kind, stackName: name, changes: [], outputs: {} }
        : { kind, stackName: name, status: 'ROLLBACK_COMPLETE' },
    );
    await new Promise((r) => setImmediate(r));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runGraph', () => {
  it('starts independent stacks together and a dependent once all its dependencies are done', async () => {
    const d = new Driver();
    const done = runGraph([node('net'), node('ecr'), node('app', 'net', 'ecr')], d.run, { concurrency: 4 });
    await tick();
    expect(d.running()).toEqual(['net', 'ecr']);
    await d.finish('net');
    expect(d.running()).toEqual(['ecr']);
    await d.finish('ecr');
    expect(d.running()).toEqual(['app']);
    await d.finish('app');
    expect((await done).map((r) => r.kind)).toEqual(['created', 'created', 'created']);
    expect(d.peak).toBe(2);
  });

  it('never runs more than the concurrency cap', async () => {
    const d = new Driver();
    const done = runGraph([node('a'), node('b'), node('c')], d.run, { concurrency: 1 });
    for (const name of ['a', 'b', 'c']) {
      await tick();
      await d.finish(name);
    }
    await done;
    expect(d.peak).toBe(1);
    expect(d.started).toEqual(['a', 'b', 'c']);
  });

  it('stops new starts at the first failure and reports the rest as not run, with the reason', async () => {
    const d = new Driver();
    const done = runGraph([node('net'), node('ecr'), node('app', 'net'), node('extra')], d.run, { concurrency: 2 });
    await tick();
    await d.finish('net', 'failed');
    // ecr was already running: it finishes; nothing new starts.
    expect(d.running()).toEqual(['ecr']);
    await d.finish('ecr');
    const results = await done;
    expect(results).toEqual([
      { kind: 'failed', stackName: 'net', status: 'ROLLBACK_COMPLETE' },
      { kind: 'created', stackName: 'ecr', changes: [], outputs: {} },
      { kind: 'not-run', stackName: 'app', because: 'dependency net failed (ROLLBACK_COMPLETE)' },
      { kind: 'not-run', stackName: 'extra', because: 'run stopped: net failed (ROLLBACK_COMPLETE)' },
    ]);
    expect(d.started).toEqual(['net', 'ecr']);
  });

  it('records a run that throws as an error result', async () => {
    const results = await runGraph([node('a'), node('b', 'a')], async (s) => {
      if (s.name === 'a') throw new Error('AccessDenied');
      return { kind: 'created', stackName: s.name, changes: [], outputs: {} };
    });
    expect(results[0]).toMatchObject({ kind: 'error', error: { message: 'AccessDenied' } });
    expect(results[1]).toEqual({ kind: 'not-run', stackName: 'b', because: 'dependency a failed (AccessDenied)' });
  });

  it('lets dependents of a declined update run (the stack and its exports still exist)', async () => {
    const results = await runGraph([node('a'), node('b', 'a')], async (s) =>
      s.name === 'a'
        ? { kind: 'declined', stackName: 'a', plan: { stackName: 'a', type: 'update', changes: [] }, stackExists: true }
        : { kind: 'created', stackName: s.name, changes: [], outputs: {} },
    );
    expect(results.map((r) => r.kind)).toEqual(['declined', 'created']);
  });

  it('treats dependencies outside the set as already deployed (deploy --only)', async () => {
    const results = await runGraph([node('app', 'net-not-in-this-run')], async (s) => ({
      kind: 'created',
      stackName: s.name,
      changes: [],
      outputs: {},
    }));
    expect(results[0].kind).toBe('created');
  });

  it('refuses a cycle up front, naming it', async () => {
    const run = jest.fn();
    const err = await runGraph([node('a', 'c'), node('b', 'a'), node('c', 'b')], run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphCycleError);
    expect((err as GraphCycleError).cycle).toEqual(['a', 'c', 'b', 'a']);
    expect(run).not.toHaveBeenCalled();
  });

  it('orders dependencies first, and reverses that for destroy', () => {
    const specs = [node('app', 'net', 'ecr'), node('svc', 'app'), node('net'), node('ecr')];
    expect(topologicalOrder(specs).map((s) => s.name)).toEqual(['net', 'ecr', 'app', 'svc']);
    expect(reverseOrder(specs).map((s) => s.name)).toEqual(['svc', 'app', 'ecr', 'net']);
  });
});

describe('runGraph with deployStack', () => {
  it('deploys independent stacks at the same time and passes exports to the dependent', async () => {
    const fake = new FakeCloudFormation();
    const clients = fakeClients(fake);
    const network = spec('x-dev-network', {
      resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } },
      outputs: { VpcId: { Value: { Ref: 'Vpc' }, Export: { Name: 'x-dev-VpcId' } } },
    });
    const repo = spec('ecr-web', { resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: {} } } });
    const app = spec(
      'x-dev-web-lb',
      {
        resources: {
          Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'x-dev-VpcId' } } },
        },
      },
      { dependsOn: ['x-dev-network', 'ecr-web'] },
    );

    const results = await runGraph(
      [network, repo, app],
      (s, signal) => deployStack(clients, s, { poll: FAST, signal }),
      { concurrency: 3 },
    );

    expect(results.map((r) => r.kind)).toEqual(['created', 'created', 'created']);
    expect(fake.peakConcurrentOperations).toBe(2);
    expect(fake.stack('x-dev-web-lb')?.resources.get('Sg')?.props.VpcId).toBe(
      fake.stack('x-dev-network')?.resources.get('Vpc')?.physicalId,
    );
    clients.destroy();
  });
});
