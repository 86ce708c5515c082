/**
 * The options every command shares (`--profile`, `--region`, `--json`...): their type, their
 * definition on the root command, and how a command's action reads them. In a module of their own
 * so that the commands, output.ts and progress.ts can know them without importing the program
 * (src/cli/main.ts), which imports the commands.
 */
import { Command, Help, Option } from 'commander';

/** The root command's options as commander parses them. */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  json?: boolean;
  /** False with `--no-color`. */
  color?: boolean;
  verbose?: boolean;
  /** Seconds, as typed (checked where the AWS clients are built). */
  awsTimeout?: string;
}

/** The root's options in --help, with `-V, --version` (handled before commander: see asksVersion in main.ts). */
function withVersionFlag(cmd: Command): Option[] {
  const shown = new Help().visibleOptions(cmd);
  if (cmd.parent) return shown;
  return [new Option('-V, --version', "print the tool's version and the catalogue version it deploys"), ...shown];
}

/** Declares the global options on the root command. */
export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(
      new Option(
        '--profile <name>',
        'AWS profile from your shared config/credentials; wins over access keys in the environment (default: AWS_PROFILE, then the default chain)',
      ),
    )
    .addOption(new Option('--region <region>', 'AWS region (default: the params file, then AWS_REGION / your profile)'))
    .addOption(
      new Option(
        '--endpoint-url <url>',
        'send every AWS call to this endpoint (a local emulator); also AWS_ENDPOINT_URL',
      ),
    )
    .option('--json', 'machine-readable output on stdout: one JSON document, failures included (logs: one per event)')
    .option('--no-color', 'plain text without colours (also NO_COLOR=1)')
    .option('--verbose', 'more detail, including each AWS call that fails')
    .addOption(
      new Option(
        '--aws-timeout <seconds>',
        'give up on an AWS call attempt with no answer after this long (a call fails after 3 such attempts) (default: 30)',
      ),
    )
    .configureHelp({ visibleOptions: (cmd) => withVersionFlag(cmd) });
}

/**
 * The global options seen from any command of the tree: the root's own, never a command's option
 * of the same name (`init --region`, `synth --version` are the command's).
 */
export function globalOptions(cmd: Command): GlobalOptions {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/** The environment variables of static access keys that an explicit `--profile` overrides. */
export const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/**
 * A profile chosen explicitly beside access keys in the environment: the AWS CLI's rule is that
 * `--profile` wins over AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. The JS SDK uses a profile it is
 * given then too, but prints a nine-line warning of its own and says a future version may prefer
 * the keys. Here the choice decides, whatever the SDK version: the keys (and their session token)
 * are taken out of `env` (the process's, before any client is built), so neither the SDK nor a
 * program the CLI starts (the Session Manager plugin) can use them; the one line returned says so,
 * naming where the profile came from (`--profile`, or the params file's `profile:`, which the SDK
 * already preferred to the keys). Without a profile, or without keys, nothing changes and it
 * returns undefined. AWS_PROFILE alone is a default, which the SDK weighs as it always has.
 */
export function preferProfile(profile: string | undefined, from: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!profile || !(env.AWS_ACCESS_KEY_ID || env.AWS_SECRET_ACCESS_KEY)) return undefined;
  const set = ENV_KEYS.filter((k) => env[k] !== undefined);
  for (const k of set) delete env[k];
  const names = set.length > 1 ? `${set.slice(0, -1).join(', ')} and ${set[set.length - 1]}` : set.join('');
  return `using profile ${profile} (${from}); ${names} in the environment ${set.length === 1 ? 'is' : 'are'} ignored`;
}
