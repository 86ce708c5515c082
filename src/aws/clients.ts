/**
 * The AWS client factory. One place decides credentials, region, endpoint and retries for every
 * client, and each SDK package is loaded only when its client is first used, so `--help` and
 * `synth` never pay for the SDK (about 0.1 s per client package).
 *
 * Credentials and region come from the SDK's standard chain (flags, AWS_PROFILE, environment
 * variables, ~/.aws/config, SSO); `endpointUrl` or AWS_ENDPOINT_URL sends every call to one
 * endpoint (a local emulator). Throttling is retried by the SDK's own adaptive retry strategy
 * (backoff, and a send rate that drops after throttling); nothing in the engine wraps SDK calls in a second retry loop.
 */
import type { CloudFormationClient, CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { NoAccountIdError, NoCredentialsError, NoRegionError } from '../deploy/errors';

export interface ClientOptions {
  /** @default the SDK chain: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region */
  region?: string;
  /** Named profile from ~/.aws/config and ~/.aws/credentials. @default AWS_PROFILE, then `default` */
  profile?: string;
  /** Send every call here (e.g. `http://127.0.0.1:5000`). @default AWS_ENDPOINT_URL */
  endpointUrl?: string;
  /** Replaces the HTTP layer (tests plug a fake CloudFormation in here; everything above it runs for real). */
  requestHandler?: CloudFormationClientConfig['requestHandler'];
  /** Fixed credentials or a provider; normally left to the SDK chain. */
  credentials?: CloudFormationClientConfig['credentials'];
  /** Attempts per call, retries included. @default 10 */
  maxAttempts?: number;
  /**
   * `standard`: exponential backoff with jitter on throttling and transient errors.
   * `adaptive`: also slows this client's send rate after throttling. CloudFormation's read APIs
   * are throttled per account, and one run's stacks (and other runs in the account) share that
   * budget, so every client slows down rather than fails.
   * @default 'adaptive'
   */
  retryMode?: 'standard' | 'adaptive';
}

/** The clients one run needs, each built on first use. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly secretsManager: SecretsManagerClient;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** `provision logs`, `exec`, `tunnel`: log events, Session Manager sessions, jump-box instances. */
  readonly logs: CloudWatchLogsClient;
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  /** The endpoint override in force (flag or AWS_ENDPOINT_URL), if any. */
  readonly endpointUrl?: string;
  /** The region every client uses; throws {@link NoRegionError} when there is none. */
  region(): Promise<string>;
  /** The account of the credentials; throws {@link NoCredentialsError} / {@link NoAccountIdError}. */
  accountId(): Promise<string>;
  /** Closes the HTTP connections of the clients that were built. */
  destroy(): void;
}

/** The clients' common constructor options, i.e. the SDK config every client shares. */
interface SharedConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  requestHandler?: ClientOptions['requestHandler'];
  credentials?: ClientOptions['credentials'];
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
}

/** The part of an SDK client this module touches. */
interface AnyClient {
  config: { region: () => Promise<string>; credentials: () => Promise<{ accountId?: string }> };
  middlewareStack: { add: (mw: never, opts: { step: 'initialize'; name: string }) => void };
  destroy(): void;
}

/** Builds the clients lazily; nothing is loaded or resolved until a client is used. */
export function createClients(opts: ClientOptions = {}): AwsClients {
  const endpointUrl = opts.endpointUrl ?? (process.env.AWS_ENDPOINT_URL || undefined);
  // Keys left undefined are dropped so the SDK's own defaults apply to them.
  const shared = dropUndefined<SharedConfig>({
    region: opts.region,
    profile: opts.profile,
    endpoint: endpointUrl,
    requestHandler: opts.requestHandler,
    credentials: opts.credentials,
    maxAttempts: opts.maxAttempts ?? 10,
    retryMode: opts.retryMode ?? 'adaptive',
  });
  const built = new Map<string, AnyClient>();
  const lazy = <T>(key: string, make: () => T): T => {
    let client = built.get(key);
    if (!client) {
      client = make() as unknown as AnyClient;
      withTypedErrors(client, opts.profile);
      built.set(key, client);
    }
    return client as unknown as T;
  };
  const clients: AwsClients = {
    endpointUrl,
    get cloudFormation() {
      return lazy('cfn', () => new (load('@aws-sdk/client-cloudformation').CloudFormationClient)(shared));
    },
    get s3() {
      // An emulator serves buckets by path (http://host/bucket/key), not as host names.
      return lazy('s3', () => new (load('@aws-sdk/client-s3').S3Client)({ ...shared, forcePathStyle: endpointUrl !== undefined }));
    },
    get secretsManager() {
      return lazy('sm', () => new (load('@aws-sdk/client-secrets-manager').SecretsManagerClient)(shared));
    },
    get ecs() {
      return lazy('ecs', () => new (load('@aws-sdk/client-ecs').ECSClient)(shared));
    },
    get ecr() {
      return lazy('ecr', () => new (load('@aws-sdk/client-ecr').ECRClient)(shared));
    },
    get elbv2() {
      return lazy('elbv2', () => new (load('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2Client)(shared));
    },
    get logs() {
      return lazy('logs', () => new (load('@aws-sdk/client-cloudwatch-logs').CloudWatchLogsClient)(shared));
    },
    get ssm() {
      return lazy('ssm', () => new (load('@aws-sdk/client-ssm').SSMClient)(shared));
    },
    get ec2() {
      return lazy('ec2', () => new (load('@aws-sdk/client-ec2').EC2Client)(shared));
    },
    region: () => resolveRegion(clients.cloudFormation as unknown as AnyClient),
    accountId: () => resolveAccountId(clients.cloudFormation as unknown as AnyClient, opts.profile, endpointUrl),
    destroy: () => {
      for (const client of built.values()) client.destroy();
      built.clear();
    },
  };
  return clients;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

interface SdkModules {
  '@aws-sdk/client-cloudformation': typeof import('@aws-sdk/client-cloudformation');
  '@aws-sdk/client-s3': typeof import('@aws-sdk/client-s3');
  '@aws-sdk/client-secrets-manager': typeof import('@aws-sdk/client-secrets-manager');
  '@aws-sdk/client-ecs': typeof import('@aws-sdk/client-ecs');
  '@aws-sdk/client-ecr': typeof import('@aws-sdk/client-ecr');
  '@aws-sdk/client-elastic-load-balancing-v2': typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  '@aws-sdk/client-cloudwatch-logs': typeof import('@aws-sdk/client-cloudwatch-logs');
  '@aws-sdk/client-ssm': typeof import('@aws-sdk/client-ssm');
  '@aws-sdk/client-ec2': typeof import('@aws-sdk/client-ec2');
}

/** `require` at first use (not an import at the top) is what keeps the SDK out of `--help`. */
function load<K extends keyof SdkModules>(name: K): SdkModules[K] {
  return require(name) as SdkModules[K];
}

/**
 * Turns the SDK's "no credentials" and "no region" failures into typed errors that name the fix.
 * The middleware sits at the initialize step, outside region resolution and signing, so it sees
 * both whichever command fails first.
 */
function withTypedErrors(client: AnyClient, profile: string | undefined): void {
  const middleware = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    try {
      return await next(args);
    } catch (err) {
      throw toSetupError(err, profile) ?? err;
    }
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'cfnStagesSetupErrors' });
}

/**
 * Recognises the SDK's setup failures. The SDK gives no code for a missing region (a plain Error
 * whose message is "Region is missing"), so that one test reads the message.
 */
export function toSetupError(err: unknown, profile?: string): NoCredentialsError | NoRegionError | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'CredentialsProviderError' || err.name === 'TokenProviderError') return new NoCredentialsError(profile, err);
  if (err.message === 'Region is missing') return new NoRegionError(err);
  return undefined;
}

async function resolveRegion(client: AnyClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (err) {
    throw toSetupError(err) ?? err;
  }
}

/**
 * The account from the credentials themselves: SSO, `aws_account_id` in a profile and
 * AWS_ACCOUNT_ID all carry it. Credentials without it (plain access keys) need STS, which is
 * not among this project's SDK packages: the caller then names the account or the bucket.
 */
async function resolveAccountId(client: AnyClient, profile: string | undefined, stsEndpoint: string | undefined): Promise<string> {
  let identity: { accountId?: string };
  try {
    identity = await client.config.credentials();
  } catch (err) {
    throw toSetupError(err, profile) ?? err;
  }
  if (identity.accountId) return identity.accountId;
  const fromEnv = process.env.AWS_ACCOUNT_ID;
  if (fromEnv) return fromEnv;
  // Plain access keys do not carry the account: ask STS, with the same endpoint, region and
  // credentials as the other clients (so an emulator answers it too).
  try {
    const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
    const config = client.config as unknown as { endpoint?: unknown; region: unknown; credentials: unknown; requestHandler?: unknown };
    const sts = new STSClient({ region: await (config.region as () => Promise<string>)(), credentials: config.credentials as never, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) });
    try {
      const who = await sts.send(new GetCallerIdentityCommand({}));
      if (who.Account) return who.Account;
    } finally {
      sts.destroy();
    }
  } catch (err) {
    throw toSetupError(err, profile) ?? new NoAccountIdError();
  }
  throw new NoAccountIdError();
}
