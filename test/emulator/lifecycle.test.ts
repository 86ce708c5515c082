/**
 * The emulator's lifecycle pieces (cfn_stages_moto/lifecycle.py, README "Lifecycle") through the
 * real SDK: AWS's refusals of a resource import, a refused CreateStack that leaves no stack,
 * executed change sets that are gone, and a resource made to fail on update. The successful
 * import, the injected create failure, restores and snapshots run in test/e2e/lifecycle.test.ts.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startEmulator, type Emulator } from '../helpers/emulator';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let emu: Emulator;
let cfn: CloudFormationClient;

beforeAll(async () => {
  emu = await startEmulator();
  cfn = new CloudFormationClient(emu.clientConfig);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  await emu?.stop();
});

const repository = (extra: Record<string, unknown> = {}) => ({
  Parameters: { RepositoryName: { Type: 'String' } },
  Resources: {
    Repository: {
      Type: 'AWS::ECR::Repository',
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { RepositoryName: { Ref: 'RepositoryName' } },
    },
  },
  ...extra,
});

async function importChangeSet(
  stackName: string,
  name: string,
  template: object,
): Promise<{ Status?: string; StatusReason?: string }> {
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: 'import',
      ChangeSetType: 'IMPORT',
      TemplateBody: JSON.stringify(template),
      Parameters: [{ ParameterKey: 'RepositoryName', ParameterValue: name }],
      ResourcesToImport: [
        {
          ResourceType: 'AWS::ECR::Repository',
          LogicalResourceId: 'Repository',
          ResourceIdentifier: { RepositoryName: name },
        },
      ],
    }),
  );
  return cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: 'import' }));
}

test('an import is refused as AWS refuses it: a missing resource, other resources, outputs', async () => {
  const ecr = new ECRClient(emu.clientConfig);
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'kept' }));
  } finally {
    ecr.destroy();
  }
  expect(await importChangeSet('imp-missing', 'nope', repository())).toMatchObject({
    Status: 'FAILED',
    StatusReason: expect.stringContaining('do not exist'),
  });
  const withTopic = repository();
  (withTopic.Resources as Record<string, unknown>).Topic = { Type: 'AWS::SNS::Topic' };
  expect(await importChangeSet('imp-other', 'kept', withTopic)).toMatchObject({
    Status: 'FAILED',
    StatusReason: expect.stringContaining('not being imported'),
  });
  const withOutputs = repository({ Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Repository', 'Arn'] } } } });
  expect(await importChangeSet('imp-outputs', 'kept', withOutputs)).toMatchObject({
    Status: 'FAILED',
    StatusReason: expect.stringContaining('[Outputs]'),
  });
  const ok = await importChangeSet('imp-ok', 'kept', repository());
  expect(ok).toMatchObject({
    Status: 'CREATE_COMPLETE',
    Changes: [{ ResourceChange: { Action: 'Import', LogicalResourceId: 'Repository', PhysicalResourceId: 'kept' } }],
  });
  await cfn.send(new ExecuteChangeSetCommand({ StackName: 'imp-ok', ChangeSetName: 'import' }));
  expect((await cfn.send(new DescribeStacksCommand({ StackName: 'imp-ok' }))).Stacks?.[0]?.StackStatus).toBe(
    'IMPORT_COMPLETE',
  );
  // Executed: the stack's change sets are gone. And a second stack cannot import what one owns.
  expect((await cfn.send(new ListChangeSetsCommand({ StackName: 'imp-ok' }))).Summaries).toEqual([]);
  expect(await importChangeSet('imp-twice', 'kept', repository())).toMatchObject({
    Status: 'FAILED',
    StatusReason: expect.stringContaining('already belongs to stack imp-ok'),
  });
});

test('CreateStack refused for a missing export leaves no stack behind', async () => {
  const template = {
    Resources: {
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::ImportValue': 'nobody-exports-this' } } },
    },
  };
  await expect(
    cfn.send(new CreateStackCommand({ StackName: 'ghost', TemplateBody: JSON.stringify(template) })),
  ).rejects.toThrow('No export named nobody-exports-this found');
  await expect(cfn.send(new DescribeStacksCommand({ StackName: 'ghost' }))).rejects.toMatchObject({
    name: 'ValidationError',
  });
});

test('a resource made to fail on update fails the update, which rolls back', async () => {
  const ssm = new SSMClient(emu.clientConfig);
  const topic = (name: string) =>
    JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: name } } } });
  try {
    await cfn.send(new CreateStackCommand({ StackName: 'upd-fail', TemplateBody: topic('one') }));
    await ssm.send(
      new PutParameterCommand({ Name: '/cfn-stages-emulator/fail/upd-fail/Topic', Value: 'update', Type: 'String' }),
    );
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'upd-fail',
        ChangeSetName: 'two',
        ChangeSetType: 'UPDATE',
        TemplateBody: topic('two'),
      }),
    );
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'upd-fail', ChangeSetName: 'two' }));
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'upd-fail' }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'upd-fail' }))).StackEvents ?? [];
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_FAILED')).toMatchObject({
      LogicalResourceId: 'Topic',
      ResourceStatusReason: expect.stringContaining('Failure requested by the test'),
    });
    await ssm.send(new DeleteParameterCommand({ Name: '/cfn-stages-emulator/fail/upd-fail/Topic' }));
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'upd-fail',
        ChangeSetName: 'three',
        ChangeSetType: 'UPDATE',
        TemplateBody: topic('two'),
      }),
    );
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'upd-fail', ChangeSetName: 'three' }));
    const after = (await cfn.send(new DescribeStacksCommand({ StackName: 'upd-fail' }))).Stacks![0]!;
    expect(after.StackStatus).toBe('UPDATE_COMPLETE');
    expect(after.LastUpdatedTime).toBeInstanceOf(Date);
  } finally {
    ssm.destroy();
  }
});
