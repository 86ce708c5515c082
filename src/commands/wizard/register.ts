/**
 * `provision wizard` (what `provision` with no command runs in a terminal, see main.ts): declared
 * here; the wizard (./run.ts) loads only when it runs.
 */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('wizard', { hidden: true })
    .description('the guided wizard (what `provision` runs in a terminal): asks, saves a params file, plans, deploys')
    .addOption(paramsOption('start from this params file: its answers are the defaults (and it is saved back)'))
    .addHelpText('after', '\nNeeds a terminal. Ctrl-C at any question leaves with nothing deployed (exit code 130).')
    .action(async (opts: { params?: string }, cmd: Command) =>
      (await import('./run')).runWizard(opts, globalOptions(cmd)),
    );
}
