/**
 * End to end: the wizard in a REAL pseudo-terminal. `node bin/provision.js` runs under
 * test/e2e/run_in_pty.py (Python's pty module: the project has no node-pty), so stdin and stdout
 * are TTYs of a fixed size; keystrokes are written to it (text + "\r", arrow keys, Ctrl-C) and
 * the screen output is read back, waiting for each prompt by its text. Against the local emulator
 * (moto with cfn-stages' extension, through the real AWS SDK):
 *
 *   1. a new environment from scratch (network, ECS cluster, one repository, one app with a
 *      service): the stacks exist afterwards and the params file was written;
 *   2. a re-run finds the environment, offers to update it with its current values as defaults;
 *      one changed setting (maxContainers) updates only the service stack;
 *   3. the saved params file replays with `provision deploy --params F --yes` as a no-op;
 *   4. Ctrl-C at the first prompt exits 130 with nothing deployed;
 *   5. without a TTY, `provision` prints usage and exits 2 (and `provision wizard` refuses);
 *   6. while it waits for a service's image, "s" skips the services (they wait for a deploy);
 *   7. Ctrl-C while it waits leaves with 130, the services not deployed.
 *
 * Steps 1-3 share one working folder and one emulator, in order (each builds on the last).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { pushImage } from '../helpers/images';
import { Terminal } from '../helpers/terminal';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'provision.js');

const DOWN = '\x1b[B';
const CTRL_C = '\x03';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emu: Emulator;
let cfn: CloudFormationClient;
let work: string;
const terminals: Terminal[] = [];

function terminal(args: string[], cwd = work): Terminal {
  const t = new Terminal(args, cwd, emu.env);
  terminals.push(t);
  return t;
}

function run(
  args: string[],
  opts: { cwd?: string; stdin?: 'ignore' | 'pipe' } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: opts.cwd ?? work, env: { ...process.env, ...emu.env, NO_COLOR: '1' }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

async function stack(name: string) {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch {
    return undefined;
  }
}

async function liveStacks(): Promise<string[]> {
  const r = await cfn.send(new ListStacksCommand({}));
  return (r.StackSummaries ?? [])
    .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
    .map((s) => s.StackName!)
    .sort();
}

const STACKS = [
  'w-e2e-network',
  'w-e2e-ecs-cluster',
  'ecr-wizweb',
  'w-e2e-shop-loadbalancer',
  'w-e2e-shop-service',
  'w-e2e-shop-alarms',
];

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'commands', 'wizard', 'run.js')))
    throw new Error('dist/ is not built: run `npm run build` first');
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-wizard-'));
}, 60_000);

afterAll(async () => {
  for (const t of terminals) t.kill();
  cfn?.destroy();
  await emu?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the wizard in a pseudo-terminal', () => {
  test('1. a new environment from scratch: asks, saves the params file, deploys, waits for the image, shows the URL and next steps', async () => {
    const t = terminal([]);
    // The wizard creates the repository, shows the push commands and waits: push as a user would.
    let serviceBeforePush: unknown = 'not looked at';
    const pushed = t.waitFor(/\? Waiting for wizweb:initial in ECR/, 90_000).then(async () => {
      serviceBeforePush = (await stack('w-e2e-shop-service'))?.StackStatus;
      await pushImage(emu, 'wizweb', 'initial');
    });
    const code = await t.answerAll(
      [
        [/^Environment name/, 'e2e\r'],
        [/^Prefix/, 'w-\r'],
        [/^Contact email/, 'ops@example.com\r'],
        [/^NAT gateways/, `${DOWN}\r`], // one-per-az -> single
        [/^Repository name/, 'wizweb\r'],
        [/^App name/, 'shop\r'],
      ],
      90_000,
    );
    await pushed;
    const screen = t.text;
    expect({ code, tail: code === 0 ? '' : t.tail() }).toEqual({ code: 0, tail: '' });
    const prompts = t.answered.map((a) => a.prompt);
    // It started by asking the environment (no saved files here), asked the plan's confirmation,
    // and then (the repository created, the service not) waited for the image.
    expect(prompts[0]).toMatch(/^Environment name \(dev\)/);
    expect(prompts).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AWS region \(us-east-1\)/),
        expect.stringMatching(/^Max containers \(3\)/),
      ]),
    );
    expect(prompts.find((p) => /^Deploy \d+ stacks? of w-e2e now\?/.test(p))).toMatch(
      /^Deploy 7 stacks of w-e2e now\?/,
    );
    expect(serviceBeforePush).toBeUndefined(); // no service stack before its image
    expect(screen).toMatch(
      /w-e2e-shop-service 32\.app-ecs-service.*\n.*\n\s+waits for its image: wizweb:initial is not in ECR; the wizard deploys the rest first/,
    );
    expect(screen).toMatch(/docker push 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/wizweb:initial\n/);
    expect(screen).toMatch(/✔ Waiting for wizweb:initial in ECR found/);
    // Typed text is checked as it is typed: "w" (on the way to "w-") shows the prefix rule at once.
    expect(screen).toMatch(/\? Prefix w\n✖ a prefix is 2 or 3 characters/);
    expect(screen).toContain('w-e2e does not exist yet');
    expect(screen).toMatch(/Plan for w-e2e \(us-east-1\), 7 stacks in deploy order/);
    expect(screen).toMatch(/7 created, 0 updated, 0 unchanged/);
    expect(screen).toMatch(/App shop: http:\/\/\S+/);
    expect(screen).toMatch(/docker push \S+\/wizweb:v1/);
    expect(screen).toContain('provision config set --params envs/e2e.yaml --app shop KEY=VALUE');
    for (const name of STACKS) expect((await stack(name))?.StackStatus).toBe('CREATE_COMPLETE');
    const saved = fs.readFileSync(path.join(work, 'envs', 'e2e.yaml'), 'utf8');
    expect(saved.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*published\/params\.schema\.json$/);
    expect(saved).toMatch(/^environment: e2e$/m);
    expect(saved).toMatch(/natGateways: single/);
    expect(saved).toMatch(/repositoryName: wizweb/);
  }, 120_000);

  test('2. a re-run finds the environment, offers the update, and one changed setting updates one stack', async () => {
    const network = await stack('w-e2e-network');
    const t = terminal([]);
    const code = await t.answerAll([[/^Max containers/, '5\r']], 90_000);
    expect({ code, tail: code === 0 ? '' : t.tail() }).toEqual({ code: 0, tail: '' });
    const prompts = t.answered.map((a) => a.prompt);
    expect(prompts[0]).toMatch(/^Start from a saved params file\?/);
    expect(t.text).toMatch(/Found w-e2e in us-east-1: 7 stacks/);
    expect(prompts).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Update w-e2e\?/),
        expect.stringMatching(/^Contact email \(ops@example.com\)/),
        expect.stringMatching(/^Max containers \(3\)/),
      ]),
    );
    expect(prompts[prompts.length - 1]).toMatch(/^Deploy 1 stack of w-e2e now\?/);
    expect(t.text).toMatch(/0 created, 1 updated, 6 unchanged/);
    const service = await stack('w-e2e-shop-service');
    expect(service?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(service?.Parameters?.find((p) => p.ParameterKey === 'MaxContainers')?.ParameterValue).toBe('5');
    // Nothing else was touched.
    expect((await stack('w-e2e-network'))?.LastUpdatedTime).toEqual(network?.LastUpdatedTime);
    expect(fs.readFileSync(path.join(work, 'envs', 'e2e.yaml'), 'utf8')).toMatch(/maxContainers: 5/);
  }, 120_000);

  test('3. the saved params file replays without a prompt as a no-op', async () => {
    const r = await run(['deploy', '--params', 'envs/e2e.yaml', '--yes']);
    expect({ code: r.code, err: r.code ? r.stderr : '' }).toEqual({ code: 0, err: '' });
    expect(r.stdout).toMatch(/0 created, 0 updated, 7 unchanged/);
  }, 60_000);

  test('4. Ctrl-C at the first prompt leaves with exit code 130 and nothing deployed', async () => {
    const before = await liveStacks();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-wizard-'));
    try {
      const t = terminal([], empty);
      await t.waitFor(/\? Environment name/, 20_000);
      await sleep(100);
      t.send(CTRL_C);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        t.exited,
        new Promise<number>((r) => (timer = setTimeout(() => r(-1), 10_000))),
      ]);
      clearTimeout(timer);
      expect(code).toBe(130);
      const after = t.text.slice(t.text.indexOf('Environment name'));
      expect(after).toContain('provision: wizard cancelled: nothing was deployed');
      expect(
        after
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('provision:')),
      ).toHaveLength(1);
      expect(await liveStacks()).toEqual(before);
      expect(fs.existsSync(path.join(empty, 'envs'))).toBe(false);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the wizard waiting for an image', () => {
  test('6. "s" while it waits skips the services: the rest is deployed, no service stack, exit 1; a push and a deploy finish it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-wizard-'));
    try {
      const t = terminal([], dir);
      const code = await t.answerAll(
        [
          [/^Environment name/, 'skip\r'],
          [/^Prefix/, 'w-\r'],
          [/^Contact email/, 'ops@example.com\r'],
          [/^NAT gateways/, `${DOWN}\r`],
          [/^Repository name/, 'wizskip\r'],
          [/^App name/, 'shop\r'],
          [/^Waiting for wizskip:initial in ECR/, 's\r'],
        ],
        90_000,
      );
      expect({ code, tail: code === 1 ? '' : t.tail() }).toEqual({ code: 1, tail: '' });
      expect(t.text).toMatch(/✔ Waiting for wizskip:initial in ECR skipped/);
      expect(t.text).toContain(
        'The services wait for their images: push them, then run provision deploy --params envs/skip.yaml',
      );
      expect(t.text).toMatch(/5 created, 0 updated, 0 unchanged, 2 not done/);
      expect((await stack('ecr-wizskip'))?.StackStatus).toBe('CREATE_COMPLETE');
      expect(await stack('w-skip-shop-service')).toBeUndefined();

      await pushImage(emu, 'wizskip', 'initial');
      const r = await run(['deploy', '--params', 'envs/skip.yaml', '--yes'], { cwd: dir });
      expect({ code: r.code, err: r.code ? r.stdout + r.stderr : '' }).toEqual({ code: 0, err: '' });
      expect(r.stdout).toMatch(/2 created, 0 updated, 5 unchanged/);
      expect((await stack('w-skip-shop-service'))?.StackStatus).toBe('CREATE_COMPLETE');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  test('7. Ctrl-C while it waits leaves with exit code 130, saying the services are not deployed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-wizard-'));
    try {
      const t = terminal([], dir);
      const answering = t.answerAll(
        [
          [/^Environment name/, 'halt\r'],
          [/^Prefix/, 'w-\r'],
          [/^Contact email/, 'ops@example.com\r'],
          [/^NAT gateways/, `${DOWN}\r`],
          [/^Repository name/, 'wizhalt\r'],
          [/^App name/, 'shop\r'],
          [/^Waiting for wizhalt:initial in ECR/, CTRL_C],
        ],
        90_000,
      );
      const code = await Promise.race([t.exited, answering.catch(() => t.exited)]);
      expect({ code, tail: code === 130 ? '' : t.tail() }).toEqual({ code: 130, tail: '' });
      expect(t.text).toContain(
        'provision: interrupted while waiting for the images: the stacks that need none are deployed, the services are not',
      );
      expect(t.text).toContain('push the images, then run provision deploy --params envs/halt.yaml');
      expect((await stack('ecr-wizhalt'))?.StackStatus).toBe('CREATE_COMPLETE');
      expect(await stack('w-halt-shop-service')).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe('without a terminal', () => {
  test('5. `provision` prints usage and exits 2 instead of waiting for answers', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: provision/);
    expect(r.stderr).toMatch(/no command given, and no terminal for the wizard/);
    expect(r.stdout).toBe('');
  }, 30_000);

  test('`provision wizard` refuses too, naming the way to replay a params file', async () => {
    const r = await run(['wizard']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the wizard needs a terminal/);
    expect(r.stderr).toMatch(/provision deploy --params FILE --yes/);
  }, 30_000);
});
