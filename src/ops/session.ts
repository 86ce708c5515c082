/**
 * AWS's Session Manager plugin (`session-manager-plugin`), which carries ECS Exec and SSM
 * port-forwarding sessions over a websocket: found on PATH before any AWS call (so a missing
 * plugin never leaves a session open or ends in a raw spawn error), then run with the session
 * exactly as the AWS CLI runs it:
 *
 *   session-manager-plugin SESSION REGION StartSession PROFILE REQUEST ENDPOINT
 *
 * where SESSION is the service's session JSON (`aws ecs execute-command` passes ExecuteCommand's
 * `session`; `aws ssm start-session` passes StartSession's SessionId/TokenValue/StreamUrl, or,
 * for plugins newer than 1.2.497.0, the name of the environment variable
 * AWS_SSM_START_SESSION_RESPONSE that holds it, which keeps the token out of process listings),
 * REQUEST is the JSON of the request that opened the session (the SSM target), and ENDPOINT is
 * the endpoint of the client that opened it. While the plugin runs, Ctrl-C, Ctrl-\ and Ctrl-Z
 * belong to the remote side: this process ignores them, as the AWS CLI does.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpsError } from './errors';

export const PLUGIN = 'session-manager-plugin';
/** The AWS CLI passes the session through this variable to plugins newer than the version below. */
export const SESSION_ENV = 'AWS_SSM_START_SESSION_RESPONSE';
const LAST_VERSION_WITHOUT_ENV = [1, 2, 497, 0];
const DOCS =
  'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';
const DOWNLOADS = 'https://s3.amazonaws.com/session-manager-downloads/plugin/latest';

/** The plugin's path on PATH, or undefined. */
export function findPlugin(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const names = platform === 'win32' ? [`${PLUGIN}.exe`] : [PLUGIN];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** How to install the plugin on this machine: the exact commands, then AWS's page. */
export function installInstructions(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string[] {
  const arm = arch === 'arm64';
  switch (platform) {
    case 'darwin':
      return [
        'macOS (Homebrew):  brew install --cask session-manager-plugin',
        `macOS (installer): curl -o session-manager-plugin.pkg "${DOWNLOADS}/${arm ? 'mac_arm64' : 'mac'}/session-manager-plugin.pkg"`,
        '                   sudo installer -pkg session-manager-plugin.pkg -target /',
        '                   sudo ln -s /usr/local/sessionmanagerplugin/bin/session-manager-plugin /usr/local/bin/session-manager-plugin',
        `more: ${DOCS}`,
      ];
    case 'win32':
      return [
        `Windows: download and run ${DOWNLOADS}/windows/SessionManagerPluginSetup.exe, then open a new terminal`,
        `more: ${DOCS}`,
      ];
    default:
      return [
        `Debian/Ubuntu: curl -o session-manager-plugin.deb "${DOWNLOADS}/${arm ? 'ubuntu_arm64' : 'ubuntu_64bit'}/session-manager-plugin.deb" && sudo dpkg -i session-manager-plugin.deb`,
        `Amazon Linux/RHEL/Fedora: sudo yum install -y ${DOWNLOADS}/${arm ? 'linux_arm64' : 'linux_64bit'}/session-manager-plugin.rpm`,
        `more: ${DOCS}`,
      ];
  }
}

/** The error for a missing plugin: what it is for and how to install it (exit 2: refused, nothing was done). */
export function missingPluginError(what: string): OpsError {
  return new OpsError(
    'PluginMissing',
    `${what} needs AWS's Session Manager plugin (${PLUGIN}), which is not on your PATH`,
    `install it, then run this again:\n  ${installInstructions().join('\n  ')}`,
  );
}

/** The plugin, or the install instructions as an error. Checked before any AWS call. */
export function requirePlugin(what: string): string {
  const found = findPlugin();
  if (!found) throw missingPluginError(what);
  return found;
}

/** True when the plugin's `--version` is newer than 1.2.497.0 (it then reads the session from the environment). */
export function takesSessionFromEnv(versionText: string): boolean {
  const v = versionText.replace(/\s+/g, '');
  if (!/^\d+(\.\d+){0,3}$/.test(v)) return false;
  const parts = v.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const a = parts[i] ?? 0;
    const b = LAST_VERSION_WITHOUT_ENV[i]!;
    if (a !== b) return a > b;
  }
  return false;
}

/** What the plugin is run with. */
export interface PluginInvocation {
  /** The plugin's arguments (after its path). */
  args: string[];
  /** Extra environment (the session, when passed that way). */
  env: Record<string, string>;
}

export interface SessionInput {
  /** The session JSON the service answered (ECS: `session`; SSM: SessionId, TokenValue, StreamUrl). */
  session: Record<string, unknown>;
  region: string;
  profile?: string;
  /** The request that opened the session (SSM: Target, DocumentName, Parameters; ECS: the exec Target). */
  request: Record<string, unknown>;
  endpoint: string;
  /** Pass the session through {@link SESSION_ENV} (aws ssm start-session with a new plugin). */
  viaEnv: boolean;
}

/** The plugin's arguments, as the AWS CLI builds them. */
export function pluginInvocation(i: SessionInput): PluginInvocation {
  const session = JSON.stringify(i.session);
  return {
    args: [
      i.viaEnv ? SESSION_ENV : session,
      i.region,
      'StartSession',
      i.profile ?? '',
      JSON.stringify(i.request),
      i.endpoint,
    ],
    env: i.viaEnv ? { [SESSION_ENV]: session } : {},
  };
}

/** The plugin's version (`--version`), or '' when it does not say. */
export function pluginVersion(plugin: string): string {
  const out = spawnSync(plugin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return out.status === 0 ? out.stdout.trim() : '';
}

/**
 * Runs the plugin in the foreground (the terminal is the session's) and resolves with its exit
 * code. A plugin that cannot be started (removed since it was found) becomes the install message.
 */
export function runPlugin(plugin: string, inv: PluginInvocation, what: string): Promise<number> {
  const ignored: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTSTP'];
  const ignore = (): void => undefined;
  for (const s of ignored) process.on(s, ignore);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(plugin, inv.args, { stdio: 'inherit', env: { ...process.env, ...inv.env } });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' || err.code === 'EACCES' ? missingPluginError(what) : err),
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
  }).finally(() => {
    for (const s of ignored) process.off(s, ignore);
  });
}
