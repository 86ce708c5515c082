/** 13.env-ecs-cluster: Fargate capacity, insights, and the optional EC2 group done safely. */
import { EcsCluster } from '../../templates/contracts';
import { buildEcsCluster, CapacityStrategies, ECS_AMI_PARAMETER } from '../../templates/ecsCluster';
import { json, ofType, resource } from '../helpers/templates';

const built = buildEcsCluster();
const t = json(built);
const importOf = (key: string) => ({ 'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-${key}` } });
const associations = resource(t, 'ClusterCapacityProviders').Properties;

/** Evaluates a template's conditions for concrete parameter values (Equals / And / Condition only). */
function conditionsFor(params: Record<string, string>): Set<string> {
  const value = (v: any): any =>
    v && typeof v === 'object' && 'Ref' in v ? (params[v.Ref] ?? t.Parameters[v.Ref].Default) : v;
  const holds = (c: any): boolean => {
    if ('Fn::Equals' in c) return String(value(c['Fn::Equals'][0])) === String(value(c['Fn::Equals'][1]));
    if ('Fn::And' in c) return c['Fn::And'].every(holds);
    if ('Condition' in c) return holds(t.Conditions![c.Condition]);
    throw new Error(`unexpected condition ${JSON.stringify(c)}`);
  };
  return new Set(
    Object.entries(t.Conditions!)
      .filter(([, c]) => holds(c))
      .map(([name]) => name),
  );
}

/** Picks the Fn::If branches a set of true conditions selects. */
function resolve(v: any, truth: Set<string>): any {
  if (Array.isArray(v)) return v.map((x) => resolve(x, truth));
  if (v && typeof v === 'object') {
    if ('Fn::If' in v) return resolve(truth.has(v['Fn::If'][0]) ? v['Fn::If'][1] : v['Fn::If'][2], truth);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, truth)]));
  }
  return v;
}

describe('capacity', () => {
  test('Fargate and Fargate Spot always; the EC2 provider only with EnableEc2Capacity', () => {
    expect(resolve(associations.CapacityProviders, conditionsFor({}))).toEqual(['FARGATE', 'FARGATE_SPOT']);
    expect(resolve(associations.CapacityProviders, conditionsFor({ EnableEc2Capacity: 'true' }))).toEqual([
      'FARGATE',
      'FARGATE_SPOT',
      { Ref: 'Ec2CapacityProvider' },
    ]);
    expect(associations.Cluster).toEqual({ Ref: 'Cluster' });
  });

  test('the default strategy follows DefaultCapacityStrategy', () => {
    const strategy = (params: Record<string, string>) =>
      resolve(associations.DefaultCapacityProviderStrategy, conditionsFor(params));
    expect(t.Parameters.DefaultCapacityStrategy.AllowedValues).toEqual([...CapacityStrategies]);
    expect(t.Parameters.DefaultCapacityStrategy.Default).toBe('FARGATE');
    expect(strategy({})).toEqual([{ CapacityProvider: 'FARGATE', Weight: 1 }]);
    expect(strategy({ DefaultCapacityStrategy: 'FARGATE_SPOT' })).toEqual([
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
    ]);
    expect(strategy({ DefaultCapacityStrategy: 'FARGATE_BASE_SPOT_REST' })).toEqual([
      { CapacityProvider: 'FARGATE', Base: { Ref: 'FargateBaseTasks' }, Weight: 0 },
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
    ]);
    expect(strategy({ DefaultCapacityStrategy: 'EC2', EnableEc2Capacity: 'true' })).toEqual([
      { CapacityProvider: { Ref: 'Ec2CapacityProvider' }, Weight: 1 },
    ]);
  });

  test('an EC2 default strategy without EC2 capacity is refused before anything is created', () => {
    const rule = (t as any).Rules.Ec2StrategyNeedsEc2Capacity;
    expect(rule.RuleCondition).toEqual({ 'Fn::Equals': [{ Ref: 'DefaultCapacityStrategy' }, 'EC2'] });
    expect(rule.Assertions[0].Assert).toEqual({ 'Fn::Equals': [{ Ref: 'EnableEc2Capacity' }, 'true'] });
    // ...and the template never names the EC2 provider when it does not exist.
    expect(conditionsFor({ DefaultCapacityStrategy: 'EC2' }).has('StrategyEc2')).toBe(false);
  });
});

test('Container Insights (enhanced) is on', () => {
  expect(resource(t, 'Cluster').Properties.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enhanced' }]);
});

describe('EC2 group', () => {
  const ec2Types = [
    'AWS::IAM::Role',
    'AWS::IAM::InstanceProfile',
    'AWS::EC2::LaunchTemplate',
    'AWS::AutoScaling::AutoScalingGroup',
    'AWS::ECS::CapacityProvider',
  ];
  const data = resource(t, 'Ec2LaunchTemplate').Properties.LaunchTemplateData;

  test('exists only under the Ec2Capacity condition, which is off by default', () => {
    for (const type of ec2Types) {
      const found = ofType(t, type);
      expect({ type, count: found.length }).toEqual({ type, count: 1 });
      for (const [id, r] of found) expect({ id, condition: r.Condition }).toEqual({ id, condition: 'Ec2Capacity' });
    }
    expect(t.Parameters.EnableEc2Capacity.Default).toBe('false');
    expect(conditionsFor({}).has('Ec2Capacity')).toBe(false);
  });

  test('launch template: ECS-optimised AL2023 from SSM, IMDSv2 only, encrypted volumes, app security group', () => {
    expect(t.Parameters.Ec2ImageId).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: ECS_AMI_PARAMETER,
    });
    expect(ECS_AMI_PARAMETER).toBe('/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id');
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    for (const b of data.BlockDeviceMappings) expect(b.Ebs.Encrypted).toBe(true);
    expect(data.SecurityGroupIds).toEqual([importOf('AppSecurityGroupId')]);
    expect(data.KeyName).toBeUndefined();
  });

  test('user data joins this cluster and blocks task access to instance metadata', () => {
    const script = data.UserData['Fn::Base64']['Fn::Sub'];
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain('ECS_CLUSTER=${Cluster}\n');
    expect(script).toContain('ECS_AWSVPC_BLOCK_IMDS=true');
  });

  test('auto-scaling group: private subnets, sizes from parameters, scale-in protection for ECS', () => {
    const g = resource(t, 'Ec2AutoScalingGroup').Properties;
    expect(g.VPCZoneIdentifier).toEqual({ 'Fn::Split': [',', importOf('PrivateSubnetIds')] });
    expect([g.MinSize, g.MaxSize, g.DesiredCapacity]).toEqual([
      { Ref: 'Ec2MinSize' },
      { Ref: 'Ec2MaxSize' },
      { Ref: 'Ec2DesiredCapacity' },
    ]);
    expect(g.NewInstancesProtectedFromScaleIn).toBe(true);
    expect(g.LaunchTemplate.LaunchTemplateId).toEqual({ Ref: 'Ec2LaunchTemplate' });
  });

  test('capacity provider: managed scaling and managed termination protection', () => {
    const p = resource(t, 'Ec2CapacityProvider').Properties.AutoScalingGroupProvider;
    expect(p.AutoScalingGroupArn).toEqual({ Ref: 'Ec2AutoScalingGroup' });
    expect(p.ManagedScaling.Status).toBe('ENABLED');
    expect(p.ManagedTerminationProtection).toBe('ENABLED');
  });

  test('instance role: only the ECS agent\'s actions, on this cluster; "*" only for DiscoverPollEndpoint', () => {
    const role = resource(t, 'Ec2InstanceRole').Properties;
    const statements = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const actions: string[] = statements.flatMap((s: any) => s.Action);
    for (const a of actions) expect(a).toMatch(/^ecs:[A-Za-z]+$/);
    for (const s of statements) {
      if (s.Resource === '*') expect(s.Action).toEqual(['ecs:DiscoverPollEndpoint']);
      else expect(JSON.stringify(s.Resource)).toMatch(/"Cluster"|\$\{Cluster\}/);
    }
    expect(role.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' },
    ]);
    expect(JSON.stringify(role)).not.toContain('AmazonEC2ContainerServiceforEC2Role');
  });
});

test('exports the cluster name and ARN, unconditionally; the EC2 provider is an output only', () => {
  expect(built.exports).toEqual([EcsCluster.ClusterName, EcsCluster.ClusterArn]);
  for (const o of Object.values<any>(t.Outputs!)) if (o.Export) expect(o.Condition).toBeUndefined();
  expect(t.Outputs!.Ec2CapacityProviderName).toMatchObject({ Condition: 'Ec2Capacity' });
  expect(t.Outputs!.Ec2CapacityProviderName.Export).toBeUndefined();
});
