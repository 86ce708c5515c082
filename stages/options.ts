/**
 * Stage options are the template's own parameters, in camelCase: `NatGateways` in 11.env-network is
 * `natGateways` under `network:` in a params file. Their types, allowed values, patterns, ranges,
 * descriptions and defaults all come from the template, so the params file, its JSON Schema and the
 * wizard's questions cannot drift from what CloudFormation will accept. Their zod schemas are in
 * ./option-schemas.ts: planning and `synth` need the names and values here, not zod.
 */
import type { BuiltTemplate } from '../templates/kit/builder';
import { STD_BY_SCOPE } from '../templates/kit/builder';

export interface TemplateParameter {
  Type: string;
  Default?: unknown;
  Description?: string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  NoEcho?: boolean;
}

/** `NatGateways` -> `natGateways`; `VpcCidr` -> `vpcCidr`; `ECSExec` -> `ecsExec`. */
export function optionName(parameter: string): string {
  const m = /^[A-Z]+(?=[A-Z][a-z]|$|\d)/.exec(parameter);
  if (m && m[0].length > 1) return m[0].toLowerCase() + parameter.slice(m[0].length);
  return parameter.charAt(0).toLowerCase() + parameter.slice(1);
}

/** The template's parameters a params file may set for a stage (standard ones are set for it). */
export function stageParameters(
  built: BuiltTemplate,
  structural: readonly string[] = [],
): [string, TemplateParameter][] {
  const std = new Set<string>([...STD_BY_SCOPE[built.scope], ...structural]);
  return Object.entries((built.template.Parameters ?? {}) as Record<string, TemplateParameter>).filter(
    ([name]) => !std.has(name),
  );
}

/** Turns a stage's options into CloudFormation parameter values (every parameter, defaults filled in). */
export function toParameters(
  built: BuiltTemplate,
  options: Record<string, unknown>,
  structural: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of stageParameters(built, structural)) {
    const v = options[optionName(name)] ?? p.Default;
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}
