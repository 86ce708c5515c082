/**
 * 13.env-ecs-cluster: the environment's ECS cluster. Fargate and Fargate Spot are always
 * available; an EC2 auto-scaling group (ECS-optimised Amazon Linux 2023, in the private subnets,
 * IMDSv2 only, encrypted volumes) joins as a third capacity provider when `EnableEc2Capacity` is
 * true, scaled by ECS (managed scaling) and protected from scale-in while it runs tasks (managed
 * termination protection).
 *
 * Services (32, 91) do not name a capacity provider: they use the cluster's default strategy,
 * chosen here by `DefaultCapacityStrategy`. That is also why the EC2 capacity provider's name is
 * not exported. It exists only when `EnableEc2Capacity` is true, so its export would be
 * conditional: a stack importing it would fail to create whenever EC2 capacity is off, turning
 * EC2 capacity off later would be refused while anything imports it, and the deployer derives
 * stage dependencies from contracts that must hold for every parameter value. No honest
 * unconditional value exists (a Fargate stand-in would silently change what a service runs on),
 * so the name is a plain, conditional output for people instead.
 *
 * Deleting the stack with EC2 capacity on: instances protected from scale-in keep the group (and
 * the cluster) from going away. Update the stack with the group's sizes at 0 first (the
 * workaround AWS documents for capacity providers with managed termination protection).
 */
import { AutoScaling, EC2, ECS, IAM } from './kit/resources';
import { EcsCluster, Network } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, sub, withCondition, type IntrinsicFunction } from './kit/cf';
import { allow, assumedBy, managedPolicy, policy } from './kit/iam';

/** The public SSM parameter naming the current ECS-optimised Amazon Linux 2023 AMI (x86_64). */
export const ECS_AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

/** `DefaultCapacityStrategy` values: where a service's tasks run unless it says otherwise. */
export const CapacityStrategies = ['FARGATE', 'FARGATE_SPOT', 'FARGATE_BASE_SPOT_REST', 'EC2'] as const;

type Env = TemplateBuilder<'environment'>;

/** Who 13 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const EcsClusterTemplate: TemplateIdentity<'environment'> = {
  id: '13.env-ecs-cluster',
  scope: 'environment',
  stackSuffix: 'ecs-cluster',
};

/** Builds 13.env-ecs-cluster: the cluster, the optional EC2 capacity, and the default strategy. */
export function buildEcsCluster(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...EcsClusterTemplate,
    description:
      'ECS cluster with Fargate and Fargate Spot capacity, Container Insights, and an optional EC2 auto-scaling group as a managed capacity provider',
    group: 'ECS cluster',
  });
  const p = parameters(t);
  const ec2 = t.condition('Ec2Capacity', Fn.Equals(p.enableEc2, 'true'));
  t.rule('Ec2StrategyNeedsEc2Capacity', {
    RuleCondition: Fn.Equals(p.strategy, 'EC2'),
    Assertions: [
      {
        Assert: Fn.Equals(p.enableEc2, 'true'),
        AssertDescription: 'DefaultCapacityStrategy EC2 needs EnableEc2Capacity=true',
      },
    ],
  });

  const cluster = t.add(
    'Cluster',
    new ECS.Cluster({
      ClusterName: sub('${Prefix}${EnvironmentName}'),
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
      Tags: t.tags(),
    }),
  );
  const provider = ec2Capacity(t, cluster, p, ec2);

  // Capacity providers are attached here rather than on the cluster: the EC2 provider needs the
  // cluster to exist first (its instances join it by name), which the cluster itself cannot wait for.
  t.add(
    'ClusterCapacityProviders',
    new ECS.ClusterCapacityProviderAssociations({
      Cluster: cluster.ref,
      CapacityProviders: Fn.If(ec2, ['FARGATE', 'FARGATE_SPOT', provider.ref], ['FARGATE', 'FARGATE_SPOT']),
      DefaultCapacityProviderStrategy: defaultStrategy(t, p, provider),
    }),
  );

  t.export(EcsCluster.ClusterName, cluster.ref);
  t.export(EcsCluster.ClusterArn, cluster.att('Arn'));
  t.output(
    'Ec2CapacityProviderName',
    'The EC2 capacity provider (for services that name it in their own strategy)',
    provider.ref,
    ec2,
  );
  return t.build();
}

interface Params {
  strategy: IntrinsicFunction;
  fargateBase: IntrinsicFunction;
  enableEc2: IntrinsicFunction;
  instanceType: IntrinsicFunction;
  imageId: IntrinsicFunction;
  minSize: IntrinsicFunction;
  maxSize: IntrinsicFunction;
  desired: IntrinsicFunction;
  volumeSize: IntrinsicFunction;
  targetCapacity: IntrinsicFunction;
}

function parameters(t: Env): Params {
  return { ...strategyParams(t), ...ec2InstanceParams(t), ...ec2GroupParams(t) };
}

/** Where services run by default. */
function strategyParams(t: Env): Pick<Params, 'strategy' | 'fargateBase'> {
  return {
    strategy: t.param('DefaultCapacityStrategy', {
      Type: 'String',
      Default: 'FARGATE',
      AllowedValues: [...CapacityStrategies],
      Description:
        'Where services run by default: FARGATE (on demand), FARGATE_SPOT (cheaper, may be interrupted; for dev/test), FARGATE_BASE_SPOT_REST (the first FargateBaseTasks tasks of each service on Fargate, the rest on Spot), or EC2 (the auto-scaling group below; needs EnableEc2Capacity=true).',
      label: 'Default capacity strategy',
    }),
    fargateBase: t.param('FargateBaseTasks', {
      Type: 'Number',
      Default: 1,
      MinValue: 0,
      MaxValue: 100,
      Description: 'With FARGATE_BASE_SPOT_REST: how many tasks of each service always run on on-demand Fargate.',
      label: 'Fargate base tasks',
    }),
  };
}

const EC2_GROUP = 'EC2 capacity (optional)';

/** Whether there is EC2 capacity, and its instances. */
function ec2InstanceParams(t: Env): Pick<Params, 'enableEc2' | 'instanceType' | 'imageId'> {
  return {
    enableEc2: t.param('EnableEc2Capacity', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      Description:
        'Also run an EC2 auto-scaling group as a capacity provider (for tasks Fargate cannot run, or steady load that is cheaper on instances).',
      label: 'EC2 capacity',
      group: EC2_GROUP,
    }),
    instanceType: t.param('Ec2InstanceType', {
      Type: 'String',
      Default: 't3.medium',
      AllowedPattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$',
      ConstraintDescription: 'an EC2 instance type such as t3.medium or m6i.large',
      Description: 'Instance type of the EC2 capacity (x86_64, to match the AMI).',
      label: 'Instance type',
      group: EC2_GROUP,
    }),
    imageId: t.param('Ec2ImageId', {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: ECS_AMI_PARAMETER,
      Description: 'Public SSM parameter naming the ECS-optimised AMI (Amazon Linux 2023, recommended release).',
      label: 'AMI (SSM parameter)',
      group: EC2_GROUP,
    }),
  };
}

/** The EC2 group's sizes, volumes and managed-scaling target. */
function ec2GroupParams(t: Env): Pick<Params, 'minSize' | 'maxSize' | 'desired' | 'volumeSize' | 'targetCapacity'> {
  return {
    minSize: t.param('Ec2MinSize', {
      Type: 'Number',
      Default: 1,
      MinValue: 0,
      MaxValue: 100,
      Description: 'Fewest instances in the EC2 group.',
      label: 'Minimum instances',
      group: EC2_GROUP,
    }),
    maxSize: t.param('Ec2MaxSize', {
      Type: 'Number',
      Default: 4,
      MinValue: 1,
      MaxValue: 100,
      Description: 'Most instances in the EC2 group (managed scaling stays within it).',
      label: 'Maximum instances',
      group: EC2_GROUP,
    }),
    desired: t.param('Ec2DesiredCapacity', {
      Type: 'Number',
      Default: 1,
      MinValue: 0,
      MaxValue: 100,
      Description:
        'Instances to start with; afterwards ECS managed scaling sets the size from the tasks waiting for capacity.',
      label: 'Desired instances',
      group: EC2_GROUP,
    }),
    volumeSize: t.param('Ec2VolumeSize', {
      Type: 'Number',
      Default: 30,
      MinValue: 30,
      MaxValue: 1000,
      Description:
        'Root volume size in GiB (the ECS-optimised AMI needs at least 30). Holds images and container layers.',
      label: 'Root volume (GiB)',
      group: EC2_GROUP,
    }),
    targetCapacity: t.param('Ec2TargetCapacity', {
      Type: 'Number',
      Default: 100,
      MinValue: 1,
      MaxValue: 100,
      Description:
        'Managed scaling target: the percentage of the group ECS aims to keep in use. Below 100 keeps spare instances for fast task starts.',
      label: 'Target utilisation (%)',
      group: EC2_GROUP,
    }),
  };
}

/** The default capacity provider strategy, one of `CapacityStrategies`. */
function defaultStrategy(t: Env, p: Params, provider: Handle): IntrinsicFunction {
  const spot = t.condition('StrategyFargateSpot', Fn.Equals(p.strategy, 'FARGATE_SPOT'));
  const mixed = t.condition('StrategyFargateBaseSpotRest', Fn.Equals(p.strategy, 'FARGATE_BASE_SPOT_REST'));
  // Implies Ec2Capacity (the rule above enforces it), so the provider exists whenever it is named.
  const onEc2 = t.condition('StrategyEc2', Fn.And([Fn.Equals(p.strategy, 'EC2'), { Condition: 'Ec2Capacity' }]));
  return Fn.If(
    spot,
    [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    Fn.If(
      mixed,
      [
        { CapacityProvider: 'FARGATE', Base: p.fargateBase, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
      Fn.If(onEc2, [{ CapacityProvider: provider.ref, Weight: 1 }], [{ CapacityProvider: 'FARGATE', Weight: 1 }]),
    ),
  );
}

/** The optional EC2 capacity: role, launch template, auto-scaling group and capacity provider. */
function ec2Capacity(t: Env, cluster: Handle, p: Params, ec2: string): Handle {
  const role = t.add(
    'Ec2InstanceRole',
    withCondition(
      new IAM.Role({
        AssumeRolePolicyDocument: assumedBy('ec2.amazonaws.com'),
        // Session Manager instead of SSH for the odd look at a host.
        ManagedPolicyArns: [managedPolicy('AmazonSSMManagedInstanceCore')],
        Policies: [{ PolicyName: 'ecs-agent', PolicyDocument: ecsAgentPolicy(cluster) }],
        Tags: t.tags(),
      }),
      ec2,
    ),
  );
  const profile = t.add('Ec2InstanceProfile', withCondition(new IAM.InstanceProfile({ Roles: [role.ref] }), ec2));
  const launchTemplate = t.add(
    'Ec2LaunchTemplate',
    withCondition(
      new EC2.LaunchTemplate({
        LaunchTemplateData: {
          ImageId: p.imageId,
          InstanceType: p.instanceType,
          IamInstanceProfile: { Arn: profile.att('Arn') },
          SecurityGroupIds: [t.import(Network.AppSecurityGroupId)],
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [
            {
              DeviceName: '/dev/xvda',
              Ebs: { VolumeType: 'gp3', VolumeSize: p.volumeSize, Encrypted: true, DeleteOnTermination: true },
            },
          ],
          UserData: Fn.Base64(sub(USER_DATA)),
          TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({
            ResourceType,
            Tags: t.tags({ Name: t.scopedName('ecs') }),
          })),
        },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: t.tags() }],
      }),
      ec2,
    ),
  );
  const group = t.add(
    'Ec2AutoScalingGroup',
    withCondition(
      new AutoScaling.AutoScalingGroup({
        VPCZoneIdentifier: t.import(Network.PrivateSubnetIds),
        LaunchTemplate: { LaunchTemplateId: launchTemplate.ref, Version: launchTemplate.att('LatestVersionNumber') },
        MinSize: p.minSize,
        MaxSize: p.maxSize,
        DesiredCapacity: p.desired,
        // Required by managed termination protection: ECS lifts it from instances that run no tasks.
        NewInstancesProtectedFromScaleIn: true,
        Tags: t
          .tags({ Name: t.scopedName('ecs') })
          .map((tag) => ({ Key: tag.Key, Value: tag.Value, PropagateAtLaunch: false })),
      }),
      ec2,
    ),
  );
  const provider = new ECS.CapacityProvider({
    AutoScalingGroupProvider: {
      AutoScalingGroupArn: group.ref,
      ManagedScaling: {
        Status: 'ENABLED',
        TargetCapacity: p.targetCapacity,
        MinimumScalingStepSize: 1,
        MaximumScalingStepSize: 10,
      },
      ManagedTerminationProtection: 'ENABLED',
    },
    Tags: t.tags(),
  });
  // ManagedDraining (drain tasks before an instance goes) is newer than cloudform-types 7.5.
  Object.assign(provider.Properties.AutoScalingGroupProvider, { ManagedDraining: 'ENABLED' });
  return t.add('Ec2CapacityProvider', withCondition(provider, ec2));
}

/**
 * User data: join the cluster, and keep tasks in awsvpc mode away from the instance metadata
 * service (and so from the instance role): tasks get credentials from their own task roles.
 */
const USER_DATA = [
  '#!/bin/bash',
  "cat >> /etc/ecs/ecs.config <<'EOF'",
  'ECS_CLUSTER=${Cluster}',
  'ECS_AWSVPC_BLOCK_IMDS=true',
  'EOF',
  '',
].join('\n');

/**
 * What the ECS agent needs, scoped to this cluster and its container instances, instead of the
 * broad AmazonEC2ContainerServiceforEC2Role. No ECR or Logs permissions: every task definition in
 * the catalogue has an execution role, which ECS uses to pull images and write logs.
 */
function ecsAgentPolicy(cluster: Handle): ReturnType<typeof policy> {
  const instances = sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:container-instance/${Cluster}/*');
  return policy(
    allow(
      [
        'ecs:RegisterContainerInstance',
        'ecs:DeregisterContainerInstance',
        'ecs:UpdateContainerInstancesState',
        'ecs:SubmitContainerStateChange',
        'ecs:SubmitTaskStateChange',
        'ecs:SubmitAttachmentStateChanges',
      ],
      cluster.att('Arn'),
    ),
    allow(['ecs:Poll', 'ecs:StartTelemetrySession'], instances),
    allow(['ecs:TagResource'], instances, { StringEquals: { 'ecs:CreateAction': 'RegisterContainerInstance' } }),
    // ecs:DiscoverPollEndpoint has no resource type: AWS accepts only "*" for it.
    allow(['ecs:DiscoverPollEndpoint'], '*'),
  );
}
