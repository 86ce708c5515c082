/**
 * The local check: what AWS would refuse, refused before any AWS call.
 *
 * First CloudFormation's own checks, evaluated here as CloudFormation does: parameter constraints
 * (AllowedValues, AllowedPattern, MinLength/MaxLength, MinValue/MaxValue), `Rules` assertions with
 * their rule conditions, and template `Conditions` (which resources a stack creates). All of it is
 * read from the templates: a new rule in a template is checked with no other change.
 *
 * Then the checks no template can express: CIDRs that are real and nest (subnets inside the VPC,
 * not overlapping), min <= max, one path prefix per listener, a region that exists, and listener
 * rule priorities for extra services that do not set one.
 *
 * The params loader, `plan`, `deploy` and the wizard all use this module; problems are named by the
 * params-file field they come from. No AWS call and no network: the only file read is the AWS
 * SDK's own partition table (the region list), once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TemplateParameter } from './options';

/** Parameter values as CloudFormation receives them (every value a string). */
export type ParamValues = Record<string, string>;

/** The parts of a template these checks read. */
export interface CheckedTemplate {
  Parameters?: Record<string, unknown>;
  Rules?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Resources?: Record<string, { Type: string; Condition?: unknown }>;
}

const plainCache = new WeakMap<object, CheckedTemplate>();

/**
 * The template as CloudFormation reads it: built templates hold cloudform's intrinsic-function
 * objects, which only become `{ "Fn::Equals": [...] }` when serialised.
 */
export function plain(template: CheckedTemplate): CheckedTemplate {
  let hit = plainCache.get(template);
  if (!hit) {
    hit = JSON.parse(JSON.stringify(template)) as CheckedTemplate;
    plainCache.set(template, hit);
  }
  return hit;
}

interface Rule {
  RuleCondition?: unknown;
  Assertions: { Assert: unknown; AssertDescription?: string }[];
}

/**
 * A function that needs the account (Fn::ValueOf reads a resource's attributes, Fn::ImportValue
 * an export): what uses it is left to CloudFormation.
 */
export class NeedsAccount extends Error {
  constructor(readonly fn: string) {
    super(`${fn} needs the account`);
    this.name = 'NeedsAccount';
  }
}

const PSEUDO = [
  'AWS::Region',
  'AWS::Partition',
  'AWS::AccountId',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NoValue',
  'AWS::NotificationARNs',
];

function isList(p: TemplateParameter | undefined): boolean {
  return Boolean(p && (p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<')));
}

/** Every parameter's value: what is given, else its template default, as CloudFormation does. */
export function withDefaults(template: CheckedTemplate, values: ParamValues): ParamValues {
  const out: ParamValues = {};
  for (const [name, p] of Object.entries((template.Parameters ?? {}) as Record<string, TemplateParameter>)) {
    if (values[name] !== undefined) out[name] = values[name]!;
    else if (p.Default !== undefined) out[name] = Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default);
  }
  return out;
}

interface Scope {
  template: CheckedTemplate;
  values: ParamValues;
  pseudo: Record<string, string>;
  conditions: Map<string, boolean>;
}

function ref(name: string, s: Scope): unknown {
  if (PSEUDO.includes(name)) {
    if (s.pseudo[name] !== undefined) return s.pseudo[name];
    throw new NeedsAccount(`Ref ${name}`);
  }
  const p = (s.template.Parameters ?? {})[name] as TemplateParameter | undefined;
  if (!p) throw new NeedsAccount(`Ref ${name}`); // a resource: only exists in the account
  const v = s.values[name];
  if (v === undefined) throw new Error(`parameter ${name} has no value and no default`);
  return isList(p) ? v.split(',') : v;
}

/** Fn::RefAll: the values of every parameter of one type. */
function refAll(type: string, s: Scope): string[] {
  return Object.entries((s.template.Parameters ?? {}) as Record<string, TemplateParameter>)
    .filter(([, p]) => p.Type === type)
    .flatMap(([name]) => {
      const v = ref(name, s);
      return Array.isArray(v) ? v.map(String) : [String(v)];
    });
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

/** Evaluates a rule or condition expression (the functions CloudFormation allows in them). */
function evaluate(x: unknown, s: Scope): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((v) => evaluate(v, s));
  const entries = Object.entries(x as Record<string, unknown>);
  if (entries.length !== 1) return x;
  const [fn, arg] = entries[0]!;
  const args: unknown[] = Array.isArray(arg) ? arg : [arg];
  switch (fn) {
    case 'Ref':
      return ref(String(arg), s);
    case 'Condition':
      return conditionValue(String(arg), s);
    case 'Fn::Equals':
      return String(evaluate(args[0], s)) === String(evaluate(args[1], s));
    case 'Fn::Not':
      return evaluate(args[0], s) !== true;
    case 'Fn::And':
      return args.every((c) => evaluate(c, s) === true);
    case 'Fn::Or':
      return args.some((c) => evaluate(c, s) === true);
    case 'Fn::Contains':
      return asStrings(evaluate(args[0], s)).includes(String(evaluate(args[1], s)));
    case 'Fn::EachMemberEquals':
      return asStrings(evaluate(args[0], s)).every((m) => m === String(evaluate(args[1], s)));
    case 'Fn::EachMemberIn': {
      const allowed = asStrings(evaluate(args[1], s));
      return asStrings(evaluate(args[0], s)).every((m) => allowed.includes(m));
    }
    case 'Fn::RefAll':
      return refAll(String(arg), s);
    case 'Fn::Join':
      return asStrings(evaluate(args[1], s)).join(String(args[0]));
    case 'Fn::Select':
      return asStrings(evaluate(args[1], s))[Number(evaluate(args[0], s))];
    case 'Fn::Split':
      return String(evaluate(args[1], s)).split(String(args[0]));
    case 'Fn::FindInMap': {
      const [map, top, second] = args.map((a) => String(evaluate(a, s)));
      return s.template.Mappings?.[map!]?.[top!]?.[second!];
    }
    default:
      // Fn::ValueOf / Fn::ValueOfAll read resource attributes, Fn::ImportValue an export.
      throw new NeedsAccount(fn);
  }
}

function conditionValue(name: string, s: Scope): boolean {
  const known = s.conditions.get(name);
  if (known !== undefined) return known;
  const expr = (s.template.Conditions ?? {})[name];
  if (expr === undefined) throw new Error(`condition ${name} is not in the template`);
  const v = evaluate(expr, s) === true;
  s.conditions.set(name, v);
  return v;
}

function scope(built: CheckedTemplate, values: ParamValues, pseudo: Record<string, string>): Scope {
  const template = plain(built);
  return { template, values: withDefaults(template, values), pseudo, conditions: new Map() };
}

/** The parameters an expression refers to (Ref), in order of appearance. */
export function refsOf(x: unknown, out: string[] = []): string[] {
  if (x === null || typeof x !== 'object') return out;
  if (Array.isArray(x)) {
    for (const v of x) refsOf(v, out);
    return out;
  }
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
    if (k === 'Ref' && typeof v === 'string' && !PSEUDO.includes(v) && !out.includes(v)) out.push(v);
    else refsOf(v, out);
  }
  return out;
}

/** One broken `Rules` assertion. */
export interface BrokenRule {
  rule: string;
  /** The rule's own AssertDescription. */
  message: string;
  /** Parameters the assertion refers to, then those of its rule condition. */
  assertRefs: string[];
  conditionRefs: string[];
}

/**
 * The `Rules` assertions the values break, as CloudFormation evaluates them (defaults fill in what
 * is not given). A rule that needs the account (Fn::ValueOf...) is left to CloudFormation.
 */
export function brokenRules(
  template: CheckedTemplate,
  values: ParamValues,
  pseudo: Record<string, string> = {},
): BrokenRule[] {
  const s = scope(template, values, pseudo);
  const out: BrokenRule[] = [];
  for (const [name, raw] of Object.entries(s.template.Rules ?? {})) {
    const rule = raw as Rule;
    try {
      if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition, s) !== true) continue;
      for (const a of rule.Assertions) {
        if (evaluate(a.Assert, s) === true) continue;
        out.push({
          rule: name,
          message: a.AssertDescription ?? `rule ${name} is not met`,
          assertRefs: refsOf(a.Assert),
          conditionRefs: refsOf(rule.RuleCondition),
        });
      }
    } catch (err) {
      if (!(err instanceof NeedsAccount)) throw err;
    }
  }
  return out;
}

/**
 * Why a value breaks its parameter's declaration, in CloudFormation's terms (ConstraintDescription
 * when the template gives one), or undefined when CloudFormation would take it.
 */
export function constraintProblem(p: TemplateParameter, value: string | undefined): string | undefined {
  if (value === undefined) return p.Default === undefined ? 'is required (the template has no default)' : undefined;
  if (p.Type.startsWith('AWS::SSM::Parameter::')) return undefined; // a path, resolved by CloudFormation
  const items = isList(p) ? value.split(',') : [value];
  const say = (fallback: string) => p.ConstraintDescription ?? fallback;
  for (const item of items) {
    const numeric = p.Type === 'Number' || p.Type === 'List<Number>';
    if (numeric && (item.trim() === '' || Number.isNaN(Number(item)))) return 'must be a number';
    if (
      p.AllowedValues &&
      !p.AllowedValues.map(String).some((a) => (numeric ? Number(a) === Number(item) : a === item))
    ) {
      return `must be one of ${p.AllowedValues.join(', ')}`;
    }
    // CloudFormation matches AllowedPattern against the whole value (each item of a list).
    if (p.AllowedPattern && !new RegExp(`^(?:${p.AllowedPattern})$`).test(item))
      return say(`must match ${p.AllowedPattern}`);
    if (numeric && p.MinValue !== undefined && Number(item) < p.MinValue) return say(`must be at least ${p.MinValue}`);
    if (numeric && p.MaxValue !== undefined && Number(item) > p.MaxValue) return say(`must be at most ${p.MaxValue}`);
  }
  if (p.MinLength !== undefined && value.length < p.MinLength) return say(`must be at least ${p.MinLength} characters`);
  if (p.MaxLength !== undefined && value.length > p.MaxLength) return say(`must be at most ${p.MaxLength} characters`);
  return undefined;
}

/** Every parameter whose value breaks its declaration: [parameter, problem]. */
export function parameterProblems(template: CheckedTemplate, values: ParamValues): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, p] of Object.entries((template.Parameters ?? {}) as Record<string, TemplateParameter>)) {
    const problem = constraintProblem(p, values[name]);
    if (problem) out.push([name, problem]);
  }
  return out;
}

/** The pseudo parameters known without an AWS call, for a region. */
export function pseudoFor(region: string | undefined): Record<string, string> {
  if (!region) return {};
  const partition = partitionOfRegion(region);
  return {
    'AWS::Region': region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
}

/**
 * The logical ids of the resources a stack with these values creates: those whose `Condition` is
 * true. CloudFormation lets conditions read only parameters, mappings and pseudo parameters (not
 * resources or imports), so this is exact once those are known; a condition on a pseudo parameter
 * not given (the account id) is taken as true, and its resource listed.
 */
export function activeResources(
  template: CheckedTemplate,
  values: ParamValues,
  pseudo: Record<string, string> = {},
): string[] {
  const s = scope(template, values, pseudo);
  return Object.entries(s.template.Resources ?? {})
    .filter(([, r]) => {
      if (typeof r.Condition !== 'string') return true;
      try {
        return conditionValue(r.Condition, s);
      } catch (err) {
        if (err instanceof NeedsAccount) return true;
        throw err;
      }
    })
    .map(([id]) => id);
}

// ---------------------------------------------------------------------------------------------
// Checks on a planned environment, named by params-file field

/** A problem in a params file, named by the field it comes from (the loader adds the line). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** What the checks read of a planned stack (stages/plan.ts's PlannedStack has it all). */
export interface CheckedStack {
  name: string;
  templateId: string;
  built: { template: CheckedTemplate };
  parameters: Record<string, string>;
  fields: Record<string, string>;
  app?: string;
}

/** What the checks read of the params file. */
export interface CheckedParams {
  region: string;
}

function valueAt(doc: unknown, field: string): unknown {
  let cur: unknown = doc;
  for (const k of field.split(/\.|\[|\]/).filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** `RepositoryName` in a rule's message becomes the params file's `repositoryName`. */
function inFileTerms(message: string, s: CheckedStack): string {
  return message.replace(/\b[A-Z][A-Za-z0-9]+\b/g, (word) => {
    const field = s.fields[word];
    return field && s.parameters[word] !== undefined ? field.slice(field.lastIndexOf('.') + 1) : word;
  });
}

/**
 * The field a broken rule is reported on: a parameter of the assertion the file sets, else one of
 * the rule condition's that it sets, else the assertion's first parameter.
 */
function ruleField(b: BrokenRule, s: CheckedStack, doc: unknown): string {
  const set = (p: string) => s.fields[p] !== undefined && valueAt(doc, s.fields[p]!) !== undefined;
  const pick = b.assertRefs.find(set) ?? b.conditionRefs.find(set) ?? b.assertRefs[0] ?? b.conditionRefs[0];
  return (pick && s.fields[pick]) ?? s.fields[Object.keys(s.fields)[0]!]!;
}

/** CloudFormation's own checks of one stack: parameter constraints, then `Rules`. */
export function templateProblems(s: CheckedStack, doc: unknown, region: string): FieldProblem[] {
  const t = s.built.template;
  const out: FieldProblem[] = parameterProblems(t, s.parameters).map(([p, message]) => ({
    field: s.fields[p] ?? p,
    message: `${message} (${p} of ${s.templateId})`,
  }));
  if (out.length) return out; // rules read the values; they mean little while those are wrong
  for (const b of brokenRules(t, s.parameters, pseudoFor(region))) {
    out.push({
      field: ruleField(b, s, doc),
      message: `${inFileTerms(b.message, s)} (rule ${b.rule} of ${s.templateId})`,
    });
  }
  return out;
}

// ---- regions

interface Partition {
  id: string;
  regions: Record<string, unknown>;
}

let partitionCache: Partition[] | undefined;

/**
 * The partitions and their regions, from the AWS SDK's own endpoint data (offline). The SDK keeps
 * the table in its ESM build only, as a module of one exported constant: it is read as JSON.
 */
function partitions(): Partition[] {
  if (partitionCache) return partitionCache;
  try {
    const cjs = require.resolve('@aws-sdk/core/client');
    const esm = path.join(
      cjs.slice(0, cjs.lastIndexOf(`${path.sep}dist-cjs${path.sep}`)),
      'dist-es',
      'submodules',
      'client',
      'util-endpoints',
      'lib',
      'aws',
      'partitions.js',
    );
    const text = fs.readFileSync(esm, 'utf8');
    partitionCache = (
      JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { partitions: Partition[] }
    ).partitions;
  } catch {
    // An SDK that moved its table: no region is refused here (test/params/check.test.ts notices).
    partitionCache = [];
  }
  return partitionCache;
}

/** Every region the SDK knows, by partition. */
export function knownRegions(): string[] {
  return partitions().flatMap((p) =>
    Object.keys(p.regions).filter((r) => !r.endsWith('-global') && r !== 'aws-global'),
  );
}

function partitionOfRegion(region: string): string {
  return partitions().find((p) => region in p.regions)?.id ?? 'aws';
}

/** The shape of a region's name; whether AWS has it is {@link regionProblem}. */
export const REGION = {
  pattern: /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/,
  message: 'a region looks like "us-east-1"',
} as const;

/** Why a value is not a region: its shape first, then whether AWS has it; undefined for a real one. */
export function checkRegion(region: string): string | undefined {
  return REGION.pattern.test(region) ? regionProblem(region) : REGION.message;
}

/** Why a region is not one, with the closest real one; undefined for a real region. */
export function regionProblem(region: string): string | undefined {
  const known = knownRegions();
  if (!known.length || known.includes(region)) return undefined;
  const near = closest(region, known);
  return `"${region}" is not an AWS region${near ? ` (did you mean "${near}"?)` : ''}; the regions are ${known.filter((r) => r.split('-')[0] === region.split('-')[0]).join(', ') || known.join(', ')}`;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function closest(word: string, known: string[]): string | undefined {
  const ranked = known.map((k) => [k, editDistance(word, k)] as const).sort((x, y) => x[1] - y[1]);
  return ranked[0] && ranked[0][1] <= 3 ? ranked[0][0] : undefined;
}

// ---- CIDRs

/** A parsed IPv4 CIDR: its first address as a number and its prefix length. */
export interface Cidr {
  text: string;
  base: number;
  bits: number;
}

/** Parses a CIDR; a string says what is wrong with it. */
export function parseCidr(text: string): Cidr | string {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})\s*$/.exec(text);
  if (!m) return `"${text}" is not a CIDR (like 10.0.0.0/16)`;
  const octets = m.slice(1, 5).map(Number);
  const bad = octets.find((o) => o > 255);
  if (bad !== undefined) return `"${text}": ${bad} is not an address octet (0 to 255)`;
  const bits = Number(m[5]);
  if (bits > 32) return `"${text}": a prefix length is 0 to 32`;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { text: text.trim(), base, bits };
}

const size = (c: Cidr) => 2 ** (32 - c.bits);
const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const inside = (inner: Cidr, outer: Cidr) =>
  inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
const overlap = (a: Cidr, b: Cidr) => a.base < b.base + size(b) && b.base < a.base + size(a);

/** A CIDR whose address has host bits set (AWS refuses it for a VPC or subnet). */
function hostBitsProblem(c: Cidr): string | undefined {
  const aligned = c.base - (c.base % size(c));
  return aligned === c.base ? undefined : `"${c.text}" has host bits set: the network is ${dotted(aligned)}/${c.bits}`;
}

/** Every CIDR-valued parameter: valid addresses and prefix lengths. */
function cidrSyntaxProblems(s: CheckedStack): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const [name, value] of Object.entries(s.parameters)) {
    if (!/Cidrs?$/.test(name) || value === '') continue;
    for (const item of value.split(',')) {
      const c = parseCidr(item);
      if (typeof c === 'string') out.push({ field: s.fields[name] ?? name, message: c });
    }
  }
  return out;
}

/**
 * The network's subnets: each list has a CIDR per availability zone used, each subnet lies inside
 * the VPC, has no host bits set, and overlaps no other subnet.
 */
function subnetProblems(s: CheckedStack): FieldProblem[] {
  const vpc = s.parameters.VpcCidr !== undefined ? parseCidr(s.parameters.VpcCidr) : undefined;
  if (!vpc || typeof vpc === 'string') return [];
  const field = (p: string) => s.fields[p] ?? p;
  const out: FieldProblem[] = [];
  const vpcHost = hostBitsProblem(vpc);
  if (vpcHost) out.push({ field: field('VpcCidr'), message: vpcHost });
  const zones = Number(s.parameters.AzCount ?? 1);
  const seen: [string, Cidr][] = [];
  for (const name of Object.keys(s.parameters).filter((p) => /SubnetCidrs$/.test(p))) {
    const items = s.parameters[name]!.split(',').map(parseCidr);
    if (items.some((c) => typeof c === 'string')) continue; // reported by cidrSyntaxProblems
    const label = field(name).slice(field(name).lastIndexOf('.') + 1);
    if (items.length < zones)
      out.push({
        field: field(name),
        message: `${zones} availability zones need ${zones} CIDRs; it has ${items.length}`,
      });
    const problems: string[] = [];
    for (const c of (items as Cidr[]).slice(0, zones)) {
      const problem =
        hostBitsProblem(c) ??
        (!inside(c, vpc) ? `${c.text} is not inside vpcCidr ${vpc.text}` : undefined) ??
        seen.filter(([, o]) => overlap(c, o)).map(([f, o]) => `${c.text} overlaps ${o.text} (${f})`)[0];
      if (problem) problems.push(problem);
      seen.push([label, c]);
    }
    if (!problems.length) continue;
    const fromDefault =
      s.parameters[name] === defaultOf(s, name)
        ? `; these are the template's defaults: set ${label} to subnets of your vpcCidr`
        : '';
    out.push({ field: field(name), message: `${problems.join('; ')}${fromDefault}` });
  }
  return out;
}

function defaultOf(s: CheckedStack, name: string): string | undefined {
  const p = (s.built.template.Parameters ?? {})[name] as TemplateParameter | undefined;
  return p?.Default === undefined ? undefined : String(p.Default);
}

// ---- min <= max

/**
 * Pairs of a template's parameters that bound one quantity, by name: `MinContainers` and
 * `MaxContainers`, `Ec2MinSize` and `Ec2MaxSize`; a `...Desired...` one lies between them.
 */
export function boundPairs(names: string[]): { min: string; max: string; desired?: string }[] {
  return names
    .filter((n) => /Min/.test(n) && names.includes(n.replace('Min', 'Max')))
    .map((min) => {
      const head = min.slice(0, min.indexOf('Min'));
      const desired = names.find((n) => n.startsWith(`${head}Desired`));
      return { min, max: min.replace('Min', 'Max'), ...(desired ? { desired } : {}) };
    });
}

function boundProblems(s: CheckedStack): FieldProblem[] {
  const v = (p: string) => Number(s.parameters[p]);
  const out: FieldProblem[] = [];
  for (const { min, max, desired } of boundPairs(Object.keys(s.parameters))) {
    const [fmin, fmax] = [s.fields[min] ?? min, s.fields[max] ?? max];
    const [omin, omax] = [fmin.slice(fmin.lastIndexOf('.') + 1), fmax.slice(fmax.lastIndexOf('.') + 1)];
    if (v(min) > v(max))
      out.push({
        field: fmin,
        message: `${omin} ${v(min)} is more than ${omax} ${v(max)}: the minimum must not exceed the maximum`,
      });
    else if (desired && (v(desired) < v(min) || v(desired) > v(max))) {
      out.push({
        field: s.fields[desired] ?? desired,
        message: `${v(desired)} is outside ${omin}..${omax} (${v(min)}..${v(max)})`,
      });
    }
  }
  return out;
}

// ---- listener rules of extra services

/**
 * Listener rule priorities of an app's extra services: a priority the file sets is kept; the
 * others get the next free number in file order (1, 2, ...), so the same file gives the same
 * priorities on every run.
 */
export function extraPriorities(extras: { rulePriority?: number | string }[]): number[] {
  const taken = new Set(
    extras
      .map((e) => e.rulePriority)
      .filter((p) => p !== undefined)
      .map(Number),
  );
  let next = 1;
  return extras.map((e) => {
    if (e.rulePriority !== undefined) return Number(e.rulePriority);
    while (taken.has(next)) next++;
    taken.add(next);
    return next;
  });
}

/** Path prefixes (and priorities) of the extra services on one app's listener are unique. */
function listenerProblems(stacks: CheckedStack[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  const byApp = new Map<string, CheckedStack[]>();
  for (const s of stacks.filter((x) => x.parameters.PathPrefix !== undefined && x.app))
    byApp.set(s.app!, [...(byApp.get(s.app!) ?? []), s]);
  for (const group of byApp.values()) {
    group.sort((a, b) => (a.fields.PathPrefix ?? '').localeCompare(b.fields.PathPrefix ?? '', 'en', { numeric: true }));
    for (const key of ['PathPrefix', 'RulePriority']) {
      const first = new Map<string, CheckedStack>();
      for (const s of group) {
        const value =
          key === 'PathPrefix' ? `${s.parameters.HostHeader ?? ''} ${s.parameters[key]}` : s.parameters[key]!;
        const prev = first.get(value);
        const what = key === 'PathPrefix' ? `path prefix ${s.parameters[key]}` : `rule priority ${s.parameters[key]}`;
        if (prev)
          out.push({
            field: s.fields[key] ?? key,
            message: `${what} is already used by ${prev.fields[key]!.replace(/\.\w+$/, '')} on the same listener: ${key === 'PathPrefix' ? 'its requests would never reach this service; give each a different pathPrefix' : 'give each extra service its own rulePriority'}`,
          });
        else first.set(value, s);
      }
    }
  }
  return out;
}

/**
 * Every problem of a planned environment that AWS would refuse (or, for a path prefix used twice,
 * silently get wrong), named by the params-file field it comes from.
 */
export function planProblems(params: CheckedParams, stacks: CheckedStack[], doc: unknown = params): FieldProblem[] {
  const region = regionProblem(params.region);
  const out: FieldProblem[] = region ? [{ field: 'region', message: region }] : [];
  for (const s of stacks) {
    const own = templateProblems(s, doc, region ? 'us-east-1' : params.region);
    out.push(...own, ...(own.length ? [] : [...cidrSyntaxProblems(s), ...subnetProblems(s), ...boundProblems(s)]));
  }
  out.push(...listenerProblems(stacks));
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(`${p.field}|${p.message}`) && Boolean(seen.add(`${p.field}|${p.message}`)));
}

// ---- one answer at a time (the wizard)

/**
 * Why an answer to one parameter breaks a `Rules` assertion or a min/max bound of its template,
 * given the values decided before it, or undefined. Only rules and bounds whose other parameters
 * all come earlier in the template are judged (a later one is not answered yet), so the wizard can
 * refuse memory 8192 once cpu 256 is chosen without refusing cpu 1024 before memory is asked.
 */
export function answerProblem(
  template: CheckedTemplate,
  parameter: string,
  value: string,
  known: ParamValues,
): string | undefined {
  const t = plain(template);
  const order = Object.keys(t.Parameters ?? {});
  const earlier = (p: string) => p === parameter || order.indexOf(p) < order.indexOf(parameter);
  const values = { ...known, [parameter]: value };
  const rule = brokenRules(t, values).find((b) => {
    const refs = [...b.assertRefs, ...b.conditionRefs];
    return refs.includes(parameter) && refs.every(earlier);
  });
  if (rule) return rule.message;
  const all = withDefaults(t, values);
  const asStack: CheckedStack = {
    name: '',
    templateId: '',
    built: { template: t },
    parameters: Object.fromEntries(order.filter(earlier).flatMap((p) => (all[p] === undefined ? [] : [[p, all[p]!]]))),
    fields: {},
  };
  const cidr = [...cidrSyntaxProblems(asStack), ...subnetProblems(asStack)].find((p) => p.field === parameter);
  if (cidr) return cidr.message;
  for (const { min, max, desired } of boundPairs(order)) {
    const [lo, hi] = [Number(all[min]), Number(all[max])];
    if (parameter === max && lo > hi) return `must be at least ${min} (${lo})`;
    if (parameter === desired && (Number(value) < lo || Number(value) > hi))
      return `must be between ${min} and ${max} (${lo} to ${hi})`;
  }
  return undefined;
}
