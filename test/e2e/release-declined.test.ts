/**
 * `release` in a terminal, answered "no": nothing changes, and the exit code says the run was
 * refused (2), as the README's exit-code rule has it for a "no" to a question (destroy's wrong name
 * does the same). End to end in a pseudo-terminal against the emulator.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli } from '../helpers/cli';
import { pushImage } from '../helpers/images';
import { Terminal } from '../helpers/terminal';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

const STACK = 'x-dev-acme-service';
let emulator: Emulator;
let tmp: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'release-declined-e2e-'));
  fs.writeFileSync(
    path.join(tmp, 'dev.yaml'),
    `environment: dev
prefix: x-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
ecsCluster: {}
repositories: [{ name: acme-web }]
apps:
  - name: acme
    loadBalancer: { healthCheckPath: /health }
    service: { repositoryName: acme-web, imageTag: v1, containerPort: 3000 }
    alarms: { enabled: false }
`,
  );
  emulator = await startEmulator();
  const repo = await runCli(emulator.env, ['deploy', '--params', 'dev.yaml', '--yes', '--only', 'repository'], {
    home: tmp,
    cwd: tmp,
  });
  expect(repo.code).toBe(0);
  await pushImage(emulator, 'acme-web', 'v1');
  await pushImage(emulator, 'acme-web', 'v2');
  const all = await runCli(emulator.env, ['deploy', '--params', 'dev.yaml', '--yes'], { home: tmp, cwd: tmp });
  expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: '' });
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('"no" to the release question: nothing changes, exit 2', async () => {
  const term = new Terminal(['release', '--params', 'dev.yaml', '--app', 'acme', '--version', 'v2'], tmp, {
    ...emulator.env,
    HOME: tmp,
  });
  try {
    await term.waitFor(/release acme-web:v2 to x-dev-acme-service\?/, 30_000);
    term.send('n\r');
    expect(await term.exited).toBe(2);
    expect(term.text).toContain('not released; nothing changed');
  } finally {
    term.kill();
  }
  const cfn = new CloudFormationClient(emulator.clientConfig);
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks?.[0];
    expect(stack?.Parameters?.find((p) => p.ParameterKey === 'ImageTag')?.ParameterValue).toBe('v1');
    expect((await cfn.send(new ListChangeSetsCommand({ StackName: STACK }))).Summaries ?? []).toEqual([]);
  } finally {
    cfn.destroy();
  }
});
