/** `provision tunnel`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { appOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('tunnel')
    .description("forward a local port to an app's database or cache through a jump box (SSM Session Manager)")
    .addOption(paramsOption())
    .addOption(appOption())
    .option('--data <name>', 'the data store (its name under data: of the app): Postgres, DocumentDB or Redis')
    .option('--local-port <port>', "the local port (default: the data store's own port)")
    .option('--show', "also print the password (or Redis AUTH token) from the store's secret")
    .addHelpText(
      'after',
      "\nNeeds the environment's jump boxes (jumpboxes: in the params file) and AWS's Session Manager plugin\n" +
        '(session-manager-plugin) on PATH. Prints the local connection string, the user and where the password\n' +
        'is; the tunnel stays open until Ctrl-C.\n\n' +
        'Example:\n' +
        '  provision tunnel --params envs/dev.yaml --app acme --data main --local-port 15432',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runTunnel(opts, globalOptions(cmd)));
}
