/** `provision deploy`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { onlyOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('deploy')
    .description('create or update every stack, dependencies first, independent stacks in parallel')
    .addOption(paramsOption())
    .option('-y, --yes', 'apply without asking (required without a terminal)')
    .addOption(onlyOption())
    .option('--concurrency <n>', 'stacks deployed at the same time (1-16, default 16)')
    .option(
      '--poll-interval <seconds>',
      'first poll interval while waiting on CloudFormation (default 0.25; backs off to 5 s)',
    )
    .option(
      '--plan <file>',
      'deploy exactly the plan `provision plan --out <file>` wrote (implies --yes): refused when anything it was made from changed',
    )
    .option('--update-shared', 'change project stacks (ECR repositories) that other environments use, without asking')
    .addHelpText(
      'after',
      '\nExit codes: 0 every stack done or unchanged, 1 a stack failed (its root cause is shown), 2 refused (nothing changed:\nbad input, another run holds the lock, a shared stack would change under another environment, a --plan file\nthat no longer stands for the deploy), 130 interrupted. With --plan, a stack whose change set differs from the planned\nchanges is not executed and the run stops there (exit 1).',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runDeploy(opts, globalOptions(cmd)));
}
