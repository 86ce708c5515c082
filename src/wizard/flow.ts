/**
 * The wizard's questions, in order, against an injected {@link Prompter}: the terminal one in
 * src/wizard/prompter.ts, or scripted answers in tests. Every question has an id (`environment`,
 * `apps[0].service.maxContainers`...), a default and a line of help saying what it is for; option
 * questions come from the templates' parameters (./questions.ts). The AWS lookup of an existing
 * environment and the file system are injected too (FlowContext), so the whole flow runs in tests.
 */
import { stages } from '../../stages/catalogue';
import { checkRegion } from '../../stages/check';
import { checkName, environmentId } from '../../templates/kit/names';
import { askApps } from './apps';
import { askName, keepOrAdd, type Draft, type Prompter, type Step } from './ask';
import { askOptions } from './ask-options';
import { templateNumber } from './questions';
import {
  alwaysBuilt,
  ENVIRONMENT_STAGES,
  mergeExisting,
  type EnvironmentStage,
  type ParamsDoc,
  type RepositoryDoc,
} from './document';

export type { Choice, Prompter, Question } from './ask';

/** An environment found in the account. */
export interface Existing {
  /** Its stacks' names. */
  stacks: string[];
  /** What is deployed, as a params document (current parameter values). */
  doc: ParamsDoc;
}

export interface FlowContext {
  /** AWS_REGION / AWS_DEFAULT_REGION / AWS_PROFILE of the caller. */
  env: { AWS_REGION?: string; AWS_DEFAULT_REGION?: string; AWS_PROFILE?: string };
  /** A params file to start from (`provision wizard --params F`), already loaded. */
  start?: { file: string; doc: ParamsDoc };
  /** Saved params files (envs/*.yaml) to offer as a starting point when no start is given. */
  savedFiles: string[];
  /** Loads a saved params file (validated). */
  load(file: string): ParamsDoc;
  /** Looks the environment up in the account; undefined when it does not exist. */
  findExisting(where: {
    environment: string;
    prefix: string;
    region: string;
    profile?: string;
  }): Promise<Existing | undefined>;
  /** Whether a file exists already. */
  exists(file: string): boolean;
}

export interface FlowResult {
  /** Every answer, as a params document (template defaults still in; see toParamsDocument). */
  answers: ParamsDoc;
  /** Where to save the params file. */
  file: string;
  /** The environment found in the account, when this run updates one. */
  existing?: Existing;
  /** The params file the defaults came from, if any. */
  startFile?: string;
}

/** Where a saved file's answers start the flow: picked from `ctx.savedFiles`, or none (a new environment). */
async function pickStart(p: Prompter, ctx: FlowContext): Promise<FlowContext['start']> {
  if (ctx.start || !ctx.savedFiles.length) return ctx.start;
  const NEW = '\u0000new';
  const picked = await p.select<string>({
    id: 'start',
    message: 'Start from a saved params file?',
    help: "A saved file's answers become the defaults of every question (to change that environment, or copy it)",
    choices: [
      ...ctx.savedFiles.map((f) => ({ value: f, name: `Start from ${f}` })),
      { value: NEW, name: 'Start a new environment from scratch' },
    ],
    default: ctx.savedFiles[0],
  });
  return picked === NEW ? undefined : { file: picked, doc: ctx.load(picked) };
}

/** Which environment: what names its stacks, where it lives, whose credentials. */
interface Identity {
  environment: string;
  prefix: string;
  region: string;
  /** '' for the standard credential chain. */
  profile: string;
}

async function askIdentity(p: Prompter, was: Identity): Promise<Identity> {
  const environment = await p.input({
    id: 'environment',
    message: 'Environment name',
    help: 'Names every stack and export of the environment (dev, staging, prod): 1 to 10 lower-case letters or digits',
    default: was.environment,
    validate: (v) => checkName('EnvironmentName', v),
  });
  const prefix = await p.input({
    id: 'prefix',
    message: 'Prefix',
    help: 'Starts every stack and export name, so several environments of one name can share an account: a letter, an optional letter or digit, and a hyphen',
    default: was.prefix,
    validate: (v) => checkName('Prefix', v),
  });
  const region = await p.input({
    id: 'region',
    message: 'AWS region',
    help: 'Where the environment lives (default: AWS_REGION)',
    default: was.region,
    validate: checkRegion,
  });
  const profile = await p.input({
    id: 'profile',
    message: 'AWS profile',
    help: 'The named profile whose credentials to use (default: AWS_PROFILE; empty: the standard credential chain)',
    default: was.profile,
    validate: (v) =>
      v === '' || /^[\w.+=,@-]+$/.test(v) ? undefined : 'a profile name is letters, digits and _.+=,@-',
  });
  return { environment, prefix, region, profile };
}

/** The environment found, and whether to update it (else the user picks another name). */
async function offerUpdate(p: Prompter, name: string, region: string, existing: Existing): Promise<boolean> {
  const n = existing.stacks.length;
  p.note(`Found ${name} in ${region}: ${n} stack${n === 1 ? '' : 's'} (${existing.stacks.join(', ')}).`);
  return p.confirm({
    id: 'update',
    message: `Update ${name}?`,
    help: "Its current settings (each stack's parameters) are the defaults; only what you change is updated",
    default: true,
  });
}

/** The environment to create or update, its defaults, and what of it exists already. */
interface Target {
  identity: Identity;
  defaults: ParamsDoc;
  existing?: Existing;
}

/**
 * Asks which environment until it is a new one or an existing one to update. Updating, the
 * deployed settings are the defaults (with what a saved file adds, when it is that environment's).
 */
async function askTarget(p: Prompter, ctx: FlowContext, base: ParamsDoc | undefined): Promise<Target> {
  let identity: Identity = {
    environment: base?.environment ?? 'dev',
    prefix: base?.prefix ?? 'x-',
    region: base?.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    profile: base?.profile ?? ctx.env.AWS_PROFILE ?? '',
  };
  for (;;) {
    identity = await askIdentity(p, identity);
    const { environment, prefix, region, profile } = identity;
    const name = environmentId({ prefix, environment });
    p.note(`Looking for ${name} in ${region}...`);
    const existing = await ctx.findExisting({ environment, prefix, region, ...(profile ? { profile } : {}) });
    if (!existing) {
      p.note(`${name} does not exist yet: the wizard will create it.`);
      const where = { environment, prefix, region };
      return { identity, defaults: base ? { ...base, ...where } : { ...where, tags: { contactEmail: '' } } };
    }
    if (await offerUpdate(p, name, region, existing)) {
      const saved = base && base.environment === environment && base.prefix === prefix ? base : undefined;
      return { identity, defaults: mergeExisting(saved, existing.doc), existing };
    }
    p.note('Then pick another environment name or prefix for a new environment.');
  }
}

/** The tags on every resource. */
async function askTags(p: Prompter, defaults: ParamsDoc): Promise<ParamsDoc['tags']> {
  const { tags } = defaults;
  const contactEmail = await p.input({
    id: 'contactEmail',
    message: 'Contact email',
    help: 'Tagged on every resource (ContactEmail): who to ask about this environment',
    ...(tags.contactEmail ? { default: tags.contactEmail } : {}),
    validate: (v) => checkName('ContactEmail', v),
  });
  const costCode = await p.input({
    id: 'costCode',
    message: 'Cost code',
    help: 'Tagged on every resource (CostCode) for cost allocation; empty for "unassigned"',
    default: tags.costCode ?? '',
    validate: (v) => (v === '' ? undefined : checkName('CostCode', v)),
  });
  return { contactEmail, ...(costCode ? { costCode } : {}), ...(tags.extra ? { extra: tags.extra } : {}) };
}

/** The environment's stages (those always built shown ticked), then each chosen stage's options. */
/** A stage built with another section (17's certificate with `domain:`), never offered on its own. */
const builtWith = (key: EnvironmentStage): string | undefined => {
  const { place } = stages[key];
  return place.kind === 'section' && 'withSection' in place ? place.withSection : undefined;
};

const askStages: Step = async (p, { defaults, answers }) => {
  const offered = ENVIRONMENT_STAGES.filter((key) => !builtWith(key));
  const optional = offered.filter((key) => !alwaysBuilt(key));
  const fresh = !optional.some((key) => defaults[key]) && !defaults.apps?.length;
  const picked = await p.checkbox<EnvironmentStage>({
    id: 'stages',
    message: 'Environment stages to build',
    help: "Space toggles, Enter accepts. The network is always built; the ECS cluster runs the apps' services",
    choices: offered.map((key) => ({
      value: key,
      name: `${stages[key].title} (${templateNumber(key)}): ${stages[key].help}`,
      ...(alwaysBuilt(key)
        ? { checked: true, disabled: 'always built' }
        : // A new environment gets the cluster its apps' services run on.
          { checked: Boolean(defaults[key]) || (key === 'ecsCluster' && fresh) }),
    })),
  });
  const chosen = new Set<EnvironmentStage>(picked);
  for (const key of offered.filter((k) => alwaysBuilt(k) || chosen.has(k))) {
    p.note(`\n${stages[key].title} (${stages[key].templateId})`);
    answers[key] = await askOptions(p, key, defaults[key] ?? {}, key);
  }
  // Built with their section (the certificate with the domain): a saved section is kept as it is.
  for (const key of ENVIRONMENT_STAGES.filter((k) => builtWith(k) && chosen.has(builtWith(k) as EnvironmentStage)))
    if (defaults[key]) answers[key] = defaults[key];
};

const askProtection: Step = async (p, { defaults, answers }) => {
  answers.protected = await p.confirm({
    id: 'protected',
    message: 'Protect the environment',
    help: 'Termination protection for every stack and deletion protection for its databases and load balancers (recommended for production; destroy then asks to turn termination protection off)',
    default: Boolean(defaults.protected),
  });
};

/** The project's image repositories (shared by every environment). */
const askRepositories: Step = async (p, { defaults, answers }) => {
  p.note(
    `\nECR image repositories (${templateNumber('repository')}): where your images are pushed; shared by every environment of the project`,
  );
  const ask = async (r: RepositoryDoc, i: number): Promise<RepositoryDoc> => ({
    name: r.name,
    ...(await askOptions(p, 'repository', r, `repositories[${i}]`, r.name)),
  });
  const repositories = await keepOrAdd<RepositoryDoc>(p, {
    id: 'repositories',
    current: defaults.repositories,
    keep: (r, i) => ({
      id: `repositories[${i}].keep`,
      message: `Keep repository ${r.name}?`,
      help: 'No removes it from this params file only (nothing is deleted)',
    }),
    again: (r, kept) => ask(r, kept.length),
    more: (kept) => ({
      message: kept.length ? 'Add another ECR repository?' : 'Create an ECR repository for your images?',
      help: 'One repository per image you build (a service can also run a public image)',
      default: kept.length === 0,
    }),
    add: async (kept) => {
      const name = await askName(p, {
        id: `repositories[${kept.length}].name`,
        message: 'Repository name',
        help: 'The ECR repository (and its stack ecr-NAME): 2 to 64 lower-case letters or digits separated by . _ or -',
        pattern: 'RepositoryName',
        base: defaults.apps?.[0]?.name ?? 'web',
        taken: kept.map((r) => r.name),
        duplicate: 'is already in the list',
      });
      return ask({ name }, kept.length);
    },
  });
  if (repositories.length) answers.repositories = repositories;
};

/**
 * The questions after the environment's identity and tags, in order: each step asks its part and
 * writes its section of the answers. A new question about the environment is a step here.
 */
const STEPS: readonly Step[] = [askStages, askProtection, askRepositories, askApps];

/** Where to save the answers (a file that exists is replaced only when confirmed). */
async function askFile(p: Prompter, ctx: FlowContext, start: FlowContext['start'], d: ParamsDoc): Promise<string> {
  const same = start && start.doc.environment === d.environment && start.doc.prefix === d.prefix;
  const suggested = same ? start.file : `envs/${d.environment}.yaml`;
  for (;;) {
    const file = await p.input({
      id: 'file',
      message: 'Save these answers as',
      help: 'A params file: `provision deploy --params FILE` replays it without questions, `provision wizard --params FILE` starts from it',
      default: suggested,
      validate: (v) => (/\.ya?ml$/.test(v) ? undefined : 'a params file ends in .yaml or .yml'),
    });
    if (file === start?.file || !ctx.exists(file)) return file;
    const replace = await p.confirm({
      id: 'overwrite',
      message: `${file} exists: replace it?`,
      help: 'No asks for another file name',
      default: true,
    });
    if (replace) return file;
  }
}

/** Runs the questions; resolves with the answers and where to save them. */
export async function runFlow(p: Prompter, ctx: FlowContext): Promise<FlowResult> {
  const start = await pickStart(p, ctx);
  const { identity, defaults, existing } = await askTarget(p, ctx, start?.doc);
  const { environment, prefix, region, profile } = identity;
  const answers: ParamsDoc = {
    environment,
    prefix,
    region,
    ...(profile ? { profile } : {}),
    tags: await askTags(p, defaults),
  };
  const draft: Draft = { defaults, answers };
  for (const step of STEPS) await step(p, draft);
  const file = await askFile(p, ctx, start, answers);
  return { answers, file, ...(existing ? { existing } : {}), ...(start ? { startFile: start.file } : {}) };
}
