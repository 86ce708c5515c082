/** `provision status`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('status')
    .description('every stack of the environment: state, last change, drift, protection')
    .addOption(paramsOption())
    .addOption(onlyOption())
    .action(async (opts, cmd: Command) => (await import('./run')).runStatus(opts, globalOptions(cmd)));
}
