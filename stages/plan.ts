/**
 * From a params file to the stacks to build: names, templates, parameters, tags, and the order.
 * The order is derived, never written: a stack depends on the stack (in this plan) that exports a
 * name it imports. Imports no stack of the plan produces are "external": they must already exist
 * in the account (e.g. an ECR repository deployed with another environment's params file).
 */
import { TagKey, type BuiltTemplate } from '../templates/kit/builder';
import { exportNamePattern } from '../templates/kit/exports';
import { templateNumber, type TemplateId } from '../templates/kit/ids';
import type { DataKind, LinkSpec } from '../templates/kit/links';
import type { ServiceOptions } from '../templates/service/service';
import { environmentId, resolvePattern } from '../templates/kit/names';
import { catalogue, isDataRow, stackTemplate, type BuildOptions, type StageDef, type StageKey } from './catalogue';
import { optionName, toParameters } from './options';
import { stackProtection } from './protection';
import { topological } from './order';
import { itemsOf, listPlaces, rowOfItem, rowsOfList, sectionOf, type ParamsFile, type Section } from './params';

export interface PlannedStack {
  name: string;
  stage: StageKey;
  title: string;
  templateId: TemplateId;
  built: BuiltTemplate;
  /** Every template parameter, defaults filled in. */
  parameters: Record<string, string>;
  tags: Record<string, string>;
  /** Where each template parameter comes from in the params file (`apps[0].service.cpu`). */
  fields: Record<string, string>;
  /** Stack names in this plan it depends on. */
  dependsOn: string[];
  /** Concrete export names it imports / exports. */
  imports: string[];
  exports: string[];
  /** Imports no stack of this plan produces (must exist already). */
  external: string[];
  capabilities: string[];
  terminationProtection: boolean;
  app?: string;
}

interface Draft {
  stage: StageDef;
  options: Record<string, unknown>;
  std: Record<string, string>;
  /** The params-file section of the stage's options, and the fields its standard parameters come from. */
  at: string;
  stdAt: Record<string, string>;
  build?: BuildOptions;
  app?: string;
}

type ServiceSection = {
  links?: { name: string; access?: string[] }[];
  environment?: Record<string, string>;
  secrets?: string[];
} & Record<string, unknown>;

/**
 * Splits a service section into template options and build options. A service whose image comes
 * from the project's ECR repository imports that repository's exports, so the deployer orders the
 * repository stack first.
 */
function serviceDraft(
  section: ServiceSection,
  toLinks: (ls: ServiceSection['links']) => LinkSpec[],
): { options: Record<string, unknown>; build: ServiceOptions } {
  const { links, environment, secrets, ...options } = section;
  const ecr = Boolean(options.repositoryName) && !options.publicImage;
  return {
    options,
    build: {
      links: toLinks(links),
      ...(ecr ? { image: 'ecr' as const } : {}),
      ...(environment ? { environment } : {}),
      ...(secrets ? { secrets } : {}),
    },
  };
}

/** Where drafts of one level of the file (the file itself, or one app) take their standard values. */
interface Level {
  at: 'environment' | 'app';
  /** Field path of the level (`` for the file, `apps[0]`). */
  path: string;
  std: Record<string, string>;
  stdAt: Record<string, string>;
  app?: string;
  /** Links of this level's services, resolved against its data stores. */
  toLinks: (ls: ServiceSection['links']) => LinkSpec[];
}

const field = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** A list item's name: the parameter it fills, its value, and the field it is in. */
interface ItemName {
  parameter: string;
  value: string;
  field: string;
}

function draft(level: Level, stage: StageDef, section: Section, at: string, named?: ItemName): Draft {
  const std = named ? { ...level.std, [named.parameter]: named.value } : level.std;
  const stdAt = named ? { ...level.stdAt, [named.parameter]: named.field } : level.stdAt;
  const base = { stage, std, stdAt, at, ...(level.app ? { app: level.app } : {}) };
  return stage.linkable
    ? { ...base, ...serviceDraft(section as ServiceSection, level.toLinks) }
    : { ...base, options: section };
}

/** The level's standard values plus what the row takes from a field beside its section (31's publicUri). */
function withHolderFields(level: Level, stage: StageDef, holder: Section): Level {
  const from = stage.fromHolder;
  if (!from) return level;
  const values = from.values(holder[from.field] as string | undefined);
  const at = Object.fromEntries(Object.keys(values).map((k) => [k, field(level.path, from.field)]));
  return { ...level, std: { ...level.std, ...values }, stdAt: { ...level.stdAt, ...at } };
}

/** A row whose stack follows from the rest of its app (`fromApp`): none, or one draft. */
function derivedDraft(level: Level, stage: StageDef, holder: Section): Draft[] {
  const derived = stage.fromApp?.(holder, level.path);
  if (!derived) return [];
  const { options, parameters, fields, build } = derived;
  const std = { ...level.std, ...parameters };
  const where = { at: field(level.path, stage.key), stdAt: { ...level.stdAt, ...fields } };
  return [{ stage, options, std, ...where, ...(build ? { build } : {}), ...(level.app ? { app: level.app } : {}) }];
}

/** The drafts of one level: each row's section (when present, or always), then each list's items. */
function levelDrafts(holder: Section, level: Level): Draft[] {
  const out: Draft[] = [];
  for (const stage of catalogue) {
    if (stage.place.kind !== 'section' || stage.place.at !== level.at) continue;
    const section = sectionOf(holder, stage);
    if (stage.fromApp) {
      out.push(...derivedDraft(withHolderFields(level, stage, holder), stage, holder));
      continue;
    }
    const withOther = stage.place.withSection !== undefined && holder[stage.place.withSection] !== undefined;
    if (!section && !stage.place.always && !withOther) continue;
    out.push(draft(withHolderFields(level, stage, holder), stage, section ?? {}, field(level.path, stage.key)));
  }
  for (const place of listPlaces(level.at)) {
    const items = itemsOf(holder, place);
    for (const stage of rowsOfList(place)) {
      const mine = items.map((item, j) => ({ item, j })).filter(({ item }) => rowOfItem(place, item) === stage);
      const filled = stage.fillItems ? stage.fillItems(mine.map((m) => m.item)) : mine.map((m) => m.item);
      mine.forEach(({ j }, n) => {
        const { [place.name.field]: itemName, kind: _kind, ...section } = filled[n]!;
        const at = `${field(level.path, place.list)}[${j}]`;
        const named = { parameter: place.name.parameter, value: String(itemName), field: `${at}.${place.name.field}` };
        out.push(draft(level, stage, section, at, named));
      });
    }
  }
  return out;
}

/** How a service's links name their stores: by the data-store kind of each name in its app. */
function linksOf(app: Section): Level['toLinks'] {
  const kindOf = new Map<string, DataKind>();
  for (const place of listPlaces('app'))
    for (const item of itemsOf(app, place)) {
      const row = place.byKind ? rowOfItem(place, item) : undefined;
      if (row && isDataRow(row)) kindOf.set(String(item[place.name.field]), row.key);
    }
  return (ls) =>
    (ls ?? []).map((l) => ({
      kind: kindOf.get(l.name)!,
      name: l.name,
      ...(l.access ? { access: l.access as LinkSpec['access'] } : {}),
    }));
}

const ENV_FIELDS = {
  Prefix: 'prefix',
  EnvironmentName: 'environment',
  ContactEmail: 'tags.contactEmail',
  CostCode: 'tags.costCode',
};

function drafts(params: ParamsFile): Draft[] {
  const env = {
    Prefix: params.prefix,
    EnvironmentName: params.environment,
    ContactEmail: params.tags.contactEmail,
    CostCode: params.tags.costCode ?? 'unassigned',
  };
  const top: Level = { at: 'environment', path: '', std: env, stdAt: ENV_FIELDS, toLinks: () => [] };
  const out = levelDrafts(params, top);
  (params.apps ?? []).forEach((app, a) => {
    const path = `apps[${a}]`;
    out.push(
      ...levelDrafts(app, {
        at: 'app',
        path,
        std: { ...env, ApplicationName: app.name },
        stdAt: { ...ENV_FIELDS, ApplicationName: `${path}.name` },
        app: app.name,
        toLinks: linksOf(app),
      }),
    );
  });
  return out;
}

function capabilitiesOf(built: BuiltTemplate): string[] {
  const types = Object.values(built.template.Resources).map((r) => r.Type);
  return types.some((t) => t.startsWith('AWS::IAM::')) ? ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] : [];
}

/** The stack of one draft, before its dependencies are known. */
function plannedStack(params: ParamsFile, d: Draft): PlannedStack {
  const built = stackTemplate(d.stage, d.build);
  const protection = stackProtection(params.protected, built, d.options);
  const parameters = { ...toParameters(built, d.options, d.stage.structural), ...protection.parameters, ...d.std };
  // Only the template's own parameters go to CloudFormation (ContactEmail etc. exist in every template).
  const declared = built.template.Parameters ?? {};
  for (const k of Object.keys(parameters)) if (!(k in declared)) delete parameters[k];
  return {
    name: resolvePattern(built.stackNamePattern, parameters),
    stage: d.stage.key,
    title: d.stage.title,
    templateId: built.id,
    built,
    parameters,
    // A project stack is shared by environments: no environment's tags, or they would flip with each deploy.
    tags:
      built.scope === 'project'
        ? { [TagKey.template]: built.id }
        : {
            ...(params.tags.extra ?? {}),
            [TagKey.environment]: environmentId(params),
            [TagKey.template]: built.id,
            ...(d.app ? { [TagKey.application]: d.app } : {}),
          },
    fields: Object.fromEntries(Object.keys(declared).map((k) => [k, d.stdAt[k] ?? `${d.at}.${optionName(k)}`])),
    dependsOn: [],
    // An import whose instance comes from a parameter left empty is switched off by a condition
    // in the template (e.g. 46's optional SQS subscribers): it is no dependency.
    imports: built.imports
      .filter((i) => !/^\$\{(\w+)\}$/.test(i.instance ?? '') || parameters[/^\$\{(\w+)\}$/.exec(i.instance!)![1]!])
      .filter((i) => !i.onlyWith || parameters[i.onlyWith])
      .map((i) => resolvePattern(exportNamePattern(i.contract, i.instance), parameters)),
    exports: built.exports.map((c) => resolvePattern(exportNamePattern(c), parameters)),
    external: [],
    capabilities: capabilitiesOf(built),
    terminationProtection: protection.terminationProtection,
    ...(d.app ? { app: d.app } : {}),
  };
}

/** The stacks of an environment, in an order that respects every dependency. */
export function planEnvironment(params: ParamsFile): PlannedStack[] {
  const planned = drafts(params).map((d) => plannedStack(params, d));
  const producer = new Map<string, string>();
  for (const s of planned) for (const e of s.exports) producer.set(e, s.name);
  for (const s of planned) {
    s.dependsOn = [
      ...new Set(s.imports.map((i) => producer.get(i)).filter((n): n is string => Boolean(n) && n !== s.name)),
    ];
    s.external = s.imports.filter((i) => !producer.has(i));
  }
  // Ties broken by template number then name, so plans read 11, 13, 21, 31...
  return topological(
    planned,
    (a, b) => templateNumber(a.templateId) - templateNumber(b.templateId) || a.name.localeCompare(b.name),
  );
}
