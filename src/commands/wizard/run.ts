/**
 * `provision` in a terminal (also `provision wizard [--params F]`): the guided way in. It asks the
 * environment's name, prefix, region and profile, finds the environment if it exists (and offers
 * to update it, its current settings as defaults), asks the stages, repositories, apps and their
 * settings, saves the answers as a params file, shows the plan, and after a yes deploys with live
 * progress, ending with the app's URL, the outputs and the next steps.
 *
 * The questions live in src/wizard/flow.ts (tested with scripted answers); this module is the
 * terminal, the file system and AWS around them. Ctrl-C at a question leaves with exit code 130
 * and nothing deployed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { AwsClients } from '../../aws/clients';
import { stages } from '../../../stages/catalogue';
import { planEnvironment } from '../../../stages/plan';
import { EcrRepo } from '../../../templates/contracts';
import { APP_URL_OUTPUT } from '../../../templates/loadBalancer';
import { outputId } from '../../../templates/kit/exports';
import { stackName } from '../../../templates/kit/names';
import { planRun, printPlan } from '../../run/plan';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { HTTP_ONLY_NOTE } from '../../ops/app-url';
import { table } from '../../cli/table';
import { loadParams } from '../../params/load';
import type { ParamsFile } from '../../../stages/params';
import { renderParams, toParamsDocument, validateDocument, type ParamsDoc } from '../../wizard/document';
import { runFlow, type Prompter } from '../../wizard/flow';
import { isPromptExit, terminalPrompter } from '../../wizard/prompter';
import { environmentOf, type RunContext, withRunLock } from '../../run/context';
import { schemaPath, schemaRefFor } from '../../package';
import { accountPreflight, missingImports, printSummary } from '../../run/deploy';

export interface WizardFlags {
  params?: string;
}

/** The `$schema` reference of a saved file: the shipped JSON Schema (see schemaRefFor). */
function schemaRef(file: string): string | undefined {
  return fs.existsSync(schemaPath()) ? schemaRefFor(file) : undefined;
}

/** A saved params file as the wizard's defaults: validated first, then read as written. */
function loadDoc(file: string): ParamsDoc {
  loadParams(file);
  return parse(fs.readFileSync(file, 'utf8')) as ParamsDoc;
}

function savedFiles(dir = 'envs'): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => `${dir}/${f}`);
  } catch {
    return [];
  }
}

/** Shows what a deploy would do, stack by stack (as `provision plan`); returns how many change. */
async function showPlan(ctx: RunContext): Promise<number> {
  const env = await planRun(ctx);
  output.line();
  await printPlan(ctx, env, {
    indent: '  ',
    spaced: false,
    // A new stack lists every resource: the count says enough. Updates show each change.
    listCreates: false,
    waiting: 'the wizard deploys the rest first, shows how to push it and waits for it',
  });
  const missing = await missingImports(ctx.clients, ctx);
  if (missing.length) {
    throw new CliError(
      `${missing.length} import${missing.length === 1 ? '' : 's'} cannot be satisfied:\n` +
        missing.map((m) => `  ${m.stack} imports ${m.exportName}, which no stack exports`).join('\n'),
      ExitCode.Refused,
      `nothing was deployed; add what exports it (e.g. the repository) with \`provision wizard --params ${ctx.file}\``,
    );
  }
  return env.plans.filter((p) => p.kind !== 'unchanged').length;
}

/** The app URLs, every stack's outputs, and what to do next. */
async function showFinish(ctx: RunContext): Promise<void> {
  const { describeStack, outputsOf } = await import('../../deploy/cloudformation');
  const outputs = new Map<string, Record<string, string>>();
  for (const s of ctx.stacks) {
    const st = await describeStack(ctx.clients.cloudFormation, s.name);
    if (st) outputs.set(s.name, outputsOf(st));
  }
  output.line();
  output.line(c().bold('Outputs'));
  for (const [name, outs] of outputs) {
    const rows = Object.entries(outs).map(([k, v]) => [`    ${k}`, v]);
    output.line(`  ${name}`);
    output.line(rows.length ? table(rows) : c().dim('    (no outputs)'));
  }
  const file = ctx.file;
  const region = ctx.params.region;
  const repoUri = (name: string) =>
    outputs.get(stackName(stages.repository.template, { RepositoryName: name }))?.[outputId(EcrRepo.RepositoryUri)];
  output.line();
  for (const s of ctx.stacks.filter((x) => x.stage === 'loadBalancer')) {
    const url = outputs.get(s.name)?.[APP_URL_OUTPUT];
    const note = url?.startsWith('http://') ? c().yellow(`  (${HTTP_ONLY_NOTE})`) : '';
    output.line(
      `${c().green('➜')} ${c().bold(`App ${s.app}`)}: ${url ? c().cyan(url) + note : c().dim('(no URL yet)')}`,
    );
  }
  output.line();
  output.line(c().bold('Next steps'));
  const apps = ctx.params.apps ?? [];
  let n = 1;
  for (const app of apps) {
    const svc = app.service as { repositoryName?: string; publicImage?: string } | undefined;
    if (!svc?.repositoryName || svc.publicImage) continue;
    const uri = repoUri(svc.repositoryName) ?? `ACCOUNT.dkr.ecr.${region}.amazonaws.com/${svc.repositoryName}`;
    output.line(`  ${n++}. Push ${app.name}'s image to ${uri}, then run it:`);
    output.line(
      `       aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${uri.split('/')[0]}`,
    );
    output.line(`       docker build -t ${uri}:v1 .`);
    output.line(`       docker push ${uri}:v1`);
    output.line(`       provision release --params ${file} --app ${app.name} --version v1`);
  }
  for (const app of apps) {
    output.line(
      `  ${n++}. Set ${app.name}'s configuration (its secret; listed keys reach the service as environment variables):`,
    );
    output.line(`       provision config set --params ${file} --app ${app.name} KEY=VALUE`);
  }
  output.line(
    `  ${n}. Change the environment: provision wizard --params ${file}  (or edit ${file}, then provision deploy --params ${file})`,
  );
}

/** The wizard asks questions: it needs a terminal, and has no --json mode. The way out names the file given, if any. */
function checkTerminal(global: GlobalOptions, file = 'FILE'): void {
  if (global.json)
    throw CliError.usage(
      'the wizard asks questions and has no --json mode',
      `for machines: provision deploy --params ${file} --yes --json`,
    );
  if (!(process.stdin.isTTY && process.stdout.isTTY)) {
    throw CliError.usage(
      'the wizard needs a terminal (stdin and stdout are not a TTY)',
      `run it in a terminal, or replay a saved params file: provision deploy --params ${file} --yes`,
    );
  }
}

/** AWS clients for the region and profile the answers name, rebuilt only when those change. */
interface ClientCache {
  get(region: string, profile: string | undefined): Promise<AwsClients>;
  destroy(): void;
}

function clientCache(global: GlobalOptions): ClientCache {
  let clients: AwsClients | undefined;
  let clientsKey = '';
  return {
    async get(region, profile) {
      const key = `${region}|${profile ?? ''}`;
      if (!clients || key !== clientsKey) {
        clients?.destroy();
        const { createClients } = await import('../../aws/clients');
        clients = createClients({
          region,
          ...((global.profile ?? profile) ? { profile: global.profile ?? profile } : {}),
          ...(global.endpointUrl ? { endpointUrl: global.endpointUrl } : {}),
        });
        clientsKey = key;
      }
      return clients;
    },
    destroy: () => clients?.destroy(),
  };
}

/** The questions (src/wizard/flow.ts), starting from --params when given. */
function ask(prompter: Prompter, flags: WizardFlags, global: GlobalOptions, clients: ClientCache) {
  const start = flags.params ? { file: flags.params, doc: loadDoc(flags.params) } : undefined;
  return runFlow(prompter, {
    env: {
      ...((global.region ?? process.env.AWS_REGION) ? { AWS_REGION: global.region ?? process.env.AWS_REGION } : {}),
      ...(process.env.AWS_DEFAULT_REGION ? { AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION } : {}),
      ...((global.profile ?? process.env.AWS_PROFILE)
        ? { AWS_PROFILE: global.profile ?? process.env.AWS_PROFILE }
        : {}),
    },
    ...(start ? { start } : {}),
    savedFiles: start ? [] : savedFiles(),
    load: loadDoc,
    findExisting: async (where) => {
      const { findExisting } = await import('../../wizard/discover');
      return findExisting(await clients.get(where.region, where.profile), where);
    },
    exists: (f) => fs.existsSync(f),
  });
}

/** The answers as a params file, checked by the params file's own parser before it is written. */
function save(result: Awaited<ReturnType<typeof runFlow>>): ParamsFile {
  const file = result.file;
  const text = renderParams(toParamsDocument(result.answers), {
    file,
    ...(schemaRef(file) ? { schemaRef: schemaRef(file)! } : {}),
  });
  const params: ParamsFile = validateDocument(text, file);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
  output.line();
  output.line(
    `${c().green('✔')} Saved your answers to ${c().bold(file)} (replay: provision deploy --params ${file} --yes)`,
  );
  return params;
}

/** Shows the plan, asks, and deploys holding the run lock; then the outputs and next steps. */
async function planAndDeploy(ctx: RunContext, prompter: Prompter): Promise<void> {
  const changing = await showPlan(ctx);
  output.line();
  if (changing === 0) {
    output.line(`${c().green('✔')} Every stack is up to date: nothing to deploy.`);
    await showFinish(ctx);
    return;
  }
  const go = await prompter.confirm({
    id: 'deploy',
    message: `Deploy ${changing} stack${changing === 1 ? '' : 's'} of ${environmentOf(ctx)} now?`,
    help: 'Creates or updates them in order, dependencies first; unchanged stacks are skipped',
    default: true,
  });
  if (!go) {
    output.line(`Nothing was deployed. When you are ready: provision deploy --params ${ctx.file}`);
    return;
  }
  const results = await withRunLock(ctx, 'wizard (deploy)', async () => {
    const { confirmSharedChanges } = await import('../../run/shared');
    await confirmSharedChanges(ctx, {
      ask: (message) =>
        prompter.confirm({
          id: 'shared',
          message,
          help: 'Other environments use these repository stacks',
          default: false,
        }),
    });
    const { deployWithImages } = await import('../../run/wizard-images');
    return deployWithImages(ctx, prompter, () => accountPreflight(ctx, ctx.global));
  });
  if (printSummary(results)) await showFinish(ctx);
}

export async function runWizard(
  flags: WizardFlags,
  global: GlobalOptions,
  prompter: Prompter = terminalPrompter({ colours: c, line: (text) => output.line(text) }),
): Promise<void> {
  checkTerminal(global, flags.params);
  const clients = clientCache(global);
  let saved: string | undefined;
  try {
    const result = await ask(prompter, flags, global, clients);
    const params = save(result);
    saved = result.file;
    const all = planEnvironment(params);
    const ctx: RunContext = {
      file: result.file,
      params,
      all,
      stacks: all,
      global,
      clients: await clients.get(params.region, params.profile),
    };
    await planAndDeploy(ctx, prompter);
  } catch (err) {
    if (isPromptExit(err)) {
      throw new CliError(
        `wizard cancelled: nothing was deployed${saved ? ` (answers saved in ${saved})` : ''}`,
        ExitCode.Interrupted,
      );
    }
    throw err;
  } finally {
    clients.destroy();
  }
}
