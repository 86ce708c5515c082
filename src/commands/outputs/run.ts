/**
 * `provision outputs`: each deployed stack's outputs, and the exports other stages import. Outputs
 * hold names, ARNs and URLs only (credentials live in Secrets Manager and are never outputs).
 */
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { table } from '../../cli/table';
import { appUrls, HTTP_ONLY_NOTE } from '../../ops/app-url';
import { openContext } from '../../run/context';
import { AlarmOutputs, confirmationNote } from '../../../templates/alarms/outputs';

export async function runOutputs(flags: { params?: string; only?: string[] }, global: GlobalOptions): Promise<void> {
  const ctx = await openContext(flags.params, global, flags.only);
  try {
    const { describeStack } = await import('../../deploy/cloudformation');
    // A read per stack, all at once: unlike a listing, their number does not grow with the account's stacks.
    const stacks = await Promise.all(ctx.stacks.map((s) => describeStack(ctx.clients.cloudFormation, s.name)));
    const result: Record<string, { outputs: Record<string, string>; exports: Record<string, string> }> = {};
    const rowsOf: Record<string, string[][]> = {};
    for (const [i, s] of ctx.stacks.entries()) {
      const st = stacks[i];
      if (!st) continue;
      const outputs: Record<string, string> = {};
      const exports: Record<string, string> = {};
      for (const o of st.Outputs ?? []) {
        if (!o.OutputKey) continue;
        outputs[o.OutputKey] = o.OutputValue ?? '';
        if (o.ExportName) exports[o.ExportName] = o.OutputValue ?? '';
        (rowsOf[s.name] ??= []).push([
          `  ${o.OutputKey}`,
          o.OutputValue ?? '',
          o.ExportName ? c().dim(`export ${o.ExportName}`) : '',
        ]);
      }
      result[s.name] = { outputs, exports };
    }
    if (global.json) {
      output.json(result);
      return;
    }
    if (!Object.keys(result).length) output.line(c().dim('no stack of this environment is deployed yet'));
    for (const name of Object.keys(result)) {
      output.line(c().bold(name));
      output.line(rowsOf[name]?.length ? table(rowsOf[name]!) : c().dim('  (no outputs)'));
      const email = result[name]!.outputs[AlarmOutputs.email];
      if (email) output.line(c().dim(`  ${confirmationNote(email)}`));
    }
    const urls = appUrls(ctx.stacks, Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.outputs])));
    if (urls.length) output.line();
    for (const u of urls)
      output.line(`${c().bold(u.app)}: ${u.url}${u.httpOnly ? c().yellow(`  (${HTTP_ONLY_NOTE})`) : ''}`);
  } finally {
    ctx.clients.destroy();
  }
}
