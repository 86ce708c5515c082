/**
 * The compile cache's upkeep (src/cli/compile-cache.ts, UPKEEP): a run that writes its cache file
 * removes the files nobody used for 30 days, and the least recently used while the folder is over
 * its bound; a run that only reads marks its file used; nothing else in the folder is touched, a
 * run whose file goes meanwhile still runs and rebuilds it, and a folder upkeep cannot list only
 * goes without it. Also that `PROVISION_COMPILE_CACHE=0` leaves no folder behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CACHE_ENV,
  UPKEEP,
  cacheFile,
  filesToRemove,
  listCacheFiles,
  markUsed,
  pruneCache,
  readCache,
} from '../../src/cli/compile-cache';
import { REPO_ROOT } from '../helpers/emulator';

const BIN = path.join(REPO_ROOT, 'bin', 'provision.js');
const HOOK = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'compile-cache.js');
const onNode20 = !('enableCompileCache' in Module) ? it : it.skip;
const DAY = 24 * 60 * 60 * 1000;

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-cache-upkeep-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A file of `bytes` bytes in `folder`, last used `daysAgo` days ago (its mtime). */
function fileUsed(folder: string, name: string, daysAgo: number, bytes = 10): string {
  const file = path.join(folder, name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(file, Buffer.alloc(bytes));
  const when = new Date(Date.now() - daysAgo * DAY);
  fs.utimesSync(file, when, when);
  return file;
}

/** The cache file name of `command` for an installation at `where`. */
const nameOf = (command: string, where = '/opt/cfn-stages') => path.basename(cacheFile('/c', [command], where));

describe('which files go', () => {
  it('cache files unused for 30 days and dead temporary files; recent ones, and anything not its own, stay', () => {
    const folder = path.join(tmp, 'cache');
    const old = fileUsed(folder, nameOf('deploy', '/old/clone'), 31);
    const recent = fileUsed(folder, nameOf('status', '/old/clone'), 29);
    const written = fileUsed(folder, nameOf('deploy'), 0);
    const deadWrite = fileUsed(folder, `${nameOf('plan')}.4242.k3j9x1.tmp`, 2);
    const writing = fileUsed(folder, `${nameOf('synth')}.4243.a8b7c6.tmp`, 0);
    const notOurs = [
      fileUsed(folder, 'notes.txt', 400),
      fileUsed(folder, 'deploy.bin', 400),
      fileUsed(folder, `${nameOf('deploy')}.bak`, 400),
    ];
    // A folder named like a cache file is not a file to unlink.
    fs.mkdirSync(path.join(folder, nameOf('destroy')));
    fs.utimesSync(path.join(folder, nameOf('destroy')), new Date(0), new Date(0));

    expect(pruneCache(folder, written).sort()).toEqual([old, deadWrite].sort());
    expect(fs.readdirSync(folder).sort()).toEqual(
      [recent, written, writing, ...notOurs, path.join(folder, nameOf('destroy'))].map((f) => path.basename(f)).sort(),
    );
  });

  it('over the size bound, the least recently used go first, never the file just written', () => {
    const folder = path.join(tmp, 'cache');
    const limits = { ...UPKEEP, maxBytes: 250 };
    const [a, b, c] = ['synth', 'plan', 'status'].map((command, i) => fileUsed(folder, nameOf(command), 3 - i, 100));
    // The run's own file is the oldest here (its mark is older than the others'): it stays anyway.
    const own = fileUsed(folder, nameOf('deploy'), 5, 100);
    const files = listCacheFiles(folder);
    expect(filesToRemove(files, own, Date.now(), limits).sort()).toEqual([a, b].sort());
    expect(filesToRemove(files, own, Date.now(), { ...limits, maxBytes: 300 })).toEqual([a]);
    expect(filesToRemove(files, own, Date.now(), { ...limits, maxBytes: 400 })).toEqual([]);
    expect(pruneCache(folder, own, Date.now(), limits).sort()).toEqual([a, b].sort());
    expect(fs.readdirSync(folder).sort()).toEqual([c, own].map((f) => path.basename(f)).sort());
  });

  it('a folder it cannot list, or a file it cannot remove, is left as it is', () => {
    const folder = path.join(tmp, 'cache');
    expect(pruneCache(folder, path.join(folder, nameOf('deploy')))).toEqual([]); // no folder yet
    const notAFolder = path.join(tmp, 'a-file');
    fs.writeFileSync(notAFolder, '');
    expect(pruneCache(notAFolder, 'x')).toEqual([]);

    const [a, b] = ['synth', 'plan'].map((command) => fileUsed(folder, nameOf(command), 40));
    // Tests may run as root, for whom permissions stop neither a listing nor an unlink: fail them here
    // (on the module object itself, which the product's `import * as fs` reads through).
    const listing = jest.spyOn(fs, 'readdirSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    expect(pruneCache(folder, 'x')).toEqual([]);
    expect(listing).toHaveBeenCalledTimes(1);
    const unlink = fs.unlinkSync;
    jest.spyOn(fs, 'unlinkSync').mockImplementation((file) => {
      if (file === a) throw Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' });
      unlink(file);
    });
    expect(pruneCache(folder, 'x')).toEqual([b]);
    expect(fs.readdirSync(folder)).toEqual([path.basename(a!)]);
  });

  it('a run that reads its file marks it used, at most once an hour, and learns when it is gone', () => {
    const stale = fileUsed(tmp, nameOf('deploy'), 2 / 24);
    const fresh = fileUsed(tmp, nameOf('plan'), 0.5 / 24);
    const freshMark = fs.statSync(fresh).mtimeMs;
    const now = Date.now();
    expect([markUsed(stale, now), markUsed(fresh, now)]).toEqual([true, true]);
    expect(Math.round(fs.statSync(stale).mtimeMs)).toBe(now);
    expect(fs.statSync(fresh).mtimeMs).toBe(freshMark);
    // Gone: the run writes it again.
    expect(markUsed(path.join(tmp, nameOf('gone')), now)).toBe(false);
  });
});

/** `provision ...args` with `env` added; returns stdout (throws on a non-zero exit). */
function provision(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
}

describe('through the CLI', () => {
  onNode20('a run that writes its file removes the files unused for 30 days, and keeps the others', () => {
    const cache = path.join(tmp, 'cache');
    const out = path.join(tmp, 'out');
    const gone = fileUsed(cache, nameOf('deploy', '/an/old/clone'), 45);
    const kept = fileUsed(cache, nameOf('status', '/an/old/clone'), 20);
    provision(['synth', '--out', out], { [CACHE_ENV]: cache });
    const own = path.basename(cacheFile(cache, ['synth'], REPO_ROOT));
    expect(fs.readdirSync(cache).sort()).toEqual([own, path.basename(kept)].sort());
    expect(fs.existsSync(gone)).toBe(false);
  });

  onNode20('a run that only reads its file marks it used, and leaves its content as it was', () => {
    const cache = path.join(tmp, 'cache');
    const out = path.join(tmp, 'out');
    provision(['synth', '--out', out], { [CACHE_ENV]: cache });
    const file = cacheFile(cache, ['synth'], REPO_ROOT);
    const content = fs.readFileSync(file);
    const longAgo = new Date(Date.now() - 29 * DAY);
    fs.utimesSync(file, longAgo, longAgo);
    const before = Date.now();
    provision(['synth', '--out', out], { [CACHE_ENV]: cache });
    expect(fs.statSync(file).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
    expect(fs.readFileSync(file).equals(content)).toBe(true);
  });

  onNode20('a run whose file another run removes meanwhile still runs, and writes it again', () => {
    const cache = path.join(tmp, 'cache');
    const [a, b] = ['a.js', 'b.js'].map((f) => path.join(tmp, f));
    fs.writeFileSync(a!, "module.exports = 'a';");
    fs.writeFileSync(b!, "module.exports = 'b';");
    const file = cacheFile(cache, ['t'], REPO_ROOT);
    // Loads a (from the cache, after the first run), then its file goes, then it loads b; a run that
    // missed nothing then writes the file again, having found it gone.
    const run = () =>
      spawnSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(HOOK)}).enableCompileCache(['t']);
           const a = require(${JSON.stringify(a)});
           require('node:fs').rmSync(${JSON.stringify(file)}, { force: true });
           console.log(a + require(${JSON.stringify(b)}));`,
        ],
        { env: { ...process.env, [CACHE_ENV]: cache }, encoding: 'utf8' },
      );
    expect(run().stdout.trim()).toBe('ab');
    expect([...readCache(file).keys()].sort()).toEqual([a, b]);
    const again = run();
    expect([again.status, again.stdout.trim(), again.stderr]).toEqual([0, 'ab', '']);
    expect([...readCache(file).keys()].sort()).toEqual([a, b]);

    // And the CLI, after upkeep (another run's, a month on) removed its file.
    const out = path.join(tmp, 'out');
    const expected = provision(['synth', '--out', out, '--json'], { [CACHE_ENV]: '0' });
    expect(provision(['synth', '--out', out, '--json'], { [CACHE_ENV]: cache })).toBe(expected);
    const synthFile = cacheFile(cache, ['synth'], REPO_ROOT);
    expect(pruneCache(cache, 'none', Date.now() + 31 * DAY)).toContain(synthFile);
    expect(provision(['synth', '--out', out, '--json'], { [CACHE_ENV]: cache })).toBe(expected);
    expect(readCache(synthFile).size).toBeGreaterThan(100);
  });

  onNode20('a folder it cannot read or list only goes without the cache', () => {
    const out = path.join(tmp, 'out');
    const expected = provision(['synth', '--out', out, '--json'], { [CACHE_ENV]: '0' });
    for (const mode of [0o000, 0o300]) {
      const cache = path.join(tmp, `cache-${mode.toString(8)}`);
      fileUsed(cache, nameOf('deploy', '/an/old/clone'), 45);
      fs.chmodSync(cache, mode);
      try {
        expect(provision(['synth', '--out', out, '--json'], { [CACHE_ENV]: cache })).toBe(expected);
      } finally {
        fs.chmodSync(cache, 0o700);
      }
    }
  });
});

it('PROVISION_COMPILE_CACHE=0 (or off) turns it off: no folder is made', () => {
  const xdg = path.join(tmp, 'xdg');
  const out = path.join(tmp, 'out');
  const folder = path.join(xdg, 'cfn-stages', 'compile-cache');
  for (const off of ['0', 'off']) {
    provision(['synth', '--out', out], { XDG_CACHE_HOME: xdg, [CACHE_ENV]: off });
    provision(['--help'], { XDG_CACHE_HOME: xdg, [CACHE_ENV]: off });
    expect(fs.existsSync(folder)).toBe(false);
  }
  // The same runs with the cache on make it: the check above can fail.
  provision(['--help'], { XDG_CACHE_HOME: xdg, [CACHE_ENV]: '' });
  expect(fs.readdirSync(folder).length).toBeGreaterThan(0);
});
