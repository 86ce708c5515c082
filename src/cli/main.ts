/**
 * The `provision` command line. `main()` returns an exit code and never calls process.exit, so
 * tests drive it in-process. Commands load their implementation (and the AWS SDK) lazily: `--help`
 * and `synth` never pay for the SDK.
 *
 * Exit codes (the rule is in ./errors.ts): 0 done, 1 failed, 2 refused (bad usage or input, or a
 * state to deal with first; nothing was changed), 130 interrupted.
 */
import { Command, CommanderError } from 'commander';
import { register as registerCompletion } from '../commands/completion/register';
import { register as registerConfig } from '../commands/config/register';
import { register as registerDeploy } from '../commands/deploy/register';
import { register as registerDestroy } from '../commands/destroy/register';
import { register as registerExec } from '../commands/exec/register';
import { register as registerInit } from '../commands/init/register';
import { register as registerLogs } from '../commands/logs/register';
import { register as registerOutputs } from '../commands/outputs/register';
import { register as registerPlan } from '../commands/plan/register';
import { register as registerPublish } from '../commands/publish/register';
import { register as registerRelease } from '../commands/release/register';
import { register as registerStatus } from '../commands/status/register';
import { register as registerSynth } from '../commands/synth/register';
import { register as registerTunnel } from '../commands/tunnel/register';
import { register as registerUnlock } from '../commands/unlock/register';
import { register as registerWizard } from '../commands/wizard/register';
import { CliError, ExitCode } from './errors';
import { addGlobalOptions, preferProfile, type GlobalOptions } from './global-options';
import { exitCodesHelp, type ExitMeanings } from './options';
import { output, setColor } from './output';

/**
 * Every command, in the order `--help` lists them. Each module declares its command and loads its
 * implementation only when that command runs, so building the program loads commander and these
 * small modules only (see the register rule in .dependency-cruiser.cjs).
 */
const COMMANDS: readonly ((program: Command) => void)[] = [
  registerSynth,
  registerPlan,
  registerDeploy,
  registerStatus,
  registerOutputs,
  registerDestroy,
  registerUnlock,
  registerPublish,
  registerWizard,
  registerConfig,
  registerRelease,
  registerLogs,
  registerExec,
  registerTunnel,
  registerInit,
  registerCompletion,
];

/** The whole command tree (the root, its global options and every command), ready to parse. */
export function buildProgram(): Command {
  const program = addGlobalOptions(
    new Command('provision').description(
      'Stand up a production-grade AWS environment for containerised apps from numbered ' +
        'CloudFormation templates, deployed stage by stage. Run with no command (in a terminal) for the guided wizard.',
    ),
  )
    .showHelpAfterError('(run `provision --help` for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  program.addHelpText('after', `\n${exitCodesHelp(GENERAL_MEANINGS, 'Exit codes (every command)')}`);
  withExitCodes(program);
  return program;
}

/** The exit-code rule (./errors.ts) as a help paragraph, for commands that do not give their own. */
const GENERAL_MEANINGS: ExitMeanings = {
  ok: 'done (or nothing to do)',
  failed: 'failed: something was attempted and did not succeed (its cause is shown)',
  refused: 'refused: nothing was changed (bad input, or a state to deal with first)',
};

/**
 * Gives every command whose help says nothing of exit codes the general rule, so that each
 * command's `--help` states them: a command's own paragraph (via exitCodesHelp) is found by asking
 * its after-help text, which commander keeps as listeners of its `afterHelp` event.
 */
function withExitCodes(parent: Command): void {
  for (const cmd of parent.commands) {
    if (cmd.commands.length) {
      withExitCodes(cmd);
      continue;
    }
    let own = '';
    // Commander's Command is an EventEmitter at run time; its typings leave that out.
    (cmd as unknown as NodeJS.EventEmitter).emit('afterHelp', {
      error: false,
      command: cmd,
      write: (text: string) => (own += text),
    });
    if (!own.includes('Exit codes:')) cmd.addHelpText('after', `\n${exitCodesHelp(GENERAL_MEANINGS)}`);
  }
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

async function printVersion(json: boolean): Promise<void> {
  const { catalogueVersion, packageRoot, toolVersion } = await import('../package');
  const v = { version: toolVersion(), catalogue: catalogueVersion(), node: process.version, path: packageRoot() };
  process.stdout.write(
    json
      ? `${JSON.stringify(v)}\n`
      : `provision ${v.version} (cfn-stages; catalogue ${v.catalogue}; Node.js ${v.node})\n`,
  );
}

/** `--json` before any `--`: the caller reads one document from stdout, a usage error included. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The exit code of what commander stopped at: help asked for (0), or a usage error (2), which
 * commander has printed on stderr; with --json, also one document on stdout saying so.
 */
function usageExit(err: CommanderError, argv: string[]): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.Ok;
  // Help shown because something was missing (e.g. `provision config` without a subcommand).
  if (err.code === 'commander.help' && err.exitCode === 0) return ExitCode.Ok;
  if (wantsJson(argv)) {
    const word = argv.find((a, i) => !a.startsWith('-') && !VALUED_GLOBALS.has(argv[i - 1] ?? ''));
    const missing = word ? `${word}: no subcommand given` : 'no command given';
    const error = err.code === 'commander.help' ? missing : err.message.replace(/^error: /, '');
    output.json({ ok: false, error, hint: 'run `provision --help` for usage' });
  }
  return ExitCode.Usage;
}

function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // The SDK warns once per process that Node 20 support ends; `engines` and the README say so instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `provision outputs | head` closes the pipe early: that is the reader's choice, not an error.
  // Once per process: tests call main() many times in one.
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
  if (asksVersion(argv)) {
    await printVersion(argv.includes('--json'));
    return ExitCode.Ok;
  }
  const program = buildProgram();
  program.hook('preAction', () => {
    const opts = program.opts<GlobalOptions>();
    setColor(opts);
    const note = preferProfile(opts.profile, '--profile', process.env);
    if (note) output.warn(note);
  });
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
    if (err instanceof CommanderError) return usageExit(err, argv);
    // An SDK error that refuses the credentials (expired, unknown), or that could not read the
    // endpoint's answer, is named as such, with the fix; loaded here, on the way out, since start-up
    // loads nothing of AWS.
    const { explainSdkError } = await import('../aws/errors');
    const shown = err instanceof CliError ? err : CliError.from(explainSdkError(err) ?? err);
    return output.failure(shown, program.opts<GlobalOptions>());
  }
}
