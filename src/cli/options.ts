/**
 * Flags that several commands take with the same meaning, defined once so that their wording and
 * short forms cannot drift apart between commands.
 */
import { Option } from 'commander';
import { CliError } from './errors';

/** `-p, --params <file>`: the environment's params file. */
export function paramsOption(description = "the environment's params file (YAML; see examples/)"): Option {
  return new Option('-p, --params <file>', description);
}

/** `--only <stage...>`: a subset of the environment's stacks. */
export function onlyOption(): Option {
  return new Option(
    '--only <stage...>',
    'only these stages (network, ecsCluster, service...), template numbers or stack names',
  );
}

/** `--app <name>`: one app of the params file. */
export function appOption(): Option {
  return new Option('--app <name>', 'the app (its name under apps: in the params file)');
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
