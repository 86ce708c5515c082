/**
 * Sizes AWS does not offer where they are asked for, end to end: the built CLI against the
 * emulator, whose EC2 answers instance type offerings per zone from moto's own data (us-east-1e
 * offers no t3, trn1.2xlarge is not in us-east-1a), and whose RDS answers orderable Aurora
 * PostgreSQL and DocumentDB classes from test/emulator/cfn_stages_moto/orderable.py (Aurora offers
 * no db.m5 class).
 *
 * - A Postgres class Aurora does not offer: plan shows it as a preflight failure with what is
 *   offered instead; deploy refuses (exit 2) naming the params field, and creates no stack.
 * - An EKS node type the network's zones do not all offer: plan names the zones.
 * - An offered class deploys; a re-run of the unchanged environment asks no offering question.
 * - Credentials that may not ask (`CFN_STAGES_EMULATOR_DENY_OFFERINGS=1`): each size is shown as not
 *   checked, and the deploy goes on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, runCliRecorded, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

let emulator: Emulator;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emulator.env, args, { home: tmp });
}

/** The network, jump boxes, an Aurora database of class `instanceClass` and a DocumentDB one of db.t4g.medium. */
function paramsFile(name: string, instanceClass: string, extra = ''): string {
  const file = path.join(tmp, `${name}.yaml`);
  fs.writeFileSync(
    file,
    [
      'environment: dev',
      'prefix: x-',
      'region: us-east-1',
      'tags: { contactEmail: ops@example.com, costCode: cc-1234 }',
      'network: { azCount: 2, natGateways: single }',
      'jumpboxes: { instanceType: t3.micro }',
      'ecsCluster: {}',
      extra,
      'apps:',
      '  - name: acme',
      '    data:',
      '      - kind: postgres',
      '        name: main',
      `        instanceClass: ${instanceClass}`,
      '        instances: 2',
      '      - kind: documentdb',
      '        name: docs',
      '        instanceClass: db.t4g.medium',
      '        instances: 1',
      '',
    ].join('\n'),
  );
  return file;
}

async function stackNames(): Promise<string[]> {
  const out = await new CloudFormationClient(emulator.clientConfig).send(new ListStacksCommand({}));
  return (out.StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName ?? '');
}

const OFFERING_ACTIONS = ['DescribeInstanceTypeOfferings', 'DescribeOrderableDBInstanceOptions'];

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offerings-e2e-'));
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a size not offered where it is asked for', () => {
  test('plan shows an Aurora class Aurora does not offer as a preflight failure, with offered alternatives', async () => {
    const run = await cli(['plan', '--params', paramsFile('m5', 'db.m5.large')]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l.includes('apps[0].data[0].instanceClass'))).toHaveLength(1); // two instances, one question
    expect(run.stdout).toContain(
      '✖ apps[0].data[0].instanceClass = db.m5.large (aurora-postgresql 17): not offered in us-east-1 (x-dev-acme-main); offered there: db.r6g.large, db.r6i.large, db.r7g.large, db.t3.large: deploy will refuse',
    );
    expect(run.stdout).toContain(
      '✔ jumpboxes.instanceType = t3.micro: offered in us-east-1 zones us-east-1a, us-east-1b',
    );
    expect(run.stdout).toContain('✔ apps[0].data[1].instanceClass = db.t4g.medium (docdb 5.0.0): offered in us-east-1');
  });

  test('deploy refuses it (exit 2) before creating anything, naming the field', async () => {
    const run = await cli(['deploy', '--params', paramsFile('m5', 'db.m5.large'), '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a size in this run is not offered where it is asked for; nothing was created');
    expect(run.stderr).toContain(
      'apps[0].data[0].instanceClass = db.m5.large (aurora-postgresql 17): not offered in us-east-1',
    );
    expect(await stackNames()).toEqual([]);
  });

  test('an EKS node type that one of the network zones lacks: plan names the zones', async () => {
    const file = paramsFile('eks', 'db.t4g.medium', 'eksCluster: { nodeInstanceTypes: "t3.large,trn1.2xlarge" }');
    const run = await cli(['plan', '--params', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /✖ eksCluster\.nodeInstanceTypes = trn1\.2xlarge: not offered in us-east-1 zones us-east-1a, us-east-1b \(x-dev-eks-cluster\); offered there: \S+2xlarge/,
    );
    expect(run.stdout).toContain(
      '✔ eksCluster.nodeInstanceTypes = t3.large: offered in us-east-1 zones us-east-1a, us-east-1b',
    );
  });
});

describe('an offered size', () => {
  test('deploys, and a re-run of the unchanged environment asks no offering question', async () => {
    const file = paramsFile('t4g', 'db.t4g.medium');
    const first = await runCliRecorded(emulator.env, ['deploy', '--params', file, '--yes'], { home: tmp });
    expect(first.run.code).toBe(0);
    expect(await stackNames()).toEqual(expect.arrayContaining(['x-dev-network', 'x-dev-acme-main']));
    const asked = first.calls.filter((c) => OFFERING_ACTIONS.includes(c.action)).map((c) => c.action);
    // One EC2 question for every instance type at once, one RDS question per engine and class.
    expect(asked.sort()).toEqual([...OFFERING_ACTIONS, 'DescribeOrderableDBInstanceOptions']);
    const again = await runCliRecorded(emulator.env, ['deploy', '--params', file, '--yes'], { home: tmp });
    expect(again.run.code).toBe(0);
    expect(
      again.calls.filter((c) => OFFERING_ACTIONS.includes(c.action) || c.action === 'DescribeAvailabilityZones'),
    ).toEqual([]);
  });

  test('a changed class is asked about again, and only it', async () => {
    const { run, calls } = await runCliRecorded(emulator.env, ['plan', '--params', paramsFile('r6g', 'db.r6g.large')], {
      home: tmp,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '✔ apps[0].data[0].instanceClass = db.r6g.large (aurora-postgresql 17): offered in us-east-1',
    );
    expect(calls.filter((c) => OFFERING_ACTIONS.includes(c.action)).map((c) => c.action)).toEqual([
      'DescribeOrderableDBInstanceOptions',
    ]);
  });
});

describe('no answer from AWS (the credentials may not ask)', () => {
  let denied: Emulator;
  let home: string;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'offerings-denied-'));
    denied = await startEmulator({ env: { CFN_STAGES_EMULATOR_DENY_OFFERINGS: '1' } });
  });

  afterAll(async () => {
    await denied?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('plan shows each size as not checked; deploy says so and goes on', async () => {
    const file = paramsFile('denied', 'db.t4g.medium');
    const plan = await runCli(denied.env, ['plan', '--params', file], { home });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'jumpboxes.instanceType = t3.micro: not checked in us-east-1 (UnauthorizedOperation: You are not authorized',
    );
    expect(plan.stdout).toContain(
      'apps[0].data[0].instanceClass = db.t4g.medium (aurora-postgresql 17): not checked in us-east-1 (AccessDenied: User:',
    );
    expect(plan.stdout).not.toContain('deploy will refuse');
    const deploy = await runCli(denied.env, ['deploy', '--params', file, '--yes'], { home });
    expect(deploy.code).toBe(0);
    expect(deploy.stdout + deploy.stderr).toContain(
      'account preflight: apps[0].data[0].instanceClass = db.t4g.medium (aurora-postgresql 17): not checked in us-east-1 (AccessDenied',
    );
  });
});
