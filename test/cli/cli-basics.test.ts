/**
 * The CLI's own surface: `--version`, `help <command>`, and shell completion. Completion is run
 * for real: bash sources the generated script and calls its function with COMP_WORDS set as the
 * shell would on Tab, and the test reads COMPREPLY.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bashCompletion, zshCompletion } from '../../src/cli/completion';
import { asksVersion, buildProgram, main } from '../../src/cli/main';
import { toolVersion } from '../../src/package';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();
const stdout = io.stdout;

describe('--version', () => {
  test.each([[['--version']], [['-V']], [['--no-color', '--version']], [['--region', 'eu-west-1', '-V']]])(
    'provision %j prints the versions',
    async (argv) => {
      expect(await main(argv)).toBe(0);
      expect(stdout()).toBe(
        `provision ${toolVersion()} (cfn-stages; catalogue ${toolVersion()}; Node.js ${process.version})\n`,
      );
    },
  );

  test("a command's own --version is that command's (release --version TAG, synth --version V)", () => {
    expect(asksVersion(['release', '--app', 'a', '--version', 'v1'])).toBe(false);
    expect(asksVersion(['synth', '--version', '0.1.0'])).toBe(false);
    expect(asksVersion(['--profile', 'dev', 'release', '--version', 'v1'])).toBe(false);
  });

  test('--help lists it', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(stdout()).toMatch(/-V, --version +print the tool's version and the catalogue version it\s+deploys/);
  });
});

test('`provision help deploy` is `provision deploy --help`', async () => {
  expect(await main(['help', 'deploy'])).toBe(0);
  const viaHelp = stdout();
  io.clear();
  expect(await main(['deploy', '--help'])).toBe(0);
  expect(viaHelp).toContain('Usage: provision deploy [options]');
  expect(viaHelp).toBe(stdout());
});

describe('bash completion', () => {
  let dir: string;
  let script: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-completion-'));
    fs.mkdirSync(path.join(dir, 'envs'));
    for (const f of ['envs/dev.yaml', 'envs/prod.yml', 'envs/notes.txt', 'other.yaml'])
      fs.writeFileSync(path.join(dir, f), '');
    script = path.join(dir, 'provision.bash');
    fs.writeFileSync(script, bashCompletion(buildProgram()));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** COMPREPLY for the command line `words` with the cursor on the last word. */
  function complete(words: string[]): string[] {
    const arr = words.map((w) => `'${w}'`).join(' ');
    const cmd = `source '${script}'; COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _provision_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['--norc', '-c', cmd], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort();
  }

  test('commands', () => {
    expect(complete(['provision', 'de'])).toEqual(['deploy', 'destroy']);
    expect(complete(['provision', '--region', 'eu-west-1', 'pl'])).toEqual(['plan']);
  });

  test('subcommands and their flags', () => {
    expect(complete(['provision', 'config', ''])).toEqual(
      expect.arrayContaining(['get', 'set', 'edit', 'history', 'rollback']),
    );
    expect(complete(['provision', 'config', 'get', '--s'])).toEqual(['--show']);
    expect(complete(['provision', 'deploy', '--c'])).toEqual(['--concurrency']);
    expect(complete(['provision', 'deploy', '--params', 'envs/dev.yaml', '--y'])).toEqual(['--yes']);
  });

  test('--params completes YAML files and folders, not other files', () => {
    expect(complete(['provision', 'deploy', '--params', 'envs/'])).toEqual(['envs/dev.yaml', 'envs/prod.yml']);
    expect(complete(['provision', 'plan', '-p', ''])).toEqual(['envs/', 'other.yaml']);
  });

  test('choices complete from the option', () => {
    expect(complete(['provision', 'init', '--example', ''])).toEqual(['full', 'small']);
  });

  test('zsh runs the same function through bashcompinit', () => {
    const zsh = zshCompletion(buildProgram());
    expect(zsh).toContain('autoload -U +X bashcompinit && bashcompinit');
    expect(zsh).toContain(bashCompletion(buildProgram()));
  });
});

test('`provision completion` prints the script', async () => {
  expect(await main(['completion', 'bash'])).toBe(0);
  expect(stdout()).toContain('complete -F _provision_complete provision');
  io.clear();
  expect(await main(['completion', 'fish'])).toBe(2);
});
