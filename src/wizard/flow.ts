/**
 * The wizard's questions, in order, against an injected {@link Prompter}: the terminal one in
 * src/wizard/prompter.ts, or scripted answers in tests. Every question has an id (`environment`,
 * `apps[0].service.maxContainers`...), a default and a line of help saying what it is for; option
 * questions come from the templates' parameters (./questions.ts). The AWS lookup of an existing
 * environment and the file system are injected too (FlowContext), so the whole flow runs in tests.
 */
import { DATA_KINDS, stages, type StageKey } from '../../stages/catalogue';
import { checkRegion } from '../../stages/check';
import { checkName } from '../../templates/kit/names';
import {
  defaultAccess,
  mergeExisting,
  type AppDoc,
  type DataDoc,
  type ExtraDoc,
  type LinkDoc,
  type Options,
  type ParamsDoc,
  type RepositoryDoc,
  type ServiceDoc,
} from './document';
import { checkAnswer, checkOption, optionQuestions, toOptionValue, type OptionQuestion } from './questions';

export interface Question {
  /** Stable id of the question (what scripted answers are keyed by). */
  id: string;
  message: string;
  /** What the question is for. */
  help?: string;
}

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
  checked?: boolean;
  /** Shown greyed out with this reason; cannot be toggled. */
  disabled?: string;
}

/** What the flow needs from a terminal (or from a test's scripted answers). */
export interface Prompter {
  /** Free text; Enter on an empty line takes the default. `validate` returns the problem, if any. */
  input(q: Question & { default?: string; validate?: (value: string) => string | undefined }): Promise<string>;
  confirm(q: Question & { default: boolean }): Promise<boolean>;
  select<T extends string>(q: Question & { choices: Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T extends string>(
    q: Question & { choices: Choice<T>[]; validate?: (values: T[]) => string | undefined },
  ): Promise<T[]>;
  /** A line of information between questions. */
  note(text: string): void;
  /**
   * Waits until `check` resolves true (asked every `intervalMs`): `ready`; or the user skips:
   * `skip`. Optional: without it the wizard asks a yes/no question per look-up instead.
   */
  waitFor?(q: Question & { check: () => Promise<boolean>; intervalMs: number }): Promise<'ready' | 'skip'>;
}

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

const DATA_HELP: Record<string, { description: string; name: string }> = {
  postgres: { description: 'Aurora PostgreSQL cluster, encrypted, credentials in Secrets Manager', name: 'db' },
  documentdb: {
    description: 'DocumentDB (MongoDB API) cluster, encrypted, credentials in Secrets Manager',
    name: 'docs',
  },
  redis: { description: 'ElastiCache Redis replication group, encrypted in transit and at rest', name: 'cache' },
  s3: { description: 'S3 bucket, encrypted and versioned, public access blocked', name: 'files' },
  sqs: { description: 'SQS queue with a dead-letter queue, encrypted', name: 'jobs' },
  sns: { description: "SNS topic, encrypted, optionally feeding the app's queues", name: 'events' },
};

/** A name not in `taken`: `base`, then `base2`, `base3`... */
function freeName(base: string, taken: string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}${i}`)) return `${base}${i}`;
}

/** Runs the questions; resolves with the answers and where to save them. */
export async function runFlow(p: Prompter, ctx: FlowContext): Promise<FlowResult> {
  // ---- where to start from
  let start = ctx.start;
  if (!start && ctx.savedFiles.length) {
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
    if (picked !== NEW) start = { file: picked, doc: ctx.load(picked) };
  }
  const base = start?.doc;

  // ---- the environment, and whether it exists
  let environment = base?.environment ?? 'dev';
  let prefix = base?.prefix ?? 'x-';
  let region = base?.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  let profile = base?.profile ?? ctx.env.AWS_PROFILE ?? '';
  let existing: Existing | undefined;
  let d: ParamsDoc;
  for (;;) {
    environment = await p.input({
      id: 'environment',
      message: 'Environment name',
      help: 'Names every stack and export of the environment (dev, staging, prod): 1 to 10 lower-case letters or digits',
      default: environment,
      validate: (v) => checkName('EnvironmentName', v),
    });
    prefix = await p.input({
      id: 'prefix',
      message: 'Prefix',
      help: 'Starts every stack and export name, so several environments of one name can share an account: a letter, an optional letter or digit, and a hyphen',
      default: prefix,
      validate: (v) => checkName('Prefix', v),
    });
    region = await p.input({
      id: 'region',
      message: 'AWS region',
      help: 'Where the environment lives (default: AWS_REGION)',
      default: region,
      validate: checkRegion,
    });
    profile = await p.input({
      id: 'profile',
      message: 'AWS profile',
      help: 'The named profile whose credentials to use (default: AWS_PROFILE; empty: the standard credential chain)',
      default: profile,
      validate: (v) =>
        v === '' || /^[\w.+=,@-]+$/.test(v) ? undefined : 'a profile name is letters, digits and _.+=,@-',
    });
    p.note(`Looking for ${prefix}${environment} in ${region}...`);
    existing = await ctx.findExisting({ environment, prefix, region, ...(profile ? { profile } : {}) });
    if (!existing) {
      p.note(`${prefix}${environment} does not exist yet: the wizard will create it.`);
      d = base ? { ...base, environment, prefix, region } : { environment, prefix, region, tags: { contactEmail: '' } };
      break;
    }
    p.note(
      `Found ${prefix}${environment} in ${region}: ${existing.stacks.length} stack${existing.stacks.length === 1 ? '' : 's'} (${existing.stacks.join(', ')}).`,
    );
    const update = await p.confirm({
      id: 'update',
      message: `Update ${prefix}${environment}?`,
      help: "Its current settings (each stack's parameters) are the defaults; only what you change is updated",
      default: true,
    });
    if (update) {
      const saved = base && base.environment === environment && base.prefix === prefix ? base : undefined;
      d = mergeExisting(saved, existing.doc);
      break;
    }
    p.note('Then pick another environment name or prefix for a new environment.');
  }
  if (profile) d.profile = profile;
  else delete d.profile;

  // ---- tags
  const contactEmail = await p.input({
    id: 'contactEmail',
    message: 'Contact email',
    help: 'Tagged on every resource (ContactEmail): who to ask about this environment',
    ...(d.tags.contactEmail ? { default: d.tags.contactEmail } : {}),
    validate: (v) => checkName('ContactEmail', v),
  });
  const costCode = await p.input({
    id: 'costCode',
    message: 'Cost code',
    help: 'Tagged on every resource (CostCode) for cost allocation; empty for "unassigned"',
    default: d.tags.costCode ?? '',
    validate: (v) => (v === '' ? undefined : checkName('CostCode', v)),
  });
  const answers: ParamsDoc = {
    environment,
    prefix,
    region,
    ...(d.profile ? { profile: d.profile } : {}),
    tags: { contactEmail, ...(costCode ? { costCode } : {}), ...(d.tags.extra ? { extra: d.tags.extra } : {}) },
  };

  // ---- environment stages
  const fresh = !d.jumpboxes && !d.ecsCluster && !d.eksCluster && !d.apps?.length;
  const picked = await p.checkbox<'network' | 'jumpboxes' | 'ecsCluster' | 'eksCluster'>({
    id: 'stages',
    message: 'Environment stages to build',
    help: "Space toggles, Enter accepts. The network is always built; the ECS cluster runs the apps' services",
    choices: [
      {
        value: 'network',
        name: 'Network (11): VPC, subnets in 2-3 zones, NAT, security groups',
        checked: true,
        disabled: 'always built',
      },
      {
        value: 'jumpboxes',
        name: 'Jump boxes (12): admin access through SSM Session Manager, no inbound SSH',
        checked: Boolean(d.jumpboxes),
      },
      {
        value: 'ecsCluster',
        name: 'ECS cluster (13): Fargate (and optional EC2) capacity for the services',
        checked: Boolean(d.ecsCluster) || fresh,
      },
      {
        value: 'eksCluster',
        name: 'EKS cluster (14): Kubernetes control plane and a managed node group',
        checked: Boolean(d.eksCluster),
      },
    ],
  });
  const chosen = new Set<string>(['network', ...picked]);
  for (const key of ['network', 'jumpboxes', 'ecsCluster', 'eksCluster'] as const) {
    if (!chosen.has(key)) continue;
    p.note(`\n${stages[key].title} (${stages[key].templateId})`);
    answers[key] = await askOptions(p, key, d[key] ?? {}, key);
  }
  answers.protected = await p.confirm({
    id: 'protected',
    message: 'Termination protection',
    help: 'Turn it on for every stack of the environment (recommended for production; destroy then asks to turn it off)',
    default: Boolean(d.protected),
  });

  // ---- image repositories
  p.note('\nECR image repositories (21): where your images are pushed; shared by every environment of the project');
  const repositories: RepositoryDoc[] = [];
  for (const [i, r] of (d.repositories ?? []).entries()) {
    const keep = await p.confirm({
      id: `repositories[${i}].keep`,
      message: `Keep repository ${r.name}?`,
      help: 'No removes it from this params file only (nothing is deleted)',
      default: true,
    });
    if (keep)
      repositories.push({
        name: r.name,
        ...(await askOptions(p, 'repository', r, `repositories[${repositories.length}]`, r.name)),
      });
  }
  while (
    await p.confirm({
      id: `repositories.add${repositories.length ? `[${repositories.length}]` : ''}`,
      message: repositories.length ? 'Add another ECR repository?' : 'Create an ECR repository for your images?',
      help: 'One repository per image you build (a service can also run a public image)',
      default: repositories.length === 0,
    })
  ) {
    const i = repositories.length;
    const taken = repositories.map((r) => r.name);
    const name = await p.input({
      id: `repositories[${i}].name`,
      message: 'Repository name',
      help: 'The ECR repository (and its stack ecr-NAME): 2 to 64 lower-case letters or digits separated by . _ or -',
      default: freeName(d.apps?.[0]?.name ?? 'web', taken),
      validate: (v) =>
        checkName('RepositoryName', v) ?? (taken.includes(v) ? `"${v}" is already in the list` : undefined),
    });
    repositories.push({ name, ...(await askOptions(p, 'repository', {}, `repositories[${i}]`, name)) });
  }
  if (repositories.length) answers.repositories = repositories;

  // ---- apps
  const apps: AppDoc[] = [];
  const hasCluster = chosen.has('ecsCluster');
  const askApp = async (current: AppDoc, name: string): Promise<AppDoc> => {
    const i = apps.length;
    const id = `apps[${i}]`;
    const app: AppDoc = { name };
    p.note(`\nLoad balancer of ${name} (${stages.loadBalancer.templateId})`);
    app.loadBalancer = await askOptions(p, 'loadBalancer', current.loadBalancer ?? {}, `${id}.loadBalancer`, name);
    // Data stores first: services link to them.
    const data: DataDoc[] = [];
    for (const [j, ds] of (current.data ?? []).entries()) {
      const keep = await p.confirm({
        id: `${id}.data[${j}].keep`,
        message: `Keep data store ${ds.name} (${stages[ds.kind as StageKey].title})?`,
        help: 'No removes it from this params file only (the deployed store is not deleted)',
        default: true,
      });
      if (keep) {
        p.note(
          `\n${stages[ds.kind as StageKey].title} ${ds.name} of ${name} (${stages[ds.kind as StageKey].templateId})`,
        );
        data.push({
          kind: ds.kind,
          name: ds.name,
          ...(await askOptions(p, ds.kind as StageKey, ds, `${id}.data[${data.length}]`, ds.name)),
        });
      }
    }
    while (
      await p.confirm({
        id: `${id}.data.add${data.length ? `[${data.length}]` : ''}`,
        message: data.length
          ? `Add another data store to ${name}?`
          : `Add a data store to ${name} (database, cache, bucket, queue, topic)?`,
        help: 'Data stores are private to the app; its services reach them through links',
        default: false,
      })
    ) {
      const j = data.length;
      const kind = await p.select<string>({
        id: `${id}.data[${j}].kind`,
        message: 'Kind of data store',
        help: 'Each kind is one numbered template (41-46)',
        choices: DATA_KINDS.map((k) => ({
          value: k,
          name: `${stages[k].title} (${stages[k].templateId})`,
          description: DATA_HELP[k]!.description,
        })),
        default: 'postgres',
      });
      const taken = data.map((x) => x.name);
      const dsName = await p.input({
        id: `${id}.data[${j}].name`,
        message: 'Data store name',
        help: 'Names its stack and what linked services see (NAME_host...): 1 to 12 lower-case letters or digits',
        default: freeName(DATA_HELP[kind]!.name, taken),
        validate: (v) =>
          checkName('DataName', v) ?? (taken.includes(v) ? `"${v}" is already a data store of ${name}` : undefined),
      });
      p.note(`\n${stages[kind as StageKey].title} ${dsName} of ${name} (${stages[kind as StageKey].templateId})`);
      data.push({ kind, name: dsName, ...(await askOptions(p, kind as StageKey, {}, `${id}.data[${j}]`, dsName)) });
    }
    if (data.length) app.data = data;
    // The service.
    if (!hasCluster) {
      if (current.service || current.extras?.length)
        p.note(`Services run on the ECS cluster, which is not selected: ${name} gets a load balancer only.`);
    } else {
      const wants = await p.confirm({
        id: `${id}.service`,
        message: `Run ${name} as an ECS service behind its load balancer?`,
        help: "The app's containers (32.app-ecs-service), scaled between a minimum and maximum on CPU and memory",
        default: current.service !== undefined || !current.loadBalancer,
      });
      if (wants)
        app.service = await askService(p, 'service', current.service ?? {}, `${id}.service`, name, repositories, data);
      const extras: ExtraDoc[] = [];
      for (const [j, e] of (current.extras ?? []).entries()) {
        const keep = await p.confirm({
          id: `${id}.extras[${j}].keep`,
          message: `Keep extra service ${e.suffix}?`,
          help: 'No removes it from this params file only (the deployed service is not deleted)',
          default: true,
        });
        if (keep)
          extras.push({
            suffix: e.suffix,
            ...(await askService(
              p,
              'extra',
              e,
              `${id}.extras[${extras.length}]`,
              `${name}-${e.suffix}`,
              repositories,
              data,
            )),
          });
      }
      while (
        await p.confirm({
          id: `${id}.extras.add${extras.length ? `[${extras.length}]` : ''}`,
          message: `Add an extra service to ${name}?`,
          help: 'Another service behind the same load balancer, matched by path (91.extra-service): an API, an admin site...',
          default: false,
        })
      ) {
        const j = extras.length;
        const taken = extras.map((x) => x.suffix);
        const suffix = await p.input({
          id: `${id}.extras[${j}].suffix`,
          message: 'Extra service suffix',
          help: 'Names its stack (APP-SUFFIX): 1 to 12 lower-case letters or digits',
          default: freeName('api', taken),
          validate: (v) =>
            checkName('ExtraSuffix', v) ??
            (taken.includes(v) ? `"${v}" is already an extra service of ${name}` : undefined),
        });
        const defaults: Options = { pathPrefix: `/${suffix}`, rulePriority: j + 1 };
        extras.push({
          suffix,
          ...(await askService(p, 'extra', defaults, `${id}.extras[${j}]`, `${name}-${suffix}`, repositories, data)),
        });
      }
      if (extras.length) app.extras = extras;
    }
    return app;
  };
  for (const current of d.apps ?? []) {
    const keep = await p.confirm({
      id: `apps[${apps.length}].keep`,
      message: `Keep app ${current.name}?`,
      help: 'No removes it from this params file only (its stacks are not deleted)',
      default: true,
    });
    if (keep) apps.push(await askApp(current, current.name));
  }
  while (
    await p.confirm({
      id: `apps.add${apps.length ? `[${apps.length}]` : ''}`,
      message: apps.length ? 'Add another app?' : 'Add an app (a load balancer and the service behind it)?',
      help: 'An app is a load balancer (31) with its service (32), extra services (91) and data stores (41-46)',
      default: apps.length === 0,
    })
  ) {
    const taken = apps.map((a) => a.name);
    const name = await p.input({
      id: `apps[${apps.length}].name`,
      message: 'App name',
      help: 'Names its stacks (PREFIXENV-APP-...) and load balancer: 1 to 16 lower-case letters, digits or hyphens',
      default: freeName(
        repositories[0]?.name && !checkName('ApplicationName', repositories[0].name) ? repositories[0].name : 'web',
        taken,
      ),
      validate: (v) =>
        checkName('ApplicationName', v) ??
        (taken.includes(v) ? `"${v}" is already an app of this environment` : undefined),
    });
    apps.push(await askApp({ name }, name));
  }
  if (apps.length) answers.apps = apps;

  // ---- where to save
  const suggested =
    start?.file && start.doc.environment === environment && start.doc.prefix === prefix
      ? start.file
      : `envs/${environment}.yaml`;
  let file: string;
  for (;;) {
    file = await p.input({
      id: 'file',
      message: 'Save these answers as',
      help: 'A params file: `provision deploy --params FILE` replays it without questions, `provision wizard --params FILE` starts from it',
      default: suggested,
      validate: (v) => (/\.ya?ml$/.test(v) ? undefined : 'a params file ends in .yaml or .yml'),
    });
    if (file === start?.file || !ctx.exists(file)) break;
    if (
      await p.confirm({
        id: 'overwrite',
        message: `${file} exists: replace it?`,
        help: 'No asks for another file name',
        default: true,
      })
    )
      break;
  }
  return { answers, file, ...(existing ? { existing } : {}), ...(start ? { startFile: start.file } : {}) };
}

/**
 * Asks one option question; returns the value a params file holds. `answers` are the stage's
 * values so far: choices that would break one of the template's rules are not offered, and a typed
 * answer that would is refused as it is typed.
 */
async function askOption(
  p: Prompter,
  stage: StageKey,
  q: OptionQuestion,
  current: unknown,
  id: string,
  answers: Options,
): Promise<unknown> {
  const cur = current === undefined ? q.templateDefault : Array.isArray(current) ? current.join(',') : String(current);
  const help =
    q.help +
    (q.templateDefault !== undefined && q.templateDefault !== '' && cur !== q.templateDefault
      ? ` (template default: ${q.templateDefault})`
      : '');
  if (q.kind === 'yesno') {
    const yes = await p.confirm({ id, message: q.message, help, default: cur === 'true' });
    return String(yes);
  }
  if (q.kind === 'choice') {
    const fits = (v: string) => checkAnswer(stage, q, v, answers) === undefined;
    const offered = q.choices!.filter(fits);
    const choices = (offered.length ? offered : q.choices!).map((v) => ({
      value: v,
      name: v === q.templateDefault ? `${v} (default)` : v,
    }));
    if (cur !== undefined && !q.choices!.includes(cur) && fits(cur))
      choices.unshift({ value: cur, name: `${cur} (current)` });
    const refused = q.choices!.length - choices.filter((ch) => q.choices!.includes(ch.value)).length;
    const why = refused && q.choices!.find((v) => !fits(v));
    const fallback = cur !== undefined && choices.some((ch) => ch.value === cur) ? cur : choices[0]?.value;
    const answer = await p.select<string>({
      id,
      message: q.message,
      help: why ? `${help} (${checkAnswer(stage, q, why, answers)})` : help,
      choices,
      ...(fallback !== undefined ? { default: fallback } : {}),
    });
    return toOptionValue(stage, q.option, answer);
  }
  const answer = await p.input({
    id,
    message: q.message + (q.kind === 'list' ? ' (comma-separated)' : ''),
    help,
    ...(cur !== undefined ? { default: cur } : {}),
    validate: (v) => checkOption(stage, q.option, v) ?? checkAnswer(stage, q, v, answers),
  });
  return toOptionValue(stage, q.option, answer);
}

/**
 * The stage's important options, then (if wanted) the rest. Options not asked keep their current
 * value, so an update never resets a setting the user did not touch.
 */
export async function askOptions(
  p: Prompter,
  stage: StageKey,
  current: Options,
  id: string,
  label?: string,
): Promise<Options> {
  const out: Options = {};
  const questions = optionQuestions(stage);
  for (const [k, v] of Object.entries(current)) if (questions.some((q) => q.option === k)) out[k] = v;
  for (const q of questions.filter((x) => x.important))
    out[q.option] = await askOption(p, stage, q, current[q.option], `${id}.${q.option}`, out);
  const rest = questions.filter((x) => !x.important);
  if (rest.length) {
    const changed = rest.filter((q) => current[q.option] !== undefined).length;
    const advanced = await p.confirm({
      id: `${id}.advanced`,
      message: `Advanced settings of ${label ? `${label} (${stages[stage].title})` : stages[stage].title}?`,
      help: `${rest.length} more: ${rest.map((q) => q.option).join(', ')}${changed ? ` (${changed} not at the default)` : ''}; No keeps their current values`,
      default: false,
    });
    if (advanced)
      for (const q of rest) out[q.option] = await askOption(p, stage, q, current[q.option], `${id}.${q.option}`, out);
  }
  return out;
}

/** A service's image, its options, and its links to the app's data stores. */
async function askService(
  p: Prompter,
  stage: 'service' | 'extra',
  current: ServiceDoc,
  id: string,
  label: string,
  repositories: RepositoryDoc[],
  data: DataDoc[],
): Promise<ServiceDoc> {
  p.note(`\n${stage === 'service' ? 'Service' : 'Extra service'} ${label} (${stages[stage].templateId})`);
  const svc: ServiceDoc = {};
  const repoNames = repositories.map((r) => r.name);
  const currentRepo = current.repositoryName as string | undefined;
  const fallback = repoNames[0] ? `ecr:${repoNames[0]}` : 'public';
  const source = await p.select<string>({
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
    default: current.publicImage
      ? 'public'
      : currentRepo
        ? repoNames.includes(currentRepo)
          ? `ecr:${currentRepo}`
          : 'other'
        : fallback,
  });
  if (source === 'public') {
    svc.publicImage = await p.input({
      id: `${id}.publicImage`,
      message: 'Public image',
      help: 'e.g. public.ecr.aws/docker/library/nginx:stable (it must listen on the container port below)',
      ...(current.publicImage ? { default: String(current.publicImage) } : {}),
      validate: (v) => (v === '' ? 'an image is needed' : checkOption(stage, 'publicImage', v)),
    });
  } else {
    svc.repositoryName =
      source === 'other'
        ? await p.input({
            id: `${id}.repositoryName`,
            message: 'ECR repository name',
            help: 'An existing repository of this account and region (made by 21.project-ecr-image-repo)',
            ...(currentRepo && !repoNames.includes(currentRepo) ? { default: currentRepo } : {}),
            validate: (v) => checkName('RepositoryName', v),
          })
        : source.slice('ecr:'.length);
    svc.imageTag = await p.input({
      id: `${id}.imageTag`,
      message: 'Image tag',
      help: 'The tag to run ("initial" until you push and release one; `provision release` changes it)',
      default: String(current.imageTag ?? 'initial'),
      validate: (v) => checkOption(stage, 'imageTag', v),
    });
  }
  Object.assign(svc, await askOptions(p, stage, current, id, label));
  if (data.length) {
    const currentLinks = current.links ?? [];
    const isNew = Object.keys(current).every((k) => k === 'pathPrefix' || k === 'rulePriority');
    const linked = await p.checkbox<string>({
      id: `${id}.links`,
      message: `Data stores ${label} uses`,
      help: "A link gives the service the store's address and credentials (as ECS secrets) and IAM access to that store only",
      choices: data.map((ds) => ({
        value: ds.name,
        name: `${ds.name} (${stages[ds.kind as StageKey].title})`,
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
      const access = await p.checkbox<string>({
        id: `${id}.links.${name}.access`,
        message: `Access of ${label} to ${name}`,
        help: `What the service may do with the ${stages[ds.kind as StageKey].title}`,
        choices: allowed.map((a) => ({ value: a, name: a, checked: had ? had.includes(a) : true })),
        validate: (v) => (v.length ? undefined : 'pick at least one (or unlink the store)'),
      });
      links.push({ name, access });
    }
    if (links.length) svc.links = links;
  }
  if (current.environment) svc.environment = current.environment;
  if (current.secrets) svc.secrets = current.secrets;
  return svc;
}
