/**
 * A V8 code cache for the CLI's CommonJS modules, so that a command does not compile again, in
 * every run, the same 4-5 MB of JavaScript (the AWS SDK clients, zod, yaml, the templates): about
 * a sixth of a no-op deploy's CPU time went to compiling. Node 22 has this built in
 * (`module.enableCompileCache`), and it is used there; Node 20 has not, so on Node 20 this module
 * compiles each module through `vm.Script` with the cached data of an earlier run.
 *
 * - One cache file per command word (`deploy`, `synth`...) and installation, written when a run compiled a module
 *   the file did not hold (or held for other source), after the run (so it holds the functions the
 *   command ran, not only the modules' top levels), keeping the entries of modules the run did not
 *   load (while their files exist), by write and rename: a reader sees a whole old file or a whole new one, whichever of two
 *   concurrent runs wrote last.
 * - Each module's entry is keyed by its path and its source's length and CRC32 (see {@link sourceKey}):
 *   V8 itself only checks the source's length, so an edited or upgraded file of the same length
 *   must not get old code.
 * - Upkeep ({@link UPKEEP}): a run that writes its file then removes the files nobody has read or
 *   written for 30 days and, while the folder is over 200 MiB, the least recently used; a run that
 *   only reads marks its file used (at most once an hour) and lists nothing.
 * - Node 22's own cache, in the same folder, has no upkeep of its own: a subfolder per Node version,
 *   one file per module and installation, kept forever. The same rules apply to it
 *   ({@link nodeCacheUpkeep}): at most once an hour per command and installation, a run marks the
 *   entries of the modules it loaded as used, then does the upkeep above over both caches' files;
 *   every other run pays one `stat`.
 * - Under the user's own cache folder (`$XDG_CACHE_HOME` or `~/.cache`, `cfn-stages/`, mode 700),
 *   never a shared temporary folder: code read from a cache runs as the user.
 *   `PROVISION_COMPILE_CACHE=<folder>` moves it, `PROVISION_COMPILE_CACHE=0` turns it off.
 * - Anything unexpected (no home, a read-only or corrupt cache, a module using `import()`, which
 *   `vm.Script` cannot serve on Node 20) falls back to Node's own loading: the cache can make a
 *   run faster, never fail it.
 *
 * Loaded by bin/provision.js before anything else; it imports only Node's own modules (and src/user-cache.ts, which does too).
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { userCacheFolder, writePrivateFile } from '../user-cache';

/** The environment variable that moves (a folder) or turns off (`0`) the cache. */
export const CACHE_ENV = 'PROVISION_COMPILE_CACHE';

/** The cache folder, or undefined when the cache is off or there is no home to keep it in. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return userCacheFolder(CACHE_ENV, 'compile-cache', env);
}

/** A checksum of a text: zlib's CRC32 where Node has it (20.15 and later), else null. */
export type Checksum = ((text: string) => number) | null;

/** Node's own CRC32 (native; absent before Node 20.15, which the engines range still allows). */
const nodeCrc32: Checksum = (zlib as { crc32?: (text: string) => number }).crc32 ?? null;

/**
 * SHA-1 of a text, where there is no CRC32. node:crypto is loaded here, at first use, not at the
 * top: loading it costs about 2 ms, which every `--help` would pay for nothing.
 */
function sha1(text: string, encoding: 'hex' | 'base64'): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha1').update(text).digest(encoding);
}

/**
 * The key of a module's entry: its source's length and CRC32, as Node's own compile cache keys
 * its entries (by a CRC32 of the source). A checksum is enough here: the key only has to notice
 * that a file of the user's own installation changed (an edit, an upgrade, a rebuild): a change of
 * the length always shows, one within 4 bytes in a row always changes the CRC32, and any other goes
 * unnoticed about once in 2^32. It is no defence against someone who can write the user's files,
 * and needs none: they could change the code itself. SHA-1 (about a third of CRC32's speed here,
 * and node:crypto to load) where Node has no CRC32. A key of either kind differs from the other's
 * and from the bare SHA-1 of earlier versions, so an older cache file only misses, and is rewritten.
 */
export function sourceKey(source: string, crc32: Checksum = nodeCrc32): string {
  return crc32 ? `${source.length}:${crc32(source).toString(16)}` : `sha1:${sha1(source, 'base64')}`;
}

/**
 * The cache file of a run: its command word, the installation (a clone, a global install and a
 * project's devDependency each have their own: 8 hex digits of its folder's CRC32, or SHA-1), the
 * Node version and the machine kind.
 */
export function cacheFile(folder: string, argv: readonly string[], installation: string): string {
  const word = argv.find((a) => !a.startsWith('-')) ?? '';
  const name = /^[a-z][a-z-]{0,15}$/.test(word) ? word : 'other';
  const where = nodeCrc32
    ? nodeCrc32(installation).toString(16).padStart(8, '0')
    : sha1(installation, 'hex').slice(0, 8);
  return path.join(folder, `${name}-${where}-${process.version}-${process.arch}.bin`);
}

interface Entry {
  hash: string;
  data: Buffer;
}

/**
 * Reads a cache file: a 4-byte header length, a JSON header of `[path, hash, bytes]`, then the
 * cached data one after the other. A missing, short or malformed file is an empty cache.
 */
export function readCache(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let blob: Buffer;
  try {
    blob = fs.readFileSync(file);
  } catch {
    return entries;
  }
  try {
    const headerBytes = blob.readUInt32LE(0);
    const header = JSON.parse(blob.subarray(4, 4 + headerBytes).toString('utf8')) as [string, string, number][];
    let offset = 4 + headerBytes;
    for (const [name, hash, bytes] of header) {
      if (offset + bytes > blob.length) return new Map();
      entries.set(name, { hash, data: blob.subarray(offset, offset + bytes) });
      offset += bytes;
    }
  } catch {
    return new Map();
  }
  return entries;
}

/** Writes a cache file whole (temporary file, then rename), creating its folder private to the user. */
export function writeCache(file: string, entries: [string, string, Buffer][]): void {
  const header = Buffer.from(JSON.stringify(entries.map(([name, hash, data]) => [name, hash, data.length])), 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  writePrivateFile(file, Buffer.concat([size, header, ...entries.map(([, , data]) => data)]));
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * The folder's upkeep: how long an unused cache file stays, and how large the folder may grow.
 * A file is "used" when a run reads or writes it: a write sets its mtime, and a run that only reads
 * sets its mtime to now when it is more than an hour old ({@link markUsed}), so the mtime is the
 * last use, to the hour, whatever the file system does with access times.
 */
export const UPKEEP = {
  /**
   * 30 days: a command run at least once a month keeps its cache; the files of an installation
   * that is gone or upgraded (a deleted clone, an earlier global install, another Node version),
   * which nothing reads again, go within a month.
   */
  unusedMs: 30 * DAY,
  /**
   * 200 MiB: one installation whose every command ran holds about 45 MB (a deploy's file alone
   * 9 MB), so four in use at once fit; past that, the least recently used files go first.
   */
  maxBytes: 200 * 1024 * 1024,
  /** How old a file's mark may get before a run that reads it sets it again. */
  markMs: HOUR,
  /** A temporary file this old is a write that died (a write takes well under a second). */
  deadWriteMs: DAY,
} as const;

/** A file of the cache folder that upkeep may remove: its path, size and last use. */
export interface CacheFileInfo {
  file: string;
  bytes: number;
  used: number;
  temporary: boolean;
}

/**
 * The names {@link cacheFile} gives (`.bin`, and `.used` for a Node 22 run's mark, see
 * {@link nodeCacheUpkeep}), and those of {@link writePrivateFile}'s temporary files: upkeep touches
 * nothing else, since `PROVISION_COMPILE_CACHE` may name a folder that holds other files.
 */
const OWN_FILE = /^[a-z][a-z-]{0,15}-[0-9a-f]{8}-v[0-9][0-9a-z.-]*-[0-9a-z]+\.(?:bin|used)(\.[0-9]+\.[0-9a-z]*\.tmp)?$/;

/**
 * The subfolders of Node 22's own cache: one per Node version, architecture, V8 cache tag and user
 * (`v22.12.0-x64-5fad6d45-501`; 8 hex digits in the first Node 22 releases), each holding one file
 * per module named by 8 hex digits of a CRC32 (Node's temporary files add `.XXXXXX`).
 */
const NODE_TAG = /^(?:[0-9a-f]{8}|v[0-9]+\.[0-9]+\.[0-9]+[0-9a-z.-]*-[0-9a-z_]+-[0-9a-f]{8}(?:-[0-9]+)?)$/;
const NODE_ENTRY = /^[0-9a-f]{8}(\.[0-9A-Za-z]{6})?$/;

/** The names in a folder, or none when it cannot be listed. */
function namesIn(folder: string): string[] {
  try {
    return fs.readdirSync(folder);
  } catch {
    return [];
  }
}

/** A real folder (not a link to one); false when it cannot be read. */
function isFolder(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The plain files among `names` of `folder` that match `own`, with their size and last use. */
function filesMatching(folder: string, names: string[], own: RegExp, temporary: (name: string) => boolean) {
  const files: CacheFileInfo[] = [];
  for (const name of names) {
    if (!own.test(name)) continue;
    const file = path.join(folder, name);
    try {
      const stat = fs.lstatSync(file);
      if (stat.isFile()) files.push({ file, bytes: stat.size, used: stat.mtimeMs, temporary: temporary(name) });
    } catch {
      // Gone since the listing (another run's upkeep): nothing to do.
    }
  }
  return files;
}

/**
 * The cache's own files in a folder (plain files only): this module's, and Node 22's entries in its
 * version subfolders (real folders, not links); none when the folder cannot be listed.
 */
export function listCacheFiles(folder: string): CacheFileInfo[] {
  const names = namesIn(folder);
  const nodeFolders = names.filter((n) => NODE_TAG.test(n)).map((n) => path.join(folder, n));
  return [
    ...filesMatching(folder, names, OWN_FILE, (name) => name.endsWith('.tmp')),
    ...nodeFolders
      .filter((dir) => isFolder(dir))
      .flatMap((dir) => filesMatching(dir, namesIn(dir), NODE_ENTRY, (name) => name.includes('.'))),
  ];
}

/**
 * Which files upkeep removes: temporary files of writes that died; cache files unused for
 * {@link UPKEEP}.unusedMs; then, while the folder is over {@link UPKEEP}.maxBytes, the least recently
 * used. Never `keep`, the file the run has just written, nor a temporary file a write may still
 * be filling.
 */
export function filesToRemove(files: readonly CacheFileInfo[], keep: string, now: number, limits = UPKEEP): string[] {
  const removed = files.filter((f) =>
    f.temporary ? now - f.used > limits.deadWriteMs : f.file !== keep && now - f.used > limits.unusedMs,
  );
  const left = files.filter((f) => !removed.includes(f));
  let bytes = left.reduce((sum, f) => sum + f.bytes, 0);
  const byLastUse = left.filter((f) => !f.temporary && f.file !== keep).sort((a, b) => a.used - b.used);
  for (const f of byLastUse) {
    if (bytes <= limits.maxBytes) break;
    removed.push(f);
    bytes -= f.bytes;
  }
  return removed.map((f) => f.file);
}

/**
 * The upkeep a run does after it writes its cache file (a run that only reads lists nothing, so a
 * normal run pays nothing for it). Safe beside other runs: a run reads its file whole when it
 * starts, so removing it later costs that run nothing, and the next run of that command only
 * misses and writes it again; a write in progress is a fresh temporary file, which is kept. A
 * folder that cannot be listed, or a file that cannot be removed, is left as it is. Returns the
 * files removed.
 */
export function pruneCache(folder: string, keep: string, now = Date.now(), limits = UPKEEP): string[] {
  const removed: string[] = [];
  for (const file of filesToRemove(listCacheFiles(folder), keep, now, limits)) {
    try {
      fs.unlinkSync(file);
      removed.push(file);
    } catch {
      // Already gone (another run's upkeep), or not ours to remove: left as it is.
    }
  }
  // A Node version subfolder left empty goes too (rmdir refuses one that is not empty); a Node 22
  // run of this version then makes it again.
  for (const dir of new Set(removed.map((f) => path.dirname(f)).filter((d) => d !== folder))) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Not empty, or gone: left as it is.
    }
  }
  return removed;
}

/**
 * Marks a cache file a run read as used (its mtime now), when its mark is over
 * {@link UPKEEP}.markMs old: one stat per run, and a write of the mark at most once an hour.
 * Returns false when the file is not there (another run's upkeep removed it meanwhile), for the
 * run to write it again.
 */
export function markUsed(file: string, now = Date.now(), limits = UPKEEP): boolean {
  let mark: number;
  try {
    mark = fs.statSync(file).mtimeMs;
  } catch {
    return false;
  }
  try {
    if (now - mark > limits.markMs) fs.utimesSync(file, new Date(now), new Date(now));
  } catch {
    // Not the user's to touch (a folder shared read-only): it only ages.
  }
  return true;
}

/**
 * The name of Node 22's cache entry for a CommonJS module: 8 hex digits of the CRC32 of the module
 * type (one byte, 0 for CommonJS) followed by the module's file name (`GetCacheKey` in Node's
 * src/compile_cache.cc). Undefined where Node has no CRC32 (before 20.15: no Node 22 there).
 */
export function nodeCacheEntry(filename: string, crc32: Crc32 | null = zlibCrc32): string | undefined {
  if (!crc32) return undefined;
  return crc32(filename, crc32(new Uint8Array([0])))
    .toString(16)
    .padStart(8, '0');
}

/** zlib's CRC32 with its running value: `crc32(b, crc32(a))` is the CRC32 of `a` then `b`. */
type Crc32 = (data: string | Uint8Array, value?: number) => number;
const zlibCrc32: Crc32 | null = (zlib as { crc32?: Crc32 }).crc32 ?? null;

/** What {@link nodeCacheUpkeep} works from: the run's cache folder, its mark, and Node's state. */
export interface NodeCacheRun {
  folder: string;
  /** This command's and installation's mark (`deploy-1a2b3c4d-v22.12.0-x64.used`). */
  mark: string;
  /** The version subfolder Node 22 reads and writes in this run (`module.getCompileCacheDir()`). */
  nodeFolder?: string;
  /** The files of the modules the run loaded (the keys of `require.cache`). */
  loaded: readonly string[];
}

/**
 * The upkeep of a run whose compiling Node 22 caches itself, at its exit. Node writes an entry when
 * it compiles a module anew and never touches it when it only reads it, so an entry's mtime says
 * nothing of its use; the run's mark does. When the mark is under {@link UPKEEP}.markMs old this is
 * one `stat` and nothing more (most runs). Otherwise the run sets its mark, sets the mtime of the
 * entries of the modules it loaded to now (their last use, to the hour), and does
 * {@link pruneCache}'s upkeep over the folder, Node's entries and this module's files alike: an
 * entry no run of any command marked for 30 days (a deleted clone's, an earlier Node version's)
 * goes, and the least recently used while the folder is over 200 MiB. An entry taken wrongly only
 * costs the next run that module's compiling. Returns the files removed, or undefined when the mark
 * was fresh.
 */
export function nodeCacheUpkeep(run: NodeCacheRun, now = Date.now(), limits = UPKEEP): string[] | undefined {
  try {
    if (now - fs.statSync(run.mark).mtimeMs <= limits.markMs) return undefined;
  } catch {
    // No mark yet: this command's first run here.
  }
  try {
    writePrivateFile(run.mark, '');
  } catch {
    return []; // a folder it cannot write to gets no upkeep from it
  }
  const when = new Date(now);
  // NODE_COMPILE_CACHE set by the user wins over ours: Node's folder is then elsewhere, and not ours to mark.
  const ours = run.nodeFolder !== undefined && path.dirname(run.nodeFolder) === path.resolve(run.folder);
  for (const file of ours ? run.loaded : []) {
    const entry = nodeCacheEntry(file);
    try {
      if (entry) fs.utimesSync(path.join(run.nodeFolder!, entry), when, when);
    } catch {
      // Not cached (yet): Node writes it at exit.
    }
  }
  const removed = pruneCache(run.folder, run.mark, now, limits);
  try {
    // Node writes this run's new entries there at exit: an upkeep that emptied it must not take it.
    if (ours) fs.mkdirSync(run.nodeFolder!, { recursive: true, mode: 0o700 });
  } catch {
    // Node then only misses its writes of this run.
  }
  return removed;
}

/** The parts of Node's CommonJS loader used here (public in practice, untyped in @types/node). */
interface Loader {
  prototype: { _compile(content: string, filename: string): unknown };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: unknown): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

interface LoadedModule {
  exports: unknown;
  require(id: string): unknown;
}

/** The `require` a module body gets, as Node builds it. */
function requireFor(loader: Loader, mod: LoadedModule): NodeJS.Require {
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) =>
    loader._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => loader._resolveLookupPaths(request, mod);
  return Object.assign(req, {
    resolve,
    main: require.main,
    extensions: loader._extensions,
    cache: loader._cache,
  }) as NodeJS.Require;
}

/**
 * What a run writes: the modules it compiled, then those of earlier runs it did not load (a
 * deploy that creates stacks loads more than a no-op) and that are still there: runs of one
 * command do not evict each other's, and a file removed by an upgrade leaves the cache with its
 * next write.
 */
function entriesToWrite(
  compiled: [string, string, vm.Script][],
  cached: Map<string, Entry>,
): [string, string, Buffer][] {
  const entries: [string, string, Buffer][] = compiled.map(([name, hash, script]) => [
    name,
    hash,
    script.createCachedData(),
  ]);
  const loaded = new Set(compiled.map(([name]) => name));
  for (const [name, entry] of cached)
    if (!loaded.has(name) && fs.existsSync(name)) entries.push([name, entry.hash, entry.data]);
  return entries;
}

/**
 * Turns the cache on for the rest of the process (see the top of this file). Returns the cache
 * file in use, or undefined when it stays off.
 */
export function enableCompileCache(argv: readonly string[] = process.argv.slice(2)): string | undefined {
  const folder = cacheFolder();
  if (!folder) return undefined;
  // dist/src/cli/ -> the package's own folder.
  const file = cacheFile(folder, argv, path.resolve(__dirname, '..', '..', '..'));
  const node = Module as unknown as {
    enableCompileCache?: (dir: string) => unknown;
    getCompileCacheDir?: () => string;
  };
  if (node.enableCompileCache) {
    node.enableCompileCache(folder);
    process.once('exit', () => {
      try {
        const nodeFolder = node.getCompileCacheDir?.();
        const loaded = Object.keys((Module as unknown as Loader)._cache as object);
        nodeCacheUpkeep({ folder, mark: file.replace(/\.bin$/, '.used'), nodeFolder, loaded });
      } catch {
        // Upkeep can only save space; it never fails a run.
      }
    });
    return folder;
  }
  const cached = readCache(file);
  const compiled: [string, string, vm.Script][] = [];
  let missed = false;
  const loader = Module as unknown as Loader;
  const nodeCompile = loader.prototype._compile;
  loader.prototype._compile = function (this: LoadedModule, content: string, filename: string) {
    // A hashbang, or import() (which needs the loader's own dynamic-import callback): Node's way.
    if (content.startsWith('#!') || content.includes('import(')) return nodeCompile.call(this, content, filename);
    const hash = sourceKey(content);
    const hit = cached.get(filename);
    const script = new vm.Script(loader.wrap(content), {
      filename,
      cachedData: hit?.hash === hash ? hit.data : undefined,
    });
    if (hit?.hash !== hash || script.cachedDataRejected) missed = true;
    compiled.push([filename, hash, script]);
    const body = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return body.call(this.exports, this.exports, requireFor(loader, this), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    // A run that missed nothing only marks its file used, unless the file went meanwhile.
    if (!missed && markUsed(file)) return;
    try {
      writeCache(file, entriesToWrite(compiled, cached));
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs speed.
    }
    // Even when the write failed: a full disk is one reason it may have.
    pruneCache(folder, file);
  });
  return file;
}
