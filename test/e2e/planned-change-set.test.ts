/**
 * End to end: an update is made with one change set. Deploy's plan computes the change set of
 * every stack it updates (to refuse what CloudFormation would refuse halfway, and to find export
 * changes); the deploy then executes that very change set (src/deploy/planned.ts) instead of
 * asking CloudFormation to compute the same one again, which on AWS takes seconds per stack. The
 * real CLI runs with the SDK call recorder of the tests (test/helpers/sdk-calls.js, preloaded).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { deployRecorded } from '../helpers/cli';

const params = (visibilityTimeout: number) => `environment: pcs
prefix: p-
region: us-east-1
tags: { contactEmail: ops@example.com }
apps:
  - name: shop
    data:
      - { kind: sqs, name: jobs, visibilityTimeout: ${visibilityTimeout} }
      - { kind: sns, name: events, sqsSubscriber1: jobs }
`;
const JOBS = 'p-pcs-shop-jobs';

let emu: Emulator;
let tmp: string;
let cfn: CloudFormationClient;

beforeAll(async () => {
  emu = await startEmulator();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-planned-'));
  cfn = new CloudFormationClient(emu.clientConfig);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `deploy --yes --json` of `yaml` with every AWS call recorded: each stack's result, and the calls. */
function deploy(yaml: string) {
  const file = path.join(tmp, 'pcs.yaml');
  fs.writeFileSync(file, yaml);
  return deployRecorded(emu.env, file, { timeoutMs: 120_000 });
}

it('updates a stack with the change set its plan made: one change set, none deleted, none left, one template read', async () => {
  await deploy(params(30));

  const { results, calls } = await deploy(params(120));

  expect(results[JOBS]).toBe('updated');
  expect(Object.values(results).filter((r) => r !== 'skipped-unchanged')).toEqual(['updated']);
  const count = (action: string) => calls.filter((c) => c.action === action).length;
  expect(count('CreateChangeSet')).toBe(1);
  expect(count('ExecuteChangeSet')).toBe(1);
  expect(count('DeleteChangeSet')).toBe(0);
  // Its deployed template is read once, by the run's check; the plan's export comparison uses that read.
  expect(calls.filter((c) => c.action === 'GetTemplate' && c.stack?.includes(JOBS))).toHaveLength(1);
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: JOBS }))).Stacks ?? [];
  expect(stack?.Parameters?.find((p) => p.ParameterValue === '120')).toBeDefined();
  const left = await cfn.send(new ListChangeSetsCommand({ StackName: JOBS }));
  expect(left.Summaries ?? []).toEqual([]);
}, 240_000);
