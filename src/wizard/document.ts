/**
 * The wizard's answers as a params document: building it (template defaults left out, keys in the
 * order of examples/), rendering it as YAML with its schema line, validating it with the params
 * file's own parser, and rebuilding one from the stacks of an existing environment (their current
 * parameter values), merged over a saved params file. Pure: no prompts, no AWS, no file system.
 */
import { stringify } from 'yaml';
import { catalogue, DATA_KINDS, publishedTemplate, stages, type StageKey } from '../../stages/catalogue';
import { optionName, stageParameters } from '../../stages/options';
import type { DataKind } from '../../templates/kit/links';
import { isTemplateId, templateNumber } from '../../templates/kit/ids';
import { environmentId } from '../../templates/kit/names';
import { LINK_ACCESS } from '../../templates/links';
import { parseParams } from '../params/load';
import type { ParamsFile, ParamsInput } from '../../stages/params';
import { isTemplateDefault, optionParameter } from './questions';

/**
 * A params document as the wizard builds it: the input shape of a params file, the type of the
 * params file's own schema (one model: a field or row added there is a field here).
 */
export type ParamsDoc = ParamsInput;
export type RepositoryDoc = NonNullable<ParamsDoc['repositories']>[number];
export type AppDoc = NonNullable<ParamsDoc['apps']>[number];
/** A service section: options plus what the planner builds into its template. */
export type ServiceDoc = NonNullable<AppDoc['service']>;
export type ExtraDoc = NonNullable<AppDoc['extras']>[number];
export type DataDoc = NonNullable<AppDoc['data']>[number];
export type LinkDoc = NonNullable<ServiceDoc['links']>[number];
/** What a link may do with its data store. */
export type Access = NonNullable<LinkDoc['access']>[number];

/** Template options of one stage, in camelCase (`{ maxContainers: 5 }`). */
export type Options = Record<string, unknown>;

/**
 * The environment's own stages: catalogue rows with a top-level section of their own (`network:`,
 * `ecsCluster:`...), in number order. Their keys are the params file's: its type names them too.
 */
export type EnvironmentStage = Extract<keyof ParamsDoc, StageKey>;
export const ENVIRONMENT_STAGES = catalogue
  .filter((r) => r.place.kind === 'section' && r.place.at === 'environment')
  // A row at the top level is a key of the params file (a test holds the schema to it).
  .map((r) => r.key as EnvironmentStage);

/** Whether the stage is built even when its section is absent (the network). */
export function alwaysBuilt(stage: StageKey): boolean {
  const { place } = stages[stage];
  return place.kind === 'section' && Boolean(place.always);
}

/** Whether a stage is one of the environment's own stages. */
function isEnvironmentStage(stage: StageKey): stage is EnvironmentStage {
  return (ENVIRONMENT_STAGES as readonly StageKey[]).includes(stage);
}

/** Whether a stage is a data store kind (its sections are an app's `data`). */
export function isDataKind(stage: StageKey): stage is DataKind {
  return (DATA_KINDS as readonly StageKey[]).includes(stage);
}

/** What a list item is and what names it: first in its YAML section. */
const IDENTITY_FIELDS = ['kind', 'name', 'suffix'];
/**
 * What a service section says beyond its options: last in its YAML section, and not in the stack's
 * parameters (a saved file supplies them when updating).
 */
const SERVICE_FIELDS = ['links', 'environment', 'secrets'];
/** Fields of a section that are not template options. */
const STRUCTURAL = new Set([...IDENTITY_FIELDS, ...SERVICE_FIELDS]);

/** A section's options without those the template would use anyway; structural fields kept. */
export function pruneOptions(stage: StageKey, section: Options): Options {
  const out: Options = {};
  for (const [k, v] of Object.entries(section)) {
    if (v === undefined) continue;
    if (STRUCTURAL.has(k)) {
      if (Array.isArray(v) && v.length === 0) continue;
      if (k === 'environment' && v && typeof v === 'object' && !Object.keys(v).length) continue;
      out[k] = v;
      continue;
    }
    if (isTemplateDefault(stage, k, v)) continue;
    // Values of list parameters are kept as "a,b" (the schema accepts both forms).
    out[k] = v;
  }
  return out;
}

/** Structural keys first (name, kind, suffix), options next, links/environment/secrets last. */
function ordered(section: Options): Options {
  const head = IDENTITY_FIELDS.filter((k) => k in section);
  const tail = SERVICE_FIELDS.filter((k) => k in section);
  const rest = Object.keys(section).filter((k) => !head.includes(k) && !tail.includes(k));
  return Object.fromEntries([...head, ...rest, ...tail].map((k) => [k, section[k]]));
}

/**
 * A section as the document holds it: pruned and ordered. Its type is the section's own: pruning
 * drops options (unknown values) and empty optional lists only, never name, kind or suffix.
 */
function section<T extends Options>(stage: StageKey, answers: T): T {
  return ordered(pruneOptions(stage, answers)) as T;
}

/**
 * An app's own fields without its stages' sections: its name, and any field the params file gives
 * an app (they pass through the document and the merge as they are).
 */
export function appFields({
  loadBalancer: _lb,
  service: _svc,
  extras: _extras,
  data: _data,
  ...fields
}: AppDoc): AppDoc {
  return fields;
}

function appSection(app: AppDoc): AppDoc {
  const out = appFields(app);
  out.loadBalancer = section('loadBalancer', app.loadBalancer ?? {});
  if (app.service) out.service = section('service', app.service);
  if (app.extras?.length) out.extras = app.extras.map((e) => section('extra', e));
  if (app.data?.length) out.data = app.data.map((d) => section(d.kind, d));
  return out;
}

/**
 * The params document for a set of answers: template defaults left out, empty lists dropped, keys
 * in a stable order. Present stages stay present even when empty (`ecsCluster: {}` builds one).
 */
export function toParamsDocument(answers: ParamsDoc): ParamsDoc {
  const { tags } = answers;
  const doc: ParamsDoc = {
    environment: answers.environment,
    prefix: answers.prefix,
    region: answers.region,
    ...(answers.profile ? { profile: answers.profile } : {}),
    ...(answers.protected ? { protected: true } : {}),
    tags: {
      contactEmail: tags.contactEmail,
      ...(tags.costCode ? { costCode: tags.costCode } : {}),
      ...(tags.extra && Object.keys(tags.extra).length ? { extra: tags.extra } : {}),
    },
  };
  for (const key of ENVIRONMENT_STAGES) {
    const options = answers[key] ?? (alwaysBuilt(key) ? {} : undefined);
    if (options) doc[key] = section(key, options);
  }
  if (answers.repositories?.length) doc.repositories = answers.repositories.map((r) => section('repository', r));
  if (answers.apps?.length) doc.apps = answers.apps.map(appSection);
  return doc;
}

/** Top-level sections that get a blank line before them, as in examples/. */
const SPACED = new RegExp(`\\n(?=(${[...ENVIRONMENT_STAGES, 'repositories', 'apps'].join('|')}):)`, 'g');

/**
 * The YAML text of a params document: a schema line (so editors complete and check it, as in
 * examples/), a line saying how to replay it, then the document.
 */
export function renderParams(doc: ParamsDoc, opts: { file: string; schemaRef?: string }): string {
  const head = [
    ...(opts.schemaRef ? [`# yaml-language-server: $schema=${opts.schemaRef}`] : []),
    `# Environment ${environmentId(doc)}, saved by the provision wizard.`,
    `# Replay without prompts:  provision deploy --params ${opts.file} --yes`,
    `# Change it with the wizard:  provision wizard --params ${opts.file}`,
  ];
  const body = stringify(doc, { lineWidth: 0 }).replace(SPACED, '\n\n');
  return `${head.join('\n')}\n${body}`;
}

/** Validates a rendered document with the params file's own parser (throws ParamsError). */
export function validateDocument(text: string, file: string): ParamsFile {
  return parseParams(text, file);
}

// ---- existing environments ----

/** One deployed stack of an environment, as the wizard reads it. */
export interface FoundStack {
  name: string;
  /** The catalogue template (`32.app-ecs-service`), from the stack's tag or its name. */
  templateId: string;
  /** Current parameter values. */
  parameters: Record<string, string>;
  terminationProtection?: boolean;
  /** Stack tags (those not set by the deployer itself become tags.extra). */
  tags?: Record<string, string>;
  /** Data stores of its app that a service's template imports from (its links). */
  linkedData?: string[];
}

const STAGE_BY_NUMBER = new Map<number, StageKey>(
  Object.values(stages).map((s) => [templateNumber(s.templateId), s.key]),
);

/**
 * The stage a template id belongs to (`32.app-ecs-service` -> `service`), by its number: the id
 * comes from a deployed stack's tag, and a number never moves to another template.
 */
export function stageOfTemplate(templateId: string): StageKey | undefined {
  return isTemplateId(templateId) ? STAGE_BY_NUMBER.get(templateNumber(templateId)) : undefined;
}

/** The options a stack runs with: every stage parameter that differs from the template default. */
export function optionsFromParameters(stage: StageKey, parameters: Record<string, string>): Options {
  const def = stages[stage];
  const out: Options = {};
  for (const [name, p] of stageParameters(publishedTemplate(def), def.structural)) {
    if (!(name in parameters)) continue;
    const option = optionName(name);
    const raw = parameters[name]!;
    if (isTemplateDefault(stage, option, raw)) continue;
    // An SSM-parameter type holds a parameter name; an AMI id there is the value it resolved to
    // (some CloudFormation implementations report that as the value), not a setting to keep.
    if (p.Type.startsWith('AWS::SSM::Parameter::Value<') && /^ami-[0-9a-f]+$/.test(raw)) continue;
    out[option] = p.Type === 'Number' && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** Access a link gets when the stack does not say (every kind of access its store allows). */
export function defaultAccess(kind: DataKind): Access[] | undefined {
  const allowed = LINK_ACCESS[kind];
  return allowed.length ? [...allowed] : undefined;
}

/** A service stack found, with the app it belongs to (its links are read once the app's data is known). */
type FoundService = [app: AppDoc, service: ServiceDoc, stack: FoundStack];

/** The network stack gives the environment's tags and termination protection. */
function readNetwork(doc: ParamsDoc, s: FoundStack): void {
  const p = s.parameters;
  const extra = Object.fromEntries(Object.entries(s.tags ?? {}).filter(([k]) => !k.startsWith('cfn-stages:')));
  doc.tags = {
    contactEmail: p.ContactEmail ?? '',
    ...(p.CostCode && p.CostCode !== 'unassigned' ? { costCode: p.CostCode } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
  if (s.terminationProtection) doc.protected = true;
}

/** Places an app's stack (load balancer, service, extra service, data store) in its app section. */
function readAppStack(app: AppDoc, stage: StageKey, options: Options, s: FoundStack, services: FoundService[]): void {
  const p = s.parameters;
  if (stage === 'loadBalancer') app.loadBalancer = options;
  else if (stage === 'service') {
    app.service = { ...options };
    services.push([app, app.service, s]);
  } else if (stage === 'extra' && p.Suffix) {
    const extra: ExtraDoc = { suffix: p.Suffix, ...options };
    (app.extras ??= []).push(extra);
    services.push([app, extra, s]);
  } else if (isDataKind(stage) && p.DataName) {
    (app.data ??= []).push({ kind: stage, name: p.DataName, ...options });
  }
}

/** A service's links: the data stores of its app that its template imports from. */
function readLinks([app, svc, s]: FoundService): void {
  const links = (s.linkedData ?? [])
    .map((name) => app.data?.find((d) => d.name === name))
    .filter((d): d is DataDoc => Boolean(d))
    .map((d): LinkDoc => {
      const access = defaultAccess(d.kind);
      return { name: d.name, ...(access ? { access } : {}) };
    });
  if (links.length) svc.links = links;
}

/**
 * A params document describing what is deployed: each stack's current parameters as options.
 * Tags come from the network stack (ContactEmail/CostCode parameters, its other stack tags). Links
 * come from the stacks' imports (their access, plain environment variables and secret keys are not
 * parameters: a saved params file supplies them, see {@link mergeExisting}).
 */
export function documentFromStacks(
  found: FoundStack[],
  env: { environment: string; prefix: string; region: string },
): ParamsDoc {
  const doc: ParamsDoc = { ...env, tags: { contactEmail: '' } };
  const apps = new Map<string, AppDoc>();
  const services: FoundService[] = [];
  for (const s of found) {
    const stage = stageOfTemplate(s.templateId);
    if (!stage) continue;
    const options = optionsFromParameters(stage, s.parameters);
    const { RepositoryName: repository, ApplicationName: appName } = s.parameters;
    if (isEnvironmentStage(stage)) {
      doc[stage] = options;
      if (stage === 'network') readNetwork(doc, s);
    } else if (stage === 'repository') {
      if (repository) (doc.repositories ??= []).push({ name: repository, ...options });
    } else if (appName) {
      if (!apps.has(appName)) apps.set(appName, { name: appName });
      readAppStack(apps.get(appName)!, stage, options, s, services);
    }
  }
  services.forEach(readLinks);
  if (apps.size) doc.apps = [...apps.values()].sort((a, b) => a.name.localeCompare(b.name));
  return doc;
}

/** Options of `current` with the structural fields (links, environment, secrets) of `saved`. */
function overlay<T extends Options>(saved: T | undefined, current: T): T {
  if (!saved) return current;
  const out: Options = { ...current };
  for (const k of SERVICE_FIELDS) if (saved[k] !== undefined) out[k] = saved[k];
  return out as T;
}

/** Items by key, in order (for merging lists by name). */
function byKey<T, K>(items: T[] | undefined, key: (t: T) => K): Map<K, T> {
  return new Map((items ?? []).map((i) => [key(i), i]));
}

/** An app as deployed (`cur`) over its saved section (`old`): see {@link mergeExisting}. */
function mergeApp(old: AppDoc | undefined, cur: AppDoc): AppDoc {
  const app: AppDoc = { ...(old ? appFields(old) : {}), ...appFields(cur) };
  const lb = cur.loadBalancer ?? old?.loadBalancer;
  if (lb) app.loadBalancer = lb;
  const svc = cur.service ? overlay(old?.service, cur.service) : old?.service;
  if (svc) app.service = svc;
  const extras = byKey(old?.extras, (e) => e.suffix);
  for (const e of cur.extras ?? []) extras.set(e.suffix, overlay(extras.get(e.suffix), e));
  if (extras.size) app.extras = [...extras.values()];
  const data = byKey(old?.data, (d) => `${d.kind}/${d.name}`);
  for (const d of cur.data ?? []) data.set(`${d.kind}/${d.name}`, d);
  if (data.size) app.data = [...data.values()];
  return app;
}

/**
 * Defaults for updating an existing environment: what is deployed (its current parameters) wins
 * over a saved params file; the saved file adds what parameters cannot say (links with their
 * access, environment variables, secret keys) and sections that are not deployed yet.
 */
export function mergeExisting(saved: ParamsDoc | undefined, current: ParamsDoc): ParamsDoc {
  if (!saved) return current;
  const merged: ParamsDoc = {
    ...saved,
    environment: current.environment,
    prefix: current.prefix,
    region: current.region,
    tags: current.tags.contactEmail ? { ...saved.tags, ...current.tags } : saved.tags,
    ...(current.protected !== undefined ? { protected: current.protected } : {}),
  };
  for (const key of ENVIRONMENT_STAGES) {
    const v = current[key] ?? saved[key];
    if (v) merged[key] = v;
    else delete merged[key];
  }
  const repos = byKey(saved.repositories, (r) => r.name);
  for (const r of current.repositories ?? []) repos.set(r.name, r);
  if (repos.size) merged.repositories = [...repos.values()];
  const savedApps = byKey(saved.apps, (a) => a.name);
  const apps: AppDoc[] = [...(saved.apps ?? [])].map((a) => ({ ...a }));
  for (const cur of current.apps ?? []) {
    const app = mergeApp(savedApps.get(cur.name), cur);
    const i = apps.findIndex((a) => a.name === cur.name);
    if (i >= 0) apps[i] = app;
    else apps.push(app);
  }
  if (apps.length) merged.apps = apps;
  return merged;
}

/** The option names a stage section sets that the template does not know (for warnings). */
export function unknownOptions(stage: StageKey, section: Options): string[] {
  return Object.keys(section).filter((k) => !STRUCTURAL.has(k) && !optionParameter(stage, k));
}
