/** `provision unlock`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('unlock')
    .description("remove the environment's run lock left by a run that crashed (one run at a time per environment)")
    .addOption(paramsOption())
    .option('--force', 'remove it even though its holder still looks alive (its heartbeat is recent)')
    .addHelpText(
      'after',
      '\nA deploy, destroy, release or config change holds the lock (SSM parameter /cfn-stages/<prefix><env>/lock)\nwhile it runs and removes it when it ends. A crashed run leaves it; a lock whose heartbeat is older than\n5 minutes, or whose process is gone from this host, is removed without --force.',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runUnlock(opts, globalOptions(cmd)));
}
