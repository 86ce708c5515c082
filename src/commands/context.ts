/**
 * What every environment command starts from: the params file, validated; the stacks it plans
 * (optionally narrowed with --only); and the AWS clients, built lazily from the flags, the params
 * file and the SDK's standard chain (in that order).
 */
import type { AwsClients } from '../aws/clients';
import type { StackSpec } from '../deploy/types';
import { renderTemplate } from '../../templates/kit/cf';
import { planEnvironment, type PlannedStack } from '../../stages/plan';
import { CliError } from '../cli/errors';
import type { GlobalOptions } from '../cli/main';
import { loadParams } from '../params/load';
import { regionProblem } from '../../stages/check';
import type { ParamsFile } from '../params/schema';

export interface RunContext {
  file: string;
  params: ParamsFile;
  /** Every stack of the environment, in dependency order. */
  all: PlannedStack[];
  /** The stacks this run works on (all, or those picked with --only). */
  stacks: PlannedStack[];
  global: GlobalOptions;
  clients: AwsClients;
}

/** Picks stacks by stage key (`network`, `service`...), template number (`31`) or stack name. */
export function selectStacks(all: PlannedStack[], only: string[] | undefined): PlannedStack[] {
  if (!only?.length) return all;
  const picked = all.filter((s) => only.some((o) => o === s.stage || o === s.name || o === s.templateId.split('.')[0] || o === s.templateId));
  const unknown = only.filter((o) => !all.some((s) => o === s.stage || o === s.name || o === s.templateId.split('.')[0] || o === s.templateId));
  if (unknown.length) {
    throw CliError.usage(
      `--only ${unknown.join(', ')}: no such stage or stack in this environment`,
      `use a stage (${[...new Set(all.map((s) => s.stage))].join(', ')}), a template number, or a stack name (${all.map((s) => s.name).join(', ')})`,
    );
  }
  return picked;
}

export async function openContext(file: string | undefined, global: GlobalOptions, only?: string[]): Promise<RunContext> {
  if (!file) throw CliError.usage('--params FILE is required', 'pass the environment\'s params file (see examples/small.yaml), or run `provision` in a terminal for the wizard');
  const params = loadParams(file);
  const region = global.region && regionProblem(global.region);
  if (region) throw CliError.usage(`--region: ${region}`, 'pass a real region, or leave --region out to use the params file\'s');
  const all = planEnvironment(params);
  const stacks = selectStacks(all, only);
  const { createClients } = await import('../aws/clients');
  const clients = createClients({
    region: global.region ?? params.region,
    profile: global.profile ?? params.profile,
    ...(global.endpointUrl ? { endpointUrl: global.endpointUrl } : {}),
  });
  return { file, params, all, stacks, global, clients };
}

/** The engine's view of a planned stack. Dependencies outside `inRun` are taken as deployed. */
export function toSpec(s: PlannedStack, inRun: Set<string>): StackSpec {
  return {
    name: s.name,
    templateId: s.templateId,
    templateBody: renderTemplate(s.built.template),
    parameters: s.parameters,
    tags: s.tags,
    dependsOn: s.dependsOn.filter((d) => inRun.has(d)),
    capabilities: s.capabilities,
    terminationProtection: s.terminationProtection,
  };
}
