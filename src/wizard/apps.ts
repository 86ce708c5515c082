/**
 * The wizard's app questions: the apps of the environment, each a load balancer (31) with its data
 * stores (41-46), its service (32) and extra services (91), and each service's image and links to
 * the app's data stores. An app's questions are the steps of {@link APP_STEPS}, in order.
 */
import { DATA_KINDS, stages } from '../../stages/catalogue';
import { checkName } from '../../templates/kit/names';
import type { DataKind } from '../../templates/kit/links';
import { askName, keepOrAdd, type Draft, type Prompter, type Step } from './ask';
import { askOptions } from './ask-options';
import {
  appFields,
  defaultAccess,
  type AppDoc,
  type DataDoc,
  type ExtraDoc,
  type LinkDoc,
  type ServiceDoc,
} from './document';
import { checkOption, templateNumber } from './questions';

/** The numbers of the data-store templates, as the texts show them (`41-46`). */
const DATA_NUMBERS = `${templateNumber(DATA_KINDS[0]!)}-${templateNumber(DATA_KINDS[DATA_KINDS.length - 1]!)}`;

/** What an app's steps share: its id (`apps[0]`), its defaults, the answers so far. */
interface AppDraft {
  /** The question id prefix of the app (`apps[0]`). */
  id: string;
  /** Its defaults (a saved or deployed app; a new one has only its name). */
  current: AppDoc;
  /** The app's answers so far. */
  app: AppDoc;
  /** The environment's answers so far (its repositories, whether it has the ECS cluster). */
  env: Draft['answers'];
}

type AppStep = (p: Prompter, d: AppDraft) => Promise<void>;

/** A data store's title with its template (`Aurora PostgreSQL (41.app-rds-postgres)`). */
function titled(kind: DataKind): string {
  return `${stages[kind].title} (${stages[kind].templateId})`;
}

const askLoadBalancer: AppStep = async (p, { id, current, app }) => {
  p.note(`\nLoad balancer of ${app.name} (${stages.loadBalancer.templateId})`);
  app.loadBalancer = await askOptions(p, 'loadBalancer', current.loadBalancer ?? {}, `${id}.loadBalancer`, app.name);
};

/** A new data store: its kind, then its name. */
async function addDataStore(p: Prompter, id: string, name: string, kept: readonly DataDoc[]): Promise<DataDoc> {
  const j = kept.length;
  const kind = await p.select<DataKind>({
    id: `${id}.data[${j}].kind`,
    message: 'Kind of data store',
    help: `Each kind is one numbered template (${DATA_NUMBERS})`,
    choices: DATA_KINDS.map((k) => ({ value: k, name: titled(k), description: stages[k].help })),
    default: 'postgres',
  });
  const dsName = await askName(p, {
    id: `${id}.data[${j}].name`,
    message: 'Data store name',
    help: 'Names its stack and what linked services see (NAME_host...): 1 to 12 lower-case letters or digits',
    pattern: 'DataName',
    base: stages[kind].defaultName ?? kind,
    taken: kept.map((x) => x.name),
    duplicate: `is already a data store of ${name}`,
  });
  p.note(`\n${stages[kind].title} ${dsName} of ${name} (${stages[kind].templateId})`);
  return { kind, name: dsName, ...(await askOptions(p, kind, {}, `${id}.data[${j}]`, dsName)) };
}

/** Data stores come before the services: services link to them. */
const askDataStores: AppStep = async (p, { id, current, app }) => {
  const name = app.name;
  const data = await keepOrAdd<DataDoc>(p, {
    id: `${id}.data`,
    current: current.data,
    keep: (ds, j) => ({
      id: `${id}.data[${j}].keep`,
      message: `Keep data store ${ds.name} (${stages[ds.kind].title})?`,
      help: 'No removes it from this params file only (the deployed store is not deleted)',
    }),
    again: async (ds, kept) => {
      p.note(`\n${stages[ds.kind].title} ${ds.name} of ${name} (${stages[ds.kind].templateId})`);
      return {
        kind: ds.kind,
        name: ds.name,
        ...(await askOptions(p, ds.kind, ds, `${id}.data[${kept.length}]`, ds.name)),
      };
    },
    more: (kept) => ({
      message: kept.length
        ? `Add another data store to ${name}?`
        : `Add a data store to ${name} (database, cache, bucket, queue, topic)?`,
      help: 'Data stores are private to the app; its services reach them through links',
      default: false,
    }),
    add: (kept) => addDataStore(p, id, name, kept),
  });
  if (data.length) app.data = data;
};

/** Where a service's image comes from: `ecr:NAME` (a repository of this file), `other`, or `public`. */
async function askImageSource(p: Prompter, id: string, current: ServiceDoc, repoNames: string[]): Promise<string> {
  const currentRepo = current.repositoryName as string | undefined;
  const fallback = repoNames[0] ? `ecr:${repoNames[0]}` : 'public';
  const choice = (r: string) => (repoNames.includes(r) ? `ecr:${r}` : 'other');
  return p.select<string>({
    id: `${id}.image`,
    message: 'Image',
    help: 'What the service runs: an image you push to an ECR repository, or a public image',
    choices: [
      ...repoNames.map((r) => ({
        value: `ecr:${r}`,
        name: `ECR repository ${r}`,
        description: 'push your image there, then `provision release` picks the tag',
      })),
      {
        value: 'other',
        name: 'Another ECR repository in this account',
        description: 'one made with another params file (type its name)',
      },
      { value: 'public', name: 'A public image', description: 'Docker Hub, public.ecr.aws, ghcr.io...' },
    ],
    default: current.publicImage ? 'public' : currentRepo ? choice(currentRepo) : fallback,
  });
}

/** A service's image: a public image, or an ECR repository and the tag to run. */
async function askImage(
  p: Prompter,
  stage: 'service' | 'extra',
  id: string,
  current: ServiceDoc,
  repoNames: string[],
): Promise<ServiceDoc> {
  const source = await askImageSource(p, id, current, repoNames);
  if (source === 'public') {
    const publicImage = await p.input({
      id: `${id}.publicImage`,
      message: 'Public image',
      help: 'e.g. public.ecr.aws/docker/library/nginx:stable (it must listen on the container port below)',
      ...(current.publicImage ? { default: String(current.publicImage) } : {}),
      validate: (v) => (v === '' ? 'an image is needed' : checkOption(stage, 'publicImage', v)),
    });
    return { publicImage };
  }
  const currentRepo = current.repositoryName as string | undefined;
  const repositoryName =
    source === 'other'
      ? await p.input({
          id: `${id}.repositoryName`,
          message: 'ECR repository name',
          help: `An existing repository of this account and region (made by ${stages.repository.templateId})`,
          ...(currentRepo && !repoNames.includes(currentRepo) ? { default: currentRepo } : {}),
          validate: (v) => checkName('RepositoryName', v),
        })
      : source.slice('ecr:'.length);
  const imageTag = await p.input({
    id: `${id}.imageTag`,
    message: 'Image tag',
    help: 'The tag to run ("initial" until you push and release one; `provision release` changes it)',
    default: String(current.imageTag ?? 'initial'),
    validate: (v) => checkOption(stage, 'imageTag', v),
  });
  return { repositoryName, imageTag };
}

/** Which of the app's data stores a service uses, and (where a store has kinds of access) what it may do. */
async function askLinks(
  p: Prompter,
  id: string,
  label: string,
  current: ServiceDoc,
  data: readonly DataDoc[],
): Promise<LinkDoc[]> {
  const currentLinks = current.links ?? [];
  const isNew = Object.keys(current).every((k) => k === 'pathPrefix' || k === 'rulePriority');
  const linked = await p.checkbox<string>({
    id: `${id}.links`,
    message: `Data stores ${label} uses`,
    help: "A link gives the service the store's address and credentials (as ECS secrets) and IAM access to that store only",
    choices: data.map((ds) => ({
      value: ds.name,
      name: `${ds.name} (${stages[ds.kind].title})`,
      checked: isNew || currentLinks.some((l) => l.name === ds.name),
    })),
  });
  const links: LinkDoc[] = [];
  for (const name of linked) {
    const ds = data.find((x) => x.name === name)!;
    const allowed = defaultAccess(ds.kind);
    if (!allowed) {
      links.push({ name });
      continue;
    }
    const had = currentLinks.find((l) => l.name === name)?.access;
    const access = await p.checkbox({
      id: `${id}.links.${name}.access`,
      message: `Access of ${label} to ${name}`,
      help: `What the service may do with the ${stages[ds.kind].title}`,
      choices: allowed.map((a) => ({ value: a, name: a, checked: had ? had.includes(a) : true })),
      validate: (v) => (v.length ? undefined : 'pick at least one (or unlink the store)'),
    });
    links.push({ name, access });
  }
  return links;
}

/** A service's image, its options, and its links to the app's data stores. */
async function askService(
  p: Prompter,
  stage: 'service' | 'extra',
  current: ServiceDoc,
  id: string,
  label: string,
  d: AppDraft,
): Promise<ServiceDoc> {
  p.note(`\n${stage === 'service' ? 'Service' : 'Extra service'} ${label} (${stages[stage].templateId})`);
  const repoNames = (d.env.repositories ?? []).map((r) => r.name);
  const svc: ServiceDoc = await askImage(p, stage, id, current, repoNames);
  Object.assign(svc, await askOptions(p, stage, current, id, label));
  const data = d.app.data ?? [];
  if (data.length) {
    const links = await askLinks(p, id, label, current, data);
    if (links.length) svc.links = links;
  }
  if (current.environment) svc.environment = current.environment;
  if (current.secrets) svc.secrets = current.secrets;
  return svc;
}

/** Extra services behind the app's load balancer, matched by path. */
async function askExtras(p: Prompter, d: AppDraft): Promise<ExtraDoc[]> {
  const { id, app } = d;
  const service = (e: ExtraDoc, current: ServiceDoc, j: number) =>
    askService(p, 'extra', current, `${id}.extras[${j}]`, `${app.name}-${e.suffix}`, d);
  return keepOrAdd<ExtraDoc>(p, {
    id: `${id}.extras`,
    current: d.current.extras,
    keep: (e, j) => ({
      id: `${id}.extras[${j}].keep`,
      message: `Keep extra service ${e.suffix}?`,
      help: 'No removes it from this params file only (the deployed service is not deleted)',
    }),
    again: async (e, kept) => ({ suffix: e.suffix, ...(await service(e, e, kept.length)) }),
    more: () => ({
      message: `Add an extra service to ${app.name}?`,
      help: `Another service behind the same load balancer, matched by path (${stages.extra.templateId}): an API, an admin site...`,
      default: false,
    }),
    add: async (kept) => {
      const j = kept.length;
      const suffix = await askName(p, {
        id: `${id}.extras[${j}].suffix`,
        message: 'Extra service suffix',
        help: 'Names its stack (APP-SUFFIX): 1 to 12 lower-case letters or digits',
        pattern: 'ExtraSuffix',
        base: 'api',
        taken: kept.map((x) => x.suffix),
        duplicate: `is already an extra service of ${app.name}`,
      });
      return { suffix, ...(await service({ suffix }, { pathPrefix: `/${suffix}`, rulePriority: j + 1 }, j)) };
    },
  });
}

/** The app's service and extra services: they run on the ECS cluster, so only when it is built. */
const askServices: AppStep = async (p, d) => {
  const { id, current, app } = d;
  if (!d.env.ecsCluster) {
    if (current.service || current.extras?.length)
      p.note(`Services run on the ECS cluster, which is not selected: ${app.name} gets a load balancer only.`);
    return;
  }
  const wants = await p.confirm({
    id: `${id}.service`,
    message: `Run ${app.name} as an ECS service behind its load balancer?`,
    help: `The app's containers (${stages.service.templateId}), scaled between a minimum and maximum on CPU and memory`,
    default: current.service !== undefined || !current.loadBalancer,
  });
  if (wants) app.service = await askService(p, 'service', current.service ?? {}, `${id}.service`, app.name, d);
  const extras = await askExtras(p, d);
  if (extras.length) app.extras = extras;
};

/** An app's questions, in order. A new question about an app is a step here. */
const APP_STEPS: readonly AppStep[] = [askLoadBalancer, askDataStores, askServices];

/** One app: its steps in order, from its defaults `current`; `i` is its place in the list. */
async function askApp(p: Prompter, env: Draft['answers'], current: AppDoc, i: number): Promise<AppDoc> {
  // Fields of the app that no step asks keep their current value.
  const d: AppDraft = { id: `apps[${i}]`, current, app: appFields(current), env };
  for (const step of APP_STEPS) await step(p, d);
  return d.app;
}

/** The app name offered first: the first repository's, when it is a valid app name. */
function firstAppName(env: Draft['answers']): string {
  const repo = env.repositories?.[0]?.name;
  return repo && !checkName('ApplicationName', repo) ? repo : 'web';
}

/** The environment's apps: each kept one asked again, then new ones. */
export const askApps: Step = async (p, { defaults, answers }) => {
  const apps = await keepOrAdd<AppDoc>(p, {
    id: 'apps',
    current: defaults.apps,
    keep: (app, _i, kept) => ({
      id: `apps[${kept.length}].keep`,
      message: `Keep app ${app.name}?`,
      help: 'No removes it from this params file only (its stacks are not deleted)',
    }),
    again: (app, kept) => askApp(p, answers, app, kept.length),
    more: (kept) => ({
      message: kept.length ? 'Add another app?' : 'Add an app (a load balancer and the service behind it)?',
      help: `An app is a load balancer (${templateNumber('loadBalancer')}) with its service (${templateNumber('service')}), extra services (${templateNumber('extra')}) and data stores (${DATA_NUMBERS})`,
      default: kept.length === 0,
    }),
    add: async (kept) => {
      const name = await askName(p, {
        id: `apps[${kept.length}].name`,
        message: 'App name',
        help: 'Names its stacks (PREFIXENV-APP-...) and load balancer: 1 to 16 lower-case letters, digits or hyphens',
        pattern: 'ApplicationName',
        base: firstAppName(answers),
        taken: kept.map((a) => a.name),
        duplicate: 'is already an app of this environment',
      });
      return askApp(p, answers, { name }, kept.length);
    },
  });
  if (apps.length) answers.apps = apps;
};
