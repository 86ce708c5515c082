/** `provision release`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { appOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('release')
    .description("run another image tag: update only ImageTag of an app's service stack, then follow the ECS rollout")
    .addOption(paramsOption())
    .addOption(appOption())
    .option('--extra <suffix>', "release this extra service (its suffix) instead of the app's main service")
    .requiredOption('--version <tag>', "the image tag to run (it must be in the service's ECR repository)")
    .option('-y, --yes', 'release without asking (required without a terminal)')
    .option('--no-wait', 'return once the stack update is done, without waiting for ECS to report the service stable')
    .option('--timeout <minutes>', 'give up waiting after this long (the rollout itself goes on)', '15')
    .option('--poll-interval <seconds>', 'first poll interval while waiting (backs off to 10 s)')
    .addHelpText(
      'after',
      '\nEvery other parameter and the template stay as deployed (UsePreviousValue, UsePreviousTemplate).\nWhile it waits it shows running/desired/pending tasks and the rollout state; a failed rollout (or a\ncircuit-breaker rollback) shows why the new tasks stopped and the latest service events.\nExit codes: 0 released and stable, 1 the update or rollout failed or timed out, 2 refused (nothing changed: bad input,\nstack not deployed or busy, tag missing, another run holds the lock, "no" to the question), 130 interrupted.',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runRelease(opts, globalOptions(cmd)));
}
