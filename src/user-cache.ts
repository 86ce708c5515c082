/**
 * Where the CLI keeps what it may reuse between runs on this machine (the compile cache, the record
 * of deployed templates): the user's own cache folder (`$XDG_CACHE_HOME` or `~/.cache`, then
 * `cfn-stages/`), never a shared temporary folder, since what is read back there is trusted. Each
 * cache has its own environment variable that moves it (a folder) or turns it off (`0` or `off`).
 *
 * Imports only Node's own modules: the compile cache loads it before anything else.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The folder of one cache: the folder its variable names, none when the variable is `0` or `off`,
 * else `<user cache>/cfn-stages/<name>`; none when there is no home to keep it in.
 */
export function userCacheFolder(
  variable: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const set = env[variable];
  if (set === '0' || set === 'off') return undefined;
  if (set) return path.resolve(set);
  const base = env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : '');
  return base ? path.join(base, 'cfn-stages', name) : undefined;
}

/**
 * Writes a cache file whole, private to the user (folder 700, file 600): a temporary file renamed
 * over it, so a reader, or a second run writing at the same time, sees a whole old or a whole new
 * file. Throws on failure; callers ignore that (a cache can make a run faster, never fail it).
 */
export function writePrivateFile(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
