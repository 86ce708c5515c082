/**
 * AWS's refusals of the credentials themselves, recognised by the error's name (never its text)
 * whatever service answered, and shown through the CLI's one error path with how to renew them.
 * test/e2e/credentials.test.ts runs the same against the emulator through the built CLI.
 */
import { CredentialsRefusedError, toCredentialsRefused } from '../../src/aws/errors';
import { CliError, ExitCode } from '../../src/cli/errors';

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

test.each([
  ['ExpiredToken', 'CredentialsExpired'],
  ['ExpiredTokenException', 'CredentialsExpired'],
  ['InvalidClientTokenId', 'CredentialsRejected'],
  ['UnrecognizedClientException', 'CredentialsRejected'],
  ['InvalidAccessKeyId', 'CredentialsRejected'],
  ['SignatureDoesNotMatch', 'CredentialsRejected'],
  ['AuthFailure', 'CredentialsRejected'],
])('%s is a refusal of the credentials (%s)', (name, code) => {
  const err = toCredentialsRefused(sdkError(name, 'as AWS says it'));
  expect(err).toBeInstanceOf(CredentialsRefusedError);
  expect(err).toMatchObject({ code, message: expect.stringContaining(`(${name}: as AWS says it)`) });
  const shown = CliError.from(err);
  expect(shown.exitCode).toBe(ExitCode.Failed);
  expect(shown.hint).toMatch(code === 'CredentialsExpired' ? /aws sso login/ : /aws sts get-caller-identity/);
});

test('other errors are left as they are', () => {
  expect(toCredentialsRefused(sdkError('AccessDenied', 'not allowed'))).toBeUndefined();
  expect(toCredentialsRefused(sdkError('ValidationError', 'Stack x does not exist'))).toBeUndefined();
  expect(toCredentialsRefused('ExpiredToken')).toBeUndefined();
});
