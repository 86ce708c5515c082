/**
 * What the first Ctrl-C says depends on the command: one that only reads (plan, status, outputs,
 * logs) changes nothing, and says so; one that has gone for its environment's lock (deploy,
 * destroy, release, config) speaks of the stacks it may be changing and of the lock. In-process:
 * SIGINT is emitted to the process's listeners, process.exit is held.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { openContext, withRunLock } from '../../src/run/context';

const SMALL = path.join(__dirname, '..', '..', 'examples', 'small.yaml');

let err: jest.SpyInstance;
let exit: jest.SpyInstance;
let silent: net.Server;
let endpoint: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  // An endpoint that takes each connection and never answers: a call stays in flight until aborted.
  silent = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

beforeEach(() => {
  err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
});

afterEach(() => {
  err.mockRestore();
  exit.mockRestore();
});

const stderr = () => err.mock.calls.map((c) => String(c[0])).join('');
const global = () => ({ json: true, endpointUrl: endpoint, region: 'us-east-1' });

it('a command that only reads says it changes nothing', async () => {
  const ctx = await openContext(SMALL, global());
  try {
    process.emit('SIGINT');
    expect(stderr()).toContain('interrupted: AWS calls in flight are abandoned; this command changes nothing.');
    expect(stderr()).not.toContain('running updates are cancelled');
    expect(ctx.signal?.aborted).toBe(true);
  } finally {
    ctx.clients.destroy();
  }
});

it('a command that has gone for its lock speaks of its stacks and its lock', async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const ctx = await openContext(SMALL, global());
  try {
    const locking = withRunLock(ctx, 'deploy', async () => undefined);
    locking.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the lock's call is in flight, unanswered
    process.emit('SIGINT');
    await expect(locking).rejects.toThrow();
    expect(stderr()).toContain('no new stacks start; running updates are cancelled (they roll back)');
    expect(stderr()).not.toContain('this command changes nothing');
  } finally {
    ctx.clients.destroy();
  }
});
