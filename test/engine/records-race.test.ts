/**
 * The record of deployed templates (src/deploy/records.ts) must not take this tool's body for an
 * update someone else made: an outside update that runs after this tool's update ends and before
 * its next status read leaves that read showing the outside update's time. The engine then sees
 * events of another operation (another ClientRequestToken) and records nothing. Against the fake
 * CloudFormation, which gives every event of an operation the token of the call that started it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';

// This file's own record for the process-wide one (test/setup.ts turns it off).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-records-race-'));
process.env.PROVISION_RECORDS = tmp;

import type { AwsClients } from '../../src/aws/clients';
import { deployRecords } from '../../src/deploy/records';
import { deployStack } from '../../src/deploy/stack';
import type { StackSpec } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, queues, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;
let outside: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
  outside = fakeClients(fake);
});

afterEach(() => {
  clients.destroy();
  outside.destroy();
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const v1 = spec('x-dev-queues', { resources: queues() });
const withTopic = (s: StackSpec, name: string): StackSpec => {
  const body = JSON.parse(s.templateBody) as { Resources: Record<string, unknown> };
  body.Resources[name] = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: name } };
  return { ...s, templateBody: JSON.stringify(body) };
};

/** An update made from outside (a console user): a change set executed, then waited for. */
async function outsideUpdate(s: StackSpec): Promise<void> {
  const cfn = outside.cloudFormation;
  await cfn.send(
    new CreateChangeSetCommand({ StackName: s.name, ChangeSetName: 'console', TemplateBody: s.templateBody }),
  );
  for (let i = 0; i < 20; i++) {
    const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: s.name, ChangeSetName: 'console' }));
    if (cs.Status === 'CREATE_COMPLETE') break;
  }
  await cfn.send(
    new ExecuteChangeSetCommand({ StackName: s.name, ChangeSetName: 'console', ClientRequestToken: 'console-1' }),
  );
  for (let i = 0; i < 50 && fake.stack(s.name)?.status !== 'UPDATE_COMPLETE'; i++)
    await cfn.send(new DescribeStacksCommand({ StackName: s.name }));
}

/**
 * Runs `outsideUpdate(next)` at the first CloudFormation read of ours after our own update has
 * finished in the fake (before our watch has seen it finish).
 */
function interleave(next: StackSpec): void {
  const cfn = clients.cloudFormation;
  const send = cfn.send.bind(cfn) as (...a: unknown[]) => Promise<unknown>;
  let executed = false;
  let done = false;
  (cfn as unknown as { send: unknown }).send = async (command: object, ...rest: unknown[]) => {
    if (command instanceof ExecuteChangeSetCommand) executed = true;
    else if (executed && !done && fake.stack(next.name)?.status === 'UPDATE_COMPLETE') {
      done = true;
      await outsideUpdate(next);
    }
    return send(command, ...rest);
  };
}

async function current(name: string): Promise<Stack> {
  const out = await outside.cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
  return out.Stacks![0]!;
}

it('records its own update when no other operation ran', async () => {
  await deployStack(clients, v1, { poll: FAST });
  const ours = withTopic(v1, 'Ours');
  expect((await deployStack(clients, ours, { poll: FAST })).kind).toBe('updated');
  expect(deployRecords().knows(await current(v1.name), ours.templateBody)).toBe(true);
});

it('records nothing when an outside update ran between its update and its last status read', async () => {
  await deployStack(clients, v1, { poll: FAST });
  const ours = withTopic(v1, 'Ours');
  const theirs = withTopic(v1, 'Theirs');
  interleave(theirs);

  expect((await deployStack(clients, ours, { poll: FAST })).kind).toBe('updated');

  const now = await current(v1.name);
  expect(fake.stack(v1.name)?.resources.has('Theirs')).toBe(true); // the outside update is what is deployed
  expect(deployRecords().knows(now, ours.templateBody)).toBe(false);
});
