/** `provision outputs`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { exitCodesHelp, onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('outputs')
    .description('the outputs and exports of every deployed stack (--json for scripts)')
    .addOption(paramsOption())
    .addOption(onlyOption())
    .addHelpText(
      'after',
      `\n${exitCodesHelp({
        ok: 'shown (stacks not deployed yet are left out)',
        failed: 'an AWS call failed',
        refused: 'bad input (params file, --only)',
      })}`,
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runOutputs(opts, globalOptions(cmd)));
}
