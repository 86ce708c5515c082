/**
 * destroy's closing line counts what it did not do, as deploy's "N not done" does, and says why:
 * an interrupted destroy no longer ends with "✖ 0 deleted, 0 were not deployed" alone.
 */
import { destroySummary } from '../../src/commands/destroy/run';

const plain = (lines: string[]) => lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')); // eslint-disable-line no-control-regex

test('interrupted before any stack was deleted: every stack counted as not done, interrupted', () => {
  // What destroyStacks returns when Ctrl-C comes before the first delete (test/engine/destroy-interrupted.test.ts).
  expect(
    plain(
      destroySummary([
        { kind: 'not-run', stackName: 'x-dev-web-lb', because: 'interrupted' },
        { kind: 'not-run', stackName: 'x-dev-network', because: 'interrupted' },
      ]),
    ),
  ).toEqual([
    '✖ 0 deleted, 0 were not deployed, 2 not done (interrupted)',
    '  x-dev-web-lb: not run: interrupted',
    '  x-dev-network: not run: interrupted',
  ]);
});

test('interrupted mid-way: the deleted, the one CloudFormation goes on deleting, and the ones not reached', () => {
  expect(
    plain(
      destroySummary([
        { kind: 'deleted', stackName: 'x-dev-web-service', kept: [] },
        { kind: 'absent', stackName: 'x-dev-web-alarms' },
        { kind: 'detached', stackName: 'x-dev-web-lb', status: 'DELETE_IN_PROGRESS' },
        { kind: 'not-run', stackName: 'x-dev-network', because: 'interrupted' },
      ]),
    ),
  ).toEqual([
    '✖ 1 deleted, 1 was not deployed, 2 not done (interrupted)',
    '  x-dev-web-lb: detached while CloudFormation goes on (DELETE_IN_PROGRESS); run the same command again to attach',
    '  x-dev-network: not run: interrupted',
  ]);
});

test('a failure is counted and named without "interrupted"; a finished destroy has no "not done"', () => {
  expect(
    plain(
      destroySummary([
        { kind: 'failed', stackName: 'x-dev-web-lb', status: 'DELETE_FAILED', statusReason: 'bucket not empty' },
        { kind: 'not-run', stackName: 'x-dev-network', because: 'stopped: x-dev-web-lb was not deleted (failed)' },
      ]),
    ),
  ).toEqual([
    '✖ 0 deleted, 0 were not deployed, 2 not done',
    '  x-dev-web-lb: failed (DELETE_FAILED): bucket not empty',
    '  x-dev-network: not run: stopped: x-dev-web-lb was not deleted (failed)',
  ]);
  expect(
    plain(
      destroySummary([
        { kind: 'deleted', stackName: 'x-dev-web-lb', kept: [] },
        { kind: 'absent', stackName: 'x-dev-network' },
      ]),
    ),
  ).toEqual(['✔ 1 deleted, 1 was not deployed']);
});
