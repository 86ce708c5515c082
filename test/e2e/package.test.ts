/**
 * End to end: the npm package works where it is installed, outside the repository.
 *
 * The package is packed from a copy of the sources (so `prepack` really builds it from nothing),
 * installed into a temporary global prefix, and run from an empty temporary folder that knows
 * nothing of the repository: `--version`, `synth --out out/`, `synth` (to ./published), `init`,
 * and a `plan` and `deploy` of a params file written there, against the local emulator. The tarball must hold what runs and
 * nothing of the tests or the emulator.
 *
 * Dependencies install from npm's local cache when set-up already fetched them (`--prefer-offline`).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** What `npm pack` needs of the repository: the sources and what the package ships. */
const SOURCES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'bin',
  'src',
  'stages',
  'templates',
  'published',
  'examples',
];

let tmp: string;
let prefix: string;
let tarball: string;
let emu: Emulator;
let cfn: CloudFormationClient;

/** The installed `provision`, run from `cwd` with only the emulator's environment and the prefix's bin. */
function provision(args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: tmp,
    NO_COLOR: '1',
    ...emu.env,
  };
  return sh(path.join(prefix, 'bin', 'provision'), args, { cwd, env });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-package-'));
  const src = path.join(tmp, 'src');
  fs.mkdirSync(src);
  for (const entry of SOURCES) fs.cpSync(path.join(REPO_ROOT, entry), path.join(src, entry), { recursive: true });
  // The build tools only: `prepack` compiles with the repository's TypeScript.
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(src, 'node_modules'));
  const packed = await sh('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: src, timeoutMs: 180_000 });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  tarball = path.join(tmp, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  prefix = path.join(tmp, 'prefix');
  const installed = await sh(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
    ],
    { cwd: tmp, timeoutMs: 240_000 },
  );
  if (installed.code !== 0) throw new Error(`npm install of the tarball failed:\n${installed.stderr}`);
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
}, 420_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('holds the CLI, the catalogue, the schema, the examples and the licence, and nothing of the tests', async () => {
    const listed = await sh('tar', ['-tzf', tarball], { cwd: tmp });
    const files = listed.stdout
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    const bytes = fs.statSync(tarball).size;
    // The figure the README quotes.
    console.log(`package: ${path.basename(tarball)}, ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB packed`);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/provision.js',
        'dist/src/cli/main.js',
        'published/params.schema.json',
        'published/0.1.0/11.env-network.cf',
        'examples/small.yaml',
        'LICENSE',
        'README.md',
      ]),
    );
    expect(
      files.filter((f) => /^(test|tools)\/|\.py$|\.test\.|tsconfig|jest\.config|^src\/|^templates\/|^stages\//.test(f)),
    ).toEqual([]);
    // A guard against shipping what the filter above misses (the emulator, fixtures: they would
    // double it), with room for the catalogue and the README to grow: about 320 KiB today, the
    // compiled CLI without its comments (tsconfig.build.json's removeComments; the sources keep them).
    expect(bytes).toBeLessThan(400 * 1024);
  });
});

describe('installed globally, run from an empty folder', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(tmp, 'repo-'));
  });

  test('--version and -V print the tool and catalogue versions', async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    for (const flag of ['--version', '-V']) {
      const r = await provision([flag], work);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toBe(`provision ${version} (cfn-stages; catalogue ${version}; Node.js ${process.version})\n`);
    }
    const json = JSON.parse((await provision(['--version', '--json'], work)).stdout) as {
      version: string;
      path: string;
    };
    expect(json.version).toBe(version);
    expect(json.path).toBe(path.join(prefix, 'lib', 'node_modules', 'cfn-stages'));
  });

  test('synth --out out/ writes the catalogue into the working folder', async () => {
    const r = await provision(['synth', '--out', 'out/'], work);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const written = fs.readdirSync(path.join(work, 'out')).sort();
    expect(written).toEqual(fs.readdirSync(path.join(REPO_ROOT, 'published', '0.1.0')).sort());
    expect(fs.readFileSync(path.join(work, 'out', '11.env-network.cf'), 'utf8')).toBe(
      fs.readFileSync(path.join(REPO_ROOT, 'published', '0.1.0', '11.env-network.cf'), 'utf8'),
    );
  });

  test('synth with no --out writes ./published/<version> where it runs, never into the installed package', async () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'cfn-stages', 'published');
    const listing = () => fs.readdirSync(installed, { recursive: true }).map(String).sort();
    const before = listing();
    const here = fs.mkdtempSync(path.join(tmp, 'synth-'));
    const stale = await provision(['synth', '--check'], here);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('published/0.1.0 is out of date');
    const r = await provision(['synth'], here);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('templates written to published/0.1.0 (in the working folder');
    expect(fs.readdirSync(path.join(here, 'published', '0.1.0')).sort()).toEqual(
      fs.readdirSync(path.join(REPO_ROOT, 'published', '0.1.0')).sort(),
    );
    expect(listing()).toEqual(before);
    const check = await provision(['synth', '--check'], here);
    expect({ code: check.code, stdout: check.stdout }).toEqual({ code: 0, stdout: 'published/0.1.0 is up to date\n' });
  });

  test('init writes envs/<env>.yaml pointing at the installed schema, and a .gitignore', async () => {
    const r = await provision(['init', '--env', 'pk', '--prefix', 'pk-', '--contact-email', 'ops@example.com'], work);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const text = fs.readFileSync(path.join(work, 'envs', 'pk.yaml'), 'utf8');
    const schema = path.join(prefix, 'lib', 'node_modules', 'cfn-stages', 'published', 'params.schema.json');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    expect(fs.existsSync(schema)).toBe(true);
    expect(text).toMatch(/^environment: pk$/m);
    expect(text).toMatch(/^prefix: pk-$/m);
    expect(fs.readFileSync(path.join(work, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    // A second init would overwrite the user's file: refused, exit 2.
    const again = await provision(['init', '--env', 'pk'], work);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('envs/pk.yaml already exists');
  });

  test('plan and deploy a params file written there, against the emulator', async () => {
    fs.writeFileSync(
      path.join(work, 'envs', 'net.yaml'),
      [
        'environment: net',
        'prefix: pk-',
        'region: us-east-1',
        'tags: { contactEmail: ops@example.com }',
        'network: { azCount: 2, natGateways: single }',
        'ecsCluster: {}',
        '',
      ].join('\n'),
    );
    const plan = await provision(['plan', '--params', 'envs/net.yaml'], work);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('pk-net-network');
    expect(plan.stdout).toContain('pk-net-ecs-cluster');
    const deploy = await provision(['deploy', '--params', 'envs/net.yaml', '--yes'], work);
    expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
    for (const name of ['pk-net-network', 'pk-net-ecs-cluster']) {
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
      expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    }
    // The file init wrote plans too (its stacks are new: every one is an add).
    const starter = await provision(['plan', '--params', 'envs/pk.yaml'], work);
    expect({ code: starter.code, stderr: starter.stderr }).toEqual({ code: 0, stderr: '' });
    expect(starter.stdout).toContain('pk-pk-network');
  }, 120_000);
});
