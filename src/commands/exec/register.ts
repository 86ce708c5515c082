/** `provision exec`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { appOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('exec')
    .description("a shell (or one command) in a running container of an app's service, through ECS Exec")
    // The command is read from the operands (not a declared argument), which keeps the command
    // list's column as narrow as before; `--help` shows it in the usage line.
    .usage('[options] [-- command...]')
    .allowExcessArguments(true)
    .addOption(paramsOption())
    .addOption(appOption())
    .option('--extra <suffix>', 'a container of this extra service instead of the main service')
    .option('--task <id>', 'this task (id or ARN) instead of the first running one')
    .addHelpText(
      'after',
      "\nNeeds AWS's Session Manager plugin (session-manager-plugin) on PATH, and ECS Exec on for the service:\n" +
        'enableExecuteCommand: true and readonlyRootFilesystem: false in its params-file section (off by\n' +
        'default; see the README, "Operating an app"). Sessions are logged to the app\'s log group.\n' +
        'The command after -- runs instead of /bin/sh (words joined by spaces; no shell unless you run one).\n\n' +
        'Examples:\n' +
        '  provision exec --params envs/dev.yaml --app acme\n' +
        '  provision exec --params envs/dev.yaml --app acme --extra api2 -- cat /etc/os-release',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runExec(cmd.args, opts, globalOptions(cmd)));
}
