/**
 * `provision init`: starts an infrastructure repository of the user's own. It writes
 * `envs/<env>.yaml` from one of the shipped examples (environment, prefix, region and contact filled
 * in, the `$schema` line pointing at the installed package's JSON Schema) and makes sure
 * `.gitignore` keeps local installs out of the repository. The file is validated before it is
 * written: a bad name is refused (exit 2) and nothing is written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { CliError } from '../../cli/errors';
import { ToolError } from '../../errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { loadParams } from '../../params/load';
import { examplesDir, schemaRefFor } from '../../package';

export interface InitFlags {
  env: string;
  prefix: string;
  region: string;
  example: string;
  contactEmail?: string;
  dir: string;
  force?: boolean;
}

/** The shipped examples a user can start from (examples/<name>.yaml). */
export function exampleNames(): string[] {
  return fs
    .readdirSync(examplesDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** What `.gitignore` must hold for a repository that installs the tool as a devDependency. */
const IGNORED = ['node_modules/'];

/** The example's text with this environment's values, the comments kept. */
export function renderStarter(flags: InitFlags, file: string): string {
  const source = path.join(examplesDir(), `${flags.example}.yaml`);
  if (!fs.existsSync(source)) {
    throw CliError.usage(
      `--example ${flags.example}: there is no such example`,
      `choose one of: ${exampleNames().join(', ')}`,
    );
  }
  // The example's own schema line points inside the package and its "Deploy:" line at itself.
  const text = fs
    .readFileSync(source, 'utf8')
    .split('\n')
    .filter((l) => !/^#.*(\$schema=|Deploy:)/.test(l))
    .join('\n');
  const doc = parseDocument(`# yaml-language-server: $schema=${schemaRefFor(file)}\n${text}`);
  doc.set('environment', flags.env);
  doc.set('prefix', flags.prefix);
  doc.set('region', flags.region);
  if (flags.contactEmail) doc.setIn(['tags', 'contactEmail'], flags.contactEmail);
  return doc.toString({ lineWidth: 0 });
}

/** Validates the text as a params file (the same loader every command uses) before it is written. */
function validate(text: string, file: string): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-init-'));
  const probe = path.join(tmp, path.basename(file));
  try {
    fs.writeFileSync(probe, text);
    loadParams(probe);
  } catch (err) {
    if (err instanceof ToolError)
      throw new CliError(
        err.message.split(probe).join(file),
        CliError.from(err).exitCode,
        'pass valid values with --env, --prefix, --region and --contact-email',
        { cause: err },
      );
    throw err;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function ensureGitignore(dir: string): string[] {
  const file = path.join(dir, '.gitignore');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const have = new Set(existing.split('\n').map((l) => l.trim()));
  const missing = IGNORED.filter((l) => !have.has(l) && !have.has(l.replace(/\/$/, '')));
  if (missing.length)
    fs.writeFileSync(file, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
  return missing;
}

export async function runInit(given: InitFlags, global: GlobalOptions): Promise<void> {
  // `--region` anywhere on the line is parsed as the root's global option (commander gives an option
  // to the program before a command's option of the same name), so init's own stays at its default.
  const flags = { ...given, region: global.region ?? given.region };
  const dir = path.resolve(flags.dir);
  const file = path.join(dir, 'envs', `${flags.env}.yaml`);
  const shown = path.relative(process.cwd(), file) || file;
  if (fs.existsSync(file) && !flags.force) {
    throw CliError.usage(`${shown} already exists`, 'edit it, choose another --env, or pass --force to overwrite it');
  }
  const text = renderStarter(flags, file);
  validate(text, shown);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const ignored = ensureGitignore(dir);
  if (global.json) {
    output.json({ ok: true, file, example: flags.example, gitignoreAdded: ignored });
    return;
  }
  output.line(`${c().green('✔')} wrote ${shown} (from the ${flags.example} example)`);
  if (ignored.length) output.line(`${c().green('✔')} .gitignore: added ${ignored.join(', ')}`);
  output.line('');
  output.line('Next:');
  output.line(
    `  edit ${shown}             tags.contactEmail, apps, repositories (your editor checks it against the schema)`,
  );
  output.line(`  provision plan   --params ${shown}`);
  output.line(`  provision deploy --params ${shown}`);
}
