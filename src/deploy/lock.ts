/**
 * One run at a time per environment. A run that changes an environment (deploy, destroy,
 * release, config writes) first creates the SSM parameter `/cfn-stages/<prefix><env>/lock`
 * with PutParameter and Overwrite off: SSM creates a parameter atomically, so of two runs
 * exactly one succeeds; the other gets ParameterAlreadyExists, reads who holds the lock and is
 * refused at once ({@link RunLockedError}). The value says which command, since when and from
 * where (host, user, pid); the holder rewrites it every {@link HEARTBEAT_MS} (a heartbeat) and
 * deletes it when done, also after a failure or Ctrl-C.
 *
 * A run that crashed (killed, machine gone) leaves its lock. It is reported as abandoned when
 * its heartbeat is older than {@link STALE_AFTER_MS}, or when it was taken on this host by a
 * process that no longer exists; `provision unlock --params F` then removes it (`--force` for a
 * lock that still looks alive). Nothing takes an abandoned lock over by itself: SSM has no
 * conditional write, so two runs taking over at once could both believe they hold it.
 */
import * as os from 'node:os';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../aws/clients';
import { RunLockedError, type LockHolder } from './errors';
import { uniqueName } from './cloudformation';

/** How often the holder refreshes its heartbeat. */
export const HEARTBEAT_MS = 30_000;
/** A heartbeat older than this marks a lock as abandoned. */
export const STALE_AFTER_MS = 5 * 60_000;

/** The lock's SSM parameter name for an environment (`<prefix><environment>`, e.g. `x-dev`). */
export function lockName(environment: string): string {
  return `/cfn-stages/${environment}/lock`;
}

export interface LockOptions {
  /** The command as people would type it, e.g. `deploy`. */
  command: string;
  /** Shown in the refusal, e.g. `provision unlock --params envs/dev.yaml`. */
  unlockCommand: string;
  /** @default HEARTBEAT_MS */
  heartbeatMs?: number;
  now?: () => Date;
}

/** A held lock: {@link release} it when the run ends. */
export class RunLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    private readonly clients: AwsClients,
    readonly name: string,
    readonly holder: LockHolder,
  ) {}

  /** Takes the environment's lock or throws {@link RunLockedError} naming the run that holds it. */
  static async acquire(clients: AwsClients, environment: string, opts: LockOptions): Promise<RunLock> {
    const now = opts.now ?? (() => new Date());
    const stamp = now().toISOString();
    const holder: LockHolder = {
      command: opts.command,
      host: os.hostname(),
      user: userName(),
      pid: process.pid,
      since: stamp,
      heartbeat: stamp,
      runId: uniqueName(),
    };
    const name = lockName(environment);
    try {
      await clients.ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: JSON.stringify(holder),
          Type: 'String',
          Overwrite: false,
          Description: 'cfn-stages: one run at a time for this environment',
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ParameterAlreadyExists') throw err;
      const current = await readLock(clients, environment);
      throw new RunLockedError(
        environment,
        current,
        current ? abandonedBecause(current, now()) : undefined,
        opts.unlockCommand,
      );
    }
    const lock = new RunLock(clients, name, holder);
    lock.timer = setInterval(() => void lock.beat(now), opts.heartbeatMs ?? HEARTBEAT_MS);
    lock.timer.unref();
    return lock;
  }

  /** Rewrites the heartbeat, unless the lock is no longer ours (removed with unlock --force). */
  private async beat(now: () => Date): Promise<void> {
    try {
      const current = await readLockByName(this.clients, this.name);
      if (this.released || current?.runId !== this.holder.runId) return;
      const value = { ...this.holder, heartbeat: now().toISOString() };
      await this.clients.ssm.send(
        new PutParameterCommand({ Name: this.name, Value: JSON.stringify(value), Type: 'String', Overwrite: true }),
      );
    } catch {
      // A missed heartbeat only makes the lock look older; the next one tries again.
    }
  }

  /** Deletes the lock if it is still ours. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    const current = await readLockByName(this.clients, this.name);
    if (current?.runId === this.holder.runId) await deleteParameter(this.clients, this.name);
  }
}

/** The holder of an environment's lock, or undefined when it is free. */
export async function readLock(clients: AwsClients, environment: string): Promise<LockHolder | undefined> {
  return readLockByName(clients, lockName(environment));
}

async function readLockByName(clients: AwsClients, name: string): Promise<LockHolder | undefined> {
  let value: string | undefined;
  try {
    value = (await clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (err) {
    if ((err as Error).name === 'ParameterNotFound') return undefined;
    throw err;
  }
  try {
    return JSON.parse(value ?? '') as LockHolder;
  } catch {
    return {
      command: 'unknown',
      host: 'unknown',
      user: 'unknown',
      pid: 0,
      since: 'unknown',
      heartbeat: '1970-01-01T00:00:00.000Z',
      runId: 'unreadable',
    };
  }
}

async function deleteParameter(clients: AwsClients, name: string): Promise<void> {
  try {
    await clients.ssm.send(new DeleteParameterCommand({ Name: name }));
  } catch (err) {
    if ((err as Error).name !== 'ParameterNotFound') throw err;
  }
}

/** Why a lock looks abandoned, or undefined while it looks alive. */
export function abandonedBecause(holder: LockHolder, now: Date): string | undefined {
  const age = now.getTime() - Date.parse(holder.heartbeat);
  if (!(age < STALE_AFTER_MS))
    return `no heartbeat for ${Number.isFinite(age) ? `${Math.round(age / 60_000)} min` : 'ever'}`;
  if (holder.host === os.hostname() && holder.pid > 0 && !processExists(holder.pid))
    return `process ${holder.pid} no longer runs on ${holder.host}`;
  return undefined;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export interface UnlockResult {
  /** The lock that was removed (undefined: there was none). */
  removed?: LockHolder;
}

/**
 * Removes an environment's lock (`provision unlock`). Refuses ({@link RunLockedError}) while the
 * lock looks alive, unless forced.
 */
export async function unlock(
  clients: AwsClients,
  environment: string,
  opts: { force?: boolean; unlockCommand: string; now?: Date },
): Promise<UnlockResult> {
  const holder = await readLock(clients, environment);
  if (!holder) return {};
  const abandoned = abandonedBecause(holder, opts.now ?? new Date());
  if (!abandoned && !opts.force) throw new RunLockedError(environment, holder, undefined, opts.unlockCommand);
  await deleteParameter(clients, lockName(environment));
  return { removed: holder };
}
