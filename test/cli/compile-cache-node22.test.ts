/**
 * The upkeep of Node 22's own compile cache (nodeCacheUpkeep in src/cli/compile-cache.ts), on a
 * temporary folder laid out as Node 22 lays it out: a subfolder per Node version
 * (`v22.12.0-x64-5fad6d45-501`), a file per module named by 8 hex digits. This machine runs Node 20,
 * so Node 22 itself is not run: the last test stands in for its two functions to check the wiring.
 * The rules are the Node 20 cache's (compile-cache-upkeep.test.ts): 30 days unused, 200 MiB, a
 * mark at most once an hour, nothing else in the folder touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CACHE_ENV, UPKEEP, cacheFile, nodeCacheEntry, nodeCacheUpkeep } from '../../src/cli/compile-cache';
import { REPO_ROOT } from '../helpers/emulator';

const HOOK = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'compile-cache.js');
const DAY = 24 * 60 * 60 * 1000;
const TAG = 'v22.12.0-x64-5fad6d45-1000';
const OLD_TAG = 'v22.3.0-x64-0a1b2c3d-1000';

let tmp: string;
let folder: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-node22-cache-'));
  folder = path.join(tmp, 'cache');
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A file of `bytes` bytes at `folder/...parts`, last modified `daysAgo` days ago. */
function fileUsed(parts: string[], daysAgo: number, bytes = 10): string {
  const file = path.join(folder, ...parts);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.alloc(bytes));
  const when = new Date(Date.now() - daysAgo * DAY);
  fs.utimesSync(file, when, when);
  return file;
}

const markOf = (command: string) => cacheFile(folder, [command], REPO_ROOT).replace(/\.bin$/, '.used');
const entryOf = (module: string) => nodeCacheEntry(module)!;
const ageInDays = (file: string) => (Date.now() - fs.statSync(file).mtimeMs) / DAY;

test("an entry's name is the CRC32 of the CommonJS type byte (0) and the module's file name, as Node names it", () => {
  const file = '/opt/app/node_modules/cfn-stages/dist/src/cli/main.js';
  const expected = zlib.crc32(Buffer.concat([Buffer.from([0]), Buffer.from(file, 'utf8')]));
  expect(entryOf(file)).toBe(expected.toString(16).padStart(8, '0'));
  expect(entryOf(file)).toMatch(/^[0-9a-f]{8}$/);
  expect(entryOf('/a/b.js')).toBe('290c05ff');
  expect(nodeCacheEntry('/a/b.js', null)).toBeUndefined();
});

test('a mark under an hour old: one stat, no listing, nothing touched', () => {
  const mark = fileUsed([path.basename(markOf('deploy'))], 0.5 / 24, 0);
  const old = fileUsed([OLD_TAG, '0123abcd'], 90);
  const listing = jest.spyOn(fs, 'readdirSync');
  expect(nodeCacheUpkeep({ folder, mark, nodeFolder: path.join(folder, TAG), loaded: ['/x.js'] })).toBeUndefined();
  expect(listing).not.toHaveBeenCalled();
  expect(fs.existsSync(old)).toBe(true);
  expect(ageInDays(mark)).toBeGreaterThan(0.4 / 24);
});

test("a due run marks its modules' entries, then removes entries and version folders unused for 30 days", () => {
  const loaded = ['/opt/app/dist/src/cli/main.js', '/opt/app/node_modules/yaml/dist/index.js'];
  const inUse = loaded.map((m) => fileUsed([TAG, entryOf(m)], 40)); // read by every run, written 40 days ago
  const otherCommand = fileUsed([TAG, entryOf('/opt/app/dist/src/commands/logs/run.js')], 10);
  const goneClone = fileUsed([TAG, entryOf('/home/me/old-clone/dist/src/cli/main.js')], 31);
  const oldVersion = [fileUsed([OLD_TAG, 'aaaaaaaa'], 45), fileUsed([OLD_TAG, 'bbbbbbbb'], 60)];
  const deadWrite = fileUsed([TAG, `${entryOf('/opt/app/a.js')}.Xy12Ab`], 2);
  const writing = fileUsed([TAG, `${entryOf('/opt/app/b.js')}.Qr34St`], 0);
  const oldMark = fileUsed([path.basename(markOf('status')).replace(/-[0-9a-f]{8}-/, '-00000000-')], 50, 0);
  const notOurs = [
    fileUsed(['notes.txt'], 400),
    fileUsed([TAG, 'README'], 400),
    fileUsed(['v22-backup', 'cccccccc'], 400),
  ];
  const mark = markOf('deploy');

  const removed = nodeCacheUpkeep({ folder, mark, nodeFolder: path.join(folder, TAG), loaded });

  expect(removed!.sort()).toEqual([goneClone, ...oldVersion, deadWrite, oldMark].sort());
  for (const f of inUse) expect(ageInDays(f)).toBeLessThan(0.01);
  expect(ageInDays(mark)).toBeLessThan(0.01);
  for (const f of [otherCommand, writing, ...notOurs]) expect(fs.existsSync(f)).toBe(true);
  expect(fs.existsSync(path.join(folder, OLD_TAG))).toBe(false); // emptied: the folder goes too
  expect(fs.existsSync(path.join(folder, TAG))).toBe(true);
});

test("the run's own version folder stays even when upkeep empties it: Node writes there at exit", () => {
  const only = fileUsed([TAG, entryOf('/home/me/old-clone/dist/src/cli/main.js')], 31);
  const nodeFolder = path.join(folder, TAG);
  expect(nodeCacheUpkeep({ folder, mark: markOf('plan'), nodeFolder, loaded: [] })).toEqual([only]);
  expect(fs.readdirSync(nodeFolder)).toEqual([]);
});

test("with NODE_COMPILE_CACHE set, Node's folder is the user's: its entries are not marked", () => {
  const elsewhere = path.join(tmp, 'node-cache', TAG);
  const loaded = ['/opt/app/dist/src/cli/main.js'];
  const entry = path.join(elsewhere, entryOf(loaded[0]!));
  fs.mkdirSync(elsewhere, { recursive: true });
  fs.writeFileSync(entry, '');
  const when = new Date(Date.now() - 40 * DAY);
  fs.utimesSync(entry, when, when);
  expect(nodeCacheUpkeep({ folder, mark: markOf('plan'), nodeFolder: elsewhere, loaded })).toEqual([]);
  expect(ageInDays(entry)).toBeGreaterThan(39);
});

test('over the size bound, the least recently used go first, Node entries and Node 20 files alike, never the mark', () => {
  const limits = { ...UPKEEP, maxBytes: 150 };
  const oldest = fileUsed([OLD_TAG, 'aaaaaaaa'], 5, 100);
  const node20 = fileUsed([path.basename(cacheFile(folder, ['plan'], '/elsewhere'))], 4, 100);
  const newer = fileUsed([TAG, 'bbbbbbbb'], 1, 100);
  const mark = markOf('deploy');
  expect(nodeCacheUpkeep({ folder, mark, loaded: [] }, Date.now(), limits)!.sort()).toEqual([oldest, node20].sort());
  expect(fs.existsSync(newer)).toBe(true);
});

test('a cache folder it cannot write its mark to gets no upkeep, and no error', () => {
  fs.writeFileSync(folder, 'a file where the folder should be');
  expect(nodeCacheUpkeep({ folder, mark: path.join(folder, 'x.used'), loaded: [] })).toEqual([]);
});

test("through the launcher's hook: with Node 22's functions present, the run's exit marks and prunes", () => {
  // Stand-ins for module.enableCompileCache / getCompileCacheDir (Node 22), which Node 20 lacks.
  const mod = path.join(tmp, 'm.js');
  fs.writeFileSync(mod, "module.exports = 'm';");
  const tagFolder = path.join(folder, TAG);
  const entry = fileUsed([TAG, entryOf(mod)], 40);
  const stale = fileUsed([OLD_TAG, 'aaaaaaaa'], 40);
  const script = `
    const Module = require('node:module');
    Module.enableCompileCache = (dir) => { globalThis.enabledWith = dir; };
    Module.getCompileCacheDir = () => ${JSON.stringify(tagFolder)};
    const used = require(${JSON.stringify(HOOK)}).enableCompileCache(['t']);
    require(${JSON.stringify(mod)});
    console.log(JSON.stringify([used, globalThis.enabledWith]));`;
  const run = () =>
    spawnSync(process.execPath, ['-e', script], { env: { ...process.env, [CACHE_ENV]: folder }, encoding: 'utf8' });
  const first = run();
  expect(first.stderr).toBe('');
  expect(JSON.parse(first.stdout)).toEqual([folder, folder]);
  expect(ageInDays(entry)).toBeLessThan(0.01);
  expect(fs.existsSync(stale)).toBe(false);
  const mark = fs.readdirSync(folder).filter((n) => n.endsWith('.used'));
  expect(mark).toEqual([expect.stringMatching(/^t-[0-9a-f]{8}-v[0-9.]+-[0-9a-z]+\.used$/)]);
  // The next run within the hour: the mark is fresh, so an entry aged since is left as it is.
  const later = new Date(Date.now() - 40 * DAY);
  fs.utimesSync(entry, later, later);
  expect(run().status).toBe(0);
  expect(ageInDays(entry)).toBeGreaterThan(39);
});
