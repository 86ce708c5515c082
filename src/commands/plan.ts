/**
 * `provision plan`: the stacks of the environment in deploy order with what each depends on, and
 * per stack what a deploy would change (add / modify / remove, replacements flagged). Changes
 * nothing: existing stacks get a change set that is read and deleted.
 */
import type { GlobalOptions } from '../cli/main';
import { c, output } from '../cli/output';
import { changeLine, summariseChanges } from '../cli/progress';
import type { PreflightReport } from '../deploy/preflight';
import type { PlanResult } from '../deploy/stack';
import type { ExportChange } from '../deploy/exports';
import type { EngineError } from '../deploy/errors';
import { openContext, toSpec, type RunContext } from './context';
import { missingImports } from './deploy';
import { imageNeeds, missingImages, pushInstructionsFor, waitingNote } from '../ops/images';

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

/** The account preflight as plan shows it: roles deploy will create, quotas it would exceed. */
function preflightLines(report: PreflightReport): void {
  const counted = report.quotas.filter((q) => q.adds > 0);
  if (!report.missingRoles.length && !counted.length && !report.rolesUnchecked) return;
  output.line();
  output.line(c().bold('Account preflight:'));
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
}

function refusalLines(err: EngineError): void {
  output.line(`  ${c().red(c().bold('REFUSED'))} ${c().red(err.message)}`);
  if (err.hint) output.line(`  ${c().dim(`way out: ${err.hint}`)}`);
}

/** Each export the update changes or removes, who imports it, and what deploy will do about it. */
export function exportLines(changes: ExportChange[], inRun: Set<string>): string[] {
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

/** A plan result for --json: errors as their message and hint. */
function planJson(p: PlanResult): unknown {
  const err = (e: EngineError) => ({ code: e.code, message: e.message, hint: e.hint });
  if (p.kind === 'refused') return { kind: p.kind, stackName: p.stackName, error: err(p.error) };
  if (p.kind === 'changes' && p.refused) return { ...p, refused: err(p.refused) };
  return p;
}

export async function runPlan(flags: { params?: string; only?: string[] }, global: GlobalOptions): Promise<void> {
  const ctx = await openContext(flags.params, global, flags.only);
  try {
    const [{ planStack }, { lazyArtifactBucket }] = await Promise.all([
      import('../deploy/stack'),
      import('../deploy/artifacts'),
    ]);
    const inRun = new Set(ctx.stacks.map((s) => s.name));
    // A template still over the inline limit goes through the same bucket as in deploy.
    const artifactBucket = lazyArtifactBucket(ctx.clients);
    const plans: PlanResult[] = await mapLimit(ctx.stacks, 4, (s) =>
      planStack(ctx.clients, toSpec(s, inRun), { artifactBucket }),
    );
    const missing = await missingImports(ctx.clients, ctx);
    const images = await missingImages(ctx.clients.ecr, imageNeeds(ctx.stacks));
    const { sharedChanges, describeSharedChanges } = await import('./shared');
    const shared = await sharedChanges(ctx);
    const { preflight } = await import('../deploy/preflight');
    const account = await preflight(
      ctx.clients,
      ctx.stacks.map((s) => toSpec(s, inRun)),
    );
    if (global.json) {
      output.json({
        environment: `${ctx.params.prefix}${ctx.params.environment}`,
        stacks: ctx.stacks.map((s, i) => ({
          name: s.name,
          template: s.templateId,
          dependsOn: s.dependsOn,
          plan: planJson(plans[i]!),
        })),
        missingImports: missing,
        missingImages: images.map((m) => ({
          stack: m.stack,
          repository: m.repository,
          tag: m.tag,
          repositoryExists: m.state === 'no-tag',
        })),
        sharedChanges: shared,
        preflight: account,
      });
      return;
    }
    const pushes = images.length ? await pushInstructionsFor(ctx.clients.ecr, await ctx.clients.region(), images) : [];
    output.line(
      `${c().bold(`Plan for ${ctx.params.prefix}${ctx.params.environment}`)} (${ctx.params.region}), ${ctx.stacks.length} stacks in deploy order:`,
    );
    ctx.stacks.forEach((s, i) => {
      const p = plans[i]!;
      const deps = s.dependsOn.length ? c().dim(` after ${s.dependsOn.join(', ')}`) : '';
      output.line();
      output.line(`${c().bold(s.name)} ${c().dim(s.templateId)}${deps}`);
      if (p.kind === 'unchanged') output.line(`  ${c().dim('no changes')}`);
      else if (p.kind === 'not-plannable') output.line(`  ${c().yellow(`cannot plan now: ${p.reason}`)}`);
      else if (p.kind === 'refused') refusalLines(p.error);
      else {
        output.line(
          `  ${p.plan.type === 'create' ? 'new stack' : 'update'}: ${summariseChanges(p.plan)}${p.deletesFailedStack ? c().yellow(` (first deletes the failed stack, ${p.deletesFailedStack})`) : ''}`,
        );
        const store = p.store ?? 'database';
        if (p.restoresFrom) output.line(`  ${c().cyan(`the ${store} is created from snapshot ${p.restoresFrom}`)}`);
        if (p.noSnapshotOf)
          output.line(
            `  ${c().dim(`restoreFrom: latest: no final snapshot of ${p.noSnapshotOf} yet, the ${store} starts empty`)}`,
          );
        for (const ch of p.plan.changes) output.line(`    ${changeLine(ch)}`);
        if (p.refused) refusalLines(p.refused);
        for (const line of exportLines(p.exports ?? [], inRun)) output.line(`  ${line}`);
      }
      for (const m of images.filter((x) => x.stack === s.name)) output.line(`  ${c().yellow(waitingNote(m, pushes))}`);
      if (s.stage === 'certificate' && p.kind === 'changes' && p.plan.type === 'create') certificateNote(ctx);
    });
    for (const m of missing) output.warn(`${m.stack} imports ${m.exportName}, which nothing exports yet`);
    if (shared.length) {
      output.line();
      for (const line of describeSharedChanges(shared)) output.line(c().yellow(line));
      output.line(c().yellow('deploy asks before changing them (with --yes it refuses unless --update-shared)'));
    }
    preflightLines(account);
    const changing = plans.filter((p) => p.kind === 'changes').length;
    const refused = plans.filter((p) => p.kind === 'refused' || (p.kind === 'changes' && p.refused)).length;
    if (refused)
      output.warn(
        `${refused} stack${refused === 1 ? '' : 's'} cannot take ${refused === 1 ? 'its' : 'their'} change: deploy will refuse before changing anything (see above)`,
      );
    output.line();
    output.line(
      `${changing} of ${plans.length} stacks would change. Apply with: provision deploy --params ${ctx.file}`,
    );
  } finally {
    ctx.clients.destroy();
  }
}

/** A new certificate waits for its domain's delegation (see src/deploy/delegation.ts). */
function certificateNote(ctx: RunContext): void {
  const domain = ctx.all.find((z) => z.stage === 'domain')?.parameters.DomainName;
  output.line(`  ${c().yellow(`created once ${domain} is delegated to its hosted zone (deploy asks DNS first)`)}`);
}
