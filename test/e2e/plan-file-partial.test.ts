/**
 * A deploy of a plan file that does not finish, end to end with the real CLI against the emulator:
 * on a fresh account the service waits for its image, so `deploy --plan` creates the rest and stops
 * (exit 1). The lines printed then said to run the same command again, which is refused by design
 * (a plan file is used once: the stacks it created have moved since the plan). The run now ends
 * with what to do instead (plan again, review, deploy that), in text and as the `--json` hint.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emu: Emulator;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, cwd: tmp, timeoutMs: 120_000 });
}

/** A new environment whose service runs an image of its own repository, never pushed. */
function writeParams(env: string): string {
  const name = `${env}.yaml`;
  fs.writeFileSync(
    path.join(tmp, name),
    `environment: ${env}
prefix: p-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { natGateways: single }
ecsCluster: {}
repositories:
  - name: ${env}-web
apps:
  - name: shop
    loadBalancer: { healthCheckPath: /healthcheck }
    service: { repositoryName: ${env}-web, imageTag: v1, containerPort: 3000, cpu: 256, memory: 512 }
`,
  );
  return name;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-file-partial-'));
  emu = await startEmulator();
}, 120_000);

afterAll(async () => {
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const REPLAN = (env: string) =>
  `so the same command is refused now: to deploy what is left, run \`provision plan --params ${env}.yaml --out ${env}.plan.json\`, review it, then \`provision deploy --params ${env}.yaml --plan ${env}.plan.json\``;

test('deploy --plan stopped by a missing image: its last line says to plan again, and the same command is indeed refused', async () => {
  const params = writeParams('pa');
  expect((await cli(['plan', '--params', params, '--out', 'pa.plan.json'])).code).toBe(0);

  const first = await cli(['deploy', '--params', params, '--plan', 'pa.plan.json']);

  expect(first.code).toBe(1);
  expect(first.stdout).toContain('p-pa-shop-service: not run: its image pa-web:v1 is not in ECR yet');
  const lines = first.stderr.trim().split('\n');
  expect(lines.at(-1)).toBe(
    `warning: the plan in pa.plan.json is used (a plan file is used once, and its deploy did not finish), ${REPLAN('pa')}`,
  );

  const again = await cli(['deploy', '--params', params, '--plan', 'pa.plan.json']);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('p-pa-network: created since the plan');
});

test('with --json: one document, not ok, whose hint says to plan again', async () => {
  const params = writeParams('pb');
  expect((await cli(['plan', '--params', params, '--out', 'pb.plan.json'])).code).toBe(0);

  const run = await cli(['--json', 'deploy', '--params', params, '--plan', 'pb.plan.json']);

  expect(run.code).toBe(1);
  const doc = JSON.parse(run.stdout);
  expect(doc.ok).toBe(false);
  expect(doc.hint).toContain(REPLAN('pb'));
  expect(doc.stacks.find((s: { name: string }) => s.name === 'p-pb-network').result).toBe('created');
});
