/**
 * A plan file: what `provision plan --out FILE` showed, so that `provision deploy --plan FILE`
 * deploys exactly that or refuses (Terraform's `plan -out` / `apply planfile`, for the CI recipe
 * "plan in the pull request, deploy on merge").
 *
 * It records what the plan was made from: the tool version, the params file (path and SHA-256),
 * the environment, region and account, and per stack its template number, a digest of its input
 * (template, parameters, tags, capabilities: {@link planInput}), the deployed stack's version
 * (StackId and last change time, or "absent") and the changes shown. deploy compares all of these
 * before it changes anything ({@link comparePlan}); then, before executing each stack's change set,
 * its changes with the planned ones ({@link changesDiffer}), since what CloudFormation computes can
 * move without any input moving (an SSM-typed parameter's value, a resolved dynamic reference).
 *
 * It never holds a secret: parameter values are not written, only the digest, and NoEcho values
 * are left out of it (a digest of a short secret can be guessed offline); a change of a NoEcho
 * value alone shows up in the stack's changes, not in its digest.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { ChangeSummary, ResourceChange, StackSpec } from '../deploy/types';
import type { PlanResult } from '../deploy/stack';
import { inputOf, versionOf } from '../deploy/planned';
import { noEchoParameters, parseTemplate } from '../deploy/template';
import { CliError } from '../cli/errors';
import { fieldName } from '../params/load';
import { ToolError, type Outcome } from '../errors';
import type { RunContext } from './context';

/** What marks a plan file as this tool's, and the shape's version (a newer shape is refused by name). */
export const PLAN_FORMAT = 'cfn-stages-plan';
export const PLAN_FORMAT_VERSION = 1;
/** Where the run's stacks stand: the account, the region and each stack of the run as deployed. */
export interface DeployedState {
  account: string;
  region: string;
  /** One per stack of the run, in its order; undefined where there is none. */
  stacks: (Stack | undefined)[];
}

/** Reads {@link DeployedState}, as `plan --out` writes it and `deploy --plan` checks it. */
export async function readDeployed(ctx: Pick<RunContext, 'clients' | 'stacks'>): Promise<DeployedState> {
  const [{ describeStack }, { mapLimit }] = await Promise.all([import('../deploy/cloudformation'), import('./plan')]);
  const [account, region, stacks] = await Promise.all([
    ctx.clients.accountId(),
    ctx.clients.region(),
    mapLimit(ctx.stacks, 8, (s) => describeStack(ctx.clients.cloudFormation, s.name)),
  ]);
  return { account, region, stacks };
}

/** The deployed version of a stack that does not exist. */
export const ABSENT = 'absent';

const change = z.object({
  action: z.enum(['Add', 'Modify', 'Remove', 'Import', 'Dynamic']),
  logicalId: z.string(),
  resourceType: z.string(),
  replacement: z.enum(['never', 'conditional', 'always']),
});

const stackSchema = z.object({
  name: z.string().min(1),
  template: z.string(),
  input: z.string().min(1),
  deployed: z.string().min(1),
  plan: z.object({
    kind: z.enum(['unchanged', 'changes', 'refused', 'not-plannable']),
    type: z.enum(['create', 'update']).optional(),
    changes: z.array(change).optional(),
  }),
});

const planSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  tool: z.string().min(1),
  createdAt: z.string(),
  params: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  environment: z.string().min(1),
  region: z.string().min(1),
  account: z.string(),
  only: z.array(z.string()).nullable(),
  stacks: z.array(stackSchema),
});

/** A plan file's content (see the file comment). */
export type PlanFile = z.infer<typeof planSchema>;
export type PlannedStackEntry = z.infer<typeof stackSchema>;
/** One planned change as the file keeps it: what is compared, nothing more. */
export type PlannedChange = z.infer<typeof change>;

/** SHA-256 (hex) of a file's bytes: the params file as planned. */
export function fileDigest(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** {@link inputOf} the spec with its NoEcho parameter values left out (see the file comment). */
export function planInput(spec: StackSpec): string {
  const secret = new Set(noEchoParameters(parseTemplate(spec.templateBody)));
  if (!secret.size) return inputOf(spec);
  const parameters = Object.fromEntries(Object.entries(spec.parameters).filter(([k]) => !secret.has(k)));
  return inputOf({ ...spec, parameters });
}

/** The deployed stack's version as the plan file keeps it. */
export function deployedVersion(stack: Stack | undefined): string {
  return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? versionOf(stack) : ABSENT;
}

function keptChange(c: ResourceChange): PlannedChange {
  return { action: c.action, logicalId: c.logicalId, resourceType: c.resourceType, replacement: c.replacement };
}

/** One stack's entry: its input, the version it was planned against, and the plan shown. */
export function stackEntry(spec: StackSpec, deployed: Stack | undefined, plan: PlanResult): PlannedStackEntry {
  return {
    name: spec.name,
    template: spec.templateId,
    input: planInput(spec),
    deployed: deployedVersion(deployed),
    plan:
      plan.kind === 'changes'
        ? { kind: 'changes', type: plan.plan.type, changes: plan.plan.changes.map(keptChange) }
        : { kind: plan.kind },
  };
}

/** Writes the plan file (private to the user: it names the account and the stacks). */
export function writePlanFile(file: string, plan: PlanFile): void {
  try {
    fs.writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600); // a file written over keeps its mode otherwise
  } catch (err) {
    throw CliError.usage(`--out ${file}: cannot write the plan file (${(err as Error).message})`);
  }
}

/**
 * A plan file deploy cannot use as it is (exit 2, before any AWS call): unreadable, not JSON, not
 * this tool's, of another format version, or a field missing or not valid (named in `problems`).
 */
export class PlanFileError extends ToolError<'PlanFileUnreadable' | 'PlanFileInvalid'> {
  constructor(
    code: 'PlanFileUnreadable' | 'PlanFileInvalid',
    file: string,
    what: string,
    readonly problems: { field: string; message: string }[] = [],
    hint = REPLAN,
  ) {
    super(code, `--plan ${file}: ${what}`, hint);
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}

/** The plan file at `file`, checked field by field: a {@link PlanFileError} naming the first bad field. */
export function readPlanFile(file: string): PlanFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new PlanFileError('PlanFileUnreadable', file, `cannot read it (${code})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PlanFileError('PlanFileInvalid', file, 'not a plan file (not JSON)');
  }
  const head = (doc ?? {}) as { format?: unknown; formatVersion?: unknown; tool?: unknown };
  if (head.format !== PLAN_FORMAT) {
    const message = `not a plan file of this tool (field "format" is not "${PLAN_FORMAT}")`;
    throw new PlanFileError('PlanFileInvalid', file, message, [{ field: 'format', message }]);
  }
  if (head.formatVersion !== PLAN_FORMAT_VERSION) {
    const message = `written in plan format ${String(head.formatVersion)} (by cfn-stages ${String(head.tool)}); this version reads format ${PLAN_FORMAT_VERSION}`;
    throw new PlanFileError(
      'PlanFileInvalid',
      file,
      message,
      [{ field: 'formatVersion', message }],
      `deploy it with the cfn-stages version that wrote it, or ${REPLAN}`,
    );
  }
  const parsed = planSchema.safeParse(doc);
  if (parsed.success) return parsed.data;
  const { path } = parsed.error.issues[0]!;
  const field = fieldName(path as (string | number)[]);
  const given = path.reduce<unknown>(
    (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey],
    doc,
  );
  const message = `field "${field}" is ${given === undefined ? 'missing' : 'not valid'}`;
  throw new PlanFileError('PlanFileInvalid', file, message, [{ field, message }]);
}

const REPLAN = 'make a new one with `provision plan --params FILE --out PLAN`, review it, then deploy it';

/** What deploy finds now, to hold against the plan file. */
export interface CurrentState {
  tool: string;
  /** The params file as given to this deploy, and the SHA-256 of its bytes. */
  paramsFile: string;
  paramsDigest: string;
  environment: string;
  region: string;
  account: string;
  stacks: { name: string; input: string; deployed: string }[];
}

/** One way the plan no longer stands: a field of the plan file, or a stack. */
export interface PlanProblem {
  /** The plan file's field (`tool`, `params`, `environment`, `region`, `account`), or absent for a stack. */
  field?: string;
  stack?: string;
  message: string;
}

/** A problem as one line of text: `stack: message`, or the message alone for a field. */
export function problemLine(p: PlanProblem): string {
  return p.stack ? `${p.stack}: ${p.message}` : p.message;
}

/**
 * Every way the plan no longer stands for what deploy would do now, each naming the field or the
 * stack; empty when it does. Pure: the caller reads the state.
 */
export function comparePlan(plan: PlanFile, now: CurrentState): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const field = (name: string, label: string, planned: string, current: string) => {
    if (planned !== current)
      problems.push({ field: name, message: `${label}: planned with ${planned}, now ${current}` });
  };
  field('tool', 'tool version', plan.tool, now.tool);
  if (plan.params.sha256 !== now.paramsDigest) problems.push({ field: 'params', message: paramsMoved(plan, now) });
  field('environment', 'environment', plan.environment, now.environment);
  field('region', 'region', plan.region, now.region);
  field('account', 'account', plan.account, now.account);
  const current = new Map(now.stacks.map((s) => [s.name, s]));
  for (const p of plan.stacks) {
    const s = current.get(p.name);
    if (!s) {
      problems.push({ stack: p.name, message: 'planned, but not part of this run' });
      continue;
    }
    if (p.input !== s.input)
      problems.push({ stack: p.name, message: "its template, parameters or tags differ from the plan's" });
    const moved = deployedMoved(p.deployed, s.deployed);
    if (moved) problems.push({ stack: p.name, message: moved });
  }
  const planned = new Set(plan.stacks.map((s) => s.name));
  for (const s of now.stacks)
    if (!planned.has(s.name)) problems.push({ stack: s.name, message: 'part of this run, not of the plan' });
  return problems;
}

/** The params file's content differs: the same file edited, or another file given. */
function paramsMoved(plan: PlanFile, now: CurrentState): string {
  if (path.resolve(plan.params.file) === path.resolve(now.paramsFile))
    return `params file ${plan.params.file}: changed since the plan`;
  return `params file: planned with ${plan.params.file}, now ${now.paramsFile}, whose content differs`;
}

/**
 * The plan file no longer stands for this deploy (exit 2, nothing changed): each problem names the
 * plan file's field or the stack, for `--json` too.
 */
export class PlanStaleError extends ToolError<'PlanStale'> {
  constructor(
    planFile: string,
    readonly problems: PlanProblem[],
    hint: string,
  ) {
    super(
      'PlanStale',
      `the plan in ${planFile} no longer stands for this deploy; nothing was changed:\n${problems.map((p) => `  ${problemLine(p)}`).join('\n')}`,
      hint,
    );
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}

/** How the deployed stack moved since the plan, or undefined when it did not. */
function deployedMoved(planned: string, now: string): string | undefined {
  if (planned === now) return undefined;
  if (planned === ABSENT)
    return 'created since the plan (by another run, or by a deploy of this plan that stopped part way: a plan file is used once)';
  if (now === ABSENT) return 'deleted since the plan';
  const id = (v: string) => v.slice(0, v.lastIndexOf('@'));
  if (id(planned) !== id(now)) return 'deleted and created again since the plan';
  return `changed since the plan (last change ${planned.slice(planned.lastIndexOf('@') + 1)}, now ${now.slice(now.lastIndexOf('@') + 1)})`;
}

const line = (c: PlannedChange) =>
  `${c.action} ${c.logicalId} ${c.resourceType}${c.replacement === 'never' ? '' : ` (replacement: ${c.replacement})`}`;

/**
 * How a change set's changes differ from the planned ones (one line each: `+` now there, `-` no
 * longer), or undefined when they are the same. A stack planned with no changes has none planned.
 */
export function changesDiffer(planned: PlannedStackEntry['plan'], actual: ChangeSummary): string | undefined {
  const want = new Set((planned.changes ?? []).map(line));
  const got = new Set(actual.changes.map((c) => line(keptChange(c))));
  const extra = [...got].filter((l) => !want.has(l)).map((l) => `+ ${l}`);
  const missing = [...want].filter((l) => !got.has(l)).map((l) => `- ${l}`);
  const kind =
    planned.type && planned.type !== actual.type ? [`planned a stack ${planned.type}, now a ${actual.type}`] : [];
  const all = [...kind, ...extra, ...missing];
  return all.length ? all.join('; ') : undefined;
}
