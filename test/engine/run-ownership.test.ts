/**
 * What a run may delete and how it refuses: change sets (only its own, or another run's once
 * provably abandoned), and the exit code of engine refusals versus failures.
 */
import { ABANDONED_CHANGE_SET_MS, isOursToDelete, uniqueName } from '../../src/deploy/cloudformation';
import { CliError, ExitCode } from '../../src/cli/errors';
import {
  EndpointUnreachableError,
  ExportInUseError,
  RunLockedError,
  StackStateError,
  TerminationProtectedError,
} from '../../src/deploy/errors';

const now = Date.UTC(2026, 0, 1, 12);

it("deletes its own change sets, and another run's only once it is older than the abandonment age", () => {
  expect(isOursToDelete({ ChangeSetName: uniqueName(), CreationTime: new Date(now) }, now)).toBe(true);
  expect(isOursToDelete({ ChangeSetName: 'cfn-stages-otherrun-abc', CreationTime: new Date(now - 60_000) }, now)).toBe(
    false,
  );
  expect(
    isOursToDelete(
      { ChangeSetName: 'cfn-stages-otherrun-abc', CreationTime: new Date(now - ABANDONED_CHANGE_SET_MS - 1) },
      now,
    ),
  ).toBe(true);
  expect(isOursToDelete({ ChangeSetName: 'cfn-stages-otherrun-abc' }, now)).toBe(false);
  expect(isOursToDelete({ ChangeSetName: 'not-ours', CreationTime: new Date(0) }, now)).toBe(false);
});

it('two names made by one run share its run id; that is how it knows them', () => {
  const [a, b] = [uniqueName(), uniqueName()];
  expect(a).not.toBe(b);
  expect(a.split('-').slice(0, 3)).toEqual(b.split('-').slice(0, 3));
});

it('maps refusals (nothing changed) to exit 2 and failures to exit 1', () => {
  const holder = { command: 'deploy', host: 'h', user: 'u', pid: 1, since: 's', heartbeat: 's', runId: 'r' };
  const refusals = [
    new ExportInUseError('x-dev-network', [{ exportName: 'x-dev-VpcId', importer: 'x-dev-web-lb' }]),
    new TerminationProtectedError('x-dev-network'),
    new RunLockedError('x-dev', holder, undefined, 'provision unlock --params f'),
  ];
  for (const err of refusals) expect(CliError.from(err).exitCode).toBe(ExitCode.Refused);
  const failures = [
    new StackStateError('x-dev-network', 'DELETE_FAILED', 'hint'),
    new EndpointUnreachableError({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      call: 'CloudFormation DescribeStacks',
      reason: 'connection refused',
      attempts: 3,
      viaEndpointOverride: true,
    }),
    new Error('something unexpected'),
  ];
  for (const err of failures) expect(CliError.from(err).exitCode).toBe(ExitCode.Failed);
});

it('a network error names the endpoint, the region, the call and the fix', () => {
  const err = CliError.from(
    new EndpointUnreachableError({
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      call: 'CloudFormation DescribeStacks',
      reason: 'connection refused',
      attempts: 3,
      viaEndpointOverride: true,
    }),
  );
  expect(err.message).toBe(
    'CloudFormation DescribeStacks got no answer from http://127.0.0.1:9 (region eu-west-1): connection refused (3 attempts)',
  );
  expect(err.hint).toContain('--endpoint-url');
});
