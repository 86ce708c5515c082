/**
 * Where invalid JSON in a configuration document goes wrong, as `config get` and `config edit`
 * report it: a line and column (1-based), never the text itself, which may be a secret.
 */
import { jsonErrorOffset, NotAJsonObjectError, parseDocument } from '../../src/ops/config';

/** The error message parseDocument gives for `text`. */
function messageFor(text: string): string {
  try {
    parseDocument(text);
  } catch (err) {
    expect(err).toBeInstanceOf(NotAJsonObjectError);
    return (err as Error).message;
  }
  throw new Error('expected parseDocument to refuse the text');
}

describe('the position of a JSON error', () => {
  it.each([
    ['a bare word as a value', '{"TOKEN": s3cr3t-value}', 'line 1, column 11'],
    ['a missing comma on a later line', '{\n  "A": "1"\n  "B": "2"\n}', 'line 3, column 3'],
    ['a trailing comma', '{\n  "A": "1",\n}', 'line 3, column 1'],
    ['a comment', '{\n  // the database\n  "A": "1"\n}', 'line 2, column 3'],
    ['a single-quoted key', "{'A': '1'}", 'line 1, column 2'],
    ['a bad escape (at the string that holds it)', '{\n  "A": "C:\\dir"\n}', 'line 2, column 8'],
    ['a line break inside a string (at its opening quote)', '{\n  "A": "one\ntwo"\n}', 'line 2, column 8'],
    ['a raw tab in a string', '{"A": "x\ty"}', 'line 1, column 7'],
    ['a second top-level value', '{"A": "1"}\n{"B": "2"}', 'line 2, column 1'],
    ['a number with a leading zero', '{"PORT": 08080}', 'line 1, column 11'],
    ['a byte order mark', '\ufeff{"A": "1"}', 'line 1, column 1'],
    ['a document that is not JSON at all', 'hunter2', 'line 1, column 1'],
  ])('names the line and column of %s', (_what, text, where) => {
    expect(messageFor(text)).toBe(`not a JSON object (invalid JSON at ${where})`);
  });

  it.each([
    ['an object left open', '{\n  "A": "1",\n  "B": "2"'],
    ['a string left open', '{"A": "1'],
    ['nothing at all', ''],
    ['only whitespace', ' \n '],
  ])('says when %s ends too early', (_what, text) => {
    expect(messageFor(text)).toBe('not a JSON object (invalid JSON (it ends too early))');
  });

  it('never quotes the text it refuses', () => {
    for (const text of ['{"PASSWORD": hunter2}', "{'PASSWORD': 'hunter2'}", '{"PASSWORD": "hunter2\\q"}', 'hunter2']) {
      expect(messageFor(text)).not.toContain('hunter2');
    }
  });

  it('agrees with JSON.parse on what is valid', () => {
    const texts = [
      '{}',
      ' {"a": {"b": [1, -0, 2.5e-3, 1E+2, true, false, null]}} ',
      '{"s": "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"}',
      '{"a": 1}\n',
      '{"a": 1} x',
      '{"a": 1,}',
      '[1,]',
      '{"a" 1}',
      '{"a": .5}',
      '{"a": 1.}',
      '{"a": +1}',
      '{"a": NaN}',
      '{"a": "\\u12"}',
      '/* c */ {}',
      '\u00a0{}',
    ];
    for (const text of texts) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect({ text, offset: jsonErrorOffset(text) }).toEqual({
        text,
        offset: valid ? undefined : expect.any(Number),
      });
    }
  });
});
