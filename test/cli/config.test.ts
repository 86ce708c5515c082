/**
 * The rules behind `provision config`: parsing KEY=VALUE, merging into the document, masking,
 * change reports by key, JSON errors that never quote the secret, the version history's order, and
 * the app/extra lookup errors. Pure functions; the emulator run is in test/e2e/operate.test.ts.
 */
import { editorCommand } from '../../src/commands/config/run';
import { CliError, ExitCode } from '../../src/cli/errors';
import { OpsError } from '../../src/ops/errors';
import {
  applyAssignments,
  AssignmentError,
  describeChanges,
  diffKeys,
  formatDocument,
  jsonErrorOffset,
  maskDocument,
  MASKED,
  NotAJsonObjectError,
  parseAssignment,
  parseDocument,
} from '../../src/ops/config';
import { appStacks, serviceStack } from '../../src/ops/locate';
import { orderVersions, previousVersion, secretName } from '../../src/ops/secret';
import { loadParams } from '../../src/params/load';
import { planEnvironment } from '../../stages/plan';
import * as path from 'node:path';

describe('parseAssignment', () => {
  it('reads KEY=VALUE as a string, whatever the value looks like', () => {
    expect(parseAssignment('PORT=3000')).toEqual({ key: 'PORT', value: '3000' });
    expect(parseAssignment('DEBUG=true')).toEqual({ key: 'DEBUG', value: 'true' });
    expect(parseAssignment('EMPTY=')).toEqual({ key: 'EMPTY', value: '' });
  });

  it('keeps "=" inside the value (the key ends at the first "=")', () => {
    expect(parseAssignment('DB_URL=postgres://u:p@h/db?ssl=true&x=1')).toEqual({
      key: 'DB_URL',
      value: 'postgres://u:p@h/db?ssl=true&x=1',
    });
  });

  it('reads KEY:=JSON as a typed value', () => {
    expect(parseAssignment('PORT:=3000')).toEqual({ key: 'PORT', value: 3000 });
    expect(parseAssignment('DEBUG:=false')).toEqual({ key: 'DEBUG', value: false });
    expect(parseAssignment('HOSTS:=["a","b"]')).toEqual({ key: 'HOSTS', value: ['a', 'b'] });
    expect(parseAssignment('NESTED:={"a":{"b":null}}')).toEqual({ key: 'NESTED', value: { a: { b: null } } });
  });

  it('reads every value as JSON with --json-value', () => {
    expect(parseAssignment('PORT=3000', true)).toEqual({ key: 'PORT', value: 3000 });
    expect(parseAssignment('NAME="x"', true)).toEqual({ key: 'NAME', value: 'x' });
  });

  it('refuses arguments that are not assignments, without quoting long values', () => {
    expect(() => parseAssignment('JUSTAKEY')).toThrow(AssignmentError);
    expect(() => parseAssignment('=value')).toThrow(/no key/);
    expect(() => parseAssignment(' KEY =x')).toThrow(/spaces/);
    const long = 'x'.repeat(100);
    expect(() => parseAssignment(long)).toThrow(/x{40}\.\.\./);
  });

  it('names the key, not the value, when a typed value is not JSON', () => {
    let message = '';
    try {
      parseAssignment('TOKEN:=s3cr3t-value');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/value of TOKEN is not valid JSON/);
    expect(message).not.toContain('s3cr3t');
  });
});

describe('applyAssignments', () => {
  const doc = { A: '1', B: { nested: true }, C: 'keep' };

  it('merges: existing keys keep their place, new keys go last, and reports changes by key', () => {
    const { document, changes } = applyAssignments(
      doc,
      [
        { key: 'A', value: '2' },
        { key: 'Z', value: 'new' },
      ],
      ['C'],
    );
    expect(Object.keys(document)).toEqual(['A', 'B', 'Z']);
    expect(document).toEqual({ A: '2', B: { nested: true }, Z: 'new' });
    expect(changes).toEqual({ added: ['Z'], changed: ['A'], removed: ['C'] });
    expect(doc).toEqual({ A: '1', B: { nested: true }, C: 'keep' }); // the input is untouched
  });

  it('reports nothing when the values are already there (so nothing is written)', () => {
    const { changes } = applyAssignments(
      doc,
      [
        { key: 'A', value: '1' },
        { key: 'B', value: { nested: true } },
      ],
      ['MISSING'],
    );
    expect(changes).toEqual({ added: [], changed: [], removed: [] });
  });

  it('treats a type change as a change ("3000" vs 3000)', () => {
    expect(applyAssignments({ PORT: '3000' }, [{ key: 'PORT', value: 3000 }]).changes.changed).toEqual(['PORT']);
  });

  it('refuses a key that is both set and unset', () => {
    expect(() => applyAssignments(doc, [{ key: 'A', value: 'x' }], ['A'])).toThrow(/A: both set and unset/);
  });
});

describe('diffKeys and describeChanges', () => {
  it('compares deeply, ignoring key order inside values', () => {
    expect(diffKeys({ A: { x: 1, y: [1, 2] } }, { A: { y: [1, 2], x: 1 } })).toEqual({
      added: [],
      changed: [],
      removed: [],
    });
    expect(diffKeys({ A: [1, 2] }, { A: [2, 1] }).changed).toEqual(['A']);
  });

  it('summarises with +, ~ and -', () => {
    expect(describeChanges({ added: ['N'], changed: ['C'], removed: ['R'] })).toBe('+N ~C -R');
  });
});

describe('maskDocument', () => {
  it('hides every value and keeps every key, including nested ones', () => {
    const masked = maskDocument({
      TOKEN: 'abc',
      PORT: 3000,
      ON: false,
      NONE: null,
      LIST: ['x'],
      DB: { user: 'u', password: 'p' },
    });
    expect(masked).toEqual({
      TOKEN: MASKED,
      PORT: MASKED,
      ON: MASKED,
      NONE: MASKED,
      LIST: MASKED,
      DB: { user: MASKED, password: MASKED },
    });
    expect(JSON.stringify(masked)).not.toMatch(/abc|3000|false|"u"|"p"/);
  });
});

describe('parseDocument', () => {
  it('accepts a JSON object', () => {
    expect(parseDocument('{"A": "1"}')).toEqual({ A: '1' });
    expect(parseDocument(formatDocument({ A: 1 }))).toEqual({ A: 1 });
  });

  it.each([
    ['[1,2]', /an array/],
    ['"text"', /a string/],
    ['42', /a number/],
    ['null', /null/],
  ])('refuses %s: not an object', (text, why) => {
    expect(() => parseDocument(text)).toThrow(NotAJsonObjectError);
    expect(() => parseDocument(text)).toThrow(why);
  });

  it('says where invalid JSON goes wrong, never quoting it', () => {
    const secret = 'hunter2-password';
    for (const text of [secret, `{"A": ${secret}}`, `{\n  "A": "1",\n  "B": ${secret}\n}`]) {
      let message = '';
      try {
        parseDocument(text);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/invalid JSON/);
      expect(message).not.toContain('hunter2');
    }
    expect(() => parseDocument(`{\n  "A": "1",\n  "B": x\n}`)).toThrow(/line 3, column 8/);
    expect(() => parseDocument('{"A": "1"')).toThrow(/ends too early/);
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const valid = ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' {"a" : {"b" : []}} '];
    const invalid = ['{', '{"a":}', '{"a":1,}', '[1 2]', '{a:1}', '"\\x"', '01', '{"a":1}}', 'tru', ''];
    for (const t of valid) expect(jsonErrorOffset(t)).toBeUndefined();
    for (const t of invalid) {
      expect(() => JSON.parse(t)).toThrow();
      expect(jsonErrorOffset(t)).toEqual(expect.any(Number));
    }
  });
});

describe('editorCommand', () => {
  it('prefers EDITOR, then VISUAL, then vi', () => {
    expect(editorCommand({ EDITOR: 'nano', VISUAL: 'code --wait' })).toBe('nano');
    expect(editorCommand({ VISUAL: 'code --wait' })).toBe('code --wait');
    expect(editorCommand({ EDITOR: '  ' })).toBe('vi');
    expect(editorCommand({})).toBe('vi');
  });
});

describe('secret versions', () => {
  const at = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);

  it('lists newest first; on equal times AWSCURRENT, then AWSPREVIOUS', () => {
    const ordered = orderVersions([
      { versionId: 'old', stages: [], created: at('01') },
      { versionId: 'prev', stages: ['AWSPREVIOUS'], created: at('05') },
      { versionId: 'cur', stages: ['AWSCURRENT'], created: at('05') },
      { versionId: 'mid', stages: [], created: at('03') },
    ]);
    expect(ordered.map((v) => v.versionId)).toEqual(['cur', 'prev', 'mid', 'old']);
  });

  it('rolls back to AWSPREVIOUS by default, and to nothing when there is none', () => {
    expect(
      previousVersion([
        { versionId: 'a', stages: ['AWSCURRENT'] },
        { versionId: 'b', stages: ['AWSPREVIOUS'] },
      ])?.versionId,
    ).toBe('b');
    expect(previousVersion([{ versionId: 'a', stages: ['AWSCURRENT'] }])).toBeUndefined();
  });

  it('names the secret from its ARN (without the random suffix)', () => {
    expect(secretName('arn:aws:secretsmanager:us-east-1:123456789012:secret:x-dev/acme/config-IfGpSC')).toBe(
      'x-dev/acme/config',
    );
  });
});

describe('--app and --extra', () => {
  const file = path.join(__dirname, '..', '..', 'examples', 'full.yaml');
  const all = planEnvironment(loadParams(file));

  function usageError(fn: () => unknown): OpsError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(OpsError);
      expect((err as OpsError).code).toBe('UnknownTarget');
      expect(CliError.from(err).exitCode).toBe(ExitCode.Usage);
      return err as OpsError;
    }
    throw new Error('expected a usage error');
  }

  it('names the apps of the params file when the app is unknown or missing', () => {
    const apps = [...new Set(all.filter((s) => s.app).map((s) => s.app))];
    expect(apps.length).toBeGreaterThan(0);
    const err = usageError(() => appStacks(all, 'nope', file));
    expect(err.message).toContain('no app "nope"');
    for (const app of apps) expect(err.hint).toContain(app!);
    expect(usageError(() => appStacks(all, undefined, file)).hint).toContain(apps[0]!);
  });

  it('finds the load balancer, the main service and the extras of an app', () => {
    const withExtra = all.find((s) => s.stage === 'extra');
    expect(withExtra).toBeDefined();
    const stacks = appStacks(all, withExtra!.app, file);
    expect(stacks.loadBalancer?.name).toMatch(/-loadbalancer$/);
    const suffix = withExtra!.parameters.Suffix!;
    expect(serviceStack(stacks, suffix, file).name).toBe(withExtra!.name);
    if (stacks.service) expect(serviceStack(stacks, undefined, file).name).toMatch(/-service$/);
    const err = usageError(() => serviceStack(stacks, 'no-such-extra', file));
    expect(err.hint).toContain(suffix);
  });
});
