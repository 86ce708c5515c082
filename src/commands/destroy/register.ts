/** `provision destroy`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('destroy')
    .description("delete the environment's stacks in reverse order (data stores keep snapshots or are retained)")
    .addOption(paramsOption())
    .option('-y, --yes', 'do not ask for the environment name to be typed')
    .addOption(onlyOption())
    .option('--disable-termination-protection', 'turn termination protection off on protected stacks first')
    .option(
      '--delete-shared',
      'also delete the project stacks (ECR repositories) of this file; refused while any stack imports them',
    )
    .addHelpText(
      'after',
      '\nProject stacks (21.project-ecr-image-repo) are shared between environments: without --delete-shared they are\nkept, and the report says which stacks still import them.\nExit codes: 0 deleted, 1 a delete failed (its root cause is shown), 2 refused (nothing deleted: imports\nfrom outside, deletion protection, another run holds the lock, bad input), 130 interrupted.',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runDestroy(opts, globalOptions(cmd)));
}
