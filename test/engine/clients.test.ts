/**
 * The client factory: lazy SDK loading, endpoint override, typed errors for missing credentials
 * and region, the account id, and throttling retried by the SDK's own retry strategy (against
 * the fake CloudFormation answering HTTP 400 Throttling).
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createClients, type ClientOptions } from '../../src/aws/clients';
import { deployStack } from '../../src/deploy/stack';
import { NoAccountIdError, NoCredentialsError, NoRegionError } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, queues, spec } from './helpers';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  jest.useRealTimers();
});

/** Nothing from this machine's AWS set-up may leak into a test. */
function isolateEnv(): void {
  for (const key of Object.keys(process.env))
    if (key.startsWith('AWS_') && key !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED') delete process.env[key];
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

it('loads an SDK package only when its client is first used', () => {
  jest.isolateModules(() => {
    const loaded: string[] = [];
    for (const pkg of ['@aws-sdk/client-cloudformation', '@aws-sdk/client-s3', '@aws-sdk/client-ecs']) {
      jest.doMock(pkg, () => {
        loaded.push(pkg);
        return jest.requireActual(pkg);
      });
    }
    const { createClients: create } = jest.requireActual(
      '../../src/aws/clients',
    ) as typeof import('../../src/aws/clients');
    const clients = create({ region: 'eu-west-1' });
    expect(loaded).toEqual([]);
    void clients.cloudFormation;
    expect(loaded).toEqual(['@aws-sdk/client-cloudformation']);
    expect(clients.cloudFormation).toBe(clients.cloudFormation);
    clients.destroy();
  });
});

it('sends every call to AWS_ENDPOINT_URL when no endpoint is given', async () => {
  isolateEnv();
  process.env.AWS_ENDPOINT_URL = 'http://localhost:4599';
  const fake = new FakeCloudFormation();
  const hosts: string[] = [];
  const handler = {
    handle: (req: { hostname: string; port?: number }) => (
      hosts.push(`${req.hostname}:${req.port}`),
      fake.handler.handle(req as never)
    ),
  };
  const clients = createClients({
    region: 'eu-west-1',
    requestHandler: handler as unknown as ClientOptions['requestHandler'],
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });

  await clients.cloudFormation.send(new DescribeStacksCommand({}));

  expect(clients.endpointUrl).toBe('http://localhost:4599');
  expect(hosts).toEqual(['localhost:4599']);
});

it('names the fix when there is no region', async () => {
  isolateEnv();
  const clients = createClients({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

  const err = await clients.cloudFormation.send(new DescribeStacksCommand({})).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(NoRegionError);
  expect((err as NoRegionError).hint).toContain('--region');
  await expect(clients.region()).rejects.toBeInstanceOf(NoRegionError);
});

it('names the fix when the credential chain finds nothing', async () => {
  isolateEnv();
  const chainFailure = Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
  const clients = createClients({
    region: 'eu-west-1',
    profile: 'dev',
    credentials: async () => Promise.reject(chainFailure),
  });

  const err = await clients.cloudFormation.send(new DescribeStacksCommand({})).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(NoCredentialsError);
  expect((err as NoCredentialsError).hint).toContain('aws sso login --profile dev');
  expect((err as NoCredentialsError).cause).toBe(chainFailure);
});

it('takes the account id from the credentials, else AWS_ACCOUNT_ID, else says it cannot tell', async () => {
  isolateEnv();
  expect(
    await createClients({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b', accountId: '111122223333' },
    }).accountId(),
  ).toBe('111122223333');
  const plain = createClients({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  await expect(plain.accountId()).rejects.toBeInstanceOf(NoAccountIdError);
  process.env.AWS_ACCOUNT_ID = '444455556666';
  expect(await plain.accountId()).toBe('444455556666');
});

/** Runs `promise` while moving fake time forward, so the SDK's backoff sleeps pass instantly. */
async function withFakeTime<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const done = promise.finally(() => {
    settled = true;
  });
  while (!settled) await jest.advanceTimersByTimeAsync(250);
  return done;
}

describe('throttling', () => {
  it('is retried by the SDK with backoff until the call succeeds', async () => {
    jest.useFakeTimers();
    const fake = new FakeCloudFormation();
    const clients = fakeClients(fake, { maxAttempts: 5 });
    fake.throttle('DescribeStacks', 3);

    const out = await withFakeTime(clients.cloudFormation.send(new DescribeStacksCommand({})));

    expect(out.$metadata.attempts).toBe(4);
    expect(out.$metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(fake.callsOf('DescribeStacks')).toHaveLength(4);
  });

  it('gives up after maxAttempts with the Throttling error', async () => {
    jest.useFakeTimers();
    const fake = new FakeCloudFormation();
    const clients = fakeClients(fake, { maxAttempts: 3 });
    fake.throttle('DescribeStacks', 10);

    const err = await withFakeTime(
      clients.cloudFormation
        .send(new DescribeStacksCommand({}))
        .catch((e: { name: string; $metadata: { attempts: number } }) => e),
    );

    expect(err).toMatchObject({ name: 'Throttling', $metadata: { attempts: 3 } });
  });

  it('does not stop a deploy: throttled polls are retried underneath it', async () => {
    jest.useFakeTimers();
    const fake = new FakeCloudFormation();
    const clients = fakeClients(fake, { maxAttempts: 4 });
    fake.throttle('DescribeStackEvents', 3);
    fake.throttle('CreateChangeSet', 2);

    const result = await withFakeTime(deployStack(clients, spec('x-dev-q', { resources: queues() }), { poll: FAST }));

    expect(result.kind).toBe('created');
    // Each throttled CreateChangeSet retry carried the same token, so only one change set exists.
    const tokens = new Set(fake.callsOf('CreateChangeSet').map((p) => p.ClientToken));
    expect(fake.callsOf('CreateChangeSet')).toHaveLength(3);
    expect(tokens.size).toBe(1);
  });
});
