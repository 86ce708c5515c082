/**
 * Running many stacks in dependency order. A stack starts as soon as its own dependencies have
 * succeeded, up to a concurrency cap; the first failure stops new starts (running stacks finish),
 * and every stack that never started is reported `not-run` with the reason. Dependencies on
 * stacks outside the given set are taken as already deployed (e.g. `deploy --only`).
 */
import { findCycle, topological } from '../../stages/order';
import { GraphCycleError } from './errors';
import { satisfiesDependents, type DeployResult, type StackSpec } from './types';

/** The part of a spec the graph reads, so destroy and tests can use it with less. */
export type GraphNode = Pick<StackSpec, 'name' | 'dependsOn'>;

export interface GraphOptions {
  /** Stacks running at once. @default 4 */
  concurrency?: number;
  /** When it fires, nothing new starts; it is also handed to each run. */
  signal?: AbortSignal;
}

/**
 * Runs `run` for every spec, dependencies first, and returns one result per spec in input order.
 * A `run` that throws is recorded as an `error` result (and counts as a failure). Throws
 * {@link GraphCycleError} up front when the dependencies form a cycle.
 */
export async function runGraph<S extends GraphNode>(
  specs: S[],
  run: (spec: S, signal: AbortSignal | undefined) => Promise<DeployResult>,
  opts: GraphOptions = {},
): Promise<DeployResult[]> {
  assertAcyclic(specs);
  const limit = Math.max(1, opts.concurrency ?? 4);
  const names = new Set(specs.map((s) => s.name));
  const results = new Map<string, DeployResult>();
  const running = new Set<string>();
  let stoppedBy: string | undefined;

  return new Promise((resolve) => {
    const finishIfDone = (): boolean => {
      if (running.size > 0) return false;
      // Dependencies first, so a dependent of a stack that did not run can say which one.
      for (const s of topologicalOrder(specs))
        if (!results.has(s.name)) results.set(s.name, notRun(s, results, names, stoppedBy));
      resolve(specs.map((s) => results.get(s.name) as DeployResult));
      return true;
    };
    const startReady = (): void => {
      if (opts.signal?.aborted && !stoppedBy) stoppedBy = 'interrupted';
      for (const spec of specs) {
        if (stoppedBy || running.size >= limit) break;
        if (results.has(spec.name) || running.has(spec.name) || !ready(spec, results, names)) continue;
        if (blocked(spec, results, names)) continue;
        running.add(spec.name);
        void runOne(spec);
      }
      finishIfDone();
    };
    const runOne = async (spec: S): Promise<void> => {
      let result: DeployResult;
      try {
        result = await run(spec, opts.signal);
      } catch (err) {
        result = { kind: 'error', stackName: spec.name, error: err instanceof Error ? err : new Error(String(err)) };
      }
      results.set(spec.name, result);
      running.delete(spec.name);
      if (isFailure(result) && !stoppedBy) stoppedBy = `${spec.name} ${describeFailure(result)}`;
      startReady();
    };
    startReady();
  });
}

/** A declined stack is not a failure (nothing broke), but an unsatisfied dependency still blocks. */
function isFailure(result: DeployResult): boolean {
  return !satisfiesDependents(result) && result.kind !== 'declined' && result.kind !== 'not-run';
}

function describeFailure(result: DeployResult): string {
  switch (result.kind) {
    case 'failed':
      return `failed (${result.status})`;
    case 'error':
      return `failed (${result.error.message})`;
    case 'cancelled':
    case 'detached':
      return 'was interrupted';
    default:
      return result.kind;
  }
}

function depsInSet(spec: GraphNode, names: Set<string>): string[] {
  return spec.dependsOn.filter((d) => names.has(d));
}

function ready(spec: GraphNode, results: Map<string, DeployResult>, names: Set<string>): boolean {
  return depsInSet(spec, names).every((d) => results.has(d));
}

function blocked(spec: GraphNode, results: Map<string, DeployResult>, names: Set<string>): boolean {
  return depsInSet(spec, names).some((d) => !satisfiesDependents(results.get(d) as DeployResult));
}

function notRun(
  spec: GraphNode,
  results: Map<string, DeployResult>,
  names: Set<string>,
  stoppedBy: string | undefined,
): DeployResult {
  const failedDep = depsInSet(spec, names).find(
    (d) => results.has(d) && !satisfiesDependents(results.get(d) as DeployResult),
  );
  if (failedDep) {
    const dep = results.get(failedDep) as DeployResult;
    const why =
      dep.kind === 'not-run' ? 'did not run' : dep.kind === 'declined' ? 'was declined' : describeFailure(dep);
    return { kind: 'not-run', stackName: spec.name, because: `dependency ${failedDep} ${why}` };
  }
  return { kind: 'not-run', stackName: spec.name, because: stoppedBy ? `run stopped: ${stoppedBy}` : 'run stopped' };
}

/** Throws {@link GraphCycleError} naming one cycle, if there is any. */
export function assertAcyclic(specs: GraphNode[]): void {
  const cycle = findCycle(specs);
  if (cycle) throw new GraphCycleError(cycle);
}

/** Dependencies before dependents (stable: input order among independent stacks). */
export function topologicalOrder<S extends GraphNode>(specs: S[]): S[] {
  assertAcyclic(specs);
  return topological(specs);
}

/** Dependents before their dependencies: the order to delete in. */
export function reverseOrder<S extends GraphNode>(specs: S[]): S[] {
  return topologicalOrder(specs).reverse();
}
