/**
 * End to end: a re-run of an unchanged environment creates no change set (issue 12). The real CLI
 * runs with the SDK call recorder of the tests (test/helpers/sdk-calls.js, preloaded), so the
 * test sees every AWS call it makes. The ECS cluster stack has an SSM-typed parameter (its AMI):
 * it is compared through the value it resolved to (DescribeStacks' ResolvedValue) against the SSM
 * parameter's current value, read for the whole run in one GetParameters call; when that value
 * moves, the stack goes through a change set (EC2 capacity is on here: without it nothing uses the
 * AMI, and test/engine/unchanged.test.ts shows it is then not compared at all). The unchanged checks of stacks do not wait on their
 * dependencies' checks (shown without timing in test/engine/unchanged-checks.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { deployRecorded, type RecordedCall as Call } from '../helpers/cli';

const AMI_PARAMETER = '/cfn-stages-test/ecs-ami';

/** Network, ECS cluster with EC2 capacity (its AMI from our own SSM parameter), data stores (events needs jobs). */
const PARAMS = `environment: nop
prefix: n-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
ecsCluster: { enableEc2Capacity: true, ec2MinSize: 1, ec2DesiredCapacity: 1, ec2ImageId: ${AMI_PARAMETER} }
apps:
  - name: shop
    data:
      - { kind: s3, name: files }
      - { kind: sqs, name: jobs }
      - { kind: sns, name: events, sqsSubscriber1: jobs }
`;

let emu: Emulator;
let tmp: string;
let ssm: SSMClient;
let cfn: CloudFormationClient;
const file = () => path.join(tmp, 'nop.yaml');

beforeAll(async () => {
  emu = await startEmulator();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-noop-'));
  fs.writeFileSync(file(), PARAMS);
  ssm = new SSMClient(emu.clientConfig);
  cfn = new CloudFormationClient(emu.clientConfig);
  await ssm.send(new PutParameterCommand({ Name: AMI_PARAMETER, Value: 'ami-0123456789abcdef0', Type: 'String' }));
}, 60_000);

afterAll(async () => {
  ssm?.destroy();
  cfn?.destroy();
  await emu?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `deploy --yes --json` with every AWS call recorded; the report and the calls. */
function deploy() {
  return deployRecorded(emu.env, file(), { timeoutMs: 240_000 });
}

const nameOf = (c: Call) => c.stack?.match(/:stack\/([^/]+)\//)?.[1] ?? c.stack;
const changeSetsOf = (calls: Call[]) => calls.filter((c) => c.action === 'CreateChangeSet').map(nameOf);

test('a re-run creates no change set and reads the SSM values once', async () => {
  const first = await deploy();
  expect(Object.values(first.results)).toEqual(Object.values(first.results).map(() => 'created'));

  // AWS keeps the SSM parameter's name as the value, and what it resolved to beside it.
  const cluster = (await cfn.send(new DescribeStacksCommand({ StackName: 'n-nop-ecs-cluster' }))).Stacks![0]!;
  expect(cluster.Parameters!.find((p) => p.ParameterKey === 'Ec2ImageId')).toEqual({
    ParameterKey: 'Ec2ImageId',
    ParameterValue: AMI_PARAMETER,
    ResolvedValue: 'ami-0123456789abcdef0',
  });

  const again = await deploy();
  expect(Object.values(again.results)).toEqual(Object.values(again.results).map(() => 'skipped-unchanged'));
  expect(changeSetsOf(again.calls)).toEqual([]);
  expect(again.calls.filter((c) => c.action === 'GetParameters')).toHaveLength(1);
  expect(again.calls.filter((c) => /ChangeSet|UpdateStack|CreateStack/.test(c.action))).toEqual([]);

  // That no check waits for another stack's answer is shown without timing, in
  // test/engine/unchanged-checks.test.ts "starts every stack's check at once" (the call times
  // here showed it too, but a loaded machine can answer one read before it sends the next).
}, 300_000);

test('when the value behind an SSM-typed parameter moves, that stack alone goes through a change set', async () => {
  await ssm.send(
    new PutParameterCommand({ Name: AMI_PARAMETER, Value: 'ami-0fedcba9876543210', Type: 'String', Overwrite: true }),
  );
  const moved = await deploy();
  // (deploy's preflight plans a stack that may change with a change set of its own, then deploys it)
  expect(new Set(changeSetsOf(moved.calls))).toEqual(new Set(['n-nop-ecs-cluster']));
  expect(moved.results['n-nop-network']).toBe('skipped-unchanged');
}, 300_000);
