/**
 * End to end: the record of deployed templates (src/deploy/records.ts). After a deploy, a re-run
 * knows each stack's template from this machine's record and reads none back (no GetTemplate),
 * while a stack changed from outside (UpdateStack, as a console user would) or deleted and created
 * again is read afresh and goes through a change set. A corrupt record file is an empty record;
 * two runs that write it at once leave one whole file. The real CLI runs with the SDK call
 * recorder of the tests (test/helpers/sdk-calls.js, preloaded) and a record folder of this suite's
 * own (PROVISION_RECORDS), never the developer's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { runCliRecorded, type RecordedCall as Call } from '../helpers/cli';

/** The network, an app's load balancer (and its access-log bucket) and two data stores nothing imports: 5 stacks. */
const PARAMS = `environment: rec
prefix: r-
region: us-east-1
tags: { contactEmail: ops@example.com }
network: { azCount: 2, natGateways: single }
apps:
  - name: shop
    data:
      - { kind: s3, name: files }
      - { kind: sqs, name: jobs }
`;
const NETWORK = 'r-rec-network';
const QUEUE = 'r-rec-shop-jobs';

let emu: Emulator;
let tmp: string;
let cfn: CloudFormationClient;
const file = () => path.join(tmp, 'rec.yaml');
const recordFolder = () => path.join(tmp, 'records');
const recordFile = () => path.join(recordFolder(), 'deployed-templates.json');

beforeAll(async () => {
  emu = await startEmulator();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-records-'));
  fs.writeFileSync(file(), PARAMS);
  cfn = new CloudFormationClient(emu.clientConfig);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `provision <command> --params F --json` with every AWS call recorded; the report and the calls. */
function provision(command: string[], records = recordFolder()) {
  return runCliRecorded(emu.env, [...command, '--params', file(), '--json'], {
    env: { PROVISION_RECORDS: records },
    timeoutMs: 240_000,
  });
}

async function deploy(records?: string) {
  const { run, calls } = await provision(['deploy', '--yes'], records);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: run.stderr });
  const report = JSON.parse(run.stdout) as { stacks: { name: string; result: string }[] };
  return { results: Object.fromEntries(report.stacks.map((s) => [s.name, s.result])), calls };
}

const nameOf = (c: Call) => c.stack?.match(/:stack\/([^/]+)\//)?.[1] ?? c.stack;
const STACKS = 5;
const all = (result: string) => Array.from({ length: STACKS }, () => result);
const calledFor = (calls: Call[], action: string) =>
  calls
    .filter((c) => c.action === action)
    .map(nameOf)
    .sort();

async function stackOf(name: string): Promise<Stack> {
  return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
}

/** The stack's template with one more resource, as someone editing it in the console would submit it. */
async function editedTemplate(name: string, value: string): Promise<string> {
  const body = (await cfn.send(new GetTemplateCommand({ StackName: name }))).TemplateBody!;
  const doc = JSON.parse(body) as { Resources: Record<string, unknown> };
  doc.Resources.ConsoleEdit = {
    Type: 'AWS::SSM::Parameter',
    Properties: { Name: `/cfn-stages-test/${name}/${value}`, Type: 'String', Value: value },
  };
  return JSON.stringify(doc, null, 2);
}

test('after a deploy, a re-run reads no template back and creates no change set', async () => {
  const first = await deploy();
  expect(Object.values(first.results)).toEqual(all('created'));
  const again = await deploy();
  expect(Object.values(again.results)).toEqual(all('skipped-unchanged'));
  expect(calledFor(again.calls, 'GetTemplate')).toEqual([]);
  expect(calledFor(again.calls, 'CreateChangeSet')).toEqual([]);
}, 300_000);

/**
 * UpdateStack with the stack's template plus one resource, as a console user would; the stack
 * after it, which must have a new LastUpdatedTime: the record rests on that.
 */
async function updateFromOutside(name: string, value: string): Promise<Stack> {
  const before = await stackOf(name);
  await cfn.send(
    new UpdateStackCommand({
      StackName: name,
      TemplateBody: await editedTemplate(name, value),
      Parameters: (before.Parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
      Tags: before.Tags,
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const after = await stackOf(name);
  expect(after.LastUpdatedTime!.getTime()).toBeGreaterThan((before.LastUpdatedTime ?? before.CreationTime)!.getTime());
  return after;
}

test('a stack updated from outside with another template is read and goes through a change set', async () => {
  expect((await updateFromOutside(NETWORK, 'from-the-console')).StackStatus).toBe('UPDATE_COMPLETE');

  const run = await deploy();
  // (read by the run's check, then again on the way to its change set)
  expect(new Set(calledFor(run.calls, 'GetTemplate'))).toEqual(new Set([NETWORK]));
  expect(calledFor(run.calls, 'CreateChangeSet')).toContain(NETWORK);
  expect(run.results[NETWORK]).toBe('updated');
  expect(JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: NETWORK }))).TemplateBody!)).not.toHaveProperty(
    'Resources.ConsoleEdit',
  );
  // The update this run made is recorded in its turn.
  expect(calledFor((await deploy()).calls, 'GetTemplate')).toEqual([]);
}, 300_000);

test('a stack whose update from outside rolled back is read afresh and found as deployed', async () => {
  const ssm = new SSMClient(emu.clientConfig);
  const fail = { Name: `/cfn-stages-emulator/fail/${NETWORK}/ConsoleEdit` };
  await ssm.send(new PutParameterCommand({ ...fail, Value: 'create', Type: 'String' }));
  try {
    expect((await updateFromOutside(NETWORK, 'rolled-back')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  } finally {
    await ssm.send(new DeleteParameterCommand(fail));
    ssm.destroy();
  }
  const run = await deploy();
  expect(new Set(calledFor(run.calls, 'GetTemplate'))).toEqual(new Set([NETWORK]));
  expect(calledFor(run.calls, 'CreateChangeSet')).toEqual([]);
  expect(Object.values(run.results)).toEqual(all('skipped-unchanged'));
}, 300_000);

test('a stack deleted and created again from outside is read afresh', async () => {
  const old = await stackOf(QUEUE);
  const template = await editedTemplate(QUEUE, 'created-again');
  await cfn.send(new DeleteStackCommand({ StackName: QUEUE }));
  await cfn.send(
    new CreateStackCommand({
      StackName: QUEUE,
      TemplateBody: template,
      Parameters: old.Parameters?.map((p) => ({ ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue })),
      Tags: old.Tags,
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  expect((await stackOf(QUEUE)).StackId).not.toBe(old.StackId);

  const run = await deploy();
  expect(new Set(calledFor(run.calls, 'GetTemplate'))).toEqual(new Set([QUEUE]));
  expect(run.results[QUEUE]).toBe('updated');
}, 300_000);

test('with a corrupt record file the run is the same as without a record', async () => {
  fs.writeFileSync(recordFile(), '{"format":1,"records":[["trunc');
  const corrupt = await deploy();
  const none = await deploy('0');
  expect(corrupt.results).toEqual(none.results);
  expect(Object.values(corrupt.results)).toEqual(all('skipped-unchanged'));
  expect(calledFor(corrupt.calls, 'GetTemplate')).toEqual(calledFor(none.calls, 'GetTemplate'));
  expect(new Set(calledFor(corrupt.calls, 'GetTemplate'))).toEqual(new Set(Object.keys(none.results)));
  // The run wrote a whole record again, which the next run uses.
  expect(JSON.parse(fs.readFileSync(recordFile(), 'utf8'))).toMatchObject({ format: 1 });
  expect(calledFor((await deploy()).calls, 'GetTemplate')).toEqual([]);
}, 300_000);

test('two runs writing the record at once both succeed and leave one whole file', async () => {
  fs.rmSync(recordFolder(), { recursive: true, force: true });
  const runs = await Promise.all([provision(['plan']), provision(['plan'])]);
  expect(runs.map((r) => r.run.code)).toEqual([0, 0]);
  // (whether the second run finds the first one's record depends on timing; the outcome does not)
  expect(runs[0]!.run.stdout).toEqual(runs[1]!.run.stdout);
  const doc = JSON.parse(fs.readFileSync(recordFile(), 'utf8')) as { records: unknown[] };
  expect(doc.records).toHaveLength(STACKS);
  expect(fs.readdirSync(recordFolder())).toEqual(['deployed-templates.json']);
  expect(calledFor((await provision(['plan'])).calls, 'GetTemplate')).toEqual([]);
}, 300_000);
