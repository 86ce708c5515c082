/**
 * What the engine needs to read from a template body: its parameters (defaults, NoEcho, SSM
 * types), its resources (for a new stack's plan and for retention on delete), and whether two
 * bodies are the same template. Catalogue templates are JSON; a body that is not JSON (a YAML
 * stack deployed by other means) reads as empty, and callers then take the cautious path.
 */
import type { StackSpec } from './types';

export interface TemplateParameter {
  Type?: string;
  Default?: unknown;
  NoEcho?: boolean | string;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  Condition?: string;
}

export interface TemplateDoc {
  Parameters?: Record<string, TemplateParameter>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
}

/** The parsed JSON template, or undefined when the body is not JSON. */
export function parseTemplate(body: string | undefined): TemplateDoc | undefined {
  if (!body) return undefined;
  try {
    const doc: unknown = JSON.parse(body);
    return doc && typeof doc === 'object' ? (doc as TemplateDoc) : undefined;
  } catch {
    return undefined;
  }
}

/** Same template: byte-equal, or equal as JSON (key order and whitespace do not matter). */
export function sameTemplate(a: string, b: string): boolean {
  if (a === b) return true;
  const [pa, pb] = [parseTemplate(a), parseTemplate(b)];
  return pa !== undefined && pb !== undefined && canonical(pa) === canonical(pb);
}

/** JSON with object keys sorted: equal for equal values, whatever order they were written in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isNoEcho(p: TemplateParameter): boolean {
  return p.NoEcho === true || p.NoEcho === 'true';
}

/** Names of NoEcho parameters: their values must never be printed. */
export function noEchoParameters(doc: TemplateDoc | undefined): string[] {
  return Object.entries(doc?.Parameters ?? {})
    .filter(([, p]) => isNoEcho(p))
    .map(([name]) => name);
}

/**
 * Parameter values the stack would end up with: the spec's value, else the template default.
 * Undefined when they cannot be known from here: NoEcho values (DescribeStacks shows `****`)
 * and SSM parameter types (the value behind the SSM name may have moved; see
 * {@link givenParameters} and {@link ssmParameters} for comparing those).
 */
export function effectiveParameters(spec: StackSpec, doc: TemplateDoc | undefined): Record<string, string> | undefined {
  if (ssmParameters(spec, doc).length) return undefined;
  return givenParameters(spec, doc);
}

/**
 * Parameter values as CloudFormation keeps them (the spec's value, else the template default):
 * for an SSM-typed parameter that is the SSM parameter's name, as DescribeStacks' ParameterValue
 * shows it. Undefined when a NoEcho parameter makes the values unknowable from here.
 */
export function givenParameters(spec: StackSpec, doc: TemplateDoc | undefined): Record<string, string> | undefined {
  if (!doc) return undefined;
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(doc.Parameters ?? {})) {
    if (isNoEcho(p)) return undefined;
    const value = spec.parameters[name] ?? (p.Default === undefined ? undefined : String(p.Default));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** An SSM-typed parameter of a stack: its key, and the SSM parameter name it is given. */
export interface SsmParameter {
  key: string;
  name: string;
}

/** The template's `AWS::SSM::Parameter::Value<...>` parameters with the names the spec gives them. */
export function ssmParameters(spec: StackSpec, doc: TemplateDoc | undefined): SsmParameter[] {
  return Object.entries(doc?.Parameters ?? {}).flatMap(([key, p]) => {
    if (!(p.Type ?? '').startsWith('AWS::SSM::Parameter::Value')) return [];
    const name = spec.parameters[key] ?? (p.Default === undefined ? undefined : String(p.Default));
    return name ? [{ key, name }] : [];
  });
}

/** Masks NoEcho parameter values (as given in the spec) wherever they appear in a string. */
export type Masker = (text: string) => string;

export const MASK = '****';

export function maskerFor(spec: StackSpec): Masker {
  const secrets = noEchoParameters(parseTemplate(spec.templateBody))
    .map((name) => spec.parameters[name])
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    // Longest first, so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((acc, secret) => acc.split(secret).join(MASK), text);
}
