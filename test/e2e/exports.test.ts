/**
 * End to end, through the real CLI against the emulator: changes CloudFormation refuses halfway
 * (issue 17, rows 3 and 4).
 *
 * - An exported resource replaced while other stacks import it: the load balancer's scheme is
 *   create-only, so the load balancer and its listener are replaced and the exported listener ARN
 *   changes while the extra service imports it ("Cannot update export ... as it is in use by").
 *   plan names the importer; deploy moves it out of the way and converges.
 * - A custom-named resource replaced: the database name is create-only on the Aurora cluster,
 *   whose identifier is fixed, so CloudFormation refuses the update. plan marks it; deploy refuses
 *   before changing anything; the emulator refuses it as AWS does when it is executed anyway.
 * - A DocumentDB database name, part of the generated secret's template (row 5): fixed after
 *   creation, so a change is refused before anything runs and the credentials stay as they are.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  ListExportsCommand,
  ListImportsCommand,
  waitUntilChangeSetCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

let emu: Emulator;
let cfn: CloudFormationClient;
let tmp: string;

type Run = CliRun;

function cli(args: string[]): Promise<Run> {
  return runCli(emu.env, args, { timeoutMs: 240_000 });
}

/** One app with an extra service on its load balancer and a Postgres database. */
function params(opts: { scheme?: string; databaseName?: string; docsName?: string } = {}): string {
  const file = path.join(
    tmp,
    `env-${opts.scheme ?? 'public'}-${opts.databaseName ?? 'app'}-${opts.docsName ?? 'app'}.yaml`,
  );
  fs.writeFileSync(
    file,
    `environment: dev
prefix: x-
region: us-east-1
tags: { contactEmail: ops@example.com, costCode: cc-1234 }
network: { azCount: 2, natGateways: single }
ecsCluster: {}
repositories: [{ name: acme-web }]
apps:
  - name: acme
    loadBalancer: { healthCheckPath: /healthcheck${opts.scheme ? `, scheme: ${opts.scheme}` : ''} }
    service: { repositoryName: acme-web, imageTag: initial, cpu: 256, memory: 512 }
    extras:
      - { suffix: api2, pathPrefix: /api2, rulePriority: 10, repositoryName: acme-web, imageTag: initial }
    data:
      - { kind: postgres, name: main, instances: 1${opts.databaseName ? `, databaseName: ${opts.databaseName}` : ''} }
      - { kind: documentdb, name: docs, instances: 1${opts.docsName ? `, databaseName: ${opts.docsName}` : ''} }
`,
  );
  return file;
}

async function exportValue(name: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListExportsCommand({ NextToken }));
    const hit = page.Exports?.find((e) => e.Name === name);
    if (hit) return hit.Value;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

async function stack(name: string) {
  return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
}

beforeAll(async () => {
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-exports-'));
  await repositoriesWithImages(emu, cli, params()); // a service waits for its image
  const r = await cli(['deploy', '--params', params(), '--yes', '--json']);
  if (r.code !== 0) throw new Error(`first deploy exited ${r.code}\n${r.stdout}\n${r.stderr}`);
}, 300_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('an exported resource replaced while another stack imports it', () => {
  const LISTENER = 'x-dev-acme-ListenerArn';

  test('plan names the export that changes, who imports it, and what deploy will do', async () => {
    const r = await cli(['plan', '--params', params({ scheme: 'internal' })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/LoadBalancer AWS::ElasticLoadBalancingV2::LoadBalancer REPLACED/);
    expect(r.stdout).toContain(
      `export ${LISTENER} would be changed: imported by x-dev-acme-api2; deploy first points them at its current value`,
    );
  }, 120_000);

  test('deploy --plan refuses it before changing anything (exit 2): a plan file holds no passes', async () => {
    const names = ['x-dev-acme-loadbalancer', 'x-dev-acme-api2', 'x-dev-acme-alarms'];
    const before = await Promise.all(names.map(async (n) => (await stack(n)).LastUpdatedTime?.toISOString()));
    const planFile = path.join(tmp, 'internal.plan.json');
    const plan = await cli(['plan', '--params', params({ scheme: 'internal' }), '--out', planFile]);
    expect(plan.code).toBe(0);
    const r = await cli(['deploy', '--params', params({ scheme: 'internal' }), '--plan', planFile]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining('this deploy moves exports in use between stacks in several passes'),
    });
    expect(await Promise.all(names.map(async (n) => (await stack(n)).LastUpdatedTime?.toISOString()))).toEqual(before);
    for (const StackName of names)
      expect((await cfn.send(new ListChangeSetsCommand({ StackName }))).Summaries ?? []).toEqual([]);
  }, 120_000);

  test('deploy converges: the load balancer is replaced and the extra service follows its new listener', async () => {
    const oldListener = await exportValue(LISTENER);
    const r = await cli(['deploy', '--params', params({ scheme: 'internal' }), '--yes']);
    expect(`${r.code}\n${r.stdout}\n${r.stderr}`).toMatch(/^0\n/);
    // The extra service and the app's alarms (the load balancer's name is a dimension) import it.
    expect(r.stdout).toContain('first pointing x-dev-acme-api2, x-dev-acme-alarms at their current values');

    const newListener = await exportValue(LISTENER);
    expect(newListener).toBeDefined();
    expect(newListener).not.toBe(oldListener);
    // The extra service imports the export again, and its path rule sits on the new listener.
    expect((await cfn.send(new ListImportsCommand({ ExportName: LISTENER }))).Imports).toEqual(['x-dev-acme-api2']);
    const elb = new ElasticLoadBalancingV2Client(emu.clientConfig);
    try {
      const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: newListener! }));
      expect(rules.Rules!.some((rule) => JSON.stringify(rule.Conditions).includes('/api2'))).toBe(true);
    } finally {
      elb.destroy();
    }
    for (const name of ['x-dev-acme-loadbalancer', 'x-dev-acme-api2'])
      expect((await stack(name)).StackStatus).toBe('UPDATE_COMPLETE');
    const again = await cli(['deploy', '--params', params({ scheme: 'internal' }), '--yes', '--json']);
    expect(JSON.parse(again.stdout).stacks.every((s: { result: string }) => s.result === 'skipped-unchanged')).toBe(
      true,
    );
  }, 300_000);
});

describe('a custom-named resource that would be replaced', () => {
  const DB = 'x-dev-acme-main';

  test('plan marks the replacement as one CloudFormation refuses, with the way out', async () => {
    const r = await cli(['plan', '--params', params({ scheme: 'internal', databaseName: 'orders' })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /~ Cluster AWS::RDS::DBCluster REPLACED \(DatabaseName\) REFUSED by CloudFormation: replacing Cluster \(x-dev-acme-main\) keeps its custom name \(DBClusterIdentifier\)/,
    );
    expect(r.stdout).toMatch(/way out: nothing was changed\. Undo the change to DatabaseName/);
    expect(r.stderr).toMatch(/1 stack cannot take its change: deploy will refuse/);
  }, 120_000);

  test('deploy refuses before changing anything (exit 2), naming the resource and the way out', async () => {
    const before = await stack(DB);
    const r = await cli(['deploy', '--params', params({ scheme: 'internal', databaseName: 'orders' }), '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /stack x-dev-acme-main: CloudFormation refuses to replace a resource that keeps its custom name: Cluster \(x-dev-acme-main\) AWS::RDS::DBCluster because of DatabaseName/,
    );
    expect(r.stderr).toMatch(/way out: nothing was changed\. Undo the change to DatabaseName/);
    // The params-file field behind it, from the change set's cause (the DatabaseName parameter).
    expect(r.stderr).toMatch(/\n {4}in \S+\.yaml: databaseName \([^)]*PostgreSQL, app acme\)/);
    const after = await stack(DB);
    expect(after.StackStatus).toBe(before.StackStatus);
    expect(String(after.LastUpdatedTime)).toBe(String(before.LastUpdatedTime));
    expect(after.Parameters?.find((p) => p.ParameterKey === 'DatabaseName')?.ParameterValue).toBe('app');
  }, 120_000);

  test('the emulator refuses the update as CloudFormation does when it is executed anyway', async () => {
    const current = await stack(DB);
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: DB }));
    const { Id } = await cfn.send(
      new CreateChangeSetCommand({
        StackName: DB,
        ChangeSetName: 'rename-database',
        ChangeSetType: 'UPDATE',
        TemplateBody,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: current.Parameters!.map((p) => ({
          ParameterKey: p.ParameterKey,
          ParameterValue: p.ParameterKey === 'DatabaseName' ? 'orders' : p.ParameterValue,
        })),
      }),
    );
    await waitUntilChangeSetCreateComplete(
      { client: cfn, maxWaitTime: 60, minDelay: 1 },
      { ChangeSetName: Id, StackName: DB },
    );
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id, StackName: DB }));

    expect((await stack(DB)).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: DB }))).StackEvents!;
    const failed = events.find((e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'UPDATE_FAILED');
    expect(failed?.ResourceStatusReason).toBe(
      'CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename x-dev-acme-main and update the stack again.',
    );
    expect((await stack(DB)).Parameters?.find((p) => p.ParameterKey === 'DatabaseName')?.ParameterValue).toBe('app');
  }, 60_000);
});

describe('a DocumentDB database name, part of its generated credentials', () => {
  test('plan and deploy refuse a new name before anything changes, naming the field and the way out', async () => {
    const file = params({ scheme: 'internal', docsName: 'orders' });
    const plan = await cli(['plan', '--params', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'REFUSED stack x-dev-acme-docs: DatabaseName cannot change after the stack is created (DatabaseName is "app", the params file says "orders")',
    );

    const before = await stack('x-dev-acme-docs');
    const r = await cli(['deploy', '--params', file, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`in ${file}: databaseName (DocumentDB, app acme)`);
    expect(r.stderr).toMatch(/way out: nothing was changed\. Set DatabaseName back to "app" in the params file/);
    const after = await stack('x-dev-acme-docs');
    expect(String(after.LastUpdatedTime)).toBe(String(before.LastUpdatedTime));
    expect(after.Parameters?.find((p) => p.ParameterKey === 'DatabaseName')?.ParameterValue).toBe('app');
  }, 120_000);
});
