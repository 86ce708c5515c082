/**
 * What a deploy would do, stack by stack, as `provision plan` and the wizard show it: every stack in
 * deploy order with what it waits for, and per stack what would change (add / modify / remove,
 * replacements flagged), what CloudFormation would refuse, the exports that would move and the
 * images still missing. Changes nothing: existing stacks get a change set that is read and deleted.
 */
import type { PlannedStack } from '../../stages/plan';
import { c, output } from '../cli/output';
import { changeLine, summariseChanges } from '../cli/progress';
import type { PreflightReport } from '../deploy/preflight';
import { describeElsewhere, describeNamesake } from '../deploy/namesakes';
import { describeOffering } from '../deploy/offerings';
import type { PlanResult } from '../deploy/stack';
import type { ExportChange } from '../deploy/exports';
import type { EngineError } from '../deploy/errors';
import type { MissingImage, PushInstructions } from '../ops/images';
import { environmentOf, toSpec, type RunContext } from './context';

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** The account preflight as plan shows it: roles deploy will create, quotas it would exceed, sizes not offered. */
export function preflightLines(report: PreflightReport): void {
  const counted = report.quotas.filter((q) => q.adds > 0);
  const notes = [...report.namesakes.map(describeNamesake), ...report.elsewhere.map(describeElsewhere)];
  const sized = report.offerings;
  if (!report.missingRoles.length && !counted.length && !report.rolesUnchecked && !notes.length && !sized.length)
    return;
  output.line();
  output.line(c().bold('Account preflight:'));
  for (const note of notes) output.line(c().yellow(`  ! ${note}`));
  for (const role of report.missingRoles)
    output.line(`  deploy creates the service-linked role of ${role} first (missing in this account)`);
  if (report.rolesUnchecked) output.line(c().yellow(`  service-linked roles not checked (${report.rolesUnchecked})`));
  for (const q of counted) {
    if (q.unchecked) {
      output.line(c().yellow(`  ${q.name}: not checked (${q.unchecked})`));
      continue;
    }
    const line = `${q.name}: ${q.inUse} in use + ${q.adds} from ${q.stacks.join(', ')}, limit ${q.limit} (${q.limitSource === 'aws-default' ? 'AWS default' : 'Service Quotas'})`;
    if (q.exceeded) output.line(`  ${c().red(`✖ ${line}: EXCEEDED, deploy will refuse`)}\n    fix: ${q.fix}`);
    else output.line(`  ✔ ${line}`);
  }
  for (const o of sized) {
    if (o.unchecked) output.line(c().yellow(`  ${describeOffering(o)}`));
    else if (o.offered) output.line(`  ✔ ${describeOffering(o)}`);
    else output.line(`  ${c().red(`✖ ${describeOffering(o)}: deploy will refuse`)}`);
  }
}

/** A refusal as deploy will give it: the message, the params-file fields behind it, the way out. */
function refusalLines(err: EngineError, where: (err: EngineError) => string | undefined): string[] {
  const lines = [`  ${c().red(c().bold('REFUSED'))} ${c().red(err.message)}`];
  const fields = where(err);
  if (fields) lines.push(`  ${fields}`);
  if (err.hint) lines.push(`  ${c().dim(`way out: ${err.hint}`)}`);
  return lines;
}

/** Each export the update changes or removes, who imports it, and what deploy will do about it. */
function exportLines(changes: ExportChange[], inRun: Set<string>): string[] {
  return changes.map((e) => {
    const what = `export ${e.exportName} would be ${e.kind === 'changed' ? 'changed' : 'removed'}`;
    if (!e.importers.length) return c().dim(`${what}; no stack imports it`);
    const outside = e.importers.filter((i) => !inRun.has(i));
    const next = outside.length
      ? c().red(
          `deploy stops before changing anything while ${outside.join(', ')} (outside this run) import${outside.length === 1 ? 's' : ''} it`,
        )
      : e.kind === 'changed'
        ? 'deploy first points them at its current value, then updates this stack, then moves them to the new value'
        : 'deploy keeps it until they have moved off it, then removes it';
    return `${c().yellow(what)}: imported by ${e.importers.join(', ')}; ${next}`;
  });
}

/** The plan of every stack of the run, and the service images it still lacks. */
export interface EnvironmentPlan {
  /** One per stack of the run, in the same order. */
  plans: PlanResult[];
  images: MissingImage[];
  /** How to push each missing image (empty when none is missing). */
  pushes: PushInstructions[];
}

/** Plans every stack of the run (four at a time) and finds the images its services still lack. */
export async function planRun(ctx: RunContext): Promise<EnvironmentPlan> {
  const [{ planStack }, { lazyArtifactBucket }, { imageNeeds, missingImages, pushInstructionsFor }] = await Promise.all(
    [import('../deploy/stack'), import('../deploy/artifacts'), import('../ops/images')],
  );
  const inRun = new Set(ctx.stacks.map((s) => s.name));
  // A template still over the inline limit goes through the same bucket as in deploy.
  const artifactBucket = lazyArtifactBucket(ctx.clients);
  // The images are looked up beside the plans, not after them.
  const imagesRead = missingImages(ctx.clients.ecr, imageNeeds(ctx.stacks));
  imagesRead.catch(() => undefined); // awaited below, unless planning fails first
  const plans = await mapLimit(ctx.stacks, 4, (s) => planStack(ctx.clients, toSpec(s, inRun), { artifactBucket }));
  const images = await imagesRead;
  const pushes = images.length ? await pushInstructionsFor(ctx.clients.ecr, await ctx.clients.region(), images) : [];
  return { plans, images, pushes };
}

/** How a plan is printed: `provision plan` in full, the wizard briefer (see printPlan). */
export interface PlanView {
  /** Before each stack's heading (its lines are indented two more). */
  indent: string;
  /** A blank line between stacks. */
  spaced: boolean;
  /** List each resource of a new stack (the wizard gives the count only). */
  listCreates: boolean;
  /** What happens to a service whose image is missing. */
  waiting?: string;
}

/** The plan for people: a heading, then each stack and what a deploy would do to it. */
export async function printPlan(ctx: RunContext, env: EnvironmentPlan, view: PlanView): Promise<void> {
  const [{ waitingNote }, { fieldsOf }] = await Promise.all([import('../ops/images'), import('./refused')]);
  const where = (err: EngineError) => fieldsOf(ctx, err).where;
  const inRun = new Set(ctx.stacks.map((s) => s.name));
  output.line(
    `${c().bold(`Plan for ${environmentOf(ctx)}`)} (${await ctx.clients.region()}), ${ctx.stacks.length} stacks in deploy order:`,
  );
  ctx.stacks.forEach((s, i) => {
    if (view.spaced) output.line();
    const lines = stackLines(s, env.plans[i]!, inRun, view, where);
    for (const m of env.images.filter((x) => x.stack === s.name))
      lines.push(`  ${c().yellow(waitingNote(m, env.pushes, view.waiting))}`);
    const p = env.plans[i]!;
    if (s.stage === 'certificate' && p.kind === 'changes' && p.plan.type === 'create') lines.push(certificateNote(ctx));
    for (const line of lines) output.line(`${view.indent}${line}`);
  });
}

/** A new certificate waits for its domain's delegation (see src/deploy/delegation.ts). */
function certificateNote(ctx: RunContext): string {
  const domain = ctx.all.find((z) => z.stage === 'domain')?.parameters.DomainName;
  return `  ${c().yellow(`created once ${domain} is delegated to its hosted zone (deploy asks DNS first)`)}`;
}

/** One stack's heading and what a deploy would do to it. */
function stackLines(
  s: PlannedStack,
  p: PlanResult,
  inRun: Set<string>,
  view: PlanView,
  where: (err: EngineError) => string | undefined,
): string[] {
  const deps = s.dependsOn.length ? c().dim(` after ${s.dependsOn.join(', ')}`) : '';
  const lines = [`${c().bold(s.name)} ${c().dim(s.templateId)}${deps}`];
  if (p.kind === 'unchanged') return [...lines, `  ${c().dim('no changes')}`];
  if (p.kind === 'not-plannable') return [...lines, `  ${c().yellow(`cannot plan now: ${p.reason}`)}`];
  if (p.kind === 'refused') return [...lines, ...refusalLines(p.error, where)];
  lines.push(
    `  ${p.plan.type === 'create' ? 'new stack' : 'update'}: ${summariseChanges(p.plan)}${p.deletesFailedStack ? c().yellow(` (first deletes the failed stack, ${p.deletesFailedStack})`) : ''}`,
  );
  const store = p.store ?? 'database';
  if (p.restoresFrom) lines.push(`  ${c().cyan(`the ${store} is created from snapshot ${p.restoresFrom}`)}`);
  if (p.noSnapshotOf)
    lines.push(
      `  ${c().dim(`restoreFrom: latest: no final snapshot of ${p.noSnapshotOf} yet, the ${store} starts empty`)}`,
    );
  if (view.listCreates || p.plan.type === 'update')
    for (const ch of p.plan.changes) lines.push(`    ${changeLine(ch)}`);
  if (p.refused) lines.push(...refusalLines(p.refused, where));
  for (const line of exportLines(p.exports ?? [], inRun)) lines.push(`  ${line}`);
  return lines;
}
