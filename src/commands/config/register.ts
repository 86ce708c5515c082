/** `provision config get|set|edit|history|rollback`: declared here; the work (./run.ts) loads only when one runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { appOption, paramsOption } from '../../cli/options';

const EXTRA_HELP =
  "an extra service of the app: it reads the app's own secret, so this names the same secret (checked, for scripts)";

export function register(program: Command): void {
  const config = program
    .command('config')
    .description(
      "read and change an app's configuration secret (a JSON object in Secrets Manager, read by its services at start)",
    )
    .addHelpText(
      'after',
      '\nValues are masked unless you ask (get --show); changes are reported by key. Every change is a new secret\nversion, made only when something changes: `history` lists them, `rollback` restores one as a new version.',
    );
  const sub = (name: string, description: string): Command =>
    config
      .command(name)
      .description(description)
      .addOption(paramsOption())
      .addOption(appOption())
      .option('--extra <suffix>', EXTRA_HELP);
  const run = () => import('./run');
  sub('get', 'print the configuration document, values masked as **** (keys shown)')
    .option('--show', 'print the values too')
    .addHelpText('after', '\n--json prints the bare document (masked unless --show), e.g. for `jq`.')
    .action(async (opts, cmd: Command) => (await run()).runConfigGet(opts, globalOptions(cmd)));
  sub(
    'set',
    'set keys (KEY=VALUE, values as strings; KEY:=JSON for numbers, booleans, lists) and remove keys (--unset)',
  )
    .argument('[assignments...]', 'KEY=VALUE (a string) or KEY:=JSON (e.g. PORT:=3000, DEBUG:=true)')
    .option('--unset <key>', 'remove this key (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json-value', 'read every VALUE as JSON (as if written KEY:=VALUE)')
    .addHelpText(
      'after',
      '\nWrites a new version only when something changes, and prints the changed keys (never the values).\nExample: provision config set --params envs/dev.yaml --app acme LOG_LEVEL=debug WORKERS:=4 --unset OLD_FLAG',
    )
    .action(async (assignments: string[], opts, cmd: Command) =>
      (await run()).runConfigSet(assignments, opts, globalOptions(cmd)),
    );
  sub('edit', 'edit the document in $EDITOR (else $VISUAL, else vi); saved only if it is a JSON object and changed')
    .addHelpText(
      'after',
      '\nThe document is opened in a private temporary file (mode 0600) that is deleted afterwards. Invalid JSON\nis refused: in a terminal you may re-open the file or abort; without one, the command fails and writes nothing.',
    )
    .action(async (opts, cmd: Command) => (await run()).runConfigEdit(opts, globalOptions(cmd)));
  sub('history', "list the secret's versions: id, staging labels (AWSCURRENT is live), creation time").action(
    async (opts, cmd: Command) => (await run()).runConfigHistory(opts, globalOptions(cmd)),
  );
  sub('rollback', 'restore an earlier version (default: AWSPREVIOUS) by writing its value as a new current version')
    .option('--to <version-id>', 'the version to restore (see `config history`)')
    .addHelpText('after', '\nA rollback is itself a new version, so running rollback again undoes it.')
    .action(async (opts, cmd: Command) => (await run()).runConfigRollback(opts, globalOptions(cmd)));
}
