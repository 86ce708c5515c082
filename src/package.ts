/**
 * Where the tool's own files are, wherever it is installed: a clone of its repository, a
 * devDependency in `node_modules/cfn-stages`, a global install, or an `npx` cache. Everything the
 * CLI ships (the catalogue in `published/`, the params-file JSON Schema, the examples) is found
 * from here; everything of the user's (params files, `envs/`, `--out`) is resolved from the
 * working directory. No other module walks the file system to find the package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'cfn-stages';

interface PackageJson {
  name?: string;
  version: string;
}

let root: { dir: string; pkg: PackageJson } | undefined;

function findRoot(): { dir: string; pkg: PackageJson } {
  if (root) return root;
  // From dist/src/ (compiled) or src/ (ts-jest) up to the folder whose package.json is ours.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
      if (pkg.name === PACKAGE_NAME) return (root = { dir, pkg });
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${__dirname}`);
  }
}

/** The folder the package is installed in (the one holding its package.json, bin/ and published/). */
export function packageRoot(): string {
  return findRoot().dir;
}

/** The tool's version (package.json). */
export function toolVersion(): string {
  return findRoot().pkg.version;
}

/**
 * The catalogue version: names the `published/<version>/` folder the CLI deploys from. It is the
 * package version; it is a function of its own because the two could part (a catalogue kept while
 * the CLI gets a patch release), and `--version` shows both.
 */
export function catalogueVersion(): string {
  return toolVersion();
}

/** `published/` inside the package: every catalogue version shipped, and the params JSON Schema. */
export function publishedRoot(): string {
  return path.join(packageRoot(), 'published');
}

/** The params file's JSON Schema as shipped (editors: `# yaml-language-server: $schema=...`). */
export function schemaPath(): string {
  return path.join(publishedRoot(), 'params.schema.json');
}

/** The example params files shipped with the package. */
export function examplesDir(): string {
  return path.join(packageRoot(), 'examples');
}

/**
 * True when `dir` (the package root) is a working copy of the tool's repository: it holds `.git`
 * or `tools/`, and no `node_modules` folder is on its path. Decides where `synth` writes and what
 * `synth --check` compares by default: a checkout regenerates its committed `published/`; an
 * installed package (a dependency, a global prefix, an `npx` cache) is never written to.
 */
export function isSourceCheckout(dir = packageRoot()): boolean {
  if (path.resolve(dir).split(path.sep).includes('node_modules')) return false;
  return fs.existsSync(path.join(dir, '.git')) || fs.existsSync(path.join(dir, 'tools'));
}

/**
 * How a params file should point at the JSON Schema: relative when the package lives inside the
 * working directory's tree (a devDependency in `node_modules/`, or the tool's own clone), so the
 * link works for everyone who clones that repository; absolute otherwise (a global install or an
 * `npx` cache: it works on this machine).
 */
export function schemaRefFor(file: string, cwd = process.cwd()): string {
  const inTree = !path.relative(path.resolve(cwd), schemaPath()).startsWith('..');
  const ref = inTree ? path.relative(path.dirname(path.resolve(cwd, file)), schemaPath()) : schemaPath();
  return ref.split(path.sep).join('/');
}
