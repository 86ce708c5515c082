/**
 * Where `synth` writes without `--out`: a checkout of the tool regenerates its own committed
 * `published/`; an installed copy (a dependency, a global prefix) writes to `./published/` in the
 * working folder instead, says so, and `synth --check` compares that folder. The packed package's
 * own run of this is in test/e2e/package.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { catalogueVersion, isSourceCheckout, packageRoot, publishedRoot } from '../../src/package';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-target-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function folder(rel: string, markers: string[]): string {
  const dir = path.join(tmp, rel);
  for (const m of markers) fs.mkdirSync(path.join(dir, m), { recursive: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('isSourceCheckout', () => {
  test('this repository is a checkout', () => {
    expect(isSourceCheckout(packageRoot())).toBe(true);
  });
  test('a clone elsewhere is one (by .git or tools/)', () => {
    expect(isSourceCheckout(folder('clone-git', ['.git', 'stages']))).toBe(true);
    expect(isSourceCheckout(folder('clone-tools', ['tools', 'stages']))).toBe(true);
  });
  test('an installed copy is not, even when it carries .git, tools/ or the sources', () => {
    expect(isSourceCheckout(folder('app/node_modules/cfn-stages', ['.git', 'tools', 'stages']))).toBe(false);
    expect(isSourceCheckout(folder('prefix/lib/node_modules/cfn-stages', ['tools']))).toBe(false);
    expect(isSourceCheckout(folder('unpacked/package', ['published', 'dist', 'stages']))).toBe(false);
  });
});

describe('synth without --out from an installed copy', () => {
  let cwd: string;
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;
  const before = new Map<string, number>();

  beforeAll(() => {
    for (const f of fs.readdirSync(path.join(publishedRoot(), catalogueVersion())))
      before.set(f, fs.statSync(path.join(publishedRoot(), catalogueVersion(), f)).mtimeMs);
    before.set('params.schema.json', fs.statSync(path.join(publishedRoot(), 'params.schema.json')).mtimeMs);
  });
  beforeEach(() => {
    cwd = process.cwd();
    process.chdir(fs.mkdtempSync(path.join(tmp, 'work-')));
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    out.mockRestore();
    err.mockRestore();
    process.chdir(cwd);
    process.exitCode = undefined;
    jest.resetModules();
  });
  const stdout = () => out.mock.calls.map((c) => String(c[0])).join('');
  const stderr = () => err.mock.calls.map((c) => String(c[0])).join('');

  /** The CLI as it runs from an installed copy: the same code, with the package root not a checkout. */
  async function installedMain(args: string[]): Promise<number> {
    jest.resetModules();
    jest.doMock('../../src/package', () => ({
      ...jest.requireActual('../../src/package'),
      isSourceCheckout: () => false,
    }));
    const { main } = await import('../../src/cli/main');
    return main(['--no-color', ...args]);
  }

  test('--check in an empty folder compares ./published/<version>, not the package: stale, exit 1', async () => {
    expect(await installedMain(['synth', '--check'])).toBe(1);
    expect(stderr()).toContain(`${path.join('published', catalogueVersion())} is out of date: `);
    expect(stderr()).toContain(
      `run \`provision synth\` here to write the catalogue to ${path.join('published', catalogueVersion())}`,
    );
  });

  test('writes ./published/<version>, says where, leaves the package alone; --check then passes', async () => {
    expect(await installedMain(['synth'])).toBe(0);
    const here = path.join(process.cwd(), 'published', catalogueVersion());
    expect(fs.readdirSync(here).sort()).toEqual(fs.readdirSync(path.join(publishedRoot(), catalogueVersion())).sort());
    expect(stdout()).toContain(
      `templates written to ${path.join('published', catalogueVersion())} (in the working folder: the installed package is left as it is)`,
    );
    expect(fs.existsSync(path.join(process.cwd(), 'published', 'params.schema.json'))).toBe(false);
    for (const [f, mtime] of before) {
      const p =
        f === 'params.schema.json' ? path.join(publishedRoot(), f) : path.join(publishedRoot(), catalogueVersion(), f);
      expect({ f, mtime: fs.statSync(p).mtimeMs }).toEqual({ f, mtime });
    }
    out.mockClear();
    expect(await installedMain(['synth', '--check'])).toBe(0);
    expect(stdout()).toBe(`${path.join('published', catalogueVersion())} is up to date\n`);
  });
});
