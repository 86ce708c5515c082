/**
 * The compile cache (src/cli/compile-cache.ts): where it lives, that a second run of a command is
 * served from it without rewriting it, that an edited module never runs its old code (and a cache
 * keyed the way earlier versions keyed it only misses), and that a corrupt or unwritable cache only
 * costs speed. The hook itself is Node 20's; on Node 22 and later
 * Node's own cache is used and the hook's checks are skipped.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CACHE_ENV, cacheFile, cacheFolder, readCache, sourceKey, writeCache } from '../../src/cli/compile-cache';
import { REPO_ROOT } from '../helpers/emulator';

const BIN = path.join(REPO_ROOT, 'bin', 'provision.js');
const HOOK = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'compile-cache.js');
const hooked = !('enableCompileCache' in Module);
const onNode20 = hooked ? it : it.skip;

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-compile-cache-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('where the cache lives', () => {
  it('under the user cache folder, moved or turned off by PROVISION_COMPILE_CACHE', () => {
    expect(cacheFolder({ XDG_CACHE_HOME: '/home/u/.xdg' })).toBe('/home/u/.xdg/cfn-stages/compile-cache');
    expect(cacheFolder({ [CACHE_ENV]: '/var/cache/p' })).toBe('/var/cache/p');
    expect(cacheFolder({ [CACHE_ENV]: '0', XDG_CACHE_HOME: '/x' })).toBeUndefined();
    expect(cacheFolder({ [CACHE_ENV]: 'off' })).toBeUndefined();
  });

  it('one file per command word and installation, per Node version and machine kind', () => {
    const name = (argv: string[], at = '/opt/cfn-stages') => path.basename(cacheFile('/c', argv, at));
    const suffix = `-${process.version}-${process.arch}.bin`;
    expect(name(['deploy', '--params', 'a.yaml'])).toMatch(new RegExp(`^deploy-[0-9a-f]{8}${suffix}$`));
    expect(name(['--json', 'status'])).toMatch(/^status-/);
    expect(name(['--help'])).toMatch(/^other-/);
    expect(name(['../../etc/passwd'])).toMatch(/^other-/);
    expect(path.dirname(cacheFile('/c', ['deploy'], '/x'))).toBe('/c');
    expect(name(['deploy'])).toBe(name(['deploy', '--yes']));
    expect(name(['deploy'])).not.toBe(name(['deploy'], '/home/u/project/node_modules/cfn-stages'));
  });
});

describe("a module's key", () => {
  const source = "module.exports = 'old';";
  const crc32 = (zlib as { crc32?: (text: string) => number }).crc32;
  const withCrc = crc32 ? it : it.skip;

  withCrc("is the source's length and CRC32 where Node has zlib.crc32", () => {
    expect(sourceKey(source)).toBe(`${source.length}:${crc32!(source).toString(16)}`);
    expect(sourceKey(source)).toBe(sourceKey(String(source)));
    expect(sourceKey(source.replace('old', 'new'))).not.toBe(sourceKey(source));
    expect(sourceKey(source + ' ')).not.toBe(sourceKey(source));
  });

  it('is a SHA-1 where it has not (Node before 20.15), unlike the CRC32 key and the bare SHA-1 of earlier versions', () => {
    const digest = createHash('sha1').update(source).digest('base64');
    expect(sourceKey(source, null)).toBe(`sha1:${digest}`);
    expect(sourceKey(source.replace('old', 'new'), null)).not.toBe(sourceKey(source, null));
    expect(sourceKey(source, () => 0)).not.toBe(sourceKey(source, null));
    expect([sourceKey(source, () => 0), sourceKey(source, null)]).not.toContain(digest);
  });
});

describe('the cache file', () => {
  it('reads back what was written, private to the user', () => {
    const file = path.join(tmp, 'sub', 'x.bin');
    writeCache(file, [
      ['/a.js', 'h1', Buffer.from('one')],
      ['/b.js', 'h2', Buffer.from('second')],
    ]);
    const read = readCache(file);
    expect([...read].map(([name, e]) => [name, e.hash, e.data.toString()])).toEqual([
      ['/a.js', 'h1', 'one'],
      ['/b.js', 'h2', 'second'],
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['x.bin']);
  });

  it('missing, truncated or garbage is an empty cache', () => {
    const file = path.join(tmp, 'x.bin');
    expect(readCache(file).size).toBe(0);
    writeCache(file, [['/a.js', 'h1', Buffer.from('some data')]]);
    fs.truncateSync(file, fs.statSync(file).size - 2);
    expect(readCache(file).size).toBe(0);
    fs.writeFileSync(file, 'not a cache at all');
    expect(readCache(file).size).toBe(0);
  });
});

/** `provision ...args` with the cache in `folder`; returns stdout (throws on a non-zero exit). */
function provision(folder: string, args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, [CACHE_ENV]: folder, NO_COLOR: '1' },
    encoding: 'utf8',
  });
}

describe('through the CLI', () => {
  onNode20('a second run is served from the cache and leaves it as it was; output is the same without it', () => {
    const cache = path.join(tmp, 'cache');
    const out = path.join(tmp, 'out');
    const first = provision(cache, ['synth', '--out', out, '--json']);
    const [file] = fs.readdirSync(cache);
    expect(file).toBe(path.basename(cacheFile(cache, ['synth'], REPO_ROOT)));
    const written = fs.statSync(path.join(cache, file!));
    // Every module of the run is in it: cloudform-types, the templates, the synth command.
    const names = [...readCache(path.join(cache, file!)).keys()];
    expect(names.some((n) => n.includes(`${path.sep}cloudform-types${path.sep}`))).toBe(true);
    expect(names).toContain(path.join(REPO_ROOT, 'dist', 'src', 'commands', 'synth', 'run.js'));

    expect(provision(cache, ['synth', '--out', out, '--json'])).toBe(first);
    expect(fs.statSync(path.join(cache, file!)).mtimeMs).toBe(written.mtimeMs);
    expect(provision('0', ['synth', '--out', out, '--json'])).toBe(first);
  });

  onNode20('two runs at once, both writing a new cache, both succeed and leave one whole file', async () => {
    const cache = path.join(tmp, 'cache');
    const out = (n: number) => path.join(tmp, `out-${n}`);
    const runs = [1, 2, 3].map(
      (n) =>
        new Promise<number | null>((resolve) =>
          execFile(process.execPath, [BIN, 'synth', '--out', out(n), '--json'], {
            cwd: REPO_ROOT,
            env: { ...process.env, [CACHE_ENV]: cache, NO_COLOR: '1' },
          }).once('exit', resolve),
        ),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect(fs.readdirSync(cache)).toEqual([path.basename(cacheFile(cache, ['synth'], REPO_ROOT))]);
    expect(readCache(cacheFile(cache, ['synth'], REPO_ROOT)).size).toBeGreaterThan(100);
  });

  onNode20('an edited module of the same length runs its new code, not the cached one', () => {
    const cache = path.join(tmp, 'cache');
    const mod = path.join(tmp, 'mod.js');
    const run = () =>
      spawnSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(HOOK)}).enableCompileCache(['t']); console.log(require(${JSON.stringify(mod)}))`,
        ],
        { env: { ...process.env, [CACHE_ENV]: cache }, encoding: 'utf8' },
      ).stdout.trim();
    fs.writeFileSync(mod, "module.exports = 'old';");
    expect(run()).toBe('old');
    expect(run()).toBe('old'); // from the cache
    fs.writeFileSync(mod, "module.exports = 'new';");
    expect(run()).toBe('new');
  });

  onNode20(
    'a cache written with the keys of earlier versions (SHA-1) misses, runs the current code and is rewritten',
    () => {
      const cache = path.join(tmp, 'cache');
      const mod = path.join(tmp, 'mod.js');
      const run = () =>
        spawnSync(
          process.execPath,
          [
            '-e',
            `require(${JSON.stringify(HOOK)}).enableCompileCache(['t']); console.log(require(${JSON.stringify(mod)}))`,
          ],
          { env: { ...process.env, [CACHE_ENV]: cache }, encoding: 'utf8' },
        );
      const source = "module.exports = 'one';";
      fs.writeFileSync(mod, source);
      expect(run().stdout.trim()).toBe('one');
      // What an earlier version wrote: the same layout, each entry keyed by the bare SHA-1.
      const file = cacheFile(cache, ['t'], REPO_ROOT);
      const data = readCache(file).get(mod)!.data;
      const oldKey = createHash('sha1').update(source).digest('base64');
      writeCache(file, [[mod, oldKey, data]]);

      const again = run();
      expect([again.status, again.stdout.trim(), again.stderr]).toEqual([0, 'one', '']);
      expect(readCache(file).get(mod)?.hash).toBe(sourceKey(source));
    },
  );

  onNode20("runs of one command that load different modules keep each other's entries, while they exist", () => {
    const cache = path.join(tmp, 'cache');
    const [a, b] = ['a.js', 'b.js'].map((f) => path.join(tmp, f));
    fs.writeFileSync(a!, "module.exports = 'a';");
    fs.writeFileSync(b!, "module.exports = 'b';");
    const run = (mod: string) =>
      spawnSync(
        process.execPath,
        ['-e', `require(${JSON.stringify(HOOK)}).enableCompileCache(['t']); require(${JSON.stringify(mod)})`],
        { env: { ...process.env, [CACHE_ENV]: cache } },
      );
    run(a!);
    run(b!);
    const file = cacheFile(cache, ['t'], REPO_ROOT);
    expect([...readCache(file).keys()].sort()).toEqual([a, b]);
    // A module that is gone leaves the cache with its next write.
    const c = path.join(tmp, 'c.js');
    fs.writeFileSync(c, "module.exports = 'c';");
    fs.rmSync(a!);
    run(c);
    expect([...readCache(file).keys()].sort()).toEqual([b, c]);
  });

  onNode20('a corrupt cache is rewritten, and an unwritable one only goes unused', () => {
    const cache = path.join(tmp, 'cache');
    const out = path.join(tmp, 'out');
    const expected = provision('0', ['synth', '--out', out, '--json']);
    fs.mkdirSync(cache);
    const file = cacheFile(cache, ['synth'], REPO_ROOT);
    fs.writeFileSync(file, Buffer.alloc(64, 7));
    expect(provision(cache, ['synth', '--out', out, '--json'])).toBe(expected);
    expect(readCache(file).size).toBeGreaterThan(100);

    // A folder that cannot be made (its parent is a file), whoever runs the test.
    const notAFolder = path.join(tmp, 'a-file');
    fs.writeFileSync(notAFolder, '');
    expect(provision(path.join(notAFolder, 'cache'), ['synth', '--out', out, '--json'])).toBe(expected);
  });
});
