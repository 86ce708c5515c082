/**
 * Loading a params file: YAML parsing, schema validation, the cross-field rules the schema
 * cannot express (links name a data store of the same app, names are unique...), and the local
 * check of every planned stack against its template (stages/check.ts). Every problem is
 * collected and reported at once, each with its line, its field and how to fix it; nothing touches
 * AWS before the file is clean.
 */
import * as fs from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { catalogue, isDataRow, publicUriProblem, stages } from '../../stages/catalogue';
import {
  itemsOf,
  listPlaces,
  paramsSchema,
  rowOfItem,
  sectionOf,
  type AppParams,
  type ParamsFile,
  type Section,
} from '../../stages/params';
import { ParamsError, ParamsUnreadableError, type ParamsProblem } from './errors';
import { LINK_ACCESS, normaliseAccess } from '../../templates/links';
import { editDistance, planProblems } from '../../stages/check';
import { planEnvironment, type PlannedStack } from '../../stages/plan';
import type { DataKind, LinkAccess } from '../../templates/kit/links';

type Path = (string | number)[];

export function fieldName(path: Path): string {
  return path.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : String(k)),
    '',
  );
}

/** The closest known key, for "did you mean" hints (edit distance at most 2, or a prefix). */
export function suggest(key: string, known: string[]): string | undefined {
  const ranked = known
    .map((k) => [k, editDistance(key.toLowerCase(), k.toLowerCase())] as const)
    .sort((x, y) => x[1] - y[1]);
  const best = ranked[0];
  if (best && (best[1] <= 2 || best[0].toLowerCase().startsWith(key.toLowerCase()))) return best[0];
  return undefined;
}

/**
 * The line of a field: its key's line when it is a mapping key, its item's line in a list; for a
 * field the file does not set (a template default), the line of the nearest enclosing one it does.
 */
function lineOf(doc: Document, counter: LineCounter, path: Path): number | undefined {
  const lineAt = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? counter.linePos(range[0]).line : undefined;
  };
  for (let n = path.length; n > 0; n--) {
    const key = path[n - 1];
    const parent = n > 1 ? doc.getIn(path.slice(0, n - 1), true) : doc.contents;
    if (typeof key === 'string' && isMap(parent)) {
      const line = lineAt(parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key)?.key);
      if (line) return line;
    } else if (typeof key === 'number' && isSeq(parent)) {
      const line = lineAt(parent.items[key]);
      if (line) return line;
    }
  }
  return lineAt(doc.contents);
}

/** The parts of a zod schema's definition that lead to the keys an object at a path may have. */
interface SchemaNode {
  def?: {
    innerType?: SchemaNode;
    element?: SchemaNode;
    options?: SchemaNode[];
    /** A discriminated union's key (a data store's `kind`). */
    discriminator?: string;
    /** A literal's values (a union option's `kind: sqs`). */
    values?: unknown[];
  };
  shape?: Record<string, SchemaNode>;
  description?: string;
}

function unwrap(n: SchemaNode | undefined): SchemaNode | undefined {
  while (n?.def?.innerType) n = n.def.innerType;
  return n;
}

/**
 * The schema node of a path (as declared: optional and default wrappers kept), if the schema has
 * one. A list item that is a union by kind (a data store) is the option its `kind` in the file picks.
 */
function nodeAt(schema: z.ZodType, path: Path, raw: unknown): SchemaNode | undefined {
  let s: SchemaNode | undefined = schema as unknown as SchemaNode;
  path.forEach((k, i) => {
    s = unwrap(s);
    s = typeof k === 'number' ? s?.def?.element : s?.shape?.[k];
    s = optionOf(unwrap(s), valueAt(raw, path.slice(0, i + 1))) ?? s;
  });
  return s;
}

/** The option of a discriminated union that the item's own discriminator value picks, if any. */
function optionOf(union: SchemaNode | undefined, item: unknown): SchemaNode | undefined {
  const key = union?.def?.discriminator;
  if (!key || !union?.def?.options) return undefined;
  const kind = (item as Record<string, unknown> | undefined)?.[key];
  return union.def.options.find((o) => unwrap(o)?.shape?.[key]?.def?.values?.includes(kind));
}

function keysAt(schema: z.ZodType, path: Path, raw: unknown): string[] {
  const s = unwrap(nodeAt(schema, path, raw));
  return s?.shape ? Object.keys(s.shape) : [];
}

/** What a field is for: its schema description (for a template option, the parameter's Description). */
function purposeOf(schema: z.ZodType, path: Path, raw: unknown): string | undefined {
  let n = nodeAt(schema, path, raw);
  while (n && !n.description) n = n.def?.innerType;
  return n?.description;
}

/** The value at a path of the raw document (undefined when absent). */
function valueAt(doc: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    doc,
  );
}

/** One schema issue in the file's terms, read from zod's issue codes and paths (never its wording). */
function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, raw: unknown): ParamsProblem[] {
  const path = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, path, raw);
    return issue.keys.map((k) => {
      const hint = suggest(k, known);
      return {
        field: fieldName([...path, k]),
        message: `unknown field${hint ? ` (did you mean "${hint}"?)` : known.length ? `; expected one of: ${known.join(', ')}` : ''}`,
        hint: hint
          ? `rename it to "${hint}"`
          : known.length
            ? `remove it, or use one of: ${known.join(', ')}`
            : 'remove it',
      };
    });
  }
  if (issue.code === 'invalid_union' && issue.discriminator && 'options' in issue && issue.options) {
    return [
      {
        field: fieldName(path),
        message: `${issue.discriminator} must be one of ${issue.options.join(', ')}`,
        hint: `set ${issue.discriminator} to one of: ${issue.options.join(', ')}`,
      },
    ];
  }
  const missing = issue.code === 'invalid_type' && valueAt(raw, path) === undefined;
  if (!missing) return [{ field: fieldName(path), message: issue.message }];
  const purpose = purposeOf(schema, path, raw);
  return [
    { field: fieldName(path), message: 'is required', hint: `add ${nameOf(path)}${purpose ? ` (${purpose})` : ''}` },
  ];
}

/** Names used twice in a list: each item's name field must be unique. */
function duplicates(items: Section[], key: string, at: string): ParamsProblem[] {
  const seen = new Set<unknown>();
  const problems: ParamsProblem[] = [];
  items.forEach((it, i) => {
    const v = it[key];
    if (v && seen.has(v))
      problems.push({
        field: `${at}[${i}].${key}`,
        message: `"${v}" is used twice; each must be unique`,
        hint: `give each item of ${at} a ${key} of its own`,
      });
    if (v) seen.add(v);
  });
  return problems;
}

/** The names of every list of a level (the file, or one app) are unique within their list. */
function levelDuplicates(holder: Section, at: 'environment' | 'app', path: string): ParamsProblem[] {
  return listPlaces(at).flatMap((place) =>
    duplicates(itemsOf(holder, place), place.name.field, path ? `${path}.${place.list}` : place.list),
  );
}

/** The service sections of an app (rows that link to data), each with its field path. */
function servicesOf(app: Section, at: string): [string, Section][] {
  const out: [string, Section][] = [];
  for (const row of catalogue.filter((r) => r.linkable && r.place.at === 'app')) {
    const section = sectionOf(app, row);
    if (section) out.push([`${at}.${row.key}`, section]);
    if (row.place.kind === 'list') {
      const place = row.place;
      itemsOf(app, place).forEach((item, i) => {
        if (rowOfItem(place, item) === row) out.push([`${at}.${place.list}[${i}]`, item]);
      });
    }
  }
  return out;
}

/** An app's data stores by name, with their kind (the items of lists shared by kind). */
function dataStoresOf(app: Section): Map<string, DataKind> {
  const out = new Map<string, DataKind>();
  for (const place of listPlaces('app'))
    for (const item of itemsOf(app, place)) {
      const row = place.byKind ? rowOfItem(place, item) : undefined;
      if (row && isDataRow(row)) out.set(String(item[place.name.field]), row.key);
    }
  return out;
}

interface LinkItem {
  name: string;
  access?: string[];
}

/** What is wrong with one link of a service: a store it does not have, or access that does not fit. */
function linkProblems(app: AppParams, data: Map<string, DataKind>, l: LinkItem, field: string): ParamsProblem[] {
  const kind = data.get(l.name);
  if (!kind) {
    return [
      {
        field: `${field}.name`,
        message: `app "${app.name}" has no data store named "${l.name}"${data.size ? ` (it has: ${[...data.keys()].join(', ')})` : '; add it under data:'}`,
        hint: data.size
          ? `link one of its data stores (${[...data.keys()].join(', ')}), or add "${l.name}" under ${field.replace(/\].*$/, ']')}.data`
          : `add a data store named "${l.name}" under the app's data:`,
      },
    ];
  }
  const allowed: readonly string[] = LINK_ACCESS[kind] ?? [];
  const problems: ParamsProblem[] = [];
  for (const acc of normaliseAccess(kind, (l.access ?? []) as LinkAccess[])) {
    if (!allowed.includes(acc))
      problems.push({
        field: `${field}.access`,
        message: `"${acc}" does not apply to a ${kind} link; ${allowed.length ? `use ${allowed.join(' and/or ')}` : 'leave access out'}`,
        hint: allowed.length ? `use ${allowed.join(' and/or ')}` : 'leave access out',
      });
  }
  if (allowed.length && !(l.access ?? []).length)
    problems.push({
      field: `${field}.access`,
      message: `a ${kind} link needs access: ${allowed.join(' and/or ')}`,
      hint: `add access: [${allowed.join(', ')}] (or some of them)`,
    });
  return problems;
}

/** Rules across fields: unique names, links that resolve, access that fits the store's kind. */
export function crossFieldProblems(params: ParamsFile): ParamsProblem[] {
  const problems = [...levelDuplicates(params, 'environment', ''), ...duplicates(params.apps ?? [], 'name', 'apps')];
  const cluster = sectionOf(params, stages.ecsCluster);
  (params.apps ?? []).forEach((app, a) => {
    problems.push(...levelDuplicates(app, 'app', `apps[${a}]`));
    const data = dataStoresOf(app);
    const services = servicesOf(app, `apps[${a}]`);
    for (const [at, svc] of services) {
      ((svc.links ?? []) as LinkItem[]).forEach((l, i) =>
        problems.push(...linkProblems(app, data, l, `${at}.links[${i}]`)),
      );
    }
    const uri = publicUriProblem(
      app.publicUri as string | undefined,
      sectionOf(params, stages.domain)?.domainName as string | undefined,
    );
    if (uri) problems.push({ field: `apps[${a}].publicUri`, message: uri });
    if (services.length && !cluster) {
      problems.push({
        field: `apps[${a}]`,
        message: `services run on the ECS cluster: add an ${stages.ecsCluster.key}: section (${stages.ecsCluster.key}: {} for the defaults)`,
        hint: `add ${stages.ecsCluster.key}: {} at the top level of the file (or with its options)`,
      });
    }
  });
  return problems;
}

/** Parses and validates params text; throws ParamsError listing every problem. */
export function parseParams(text: string, file = 'params'): ParamsFile {
  return parsePlanned(text, file).params;
}

/** A valid params file and the stacks it plans (which its validation had to plan anyway). */
export interface PlannedParams {
  params: ParamsFile;
  all: PlannedStack[];
}

/** {@link parseParams}, with the plan its last check made, so a run does not plan twice. */
export function parsePlanned(text: string, file = 'params'): PlannedParams {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  if (doc.errors.length) {
    throw new ParamsError(
      file,
      doc.errors.map((e) => ({
        field: '',
        line: e.linePos?.[0]?.line,
        message: `YAML: ${e.message.split('\n')[0]}`,
        hint: 'fix the YAML syntax at this line (indentation, or a quote or bracket left open)',
      })),
    );
  }
  const raw = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !isMap(doc.contents)) {
    throw new ParamsError(file, [
      {
        field: '',
        message: 'the file must be a YAML mapping (environment:, prefix:, region:, ...)',
        hint: 'start from examples/small.yaml, or let `provision init` write one',
      },
    ]);
  }
  const schema = paramsSchema();
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap((i) => describeIssue(i, schema, raw));
    // Cross-field rules also run on a file with schema errors, so every problem shows at once.
    let cross: ParamsProblem[] = [];
    try {
      cross = crossFieldProblems(raw as ParamsFile).filter((c) => !problems.some((p) => p.field === c.field));
    } catch {
      // The shape is too far off for cross-field rules; the schema problems say why.
    }
    throw new ParamsError(file, withLines([...problems, ...cross]));
  }
  const cross = crossFieldProblems(result.data);
  if (cross.length) throw new ParamsError(file, withLines(cross));
  // What CloudFormation (and AWS behind it) would refuse, evaluated from the templates themselves.
  const all = planEnvironment(result.data);
  const local = planProblems(result.data, all, raw);
  if (local.length) throw new ParamsError(file, withLines(local));
  return { params: result.data, all };

  function withLines(ps: ParamsProblem[]): ParamsProblem[] {
    return ps
      .map((p) => ({
        field: p.field,
        line: lineOf(doc, counter, pathOf(p.field)),
        message: p.message,
        hint: p.hint ?? fieldHint(schema, p.field, raw),
      }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
}

/** A field's last key (`cpu` of `apps[0].service.cpu`), or its whole path when it ends in an index. */
function nameOf(path: Path): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? last : fieldName(path) || 'it';
}

/**
 * The hint of a problem that brings none of its own (a value the schema or the template refuses):
 * what the field is for, from the schema, which usually says what it takes; else where to look.
 */
function fieldHint(schema: z.ZodType, field: string, raw: unknown): string {
  const path = pathOf(field);
  const purpose = path.length ? purposeOf(schema, path, raw) : undefined;
  if (purpose) return `${nameOf(path)}: ${purpose}`;
  return `see ${field || 'the top level'} in published/params.schema.json (an editor given the schema checks the file as you type)`;
}

function pathOf(field: string): Path {
  return field
    .split(/\.|\[|\]/)
    .filter(Boolean)
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/** Reads and validates a params file. */
export function loadParams(file: string): ParamsFile {
  return loadPlanned(file).params;
}

/** Reads and validates a params file, with the stacks it plans. */
export function loadPlanned(file: string): PlannedParams {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ParamsUnreadableError(file, e.code === 'ENOENT' ? 'no such file' : e.message);
  }
  return parsePlanned(text, file);
}
