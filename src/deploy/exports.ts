/**
 * Exports in use. CloudFormation refuses to change or withdraw an export while another stack
 * imports it ("Cannot update export X as it is in use by Y"): the update rolls back, typically
 * when a replaced load balancer or listener changes an exported ARN (the cross-stack "deadly
 * embrace"). This module finds, for a planned update, which exports it would change or remove and
 * who imports each (ListImports), and builds the stand-in templates deploy uses to move the
 * importers out of the way:
 *
 * - a changed export: each importer is first updated to its deployed template with the import
 *   replaced by the value it has now (`detachedTemplate`; nothing changes in its resources), so
 *   the export is free to change; the run then deploys the importer's real template, importing the
 *   new value;
 * - a removed export: the producer keeps it (same name, the value it has now) while the importers
 *   move off it (`keepingExports`), and a last pass drops it.
 */
import {
  paginateListExports,
  paginateListImports,
  type CloudFormationClient,
  type Export,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { getTemplateBody, isNotImportedError, parametersOf } from './cloudformation';
import { effectiveParameters, parseTemplate, type TemplateDoc } from './template';
import type { ChangeSummary, StackSpec } from './types';

/** One export the update changes or removes, with the stacks importing it now. */
export interface ExportChange {
  exportName: string;
  /** The producer's output that carries it. */
  outputKey: string;
  kind: 'changed' | 'removed';
  /** The value in force now (importers see this until the change). */
  value: string;
  /** Stacks that import it now (ListImports). */
  importers: string[];
}

/**
 * Exports the planned update would change or remove. An export changes when its output's value
 * is written differently, or uses a resource the plan replaces (new physical id, new ARN) or
 * may replace, or a parameter whose value changes. An attribute that changes on an in-place
 * update is not predicted. `deployedTemplate` reads the stack's template as deployed (the run's
 * checks have it already).
 */
export async function exportChanges(
  cfn: CloudFormationClient,
  spec: StackSpec,
  stack: Stack,
  plan: ChangeSummary,
  deployedTemplate: () => Promise<string | undefined> = () => getTemplateBody(cfn, stack.StackId ?? spec.name),
): Promise<ExportChange[]> {
  const exported = (stack.Outputs ?? []).filter((o) => o.ExportName && o.OutputKey);
  if (!exported.length) return [];
  const [oldDoc, newDoc] = [parseTemplate(await deployedTemplate()), parseTemplate(spec.templateBody)];
  const moving = movingNames(spec, stack, plan, newDoc);
  const changes: ExportChange[] = [];
  for (const o of exported) {
    const kind = exportFate(o.OutputKey!, oldDoc, newDoc, moving);
    if (!kind) continue;
    changes.push({
      exportName: o.ExportName!,
      outputKey: o.OutputKey!,
      kind,
      value: o.OutputValue ?? '',
      importers: await importersOf(cfn, o.ExportName!),
    });
  }
  return changes;
}

/**
 * What may take a new value in this update: resources replaced (or possibly replaced) or removed,
 * parameters whose value changes, and conditions using any of those (an Fn::If may flip).
 */
function movingNames(spec: StackSpec, stack: Stack, plan: ChangeSummary, newDoc: TemplateDoc | undefined): Set<string> {
  const moving = new Set(
    plan.changes.filter((c) => c.replacement !== 'never' || c.action === 'Remove').map((c) => c.logicalId),
  );
  const before = parametersOf(stack);
  for (const [name, value] of Object.entries(effectiveParameters(spec, newDoc) ?? {}))
    if (before[name] !== value) moving.add(name);
  const conditions = Object.entries((newDoc as { Conditions?: Record<string, unknown> } | undefined)?.Conditions ?? {});
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, def] of conditions) {
      if (moving.has(name) || ![...referencesOf(def)].some((r) => moving.has(r))) continue;
      moving.add(name);
      grew = true;
    }
  }
  return moving;
}

function exportFate(
  key: string,
  oldDoc: TemplateDoc | undefined,
  newDoc: TemplateDoc | undefined,
  moving: Set<string>,
): ExportChange['kind'] | undefined {
  const next = newDoc?.Outputs?.[key];
  if (!next?.Export) return 'removed';
  const prev = oldDoc?.Outputs?.[key];
  if (!prev || JSON.stringify(prev.Value) !== JSON.stringify(next.Value)) return 'changed';
  return [...referencesOf(next.Value)].some((r) => moving.has(r)) ? 'changed' : undefined;
}

/** Names a template fragment uses: Ref, Fn::GetAtt, `${X}` / `${X.Attr}` in Fn::Sub, conditions of Fn::If. */
export function referencesOf(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => referencesOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if ((key === 'Ref' || key === 'Condition') && typeof value === 'string') out.add(value);
      if (key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string') out.add(value[0]);
      if (key === 'Fn::GetAtt') out.add(String(Array.isArray(value) ? value[0] : String(value).split('.')[0]));
      if (key === 'Fn::Sub') {
        const text = Array.isArray(value) ? value[0] : value;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^!}][^}.]*)/g)) out.add(m[1]!.trim());
      }
      referencesOf(value, out);
    }
  }
  return out;
}

/**
 * Every export in the account and region (ListExports, every page): the one place that lists
 * them, for the deployer's check of what a run imports and the wizard's look for an environment.
 */
export async function listExports(cfn: CloudFormationClient): Promise<Export[]> {
  const found: Export[] = [];
  for await (const page of paginateListExports({ client: cfn }, {})) found.push(...(page.Exports ?? []));
  return found;
}

/** ListImports, every page; an export nobody imports is an empty list, not an error. */
export async function importersOf(cfn: CloudFormationClient, exportName: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const page of paginateListImports({ client: cfn }, { ExportName: exportName })) {
      found.push(...(page.Imports ?? []));
    }
  } catch (err) {
    if (!isNotImportedError(err)) throw err;
  }
  return found;
}

/**
 * The importer's deployed template with each `Fn::ImportValue` of the given exports replaced by
 * the value it imports now. Export names are resolved against the stack's own parameters
 * (`Fn::Sub`, `Fn::Join`, `Ref`), as CloudFormation resolves them.
 */
export function detachedTemplate(
  deployedBody: string,
  stack: Stack,
  values: Record<string, string>,
): { body: string; detached: string[] } {
  const doc = parseTemplate(deployedBody);
  if (!doc) return { body: deployedBody, detached: [] };
  const params = { ...parametersOf(stack), 'AWS::StackName': stack.StackName ?? '' };
  const detached = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if ('Fn::ImportValue' in obj && Object.keys(obj).length === 1) {
      const name = resolveName(obj['Fn::ImportValue'], params);
      if (name !== undefined && name in values) {
        detached.add(name);
        return values[name];
      }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v)]));
  };
  return { body: JSON.stringify(walk(doc)), detached: [...detached] };
}

function resolveName(node: unknown, params: Record<string, string>): string | undefined {
  if (typeof node === 'string') return node;
  if (!node || typeof node !== 'object') return undefined;
  const obj = node as Record<string, unknown>;
  if (typeof obj.Ref === 'string') return params[obj.Ref];
  if ('Fn::Sub' in obj) {
    const sub = obj['Fn::Sub'];
    const [text, vars] = Array.isArray(sub) ? [sub[0], (sub[1] ?? {}) as Record<string, unknown>] : [sub, {}];
    if (typeof text !== 'string') return undefined;
    let ok = true;
    const out = text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
      const v = name in vars ? resolveName(vars[name], params) : params[name];
      if (v === undefined) ok = false;
      return v ?? '';
    });
    return ok ? out : undefined;
  }
  if ('Fn::Join' in obj && Array.isArray(obj['Fn::Join'])) {
    const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
    const resolved = (parts ?? []).map((p) => resolveName(p, params));
    return resolved.every((p) => p !== undefined) ? resolved.join(sep) : undefined;
  }
  return undefined;
}

/** The producer's new template, still exporting the removed exports (same names, values as now). */
export function keepingExports(templateBody: string, removed: ExportChange[]): string {
  const doc = parseTemplate(templateBody);
  if (!doc) return templateBody;
  const outputs = { ...(doc.Outputs ?? {}) };
  for (const r of removed) {
    const key = outputs[r.outputKey] ? `${r.outputKey}Kept` : r.outputKey;
    outputs[key] = {
      Description: `Kept until the stacks importing it have moved off (${r.exportName})`,
      Value: r.value,
      Export: { Name: r.exportName },
    } as never;
  }
  return JSON.stringify({ ...doc, Outputs: outputs });
}
