/**
 * The template parameters behind a refused line when the change set names none
 * (src/deploy/refusals.ts withParametersBehind): those the resource refers to, itself or through a
 * condition, whose value this deploy changes; never a NoEcho one, whose deployed value is hidden.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { withParametersBehind } from '../../src/deploy/refusals';
import type { ChangeSummary, ResourceChange, StackSpec } from '../../src/deploy/types';

const template = {
  Parameters: {
    Fifo: { Type: 'String', Default: 'false' },
    Retention: { Type: 'String' },
    Token: { Type: 'String', NoEcho: true },
    Size: { Type: 'String' },
  },
  Conditions: { IsFifo: { 'Fn::Equals': [{ Ref: 'Fifo' }, 'true'] }, Either: { 'Fn::Or': [{ Condition: 'IsFifo' }] } },
  Resources: {
    Queue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        FifoQueue: { 'Fn::If': ['Either', true, { Ref: 'AWS::NoValue' }] },
        MessageRetentionPeriod: { Ref: 'Retention' },
        Tags: [{ Key: 'token', Value: { Ref: 'Token' } }],
      },
    },
    Other: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: { Ref: 'Size' } } },
  },
};

const spec: StackSpec = {
  name: 's',
  templateId: '45.data-sqs-queue',
  templateBody: JSON.stringify(template),
  parameters: { Fifo: 'true', Retention: '120', Token: 'new-secret', Size: '2' },
  tags: {},
  dependsOn: [],
  capabilities: [],
};

const deployed: Stack = {
  StackName: 's',
  StackStatus: 'UPDATE_COMPLETE',
  CreationTime: new Date(0),
  Parameters: [
    { ParameterKey: 'Fifo', ParameterValue: 'false' },
    { ParameterKey: 'Retention', ParameterValue: '60' },
    { ParameterKey: 'Token', ParameterValue: '****' },
    { ParameterKey: 'Size', ParameterValue: '1' },
  ],
};

const line = (logicalId: string, parameters?: string[]): ResourceChange => ({
  action: 'Modify' as const,
  logicalId,
  resourceType: 'AWS::SQS::Queue',
  replacement: 'always' as const,
  causes: ['FifoQueue'],
  refused: 'replacing it would start a new, empty queue',
  ...(parameters ? { parameters } : {}),
});

const summary = (...changes: ResourceChange[]): ChangeSummary => ({ stackName: 's', type: 'update', changes });

it('names the changed parameters behind the properties that replace it, through conditions: not one changed in place, nor a NoEcho one', () => {
  const replaced = { ...line('Queue', ['Retention']), replacedBy: ['FifoQueue'] };
  const out = withParametersBehind(summary(replaced), spec, deployed);
  expect(out.changes[0]!.parameters).toEqual(['Fifo']);
});

it("takes the change set's own parameters behind the replacement, and leaves lines that are not refused alone", () => {
  const own = { ...line('Queue', ['Retention', 'Fifo']), replacedBy: ['FifoQueue'], replacingParameters: ['Fifo'] };
  expect(withParametersBehind(summary(own), spec, deployed).changes[0]!.parameters).toEqual(['Fifo']);
  // Not a replacement (a secret generated again): the change set's parameters, or the resource's changed ones.
  expect(withParametersBehind(summary(line('Queue', ['Retention'])), spec, deployed).changes[0]!.parameters).toEqual([
    'Retention',
  ]);
  expect(withParametersBehind(summary(line('Queue')), spec, deployed).changes[0]!.parameters).toEqual([
    'Fifo',
    'Retention',
  ]);
  const { refused: _refused, ...plain } = line('Other');
  void _refused;
  expect(withParametersBehind(summary(plain), spec, deployed).changes[0]).not.toHaveProperty('parameters');
});
