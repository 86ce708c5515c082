/** `provision logs`: declared here; the work (./run.ts) loads only when it runs. */
import { Option, type Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { appOption, paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('logs')
    .description("an app's log events, newest last (time, task, message); --follow streams new ones until Ctrl-C")
    .addOption(paramsOption())
    .addOption(appOption())
    .option('--extra <suffix>', 'an extra service of the app instead of its main service')
    .option('--data <name>', "a data store's logs instead (Postgres, DocumentDB, Redis slow log)")
    .option('--since <time>', 'from this long ago (30s, 15m, 2h, 3d) or this date (ISO 8601)', '1h')
    .option('--filter <text>', 'only events whose message contains this text')
    .option('-f, --follow', 'keep printing new events (CloudWatch Logs Live Tail, else polling) until Ctrl-C')
    .option('--limit <n>', 'print at most this many of the newest events before following', '1000')
    .addOption(
      new Option('--poll-interval <seconds>', 'seconds between polls when Live Tail is not available')
        .default('2')
        .hideHelp(),
    )
    .addHelpText(
      'after',
      '\nWithout a terminal (or with --no-color) lines are plain; --json prints one JSON object per event.\n' +
        'Exit codes: 0 done, 1 an AWS call failed, 2 bad input or a stage not deployed, 130 Ctrl-C while following.\n\n' +
        'Examples:\n' +
        '  provision logs --params envs/dev.yaml --app acme --since 15m --filter ERROR\n' +
        '  provision logs --params envs/dev.yaml --app acme --extra api2 --follow\n' +
        '  provision logs --params envs/dev.yaml --app acme --data main --since 1d',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runLogs(opts, globalOptions(cmd)));
}
