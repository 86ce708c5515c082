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
import { ParamsError, ParamsUnreadableError, type ParamsProblem } from './errors';
import { paramsSchema, type ParamsFile } from './schema';
import { LINK_ACCESS, normaliseAccess } from '../../templates/links';
import { editDistance, planProblems } from '../../stages/check';
import { planEnvironment } from '../../stages/plan';
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

function keysAt(schema: z.ZodType, path: Path): string[] {
  let s: any = schema;
  for (const k of path) {
    while (s?.def?.innerType) s = s.def.innerType;
    if (typeof k === 'number') s = s?.def?.element ?? s?.def?.options?.[0];
    else s = s?.shape?.[k];
  }
  while (s?.def?.innerType) s = s.def.innerType;
  return s?.shape ? Object.keys(s.shape) : [];
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): ParamsProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, issue.path as Path);
    return issue.keys.map((k) => {
      const hint = suggest(k, known);
      return {
        field: fieldName([...(issue.path as Path), k]),
        message: `unknown field${hint ? ` (did you mean "${hint}"?)` : known.length ? `; expected one of: ${known.join(', ')}` : ''}`,
      };
    });
  }
  if (issue.code === 'invalid_union' && (issue as any).note === 'No matching discriminator') {
    return [
      {
        field: fieldName(issue.path as Path),
        message: 'kind must be one of postgres, documentdb, redis, s3, sqs, sns',
      },
    ];
  }
  let message = issue.message.replace(/^Invalid input: expected (\w+), received undefined$/, 'is required ($1)');
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
  return [{ field: fieldName(issue.path as Path), message }];
}

/** Rules across fields: unique names, links that resolve, access that fits the store's kind. */
export function crossFieldProblems(params: ParamsFile): ParamsProblem[] {
  const problems: ParamsProblem[] = [];
  const dup = (items: { name?: string; suffix?: string }[] | undefined, key: 'name' | 'suffix', at: string): void => {
    const seen = new Set<string>();
    (items ?? []).forEach((it, i) => {
      const v = it[key];
      if (v && seen.has(v))
        problems.push({ field: `${at}[${i}].${key}`, message: `"${v}" is used twice; each must be unique` });
      if (v) seen.add(v);
    });
  };
  dup(params.repositories, 'name', 'repositories');
  dup(params.apps, 'name', 'apps');
  (params.apps ?? []).forEach((app, a) => {
    dup(app.extras as { suffix?: string }[], 'suffix', `apps[${a}].extras`);
    dup(app.data as { name?: string }[], 'name', `apps[${a}].data`);
    const data = new Map((app.data ?? []).map((d: any) => [d.name as string, d.kind as string]));
    const services: [string, any][] = [
      [`apps[${a}].service`, app.service],
      ...(app.extras ?? []).map((e, i) => [`apps[${a}].extras[${i}]`, e] as [string, any]),
    ];
    for (const [at, svc] of services) {
      (svc?.links ?? []).forEach((l: { name: string; access?: string[] }, i: number) => {
        const kind = data.get(l.name);
        const field = `${at}.links[${i}]`;
        if (!kind) {
          problems.push({
            field: `${field}.name`,
            message: `app "${app.name}" has no data store named "${l.name}"${data.size ? ` (it has: ${[...data.keys()].join(', ')})` : '; add it under data:'}`,
          });
          return;
        }
        const allowed: readonly string[] = LINK_ACCESS[kind as DataKind] ?? [];
        for (const acc of normaliseAccess(kind as DataKind, (l.access ?? []) as LinkAccess[])) {
          if (!allowed.includes(acc))
            problems.push({
              field: `${field}.access`,
              message: `"${acc}" does not apply to a ${kind} link; ${allowed.length ? `use ${allowed.join(' and/or ')}` : 'leave access out'}`,
            });
        }
        if (allowed.length && !(l.access ?? []).length)
          problems.push({
            field: `${field}.access`,
            message: `a ${kind} link needs access: ${allowed.join(' and/or ')}`,
          });
      });
    }
    if ((app.service || app.extras?.length) && !params.ecsCluster) {
      problems.push({
        field: `apps[${a}]`,
        message: 'services run on the ECS cluster: add an ecsCluster: section (ecsCluster: {} for the defaults)',
      });
    }
  });
  return problems;
}

/** Parses and validates params text; throws ParamsError listing every problem. */
export function parseParams(text: string, file = 'params'): ParamsFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  if (doc.errors.length) {
    throw new ParamsError(
      file,
      doc.errors.map((e) => ({ field: '', line: e.linePos?.[0]?.line, message: `YAML: ${e.message.split('\n')[0]}` })),
    );
  }
  const raw = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !isMap(doc.contents)) {
    throw new ParamsError(file, [
      { field: '', message: 'the file must be a YAML mapping (environment:, prefix:, region:, ...)' },
    ]);
  }
  const schema = paramsSchema();
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap((i) => describeIssue(i, schema));
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
  const local = planProblems(result.data, planEnvironment(result.data), raw);
  if (local.length) throw new ParamsError(file, withLines(local));
  return result.data;

  function withLines(ps: ParamsProblem[]): ParamsProblem[] {
    return ps
      .map((p) => ({ ...p, line: lineOf(doc, counter, pathOf(p.field)) }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
}

function pathOf(field: string): Path {
  return field
    .split(/\.|\[|\]/)
    .filter(Boolean)
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/** Reads and validates a params file. */
export function loadParams(file: string): ParamsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ParamsUnreadableError(file, e.code === 'ENOENT' ? 'no such file' : e.message);
  }
  return parseParams(text, file);
}
