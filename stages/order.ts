/**
 * The one topological sort: dependencies before dependents. The planner orders an environment's
 * stacks with it (ties broken by template number), and the engine (src/deploy/graph.ts) orders the
 * stacks it deploys or deletes with it (ties in input order).
 */

/** What the sort reads of a stack: its name and the names it depends on. */
export interface OrderNode {
  name: string;
  dependsOn: readonly string[];
}

/** The dependencies form a cycle; `cycle` names it, first name repeated at the end. */
export class CycleError extends Error {
  readonly code = 'Cycle';
  constructor(readonly cycle: string[]) {
    super(`stacks depend on each other in a cycle: ${cycle.join(' -> ')}`);
    this.name = 'CycleError';
  }
}

/** One cycle among the nodes (`['a', 'c', 'b', 'a']`), or undefined. Outside names are ignored. */
export function findCycle(nodes: readonly OrderNode[]): string[] | undefined {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      const cycle = byName.has(dep) ? visit(dep) : undefined;
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const n of nodes) {
    const cycle = visit(n.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Kahn's algorithm: each step takes, among the nodes whose dependencies are placed, the first by
 * `before` (input order when not given). Dependencies on names outside `nodes` count as met (they
 * exist already, e.g. `deploy --only`). Throws {@link CycleError} when there is a cycle.
 */
export function topological<N extends OrderNode>(nodes: readonly N[], before?: (a: N, b: N) => number): N[] {
  const cycle = findCycle(nodes);
  if (cycle) throw new CycleError(cycle);
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const compare = (a: N, b: N): number => before?.(a, b) || index.get(a.name)! - index.get(b.name)!;
  const waiting = new Map(nodes.map((n) => [n.name, new Set(n.dependsOn.filter((d) => index.has(d)))]));
  const order: N[] = [];
  while (waiting.size) {
    const next = nodes.filter((n) => waiting.get(n.name)?.size === 0).sort(compare)[0]!;
    order.push(next);
    waiting.delete(next.name);
    for (const deps of waiting.values()) deps.delete(next.name);
  }
  return order;
}
