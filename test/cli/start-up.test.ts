/**
 * Start-up (issue 12): what the built CLI loads before it does anything. `--help`, `--version` and
 * `completion` load commander, the command list (one small register module per command) and the
 * output helpers only: no command's implementation, no AWS SDK, zod, yaml or templates. `synth`
 * builds templates but calls no AWS. Counted from the process's own module cache (see
 * test/helpers/loaded-modules.cjs), not timed: speed targets live in `npm run bench`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/emulator';

const PRELOAD = path.join(REPO_ROOT, 'test', 'helpers', 'loaded-modules.cjs');

/** The files `provision ...args` loaded, relative to the repository (packages as `node_modules/<name>/...`). */
function loadedBy(args: string[]): string[] {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'provision-start-')), 'loaded.txt');
  execFileSync(process.execPath, ['--require', PRELOAD, path.join(REPO_ROOT, 'bin', 'provision.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOADED_MODULES_FILE: out, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return fs
    .readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .filter((f) => f !== PRELOAD)
    .map((f) => {
      const pkg = /[\\/]node_modules[\\/](.*)$/.exec(f);
      return pkg ? `node_modules/${pkg[1]!.replace(/\\/g, '/')}` : path.relative(REPO_ROOT, f).replace(/\\/g, '/');
    });
}

/** Package names among loaded files. */
function packagesOf(files: string[]): string[] {
  const names = files
    .filter((f) => f.startsWith('node_modules/'))
    .map((f) => {
      const parts = f.split('/');
      return parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!;
    });
  return [...new Set(names)].sort();
}

const registers = fs.readdirSync(path.join(REPO_ROOT, 'src', 'commands')).sort();

/**
 * What every start-up loads: the launcher, the compile cache (and the cache folder rule it shares
 * with the deployed-template record), the program, its small helpers and every command's register.
 */
const START_UP = [
  'bin/provision.js',
  'dist/src/cli/compile-cache.js',
  'dist/src/user-cache.js',
  'dist/src/cli/main.js',
  'dist/src/cli/errors.js',
  'dist/src/cli/global-options.js',
  'dist/src/cli/options.js',
  'dist/src/cli/output.js',
  'dist/src/errors.js',
  ...registers.map((c) => `dist/src/commands/${c}/register.js`),
].sort();

it('--help loads commander and the command list only', () => {
  const files = loadedBy(['--help']);
  expect(files.filter((f) => !f.startsWith('node_modules/')).sort()).toEqual(START_UP);
  expect(packagesOf(files)).toEqual(['commander', 'picocolors']);
});

it("each command's --help loads no more than the root's", () => {
  for (const command of ['deploy', 'publish', 'config get', 'release']) {
    const files = loadedBy([...command.split(' '), '--help']);
    expect(files.filter((f) => !f.startsWith('node_modules/')).sort()).toEqual(START_UP);
  }
});

it('--version adds the package reader, and completion the script generator, nothing else', () => {
  const version = loadedBy(['--version']).filter((f) => !START_UP.includes(f) && !f.startsWith('node_modules/'));
  expect(version).toEqual(['dist/src/package.js']);
  const completion = loadedBy(['completion', 'bash']);
  expect(completion.filter((f) => !START_UP.includes(f) && !f.startsWith('node_modules/'))).toEqual([
    'dist/src/cli/completion.js',
  ]);
  expect(packagesOf(completion)).toEqual(['commander', 'picocolors']);
});

it('synth loads its own implementation and the templates, and no AWS SDK', () => {
  const files = loadedBy(['synth', '--check']);
  expect(files).toContain('dist/src/commands/synth/run.js');
  expect(files.filter((f) => /^dist\/src\/commands\/[^/]+\/run\.js$/.test(f))).toEqual([
    'dist/src/commands/synth/run.js',
  ]);
  expect(packagesOf(files).filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
});

it('synth into a folder builds the templates without zod or yaml (they validate params files, which it has none of)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-synth-'));
  try {
    const packages = packagesOf(loadedBy(['synth', '--out', out]));
    expect(packages).toContain('cloudform-types');
    expect(packages.filter((p) => p === 'zod' || p === 'yaml')).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
