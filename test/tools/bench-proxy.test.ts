/**
 * The benchmark's timing proxy (tools/bench-proxy.js): it must record what a call is (service,
 * action, the stack it names) and when it reached the proxy and was answered, hold each call for
 * the latency it is given and no less, keep the tool's connection open although the server behind
 * it closes each one, and hand over each call once. The bench's ratio rows rest on these figures.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startProxy } = require('../../tools/bench-proxy.js') as {
  startProxy(target: string, opts?: { latencyMs?: number }): Promise<http.Server>;
};

interface Recorded {
  service: string;
  action: string;
  stack?: string;
  start: number;
  end: number;
}

let upstream: http.Server;
let proxy: http.Server;
let base: string;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  // Answers after 5 ms and closes each connection, as the emulator's server does.
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/xml', connection: 'close' });
        res.end('<ok/>');
      }, 5),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  proxy = await startProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  await new Promise((resolve) => upstream.close(resolve));
});

const SIGNED = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

/** One request through the proxy; resolves with the answer's status, headers and local socket port. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; port: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          port: req.socket?.localPort ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function recorded(): Promise<Recorded[]> {
  return JSON.parse((await send('GET', '/__bench/calls', {})).body) as Recorded[];
}

const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('bench timing proxy', () => {
  it('records a query call by its action and stack, and a JSON call by its target', async () => {
    await recorded(); // nothing before this test
    const before = performance.timeOrigin + performance.now();
    await send(
      'POST',
      '/',
      { ...form, authorization: SIGNED('cloudformation') },
      'Action=CreateChangeSet&StackName=x-demo-network&Version=2010-05-15',
    );
    await send('POST', '/', {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.PutParameter',
      authorization: SIGNED('ssm'),
    });
    const calls = await recorded();
    expect(calls.map(({ service, action, stack }) => ({ service, action, stack }))).toEqual([
      { service: 'cloudformation', action: 'CreateChangeSet', stack: 'x-demo-network' },
      { service: 'ssm', action: 'PutParameter', stack: undefined },
    ]);
    for (const c of calls) {
      expect(c.start).toBeGreaterThanOrEqual(before);
      expect(c.end - c.start).toBeGreaterThanOrEqual(4); // the upstream's 5 ms (timer granularity)
    }
    expect(await recorded()).toEqual([]); // each call is handed over once
  });

  it("keeps the client's connection open although the server behind it closes each one", async () => {
    const first = await send(
      'POST',
      '/',
      { ...form, authorization: SIGNED('cloudformation') },
      'Action=DescribeStacks',
    );
    const second = await send(
      'POST',
      '/',
      { ...form, authorization: SIGNED('cloudformation') },
      'Action=DescribeStacks',
    );
    expect(first.status).toBe(200);
    expect(first.headers.connection).not.toBe('close');
    expect(second.port).toBe(first.port);
  });

  it('holds each call for the latency it is given, and counts it in the call', async () => {
    await send('POST', '/__bench/latency?ms=40', {});
    try {
      await recorded();
      const t = performance.now();
      await send('POST', '/', { ...form, authorization: SIGNED('cloudformation') }, 'Action=DescribeStacks');
      expect(performance.now() - t).toBeGreaterThanOrEqual(40);
      const [call] = await recorded();
      expect(call.end - call.start).toBeGreaterThanOrEqual(40);
    } finally {
      await send('POST', '/__bench/latency?ms=0', {});
    }
  });
});
