/**
 * The record of deployed templates (src/deploy/records.ts): what a record is keyed by, its bound,
 * a corrupt or unwritable file, several processes writing it at once, and the no-op check reading
 * a template back only when the record does not know it. The end-to-end side (the real CLI on the
 * emulator, stacks changed from outside) is test/e2e/no-op-records.test.ts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';

// This file's own record for the process-wide one the no-op check uses (test/setup.ts turns it off).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-records-unit-'));
process.env.PROVISION_RECORDS = path.join(tmp, 'shared');

import {
  bodyHash,
  DeployRecords,
  deployRecords,
  MAX_RECORDS,
  readRecords,
  recordsFile,
  stateKey,
  writeRecords,
  type RecordEntry,
} from '../../src/deploy/records';
import { isUnchanged } from '../../src/deploy/unchanged';
import type { StackSpec } from '../../src/deploy/types';

afterAll(() => {
  deployRecords().save(); // now, not at the process's exit, after the folder is gone
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/x-dev-network/1';
const created = new Date('2026-01-01T00:00:00.000Z');
const stack = (over: Partial<Stack> = {}): Stack => ({
  StackName: 'x-dev-network',
  StackId: ID,
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: created,
  ...over,
});
let n = 0;
const fileIn = () => path.join(tmp, `case-${++n}`, 'deployed-templates.json');

describe('keys and hashes', () => {
  it('hashes a body with SHA-256', () => {
    expect(bodyHash('{"Resources":{}}')).toBe(createHash('sha256').update('{"Resources":{}}').digest('hex'));
    expect(bodyHash('a')).not.toBe(bodyHash('b'));
  });

  it('keys a stack by its id and the time of its last change, to the millisecond', () => {
    const updated = new Date('2026-01-02T00:00:00.001Z');
    expect(stateKey(stack())).toBe(stateKey(stack({ StackStatus: 'UPDATE_COMPLETE' })));
    expect(stateKey(stack({ StackId: `${ID}b` }))).not.toBe(stateKey(stack()));
    expect(stateKey(stack({ LastUpdatedTime: updated }))).not.toBe(stateKey(stack()));
    expect(stateKey(stack({ LastUpdatedTime: updated }))).not.toBe(
      stateKey(stack({ LastUpdatedTime: new Date('2026-01-02T00:00:00.002Z') })),
    );
    expect(stateKey(stack({ StackId: undefined }))).toBeUndefined();
    expect(stateKey(stack({ CreationTime: undefined }))).toBeUndefined();
  });

  it('lives under the user cache folder, moved or turned off by PROVISION_RECORDS', () => {
    expect(recordsFile({ XDG_CACHE_HOME: '/c' })).toBe('/c/cfn-stages/records/deployed-templates.json');
    expect(recordsFile({ PROVISION_RECORDS: '/r', XDG_CACHE_HOME: '/c' })).toBe('/r/deployed-templates.json');
    expect(recordsFile({ PROVISION_RECORDS: '0', XDG_CACHE_HOME: '/c' })).toBeUndefined();
  });
});

describe('DeployRecords', () => {
  it('knows a remembered body for that stack state only, in this process and the next', () => {
    const file = fileIn();
    const records = new DeployRecords(file);
    records.remember(stack(), 'body-a');
    expect(records.knows(stack(), 'body-a')).toBe(true);
    expect(records.knows(stack(), 'body-b')).toBe(false);
    expect(records.knows(stack({ LastUpdatedTime: new Date('2026-01-03T00:00:00Z') }), 'body-a')).toBe(false);
    expect(records.knows(stack({ StackId: `${ID}-again` }), 'body-a')).toBe(false);
    records.save();
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(new DeployRecords(file).knows(stack(), 'body-a')).toBe(true);
  });

  it('keeps the newest records up to its bound', () => {
    const file = fileIn();
    const entries: RecordEntry[] = Array.from({ length: 5 }, (_, i) => [`k${i}`, `h${i}`, 1000 + i]);
    writeRecords(file, entries, 3);
    expect([...readRecords(file).keys()].sort()).toEqual(['k2', 'k3', 'k4']);
    expect(MAX_RECORDS).toBeGreaterThanOrEqual(1000);
    // A save merges with what is there and keeps the bound.
    const records = new DeployRecords(file, 3);
    records.remember(stack(), 'body');
    records.save();
    const kept = readRecords(file);
    expect(kept.size).toBe(3);
    expect(kept.has(stateKey(stack())!)).toBe(true);
  });

  it.each([
    ['not JSON', '{"format":1,"records":[["trunc'],
    ['another format', JSON.stringify({ format: 99, records: [] })],
    ['malformed entries', JSON.stringify({ format: 1, records: [[1, 2], 'x', null] })],
    ['empty', ''],
  ])('reads a file that is %s as an empty record, and replaces it whole', (_, content) => {
    const file = fileIn();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    const records = new DeployRecords(file);
    expect(records.knows(stack(), 'body')).toBe(false);
    records.remember(stack(), 'body');
    records.save();
    expect(new DeployRecords(file).knows(stack(), 'body')).toBe(true);
  });

  it('ignores a write that fails, and knows nothing when off', () => {
    const blocker = path.join(tmp, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const records = new DeployRecords(path.join(blocker, 'deployed-templates.json'));
    records.remember(stack(), 'body');
    expect(() => records.save()).not.toThrow();
    const off = new DeployRecords(undefined);
    off.remember(stack(), 'body');
    expect(off.knows(stack(), 'body')).toBe(false);
  });

  it('leaves one whole file when several processes write at once', async () => {
    const file = fileIn();
    // Each writer (the built module): 300 records of its own, saved 5 times over (each save reads,
    // merges, renames).
    const writer = `
      const { DeployRecords } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/deploy/records.js'))});
      const me = process.argv[1];
      for (let round = 0; round < 5; round++) {
        const r = new DeployRecords(${JSON.stringify(file)});
        for (let i = 0; i < 300; i++)
          r.remember({ StackId: 'stack-' + me + '-' + i, CreationTime: new Date(Date.UTC(2026, 0, 1, 0, 0, round)) }, 'b' + i);
        r.save();
      }
    `;
    const run = promisify(execFile);
    await Promise.all([1, 2, 3, 4].map((w) => run(process.execPath, ['-e', writer, String(w)])));
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: number; records: unknown[] };
    expect(doc.format).toBe(1);
    expect(readRecords(file).size).toBe(doc.records.length);
    expect(doc.records.length).toBeGreaterThanOrEqual(300);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['deployed-templates.json']);
  }, 60_000);
});

describe('the no-op check', () => {
  const spec: StackSpec = {
    name: 'x-dev-network',
    templateId: '11.env-network',
    templateBody: JSON.stringify({ Parameters: { Prefix: { Type: 'String' } }, Resources: {} }),
    parameters: { Prefix: 'x-' },
    tags: {},
    dependsOn: [],
    capabilities: [],
  };
  const deployed = (over: Partial<Stack> = {}) =>
    stack({ Parameters: [{ ParameterKey: 'Prefix', ParameterValue: 'x-' }], ...over });
  const cfn = {} as CloudFormationClient;
  const noSsm = async () => new Map<string, string>();

  it('reads a template back until the record knows it, then not for that stack state', async () => {
    const read = jest.fn(async () => spec.templateBody);
    expect(await isUnchanged(cfn, spec, deployed(), noSsm, read)).toBe(true);
    expect(await isUnchanged(cfn, spec, deployed(), noSsm, read)).toBe(true);
    expect(read).toHaveBeenCalledTimes(1);
    // Updated since (a new LastUpdatedTime): read again.
    const later = deployed({ LastUpdatedTime: new Date('2026-02-01T00:00:00Z') });
    expect(await isUnchanged(cfn, spec, later, noSsm, read)).toBe(true);
    expect(read).toHaveBeenCalledTimes(2);
    expect(deployRecords().file).toBe(path.join(tmp, 'shared', 'deployed-templates.json'));
  });

  it('records nothing for a template that differs, and still compares parameters', async () => {
    const other = deployed({ StackId: `${ID}-other` });
    const read = jest.fn(async () => JSON.stringify({ Resources: { Extra: { Type: 'AWS::SNS::Topic' } } }));
    expect(await isUnchanged(cfn, spec, other, noSsm, read)).toBe(false);
    expect(await isUnchanged(cfn, spec, other, noSsm, read)).toBe(false);
    expect(read).toHaveBeenCalledTimes(2);
    // Known template, changed parameter: still a change.
    const changed = deployed({ Parameters: [{ ParameterKey: 'Prefix', ParameterValue: 'y-' }] });
    expect(await isUnchanged(cfn, spec, changed, noSsm, read)).toBe(false);
  });
});
