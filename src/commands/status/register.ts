/** `provision status`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { exitCodesHelp, onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('status')
    .description(
      "every stack of the environment (state, last change, drift, protection), each service's tasks and targets, each app's alarms, and the stacks the file no longer plans",
    )
    .addOption(paramsOption())
    .addOption(onlyOption())
    .addHelpText(
      'after',
      `\n${exitCodesHelp({
        ok: 'shown, whatever state the stacks are in (a FAILED or ROLLBACK stack is reported, not an error)',
        failed: 'an AWS call failed',
        refused: 'bad input (params file, --only)',
      })}`,
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runStatus(opts, globalOptions(cmd)));
}
