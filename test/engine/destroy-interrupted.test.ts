/**
 * destroyStacks interrupted (Ctrl-C) against the fake CloudFormation: the stacks it had not
 * reached are reported as not run because of the interrupt, not as stopped by a failure of the
 * stack that was being deleted when Ctrl-C came (nothing failed).
 */
import type { AwsClients } from '../../src/aws/clients';
import { AbortedError } from '../../src/aws/errors';
import { destroyStacks } from '../../src/deploy/destroy';
import { reverseOrder } from '../../src/deploy/graph';
import { deployStack } from '../../src/deploy/stack';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, spec } from './helpers';

let clients: AwsClients;

const network = spec('x-dev-network', {
  resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } },
  outputs: { VpcId: { Value: { Ref: 'Vpc' }, Export: { Name: 'x-dev-VpcId' } } },
});
const lb = spec(
  'x-dev-web-lb',
  {
    resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'x-dev-VpcId' } } } },
  },
  { dependsOn: ['x-dev-network'] },
);

beforeEach(async () => {
  clients = fakeClients(new FakeCloudFormation());
  for (const s of [network, lb]) expect((await deployStack(clients, s, { poll: FAST })).kind).toBe('created');
});

afterEach(() => clients.destroy());

it('reports the stacks not reached as not run because of the interrupt', async () => {
  const ctrl = new AbortController();
  const results = await destroyStacks(clients, reverseOrder([network, lb]), {
    poll: FAST,
    signal: ctrl.signal,
    // Ctrl-C while the first stack is about to be deleted.
    beforeDelete: async () => {
      ctrl.abort();
      throw new AbortedError();
    },
  });

  expect(results).toEqual([
    { kind: 'not-run', stackName: 'x-dev-web-lb', because: 'interrupted' },
    { kind: 'not-run', stackName: 'x-dev-network', because: 'interrupted' },
  ]);
});
