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
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  AbortedError,
  EndpointUnreachableError,
  NoAccountIdError,
  NoCredentialsError,
  NoRegionError,
  NotAnAwsAnswerError,
} from './errors';

/** How long one attempt of an AWS call may wait for an answer. @see ClientOptions.timeoutMs */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Attempts of one call that fail at the network level (no answer, refused, timed out) before it fails. */
export const NETWORK_ATTEMPTS = 3;

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
  /**
   * Per attempt: the time to connect (at most 5 s) and the time a request may go without an
   * answer. A call whose attempts fail at the network level {@link NETWORK_ATTEMPTS} times fails
   * with {@link EndpointUnreachableError}, so a dead endpoint costs about three timeouts, not ten.
   * @default DEFAULT_TIMEOUT_MS
   */
  timeoutMs?: number;
  /**
   * The run's interrupt (Ctrl-C): calls in flight when it fires are abandoned at once with
   * {@link AbortedError}; calls started afterwards (cancelling an update, releasing the run lock)
   * still go out.
   */
  signal?: AbortSignal;
}

/** The clients one run needs, each built on first use. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly secretsManager: SecretsManagerClient;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** The run lock; Session Manager sessions (`provision tunnel`). */
  readonly ssm: SSMClient;
  readonly autoScaling: AutoScalingClient;
  /** Cluster snapshots a data store is restored from. */
  readonly rds: RDSClient;
  /** Cache snapshots a data store is restored from. */
  readonly elastiCache: ElastiCacheClient;
  /** `provision logs`: log events. */
  readonly logs: CloudWatchLogsClient;
  /** Service-linked roles (preflight). */
  readonly iam: IAMClient;
  /** What the account already holds against its quotas (preflight); `provision tunnel`'s jump box. */
  readonly ec2: EC2Client;
  readonly serviceQuotas: ServiceQuotasClient;
  /** Who is deploying (the EKS creator's access entry). */
  readonly sts: STSClient;
  /** An existing hosted zone's name servers (the delegation check before the certificate). */
  readonly route53: Route53Client;
  /** `provision status`: the states of each app's alarms. */
  readonly cloudWatch: CloudWatchClient;
  /** `provision status`: whether each app's alarm e-mail is confirmed. */
  readonly sns: SNSClient;
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
  requestHandler?: ClientOptions['requestHandler'] | HandlerTimeouts;
  credentials?: ClientOptions['credentials'];
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
}

/** Options of the SDK's Node HTTP handler that bound each attempt (given as a plain object, the SDK builds the handler). */
interface HandlerTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
  socketTimeout: number;
  throwOnRequestTimeout: true;
}

/** The part of an SDK client this module touches. */
interface AnyClient {
  config: { region: () => Promise<string>; credentials: () => Promise<{ accountId?: string }> };
  middlewareStack: {
    add: (mw: never, opts: { step: 'initialize' | 'deserialize'; name: string; priority?: 'high' | 'low' }) => void;
  };
  destroy(): void;
}

/** Builds the clients lazily; nothing is loaded or resolved until a client is used. */
export function createClients(opts: ClientOptions = {}): AwsClients {
  const endpointUrl = opts.endpointUrl ?? (process.env.AWS_ENDPOINT_URL || undefined);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shared = sharedConfig(opts, endpointUrl, timeoutMs);
  const built = new Map<string, AnyClient>();
  const lazy: Lazy = (key, make) => {
    let client = built.get(key);
    if (!client) {
      client = make() as unknown as AnyClient;
      withTypedErrors(client, opts.profile);
      withNetworkBounds(client, { timeoutMs, endpointUrl, signal: opts.signal });
      // S3 serves objects of any type; every other API this tool calls answers in XML or JSON.
      if (key !== 's3') withAwsAnswers(client);
      built.set(key, client);
    }
    return client as unknown as ReturnType<typeof make>;
  };
  // Object.assign leaves the target's getters alone: the clients stay unbuilt until first read.
  const clients: AwsClients = Object.assign(sdkClients(lazy, shared, endpointUrl), {
    endpointUrl,
    region: () => resolveRegion(clients.cloudFormation as unknown as AnyClient),
    accountId: () => resolveAccountId(clients.cloudFormation as unknown as AnyClient, opts.profile, endpointUrl),
    destroy: () => {
      for (const client of built.values()) client.destroy();
      built.clear();
    },
  });
  return clients;
}

/** The SDK config every client shares. Keys left undefined are dropped so the SDK's own defaults apply. */
function sharedConfig(opts: ClientOptions, endpointUrl: string | undefined, timeoutMs: number): SharedConfig {
  return dropUndefined<SharedConfig>({
    region: opts.region,
    profile: opts.profile,
    endpoint: endpointUrl,
    requestHandler: opts.requestHandler ?? {
      connectionTimeout: Math.min(5000, timeoutMs),
      requestTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      throwOnRequestTimeout: true,
    },
    credentials: opts.credentials,
    maxAttempts: opts.maxAttempts ?? 10,
    retryMode: opts.retryMode ?? 'adaptive',
  });
}

/** Returns the client built under `key`, building it with `make` (and the shared middleware) on first use. */
type Lazy = <T>(key: string, make: () => T) => T;

/** The SDK clients of {@link AwsClients}. */
type SdkClients = Omit<AwsClients, 'endpointUrl' | 'region' | 'accountId' | 'destroy'>;

/** One getter per client: its SDK package is loaded and the client built on first read. */
function sdkClients(lazy: Lazy, shared: SharedConfig, endpointUrl: string | undefined): SdkClients {
  return {
    get cloudFormation() {
      return lazy('cfn', () => new (sdk('@aws-sdk/client-cloudformation').CloudFormationClient)(shared));
    },
    get s3() {
      // An emulator serves buckets by path (http://host/bucket/key), not as host names.
      return lazy(
        's3',
        () => new (sdk('@aws-sdk/client-s3').S3Client)({ ...shared, forcePathStyle: endpointUrl !== undefined }),
      );
    },
    get secretsManager() {
      return lazy('sm', () => new (sdk('@aws-sdk/client-secrets-manager').SecretsManagerClient)(shared));
    },
    get ecs() {
      return lazy('ecs', () => new (sdk('@aws-sdk/client-ecs').ECSClient)(shared));
    },
    get ecr() {
      return lazy('ecr', () => new (sdk('@aws-sdk/client-ecr').ECRClient)(shared));
    },
    get elbv2() {
      return lazy(
        'elbv2',
        () => new (sdk('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2Client)(shared),
      );
    },
    get logs() {
      return lazy('logs', () => new (sdk('@aws-sdk/client-cloudwatch-logs').CloudWatchLogsClient)(shared));
    },
    get ssm() {
      return lazy('ssm', () => new (sdk('@aws-sdk/client-ssm').SSMClient)(shared));
    },
    get autoScaling() {
      return lazy('autoscaling', () => new (sdk('@aws-sdk/client-auto-scaling').AutoScalingClient)(shared));
    },
    get rds() {
      return lazy('rds', () => new (sdk('@aws-sdk/client-rds').RDSClient)(shared));
    },
    get elastiCache() {
      return lazy('elasticache', () => new (sdk('@aws-sdk/client-elasticache').ElastiCacheClient)(shared));
    },
    get iam() {
      return lazy('iam', () => new (sdk('@aws-sdk/client-iam').IAMClient)(shared));
    },
    get ec2() {
      return lazy('ec2', () => new (sdk('@aws-sdk/client-ec2').EC2Client)(shared));
    },
    get serviceQuotas() {
      return lazy('quotas', () => new (sdk('@aws-sdk/client-service-quotas').ServiceQuotasClient)(shared));
    },
    get sts() {
      return lazy('sts', () => new (sdk('@aws-sdk/client-sts').STSClient)(shared));
    },
    get route53() {
      return lazy('route53', () => new (sdk('@aws-sdk/client-route-53').Route53Client)(shared));
    },
    get cloudWatch() {
      return lazy('cloudwatch', () => new (sdk('@aws-sdk/client-cloudwatch').CloudWatchClient)(shared));
    },
    get sns() {
      return lazy('sns', () => new (sdk('@aws-sdk/client-sns').SNSClient)(shared));
    },
  };
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
  '@aws-sdk/client-auto-scaling': typeof import('@aws-sdk/client-auto-scaling');
  '@aws-sdk/client-rds': typeof import('@aws-sdk/client-rds');
  '@aws-sdk/client-elasticache': typeof import('@aws-sdk/client-elasticache');
  '@aws-sdk/client-iam': typeof import('@aws-sdk/client-iam');
  '@aws-sdk/client-ec2': typeof import('@aws-sdk/client-ec2');
  '@aws-sdk/client-service-quotas': typeof import('@aws-sdk/client-service-quotas');
  '@aws-sdk/client-sts': typeof import('@aws-sdk/client-sts');
  '@aws-sdk/client-route-53': typeof import('@aws-sdk/client-route-53');
  '@aws-sdk/client-cloudwatch': typeof import('@aws-sdk/client-cloudwatch');
  '@aws-sdk/client-sns': typeof import('@aws-sdk/client-sns');
}

/**
 * An SDK package, loaded at first use. `require` here (not an import at the top) is what keeps the
 * SDK out of `--help`; modules whose calls most runs never make (restoring a snapshot, lifting
 * scale-in protection, watching a service's targets) take their commands from here too, so that a
 * deploy loads only the packages of the calls it makes (each costs 5-40 ms to load).
 */
export function sdk<K extends keyof SdkModules>(name: K): SdkModules[K] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
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
 * A successful HTTP answer that is a web page (a proxy's or captive portal's "200 OK" page where
 * `--endpoint-url` or HTTPS_PROXY leads) is not an AWS answer: the SDK would read it as an empty
 * result (no stacks, nothing in use), and a plan would then show the whole environment as new.
 * Innermost, it sees the raw answer before the SDK parses it; the error is not retried. An answer
 * is taken for a page by its body, not by its type alone: some AWS-compatible servers label their
 * JSON `text/html`. Only such answers are read here, then handed on as read.
 */
function withAwsAnswers(client: AnyClient): void {
  const middleware =
    (next: (args: unknown) => Promise<{ response?: unknown }>) =>
    async (args: unknown): Promise<{ response?: unknown }> => {
      const out = await next(args);
      const response = out.response as
        { statusCode?: number; headers?: Record<string, string>; body?: unknown } | undefined;
      const type = response?.headers?.['content-type'] ?? '';
      if (!response || (response.statusCode ?? 500) >= 300 || !/html/i.test(type)) return out;
      const body = await readAll(response.body);
      if (/^\s*(<!doctype html|<html)/i.test(body.subarray(0, 512).toString('utf8')))
        throw new NotAnAwsAnswerError(response.statusCode, type);
      response.body = body; // the SDK reads a body given as bytes as it reads a stream
      return out;
    };
  client.middlewareStack.add(middleware as never, {
    step: 'deserialize',
    priority: 'low',
    name: 'cfnStagesAwsAnswers',
  });
}

/** A response body, whole (a stream is read to its end, so its connection is let go). */
async function readAll(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Node's codes for a connection that could not be made or was cut (what the SDK itself retries as transient). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** An attempt that got no HTTP answer at all: timed out, refused, reset, or the host is unknown. */
export function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.$metadata?.httpStatusCode !== undefined) return false;
  return e.name === 'TimeoutError' || NETWORK_CODES.has(e.code ?? '');
}

interface NetworkBounds {
  timeoutMs: number;
  endpointUrl?: string;
  signal?: AbortSignal;
}

/** What one call's attempts share (the SDK hands the same context object to every attempt). */
interface CallContext {
  clientName?: string;
  commandName?: string;
  cfnStagesNetworkFailures?: number;
}

/**
 * Bounds each call at the network level, around every attempt (inside the SDK's retry loop):
 * an attempt still in flight when the run is interrupted is abandoned with {@link AbortedError}
 * (not retried); after {@link NETWORK_ATTEMPTS} attempts without an HTTP answer the call fails
 * with {@link EndpointUnreachableError}, naming the endpoint, region and call. The error carries
 * no `cause`, so the SDK does not take it for a transient failure and retry it further.
 */
function withNetworkBounds(client: AnyClient, bounds: NetworkBounds): void {
  const middleware =
    (next: (args: { request?: unknown }) => Promise<unknown>, context: CallContext) =>
    async (args: { request?: unknown }) => {
      const attempt = raceAbort(next(args), bounds.signal);
      try {
        return await attempt;
      } catch (err) {
        if (!isNetworkFailure(err)) throw err;
        const failures = (context.cfnStagesNetworkFailures ?? 0) + 1;
        context.cfnStagesNetworkFailures = failures;
        if (failures < NETWORK_ATTEMPTS) throw err;
        throw new EndpointUnreachableError({
          endpoint: endpointOf(args.request, bounds.endpointUrl),
          region: await client.config.region().catch(() => 'unknown'),
          call: `${(context.clientName ?? '').replace(/Client$/, '')} ${(context.commandName ?? '').replace(/Command$/, '')}`.trim(),
          reason: describeNetworkFailure(err as Error, bounds.timeoutMs),
          attempts: failures,
          viaEndpointOverride: bounds.endpointUrl !== undefined,
        });
      }
    };
  client.middlewareStack.add(middleware as never, { step: 'deserialize', name: 'cfnStagesNetworkBounds' });
}

/** Rejects with AbortedError when the signal fires while the attempt is in flight. */
function raceAbort<T>(attempt: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal || signal.aborted) return attempt;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    attempt.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function endpointOf(request: unknown, override: string | undefined): string {
  const r = request as { protocol?: string; hostname?: string; port?: number } | undefined;
  if (r?.hostname) return `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
  return override ?? 'the AWS endpoint';
}

function describeNetworkFailure(err: Error & { code?: string }, timeoutMs: number): string {
  if (err.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'host name not found';
  return err.code ? `connection failed (${err.code})` : err.message;
}

/**
 * Recognises the SDK's setup failures. The SDK gives no code for a missing region (a plain Error
 * whose message is "Region is missing"), so that one test reads the message.
 */
export function toSetupError(err: unknown, profile?: string): NoCredentialsError | NoRegionError | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'CredentialsProviderError' || err.name === 'TokenProviderError')
    return new NoCredentialsError(profile, err);
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
async function resolveAccountId(
  client: AnyClient,
  profile: string | undefined,
  stsEndpoint: string | undefined,
): Promise<string> {
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
    const { STSClient, GetCallerIdentityCommand } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, as sdk() does
      require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
    const config = client.config as unknown as {
      endpoint?: unknown;
      region: unknown;
      credentials: unknown;
      requestHandler?: unknown;
    };
    const sts = new STSClient({
      region: await (config.region as () => Promise<string>)(),
      credentials: config.credentials as never,
      ...(stsEndpoint ? { endpoint: stsEndpoint } : {}),
    });
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
