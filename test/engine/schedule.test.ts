/**
 * Critical-path scheduling (issue 12): among ready stacks, those heading the longest chain of
 * dependants start first, so a stack nothing waits for never takes a slot ahead of one the rest
 * of the run waits on. The graph is the full example's (examples/full.yaml), in catalogue order.
 */
import { criticalFirst, runGraph, type GraphNode } from '../../src/deploy/graph';
import type { DeployResult } from '../../src/deploy/types';

const node = (name: string, ...dependsOn: string[]): GraphNode => ({ name, dependsOn });

const FULL_EXAMPLE: GraphNode[] = [
  node('network'),
  node('ecs-cluster', 'network'),
  node('ecr'),
  node('loadbalancer', 'network'),
  node('main', 'network'),
  node('cache', 'network'),
  node('files'),
  node('jobs'),
  node('service', 'loadbalancer', 'ecr', 'main', 'cache', 'files', 'jobs', 'ecs-cluster', 'network'),
  node('events', 'jobs'),
  node('admin', 'network', 'loadbalancer', 'ecr', 'ecs-cluster'),
  node('api2', 'network', 'loadbalancer', 'ecr', 'jobs', 'ecs-cluster'),
];

/** Runs every stack to completion at once, recording the order they started in. */
async function startOrder(specs: GraphNode[], concurrency: number): Promise<string[]> {
  const started: string[] = [];
  const results = await runGraph(
    specs,
    async (spec): Promise<DeployResult> => {
      started.push(spec.name);
      await new Promise((r) => setImmediate(r));
      return { kind: 'created', stackName: spec.name, changes: [], outputs: {} };
    },
    { concurrency },
  );
  expect(results.every((r) => r.kind === 'created')).toBe(true);
  return started;
}

it('starts the stacks heading the longest chain of dependants first, one at a time', async () => {
  expect(await startOrder(FULL_EXAMPLE, 1)).toEqual([
    'network', // heads the longest chain (network, load balancer, service)
    'ecs-cluster', // chain 2 with three dependants: catalogue order among equals
    'ecr',
    'loadbalancer',
    'jobs', // chain 2 with three dependants (service, events, api2): ahead of the data stores, which
    // have one each and come before it in catalogue order
    'main',
    'cache',
    'files',
    'service', // chain 1: only now, in catalogue order
    'events',
    'admin',
    'api2',
  ]);
});

it('never lets a stack nothing waits for take a slot before one the service waits on', async () => {
  for (const concurrency of [1, 2, 3]) {
    const order = await startOrder(FULL_EXAMPLE, concurrency);
    expect(order.indexOf('events')).toBeGreaterThan(order.indexOf('cache'));
    expect(order.indexOf('events')).toBeGreaterThan(order.indexOf('main'));
  }
});

it('ranks by chain length, then by how many stacks wait in all, then input order', () => {
  const specs = [
    node('leaf'),
    node('d', 'b'),
    node('b'),
    node('a'),
    node('c', 'a'),
    node('g', 'a'),
    node('e', 'b'),
    node('f', 'd'),
  ];
  // b heads b-d-f (3); a and d head chains of 2, and two stacks wait on a against one on d.
  expect(criticalFirst(specs).map((s) => s.name)).toEqual(['b', 'a', 'd', 'leaf', 'c', 'g', 'e', 'f']);
});
