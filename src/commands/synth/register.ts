/** `provision synth`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';

export function register(program: Command): void {
  program
    .command('synth')
    .description(
      "build every numbered template into published/<version>/: the checkout's own in a clone of cfn-stages, " +
        'else ./published/<version>/ in the working folder (or --out DIR)',
    )
    .option('--out <dir>', 'write the templates here instead of published/<version>/')
    .option('--version <version>', 'catalogue version folder to write (default: the package version)')
    .option('--check', 'write nothing; exit 1 if that published/<version>/ is out of date')
    .action(async (opts: { out?: string; version?: string; check?: boolean }, cmd: Command) =>
      (await import('./run')).runSynth(opts, globalOptions(cmd)),
    );
}
