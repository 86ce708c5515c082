/**
 * A refused deploy changes nothing in the account, end to end with the real CLI against the
 * emulator playing a new account (`CFN_STAGES_EMULATOR_NEW_ACCOUNT=1`: no service-linked roles).
 * deploy reads every check at once after taking its lock (src/run/gates.ts) and makes its one
 * account change, the service-linked roles a template needs, only after every check that can
 * refuse the run has passed: the plan's refusals (a setting fixed after creation) included.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emulator: Emulator;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emulator.env, args, { home: tmp });
}

/** A network and one app's DocumentDB store named `docsName`; with `cluster`, an ECS cluster too. */
function paramsFor(docsName: string, cluster: boolean): string {
  const file = path.join(tmp, `dev-${docsName}-${cluster ? 'ecs' : 'plain'}.yaml`);
  fs.writeFileSync(
    file,
    `environment: dev
prefix: x-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
${cluster ? 'ecsCluster: {}\n' : ''}apps:
  - name: acme
    data:
      - { kind: documentdb, name: docs, instances: 1, databaseName: ${docsName} }
`,
  );
  return file;
}

async function serviceRoles(): Promise<string[]> {
  const iam = new IAMClient(emulator.clientConfig);
  try {
    const out = await iam.send(new ListRolesCommand({ PathPrefix: '/aws-service-role/' }));
    return (out.Roles ?? []).map((r) => r.Path ?? '').sort();
  } finally {
    iam.destroy();
  }
}

async function stackNames(): Promise<string[]> {
  const cfn = new CloudFormationClient(emulator.clientConfig);
  try {
    return ((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).map((s) => s.StackName ?? '').sort();
  } finally {
    cfn.destroy();
  }
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refused-run-e2e-'));
  emulator = await startEmulator({ env: { CFN_STAGES_EMULATOR_NEW_ACCOUNT: '1' } });
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a deploy the plan refuses (a fixed setting) creates no service-linked role, and no stack', async () => {
  const first = await cli(['deploy', '--params', paramsFor('app', false), '--yes']);
  expect(first.code).toBe(0);
  const roles = await serviceRoles();
  const stacks = await stackNames();
  expect(roles).not.toContain('/aws-service-role/ecs.amazonaws.com/');

  // The cluster would need ECS's role; the store's database name cannot change: refused.
  const refused = await cli(['deploy', '--params', paramsFor('orders', true), '--yes']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('x-dev-acme-docs: DatabaseName cannot change after the stack is created');
  expect(refused.stdout).not.toContain('account preflight: creating');
  expect(await serviceRoles()).toEqual(roles);
  expect(await stackNames()).toEqual(stacks);

  // Gone ahead, the same run creates the role before the cluster.
  const ahead = await cli(['deploy', '--params', paramsFor('app', true), '--yes']);
  expect(ahead.code).toBe(0);
  expect(ahead.stdout).toMatch(/account preflight: creating the service-linked roles? of .*ecs\.amazonaws\.com/);
  expect(await serviceRoles()).toContain('/aws-service-role/ecs.amazonaws.com/');
  expect(await stackNames()).toContain('x-dev-ecs-cluster');
});
