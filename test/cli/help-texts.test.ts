/**
 * `--help` read as a new user would: every command states its exit codes (its own meanings, or
 * the general rule), the flags every command shares say what they default to, and the flags a
 * command cannot run without say they are required.
 */
import type { Command } from 'commander';
import { DEFAULT_TIMEOUT_MS } from '../../src/aws/clients';
import { buildProgram, main } from '../../src/cli/main';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();

/** The words of every command that runs something (`status`, `config get`...), not `config` itself. */
function leafCommands(parent: Command, prefix: string[] = []): string[][] {
  return parent.commands.flatMap((c) =>
    c.commands.length ? leafCommands(c, [...prefix, c.name()]) : [[...prefix, c.name()]],
  );
}

/** `provision ...words --help` as printed, newlines inside a paragraph read as spaces. */
async function help(words: string[]): Promise<string> {
  io.clear();
  expect(await main([...words, '--help'])).toBe(0);
  return io.stdout().replace(/\s+/g, ' ');
}

const LEAVES = leafCommands(buildProgram());

test('there are commands to check (the walk found them)', () => {
  expect(LEAVES.map((w) => w.join(' '))).toEqual(expect.arrayContaining(['status', 'config get', 'deploy', 'init']));
});

test.each(LEAVES.map((w) => [w.join(' '), w]))('%s --help states its exit codes once', async (_name, words) => {
  const text = await help(words as string[]);
  expect(text.match(/Exit codes:/g)).toHaveLength(1);
  expect(text).toMatch(/Exit codes: 0 .+, 1 .+, 2 .+, 130 /);
});

test('the root --help gives the rule for every command, and the defaults of the shared flags', async () => {
  const text = await help([]);
  expect(text).toContain('Exit codes (every command): 0 done (or nothing to do), 1 failed');
  expect(text).toContain(`(default: ${DEFAULT_TIMEOUT_MS / 1000})`);
  expect(text).toMatch(
    /--json machine-readable output on stdout: one JSON document, failures included \(logs: one per event\)/,
  );
  expect(text).toMatch(/--profile <name> .*wins over access keys in the environment/);
});

test('status says a FAILED stack is shown with exit 0; --params and --app say they are required, --only its default', async () => {
  const status = await help(['status']);
  expect(status).toMatch(/Exit codes: 0 shown, whatever state the stacks are in/);
  expect(status).toMatch(/-p, --params <file> the environment's params file \(YAML; see examples\/\); required/);
  expect(status).toContain('(default: every stack the file plans)');
  expect(await help(['logs'])).toMatch(/--app <name> the app \(its name under apps: in the params file\); required/);
  // publish's --params is its own, and optional.
  expect(await help(['publish'])).not.toMatch(/--params <file>[^-]*required/);
});
