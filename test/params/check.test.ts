/**
 * The local check's pieces (stages/check.ts): CloudFormation's rule functions and conditions,
 * parameter constraints as CloudFormation applies them, CIDR arithmetic, extra-service priorities,
 * and the resources a stack creates once its conditions are evaluated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  activeResources,
  answerProblem,
  brokenRules,
  constraintProblem,
  extraPriorities,
  knownRegions,
  parseCidr,
  plain,
  planProblems,
  regionProblem,
  type CheckedTemplate,
} from '../../stages/check';
import { planEnvironment } from '../../stages/plan';
import { loadParams, parseParams } from '../../src/params/load';

const ROOT = path.resolve(__dirname, '..', '..');

describe('Rules, as CloudFormation evaluates them', () => {
  const t: CheckedTemplate = {
    Parameters: {
      Subnets: { Type: 'CommaDelimitedList', Default: 'a,b' },
      Zones: { Type: 'CommaDelimitedList', Default: 'x,x' },
      Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'] },
      Vpc: { Type: 'AWS::EC2::VPC::Id', Default: 'vpc-1' },
    },
    Rules: {
      Members: {
        Assertions: [
          {
            Assert: { 'Fn::EachMemberIn': [{ Ref: 'Subnets' }, ['a', 'b', 'c']] },
            AssertDescription: 'subnets a, b or c',
          },
        ],
      },
      Same: {
        RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        Assertions: [
          { Assert: { 'Fn::EachMemberEquals': [{ Ref: 'Zones' }, 'x'] }, AssertDescription: 'prod zones are all x' },
        ],
      },
      All: {
        Assertions: [
          {
            Assert: { 'Fn::Contains': [{ 'Fn::RefAll': 'AWS::EC2::VPC::Id' }, 'vpc-1'] },
            AssertDescription: 'the VPC is vpc-1',
          },
        ],
      },
      Account: {
        Assertions: [
          {
            Assert: { 'Fn::Equals': [{ 'Fn::ValueOf': ['Vpc', 'Tags.Name'] }, 'main'] },
            AssertDescription: 'needs the account',
          },
        ],
      },
    },
  };
  const names = (values: Record<string, string>) => brokenRules(t, values).map((b) => b.rule);

  test('defaults pass; each function can fail', () => {
    expect(names({})).toEqual([]);
    expect(names({ Subnets: 'a,d' })).toEqual(['Members']);
    expect(names({ Env: 'prod', Zones: 'x,y' })).toEqual(['Same']);
    expect(names({ Env: 'dev', Zones: 'x,y' })).toEqual([]); // rule condition false
    expect(names({ Vpc: 'vpc-2' })).toEqual(['All']);
  });

  test('a rule that reads the account (Fn::ValueOf) is left to CloudFormation', () => {
    expect(names({ Vpc: 'vpc-1' })).not.toContain('Account');
  });

  test('a broken rule carries its own message and the parameters it reads', () => {
    expect(brokenRules(t, { Env: 'prod', Zones: 'y' })).toEqual([
      { rule: 'Same', message: 'prod zones are all x', assertRefs: ['Zones'], conditionRefs: ['Env'] },
    ]);
  });
});

describe('parameter constraints', () => {
  test('the whole value must match AllowedPattern, each item of a list', () => {
    expect(constraintProblem({ Type: 'String', AllowedPattern: '[a-z]+' }, 'abc1')).toMatch(/must match/);
    expect(constraintProblem({ Type: 'CommaDelimitedList', AllowedPattern: '[a-z]+' }, 'ab,c1')).toMatch(/must match/);
    expect(constraintProblem({ Type: 'String', AllowedPattern: '[a-z]+', ConstraintDescription: 'letters' }, '1')).toBe(
      'letters',
    );
  });
  test('numbers, ranges, lengths, allowed values, required', () => {
    expect(constraintProblem({ Type: 'Number', MinValue: 1, MaxValue: 5 }, '7')).toBe('must be at most 5');
    expect(constraintProblem({ Type: 'Number' }, 'x')).toBe('must be a number');
    expect(constraintProblem({ Type: 'String', MaxLength: 3 }, 'abcd')).toBe('must be at most 3 characters');
    expect(constraintProblem({ Type: 'String', AllowedValues: ['a'] }, 'b')).toBe('must be one of a');
    expect(constraintProblem({ Type: 'String' }, undefined)).toMatch(/is required/);
    expect(constraintProblem({ Type: 'String', Default: 'x' }, undefined)).toBeUndefined();
  });
});

test('CIDRs: octets, prefix lengths', () => {
  expect(parseCidr('10.300.0.0/16')).toMatch(/300 is not an address octet/);
  expect(parseCidr('10.0.0.0/33')).toMatch(/prefix length/);
  expect(parseCidr('10.0.0.0')).toMatch(/not a CIDR/);
  expect(parseCidr('10.0.1.0/24')).toEqual({ text: '10.0.1.0/24', base: 10 * 2 ** 24 + 256, bits: 24 });
});

test("regions come from the SDK's partition data, with a suggestion", () => {
  expect(knownRegions()).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1']));
  expect(regionProblem('eu-west-1')).toBeUndefined();
  expect(regionProblem('eu-wset-1')).toMatch(/did you mean "eu-west-1"/);
});

test('extra services without a priority get the next free one, the same on every run', () => {
  expect(extraPriorities([{}, {}])).toEqual([1, 2]);
  expect(extraPriorities([{}, { rulePriority: 1 }, {}])).toEqual([2, 1, 3]);
  expect(extraPriorities([{ rulePriority: 10 }, {}, { rulePriority: 20 }])).toEqual([10, 1, 20]);
  const text = fs.readFileSync(path.join(ROOT, 'examples', 'full.yaml'), 'utf8').replace(/ +rulePriority: \d+\n/g, '');
  const priorities = () =>
    planEnvironment(parseParams(text))
      .filter((s) => s.stage === 'extra')
      .map((s) => [s.name, s.parameters.RulePriority]);
  expect(priorities()).toEqual([
    ['x-demo-acme-admin', '2'],
    ['x-demo-acme-api2', '1'],
  ]);
  expect(priorities()).toEqual(priorities());
});

test('answers are judged only against rules whose other parameters come first', () => {
  const t = planEnvironment(loadParams(path.join(ROOT, 'examples', 'small.yaml'))).find((s) => s.stage === 'service')!
    .built.template;
  expect(answerProblem(t, 'Memory', '8192', { Cpu: '256' })).toMatch(/Fargate with 256 CPU units/);
  expect(answerProblem(t, 'Cpu', '1024', { Memory: '512' })).toBeUndefined();
  expect(answerProblem(t, 'Memory', '8192', { Cpu: '256', LaunchType: 'EC2' })).toBeUndefined();
});

test('a new stack creates only the resources its conditions switch on', () => {
  const counts = Object.fromEntries(
    planEnvironment(loadParams(path.join(ROOT, 'examples', 'small.yaml'))).map((s) => [
      s.stage,
      [Object.keys(s.built.template.Resources).length, activeResources(s.built.template, s.parameters).length],
    ]),
  );
  // Two zones and one NAT gateway: no third zone's subnets, routes or NAT gateways.
  expect(counts.network).toEqual([48, 36]);
  expect(counts.ecsCluster).toEqual([7, 2]);
  expect(counts.loadBalancer).toEqual([13, 7]);
  const perAz = planEnvironment(
    parseParams(
      fs
        .readFileSync(path.join(ROOT, 'examples', 'small.yaml'), 'utf8')
        .replace('natGateways: single', 'natGateways: one-per-az')
        .replace('azCount: 2', 'azCount: 3'),
    ),
  );
  const network = perAz.find((s) => s.stage === 'network')!;
  expect(activeResources(network.built.template, network.parameters)).toHaveLength(48);
});

test('a rule added to a template is checked with no other change, on the field it reads', () => {
  const text = fs
    .readFileSync(path.join(ROOT, 'examples', 'small.yaml'), 'utf8')
    .replace('memory: 512', 'memory: 512\n      maxContainers: 5');
  const params = parseParams(text);
  const stacks = planEnvironment(params).map((s) => {
    if (s.stage !== 'service') return s;
    const t = plain(s.built.template);
    const rule = {
      Assertions: [
        {
          Assert: { 'Fn::Contains': [['1', '2', '3'], { Ref: 'MaxContainers' }] },
          AssertDescription: 'A dev service runs at most 3 MaxContainers.',
        },
      ],
    };
    return { ...s, built: { ...s.built, template: { ...t, Rules: { ...(t.Rules ?? {}), DevIsSmall: rule } } } };
  });
  expect(planProblems(params, stacks)).toEqual([
    {
      field: 'apps[0].service.maxContainers',
      message: 'A dev service runs at most 3 maxContainers. (rule DevIsSmall of 32.app-ecs-service)',
    },
  ]);
});
