/** 12.env-jumpboxes: no way in but Session Manager, private subnets, IMDSv2, encrypted disks. */
import { Network } from '../../templates/contracts';
import { AL2023_AMI_PARAMETER, buildJumpboxes } from '../../templates/jumpboxes';
import { json, ofType, resource } from '../helpers/templates';

const built = buildJumpboxes();
const t = json(built);
const importOf = (key: string) => ({ 'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-${key}` } });
const jumpSg = { 'Fn::GetAtt': ['JumpBoxSecurityGroup', 'GroupId'] };

describe('security group', () => {
  test('has no inbound rule at all, inline or as a separate resource', () => {
    expect(resource(t, 'JumpBoxSecurityGroup').Properties.SecurityGroupIngress).toBeUndefined();
    const intoJumpBoxes = ofType(t, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
      JSON.stringify(r.Properties.GroupId).includes('JumpBoxSecurityGroup'),
    );
    expect(intoJumpBoxes).toEqual([]);
  });

  test('egress: HTTPS out (SSM), and only the data ports to the data tier groups', () => {
    const egress = resource(t, 'JumpBoxSecurityGroup').Properties.SecurityGroupEgress;
    expect(egress.map((r: any) => [r.FromPort, r.ToPort, r.CidrIp ?? r.DestinationSecurityGroupId])).toEqual([
      [443, 443, '0.0.0.0/0'],
      [5432, 5432, importOf('DatabaseSecurityGroupId')],
      [27017, 27017, importOf('DatabaseSecurityGroupId')],
      [6379, 6379, importOf('CacheSecurityGroupId')],
    ]);
  });

  test("opens the network's database (5432, 27017) and cache (6379) groups to the jump boxes, in this stack", () => {
    const rules = ofType(t, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(rules.map((r) => [r.GroupId, r.FromPort, r.ToPort, r.SourceSecurityGroupId])).toEqual([
      [importOf('DatabaseSecurityGroupId'), 5432, 5432, jumpSg],
      [importOf('DatabaseSecurityGroupId'), 27017, 27017, jumpSg],
      [importOf('CacheSecurityGroupId'), 6379, 6379, jumpSg],
    ]);
    for (const r of rules) expect(r.CidrIp).toBeUndefined();
  });
});

describe('instances', () => {
  const data = resource(t, 'JumpBoxLaunchTemplate').Properties.LaunchTemplateData;

  test('require IMDSv2 tokens', () => {
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled' });
  });

  test('have only encrypted volumes', () => {
    expect(data.BlockDeviceMappings.length).toBeGreaterThan(0);
    for (const b of data.BlockDeviceMappings) expect(b.Ebs.Encrypted).toBe(true);
  });

  test('one per AZ in the private subnets; the second only when JumpBoxCount is 2', () => {
    const subnets = { 'Fn::Split': [',', importOf('PrivateSubnetIds')] };
    expect(resource(t, 'JumpBoxA').Properties.SubnetId).toEqual({ 'Fn::Select': [0, subnets] });
    expect(resource(t, 'JumpBoxB').Properties.SubnetId).toEqual({ 'Fn::Select': [1, subnets] });
    expect(resource(t, 'JumpBoxA').Condition).toBeUndefined();
    expect(resource(t, 'JumpBoxB').Condition).toBe('TwoJumpBoxes');
    expect(t.Conditions!.TwoJumpBoxes).toEqual({ 'Fn::Equals': [{ Ref: 'JumpBoxCount' }, '2'] });
    expect(t.Parameters.JumpBoxCount.AllowedValues).toEqual(['1', '2']);
    expect(built.imports.map((i) => i.contract)).toContain(Network.PrivateSubnetIds);
  });

  test('use the launch template, the jump-box group, and no public address or key pair', () => {
    for (const id of ['JumpBoxA', 'JumpBoxB']) {
      const p = resource(t, id).Properties;
      expect(p.LaunchTemplate.LaunchTemplateId).toEqual({ Ref: 'JumpBoxLaunchTemplate' });
      expect(p.SecurityGroupIds).toEqual([jumpSg]);
      expect(p.NetworkInterfaces).toBeUndefined();
      expect(p.KeyName).toBeUndefined();
    }
    expect(data.KeyName).toBeUndefined();
    expect(data.NetworkInterfaces).toBeUndefined();
  });

  test('boot the latest Amazon Linux 2023 from its public SSM parameter; type is a parameter', () => {
    expect(t.Parameters.ImageId).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: AL2023_AMI_PARAMETER,
    });
    expect(AL2023_AMI_PARAMETER).toMatch(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-/);
    expect(data.ImageId).toEqual({ Ref: 'ImageId' });
    expect(data.InstanceType).toEqual({ Ref: 'InstanceType' });
  });
});

test('the instance role has only the SSM core managed policy', () => {
  const role = resource(t, 'JumpBoxRole').Properties;
  expect(role.ManagedPolicyArns).toEqual([
    { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' },
  ]);
  expect(role.Policies).toBeUndefined();
  expect(role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['ec2.amazonaws.com'] });
  expect(resource(t, 'JumpBoxInstanceProfile').Properties.Roles).toEqual([{ Ref: 'JumpBoxRole' }]);
});

test('exports nothing', () => {
  expect(built.exports).toEqual([]);
  expect(Object.values<any>(t.Outputs ?? {}).filter((o) => o.Export)).toEqual([]);
});
