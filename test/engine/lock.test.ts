/**
 * The run lock against an in-memory SSM that answers as SSM does (PutParameter without Overwrite
 * refused with ParameterAlreadyExists, GetParameter/DeleteParameter of a missing one
 * ParameterNotFound): the emulator test (test/e2e/engine.test.ts) shows two real runs; this one
 * shows the heartbeat, release and unlock rules, with fake timers.
 */
import * as os from 'node:os';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../src/aws/clients';
import { HEARTBEAT_MS, RunLock, STALE_AFTER_MS, lockName, readLock, unlock } from '../../src/deploy/lock';
import { RunLockedError } from '../../src/deploy/errors';

function ssmError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

function memorySsm(): { clients: AwsClients; params: Map<string, string> } {
  const params = new Map<string, string>();
  const send = async (command: unknown) => {
    if (command instanceof PutParameterCommand) {
      const { Name, Value, Overwrite } = command.input;
      if (params.has(Name!) && !Overwrite) throw ssmError('ParameterAlreadyExists');
      params.set(Name!, Value!);
      return {};
    }
    if (command instanceof GetParameterCommand) {
      if (!params.has(command.input.Name!)) throw ssmError('ParameterNotFound');
      return { Parameter: { Value: params.get(command.input.Name!) } };
    }
    if (command instanceof DeleteParameterCommand) {
      if (!params.delete(command.input.Name!)) throw ssmError('ParameterNotFound');
      return {};
    }
    throw new Error('unexpected command');
  };
  return { clients: { ssm: { send } } as unknown as AwsClients, params };
}

const opts = { command: 'deploy', unlockCommand: 'provision unlock --params envs/dev.yaml' };

afterEach(() => jest.useRealTimers());

it('lets one run hold the lock; a second is refused naming the first; release frees it', async () => {
  const { clients, params } = memorySsm();
  const first = await RunLock.acquire(clients, 'x-dev', opts);

  const err = await RunLock.acquire(clients, 'x-dev', { ...opts, command: 'destroy' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunLockedError);
  expect((err as RunLockedError).message).toContain(
    `environment x-dev is busy: \`deploy\` since ${first.holder.since} (host ${os.hostname()}`,
  );
  expect((err as RunLockedError).abandoned).toBeUndefined();
  expect((err as RunLockedError).hint).toContain('provision unlock --params envs/dev.yaml');

  await first.release();
  expect(params.has(lockName('x-dev'))).toBe(false);
  const again = await RunLock.acquire(clients, 'x-dev', opts);
  await again.release();
  await again.release(); // twice is fine
});

it('keeps its heartbeat fresh while it runs, so it never looks abandoned', async () => {
  jest.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12) });
  const { clients } = memorySsm();
  const lock = await RunLock.acquire(clients, 'x-dev', opts);

  await jest.advanceTimersByTimeAsync(STALE_AFTER_MS + HEARTBEAT_MS);

  const holder = await readLock(clients, 'x-dev');
  expect(Date.parse(holder!.heartbeat)).toBeGreaterThan(Date.parse(lock.holder.since) + STALE_AFTER_MS);
  await expect(unlock(clients, 'x-dev', { unlockCommand: opts.unlockCommand })).rejects.toBeInstanceOf(RunLockedError);
  await lock.release();
});

it('reports a lock without heartbeat as abandoned; unlock removes it, or a live one only with --force', async () => {
  const { clients, params } = memorySsm();
  const old = {
    command: 'deploy',
    host: 'ci-runner-7',
    user: 'ci',
    pid: 42,
    since: '2026-01-01T10:00:00.000Z',
    heartbeat: '2026-01-01T10:00:00.000Z',
    runId: 'r1',
  };
  params.set(lockName('x-dev'), JSON.stringify(old));
  const now = new Date('2026-01-01T10:07:00.000Z');

  const err = (await RunLock.acquire(clients, 'x-dev', { ...opts, now: () => now }).catch(
    (e: unknown) => e,
  )) as RunLockedError;
  expect(err.abandoned).toBe('no heartbeat for 7 min');
  expect(err.hint).toBe(
    'if that run is really gone, remove its lock with `provision unlock --params envs/dev.yaml`, then run again',
  );

  expect(await unlock(clients, 'x-dev', { unlockCommand: opts.unlockCommand, now })).toEqual({ removed: old });
  expect(await unlock(clients, 'x-dev', { unlockCommand: opts.unlockCommand, now })).toEqual({});

  params.set(lockName('x-dev'), JSON.stringify({ ...old, heartbeat: '2026-01-01T10:06:30.000Z' }));
  await expect(unlock(clients, 'x-dev', { unlockCommand: opts.unlockCommand, now })).rejects.toBeInstanceOf(
    RunLockedError,
  );
  expect((await unlock(clients, 'x-dev', { unlockCommand: opts.unlockCommand, now, force: true })).removed?.runId).toBe(
    'r1',
  );
});

it('does not delete a lock that is no longer its own (removed with --force and taken by another run)', async () => {
  const { clients, params } = memorySsm();
  const mine = await RunLock.acquire(clients, 'x-dev', opts);
  params.delete(lockName('x-dev'));
  const theirs = await RunLock.acquire(clients, 'x-dev', opts);

  await mine.release();

  expect(JSON.parse(params.get(lockName('x-dev'))!).runId).toBe(theirs.holder.runId);
  await theirs.release();
});
