/**
 * Flags that several commands take with the same meaning, defined once so that their wording and
 * short forms cannot drift apart between commands.
 */
import { Option } from 'commander';
import { CliError } from './errors';

/** `-p, --params <file>`: the environment's params file (required unless a command says otherwise). */
export function paramsOption(description = "the environment's params file (YAML; see examples/); required"): Option {
  return new Option('-p, --params <file>', description);
}

/** `--only <stage...>`: a subset of the environment's stacks. */
export function onlyOption(): Option {
  return new Option(
    '--only <stage...>',
    'only these stages (network, ecsCluster, service...), template numbers or stack names (default: every stack the file plans)',
  );
}

/** `--app <name>`: one app of the params file. */
export function appOption(): Option {
  return new Option('--app <name>', 'the app (its name under apps: in the params file); required');
}

/**
 * The value of `--poll-interval <seconds>`: a number of seconds above 0 and at most 60, or
 * undefined when the flag was not given. Anything else (`abc`, `-1`, `0`) is a usage error naming
 * the flag and what it takes, before any AWS call.
 */
export function pollSeconds(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const seconds = Number(given);
  if (!(seconds > 0 && seconds <= 60))
    throw CliError.usage(`--poll-interval ${given}: give a number of seconds above 0, at most 60`);
  return seconds;
}

/** What each exit code means for one command. */
export interface ExitMeanings {
  ok: string;
  failed: string;
  refused: string;
}

/**
 * The exit-code rule as one help paragraph (`Exit codes: 0 ..., 1 ..., 2 ..., 130 ...`), each code
 * with what it means for the command. A command without a paragraph of its own gets the general
 * rule (see withExitCodes in main.ts); `130` is the same everywhere.
 */
export function exitCodesHelp(meaning: ExitMeanings, label = 'Exit codes'): string {
  const text = `${label}: 0 ${meaning.ok}, 1 ${meaning.failed}, 2 ${meaning.refused}, 130 interrupted (Ctrl-C).`;
  // Wrapped at 100 columns, as the other help paragraphs are written.
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= 100) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}
