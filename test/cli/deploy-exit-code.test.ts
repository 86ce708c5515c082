/**
 * deploy's exit code when a stack is not done (src/run/deploy.ts setExitCode), by the README's rule:
 * 130 interrupted, 1 failed, and 2 for a "no" to a question: a change set declined in the terminal
 * (with the stacks that wait on a declined new stack), nothing else gone wrong.
 */
import { setExitCode } from '../../src/run/deploy';
import type { DeployResult } from '../../src/deploy/types';

afterEach(() => {
  process.exitCode = undefined;
});

const plan = { stackName: 'x', type: 'update' as const, changes: [] };
const updated: DeployResult = { kind: 'updated', stackName: 'a', changes: [], outputs: {} };
const declined: DeployResult = { kind: 'declined', stackName: 'b', plan, stackExists: false };
const waits: DeployResult = { kind: 'not-run', stackName: 'c', because: 'dependency b was declined' };
const waitsOnWaiter: DeployResult = { kind: 'not-run', stackName: 'd', because: 'dependency c did not run' };
const failed: DeployResult = { kind: 'failed', stackName: 'e', status: 'UPDATE_ROLLBACK_COMPLETE' };
const stopped: DeployResult = { kind: 'not-run', stackName: 'f', because: 'run stopped: e failed' };
const cancelled: DeployResult = { kind: 'cancelled', stackName: 'g' };

test.each<[string, DeployResult[], number | undefined]>([
  ['all done: exit 0', [updated], undefined],
  ['a change set declined: exit 2', [updated, declined], 2],
  ['declined, and the stacks that wait on it: exit 2', [declined, waits, waitsOnWaiter], 2],
  ['declined beside a failure: exit 1', [declined, failed, stopped], 1],
  ['a failure alone: exit 1', [updated, failed], 1],
  ['interrupted, whatever else: exit 130', [declined, cancelled], 130],
])('%s', (_, results, code) => {
  expect(setExitCode(results)).toBe(code === undefined);
  expect(process.exitCode).toBe(code);
});
