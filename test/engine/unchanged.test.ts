/**
 * Which SSM-typed parameters a no-op compares (see src/deploy/unchanged.ts): only those whose value
 * can change something. The ECS cluster's AMI matters with EC2 capacity on; without it nothing
 * uses the AMI, and comparing it would cost an empty change set on every run once AWS publishes a
 * new one. The end-to-end side is test/e2e/noop.test.ts.
 */
import { allTemplates } from '../helpers/templates';
import { ssmParametersInUse } from '../../src/deploy/unchanged';
import type { StackSpec } from '../../src/deploy/types';

const cluster = allTemplates().find((t) => t.id === '13.env-ecs-cluster')!;

function clusterSpec(parameters: Record<string, string>): StackSpec {
  return {
    name: 'x-dev-ecs-cluster',
    templateId: cluster.id,
    templateBody: JSON.stringify(cluster.json),
    parameters: { Prefix: 'x-', EnvironmentName: 'dev', ContactEmail: 'ops@example.com', ...parameters },
    tags: {},
    dependsOn: [],
    capabilities: [],
  };
}

const inUse = (parameters: Record<string, string>) =>
  ssmParametersInUse(clusterSpec(parameters), JSON.parse(clusterSpec(parameters).templateBody));

it("compares the cluster's AMI only when EC2 capacity uses it", () => {
  expect(inUse({ EnableEc2Capacity: 'true' })).toEqual([
    { key: 'Ec2ImageId', name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' },
  ]);
  expect(inUse({ EnableEc2Capacity: 'false' })).toEqual([]);
});

it('takes the SSM name the params file gives over the default', () => {
  expect(inUse({ EnableEc2Capacity: 'true', Ec2ImageId: '/team/ami' })).toEqual([
    { key: 'Ec2ImageId', name: '/team/ami' },
  ]);
});
