/**
 * SDK errors whose own text would not tell a person what to do: AWS's refusals of the credentials
 * themselves, recognised by the error's name (never its text) whatever service answered, and
 * answers that are not AWS's at all. test/e2e/credentials.test.ts and test/e2e/not-aws-answer.test.ts
 * run them through the built CLI.
 */
import {
  CredentialsRefusedError,
  explainSdkError,
  NotAnAwsAnswerError,
  toCredentialsRefused,
} from '../../src/aws/errors';
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

describe('explainSdkError', () => {
  const withResponse = (err: Error, fields: Record<string, unknown>) => Object.assign(err, fields);
  const response = (type: string) => ({ statusCode: 403, headers: { 'content-type': type } });

  test('an answer the SDK could not parse (no $fault) is not an AWS answer', () => {
    const err = withResponse(new SyntaxError('Unexpected token <'), { $response: response('text/html') });
    expect(explainSdkError(err)).toBeInstanceOf(NotAnAwsAnswerError);
    expect(explainSdkError(err)?.message).toContain('(HTTP 403, text/html)');
  });

  test("an error status with an HTML page is not AWS's either; AWS's own errors are left as they are", () => {
    const html = withResponse(sdkError('Unknown', 'Unknown'), { $fault: 'client', $response: response('text/html') });
    expect(explainSdkError(html)).toBeInstanceOf(NotAnAwsAnswerError);
    const aws = withResponse(sdkError('AccessDenied', 'no'), { $fault: 'client', $response: response('text/xml') });
    expect(explainSdkError(aws)).toBeUndefined();
    expect(explainSdkError(sdkError('ExpiredToken', 'expired'))).toBeInstanceOf(CredentialsRefusedError);
  });
});
