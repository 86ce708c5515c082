/**
 * The `provision` command line. `main()` returns an exit code and never calls process.exit, so
 * tests drive it in-process. Commands load their implementation (and the AWS SDK) lazily: `--help`
 * and `synth` never pay for the SDK.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 bad usage or input, 130 interrupted.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode } from './errors';
import { output, setColor } from './output';

export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
}

export function buildProgram(): Command {
  const program = new Command('provision')
    .description(
      'Stand up a production-grade AWS environment for containerised apps from numbered\n' +
        'CloudFormation templates, deployed stage by stage. Run with no command (in a terminal)\nfor the guided wizard.',
    )
    .addOption(new Option('--profile <name>', 'AWS profile from your shared config/credentials (default: AWS_PROFILE or the default chain)'))
    .addOption(new Option('--region <region>', 'AWS region (default: the params file, then AWS_REGION / your profile)'))
    .addOption(new Option('--endpoint-url <url>', 'send every AWS call to this endpoint (a local emulator); also AWS_ENDPOINT_URL'))
    .option('--json', 'machine-readable output on stdout')
    .option('--no-color', 'plain text without colours (also NO_COLOR=1)')
    .option('--verbose', 'more detail, including each AWS call that fails')
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

  const paramsOpt = () => new Option('-p, --params <file>', 'the environment\'s params file (YAML; see examples/)');
  const onlyOpt = () => new Option('--only <stage...>', 'only these stages (network, ecsCluster, service...), template numbers or stack names');

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
    .option('--concurrency <n>', 'stacks deployed at the same time (1-16)', '4')
    .option('--poll-interval <seconds>', 'first poll interval while waiting on CloudFormation (backs off to 10 s)')
    .addHelpText('after', '\nExit codes: 0 every stack done or unchanged, 1 a stack failed (its root cause is shown), 2 bad input, 130 interrupted.')
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
    .description('delete the environment\'s stacks in reverse order (data stores keep snapshots or are retained)')
    .addOption(paramsOpt())
    .option('-y, --yes', 'do not ask for the environment name to be typed')
    .addOption(onlyOpt())
    .option('--disable-termination-protection', 'turn termination protection off on protected stacks first')
    .action(async (opts) => (await import('../commands/destroy')).runDestroy(opts, program.opts<GlobalOptions>()));

  // ---- publish (registered below) ----
  // ---- wizard (registered below) ----
  // ---- config / release (registered below) ----

  return program;
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
  const program = buildProgram();
  program.hook('preAction', () => setColor(program.opts<GlobalOptions>()));
  if (argv.length === 0) {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      argv = ['wizard'];
    } else {
      process.stderr.write(program.helpInformation());
      process.stderr.write('\nprovision: no command given, and no terminal for the wizard (stdin/stdout are not a TTY).\n');
      return ExitCode.Usage;
    }
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? ExitCode.Ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    return output.failure(err instanceof CliError ? err : CliError.from(err), program.opts<GlobalOptions>());
  }
}
