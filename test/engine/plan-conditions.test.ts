/**
 * planStack on a stack that does not exist yet lists what CloudFormation will create: resources
 * whose Condition is false for the stack's parameters, its mappings and its region are left out
 * (against the fake CloudFormation: no change set is needed for a new stack).
 */
import { planStack } from '../../src/deploy/stack';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients } from './helpers';

const body = JSON.stringify({
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: { Copies: { Type: 'String', Default: '1', AllowedValues: ['1', '2'] } },
  Mappings: { Tier: { 'eu-west-1': { Big: 'yes' }, 'us-east-1': { Big: 'no' } } },
  Conditions: {
    TwoCopies: { 'Fn::Equals': [{ Ref: 'Copies' }, '2'] },
    InEurope: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    BigTier: { 'Fn::Equals': [{ 'Fn::FindInMap': ['Tier', { Ref: 'AWS::Region' }, 'Big'] }, 'yes'] },
    InAccount: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '000000000000'] },
  },
  Resources: {
    First: { Type: 'AWS::SQS::Queue' },
    Second: { Type: 'AWS::SQS::Queue', Condition: 'TwoCopies' },
    European: { Type: 'AWS::SQS::Queue', Condition: 'InEurope' },
    Big: { Type: 'AWS::SQS::Queue', Condition: 'BigTier' },
    Unknowable: { Type: 'AWS::SQS::Queue', Condition: 'InAccount' },
  },
});

const plan = async (region: string, parameters: Record<string, string>) => {
  const fake = new FakeCloudFormation({ region });
  const clients = fakeClients(fake);
  try {
    const result = await planStack(
      clients,
      {
        name: 'x-dev-queues',
        templateId: 'test.queues',
        templateBody: body,
        parameters,
        tags: {},
        dependsOn: [],
        capabilities: [],
      },
      { poll: FAST },
    );
    expect(fake.callsOf('CreateChangeSet')).toHaveLength(0);
    return result.kind === 'changes' ? result.plan.changes.map((c) => c.logicalId) : result.kind;
  } finally {
    clients.destroy();
  }
};

test('conditions on parameters, region and mappings decide what a new stack lists', async () => {
  expect(await plan('eu-west-1', {})).toEqual(['First', 'European', 'Big', 'Unknowable']);
  expect(await plan('us-east-1', { Copies: '2' })).toEqual(['First', 'Second', 'Unknowable']);
});
