/**
 * Finding an environment the wizard is about to create or update: it exists when its network
 * stack (`{prefix}{env}-network`) does, or when any stack exports a name one of the catalogue's
 * contracts makes for it (ListExports). Names are parsed with the functions that make them. Its stacks are then read (parameters, tags, termination protection, and for
 * services the data stores their template imports from) into a params document.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { documentFromStacks, type FoundStack } from './document';
import type { Existing } from './flow';
import { catalogue, isDataRow, publishedTemplate, rowOfTemplate, stages } from '../../stages/catalogue';
import { TagKey } from '../../templates/kit/builder';
import { parseExportName } from '../../templates/kit/exports';
import { displayPattern, parseStackName, stackName, type EnvironmentRef } from '../../templates/kit/names';

const GONE = new Set(['DELETE_COMPLETE']);

/** The values an environment's stack and export names are made from. */
const knownOf = (env: EnvironmentRef) => ({ Prefix: env.prefix, EnvironmentName: env.environment });

/**
 * The catalogue template of a stack: its tag, or (for console-made stacks) the one template whose
 * fixed stack-name rule the name fits (`x-dev-network`, `x-dev-acme-service`, `ecr-acme-web`).
 * Data stores and extra services end in a name of the user's, so only their tag says what they are.
 */
export function templateOfStack(name: string, tags: Record<string, string>, env: EnvironmentRef): string | undefined {
  if (tags[TagKey.template]) return tags[TagKey.template];
  const fits = catalogue.filter(
    (r) => !r.template.stackSuffix.includes('${') && parseStackName(r.template, name, knownOf(env)),
  );
  return fits.length === 1 ? fits[0]!.templateId : undefined;
}

/** An export of the environment: one a contract of its catalogue makes with its prefix and name. */
function isEnvironmentExport(name: string, env: EnvironmentRef): boolean {
  return catalogue.some((r) =>
    publishedTemplate(r).exports.some((c) => c.scope !== 'project' && parseExportName(c, name, knownOf(env))),
  );
}

/** A stack of the environment: one named by the stack-name rule of an environment or app template. */
function isEnvironmentStack(name: string, env: EnvironmentRef): boolean {
  return catalogue.some((r) => r.template.scope !== 'project' && parseStackName(r.template, name, knownOf(env)));
}

/** The standard parameters an application's export names are made from. */
const STANDARD = ['Prefix', 'EnvironmentName', 'ApplicationName'] as const;

/**
 * Data-store names a service template imports from: the instance of each import that a data
 * store's export contract makes (the template's metadata lists imports in display form,
 * `{Prefix}{EnvironmentName}-{ApplicationName}-NAME-Key`).
 */
export function linkedDataOf(templateBody: string | undefined): string[] {
  if (!templateBody) return [];
  let imports: unknown;
  try {
    imports = (JSON.parse(templateBody) as { Metadata?: Record<string, { Imports?: unknown }> }).Metadata?.[
      'cfn-stages'
    ]?.Imports;
  } catch {
    return [];
  }
  if (!Array.isArray(imports)) return [];
  const asShown = Object.fromEntries(STANDARD.map((p) => [p, displayPattern(`\${${p}}`)]));
  const contracts = catalogue.filter(isDataRow).flatMap((r) => publishedTemplate(r).exports);
  const names = imports.flatMap((i) =>
    contracts.map((c) => c.instanceParam && parseExportName(c, String(i), asShown)?.[c.instanceParam]),
  );
  return [...new Set(names.filter((n): n is string => Boolean(n)))];
}

/**
 * The parameter values as given (for an SSM-parameter type, the parameter's name, not the value it
 * resolved to: the AMI behind `/aws/service/...` is not what the params file says).
 */
function paramsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
}

function tagsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** Looks for the environment; undefined when neither its network stack nor any export exists. */
export async function findExisting(
  clients: AwsClients,
  where: { environment: string; prefix: string; region: string },
): Promise<Existing | undefined> {
  const { paginateListStacks } = await import('@aws-sdk/client-cloudformation');
  const { describeStack, getTemplateBody } = await import('../deploy/cloudformation');
  const { listExports } = await import('../deploy/exports');
  const cfn = clients.cloudFormation;
  const network = await describeStack(cfn, stackName(stages.network.template, knownOf(where)));
  const exporting = (await listExports(cfn)).filter(
    (e) => e.Name && e.ExportingStackId && isEnvironmentExport(e.Name, where),
  );
  if ((!network || GONE.has(network.StackStatus ?? '')) && !exporting.length) return undefined;

  // Every live stack named after the environment (services export nothing, so exports alone miss them).
  const names = new Set<string>();
  for await (const page of paginateListStacks({ client: cfn }, {})) {
    for (const s of page.StackSummaries ?? [])
      if (s.StackName && isEnvironmentStack(s.StackName, where) && !GONE.has(s.StackStatus ?? ''))
        names.add(s.StackName);
  }
  const stacks: Stack[] = [];
  for (const name of names) {
    const s = await describeStack(cfn, name);
    if (s && !GONE.has(s.StackStatus ?? '')) stacks.push(s);
  }
  // The ECR repositories the services run from (project stacks, named ecr-NAME).
  const repos = new Set(stacks.map((s) => paramsOf(s).RepositoryName).filter((r): r is string => Boolean(r)));
  for (const repo of repos) {
    const s = await describeStack(cfn, stackName(stages.repository.template, { RepositoryName: repo }));
    if (s && !GONE.has(s.StackStatus ?? '')) stacks.push(s);
  }
  const found: FoundStack[] = [];
  for (const s of stacks) {
    const name = s.StackName ?? '';
    const templateId = templateOfStack(name, tagsOf(s), where);
    if (!templateId) continue;
    const isService = Boolean(rowOfTemplate(templateId)?.linkable);
    found.push({
      name,
      templateId,
      parameters: paramsOf(s),
      tags: tagsOf(s),
      ...(s.EnableTerminationProtection ? { terminationProtection: true } : {}),
      ...(isService ? { linkedData: linkedDataOf(await getTemplateBody(cfn, name)) } : {}),
    });
  }
  found.sort((a, b) => a.templateId.localeCompare(b.templateId) || a.name.localeCompare(b.name));
  return { stacks: found.map((f) => f.name), doc: documentFromStacks(found, where) };
}
