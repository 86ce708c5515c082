/**
 * Calls bounded at the network level (createClients): attempts that get no HTTP answer are given
 * up after three, with the endpoint, region and call named; an attempt in flight when the run is
 * interrupted is abandoned at once; calls started after the interrupt still go out. The HTTP
 * layer is replaced by a handler that fails or hangs; the SDK's own retry logic runs for real.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createClients, type ClientOptions } from '../../src/aws/clients';
import { AbortedError, EndpointUnreachableError } from '../../src/deploy/errors';

const base = { region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };

function handler(
  handle: (req: { hostname: string; port?: number; protocol: string }) => Promise<unknown>,
): ClientOptions['requestHandler'] {
  return { handle } as unknown as ClientOptions['requestHandler'];
}

it('fails a call after three attempts without an answer, naming endpoint, region, call and fix', async () => {
  let attempts = 0;
  const timeout = handler(async () => {
    attempts += 1;
    throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
  });
  const clients = createClients({
    ...base,
    endpointUrl: 'http://127.0.0.1:4599',
    requestHandler: timeout,
    timeoutMs: 2000,
  });

  const err = await clients.cloudFormation.send(new DescribeStacksCommand({})).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(EndpointUnreachableError);
  expect((err as EndpointUnreachableError).message).toBe(
    'CloudFormation DescribeStacks got no answer from http://127.0.0.1:4599 (region eu-west-1): no answer within 2 s (3 attempts)',
  );
  expect((err as EndpointUnreachableError).hint).toContain('--endpoint-url');
  expect(attempts).toBe(3);
  clients.destroy();
});

it('names the regional endpoint and the region fix when no endpoint was given', async () => {
  const refused = handler(async () => {
    throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  });
  const clients = createClients({ ...base, requestHandler: refused });

  const err = (await clients.cloudFormation
    .send(new DescribeStacksCommand({}))
    .catch((e: unknown) => e)) as EndpointUnreachableError;

  expect(err.message).toBe(
    'CloudFormation DescribeStacks got no answer from https://cloudformation.eu-west-1.amazonaws.com (region eu-west-1): connection refused (3 attempts)',
  );
  expect(err.hint).toContain('--region');
  clients.destroy();
});

it('abandons an attempt in flight when interrupted, and still sends calls made after it', async () => {
  const abort = new AbortController();
  let calls = 0;
  const hangsFirst = handler(() => {
    calls += 1;
    if (calls === 1) return new Promise(() => undefined); // never answers
    return Promise.reject(
      Object.assign(new Error('bad'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }),
    );
  });
  const clients = createClients({
    ...base,
    endpointUrl: 'http://127.0.0.1:4599',
    requestHandler: hangsFirst,
    signal: abort.signal,
  });

  const inFlight = clients.cloudFormation.send(new DescribeStacksCommand({})).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 20));
  abort.abort();
  expect(await inFlight).toBeInstanceOf(AbortedError);
  expect(calls).toBe(1);

  await clients.cloudFormation.send(new DescribeStacksCommand({})).catch(() => undefined);
  expect(calls).toBe(2);
  clients.destroy();
});
