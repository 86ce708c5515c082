/**
 * The `provision` command line. `main()` returns an exit code and never calls process.exit, so
 * tests drive it in-process. Commands load their implementation (and the AWS SDK) lazily: `--help`
 * and `synth` never pay for the SDK.
 *
 * Exit codes (the rule is in ./errors.ts): 0 done, 1 failed, 2 refused (bad usage or input, or a
 * state to deal with first; nothing was changed), 130 interrupted.
 */
import { Argument, Command, CommanderError, Help, Option } from 'commander';
import { CliError, ExitCode } from './errors';
import { output, setColor } from './output';

export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  awsTimeout?: string;
}

/** The root's options in --help, with `-V, --version` (handled before commander: see asksVersion). */
function withVersionFlag(cmd: Command): Option[] {
  const shown = new Help().visibleOptions(cmd);
  if (cmd.parent) return shown;
  return [new Option('-V, --version', "print the tool's version and the catalogue version it deploys"), ...shown];
}

export function buildProgram(): Command {
  const program = new Command('provision')
    .description(
      'Stand up a production-grade AWS environment for containerised apps from numbered ' +
        'CloudFormation templates, deployed stage by stage. Run with no command (in a terminal) for the guided wizard.',
    )
    .addOption(
      new Option(
        '--profile <name>',
        'AWS profile from your shared config/credentials (default: AWS_PROFILE or the default chain)',
      ),
    )
    .addOption(new Option('--region <region>', 'AWS region (default: the params file, then AWS_REGION / your profile)'))
    .addOption(
      new Option(
        '--endpoint-url <url>',
        'send every AWS call to this endpoint (a local emulator); also AWS_ENDPOINT_URL',
      ),
    )
    .option('--json', 'machine-readable output on stdout')
    .option('--no-color', 'plain text without colours (also NO_COLOR=1)')
    .option('--verbose', 'more detail, including each AWS call that fails')
    .addOption(
      new Option(
        '--aws-timeout <seconds>',
        'give up on an AWS call attempt with no answer after this long (a call fails after 3 such attempts)',
      ).default(undefined, '30'),
    )
    .configureHelp({ visibleOptions: (cmd) => withVersionFlag(cmd) })
    .showHelpAfterError('(run `provision --help` for usage)')
    .exitOverride();

  program
    .command('synth')
    .description('build every numbered template into published/<version>/ (or --out DIR)')
    .option('--out <dir>', 'write the templates here instead of published/<version>/')
    .option('--version <version>', 'catalogue version folder to write (default: the package version)')
    .option('--check', 'write nothing; exit 1 if published/ is out of date')
    .action(async (opts: { out?: string; version?: string; check?: boolean }) => {
      const { runSynth } = await import('../commands/synth');
      return runSynth(opts, program.opts<GlobalOptions>());
    });

  const paramsOpt = () => new Option('-p, --params <file>', "the environment's params file (YAML; see examples/)");
  const onlyOpt = () =>
    new Option(
      '--only <stage...>',
      'only these stages (network, ecsCluster, service...), template numbers or stack names',
    );

  program
    .command('plan')
    .description('show the stacks in deploy order and what a deploy would change in each (changes nothing)')
    .addOption(paramsOpt())
    .addOption(onlyOpt())
    .action(async (opts) => (await import('../commands/plan')).runPlan(opts, program.opts<GlobalOptions>()));

  program
    .command('deploy')
    .description('create or update every stack, dependencies first, independent stacks in parallel')
    .addOption(paramsOpt())
    .option('-y, --yes', 'apply without asking (required without a terminal)')
    .addOption(onlyOpt())
    .option('--concurrency <n>', 'stacks deployed at the same time (1-16, default 16)')
    .option('--poll-interval <seconds>', 'first poll interval while waiting on CloudFormation (backs off to 5 s)')
    .option('--update-shared', 'change project stacks (ECR repositories) that other environments use, without asking')
    .addHelpText(
      'after',
      '\nExit codes: 0 every stack done or unchanged, 1 a stack failed (its root cause is shown), 2 refused (nothing changed:\nbad input, another run holds the lock, a shared stack would change under another environment), 130 interrupted.',
    )
    .action(async (opts) => (await import('../commands/deploy')).runDeploy(opts, program.opts<GlobalOptions>()));

  program
    .command('status')
    .description('every stack of the environment: state, last change, drift, protection')
    .addOption(paramsOpt())
    .addOption(onlyOpt())
    .action(async (opts) => (await import('../commands/status')).runStatus(opts, program.opts<GlobalOptions>()));

  program
    .command('outputs')
    .description('the outputs and exports of every deployed stack (--json for scripts)')
    .addOption(paramsOpt())
    .addOption(onlyOpt())
    .action(async (opts) => (await import('../commands/outputs')).runOutputs(opts, program.opts<GlobalOptions>()));

  program
    .command('destroy')
    .description("delete the environment's stacks in reverse order (data stores keep snapshots or are retained)")
    .addOption(paramsOpt())
    .option('-y, --yes', 'do not ask for the environment name to be typed')
    .addOption(onlyOpt())
    .option('--disable-termination-protection', 'turn termination protection off on protected stacks first')
    .option(
      '--delete-shared',
      'also delete the project stacks (ECR repositories) of this file; refused while any stack imports them',
    )
    .addHelpText(
      'after',
      '\nProject stacks (21.project-ecr-image-repo) are shared between environments: without --delete-shared they are\nkept, and the report says which stacks still import them.\nExit codes: 0 deleted, 1 a delete failed (its root cause is shown), 2 refused (nothing deleted: imports\nfrom outside, deletion protection, another run holds the lock, bad input), 130 interrupted.',
    )
    .action(async (opts) => (await import('../commands/destroy')).runDestroy(opts, program.opts<GlobalOptions>()));

  program
    .command('unlock')
    .description("remove the environment's run lock left by a run that crashed (one run at a time per environment)")
    .addOption(paramsOpt())
    .option('--force', 'remove it even though its holder still looks alive (its heartbeat is recent)')
    .addHelpText(
      'after',
      '\nA deploy, destroy, release or config change holds the lock (SSM parameter /cfn-stages/<prefix><env>/lock)\nwhile it runs and removes it when it ends. A crashed run leaves it; a lock whose heartbeat is older than\n5 minutes, or whose process is gone from this host, is removed without --force.',
    )
    .action(async (opts) => (await import('../commands/unlock')).runUnlock(opts, program.opts<GlobalOptions>()));

  // ---- publish (registered below) ----
  program
    .command('publish')
    .description('upload the numbered templates to S3 and print their URLs and console quick-create links')
    .requiredOption(
      '--bucket <name>',
      'S3 bucket to publish to (created if missing: private, SSE-S3 encrypted, versioned)',
    )
    .option('--version <version>', 'catalogue version: the published/<version>/ folder (default: the package version)')
    .option(
      '--key-prefix <prefix>',
      'where the files go in the bucket; {version} becomes the version',
      'cfn-stages/{version}/',
    )
    .option(
      '--public',
      "let ANYONE read the templates' prefix (only it: a bucket-policy s3:GetObject grant), e.g. to share links outside the account",
    )
    .addOption(
      new Option(
        '-p, --params <file>',
        'a params file: one quick-create link per stack it plans, stack name and parameters filled in',
      ),
    )
    .addHelpText(
      'after',
      '\nUploads every published/<version>/*.cf and params.schema.json to s3://BUCKET/<prefix> and prints, per\n' +
        'template, its URL and a CloudFormation console quick-create link (the stack name and form\n' +
        'left for you; with --params, one link per stack with its name and non-default parameters\n' +
        'filled in, never a NoEcho one). Re-running overwrites the same keys and skips unchanged files.\n' +
        "Without --public the templates are private: the links work for people of the bucket's account\n" +
        'who may read it.\n\n' +
        'Examples:\n' +
        '  provision publish --bucket acme-cfn-templates --region eu-west-1\n' +
        '  provision publish --bucket acme-cfn-templates --params envs/dev.yaml --json',
    )
    .action(async (opts) => (await import('../commands/publish')).runPublish(opts, program.opts<GlobalOptions>()));

  // ---- wizard (registered below) ----
  program
    .command('wizard', { hidden: true })
    .description('the guided wizard (what `provision` runs in a terminal): asks, saves a params file, plans, deploys')
    .addOption(
      new Option(
        '-p, --params <file>',
        'start from this params file: its answers are the defaults (and it is saved back)',
      ),
    )
    .addHelpText('after', '\nNeeds a terminal. Ctrl-C at any question leaves with nothing deployed (exit code 130).')
    .action(async (opts: { params?: string }) =>
      (await import('../commands/wizard')).runWizard(opts, program.opts<GlobalOptions>()),
    );
  // ---- config / release (registered below) ----
  {
    const appOpt = () => new Option('--app <name>', 'the app (its name under apps: in the params file)');
    const extraOpt = (what: string) => new Option('--extra <suffix>', what);
    const config = program
      .command('config')
      .description(
        "read and change an app's configuration secret (a JSON object in Secrets Manager, read by its services at start)",
      )
      .addHelpText(
        'after',
        '\nValues are masked unless you ask (get --show); changes are reported by key. Every change is a new secret\nversion, made only when something changes: `history` lists them, `rollback` restores one as a new version.',
      );
    const configCommand = (
      name: string,
      description: string,
      extraHelp = "an extra service of the app: it reads the app's own secret, so this names the same secret (checked, for scripts)",
    ) =>
      config
        .command(name)
        .description(description)
        .addOption(paramsOpt())
        .addOption(appOpt())
        .addOption(extraOpt(extraHelp));
    configCommand('get', 'print the configuration document, values masked as **** (keys shown)')
      .option('--show', 'print the values too')
      .addHelpText('after', '\n--json prints the bare document (masked unless --show), e.g. for `jq`.')
      .action(async (opts) => (await import('../commands/config')).runConfigGet(opts, program.opts<GlobalOptions>()));
    configCommand(
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
      .action(async (assignments: string[], opts) =>
        (await import('../commands/config')).runConfigSet(assignments, opts, program.opts<GlobalOptions>()),
      );
    configCommand(
      'edit',
      'edit the document in $EDITOR (else $VISUAL, else vi); saved only if it is a JSON object and changed',
    )
      .addHelpText(
        'after',
        '\nThe document is opened in a private temporary file (mode 0600) that is deleted afterwards. Invalid JSON\nis refused: in a terminal you may re-open the file or abort; without one, the command fails and writes nothing.',
      )
      .action(async (opts) => (await import('../commands/config')).runConfigEdit(opts, program.opts<GlobalOptions>()));
    configCommand(
      'history',
      "list the secret's versions: id, staging labels (AWSCURRENT is live), creation time",
    ).action(async (opts) =>
      (await import('../commands/config')).runConfigHistory(opts, program.opts<GlobalOptions>()),
    );
    configCommand(
      'rollback',
      'restore an earlier version (default: AWSPREVIOUS) by writing its value as a new current version',
    )
      .option('--to <version-id>', 'the version to restore (see `config history`)')
      .addHelpText('after', '\nA rollback is itself a new version, so running rollback again undoes it.')
      .action(async (opts) =>
        (await import('../commands/config')).runConfigRollback(opts, program.opts<GlobalOptions>()),
      );

    program
      .command('release')
      .description("run another image tag: update only ImageTag of an app's service stack, then follow the ECS rollout")
      .addOption(paramsOpt())
      .addOption(appOpt())
      .addOption(extraOpt("release this extra service (its suffix) instead of the app's main service"))
      .requiredOption('--version <tag>', "the image tag to run (it must be in the service's ECR repository)")
      .option('-y, --yes', 'release without asking (required without a terminal)')
      .option('--no-wait', 'return once the stack update is done, without waiting for ECS to report the service stable')
      .option('--timeout <minutes>', 'give up waiting after this long (the rollout itself goes on)', '15')
      .option('--poll-interval <seconds>', 'first poll interval while waiting (backs off to 10 s)')
      .addHelpText(
        'after',
        '\nEvery other parameter and the template stay as deployed (UsePreviousValue, UsePreviousTemplate).\nWhile it waits it shows running/desired/pending tasks and the rollout state; a failed rollout (or a\ncircuit-breaker rollback) shows why the new tasks stopped and the latest service events.\nExit codes: 0 released and stable, 1 the update or rollout failed or timed out, 2 refused (nothing changed: bad input,\nstack not deployed or busy, tag missing, another run holds the lock), 130 interrupted.',
      )
      .action(async (opts) => (await import('../commands/release')).runRelease(opts, program.opts<GlobalOptions>()));
  }

  registerOperate(program);
  registerSetup(program);
  return program;
}

/** Commands that reach a deployed app: its logs, a shell in a container, a tunnel to its data. */
function registerOperate(program: Command): void {
  const paramsOpt = () => new Option('-p, --params <file>', "the environment's params file (YAML; see examples/)");
  const appOpt = () => new Option('--app <name>', 'the app (its name under apps: in the params file)');
  program
    .command('logs')
    .description("an app's log events, newest last (time, task, message); --follow streams new ones until Ctrl-C")
    .addOption(paramsOpt())
    .addOption(appOpt())
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
    .action(async (opts) => (await import('../commands/logs')).runLogs(opts, program.opts<GlobalOptions>()));

  program
    .command('exec')
    .description("a shell (or one command) in a running container of an app's service, through ECS Exec")
    // The command is read from the operands (not a declared argument), which keeps the command
    // list's column as narrow as before; `--help` shows it in the usage line.
    .usage('[options] [-- command...]')
    .allowExcessArguments(true)
    .addOption(paramsOpt())
    .addOption(appOpt())
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
    .action(async (opts, cmd: Command) =>
      (await import('../commands/exec')).runExec(cmd.args, opts, program.opts<GlobalOptions>()),
    );

  program
    .command('tunnel')
    .description("forward a local port to an app's database or cache through a jump box (SSM Session Manager)")
    .addOption(paramsOpt())
    .addOption(appOpt())
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
    .action(async (opts) => (await import('../commands/tunnel')).runTunnel(opts, program.opts<GlobalOptions>()));
}

/** Commands that start a repository of the user's own and wire the shell to the tool. */
function registerSetup(program: Command): void {
  program
    .command('init')
    .description(
      'start your own infrastructure repository: write envs/<env>.yaml from an example, ready to edit and deploy',
    )
    .option('--env <name>', 'the environment name (1-10 lower-case letters and digits)', 'dev')
    .option('--prefix <prefix>', 'the prefix of every stack and export name (2-3 characters ending in a hyphen)', 'x-')
    .option(
      '--region <region>',
      'the AWS region the file deploys to',
      process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    )
    .addOption(
      new Option(
        '--example <name>',
        'the example to start from: small (one app on Fargate) or full (data stores, links, extras)',
      )
        .choices(['small', 'full'])
        .default('small'),
    )
    .option('--contact-email <email>', 'tags.contactEmail: who is told about the environment')
    .option('--dir <dir>', 'the repository folder (default: the current one)', '.')
    .option('--force', 'overwrite envs/<env>.yaml if it exists')
    .addHelpText(
      'after',
      "\nThe file's first line points editors at the installed package's JSON Schema, so fields complete and\n" +
        'are checked as you type. .gitignore gets node_modules/ when it lacks it. Nothing is deployed.\n\n' +
        'Example:\n  provision init --env dev --prefix ac- --region eu-west-1 --contact-email ops@acme.example',
    )
    .action(async (opts) => (await import('../commands/init')).runInit(opts, program.opts<GlobalOptions>()));

  program
    .command('completion')
    .description('print the shell completion script (commands, flags, --params files)')
    .addArgument(new Argument('[shell]', 'bash or zsh').choices(['bash', 'zsh']).default('bash'))
    .addHelpText(
      'after',
      "\nbash:  echo 'source <(provision completion bash)' >> ~/.bashrc\nzsh:   echo 'source <(provision completion zsh)' >> ~/.zshrc",
    )
    .action(async (shell: 'bash' | 'zsh') => {
      const { bashCompletion, zshCompletion } = await import('./completion');
      process.stdout.write((shell === 'zsh' ? zshCompletion : bashCompletion)(buildProgram()));
    });
}

/** Global options that take a value: skipped when looking for the command word. */
const VALUED_GLOBALS = new Set(['--profile', '--region', '--endpoint-url']);

/**
 * True when `--version`/`-V` comes before any command word. Handled outside commander because
 * `synth`, `publish` and `release` have a `--version <value>` of their own, which a program-level
 * version flag would swallow.
 */
export function asksVersion(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--version' || a === '-V') return true;
    if (VALUED_GLOBALS.has(a)) i++;
    else if (!a.startsWith('-')) return false;
  }
  return false;
}

function printVersion(json: boolean): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { catalogueVersion, packageRoot, toolVersion } = require('../package') as typeof import('../package');
  const v = { version: toolVersion(), catalogue: catalogueVersion(), node: process.version, path: packageRoot() };
  process.stdout.write(
    json
      ? `${JSON.stringify(v)}\n`
      : `provision ${v.version} (cfn-stages; catalogue ${v.catalogue}; Node.js ${v.node})\n`,
  );
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // The SDK warns once per process that Node 20 support ends; `engines` and the README say so instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `provision outputs | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  if (asksVersion(argv)) {
    printVersion(argv.includes('--json'));
    return ExitCode.Ok;
  }
  const program = buildProgram();
  program.hook('preAction', () => setColor(program.opts<GlobalOptions>()));
  if (argv.length === 0) {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      argv = ['wizard'];
    } else {
      process.stderr.write(program.helpInformation());
      process.stderr.write(
        '\nprovision: no command given, and no terminal for the wizard (stdin/stdout are not a TTY).\n',
      );
      return ExitCode.Usage;
    }
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? ExitCode.Ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.Ok;
      // Help shown because something was missing (e.g. `provision config` without a subcommand).
      if (err.code === 'commander.help') return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return ExitCode.Usage;
    }
    return output.failure(err instanceof CliError ? err : CliError.from(err), program.opts<GlobalOptions>());
  }
}
