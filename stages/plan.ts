/**
 * From a params file to the stacks to build: names, templates, parameters, tags, and the order.
 * The order is derived, never written: a stack depends on the stack (in this plan) that exports a
 * name it imports. Imports no stack of the plan produces are "external": they must already exist
 * in the account (e.g. an ECR repository deployed with another environment's params file).
 */
import type { ParamsFile } from '../src/params/schema';
import { TagKey, type BuiltTemplate } from '../templates/kit/builder';
import { exportNamePattern } from '../templates/kit/exports';
import { templateNumber, type TemplateIdValue } from '../templates/kit/ids';
import type { DataKind, LinkSpec } from '../templates/kit/links';
import type { ServiceOptions } from '../templates/service/service';
import type { BuildOptions } from '../templates/catalogue';
import { resolvePattern } from '../templates/kit/names';
import { stackTemplate, stages, type StageDef, type StageKey } from './catalogue';
import { extraPriorities } from './check';
import { optionName, toParameters } from './options';
import { stackProtection } from './protection';
import { alarmsDraft, type AlarmedApp } from './alarms';

export interface PlannedStack {
  name: string;
  stage: StageKey;
  title: string;
  templateId: TemplateIdValue;
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

const ENV_FIELDS = {
  Prefix: 'prefix',
  EnvironmentName: 'environment',
  ContactEmail: 'tags.contactEmail',
  CostCode: 'tags.costCode',
};

/** The app's alarms stack (stages/alarms.ts), when it has one. */
function alarmsStage(
  app: AlarmedApp & { name: string },
  std: Record<string, string>,
  at: string,
  stdAt: Record<string, string>,
): Draft[] {
  const alarms = alarmsDraft(app, at);
  if (!alarms) return [];
  const { options, parameters, fields, build } = alarms;
  const where = { at: `${at}.alarms`, stdAt: { ...stdAt, ...fields } };
  return [{ stage: stages.alarms, options, build, std: { ...std, ...parameters }, app: app.name, ...where }];
}

function drafts(params: ParamsFile): Draft[] {
  const env = {
    Prefix: params.prefix,
    EnvironmentName: params.environment,
    ContactEmail: params.tags.contactEmail,
    CostCode: params.tags.costCode ?? 'unassigned',
  };
  const envStage = (
    key: 'network' | 'jumpboxes' | 'ecsCluster' | 'eksCluster',
    options: Record<string, unknown>,
  ): Draft => ({ stage: stages[key], options, std: env, at: key, stdAt: ENV_FIELDS });
  const out: Draft[] = [envStage('network', params.network ?? {})];
  if (params.jumpboxes) out.push(envStage('jumpboxes', params.jumpboxes));
  if (params.ecsCluster) out.push(envStage('ecsCluster', params.ecsCluster));
  if (params.eksCluster) out.push(envStage('eksCluster', params.eksCluster));
  (params.repositories ?? []).forEach((repo, r) => {
    const { name, ...options } = repo as { name: string } & Record<string, unknown>;
    out.push({
      stage: stages.repository,
      options,
      std: { RepositoryName: name, ContactEmail: env.ContactEmail, CostCode: env.CostCode },
      at: `repositories[${r}]`,
      stdAt: { ...ENV_FIELDS, RepositoryName: `repositories[${r}].name` },
    });
  });
  (params.apps ?? []).forEach((app, a) => {
    const std = { ...env, ApplicationName: app.name };
    const at = `apps[${a}]`;
    const stdAt = { ...ENV_FIELDS, ApplicationName: `${at}.name` };
    const kindOf = new Map((app.data ?? []).map((d: any) => [d.name as string, d.kind as DataKind]));
    const toLinks = (ls: { name: string; access?: string[] }[] | undefined): LinkSpec[] =>
      (ls ?? []).map((l) => ({
        kind: kindOf.get(l.name)!,
        name: l.name,
        ...(l.access ? { access: l.access as LinkSpec['access'] } : {}),
      }));
    out.push({
      stage: stages.loadBalancer,
      options: app.loadBalancer ?? {},
      std,
      app: app.name,
      at: `${at}.loadBalancer`,
      stdAt,
    });
    ((app.data ?? []) as ({ kind: DataKind; name: string } & Record<string, unknown>)[]).forEach((d, j) => {
      const { kind, name, ...options } = d;
      out.push({
        stage: stages[kind],
        options,
        std: { ...std, DataName: name },
        app: app.name,
        at: `${at}.data[${j}]`,
        stdAt: { ...stdAt, DataName: `${at}.data[${j}].name` },
      });
    });
    if (app.service) {
      out.push({
        stage: stages.service,
        std,
        app: app.name,
        at: `${at}.service`,
        stdAt,
        ...serviceDraft(app.service as ServiceSection, toLinks),
      });
    }
    out.push(...alarmsStage(app as AlarmedApp & { name: string }, std, at, stdAt));
    const extras = (app.extras ?? []) as ({ suffix: string; rulePriority?: number } & ServiceSection)[];
    const priorities = extraPriorities(extras);
    extras.forEach((extra, j) => {
      const { suffix, ...section } = extra;
      const draft = serviceDraft({ ...section, rulePriority: priorities[j] }, toLinks);
      out.push({
        stage: stages.extra,
        std: { ...std, Suffix: suffix },
        app: app.name,
        at: `${at}.extras[${j}]`,
        stdAt: { ...stdAt, Suffix: `${at}.extras[${j}].suffix` },
        ...draft,
      });
    });
  });
  return out;
}

function capabilitiesOf(built: BuiltTemplate): string[] {
  const types = Object.values(built.template.Resources).map((r) => r.Type);
  return types.some((t) => t.startsWith('AWS::IAM::')) ? ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] : [];
}

/** The stacks of an environment, in an order that respects every dependency. */
export function planEnvironment(params: ParamsFile): PlannedStack[] {
  const planned = drafts(params).map((d): PlannedStack => {
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
          ? { 'cfn-stages:template': built.id }
          : {
              ...(params.tags.extra ?? {}),
              [TagKey.environment]: `${params.prefix}${params.environment}`,
              'cfn-stages:template': built.id,
              ...(d.app ? { 'cfn-stages:application': d.app } : {}),
            },
      fields: Object.fromEntries(Object.keys(declared).map((k) => [k, d.stdAt[k] ?? `${d.at}.${optionName(k)}`])),
      dependsOn: [],
      // An import whose instance comes from a parameter left empty is switched off by a condition
      // in the template (e.g. 46's optional SQS subscribers): it is no dependency.
      imports: built.imports
        .filter((i) => !/^\$\{(\w+)\}$/.test(i.instance ?? '') || parameters[/^\$\{(\w+)\}$/.exec(i.instance!)![1]!])
        .map((i) => resolvePattern(exportNamePattern(i.contract, i.instance), parameters)),
      exports: built.exports.map((c) => resolvePattern(exportNamePattern(c), parameters)),
      external: [],
      capabilities: capabilitiesOf(built),
      terminationProtection: protection.terminationProtection,
      ...(d.app ? { app: d.app } : {}),
    };
  });
  const producer = new Map<string, string>();
  for (const s of planned) for (const e of s.exports) producer.set(e, s.name);
  for (const s of planned) {
    s.dependsOn = [
      ...new Set(s.imports.map((i) => producer.get(i)).filter((n): n is string => Boolean(n) && n !== s.name)),
    ];
    s.external = s.imports.filter((i) => !producer.has(i));
  }
  return topological(planned);
}

/** Kahn's algorithm; ties broken by template number then name, so plans read 11, 13, 21, 31... */
export function topological(stacks: PlannedStack[]): PlannedStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const remaining = new Map(stacks.map((s) => [s.name, new Set(s.dependsOn.filter((d) => byName.has(d)))]));
  const order: PlannedStack[] = [];
  while (remaining.size) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([n]) => byName.get(n)!);
    if (!ready.length)
      throw new Error(`the stacks ${[...remaining.keys()].join(', ')} import each other's exports in a cycle`);
    ready.sort((a, b) => templateNumber(a.templateId) - templateNumber(b.templateId) || a.name.localeCompare(b.name));
    const next = ready[0]!;
    order.push(next);
    remaining.delete(next.name);
    for (const deps of remaining.values()) deps.delete(next.name);
  }
  return order;
}
