/**
 * The configuration document's errors are typed like every other layer's (src/errors.ts): a code to
 * match on, a hint with the fix, and the refusal outcome, so the CLI exits 2 (bad input, nothing
 * written) with the message naming what was read or the key, never a value. A bad `config set`
 * argument is refused in-process before any AWS call (the endpoint here does not answer: reaching
 * it would exit 1, not 2).
 */
import { main } from '../../src/cli/main';
import { CliError, ExitCode } from '../../src/cli/errors';
import { ToolError } from '../../src/errors';
import {
  applyAssignments,
  ASSIGNMENT_HINT,
  AssignmentError,
  JSON_OBJECT_HINT,
  NotAJsonObjectError,
  parseAssignment,
  parseDocument,
} from '../../src/ops/config';

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('NotAJsonObjectError', () => {
  it('names what was read and the fix, with a code and exit 2, never quoting the text', () => {
    const err = thrown(() => parseDocument('["hunter2"]', 'the edited document'));
    expect(err).toBeInstanceOf(NotAJsonObjectError);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({
      code: 'NotAJsonObject',
      outcome: 'refused',
      message: 'the edited document is not a JSON object (the top level is an array, not an object)',
      hint: JSON_OBJECT_HINT,
    });
    const shown = CliError.from(err);
    expect(shown.exitCode).toBe(ExitCode.Refused);
    expect(shown.hint).toBe('write a JSON object: {"KEY": "value", ...}');
    expect(shown.message).not.toContain('hunter2');
  });

  it('says where invalid JSON goes wrong in a named version', () => {
    expect(thrown(() => parseDocument('{"A": hunter2}', 'version v-1'))).toMatchObject({
      code: 'NotAJsonObject',
      message: 'version v-1 is not a JSON object (invalid JSON at line 1, column 7)',
    });
  });
});

describe('AssignmentError', () => {
  it.each([
    ['JUSTAKEY', '"JUSTAKEY" is not KEY=VALUE (or KEY:=JSON)'],
    ['=value', 'an assignment has no key before "=": write KEY=VALUE'],
    ['TOKEN:=s3cr3t', 'the value of TOKEN is not valid JSON'],
  ])('%s: a typed refusal naming the argument or its key, with the fix', (arg, message) => {
    const err = thrown(() => parseAssignment(arg));
    expect(err).toBeInstanceOf(AssignmentError);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'BadAssignment', outcome: 'refused', hint: ASSIGNMENT_HINT });
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('s3cr3t');
    expect(CliError.from(err).exitCode).toBe(ExitCode.Refused);
  });

  it('a key both set and unset names the key and says to pick one', () => {
    const err = thrown(() => applyAssignments({ A: '1' }, [{ key: 'A', value: '2' }], ['A']));
    expect(err).toMatchObject({
      code: 'BadAssignment',
      message: 'A: both set and unset in one command',
      hint: 'give each key either KEY=VALUE or --unset KEY, not both',
    });
  });
});

describe('provision config set with a bad argument', () => {
  let err: jest.SpyInstance;
  const saved = { ...process.env };

  beforeEach(() => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
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

  it('exits 2 before any AWS call, naming the key and the fix, never the value', async () => {
    const code = await main([
      'config',
      'set',
      '--params',
      'examples/small.yaml',
      '--app',
      'acme',
      'LOG_LEVEL=debug',
      'TOKEN:=s3cr3t-value',
    ]);
    expect(code).toBe(2);
    expect(stderr()).toContain('the value of TOKEN is not valid JSON');
    expect(stderr()).toContain('write KEY=VALUE (a string) or KEY:=JSON');
    expect(stderr()).not.toContain('s3cr3t');
    expect(stderr()).not.toMatch(/does not answer|127\.0\.0\.1:9/);
  });
});
