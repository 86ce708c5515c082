/**
 * Finding an environment the wizard is about to create or update: it exists when its network
 * stack (`{prefix}{env}-network`) does, or when any stack exports a name under `{prefix}{env}-`
 * (ListExports). Its stacks are then read (parameters, tags, termination protection, and for
 * services the data stores their template imports from) into a params document.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { documentFromStacks, type FoundStack } from './document';
import type { Existing } from './flow';

const GONE = new Set(['DELETE_COMPLETE']);

/** The catalogue template of a stack: its tag, or (for console-made stacks) its name. */
export function templateOfStack(name: string, tags: Record<string, string>, envPrefix: string): string | undefined {
  if (tags['cfn-stages:template']) return tags['cfn-stages:template'];
  if (name.startsWith('ecr-')) return '21.project-ecr-image-repo';
  const rest = name.startsWith(envPrefix) ? name.slice(envPrefix.length) : '';
  const bySuffix: [RegExp, string][] = [
    [/^network$/, '11.env-network'],
    [/^jumpboxes$/, '12.env-jumpboxes'],
    [/^ecs-cluster$/, '13.env-ecs-cluster'],
    [/^eks-cluster$/, '14.env-eks-cluster'],
    [/-loadbalancer$/, '31.app-loadbalancer'],
    [/-service$/, '32.app-ecs-service'],
  ];
  return bySuffix.find(([re]) => re.test(rest))?.[1];
}

/** Data-store names a service template imports from (`{...}-{ApplicationName}-NAME-Key`). */
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
  const names = imports
    .map(
      (i) =>
        /^\{Prefix\}\{EnvironmentName\}-\{ApplicationName\}-([a-z][a-z0-9]{0,11})-[A-Za-z0-9]+$/.exec(String(i))?.[1],
    )
    .filter((n): n is string => Boolean(n));
  return [...new Set(names)];
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
  const envPrefix = `${where.prefix}${where.environment}-`;
  const network = await describeStack(cfn, `${envPrefix}network`);
  const exporting = (await listExports(cfn)).filter((e) => e.Name?.startsWith(envPrefix) && e.ExportingStackId);
  if ((!network || GONE.has(network.StackStatus ?? '')) && !exporting.length) return undefined;

  // Every live stack named after the environment (services export nothing, so exports alone miss them).
  const names = new Set<string>();
  for await (const page of paginateListStacks({ client: cfn }, {})) {
    for (const s of page.StackSummaries ?? [])
      if (s.StackName?.startsWith(envPrefix) && !GONE.has(s.StackStatus ?? '')) names.add(s.StackName);
  }
  const stacks: Stack[] = [];
  for (const name of names) {
    const s = await describeStack(cfn, name);
    if (s && !GONE.has(s.StackStatus ?? '')) stacks.push(s);
  }
  // The ECR repositories the services run from (project stacks, named ecr-NAME).
  const repos = new Set(stacks.map((s) => paramsOf(s).RepositoryName).filter((r): r is string => Boolean(r)));
  for (const repo of repos) {
    const s = await describeStack(cfn, `ecr-${repo}`);
    if (s && !GONE.has(s.StackStatus ?? '')) stacks.push(s);
  }
  const found: FoundStack[] = [];
  for (const s of stacks) {
    const name = s.StackName ?? '';
    const templateId = templateOfStack(name, tagsOf(s), envPrefix);
    if (!templateId) continue;
    const isService = /^(32|91)\./.test(templateId);
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
