/** `provision plan`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('plan')
    .description('show the stacks in deploy order and what a deploy would change in each (changes nothing)')
    .addOption(paramsOption())
    .addOption(onlyOption())
    .option(
      '--out <file>',
      'also write the plan to this file (JSON, no secrets), for `provision deploy --plan <file>` to deploy exactly it',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runPlan(opts, globalOptions(cmd)));
}
