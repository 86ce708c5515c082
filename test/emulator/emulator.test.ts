/**
 * The local AWS emulator (moto + test/emulator/cfn_stages_moto), driven through the real AWS SDK
 * clients: each test pins down an AWS behaviour the end-to-end tests and the demo rely on and
 * that moto 5.2.1 lacks without the extension (see test/emulator/README.md), then the published
 * templates go through it the way the deployer sends them (change set, execute).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  ListExportsCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
  UpdateTerminationProtectionCommand,
  type Change,
  type Parameter,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { portIsOpen, REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';

jest.setTimeout(60000);

let emu: Emulator;
let startMs = 0;
let cfn: CloudFormationClient;
let ec2: EC2Client;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
let s3: S3Client;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  const started = Date.now();
  emu = await startEmulator();
  startMs = Date.now() - started;
  cfn = new CloudFormationClient(emu.clientConfig);
  ec2 = new EC2Client(emu.clientConfig);
  ecs = new ECSClient(emu.clientConfig);
  elbv2 = new ElasticLoadBalancingV2Client(emu.clientConfig);
  s3 = new S3Client(emu.clientConfig);
  secrets = new SecretsManagerClient(emu.clientConfig);
});

afterAll(async () => {
  for (const client of [cfn, ec2, ecs, elbv2, s3, secrets]) client?.destroy();
  await emu?.stop();
});

// --- helpers ------------------------------------------------------------------------------------

type Template = Record<string, any>;
const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const;
/** Every stack uses the same change set name, as the deployer does: names are per stack on AWS. */
const CHANGE_SET = 'cfn-stages';

const asParameters = (values: Record<string, string>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

async function describe1(stackName: string): Promise<Stack> {
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  return Stacks![0];
}

function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function stackExists(stackName: string): Promise<boolean> {
  try {
    const stack = await describe1(stackName);
    return stack.StackStatus !== 'DELETE_COMPLETE';
  } catch {
    return false;
  }
}

interface DeployOptions {
  parameters?: Record<string, string>;
  templateUrl?: string;
}

/** Creates the change set (CREATE or UPDATE as the stack requires) and describes it. */
async function changeSet(stackName: string, template: Template | undefined, options: DeployOptions = {}) {
  const type = (await stackExists(stackName)) ? 'UPDATE' : 'CREATE';
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: CHANGE_SET,
      ChangeSetType: type,
      ...(options.templateUrl ? { TemplateURL: options.templateUrl } : { TemplateBody: JSON.stringify(template) }),
      Parameters: asParameters(options.parameters ?? {}),
      Capabilities: [...CAPABILITIES],
    }),
  );
  return cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: CHANGE_SET }));
}

async function execute(stackName: string): Promise<Stack> {
  await cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: CHANGE_SET }));
  return describe1(stackName);
}

async function deploy(stackName: string, template: Template | undefined, options: DeployOptions = {}): Promise<Stack> {
  const described = await changeSet(stackName, template, options);
  expect(described.Status).toBe('CREATE_COMPLETE');
  return execute(stackName);
}

/** Deploys and insists on CREATE_COMPLETE / UPDATE_COMPLETE, showing the failure reasons if not. */
async function deployOk(
  stackName: string,
  template: Template | undefined,
  options: DeployOptions = {},
): Promise<Stack> {
  const stack = await deploy(stackName, template, options);
  if (!/^(CREATE|UPDATE)_COMPLETE$/.test(stack.StackStatus!)) {
    const reasons = await failureReasons(stackName);
    throw new Error(`${stackName}: ${stack.StackStatus}\n${reasons.join('\n')}`);
  }
  return stack;
}

async function failureReasons(stackName: string): Promise<string[]> {
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return (StackEvents ?? [])
    .filter((e) => e.ResourceStatus?.endsWith('_FAILED'))
    .map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
}

async function physicalId(stackName: string, logicalId: string): Promise<string> {
  const { StackResourceDetail } = await cfn.send(
    new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }),
  );
  return StackResourceDetail!.PhysicalResourceId!;
}

async function deleteStack(stackName: string): Promise<Stack | undefined> {
  await cfn.send(new DeleteStackCommand({ StackName: stackName }));
  return (await stackExists(stackName)) ? describe1(stackName) : undefined;
}

async function exportsByName(): Promise<Record<string, string>> {
  const { Exports } = await cfn.send(new ListExportsCommand({}));
  return Object.fromEntries((Exports ?? []).map((e) => [e.Name!, e.Value!]));
}

const output = (value: unknown, exportName?: unknown) => ({
  Value: value,
  ...(exportName ? { Export: { Name: exportName } } : {}),
});

const tags = [{ Key: 'cfn-stages:test', Value: 'emulator' }];

/** A VPC with two subnets in two zones, for types that need a network. */
function network(cidr: string): Template {
  const subnet = (index: number) => ({
    Type: 'AWS::EC2::Subnet',
    Properties: {
      VpcId: { Ref: 'Vpc' },
      CidrBlock: { 'Fn::Select': [index, { 'Fn::Cidr': [cidr, 2, 8] }] },
      AvailabilityZone: { 'Fn::Select': [index, { 'Fn::GetAZs': '' }] },
    },
  });
  return { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: cidr } }, SubnetA: subnet(0), SubnetB: subnet(1) };
}

// --- the emulator process -----------------------------------------------------------------------

test('starts on a free loopback port in a few seconds and answers the SDK', async () => {
  expect(emu.endpoint).toBe(`http://127.0.0.1:${emu.port}`);
  expect(await portIsOpen(emu.port)).toBe(true);
  // Measured on the 2-core machine: about 0.7 s to answer; the extension then loads in the
  // background (about 1.3 s) before the first CloudFormation call is served.
  expect(startMs).toBeLessThan(15000);
  const { Stacks } = await cfn.send(new DescribeStacksCommand({}));
  expect(Stacks).toEqual([]);
});

// --- change sets, outputs and exports ------------------------------------------------------------

describe('change sets publish outputs and exports; Fn::ImportValue reads them', () => {
  const arn = 'arn:aws:sns:us-east-1:123456789012:e2e';
  const producer: Template = {
    Parameters: { Name: { Type: 'String' }, Colour: { Type: 'String', Default: 'blue' } },
    Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Name' } } } },
    Outputs: {
      TopicArn: output({ Ref: 'Topic' }, { 'Fn::Sub': '${Name}-TopicArn' }),
      // Same value as TopicArn: moto used to swap export names between equal values.
      SameArn: output({ Ref: 'Topic' }, { 'Fn::Sub': '${Name}-SameArn' }),
      Colour: output({ Ref: 'Colour' }, { 'Fn::Sub': '${Name}-Colour' }),
      Plain: output({ 'Fn::GetAtt': ['Topic', 'TopicName'] }),
    },
  };
  const withoutSameArn = (): Template => {
    const template = structuredClone(producer);
    delete template.Outputs.SameArn;
    return template;
  };
  const consumer: Template = {
    Resources: {
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: { 'Fn::Sub': ['${C}-consumer', { C: { 'Fn::ImportValue': 'e2e-Colour' } }] } },
      },
    },
    Outputs: {
      Imported: output({ 'Fn::ImportValue': 'e2e-TopicArn' }),
      QueueName: output({ 'Fn::GetAtt': ['Queue', 'QueueName'] }),
    },
  };

  test('a CREATE change set leaves outputs (with their export names) and exports', async () => {
    const stack = await deployOk('e2e-producer', producer, { parameters: { Name: 'e2e' } });
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, [o.OutputValue, o.ExportName]]))).toEqual({
      TopicArn: [arn, 'e2e-TopicArn'],
      SameArn: [arn, 'e2e-SameArn'],
      Colour: ['blue', 'e2e-Colour'],
      Plain: ['e2e', undefined],
    });
    expect(await exportsByName()).toMatchObject({ 'e2e-TopicArn': arn, 'e2e-SameArn': arn, 'e2e-Colour': 'blue' });
    // Per-resource progress, newest first, as the deployer's live view reads it.
    const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'e2e-producer' }));
    expect(StackEvents!.map((e) => [e.LogicalResourceId, e.ResourceStatus, e.PhysicalResourceId])).toEqual([
      ['e2e-producer', 'CREATE_COMPLETE', stack.StackId],
      ['Topic', 'CREATE_COMPLETE', arn],
      ['Topic', 'CREATE_IN_PROGRESS', arn],
      ['e2e-producer', 'CREATE_IN_PROGRESS', stack.StackId],
      ['e2e-producer', 'REVIEW_IN_PROGRESS', stack.StackId],
    ]);
  });

  test('a second stack imports the exports', async () => {
    const stack = await deployOk('e2e-consumer', consumer);
    expect(outputsOf(stack)).toEqual({ Imported: arn, QueueName: 'blue-consumer' });
  });

  test('ListImports names the importing stack; an export nobody imports is an error', async () => {
    const { Imports } = await cfn.send(new ListImportsCommand({ ExportName: 'e2e-TopicArn' }));
    expect(Imports).toEqual(['e2e-consumer']);
    await expect(cfn.send(new ListImportsCommand({ ExportName: 'e2e-SameArn' }))).rejects.toThrow(
      "Export 'e2e-SameArn' is not imported by any stack.",
    );
  });

  test('an UPDATE change set re-publishes exports and withdraws the ones that left', async () => {
    const listed = await changeSet('e2e-producer', withoutSameArn(), { parameters: { Name: 'e2e' } });
    expect(listed.Changes).toEqual([]); // outputs only: no resource changes, yet it executes
    const stack = await execute('e2e-producer');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(Object.keys(outputsOf(stack)).sort()).toEqual(['Colour', 'Plain', 'TopicArn']);
    const exported = await exportsByName();
    expect(exported['e2e-SameArn']).toBeUndefined();
    expect(exported['e2e-TopicArn']).toBe(arn);
  });

  test('an export in use cannot change: the update rolls back with the reason', async () => {
    const stack = await deploy('e2e-producer', withoutSameArn(), { parameters: { Name: 'e2e', Colour: 'red' } });
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await failureReasons('e2e-producer')).join('\n')).toContain(
      'Cannot update export e2e-Colour as it is in use by e2e-consumer',
    );
    expect((await exportsByName())['e2e-Colour']).toBe('blue');
    expect(outputsOf(stack).Colour).toBe('blue');
  });

  test('deleting a stack whose export is imported fails; after the importer goes, it works', async () => {
    const failed = await deleteStack('e2e-producer');
    expect(failed?.StackStatus).toBe('DELETE_FAILED');
    expect((await failureReasons('e2e-producer')).join('\n')).toContain(
      'Export e2e-TopicArn cannot be deleted as it is in use by e2e-consumer',
    );
    expect(await deleteStack('e2e-consumer')).toBeUndefined();
    expect(await deleteStack('e2e-producer')).toBeUndefined();
    expect(Object.keys(await exportsByName()).filter((name) => name.startsWith('e2e-'))).toEqual([]);
  });

  test('change set names are per stack, and ListChangeSets lists one stack', async () => {
    const tiny = (name: string): Template => ({
      Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: name } } },
      Outputs: { Name: output({ 'Fn::GetAtt': ['Q', 'QueueName'] }) },
    });
    await changeSet('e2e-cs-a', tiny('queue-a'));
    await changeSet('e2e-cs-b', tiny('queue-b'));
    const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: 'e2e-cs-a' }));
    expect(Summaries!.map((s) => s.StackName)).toEqual(['e2e-cs-a']);
    expect(outputsOf(await execute('e2e-cs-a'))).toEqual({ Name: 'queue-a' });
    expect((await describe1('e2e-cs-b')).StackStatus).toBe('REVIEW_IN_PROGRESS');
    await expect(
      cfn.send(new DescribeChangeSetCommand({ StackName: 'e2e-cs-a', ChangeSetName: 'no-such-change-set' })),
    ).rejects.toMatchObject({ name: 'ChangeSetNotFoundException' });
  });
});

describe('updates list what changes, conditions and parameters included', () => {
  const template: Template = {
    Parameters: {
      Suffix: { Type: 'String', Default: 'one' },
      Timeout: { Type: 'Number', Default: '30' },
      WithDlq: { Type: 'String', Default: 'false', AllowedValues: ['true', 'false'] },
    },
    Conditions: { Dlq: { 'Fn::Equals': [{ Ref: 'WithDlq' }, 'true'] } },
    Resources: {
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: { 'Fn::Sub': 'e2e-upd-${Suffix}' }, VisibilityTimeout: { Ref: 'Timeout' } },
      },
      DeadLetters: { Type: 'AWS::SQS::Queue', Condition: 'Dlq', Properties: { QueueName: 'e2e-upd-dlq' } },
    },
    Outputs: { QueueUrl: output({ Ref: 'Queue' }) },
  };
  const summary = (changes: Change[] | undefined) =>
    (changes ?? []).map((c) => [
      c.ResourceChange!.Action,
      c.ResourceChange!.LogicalResourceId,
      c.ResourceChange!.Replacement,
    ]);
  const resourceIds = async (stackName: string) =>
    (await cfn.send(new ListStackResourcesCommand({ StackName: stackName }))).StackResourceSummaries!.map(
      (r) => r.LogicalResourceId,
    );

  test('parameter-only changes: Modify in place, Modify with replacement, Add and Remove by condition', async () => {
    await deployOk('e2e-upd', template);
    const queueUrl = outputsOf(await describe1('e2e-upd')).QueueUrl;

    const inPlace = await changeSet('e2e-upd', template, { parameters: { Timeout: '60', WithDlq: 'true' } });
    expect(summary(inPlace.Changes)).toEqual([
      ['Add', 'DeadLetters', undefined],
      ['Modify', 'Queue', 'False'],
    ]);
    await execute('e2e-upd');
    expect(outputsOf(await describe1('e2e-upd')).QueueUrl).toBe(queueUrl); // same physical queue
    expect((await resourceIds('e2e-upd')).sort()).toEqual(['DeadLetters', 'Queue']);

    const replacing = await changeSet('e2e-upd', template, { parameters: { Suffix: 'two', Timeout: '60' } });
    expect(summary(replacing.Changes)).toEqual([
      ['Modify', 'Queue', 'True'], // QueueName is create-only
      ['Remove', 'DeadLetters', undefined],
    ]);
    await execute('e2e-upd');
    expect(await resourceIds('e2e-upd')).toEqual(['Queue']);
    expect(outputsOf(await describe1('e2e-upd')).QueueUrl).toMatch(/\/e2e-upd-two$/);
  });

  test('an unchanged template and parameters make a FAILED change set, as on AWS', async () => {
    const same = await changeSet('e2e-upd', template, { parameters: { Suffix: 'two', Timeout: '60' } });
    expect(same.Status).toBe('FAILED');
    expect(same.StatusReason).toMatch(/didn't contain changes/);
  });

  test('a replaced target group: the listener and rule pointing at it are modified, then the old group goes', async () => {
    const chain: Template = {
      Parameters: { Port: { Type: 'Number', Default: '80' } },
      Resources: {
        ...network('10.40.0.0/16'),
        Lb: {
          Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
          Properties: { Subnets: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }] },
        },
        Group: {
          Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
          Properties: { Port: { Ref: 'Port' }, Protocol: 'HTTP', TargetType: 'ip', VpcId: { Ref: 'Vpc' } },
        },
        Listener: {
          Type: 'AWS::ElasticLoadBalancingV2::Listener',
          Properties: {
            LoadBalancerArn: { Ref: 'Lb' },
            Port: 80,
            Protocol: 'HTTP',
            DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Group' } }],
          },
        },
        Rule: {
          Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
          Properties: {
            ListenerArn: { Ref: 'Listener' },
            Priority: 1,
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
            Actions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': ['Group', 'TargetGroupArn'] } }],
          },
        },
      },
      Outputs: { GroupArn: output({ Ref: 'Group' }) },
    };
    const before = outputsOf(await deployOk('e2e-chain', chain)).GroupArn;
    const listenerArn = await physicalId('e2e-chain', 'Listener');

    const described = await changeSet('e2e-chain', chain, { parameters: { Port: '8080' } });
    expect(summary(described.Changes)).toEqual([
      ['Modify', 'Group', 'True'], // Port is create-only
      ['Modify', 'Listener', 'False'],
      ['Modify', 'Rule', 'False'],
    ]);
    const details = (id: string) =>
      described.Changes!.find((c) => c.ResourceChange!.LogicalResourceId === id)!.ResourceChange!.Details;
    expect(details('Listener')).toContainEqual({
      Target: { Attribute: 'Properties', Name: 'DefaultActions', RequiresRecreation: 'Never' },
      Evaluation: 'Static',
      ChangeSource: 'ResourceReference',
      CausingEntity: 'Group',
    });
    expect(details('Rule')).toContainEqual(
      expect.objectContaining({
        ChangeSource: 'ResourceAttribute',
        CausingEntity: 'Group.TargetGroupArn',
      }),
    );
    expect(details('Group')).toContainEqual(
      expect.objectContaining({
        Target: expect.objectContaining({ Name: 'Port', RequiresRecreation: 'Always' }),
        ChangeSource: 'ParameterReference',
        CausingEntity: 'Port',
      }),
    );

    // The new group is made first and the old one, in use until the listener and rule move,
    // deleted in the cleanup (deleting it first would be refused: "in use by a listener or a rule").
    const stack = await execute('e2e-chain');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    const after = outputsOf(stack).GroupArn;
    expect(after).not.toBe(before);
    const { Listeners } = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    expect(Listeners![0].DefaultActions![0].TargetGroupArn).toBe(after);
    const { Rules } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const rule = Rules!.find((r) => !r.IsDefault)!;
    expect(rule.Actions![0].TargetGroupArn).toBe(after);
    const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({}));
    const arns = TargetGroups!.map((g) => g.TargetGroupArn);
    expect(arns).toContain(after);
    expect(arns).not.toContain(before);
    const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'e2e-chain' }));
    expect(
      StackEvents!.find((e) => e.PhysicalResourceId === before && e.ResourceStatus === 'DELETE_COMPLETE'),
    ).toBeDefined();
    expect(await deleteStack('e2e-chain')).toBeUndefined();
  });
});

// --- stack API behaviour ------------------------------------------------------------------------

describe('stack API', () => {
  test('termination protection: reported, refuses DeleteStack, can be lifted', async () => {
    await deployOk('e2e-protected', { Resources: { T: { Type: 'AWS::SNS::Topic' } } });
    await cfn.send(
      new UpdateTerminationProtectionCommand({ StackName: 'e2e-protected', EnableTerminationProtection: true }),
    );
    expect((await describe1('e2e-protected')).EnableTerminationProtection).toBe(true);
    await expect(cfn.send(new DeleteStackCommand({ StackName: 'e2e-protected' }))).rejects.toThrow(
      'Stack [e2e-protected] cannot be deleted while TerminationProtection is enabled',
    );
    expect(await stackExists('e2e-protected')).toBe(true);
    await cfn.send(
      new UpdateTerminationProtectionCommand({ StackName: 'e2e-protected', EnableTerminationProtection: false }),
    );
    expect((await describe1('e2e-protected')).EnableTerminationProtection).toBe(false);
    expect(await deleteStack('e2e-protected')).toBeUndefined();
  });

  test('NoEcho parameters read **** in DescribeStacks; lists read back as written', async () => {
    const stack = await deployOk(
      'e2e-noecho',
      {
        Parameters: {
          Token: { Type: 'String', NoEcho: true },
          Names: { Type: 'CommaDelimitedList', Default: 'a, b,c' },
        },
        Resources: { T: { Type: 'AWS::SNS::Topic' } },
        Outputs: { Second: output({ 'Fn::Select': [1, { Ref: 'Names' }] }) },
      },
      { parameters: { Token: 'hunter2-secret' } },
    );
    const values = Object.fromEntries(stack.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(values.Token).toBe('****');
    expect(values.Names).toBe('a,b,c');
    expect(JSON.stringify(stack)).not.toContain('hunter2-secret');
    expect(outputsOf(stack).Second).toBe('b'); // the default list is split and trimmed
  });

  test('UsePreviousValue keeps list and NoEcho values through a change set', async () => {
    const policy = (name: string) => `arn:aws:iam::123456789012:policy/${name}`;
    await deployOk(
      'e2e-previous',
      {
        Parameters: {
          Token: { Type: 'String', NoEcho: true },
          Arns: {
            Type: 'CommaDelimitedList',
            Default: '',
            AllowedPattern: '^$|^arn:aws:iam::[0-9]{12}:policy/[a-z]+$',
          },
          Name: { Type: 'String' },
        },
        Resources: { T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Name' } } } },
        Outputs: { Arns: output({ 'Fn::Join': [',', { Ref: 'Arns' }] }), Token: output({ Ref: 'Token' }) },
      },
      { parameters: { Token: 'kept-token', Arns: `${policy('a')},${policy('b')}`, Name: 'first' } },
    );
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'e2e-previous',
        ChangeSetName: CHANGE_SET,
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: true,
        Parameters: [
          { ParameterKey: 'Token', UsePreviousValue: true },
          { ParameterKey: 'Arns', UsePreviousValue: true },
          { ParameterKey: 'Name', ParameterValue: 'second' },
        ],
      }),
    );
    const stack = await execute('e2e-previous');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(outputsOf(stack)).toEqual({ Arns: `${policy('a')},${policy('b')}`, Token: 'kept-token' });
  });

  test('parameters are validated at CreateChangeSet, each list member on its own', async () => {
    const template = {
      Parameters: {
        Prefix: { Type: 'String', AllowedPattern: '^[a-z]-$', ConstraintDescription: 'one letter then a hyphen' },
        Count: { Type: 'Number', Default: '2', MinValue: 1, MaxValue: 3 },
        Cidrs: { Type: 'CommaDelimitedList', Default: '10.0.0.0/24,10.0.1.0/24', AllowedPattern: '^[0-9./]+$' },
      },
      Resources: { T: { Type: 'AWS::SNS::Topic' } },
    };
    const attempt = (parameters: Record<string, string>) => changeSet('e2e-invalid', template, { parameters });
    await expect(attempt({ Prefix: 'xy-' })).rejects.toThrow(
      "Parameter 'Prefix' failed to satisfy constraint: one letter then a hyphen",
    );
    await expect(attempt({ Prefix: 'x-', Count: '4' })).rejects.toThrow(
      "Parameter 'Count' must be a number not greater than 3",
    );
    await expect(attempt({ Prefix: 'x-', Cidrs: '10.0.0.0/24,oops' })).rejects.toThrow(
      "Parameter 'Cidrs' must match pattern",
    );
    await expect(attempt({})).rejects.toThrow('Parameters: [Prefix] must have values');
    await expect(attempt({ Prefix: 'x-', Extra: '1' })).rejects.toThrow(
      'Parameters: [Extra] do not exist in the template',
    );
    expect((await attempt({ Prefix: 'x-' })).Status).toBe('CREATE_COMPLETE');
  });

  test('a failing resource rolls the stack back, with the reason in its events', async () => {
    const stack = await deploy('e2e-broken', {
      Resources: {
        Fine: { Type: 'AWS::SNS::Topic' },
        Broken: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-0000000000missing', CidrBlock: '10.0.0.0/24' } },
      },
      Outputs: { Fine: output({ Ref: 'Fine' }) },
    });
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(stack.Outputs ?? []).toEqual([]);
    const reasons = await failureReasons('e2e-broken');
    expect(reasons[0]).toMatch(/^Broken: .*vpc-0000000000missing/);
    expect(await deleteStack('e2e-broken')).toBeUndefined();
  });

  test('TemplateURL on localhost and on 127.0.0.1 both read the S3 object (path style)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'e2e-templates' }));
    const body = JSON.stringify({
      Resources: { T: { Type: 'AWS::SNS::Topic' } },
      Outputs: { Arn: output({ Ref: 'T' }) },
    });
    await s3.send(new PutObjectCommand({ Bucket: 'e2e-templates', Key: '0.1.0/tiny.cf', Body: body }));
    const viaLocalhost = await deployOk('e2e-url-a', undefined, {
      templateUrl: `http://localhost:${emu.port}/e2e-templates/0.1.0/tiny.cf`,
    });
    expect(outputsOf(viaLocalhost).Arn).toMatch(/^arn:aws:sns:/);
    await cfn.send(
      new CreateStackCommand({
        StackName: 'e2e-url-b',
        TemplateURL: `http://127.0.0.1:${emu.port}/e2e-templates/0.1.0/tiny.cf`,
      }),
    );
    expect(outputsOf(await describe1('e2e-url-b')).Arn).toMatch(/^arn:aws:sns:/);
  });
});

describe('template functions', () => {
  test('Fn::Cidr, Fn::GetAZs with AWS::Region, AWS::NoValue inside a list', async () => {
    const stack = await deployOk('e2e-functions', {
      Parameters: { Extra: { Type: 'String', Default: 'no' } },
      Conditions: { WithExtra: { 'Fn::Equals': [{ Ref: 'Extra' }, 'yes'] } },
      Resources: network('10.7.0.0/16'),
      Outputs: {
        Cidrs: output({ 'Fn::Join': [',', { 'Fn::Cidr': ['10.7.0.0/16', 3, 8] }] }),
        Zones: output({ 'Fn::Join': [',', { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] }),
        Listed: output({ 'Fn::Join': [',', ['a', { 'Fn::If': ['WithExtra', 'b', { Ref: 'AWS::NoValue' }] }, 'c']] }),
      },
    });
    const out = outputsOf(stack);
    expect(out.Cidrs).toBe('10.7.0.0/24,10.7.1.0/24,10.7.2.0/24');
    expect(out.Zones.split(',').slice(0, 3)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(out.Listed).toBe('a,c');
    const { Subnets } = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'cidr-block', Values: ['10.7.0.0/24', '10.7.1.0/24'] }] }),
    );
    expect(Subnets!.map((s) => [s.CidrBlock, s.AvailabilityZone]).sort()).toEqual([
      ['10.7.0.0/24', 'us-east-1a'],
      ['10.7.1.0/24', 'us-east-1b'],
    ]);
  });
});

// --- resource types the extension adds ----------------------------------------------------------

describe('resource types moto lacks', () => {
  const readSecret = async (id: string) =>
    (await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!;

  test('Secrets Manager: generated and given secrets; Ref is the ARN', async () => {
    const stack = await deployOk('e2e-secrets', {
      Resources: {
        Generated: {
          Type: 'AWS::SecretsManager::Secret',
          Properties: {
            Name: 'e2e/generated',
            KmsKeyId: 'alias/aws/secretsmanager',
            GenerateSecretString: {
              SecretStringTemplate: '{"username":"app"}',
              GenerateStringKey: 'password',
              PasswordLength: 24,
              ExcludeCharacters: '"@/\\',
            },
            Tags: tags,
          },
        },
        Plain: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: 'given-value' } },
        Password: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: {} } },
      },
      Outputs: {
        GeneratedArn: output({ Ref: 'Generated' }),
        GeneratedId: output({ 'Fn::GetAtt': ['Generated', 'Id'] }),
        PlainArn: output({ Ref: 'Plain' }),
        PasswordArn: output({ Ref: 'Password' }),
      },
    });
    const out = outputsOf(stack);
    expect(out.GeneratedArn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e\/generated-[A-Za-z0-9]{6}$/,
    );
    expect(out.GeneratedId).toBe(out.GeneratedArn);
    const generated = JSON.parse(await readSecret(out.GeneratedArn));
    expect(generated.username).toBe('app');
    expect(generated.password).toHaveLength(24);
    expect(generated.password).not.toMatch(/["@/\\]/);
    expect(await readSecret(out.PlainArn)).toBe('given-value');
    expect(await readSecret(out.PasswordArn)).toHaveLength(32); // AWS's default length
  });

  test('Aurora: DBCluster endpoints, a member DBInstance, a parameter group, an attached secret', async () => {
    const stack = await deployOk('e2e-aurora', {
      Resources: {
        Secret: {
          Type: 'AWS::SecretsManager::Secret',
          Properties: {
            GenerateSecretString: {
              SecretStringTemplate: '{"username":"master"}',
              GenerateStringKey: 'password',
              ExcludePunctuation: true,
            },
          },
        },
        Params: {
          Type: 'AWS::RDS::DBClusterParameterGroup',
          Properties: { Description: 'e2e', Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': 1 } },
        },
        Cluster: {
          Type: 'AWS::RDS::DBCluster',
          Properties: {
            DBClusterIdentifier: 'e2e-aurora',
            Engine: 'aurora-postgresql',
            EngineVersion: '16.4',
            DBClusterParameterGroupName: { Ref: 'Params' },
            // Dynamic references: resolved from the secret, as AWS does.
            MasterUsername: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:username}}' },
            MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:password}}' },
            StorageEncrypted: true,
            DeletionProtection: false,
          },
        },
        Writer: {
          Type: 'AWS::RDS::DBInstance',
          Properties: {
            DBClusterIdentifier: { Ref: 'Cluster' },
            Engine: 'aurora-postgresql',
            DBInstanceClass: 'db.r6g.large',
          },
        },
        Attachment: {
          Type: 'AWS::SecretsManager::SecretTargetAttachment',
          Properties: { SecretId: { Ref: 'Secret' }, TargetId: { Ref: 'Cluster' }, TargetType: 'AWS::RDS::DBCluster' },
        },
      },
      Outputs: {
        ClusterName: output({ Ref: 'Cluster' }),
        Endpoint: output({ 'Fn::GetAtt': ['Cluster', 'Endpoint.Address'] }),
        Port: output({ 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] }),
        Reader: output({ 'Fn::GetAtt': ['Cluster', 'ReadEndpoint.Address'] }),
        ClusterArn: output({ 'Fn::GetAtt': ['Cluster', 'DBClusterArn'] }),
        Writer: output({ Ref: 'Writer' }),
        WriterEndpoint: output({ 'Fn::GetAtt': ['Writer', 'Endpoint.Address'] }),
        Params: output({ Ref: 'Params' }),
        Attachment: output({ Ref: 'Attachment' }),
        SecretArn: output({ Ref: 'Secret' }),
      },
    });
    const out = outputsOf(stack);
    expect(out.ClusterName).toBe('e2e-aurora');
    expect(out.Endpoint).toMatch(/^e2e-aurora\.cluster-[a-z0-9]+\.us-east-1\.rds\.amazonaws\.com$/);
    expect(out.Reader).toMatch(/^e2e-aurora\.cluster-ro-[a-z0-9]+\.us-east-1\.rds\.amazonaws\.com$/);
    expect(out.Port).toBe('5432');
    expect(out.ClusterArn).toBe('arn:aws:rds:us-east-1:123456789012:cluster:e2e-aurora');
    expect(out.Writer).toMatch(/^e2e-aurora-writer-/);
    expect(out.WriterEndpoint).toContain(`${out.Writer}.`);
    expect(out.Params).toMatch(/^e2e-aurora-params-/);
    expect(out.Attachment).toBe(out.SecretArn);
    expect(JSON.parse(await readSecret(out.SecretArn))).toEqual({
      username: 'master',
      password: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      engine: 'postgres',
      host: out.Endpoint,
      port: 5432,
      dbClusterIdentifier: 'e2e-aurora',
    });
  });

  test('DocumentDB: subnet group, parameter group, cluster and instance', async () => {
    const stack = await deployOk('e2e-docdb', {
      Resources: {
        ...network('10.6.0.0/16'),
        Subnets: {
          Type: 'AWS::DocDB::DBSubnetGroup',
          Properties: { DBSubnetGroupDescription: 'e2e', SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }] },
        },
        Params: {
          Type: 'AWS::DocDB::DBClusterParameterGroup',
          Properties: { Description: 'e2e', Family: 'docdb5.0', Parameters: { tls: 'enabled' } },
        },
        Cluster: {
          Type: 'AWS::DocDB::DBCluster',
          Properties: {
            DBSubnetGroupName: { Ref: 'Subnets' },
            DBClusterParameterGroupName: { Ref: 'Params' },
            MasterUsername: 'docdbadmin',
            MasterUserPassword: 'a-long-enough-password',
            StorageEncrypted: true,
          },
        },
        Instance: {
          Type: 'AWS::DocDB::DBInstance',
          Properties: { DBClusterIdentifier: { Ref: 'Cluster' }, DBInstanceClass: 'db.r6g.large' },
        },
      },
      Outputs: {
        Cluster: output({ Ref: 'Cluster' }),
        Endpoint: output({ 'Fn::GetAtt': ['Cluster', 'Endpoint'] }),
        Reader: output({ 'Fn::GetAtt': ['Cluster', 'ReadEndpoint'] }),
        Port: output({ 'Fn::GetAtt': ['Cluster', 'Port'] }),
        ResourceId: output({ 'Fn::GetAtt': ['Cluster', 'ClusterResourceId'] }),
        InstanceEndpoint: output({ 'Fn::GetAtt': ['Instance', 'Endpoint'] }),
        InstancePort: output({ 'Fn::GetAtt': ['Instance', 'Port'] }),
        Subnets: output({ Ref: 'Subnets' }),
        Params: output({ Ref: 'Params' }),
      },
    });
    const out = outputsOf(stack);
    expect(out.Endpoint).toMatch(
      new RegExp(`^${out.Cluster}\\.cluster-[a-z0-9]+\\.us-east-1\\.docdb\\.amazonaws\\.com$`),
    );
    expect(out.Reader).toMatch(new RegExp(`^${out.Cluster}\\.cluster-ro-`));
    expect([out.Port, out.InstancePort]).toEqual(['27017', '27017']);
    expect(out.ResourceId).toMatch(/^cluster-/);
    expect(out.InstanceEndpoint).toMatch(/\.docdb\.amazonaws\.com$/);
    expect(out.Subnets).toMatch(/^e2e-docdb-subnets-/);
    expect(out.Params).toMatch(/^e2e-docdb-params-/);
  });

  test('ElastiCache: subnet group, parameter group, Redis replication group endpoints', async () => {
    const stack = await deployOk('e2e-redis', {
      Resources: {
        ...network('10.5.0.0/16'),
        Subnets: {
          Type: 'AWS::ElastiCache::SubnetGroup',
          Properties: { Description: 'e2e', SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }] },
        },
        Params: {
          Type: 'AWS::ElastiCache::ParameterGroup',
          Properties: {
            CacheParameterGroupFamily: 'redis7',
            Description: 'e2e',
            Properties: { 'maxmemory-policy': 'allkeys-lru' },
          },
        },
        Redis: {
          Type: 'AWS::ElastiCache::ReplicationGroup',
          Properties: {
            ReplicationGroupDescription: 'e2e',
            Engine: 'redis',
            CacheNodeType: 'cache.t4g.small',
            NumCacheClusters: 2,
            AutomaticFailoverEnabled: true,
            CacheSubnetGroupName: { Ref: 'Subnets' },
            CacheParameterGroupName: { Ref: 'Params' },
            TransitEncryptionEnabled: true,
            AtRestEncryptionEnabled: true,
          },
        },
      },
      Outputs: {
        Group: output({ Ref: 'Redis' }),
        Primary: output({ 'Fn::GetAtt': ['Redis', 'PrimaryEndPoint.Address'] }),
        Port: output({ 'Fn::GetAtt': ['Redis', 'PrimaryEndPoint.Port'] }),
        Reader: output({ 'Fn::GetAtt': ['Redis', 'ReaderEndPoint.Address'] }),
        Replicas: output({ 'Fn::GetAtt': ['Redis', 'ReadEndPoint.Addresses'] }),
        Subnets: output({ Ref: 'Subnets' }),
        Params: output({ Ref: 'Params' }),
      },
    });
    const out = outputsOf(stack);
    expect(out.Primary).toMatch(new RegExp(`^master\\.${out.Group}\\..*\\.cache\\.amazonaws\\.com$`));
    expect(out.Reader).toMatch(new RegExp(`^replica\\.${out.Group}\\.`));
    expect(out.Port).toBe('6379');
    expect(out.Replicas.split(',')).toHaveLength(1); // two nodes: the primary and one replica
    expect(out.Subnets).toMatch(/^e2e-redis-subnets-/);
    expect(out.Params).toMatch(/^e2e-redis-params-/);
  });

  test('ECS capacity providers and Application Auto Scaling on a service', async () => {
    const stack = await deployOk('e2e-scaling', {
      Resources: {
        Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'e2e-cluster' } },
        Providers: {
          Type: 'AWS::ECS::ClusterCapacityProviderAssociations',
          Properties: {
            Cluster: { Ref: 'Cluster' },
            CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
            DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }],
          },
        },
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { Family: 'e2e', ContainerDefinitions: [{ Name: 'app', Image: 'nginx', Memory: 512 }] },
        },
        Service: {
          Type: 'AWS::ECS::Service',
          Properties: {
            Cluster: { Ref: 'Cluster' },
            ServiceName: 'e2e-service',
            TaskDefinition: { Ref: 'Task' },
            DesiredCount: 1,
          },
        },
        Target: {
          Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
          Properties: {
            ServiceNamespace: 'ecs',
            ScalableDimension: 'ecs:service:DesiredCount',
            ResourceId: { 'Fn::Sub': 'service/${Cluster}/${Service.Name}' },
            MinCapacity: 1,
            MaxCapacity: 3,
          },
        },
        Cpu: {
          Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
          Properties: {
            PolicyName: 'cpu',
            PolicyType: 'TargetTrackingScaling',
            ScalingTargetId: { Ref: 'Target' },
            TargetTrackingScalingPolicyConfiguration: {
              TargetValue: 80,
              PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            },
          },
        },
      },
      Outputs: {
        Target: output({ Ref: 'Target' }),
        Policy: output({ Ref: 'Cpu' }),
        PolicyArn: output({ 'Fn::GetAtt': ['Cpu', 'Arn'] }),
        Providers: output({ Ref: 'Providers' }),
      },
    });
    const out = outputsOf(stack);
    expect(out.Target).toBe('service/e2e-cluster/e2e-service|ecs:service:DesiredCount|ecs');
    expect(out.Policy).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:.*:resource\/ecs\/service\/e2e-cluster\/e2e-service:policyName\/cpu$/,
    );
    expect(out.PolicyArn).toBe(out.Policy);
    expect(out.Providers).toBe('e2e-cluster');
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['e2e-cluster'] }));
    expect(clusters![0].capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT']);
    expect(clusters![0].defaultCapacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', base: 1, weight: 1 }]);
  });

  test('EKS: cluster attributes, node group, OIDC provider, access entry', async () => {
    const assume = (service: string) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    });
    const stack = await deployOk('e2e-eks', {
      Resources: {
        ...network('10.4.0.0/16'),
        ClusterRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: assume('eks.amazonaws.com') } },
        NodeRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: assume('ec2.amazonaws.com') } },
        Cluster: {
          Type: 'AWS::EKS::Cluster',
          Properties: {
            Name: 'e2e-eks',
            Version: '1.31',
            RoleArn: { 'Fn::GetAtt': ['ClusterRole', 'Arn'] },
            ResourcesVpcConfig: { SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }], EndpointPrivateAccess: true },
            EncryptionConfig: [
              { Provider: { KeyArn: 'arn:aws:kms:us-east-1:123456789012:key/e2e' }, Resources: ['secrets'] },
            ],
          },
        },
        Nodes: {
          Type: 'AWS::EKS::Nodegroup',
          Properties: {
            ClusterName: { Ref: 'Cluster' },
            NodeRole: { 'Fn::GetAtt': ['NodeRole', 'Arn'] },
            Subnets: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
            ScalingConfig: { MinSize: 1, MaxSize: 3, DesiredSize: 2 },
          },
        },
        Oidc: {
          Type: 'AWS::IAM::OIDCProvider',
          Properties: {
            Url: { 'Fn::GetAtt': ['Cluster', 'OpenIdConnectIssuerUrl'] },
            ClientIdList: ['sts.amazonaws.com'],
          },
        },
        Admin: {
          Type: 'AWS::EKS::AccessEntry',
          Properties: { ClusterName: { Ref: 'Cluster' }, PrincipalArn: { 'Fn::GetAtt': ['NodeRole', 'Arn'] } },
        },
      },
      Outputs: {
        Name: output({ Ref: 'Cluster' }),
        Arn: output({ 'Fn::GetAtt': ['Cluster', 'Arn'] }),
        Endpoint: output({ 'Fn::GetAtt': ['Cluster', 'Endpoint'] }),
        Issuer: output({ 'Fn::GetAtt': ['Cluster', 'OpenIdConnectIssuerUrl'] }),
        ClusterSg: output({ 'Fn::GetAtt': ['Cluster', 'ClusterSecurityGroupId'] }),
        KeyArn: output({ 'Fn::GetAtt': ['Cluster', 'EncryptionConfigKeyArn'] }),
        CaData: output({ 'Fn::GetAtt': ['Cluster', 'CertificateAuthorityData'] }),
        Nodes: output({ Ref: 'Nodes' }),
        NodesArn: output({ 'Fn::GetAtt': ['Nodes', 'Arn'] }),
        Oidc: output({ Ref: 'Oidc' }),
        Admin: output({ Ref: 'Admin' }),
        AdminArn: output({ 'Fn::GetAtt': ['Admin', 'AccessEntryArn'] }),
      },
    });
    const out = outputsOf(stack);
    expect(out.Name).toBe('e2e-eks');
    expect(out.Arn).toBe('arn:aws:eks:us-east-1:123456789012:cluster/e2e-eks');
    expect(out.Endpoint).toMatch(/^https:\/\/.+\.eks\.amazonaws\.com/);
    expect(out.Issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(out.KeyArn).toBe('arn:aws:kms:us-east-1:123456789012:key/e2e');
    expect(out.CaData.length).toBeGreaterThan(100);
    expect(out.Nodes).toMatch(/^e2e-eks\//);
    expect(out.NodesArn).toContain(`:nodegroup/${out.Nodes}/`);
    expect(out.Oidc).toBe(`arn:aws:iam::123456789012:oidc-provider/${out.Issuer.replace('https://', '')}`);
    expect(out.Admin).toMatch(/^e2e-eks\|arn:aws:iam::123456789012:role\//);
    expect(out.AdminArn).toMatch(/^arn:aws:eks:us-east-1:123456789012:access-entry\/e2e-eks\//);
    // The cluster security group is real, in the cluster's VPC, so rules can name it.
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'e2e-eks' }));
    const vpcId = StackResourceSummaries!.find((r) => r.LogicalResourceId === 'Vpc')!.PhysicalResourceId;
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [out.ClusterSg] }));
    expect(SecurityGroups![0].VpcId).toBe(vpcId);
  });

  test('ACM certificate, S3 bucket policy, SQS queue policy, SNS topic policy and subscription', async () => {
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, { 'Fn::Sub': '${Bucket.Arn}/*' }],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    const allowSns = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        },
      ],
    };
    const denyPlainPublish = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: { Ref: 'Topic' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    const stack = await deployOk('e2e-misc', {
      Resources: {
        Certificate: {
          Type: 'AWS::CertificateManager::Certificate',
          Properties: { DomainName: 'app.example.com', ValidationMethod: 'DNS' },
        },
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'e2e-policy-bucket' } },
        BucketPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: bucketPolicy },
        },
        Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'e2e-subscriber' } },
        QueuePolicy: {
          Type: 'AWS::SQS::QueuePolicy',
          Properties: { Queues: [{ Ref: 'Queue' }], PolicyDocument: allowSns },
        },
        Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'e2e-topic' } },
        TopicPolicy: {
          Type: 'AWS::SNS::TopicPolicy',
          Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: denyPlainPublish },
        },
        Subscription: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'Topic' },
            Protocol: 'sqs',
            Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] },
            RawMessageDelivery: true,
          },
        },
      },
      Outputs: {
        Certificate: output({ Ref: 'Certificate' }),
        Subscription: output({ Ref: 'Subscription' }),
        QueuePolicy: output({ Ref: 'QueuePolicy' }),
      },
    });
    const out = outputsOf(stack);
    expect(out.Certificate).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    expect(out.Subscription).toMatch(/^arn:aws:sns:us-east-1:123456789012:e2e-topic:[0-9a-f-]{36}$/);
    expect(out.QueuePolicy).toMatch(/^e2e-misc-QueuePolicy-/);
    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: 'e2e-policy-bucket' }));
    expect(JSON.parse(Policy!).Statement[0]).toMatchObject({
      Sid: 'DenyInsecureTransport',
      Resource: ['arn:aws:s3:::e2e-policy-bucket', 'arn:aws:s3:::e2e-policy-bucket/*'],
    });
  });
});

// --- the published templates --------------------------------------------------------------------

// --- deleting stacks ----------------------------------------------------------------------------

/** A stack's events, oldest first (DescribeStackEvents lists the newest first, as on AWS). */
async function eventsOf(stackId: string): Promise<{ id: string; status: string; reason?: string }[]> {
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackId }));
  return (StackEvents ?? [])
    .slice()
    .reverse()
    .map((e) => ({ id: e.LogicalResourceId!, status: e.ResourceStatus!, reason: e.ResourceStatusReason }));
}

/** Where a resource's event with this status is in the stack's history (-1: there is none). */
const at = (events: { id: string; status: string }[], id: string, status: string) =>
  events.findIndex((e) => e.id === id && e.status === status);

/** Deletes a stack and insists it is gone, showing the failure reasons if not. */
async function deleteOk(stackName: string): Promise<void> {
  const left = await deleteStack(stackName);
  if (left) throw new Error(`${stackName}: ${left.StackStatus}\n${(await failureReasons(stackName)).join('\n')}`);
}

function publishedTemplate(number: string): Template {
  const dir = path.join(REPO_ROOT, 'published', '0.1.0');
  const file = fs.readdirSync(dir).find((f) => f.startsWith(`${number}.`))!;
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

describe('deleting stacks: dependents first, DeletionPolicy honoured, what AWS releases released', () => {
  test('the real 11.env-network with 31.app-loadbalancer on top deletes in reverse order, leaving nothing behind', async () => {
    const env = { Prefix: 'x-', EnvironmentName: 'gone', ContactEmail: 'ops@example.com' };
    const network = await deployOk('del-network', publishedTemplate('11'), { parameters: env });
    const loadBalancer = await deployOk('del-loadbalancer', publishedTemplate('31'), {
      // No access-log bucket stack (15) here: its logs off, 31 needs none.
      parameters: { ...env, ApplicationName: 'web', AccessLogs: 'false' },
    });
    const vpcFilter = [{ Name: 'vpc-id', Values: [outputsOf(network).VpcId] }];
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: vpcFilter }));
    const allocations = NatGateways!.flatMap((n) => n.NatGatewayAddresses!.map((a) => a.AllocationId!));
    expect(allocations).toHaveLength(2); // one per zone, each with its Elastic IP
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: vpcFilter }));
    const associated = RouteTables!.flatMap((t) => (t.Associations ?? []).filter((a) => a.SubnetId));
    expect(associated).toHaveLength(6); // so DeleteRouteTable has to wait for the associations

    await deleteOk('del-loadbalancer');
    expect(at(await eventsOf(loadBalancer.StackId!), 'AppKey', 'DELETE_SKIPPED')).toBeGreaterThan(-1);
    await deleteOk('del-network');

    const events = await eventsOf(network.StackId!);
    expect(events.filter((e) => e.status === 'DELETE_FAILED')).toEqual([]);
    const gone = (id: string) => at(events, id, 'DELETE_COMPLETE');
    const order = [
      ['PublicDefaultRoute', 'PublicRouteTable'],
      ['PublicDefaultRoute', 'InternetGatewayAttachment'], // DependsOn
      ['PrivateDefaultRouteA', 'NatGatewayA'],
      ['PublicSubnetARouteTableAssociation', 'PublicRouteTable'],
      ['PublicSubnetARouteTableAssociation', 'PublicSubnetA'],
      ['NatGatewayA', 'NatEipA'],
      ['NatGatewayA', 'PublicSubnetA'],
      ['NatEipA', 'InternetGatewayAttachment'], // DependsOn: AWS will not detach while an EIP is mapped
      ['FlowLog', 'FlowLogGroup'],
      ['InternetGatewayAttachment', 'InternetGateway'],
      ['AppSecurityGroup', 'LoadBalancerSecurityGroup'],
      ['PrivateSubnetB', 'Vpc'],
      ['InternetGateway', 'Vpc'],
    ];
    for (const [first, then] of order) {
      expect({ first, then, firstGoesFirst: gone(first) > -1 && gone(first) < gone(then) }).toEqual({
        first,
        then,
        firstGoesFirst: true,
      });
    }
    // The flow-log key goes with the logs it encrypts (DeletionPolicy Delete), after them.
    expect({ groupFirst: gone('FlowLogGroup') > -1 && gone('FlowLogGroup') < gone('LogsKey') }).toEqual({
      groupFirst: true,
    });
    expect(events.at(-1)).toMatchObject({ id: 'del-network', status: 'DELETE_COMPLETE' });

    // What AWS releases: the VPC and everything in it, the NAT gateways' interfaces and addresses.
    expect((await ec2.send(new DescribeVpcsCommand({ Filters: vpcFilter }))).Vpcs).toEqual([]);
    expect((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: vpcFilter }))).NetworkInterfaces).toEqual(
      [],
    );
    const after = await ec2.send(new DescribeNatGatewaysCommand({ Filter: vpcFilter }));
    expect(after.NatGateways!.map((n) => n.State)).toEqual(['deleted', 'deleted']); // listed a while, as on AWS
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
    expect(Addresses!.filter((a) => allocations.includes(a.AllocationId!))).toEqual([]);
  });

  test('Retain and RetainExceptOnCreate keep the resource (DELETE_SKIPPED); Snapshot deletes it after a snapshot', async () => {
    const stack = await deployOk('del-policies', {
      Resources: {
        Kept: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', Properties: { BucketName: 'del-policies-kept' } },
        KeptToo: {
          Type: 'AWS::S3::Bucket',
          DeletionPolicy: 'RetainExceptOnCreate',
          Properties: { BucketName: 'del-policies-kept-too' },
        },
        Gone: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'del-policies-gone' } },
        Disk: {
          Type: 'AWS::EC2::Volume',
          DeletionPolicy: 'Snapshot',
          Properties: { AvailabilityZone: 'us-east-1a', Size: 8 },
        },
      },
      Outputs: { Disk: output({ Ref: 'Disk' }) },
    });
    const volumeFilter = [{ Name: 'volume-id', Values: [outputsOf(stack).Disk] }];
    await deleteOk('del-policies');
    const events = await eventsOf(stack.StackId!);
    expect(
      events
        .filter((e) => e.status === 'DELETE_SKIPPED')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['Kept', 'KeptToo']);
    expect(at(events, 'Disk', 'DELETE_COMPLETE')).toBeGreaterThan(-1);
    await s3.send(new HeadBucketCommand({ Bucket: 'del-policies-kept' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'del-policies-kept-too' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'del-policies-gone' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect((await ec2.send(new DescribeVolumesCommand({ Filters: volumeFilter }))).Volumes).toEqual([]);
    expect((await ec2.send(new DescribeSnapshotsCommand({ Filters: volumeFilter }))).Snapshots).toHaveLength(1);
  });

  test('rolling back a failed creation keeps Retain resources but not RetainExceptOnCreate ones', async () => {
    const stack = await deploy('del-rollback', {
      Resources: {
        Kept: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', Properties: { BucketName: 'del-rollback-kept' } },
        NotKept: {
          Type: 'AWS::S3::Bucket',
          DeletionPolicy: 'RetainExceptOnCreate',
          Properties: { BucketName: 'del-rollback-not-kept' },
        },
        Broken: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-0000000000missing', CidrBlock: '10.0.0.0/24' } },
      },
    });
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    await s3.send(new HeadBucketCommand({ Bucket: 'del-rollback-kept' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'del-rollback-not-kept' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    await deleteOk('del-rollback');
  });

  test('a resource AWS refuses to delete leaves the stack DELETE_FAILED, keeping what it needs; a retry finishes', async () => {
    const stack = await deployOk('del-blocked', {
      Resources: network('10.9.0.0/16'),
      Outputs: { SubnetA: output({ Ref: 'SubnetA' }) },
    });
    const subnetId = outputsOf(stack).SubnetA;
    // An interface made outside the stack keeps the subnet busy: AWS refuses DeleteSubnet.
    const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }));
    expect(await deleteStack('del-blocked')).toMatchObject({ StackStatus: 'DELETE_FAILED' });
    expect(await failureReasons('del-blocked')).toEqual([
      'del-blocked: The following resource(s) failed to delete: [SubnetA]. ',
      `SubnetA: The subnet '${subnetId}' has dependencies and cannot be deleted.`,
    ]);
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'del-blocked' }));
    expect(StackResourceSummaries!.map((r) => r.LogicalResourceId).sort()).toEqual(['SubnetA', 'Vpc']); // the VPC waits

    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: NetworkInterface!.NetworkInterfaceId }));
    await deleteOk('del-blocked');
  });
});

/**
 * The published catalogue, in deploy order, through change sets as the deployer sends them. Each
 * stack must reach CREATE_COMPLETE with every unconditional output its template declares, no
 * value moto failed to resolve, and every unconditional resource actually created (moto skips
 * types it does not know and still says CREATE_COMPLETE). The parameters switch on the optional
 * parts (second jump box, EC2 capacity, cluster admin access, a topic subscriber).
 */
describe('published templates', () => {
  const dir = path.join(REPO_ROOT, 'published', '0.1.0');
  const env = { Prefix: 'x-', EnvironmentName: 'dev', ContactEmail: 'ops@example.com' };
  const app = { ...env, ApplicationName: 'web' };
  const parameters: Record<string, Record<string, string>> = {
    '11': env,
    '12': { ...env, JumpBoxCount: '2' },
    '13': { ...env, EnableEc2Capacity: 'true', DefaultCapacityStrategy: 'FARGATE_BASE_SPOT_REST' },
    '14': { ...env, ClusterAdminRoleArn: 'arn:aws:iam::123456789012:role/platform-admin' },
    '15': env,
    '16': { ...env, DomainName: 'cat.example.com' },
    '17': env,
    '21': { RepositoryName: 'web', ContactEmail: 'ops@example.com' },
    // 31 with a domain takes the HTTPS path: 17's certificate, a redirecting HTTP listener, 16's zone.
    '31': { ...app, DomainName: 'web.cat.example.com' },
    '32': { ...app, RepositoryName: 'web' },
    '33': app, // the console path with only its parameters: no store to watch (41-45 come later in this order)
    '41': { ...app, DataName: 'main' },
    '42': { ...app, DataName: 'docs' },
    '43': { ...app, DataName: 'cache' },
    '44': { ...app, DataName: 'files' },
    '45': { ...app, DataName: 'jobs' },
    '46': { ...app, DataName: 'events', SqsSubscriber1: 'jobs' },
    '91': { ...app, Suffix: 'admin', PathPrefix: '/admin', RepositoryName: 'web' }, // AWS refuses 91 without an image (rule ImageIsGiven)
  };
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^\d\d\..*\.cf$/.test(f))
        .sort()
    : [];

  test('the catalogue is here, with parameters for each template', () => {
    expect(files.map((f) => f.slice(0, 2))).toContain('11');
    for (const file of files) expect(Object.keys(parameters)).toContain(file.slice(0, 2));
  });

  test.each(files)('%s: CREATE_COMPLETE with all its outputs', async (file) => {
    const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const stackName = `cat-${file.replace(/\.cf$/, '').replace(/\./g, '-')}`;
    const stack = await deployOk(stackName, template, { parameters: parameters[file.slice(0, 2)] });
    const outputs = outputsOf(stack);
    for (const [key, spec] of Object.entries<any>(template.Outputs ?? {})) {
      if (!spec.Condition) expect({ key, value: outputs[key] }).toEqual({ key, value: expect.stringMatching(/\S/) });
    }
    for (const [key, value] of Object.entries(outputs)) {
      // Signs of a value moto could not resolve: None, a Python object, an unresolved function.
      expect({ key, value }).not.toEqual({ key, value: expect.stringMatching(/None|<moto|\{'|Fn::|undefined/) });
    }
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: stackName }));
    const created = new Set(StackResourceSummaries!.map((r) => r.LogicalResourceId));
    const missing = Object.entries<any>(template.Resources)
      .filter(([id, r]) => !r.Condition && !created.has(id))
      .map(([id, r]) => `${id} (${r.Type})`);
    expect(missing).toEqual([]);
  });

  test('re-running with new parameters updates in place; an unchanged re-run has nothing to do', async () => {
    const update = async (file: string, changed: Record<string, string>) => {
      const number = file.slice(0, 2);
      const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const stackName = `cat-${file.replace(/\.cf$/, '').replace(/\./g, '-')}`;
      const before = outputsOf(await describe1(stackName));
      const described = await changeSet(stackName, template, { parameters: { ...parameters[number], ...changed } });
      const stack = await execute(stackName);
      return { described, stack, before, after: outputsOf(stack) };
    };
    const file = (number: string) => files.find((f) => f.startsWith(`${number}.`))!;

    const network = await update(file('11'), { NatGateways: 'single' });
    expect(network.stack.StackStatus).toBe('UPDATE_COMPLETE');
    const removed = network.described.Changes!.filter((c) => c.ResourceChange!.Action === 'Remove');
    expect(removed.map((c) => c.ResourceChange!.ResourceType)).toContain('AWS::EC2::NatGateway');
    expect(network.after).toEqual(network.before); // exports others import are untouched
    // The removed gateway is deleted after the update (cleanup), releasing its interface.
    const vpcFilter = [{ Name: 'vpc-id', Values: [network.after.VpcId] }];
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: vpcFilter }));
    expect(NatGateways!.map((n) => n.State).sort()).toEqual(['available', 'deleted']);
    const released = NatGateways!.find((n) => n.State === 'deleted')!.NatGatewayAddresses![0].NetworkInterfaceId!;
    expect(released).toMatch(/^eni-/);
    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: vpcFilter }));
    expect(NetworkInterfaces!.map((i) => i.NetworkInterfaceId)).not.toContain(released);

    const postgres = await update(file('41'), { Instances: '1' });
    expect(postgres.stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(postgres.after).toEqual(postgres.before);

    const bucket = file('44');
    const unchanged = await changeSet(
      `cat-${bucket.replace(/\.cf$/, '').replace(/\./g, '-')}`,
      JSON.parse(fs.readFileSync(path.join(dir, bucket), 'utf8')),
      { parameters: parameters['44'] },
    );
    expect(unchanged.Status).toBe('FAILED');
  });

  test('a release (only ImageTag changes) replaces the task definition and moves the ECS service to it', async () => {
    const stackName = 'cat-32-app-ecs-service';
    const serviceArn = await physicalId(stackName, 'Service');
    const cluster = serviceArn.split('/')[1]; // arn:...:service/CLUSTER/NAME
    const describeService = async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceArn] }))).services![0];
    const oldTaskDefinition = await physicalId(stackName, 'TaskDefinition');
    const before = await describeService();
    expect(before.taskDefinition).toBe(oldTaskDefinition);

    const kept = (await describe1(stackName)).Parameters!.filter((p) => p.ParameterKey !== 'ImageTag');
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: CHANGE_SET,
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: true,
        Parameters: [
          ...kept.map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
          { ParameterKey: 'ImageTag', ParameterValue: 'v2' },
        ],
        Capabilities: [...CAPABILITIES],
      }),
    );
    const described = await cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: CHANGE_SET }));
    const changes = described.Changes!.map((c) => c.ResourceChange!);
    expect(changes.map((c) => [c.Action, c.LogicalResourceId, c.Replacement])).toEqual([
      ['Modify', 'Service', 'False'],
      ['Modify', 'TaskDefinition', 'True'], // task definitions are immutable
    ]);
    const service = changes.find((c) => c.LogicalResourceId === 'Service')!;
    expect(service.Scope).toEqual(['Properties']);
    expect(service.Details).toContainEqual({
      Target: { Attribute: 'Properties', Name: 'TaskDefinition', RequiresRecreation: 'Never' },
      Evaluation: 'Static',
      ChangeSource: 'ResourceReference',
      CausingEntity: 'TaskDefinition',
    });

    expect((await execute(stackName)).StackStatus).toBe('UPDATE_COMPLETE');
    const newTaskDefinition = await physicalId(stackName, 'TaskDefinition');
    expect(newTaskDefinition).not.toBe(oldTaskDefinition);
    const after = await describeService();
    expect(after.taskDefinition).toBe(newTaskDefinition);
    expect(after.deployments).toEqual([
      expect.objectContaining({ status: 'PRIMARY', taskDefinition: newTaskDefinition, rolloutState: 'COMPLETED' }),
    ]);
    expect(before.deployments!.map((d) => d.id)).not.toContain(after.deployments![0].id);
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: newTaskDefinition }));
    expect(taskDefinition!.containerDefinitions![0].image).toMatch(/\/web:v2$/);
    // The old revision is deregistered in the cleanup, once nothing uses it.
    const old = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: oldTaskDefinition }));
    expect(old.taskDefinition!.status).toBe('INACTIVE');
  });

  test('every stack deletes, newest first, leaving only what DeletionPolicy keeps', async () => {
    const stackName = (file: string) => `cat-${file.replace(/\.cf$/, '').replace(/\./g, '-')}`;
    const vpcFilter = [{ Name: 'vpc-id', Values: [outputsOf(await describe1('cat-11-env-network')).VpcId] }];
    const interfaces = async () =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: vpcFilter }))).NetworkInterfaces!;
    expect((await interfaces()).length).toBeGreaterThan(2); // the NAT gateway's, the jump boxes'
    const file = (number: string) => files.find((f) => f.startsWith(`${number}.`))!;
    const bucketName = outputsOf(await describe1(stackName(file('44')))).BucketName;
    for (const number of ['41', '42']) {
      // The databases are protected by default: lift it first (an update in place), as a user must.
      const template = JSON.parse(fs.readFileSync(path.join(dir, file(number)), 'utf8'));
      await changeSet(stackName(file(number)), template, {
        parameters: { ...parameters[number], DeletionProtection: 'false' },
      });
      expect((await execute(stackName(file(number)))).StackStatus).toBe('UPDATE_COMPLETE');
    }
    for (const each of [...files].reverse()) await deleteOk(stackName(each));
    expect((await ec2.send(new DescribeVpcsCommand({ Filters: vpcFilter }))).Vpcs).toEqual([]);
    expect(await interfaces()).toEqual([]);
    await s3.send(new HeadBucketCommand({ Bucket: bucketName })); // DeletionPolicy Retain
  });
});

// --- stopping -----------------------------------------------------------------------------------

test('stop closes the port and leaves no process behind', async () => {
  await emu.stop();
  expect(await portIsOpen(emu.port)).toBe(false);
  expect(() => process.kill(-emu.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  await emu.stop(); // idempotent
});
