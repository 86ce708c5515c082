/**
 * `provision config set` with a key both set (KEY=VALUE) and unset (--unset KEY) is refused from
 * its arguments alone: exit 2 naming the key, before any AWS call. The endpoint here counts the
 * connections made to it and cuts each one (a dead endpoint): the refusal makes none. The same
 * command without the conflict does reach it (answered at once with AccessDenied, so it fails
 * quickly: exit 1), so a refusal that came only after reading the secret would be seen.
 */
import * as net from 'node:net';
import { main } from '../../src/cli/main';

let server: net.Server;
let endpoint: string;
let connections = 0;
/** `dead`: every connection is cut; `deny`: every request gets 403 AccessDenied. */
let mode: 'dead' | 'deny' = 'dead';
const DENIED =
  '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error><RequestId>1</RequestId></ErrorResponse>';
let err: jest.SpyInstance;
const saved = { ...process.env };

beforeAll(async () => {
  server = net.createServer((socket) => {
    connections += 1;
    if (mode === 'dead') return void socket.destroy();
    socket.once('data', () =>
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: ${DENIED.length}\r\nConnection: close\r\n\r\n${DENIED}`,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  connections = 0;
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
  process.exitCode = undefined;
});

const stderr = () => err.mock.calls.map((c) => String(c[0])).join('');
const set = (...args: string[]) =>
  main(['config', 'set', '--params', 'examples/small.yaml', '--app', 'acme', '--aws-timeout', '2', ...args]);

test('a key both set and unset: exit 2 naming the key and the fix, never the value, nothing contacted', async () => {
  mode = 'dead';
  const code = await set('LOG_LEVEL=debug', 'TOKEN=s3cr3t-value', '--unset', 'TOKEN', '--unset', 'OLD');
  expect(code).toBe(2);
  expect(stderr()).toContain('TOKEN: both set and unset in one command');
  expect(stderr()).toContain('give each key either KEY=VALUE or --unset KEY, not both');
  expect(stderr()).not.toContain('s3cr3t');
  expect(connections).toBe(0);
});

test('the same command without the conflict does contact the endpoint (and fails there: exit 1)', async () => {
  mode = 'deny';
  const code = await set('LOG_LEVEL=debug', 'TOKEN=s3cr3t-value', '--unset', 'OLD');
  expect(code).toBe(1);
  expect(connections).toBeGreaterThan(0);
  expect(stderr()).not.toContain('both set and unset');
});
