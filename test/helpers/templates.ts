/** Helpers for template tests: built catalogue templates as plain JSON, and resource lookups. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogue } from '../../stages/catalogue';
import type { BuiltTemplate } from '../../templates/kit/builder';
import { toJson } from '../../templates/kit/cf';

export interface JsonResource {
  Type: string;
  Properties?: any;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: any;
  DependsOn?: unknown;
}

export interface JsonTemplate {
  Parameters: Record<string, any>;
  Conditions?: Record<string, any>;
  Resources: Record<string, JsonResource>;
  Outputs?: Record<string, any>;
  Metadata: any;
  Description: string;
}

/** Every catalogue template, built once, as JSON. */
export function allTemplates(): { id: string; built: BuiltTemplate; json: JsonTemplate }[] {
  return catalogue.map((e) => {
    const built = e.build();
    return { id: e.templateId, built, json: toJson(built.template) as JsonTemplate };
  });
}

export function json(built: BuiltTemplate): JsonTemplate {
  return toJson(built.template) as JsonTemplate;
}

export function ofType(t: JsonTemplate, type: string): [string, JsonResource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

export function resource(t: JsonTemplate, id: string): JsonResource {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id}; have ${Object.keys(t.Resources).join(', ')}`);
  return r;
}

/** Every IAM policy statement in a template, with where it came from. */
export function iamStatements(t: JsonTemplate): { where: string; statement: any }[] {
  const out: { where: string; statement: any }[] = [];
  for (const [id, r] of Object.entries(t.Resources)) {
    const docs: any[] = [];
    if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties?.Policies ?? []) docs.push(p.PolicyDocument);
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties?.PolicyDocument);
    for (const d of docs) for (const s of d?.Statement ?? []) out.push({ where: id, statement: s });
  }
  return out;
}

export const root = path.resolve(__dirname, '..', '..');
export const venvBin = (tool: string): string => path.join(root, '.venv', 'bin', tool);

/** cfn-lint's copy of the CloudFormation resource schemas (in the project's .venv). */
export function resourceSchema(type: string): any | undefined {
  const site = fs.readdirSync(path.join(root, '.venv', 'lib')).find((d) => d.startsWith('python'));
  const base = path.join(root, '.venv', 'lib', site!, 'site-packages', 'cfnlint', 'data', 'schemas');
  const providers = JSON.parse(fs.readFileSync(path.join(base, 'providers', 'us-east-1.json'), 'utf8'));
  const hash = providers[type];
  if (!hash) return undefined;
  return JSON.parse(fs.readFileSync(path.join(base, 'resources', `${hash}.json`), 'utf8'));
}
