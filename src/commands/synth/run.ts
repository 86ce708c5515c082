import * as path from 'node:path';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { staleFiles, synth } from '../../synth';

export async function runSynth(
  opts: { out?: string; version?: string; check?: boolean },
  global: GlobalOptions,
): Promise<void> {
  if (opts.check) {
    const stale = staleFiles(opts.version);
    const hint = 'run `provision synth` and commit the result';
    if (global.json) {
      // One document either way: the stale files and the fix, then the exit code.
      output.json(stale.length ? { ok: false, stale, error: 'published/ is out of date', hint } : { ok: true, stale });
      if (stale.length) process.exitCode = ExitCode.Failed;
      return;
    }
    if (stale.length) throw new CliError(`published/ is out of date: ${stale.join(', ')}`, ExitCode.Failed, hint);
    output.line('published/ is up to date');
    return;
  }
  const result = synth(opts);
  if (global.json) {
    output.json({ ok: true, dir: result.dir, files: result.files });
    return;
  }
  const rel = path.relative(process.cwd(), result.dir) || '.';
  for (const f of result.files) {
    output.line(
      `${c().green('✔')} ${path.join(rel, f.file)}  ${c().dim(`${f.resources} resource${f.resources === 1 ? '' : 's'}, ${(f.bytes / 1024).toFixed(1)} KiB`)}`,
    );
  }
  output.line(`${result.files.length} templates written to ${rel}`);
}
