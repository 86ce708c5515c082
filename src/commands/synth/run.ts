import * as path from 'node:path';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { defaultTarget, staleFiles, synth } from '../../synth';
import { isSourceCheckout } from '../../package';

/** A folder as the user should read it: relative to the working folder when inside it. */
function shown(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}

/** `synth --check`: compares the folder synth would write by default (see defaultTarget). */
function runCheck(version: string | undefined, global: GlobalOptions): void {
  const target = defaultTarget(version);
  const stale = staleFiles(target);
  const where = shown(target.dir);
  const hint = isSourceCheckout()
    ? 'run `provision synth` and commit the result'
    : `run \`provision synth\` here to write the catalogue to ${where}`;
  if (global.json) {
    // One document either way: the stale files and the fix, then the exit code.
    output.json(
      stale.length
        ? { ok: false, dir: target.dir, stale, error: `${where} is out of date`, hint }
        : { ok: true, dir: target.dir, stale },
    );
    if (stale.length) process.exitCode = ExitCode.Failed;
    return;
  }
  if (stale.length) throw new CliError(`${where} is out of date: ${stale.join(', ')}`, ExitCode.Failed, hint);
  output.line(`${where} is up to date`);
}

export async function runSynth(
  opts: { out?: string; version?: string; check?: boolean },
  global: GlobalOptions,
): Promise<void> {
  if (opts.check) return runCheck(opts.version, global);
  const result = synth(opts);
  if (global.json) {
    output.json({ ok: true, dir: result.dir, files: result.files });
    return;
  }
  const rel = shown(result.dir);
  for (const f of result.files) {
    output.line(
      `${c().green('✔')} ${path.join(rel, f.file)}  ${c().dim(`${f.resources} resource${f.resources === 1 ? '' : 's'}, ${(f.bytes / 1024).toFixed(1)} KiB`)}`,
    );
  }
  const note = opts.out || isSourceCheckout() ? '' : ' (in the working folder: the installed package is left as it is)';
  output.line(`${result.files.length} templates written to ${rel}${note}`);
}
