/**
 * A record, on this machine, of the templates this tool deployed, so that a re-run of an unchanged
 * environment need not read each stack's template back (GetTemplate is most of a no-op's API calls
 * on AWS and of its share of the account's read throttling, and parsing the bodies costs CPU).
 *
 * Each record says: the stack with this StackId, as of this LastUpdatedTime (or CreationTime when
 * it was never updated), holds a template whose SHA-256 is this. It is made when the engine's
 * change set created or updated a stack to `*_COMPLETE` with a body, and when a check read a
 * deployed template and found it equal to the body it would deploy. A later check that reads the
 * same (StackId, time) from DescribeStacks, which it makes anyway, and would deploy a body of the
 * same SHA-256 knows the deployed template without GetTemplate. Any other case reads it as before.
 *
 * Why this is safe: CloudFormation sets LastUpdatedTime on every update of a stack (UpdateStack or
 * an executed change set, successful or rolled back), so its template only changes with a new
 * (StackId, time) pair (and an update that rolls back restores the template it started from, so
 * even a time that did not move would name the right one); a stack deleted and created again has
 * a new StackId. An outside update that runs after this tool's update ends and before its next
 * status read would show its own time there: the engine records nothing when any event it read
 * while it watched carries another operation's ClientRequestToken (CloudFormation gives every
 * event of one operation the token of the call that started it). Only the template is
 * taken from the record: parameters, tags and SSM-resolved values are still compared from
 * DescribeStacks as before, and a stack that is not stable is never taken as unchanged.
 *
 * The record is one small JSON file beside the compile cache (`~/.cache/cfn-stages/records/`, see
 * src/user-cache.ts), moved by `PROVISION_RECORDS=<folder>` and turned off by `PROVISION_RECORDS=0`.
 * It keeps the newest {@link MAX_RECORDS} records, is written once when the process exits (read
 * again and merged, then a temporary file renamed over it: two runs at once both succeed and leave
 * one whole file), and anything unexpected (a corrupt or unreadable file, a failed write) makes it
 * an empty record: it can make a run faster, never fail it or change what it does.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { userCacheFolder, writePrivateFile } from '../user-cache';

/** The environment variable that moves (a folder) or turns off (`0`) the record. */
export const RECORDS_ENV = 'PROVISION_RECORDS';

/** The record keeps this many of its newest entries: a few dozen environments of 64 stacks. */
export const MAX_RECORDS = 2000;

const FORMAT = 1;

/** The record file, or undefined when the record is off (or there is no home to keep it in). */
export function recordsFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const folder = userCacheFolder(RECORDS_ENV, 'records', env);
  return folder && path.join(folder, 'deployed-templates.json');
}

/** SHA-256 of a template body, as recorded. */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The state a record is about: a hash of the stack's id and the time of its last change (kept
 * short and free of account ids). Undefined when either is missing.
 */
export function stateKey(stack: Stack): string | undefined {
  const time = stack.LastUpdatedTime ?? stack.CreationTime;
  const ms = time ? new Date(time).getTime() : NaN;
  if (!stack.StackId || !Number.isFinite(ms)) return undefined;
  return createHash('sha256')
    .update(`${stack.StackId}\n${new Date(ms).toISOString()}`)
    .digest('hex')
    .slice(0, 32);
}

/** One record: the state's key, the SHA-256 of its template body, when it was recorded (ms). */
export type RecordEntry = [key: string, hash: string, at: number];

/** Reads the record file; missing, unreadable or malformed is an empty record. */
export function readRecords(file: string): Map<string, RecordEntry> {
  const entries = new Map<string, RecordEntry>();
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: unknown; records?: unknown };
    if (doc?.format !== FORMAT || !Array.isArray(doc.records)) return entries;
    for (const e of doc.records as unknown[]) {
      if (!Array.isArray(e) || e.length !== 3) continue;
      const [key, hash, at] = e as unknown[];
      if (typeof key === 'string' && typeof hash === 'string' && typeof at === 'number')
        entries.set(key, [key, hash, at]);
    }
  } catch {
    return new Map();
  }
  return entries;
}

/**
 * Writes the record whole (the newest `limit` entries) by a temporary file renamed over it, its
 * folder private to the user. Throws on failure; {@link DeployRecords.save} ignores that.
 */
export function writeRecords(file: string, entries: Iterable<RecordEntry>, limit = MAX_RECORDS): void {
  const newest = [...entries].sort((a, b) => b[2] - a[2]).slice(0, limit);
  writePrivateFile(file, JSON.stringify({ format: FORMAT, records: newest }));
}

/** The record of one process: read at its first use, its additions merged into the file at exit. */
export class DeployRecords {
  private known: Map<string, RecordEntry> | undefined;
  private readonly added = new Map<string, RecordEntry>();
  private saving = false;

  /** `file` undefined: the record is off (knows nothing, keeps nothing). */
  constructor(
    readonly file: string | undefined,
    private readonly limit = MAX_RECORDS,
  ) {}

  /** True when the stack, as read, is recorded to hold a template of exactly this body's SHA-256. */
  knows(stack: Stack, body: string): boolean {
    const key = this.file && stateKey(stack);
    if (!key) return false;
    this.known ??= readRecords(this.file!);
    const entry = this.added.get(key) ?? this.known.get(key);
    return entry?.[1] === bodyHash(body);
  }

  /** Records that the stack, as read, holds a template equal to `body`; saved when the process exits. */
  remember(stack: Stack, body: string): void {
    const key = this.file && stateKey(stack);
    if (!key) return;
    this.added.set(key, [key, bodyHash(body), Date.now()]);
    if (!this.saving) {
      this.saving = true;
      process.once('exit', () => this.save());
    }
  }

  /** Merges this process's records into the file (read afresh: another run may have written). Never throws. */
  save(): void {
    if (!this.file || !this.added.size) return;
    try {
      const merged = readRecords(this.file);
      for (const [key, entry] of this.added) merged.set(key, entry);
      writeRecords(this.file, merged.values(), this.limit);
      this.added.clear();
    } catch {
      // A record that cannot be written (read-only home, full disk) only costs speed.
    }
  }
}

let shared: DeployRecords | undefined;

/** The process's record, at {@link recordsFile} (`PROVISION_RECORDS`, read once). */
export function deployRecords(): DeployRecords {
  shared ??= new DeployRecords(recordsFile());
  return shared;
}
