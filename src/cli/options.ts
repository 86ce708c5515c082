/**
 * Flags that several commands take with the same meaning, defined once so that their wording and
 * short forms cannot drift apart between commands.
 */
import { Option } from 'commander';

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
