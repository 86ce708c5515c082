/**
 * `provision destroy`: deletes the environment's stacks in reverse dependency order. It refuses
 * while a stack outside the set imports one of their exports, asks for the environment name to be
 * typed (unless --yes), and reports what CloudFormation kept: databases and caches leave a final
 * snapshot, buckets, queues, secrets, keys and repositories are retained, as their templates say.
 */
import { CliError, ExitCode } from '../cli/errors';
import type { GlobalOptions } from '../cli/main';
import { c, output } from '../cli/output';
import { Progress } from '../cli/progress';
import type { KeptResource } from '../deploy/destroy';
import { openContext, type RunContext } from './context';

/**
 * Databases are created with deletion protection on: CloudFormation would fail half-way through a
 * destroy on them. Refuse before deleting anything, and say how to switch it off on purpose.
 */
async function refuseProtectedData(ctx: RunContext): Promise<void> {
  const { describeStack, parametersOf } = await import('../deploy/cloudformation');
  const protectedStacks: string[] = [];
  for (const s of ctx.stacks) {
    const st = await describeStack(ctx.clients.cloudFormation, s.name);
    if (st && parametersOf(st).DeletionProtection === 'true') protectedStacks.push(s.name);
  }
  if (protectedStacks.length) {
    const where = protectedStacks.map((n) => {
      const s = ctx.stacks.find((x) => x.name === n)!;
      return `  ${n} (${s.app ? `apps[${s.app}] ` : ''}${s.stage}: deletionProtection)`;
    });
    throw new CliError(
      `${protectedStacks.length} stack${protectedStacks.length === 1 ? ' has' : 's have'} deletion protection on; nothing was deleted:\n${where.join('\n')}`,
      ExitCode.Failed,
      `to delete them on purpose: set deletionProtection: false for them in ${ctx.file}, run \`provision deploy\`, then destroy again (databases still leave a final snapshot)`,
    );
  }
}

/** Adds to each kept resource what a re-create does with it, and a database's final snapshot id. */
async function withRecreate<K extends KeptResource>(ctx: RunContext, kept: K[]): Promise<(K & { onRecreate: string; snapshot?: string })[]> {
  const [{ describeRecreate }, { newestFinalSnapshot }] = await Promise.all([import('../deploy/recreate'), import('../deploy/restore')]);
  return Promise.all(kept.map(async (k) => {
    const cluster = k.policy === 'Snapshot' && ['AWS::RDS::DBCluster', 'AWS::DocDB::DBCluster'].includes(k.resourceType) && k.physicalId;
    const snapshot = cluster ? await newestFinalSnapshot(ctx.clients, cluster.toLowerCase()) : undefined;
    return { ...k, onRecreate: describeRecreate(k), ...(snapshot ? { snapshot } : {}) };
  }));
}

export async function runDestroy(flags: { params?: string; yes?: boolean; only?: string[]; disableTerminationProtection?: boolean }, global: GlobalOptions): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !global.json;
  if (!flags.yes && !interactive) throw CliError.usage('destroy needs --yes when it cannot ask (no terminal, or --json)');
  const ctx = await openContext(flags.params, global, flags.only);
  const env = `${ctx.params.prefix}${ctx.params.environment}`;
  try {
    if (!flags.yes) {
      const { input } = await import('@inquirer/prompts');
      output.line(`This deletes ${ctx.stacks.length} stacks of ${c().bold(env)}:\n${ctx.stacks.map((s) => `  ${s.name}`).reverse().join('\n')}`);
      const typed = await input({ message: `Type the environment name (${ctx.params.environment}) to confirm:` });
      if (typed.trim() !== ctx.params.environment) throw new CliError('destroy cancelled: the name did not match', ExitCode.Usage);
    }
    await refuseProtectedData(ctx);
    const [{ destroyStacks }, { reverseOrder }] = await Promise.all([import('../deploy/destroy'), import('../deploy/graph')]);
    const inRun = new Set(ctx.stacks.map((s) => s.name));
    const nodes = ctx.stacks.map((s) => ({ name: s.name, templateId: s.templateId, dependsOn: s.dependsOn.filter((d) => inRun.has(d)) }));
    const ordered = reverseOrder(nodes);
    const progress = new Progress(ordered.map((n) => ({ ...n, dependsOn: [] })), { json: global.json, verb: 'destroy' });
    progress.start();
    let results;
    try {
      results = await destroyStacks(ctx.clients, ordered, {
        events: (e) => progress.event(e),
        ...(flags.disableTerminationProtection ? { disableTerminationProtection: true } : {}),
      });
      for (const r of results) progress.done(r.stackName, r);
    } finally {
      await progress.finish();
    }
    const kept = await withRecreate(ctx, results.flatMap((r) => (r.kind === 'deleted' ? r.kept.map((k) => ({ stack: r.stackName, ...k })) : [])));
    const ok = results.every((r) => r.kind === 'deleted' || r.kind === 'absent');
    if (global.json) {
      output.json({ ok, environment: env, stacks: results.map((r) => ({ name: r.stackName, result: r.kind })), kept });
    } else {
      output.line();
      output.line(`${ok ? c().green('✔') : c().red('✖')} ${results.filter((r) => r.kind === 'deleted').length} deleted, ${results.filter((r) => r.kind === 'absent').length} were not deployed`);
      if (kept.length) {
        output.line('Kept by their templates (delete them by hand once you are sure), and what a deploy of the same file does with them:');
        for (const k of kept) {
          const what = k.policy === 'Snapshot' ? `final snapshot ${k.snapshot ?? 'taken'}` : k.policy === 'skipped' ? 'left in place' : 'retained';
          output.line(`  ${k.stack}: ${k.logicalId} ${c().dim(k.resourceType)} ${k.physicalId ?? ''} — ${what}`);
          output.line(`    ${c().dim(`on re-create: ${k.onRecreate}`)}`);
        }
      }
    }
    if (!ok) process.exitCode = ExitCode.Failed;
  } finally {
    ctx.clients.destroy();
  }
}
