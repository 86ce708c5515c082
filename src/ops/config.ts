/**
 * The app's configuration document (the JSON object in its configuration secret), as plain data:
 * parsing it without ever echoing it, masking it for display, applying `KEY=VALUE` assignments and
 * `--unset`, and saying which keys changed. Pure: no SDK, no I/O, so every rule is unit-tested.
 *
 * Values are strings unless asked otherwise (`KEY:=JSON` or `--json-value`), because the document
 * is read by the app as environment-like settings, and `PORT=3000` silently becoming a number
 * would surprise whoever reads it back.
 */
import { parse as parseJson, printParseErrorCode, type ParseError, type ParseOptions } from 'jsonc-parser';
import { OpsError } from './errors';

/** A configuration document: a JSON object (never an array, string or number at the top). */
export type ConfigDocument = Record<string, unknown>;

/** What every value is shown as when masked. */
export const MASKED = '****';

/** What a configuration document must be, as the fix for one that is not. */
export const JSON_OBJECT_HINT = 'write a JSON object: {"KEY": "value", ...}';

/**
 * The secret (or an edited file, or a version to restore) holds something other than a JSON
 * object: bad input, refused with nothing written (exit 2). The message names what was read and
 * where it goes wrong, and never quotes the text, which may be a secret.
 */
export class NotAJsonObjectError extends OpsError {
  constructor(
    /** Where the problem is, for people: "invalid JSON at line 3, column 7", or what the value is instead. */
    readonly detail: string,
    /** What was read, for people: "the edited document", "version 3f2a..."; the message starts with it. */
    readonly source?: string,
    hint = JSON_OBJECT_HINT,
  ) {
    super('NotAJsonObject', `${source ? `${source} is ` : ''}not a JSON object (${detail})`, hint);
  }
}

/**
 * Parses a document; `source` names it in the error. Node's JSON.parse messages quote the
 * offending text (a secret value), so the error says only where: "invalid JSON at line 2, column 9".
 */
export function parseDocument(text: string, source?: string): ConfigDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NotAJsonObjectError(`invalid JSON${positionOf(text)}`, source);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NotAJsonObjectError(
      `the top level is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object`,
      source,
    );
  }
  return value as ConfigDocument;
}

/** " at line L, column C" of the first syntax error (found by {@link jsonErrorOffset}), else "". */
function positionOf(text: string): string {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return '';
  if (offset >= text.length) return ' (it ends too early)';
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/** jsonc-parser held to plain JSON: no comments, no trailing commas, no empty text. */
const STRICT_JSON: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/**
 * Where JSON text first goes wrong (a character offset), or undefined when it is valid. Node's
 * JSON.parse reports some errors only by quoting the text around them, so the position comes from
 * jsonc-parser, whose errors carry offsets and never text. Within a string (a bad escape or a
 * control character), the offset is the string's opening quote.
 */
export function jsonErrorOffset(s: string): number | undefined {
  const errors: ParseError[] = [];
  parseJson(s, errors, STRICT_JSON);
  const first = errors[0];
  if (!first) return undefined;
  // A string left open is reported at its opening quote; that the text ran out says more.
  const endsInString = printParseErrorCode(first.error) === 'UnexpectedEndOfString';
  return endsInString && first.offset + first.length >= s.length ? s.length : first.offset;
}

/** The document with every value replaced by {@link MASKED}; keys of nested objects stay visible. */
export function maskDocument(doc: ConfigDocument): ConfigDocument {
  const mask = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]))
      : MASKED;
  return mask(doc) as ConfigDocument;
}

/** Pretty JSON as `get` prints it and `edit` opens it: two-space indent, trailing newline. */
export function formatDocument(doc: ConfigDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** One `set` argument, parsed. */
export interface Assignment {
  key: string;
  value: unknown;
}

/** How `config set` arguments are written, as the fix for one that is not. */
export const ASSIGNMENT_HINT =
  'write KEY=VALUE (a string) or KEY:=JSON (a number, true/false, a list...), e.g. `provision config set --params F --app A LOG_LEVEL=debug WORKERS:=4 --unset OLD`';

/**
 * A bad `config set` argument: bad input, refused before anything is read or written (exit 2).
 * The message names the argument's key (never its value).
 */
export class AssignmentError extends OpsError {
  constructor(message: string, hint = ASSIGNMENT_HINT) {
    super('BadAssignment', message, hint);
  }
}

/**
 * Parses `KEY=VALUE` (a string value) and `KEY:=JSON` (a typed value: `PORT:=3000`,
 * `FLAGS:=["a","b"]`). With `jsonValues`, every value is JSON. The key is everything before the
 * first `=` (so values may contain `=`); it must be non-empty and have no surrounding spaces.
 */
export function parseAssignment(arg: string, jsonValues = false): Assignment {
  const eq = arg.indexOf('=');
  if (eq < 0)
    throw new AssignmentError(`"${arg.length > 40 ? arg.slice(0, 40) + '...' : arg}" is not KEY=VALUE (or KEY:=JSON)`);
  let key = arg.slice(0, eq);
  const raw = arg.slice(eq + 1);
  const typed = jsonValues || key.endsWith(':');
  if (key.endsWith(':')) key = key.slice(0, -1);
  if (!key) throw new AssignmentError(`an assignment has no key before "=": write KEY=VALUE`);
  if (key.trim() !== key) throw new AssignmentError(`key "${key}" has spaces around it`);
  if (!typed) return { key, value: raw };
  try {
    return { key, value: JSON.parse(raw) };
  } catch {
    throw new AssignmentError(
      `the value of ${key} is not valid JSON (KEY:=JSON and --json-value take JSON: numbers, true/false, "quoted strings", [lists], {objects})`,
    );
  }
}

/** Which top-level keys differ between two documents. */
export interface KeyChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export function hasChanges(c: KeyChanges): boolean {
  return c.added.length + c.changed.length + c.removed.length > 0;
}

/** Top-level keys added, changed (deep comparison) and removed from `before` to `after`. */
export function diffKeys(before: ConfigDocument, after: ConfigDocument): KeyChanges {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(after).filter((k) => k in before && !deepEqual(before[k], after[k]));
  return { added, changed, removed };
}

/** Structural equality of JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((v, i) => deepEqual(v, bs[i]));
  }
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  return (
    ak.length === bk.length &&
    ak.every(
      (k) => k in (b as object) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/**
 * Refuses a key both set and unset in one command (which one was meant is unclear). It depends on
 * the arguments alone, so `config set` calls it before reading the secret: nothing is contacted.
 */
export function checkAssignments(assignments: Assignment[], unset: string[]): void {
  const both = assignments.filter((a) => unset.includes(a.key)).map((a) => a.key);
  if (both.length)
    throw new AssignmentError(
      `${[...new Set(both)].join(', ')}: both set and unset in one command`,
      'give each key either KEY=VALUE or --unset KEY, not both',
    );
}

/**
 * The document after `set` assignments and `--unset` keys: existing keys keep their place, new
 * keys go at the end. A key both set and unset is refused ({@link checkAssignments}).
 * Unsetting a key that is not there is not an error (the result is what was asked for).
 */
export function applyAssignments(
  doc: ConfigDocument,
  assignments: Assignment[],
  unset: string[] = [],
): { document: ConfigDocument; changes: KeyChanges } {
  checkAssignments(assignments, unset);
  const next: ConfigDocument = { ...doc };
  for (const a of assignments) next[a.key] = a.value;
  for (const k of unset) delete next[k];
  return { document: next, changes: diffKeys(doc, next) };
}

/** "+NEW ~CHANGED -GONE" (keys only) for a one-line summary. */
export function describeChanges(c: KeyChanges): string {
  return [...c.added.map((k) => `+${k}`), ...c.changed.map((k) => `~${k}`), ...c.removed.map((k) => `-${k}`)].join(' ');
}
