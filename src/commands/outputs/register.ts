/** `provision outputs`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('outputs')
    .description('the outputs and exports of every deployed stack (--json for scripts)')
    .addOption(paramsOption())
    .addOption(onlyOption())
    .action(async (opts, cmd: Command) => (await import('./run')).runOutputs(opts, globalOptions(cmd)));
}
