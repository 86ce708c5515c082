/**
 * Environments of the same name under another prefix (src/deploy/namesakes.ts), found in a stack
 * listing by the environment tag every stack of an environment carries. The end-to-end view is
 * test/e2e/prefix-change.test.ts.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { namesakesIn } from '../../src/deploy/namesakes';

const stack = (name: string, environment: string | undefined, status = 'CREATE_COMPLETE'): Stack =>
  ({
    StackName: name,
    StackStatus: status,
    CreationTime: new Date(0),
    Tags: environment ? [{ Key: 'cfn-stages:environment', Value: environment }] : [],
  }) as Stack;

test('same environment name, another prefix; not another name, not a shared stack, not a deleted one', () => {
  const listed = [
    stack('x-dev-network', 'x-dev'),
    stack('ab-dev-network', 'ab-dev'),
    stack('ab-dev-acme-service', 'ab-dev'),
    stack('y-dev-network', 'y-dev', 'DELETE_COMPLETE'),
    stack('x-devx-network', 'x-devx'),
    stack('z-dev2-network', 'z-dev2'),
    stack('ecr-acme-web', undefined),
  ];
  expect(namesakesIn(listed, 'q-dev')).toEqual([
    { of: 'q-dev', environment: 'ab-dev', prefix: 'ab-', stacks: ['ab-dev-acme-service', 'ab-dev-network'] },
    { of: 'q-dev', environment: 'x-dev', prefix: 'x-', stacks: ['x-dev-network'] },
  ]);
  expect(namesakesIn(listed, 'x-dev')).toEqual([
    { of: 'x-dev', environment: 'ab-dev', prefix: 'ab-', stacks: ['ab-dev-acme-service', 'ab-dev-network'] },
  ]);
  expect(namesakesIn(listed, 'x-prod')).toEqual([]);
});
