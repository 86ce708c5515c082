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
 * that a file of the user's own installation changed (an edit, an upgrade, a rebuild), and an
 * accidental change of the same length goes unnoticed once in 2^32. It is no defence against
 * someone who can write the user's files, and needs none: they could change the code itself.
 * SHA-1 (a quarter of the speed, and node:crypto to load) where Node has no CRC32. A key of
 * either kind differs from the other's and from the bare SHA-1 of earlier versions, so an older
 * cache file only misses, and is rewritten.
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
 * Turns the cache on for the rest of the process (see the top of this file). Returns the cache
 * file in use, or undefined when it stays off.
 */
export function enableCompileCache(argv: readonly string[] = process.argv.slice(2)): string | undefined {
  const folder = cacheFolder();
  if (!folder) return undefined;
  const native = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (native) {
    native(folder);
    return folder;
  }
  // dist/src/cli/ -> the package's own folder.
  const file = cacheFile(folder, argv, path.resolve(__dirname, '..', '..', '..'));
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
    if (!missed) return;
    // The modules this run compiled, then those of earlier runs it did not load (a deploy that
    // creates stacks loads more than a no-op) and that are still there: runs of one command do not
    // evict each other's, and a file removed by an upgrade leaves the cache with its next write.
    const entries: [string, string, Buffer][] = compiled.map(([name, hash, script]) => [
      name,
      hash,
      script.createCachedData(),
    ]);
    const loaded = new Set(compiled.map(([name]) => name));
    for (const [name, entry] of cached)
      if (!loaded.has(name) && fs.existsSync(name)) entries.push([name, entry.hash, entry.data]);
    try {
      writeCache(file, entries);
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs speed.
    }
  });
  return file;
}
