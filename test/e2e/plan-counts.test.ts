/**
 * End to end: `plan` shows what `deploy` then does. For each params file, on a fresh emulator, the
 * real CLI plans (`plan --json`), deploys, and the resources CloudFormation lists for each stack
 * are compared with the plan's adds for that stack: the same logical ids, stack by stack. Resources
 * the templates' conditions switch off (a third zone, per-zone NAT gateways, a third database
 * instance, EC2 capacity...) are in neither.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { repositoriesWithImages } from '../helpers/images';

type Run = CliRun;

function cli(emu: Emulator, args: string[]): Promise<Run> {
  return runCli(emu.env, args, { timeoutMs: 240_000 });
}

interface PlanJson {
  stacks: {
    name: string;
    plan: { kind: string; plan?: { type: string; changes: { action: string; logicalId: string }[] } };
  }[];
}

const example = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');

/** Two zones, one NAT gateway, two database instances (Aurora and DocumentDB), nothing else. */
const TWO_DATABASES = `environment: dbs
prefix: y-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
apps:
  - name: shop
    data:
      - { kind: postgres, name: orders, instances: 2 }
      - { kind: documentdb, name: docs, instances: 2 }
`;

const FILES: [string, string][] = [
  ['examples/small.yaml', example('small.yaml')],
  ['examples/full.yaml', example('full.yaml')],
  ['2 AZs, one NAT gateway, 2 database instances', TWO_DATABASES],
];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-plan-counts-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(FILES)('%s', (name, text) => {
  let emu: Emulator;
  let cfn: CloudFormationClient;
  const file = () => path.join(tmp, `${name.replace(/\W+/g, '-')}.yaml`);

  beforeAll(async () => {
    emu = await startEmulator();
    cfn = new CloudFormationClient(emu.clientConfig);
    fs.writeFileSync(file(), text);
  }, 60_000);

  afterAll(async () => {
    cfn?.destroy();
    await emu?.stop();
  });

  test("plan's adds are the resources the deploy creates, stack by stack", async () => {
    const planned = await cli(emu, ['plan', '--params', file(), '--json']);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as PlanJson;
    // A service waits for its image: the repository first, the image pushed, then the rest.
    await repositoriesWithImages(emu, (args) => cli(emu, args), file());
    const deployed = await cli(emu, ['deploy', '--params', file(), '--yes', '--json']);
    expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: deployed.stderr });
    const adds: Record<string, string[]> = {};
    const created: Record<string, string[]> = {};
    for (const s of plan.stacks) {
      expect([s.name, s.plan.kind, s.plan.plan?.type]).toEqual([s.name, 'changes', 'create']);
      adds[s.name] = s.plan
        .plan!.changes.filter((c) => c.action === 'Add')
        .map((c) => c.logicalId)
        .sort();
      const ids: string[] = [];
      for await (const page of paginateListStackResources({ client: cfn }, { StackName: s.name }))
        for (const r of page.StackResourceSummaries ?? []) ids.push(r.LogicalResourceId!);
      created[s.name] = ids.sort();
    }
    expect(adds).toEqual(created);
  }, 300_000);
});
