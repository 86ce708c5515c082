/**
 * The wizard's option questions come from the templates' parameters: the curated lists name real
 * parameters, and answers are checked with the params file's own rules.
 */
import { stages, type StageKey } from '../../stages/catalogue';
import {
  checkOption,
  IMAGE_OPTIONS,
  isTemplateDefault,
  optionQuestions,
  toOptionValue,
  words,
} from '../../src/wizard/questions';

const keys = Object.keys(stages) as StageKey[];

describe('curated questions', () => {
  test.each(keys)('every important option of %s is a parameter of its template', (stage) => {
    const options = optionQuestions(stage).map((q) => q.option);
    const important = stages[stage].questions;
    for (const name of important) expect(options).toContain(name);
    expect(important.length).toBeLessThanOrEqual(7);
    expect(
      optionQuestions(stage)
        .filter((q) => q.important)
        .map((q) => q.option),
    ).toEqual(options.filter((o) => important.includes(o)));
  });

  test("questions carry the template parameter's help, default and choices", () => {
    const nat = optionQuestions('network').find((q) => q.option === 'natGateways')!;
    expect(nat).toMatchObject({
      parameter: 'NatGateways',
      kind: 'choice',
      templateDefault: 'one-per-az',
      choices: ['one-per-az', 'single'],
      important: true,
    });
    expect(nat.help).toMatch(/NAT gateway/);
    const cidr = optionQuestions('network').find((q) => q.option === 'vpcCidr')!;
    expect(cidr).toMatchObject({ kind: 'text', important: false, templateDefault: '10.0.0.0/16' });
    expect(optionQuestions('network').find((q) => q.option === 'publicSubnetCidrs')!.kind).toBe('list');
    expect(optionQuestions('service').find((q) => q.option === 'maxContainers')!.kind).toBe('number');
    expect(optionQuestions('service').find((q) => q.option === 'enableExecuteCommand')!.kind).toBe('yesno');
    expect(optionQuestions('extra').find((q) => q.option === 'pathPrefix')!.required).toBe(true);
  });

  test('the image options of services are not asked one by one (they have their own question)', () => {
    for (const stage of ['service', 'extra'] as const) {
      const options = optionQuestions(stage).map((q) => q.option);
      for (const o of IMAGE_OPTIONS) expect(options).not.toContain(o);
    }
  });

  test('option names read as words', () => {
    expect(words('healthCheckPath')).toBe('Health check path');
    expect(words('ec2MinSize')).toBe('EC2 min size');
    expect(words('vpcCidr')).toBe('VPC CIDR');
    expect(words('azCount')).toBe('AZ count');
  });
});

describe("answers are checked with the template's rules", () => {
  test('allowed values, patterns and numbers', () => {
    expect(checkOption('network', 'azCount', '3')).toBeUndefined();
    expect(checkOption('network', 'azCount', '4')).toMatch(/one of "2", "3"/);
    expect(checkOption('network', 'vpcCidr', '10.1.0.0/16')).toBeUndefined();
    expect(checkOption('network', 'vpcCidr', '10.1.0.0')).toBeDefined();
    expect(checkOption('service', 'maxContainers', 'many')).toBe('a number is needed');
    expect(checkOption('service', 'maxContainers', '')).toBe('a number is needed');
    expect(checkOption('service', 'maxContainers', '7')).toBeUndefined();
    expect(checkOption('loadBalancer', 'healthCheckPath', 'health')).toBeDefined();
    expect(checkOption('loadBalancer', 'certificateArn', '')).toBeUndefined();
    expect(
      checkOption('loadBalancer', 'certificateArn', 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123'),
    ).toBeUndefined();
    expect(checkOption('loadBalancer', 'certificateArn', 'not-an-arn')).toBeDefined();
    expect(checkOption('extra', 'pathPrefix', '')).toMatch(/no default/);
    expect(checkOption('network', 'nonsense', 'x')).toMatch(/not an option/);
  });

  test('typed answers become params-file values', () => {
    expect(toOptionValue('service', 'maxContainers', ' 5 ')).toBe(5);
    expect(toOptionValue('service', 'cpu', '512')).toBe('512');
    expect(toOptionValue('network', 'publicSubnetCidrs', '10.0.0.0/24, 10.0.1.0/24')).toBe('10.0.0.0/24,10.0.1.0/24');
    expect(toOptionValue('network', 'flowLogRetentionDays', '30')).toBe(30);
  });

  test('template defaults are recognised in any form', () => {
    expect(isTemplateDefault('network', 'azCount', 2)).toBe(true);
    expect(isTemplateDefault('network', 'azCount', '3')).toBe(false);
    expect(isTemplateDefault('service', 'maxContainers', 3)).toBe(true);
    expect(isTemplateDefault('network', 'publicSubnetCidrs', ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/22'])).toBe(true);
    expect(isTemplateDefault('extra', 'pathPrefix', '/api')).toBe(false);
    expect(isTemplateDefault('service', 'maxContainers', undefined)).toBe(true);
  });
});
