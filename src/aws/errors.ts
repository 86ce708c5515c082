/**
 * Errors of the AWS client factory (./clients.ts), met by every command that calls AWS: no
 * credentials, no region, no account id, an endpoint that does not answer, and a call abandoned
 * because the run was interrupted. Typed as src/errors.ts says: a code to match on and a hint.
 */
import { ToolError, type Outcome } from '../errors';

/** Every condition the client factory reports by throwing. */
export type AwsErrorCode =
  | 'NoCredentials'
  | 'CredentialsExpired'
  | 'CredentialsRejected'
  | 'NoRegion'
  | 'NoAccountId'
  | 'EndpointUnreachable'
  | 'NotAnAwsAnswer'
  | 'Aborted';

/** Base of the client factory's errors. */
export class AwsError extends ToolError<AwsErrorCode> {}

/** The SDK's credential chain found nothing (no profile, no env keys, no SSO session). */
export class NoCredentialsError extends AwsError {
  constructor(profile: string | undefined, cause?: unknown) {
    super(
      'NoCredentials',
      profile ? `no usable AWS credentials for profile "${profile}"` : 'no AWS credentials found',
      profile
        ? `check the profile in ~/.aws/config; for SSO run \`aws sso login --profile ${profile}\``
        : 'pass --profile NAME (or set AWS_PROFILE), run `aws sso login` for an SSO profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      { cause },
    );
  }
}

/** AWS's error names for temporary credentials past their expiry (query, JSON and S3 protocols). */
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpiredToken']);

/** AWS's error names for credentials it does not know or whose signature does not match. */
const REJECTED = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'AuthFailure',
]);

/**
 * AWS refused the credentials themselves, whatever the call: an expired session (SSO, assumed role,
 * session keys) or a key it does not know. The SDK reports it as an error of the call, named by
 * the service; this names the cause and the way out (the call is in the message, as AWS gave it).
 */
export class CredentialsRefusedError extends AwsError {
  constructor(expired: boolean, awsText: string, cause?: unknown) {
    super(
      expired ? 'CredentialsExpired' : 'CredentialsRejected',
      `AWS refused the credentials${expired ? ': they have expired' : ''} (${awsText})`,
      expired
        ? 'refresh them and run the same command again: `aws sso login` (with --profile NAME for a profile), or new AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN'
        : 'check the access key and secret in use (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the profile given with --profile or AWS_PROFILE); `aws sts get-caller-identity` shows which ones these are',
      { cause },
    );
  }
}

/** The typed error for an SDK error that refuses the credentials (matched on AWS's error name), else undefined. */
export function toCredentialsRefused(err: unknown): CredentialsRefusedError | undefined {
  if (!(err instanceof Error)) return undefined;
  const expired = EXPIRED.has(err.name);
  if (!expired && !REJECTED.has(err.name)) return undefined;
  return new CredentialsRefusedError(expired, `${err.name}: ${err.message}`, err);
}

/**
 * The endpoint answered, but not as an AWS API does (an HTML page from a proxy or a web server
 * where `--endpoint-url` points), so the SDK could not read it. Its own message is meant for
 * programmers ("inspect the hidden field {error}.$response"); this says what answered and where to look.
 */
export class NotAnAwsAnswerError extends AwsError {
  constructor(status: number | undefined, contentType: string | undefined, cause?: unknown) {
    super(
      'NotAnAwsAnswer',
      `the AWS endpoint's answer is not an AWS API response (HTTP ${status ?? '?'}${contentType ? `, ${contentType}` : ''})`,
      'check --endpoint-url (or AWS_ENDPOINT_URL) and any proxy (HTTPS_PROXY): they must lead to AWS or an AWS emulator',
      { cause },
    );
  }
}

/**
 * What an SDK error means for the person running the command, where the call's own error would not
 * tell them: credentials AWS refuses ({@link toCredentialsRefused}), or an answer that is not AWS's
 * (the SDK keeps the raw answer in a hidden `$response`: one it could not parse has no `$fault`,
 * and AWS answers in XML or JSON, never an HTML page). Undefined for anything else.
 */
export function explainSdkError(err: unknown): AwsError | undefined {
  const refused = toCredentialsRefused(err);
  if (refused || !(err instanceof Error)) return refused;
  const e = err as Error & { $fault?: unknown; $response?: { statusCode?: number; headers?: Record<string, string> } };
  if (!e.$response) return undefined;
  const type = e.$response.headers?.['content-type'];
  // AWS answers in XML or JSON; an error the SDK could not even parse has no $fault.
  const notAws = e.$fault === undefined || (type !== undefined && !/xml|json/i.test(type));
  return notAws ? new NotAnAwsAnswerError(e.$response.statusCode, type, err) : undefined;
}

/** No region from the flag, the params file, AWS_REGION / AWS_DEFAULT_REGION or the profile. */
export class NoRegionError extends AwsError {
  constructor(cause?: unknown) {
    super(
      'NoRegion',
      'no AWS region given',
      'pass --region REGION, set region in the params file, set AWS_REGION, or add `region = ...` to your profile in ~/.aws/config',
      { cause },
    );
  }
}

/** The account id is needed (artifact bucket name) and the credentials do not say it. */
export class NoAccountIdError extends AwsError {
  constructor(cause?: unknown) {
    super(
      'NoAccountId',
      'cannot tell which AWS account these credentials belong to',
      'set AWS_ACCOUNT_ID, or name the artifact bucket explicitly',
      { cause },
    );
  }
}

/** The abort signal fired while nothing could be cancelled or detached (e.g. between API calls). */
export class AbortedError extends AwsError {
  constructor(stackName?: string) {
    super('Aborted', stackName ? `interrupted while working on ${stackName}` : 'interrupted');
    this.stackName = stackName;
  }

  /** The stack being worked on when the signal fired, if any. */
  readonly stackName?: string;

  override get outcome(): Outcome {
    return 'interrupted';
  }
}

/** What {@link EndpointUnreachableError} says about the call that got no answer. */
export interface UnreachableCall {
  /** e.g. `https://cloudformation.eu-west-1.amazonaws.com` or the `--endpoint-url` given. */
  endpoint: string;
  region: string;
  /** Service and operation, e.g. `CloudFormation DescribeStacks`. */
  call: string;
  /** `no answer within 30 s`, `connection refused`... */
  reason: string;
  attempts: number;
  /** The endpoint came from --endpoint-url / AWS_ENDPOINT_URL rather than the region. */
  viaEndpointOverride: boolean;
}

/** A call got no HTTP answer in any of its attempts (endpoint down, hung, unknown, or unreachable). */
export class EndpointUnreachableError extends AwsError {
  constructor(readonly detail: UnreachableCall) {
    super(
      'EndpointUnreachable',
      `${detail.call} got no answer from ${detail.endpoint} (region ${detail.region}): ${detail.reason} (${detail.attempts} attempts)`,
      detail.viaEndpointOverride
        ? 'check that the endpoint given with --endpoint-url (or AWS_ENDPOINT_URL) is running and right, or drop it to reach AWS itself; --aws-timeout SECONDS waits longer'
        : "check your network or proxy, the region (--region, the params file's region, AWS_REGION) and your credentials (--profile); --endpoint-url sends calls elsewhere; --aws-timeout SECONDS waits longer",
    );
  }
}

/**
 * AWS refused the call for lack of permission: `AccessDenied` (S3, Route 53),
 * `AccessDeniedException` (JSON-protocol services), or any HTTP 403.
 */
export function isAccessDenied(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'AccessDenied' || e?.name === 'AccessDeniedException' || e?.$metadata?.httpStatusCode === 403;
}
