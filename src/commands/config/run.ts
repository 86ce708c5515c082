/**
 * `provision config get|set|edit|history|rollback`: the app's configuration secret (a JSON object
 * in Secrets Manager, made by 31.app-loadbalancer and read by every service of the app at start).
 *
 * Values never reach the screen unless asked for (`get --show`); what changed is reported by key.
 * Every write is a new secret version made only when the document really changes, so `history`
 * lists each change and `rollback` (itself a new version) can be undone the same way. Extra
 * services (91) read the app's own secret, so `--extra` names the same secret: it is accepted (and
 * checked) so scripts can pass the service they think about.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { table } from '../../cli/table';
import {
  applyAssignments,
  checkAssignments,
  describeChanges,
  diffKeys,
  formatDocument,
  hasChanges,
  maskDocument,
  NotAJsonObjectError,
  parseAssignment,
  parseDocument,
  type ConfigDocument,
  type KeyChanges,
} from '../../ops/config';
import { appStacks, serviceStack } from '../../ops/locate';
import { openContext, type RunContext } from '../../run/context';

export interface ConfigFlags {
  params?: string;
  app?: string;
  extra?: string;
}

/** What every subcommand works on: the secret, where it came from, and the clients. */
interface Target {
  ctx: RunContext;
  app: string;
  arn: string;
  name: string;
}

async function withTarget<T>(flags: ConfigFlags, global: GlobalOptions, run: (t: Target) => Promise<T>): Promise<T> {
  const ctx = await openContext(flags.params, global);
  try {
    const stacks = appStacks(ctx.all, flags.app, ctx.file);
    if (flags.extra !== undefined) serviceStack(stacks, flags.extra, ctx.file); // checked; same secret
    if (!stacks.loadBalancer)
      throw CliError.usage(`app ${stacks.app} has no load balancer stage, so it has no configuration secret`);
    const { configSecretArn, secretName } = await import('../../ops/secret');
    const arn = await configSecretArn(ctx.clients.cloudFormation, stacks.loadBalancer.name, stacks.app, ctx.file);
    return await run({ ctx, app: stacks.app, arn, name: secretName(arn) });
  } finally {
    ctx.clients.destroy();
  }
}

function notJson(t: Target, err: NotAJsonObjectError, versionId: string): CliError {
  return new CliError(
    `the secret ${t.name} (version ${versionId}) is not a JSON object: ${err.detail}`,
    ExitCode.Refused,
    `fix it with \`provision config edit --params ${t.ctx.file} --app ${t.app}\` (or restore a good version with \`provision config rollback\`)`,
  );
}

/** The current version, parsed; a clear error (never the value) when it is not a JSON object. */
async function readCurrent(t: Target): Promise<{ versionId: string; document: ConfigDocument; text: string }> {
  const { readVersion } = await import('../../ops/secret');
  const v = await readVersion(t.ctx.clients.secretsManager, t.arn);
  if (v.text === undefined) throw notJson(t, new NotAJsonObjectError('it holds binary data'), v.versionId);
  try {
    return { versionId: v.versionId, document: parseDocument(v.text), text: v.text };
  } catch (err) {
    if (err instanceof NotAJsonObjectError) throw notJson(t, err, v.versionId);
    throw err;
  }
}

// ---- get -------------------------------------------------------------------------------------

export async function runConfigGet(flags: ConfigFlags & { show?: boolean }, global: GlobalOptions): Promise<void> {
  await withTarget(flags, global, async (t) => {
    const current = await readCurrent(t);
    const shown = flags.show ? current.document : maskDocument(current.document);
    if (!global.json)
      process.stderr.write(
        c().dim(
          `# ${t.name}, version ${current.versionId}${flags.show ? '' : ' (values masked: --show to see them)'}\n`,
        ),
      );
    process.stdout.write(formatDocument(shown));
  });
}

// ---- set -------------------------------------------------------------------------------------

export interface SetFlags extends ConfigFlags {
  unset?: string[];
  jsonValue?: boolean;
}

export async function runConfigSet(assignments: string[], flags: SetFlags, global: GlobalOptions): Promise<void> {
  const unset = flags.unset ?? [];
  if (!assignments.length && !unset.length)
    throw CliError.usage(
      'nothing to set: give KEY=VALUE arguments and/or --unset KEY',
      'e.g. provision config set --params F --app A LOG_LEVEL=debug --unset OLD_KEY',
    );
  // A bad argument (AssignmentError) is refused here, before any AWS call: exit 2 with the fix.
  const parsed = assignments.map((a) => parseAssignment(a, flags.jsonValue));
  checkAssignments(parsed, unset);
  await withTarget(flags, global, async (t) => {
    const current = await readCurrent(t);
    const result = applyAssignments(current.document, parsed, unset);
    await commit(
      t,
      { basedOn: current.versionId, text: formatDocument(result.document), changes: result.changes },
      global,
    );
  });
}

interface Write {
  /** The version the change was made from: the write is refused if it is no longer current. */
  basedOn: string;
  text: string;
  changes: KeyChanges;
  /** Write even when no key changed (the current version is not a JSON object). */
  force?: boolean;
  verb?: string;
}

/** Writes a new version when something changed, and says what (keys only). */
async function commit(t: Target, w: Write, global: GlobalOptions): Promise<void> {
  const { basedOn, changes, verb = 'written' } = w;
  let versionId: string | undefined;
  if (w.force || hasChanges(changes)) {
    const { writeVersion } = await import('../../ops/secret');
    const { withRunLock } = await import('../../run/context');
    versionId = await withRunLock(t.ctx, `config (${t.app})`, () =>
      writeVersion(t.ctx.clients.secretsManager, t.arn, w.text, basedOn),
    );
  }
  if (global.json) {
    output.json({
      ok: true,
      secret: t.name,
      written: Boolean(versionId),
      versionId: versionId ?? basedOn,
      previousVersionId: versionId ? basedOn : undefined,
      ...changes,
    });
  } else if (versionId) {
    output.line(
      `${c().green('✔')} ${t.name}: version ${versionId} ${verb} (${describeChanges(changes) || 'the document is a JSON object again'})`,
    );
    output.line(
      c().dim('  running tasks keep the configuration they started with: release or restart the service to use it'),
    );
  } else {
    output.line(`${t.name}: no change, nothing written (version ${basedOn} stays current)`);
  }
}

// ---- edit ------------------------------------------------------------------------------------

/** The editor command: $EDITOR, else $VISUAL, else vi (may carry arguments, e.g. "code --wait"). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.EDITOR?.trim() || env.VISUAL?.trim() || 'vi';
}

export async function runConfigEdit(flags: ConfigFlags, global: GlobalOptions): Promise<void> {
  await withTarget(flags, global, async (t) => {
    const { readVersion } = await import('../../ops/secret');
    const v = await readVersion(t.ctx.clients.secretsManager, t.arn);
    let before: ConfigDocument | undefined;
    try {
      before = v.text === undefined ? undefined : parseDocument(v.text);
    } catch {
      before = undefined; // a broken document is what edit is for: it opens as it is
    }
    const initial = before ? formatDocument(before) : (v.text ?? '{}\n');
    const after = await editInTempFile(initial, `${t.app}-config.json`);
    if (after === undefined) throw new CliError('edit aborted: nothing written', ExitCode.Refused);
    const changes = diffKeys(before ?? {}, after);
    await commit(t, { basedOn: v.versionId, text: formatDocument(after), changes, force: !before }, global);
  });
}

/**
 * Opens `initial` in the editor in a private temp file (mode 0600, in a 0700 directory, deleted
 * afterwards whatever happens) and returns the saved document. Invalid JSON is refused: in a
 * terminal the user may re-open the file (with their text kept) or abort; without one it is an
 * error. Returns undefined when the user aborts.
 */
async function editInTempFile(initial: string, fileName: string): Promise<ConfigDocument | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-config-'));
  const file = path.join(dir, fileName);
  // The editor owns the terminal; Ctrl-C there must not kill this process before the file is removed.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  const { holdInterrupts } = await import('../../cli/interrupt');
  const unhold = holdInterrupts();
  try {
    fs.writeFileSync(file, initial, { mode: 0o600, flag: 'wx' });
    for (;;) {
      runEditor(file);
      const text = fs.readFileSync(file, 'utf8');
      try {
        return parseDocument(text, 'the edited document');
      } catch (err) {
        if (!(err instanceof NotAJsonObjectError)) throw err;
        if (!process.stdin.isTTY) throw CliError.usage(`${err.message}; nothing written`, err.hint);
        process.stderr.write(c().red(`${err.message}\n`));
        const { confirm } = await import('@inquirer/prompts');
        if (!(await confirm({ message: 'Re-open the editor to fix it? (no: abort, nothing written)', default: true })))
          return undefined;
      }
    }
  } finally {
    process.off('SIGINT', ignore);
    unhold();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runEditor(file: string): void {
  const editor = editorCommand();
  // Through the shell, so EDITOR may carry arguments; the file name is passed as "$1", unquoted by nobody.
  const res = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
  if (res.error)
    throw new CliError(
      `could not start the editor (${editor}): ${res.error.message}`,
      ExitCode.Refused,
      'set EDITOR (or VISUAL) to an editor command, e.g. EDITOR=nano',
    );
  if (res.status !== 0)
    throw new CliError(
      `the editor (${editor}) exited with ${res.signal ?? `status ${res.status}`}: nothing written`,
      ExitCode.Refused,
    );
}

// ---- history and rollback ---------------------------------------------------------------------

export async function runConfigHistory(flags: ConfigFlags, global: GlobalOptions): Promise<void> {
  await withTarget(flags, global, async (t) => {
    const { listVersions } = await import('../../ops/secret');
    const versions = await listVersions(t.ctx.clients.secretsManager, t.arn);
    if (global.json) {
      output.json({
        secret: t.name,
        versions: versions.map((v) => ({
          versionId: v.versionId,
          stages: v.stages,
          created: v.created?.toISOString(),
        })),
      });
      return;
    }
    output.line(c().bold(t.name));
    output.line(
      table(
        versions.map((v) => [
          v.versionId,
          v.stages.join(',') || c().dim('-'),
          v.created?.toISOString().replace('T', ' ').slice(0, 19) ?? '-',
        ]),
        ['VERSION', 'STAGES', 'CREATED (UTC)'].map((h) => c().dim(h)),
      ),
    );
    output.line(
      c().dim(
        'AWSCURRENT is what the app reads; `config rollback` restores AWSPREVIOUS (or --to VERSION) as a new version.',
      ),
    );
  });
}

export async function runConfigRollback(flags: ConfigFlags & { to?: string }, global: GlobalOptions): Promise<void> {
  await withTarget(flags, global, async (t) => {
    const { listVersions, previousVersion, readVersion } = await import('../../ops/secret');
    const sm = t.ctx.clients.secretsManager;
    const targetId = flags.to ?? previousVersion(await listVersions(sm, t.arn))?.versionId;
    if (!targetId)
      throw new CliError(
        `${t.name} has no previous version to roll back to`,
        ExitCode.Refused,
        'see `provision config history`',
      );
    const [current, target] = await Promise.all([readVersion(sm, t.arn), readVersion(sm, t.arn, targetId)]);
    if (target.versionId === current.versionId || target.text === current.text) {
      if (global.json)
        output.json({
          ok: true,
          secret: t.name,
          written: false,
          versionId: current.versionId,
          added: [],
          changed: [],
          removed: [],
        });
      else
        output.line(
          `${t.name}: version ${targetId} ${target.versionId === current.versionId ? 'is' : 'has the same value as'} the current version; nothing written`,
        );
      return;
    }
    let restored: ConfigDocument;
    try {
      restored = parseDocument(target.text ?? '', `version ${targetId}`);
    } catch (err) {
      if (err instanceof NotAJsonObjectError)
        throw new CliError(
          `${err.message}: restoring it would break the app's configuration; nothing written`,
          ExitCode.Refused,
          'pick another version (provision config history) or use `config edit`',
        );
      throw err;
    }
    let before: ConfigDocument = {};
    let currentIsJson = true;
    try {
      before = parseDocument(current.text ?? '');
    } catch {
      currentIsJson = false; // broken: every key of the restored version counts as added
    }
    // The restored version's own text, byte for byte: a rollback brings back exactly what was there.
    await commit(
      t,
      {
        basedOn: current.versionId,
        text: target.text!,
        changes: diffKeys(before, restored),
        force: !currentIsJson,
        verb: `written with the value of ${targetId}`,
      },
      global,
    );
  });
}
