/**
 * The one place errors become exit codes (CliError.from): each layer below the CLI throws typed
 * errors (a code, a hint, an outcome), and the CLI maps outcome to exit code 1, 2 or 130, keeping
 * the message and hint as they are. test/cli/exit-codes.test.ts checks the codes end to end.
 */
import { AbortedError, EndpointUnreachableError, NoRegionError } from '../../src/aws/errors';
import { CliError, ExitCode } from '../../src/cli/errors';
import { GraphCycleError, StackNotFoundError } from '../../src/deploy/errors';
import { ToolError } from '../../src/errors';
import { OpsError } from '../../src/ops/errors';
import { ParamsError, ParamsUnreadableError } from '../../src/params/errors';
import { loadParams } from '../../src/params/load';

it('maps each outcome to its exit code, whatever layer threw it', () => {
  const cases: [ToolError, number][] = [
    [new NoRegionError(), ExitCode.Failed],
    [new AbortedError('x-dev-network'), ExitCode.Interrupted],
    [new GraphCycleError(['a', 'b', 'a']), ExitCode.Refused],
    [new StackNotFoundError('x-dev-network'), ExitCode.Failed],
    [new OpsError('NotDeployed', 'stack x-dev-acme-lb is not deployed', 'deploy it first'), ExitCode.Refused],
    [new ParamsError('envs/dev.yaml', [{ field: 'prefix', message: 'too long' }]), ExitCode.Usage],
    [new ParamsUnreadableError('envs/none.yaml', 'no such file'), ExitCode.Usage],
  ];
  for (const [err, code] of cases) {
    expect(err).toBeInstanceOf(ToolError);
    expect({ code: err.code, exit: CliError.from(err).exitCode }).toEqual({ code: err.code, exit: code });
  }
});

it("keeps a typed error's message and hint as they are, and the error as the cause", () => {
  const err = new OpsError('UnknownTarget', 'no app "shop" in envs/dev.yaml', 'apps in envs/dev.yaml: acme');
  const cli = CliError.from(err);
  expect(cli.message).toBe('no app "shop" in envs/dev.yaml');
  expect(cli.hint).toBe('apps in envs/dev.yaml: acme');
  expect(cli.cause).toBe(err);
  // A typed error without a hint is shown as its message alone, not under its class name.
  expect(CliError.from(new AbortedError()).message).toBe('interrupted');
});

it('names anything untyped (an SDK error, a bug) and counts it a failure', () => {
  const sdk = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  expect(CliError.from(sdk)).toMatchObject({ message: 'ThrottlingException: Rate exceeded', exitCode: 1 });
  expect(CliError.from('boom')).toMatchObject({ message: 'boom', exitCode: 1 });
  const endpoint = new EndpointUnreachableError({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    call: 'CloudFormation DescribeStacks',
    reason: 'connection refused',
    attempts: 3,
    viaEndpointOverride: true,
  });
  expect(CliError.from(endpoint).exitCode).toBe(ExitCode.Failed);
});

it('params files below the CLI throw their own typed errors, not the CLI’s', () => {
  const err = (() => {
    try {
      loadParams('/nonexistent/envs/dev.yaml');
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(ParamsUnreadableError);
  expect(err).not.toBeInstanceOf(CliError);
  expect((err as ParamsUnreadableError).message).toBe(
    'cannot read params file /nonexistent/envs/dev.yaml: no such file',
  );
});
