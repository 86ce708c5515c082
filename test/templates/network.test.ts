/** 11.env-network: what matters about the network's shape and its openings. */
import { buildNetwork } from '../../templates/network';
import { json, ofType, resource } from '../helpers/templates';

const t = json(buildNetwork());

const routesOf = (rtId: string) =>
  ofType(t, 'AWS::EC2::Route')
    .filter(([, r]) => r.Properties.RouteTableId.Ref === rtId)
    .map(([, r]) => r.Properties);
const tableOf = (subnetId: string) =>
  ofType(t, 'AWS::EC2::SubnetRouteTableAssociation').find(([, r]) => r.Properties.SubnetId.Ref === subnetId)![1]
    .Properties.RouteTableId.Ref;

describe('subnets', () => {
  test('three tiers in up to three AZs; the third AZ only when AzCount is 3', () => {
    for (const tier of ['Public', 'Private', 'Data']) {
      expect(resource(t, `${tier}SubnetA`).Condition).toBeUndefined();
      expect(resource(t, `${tier}SubnetB`).Condition).toBeUndefined();
      expect(resource(t, `${tier}SubnetC`).Condition).toBe('ThreeAzs');
    }
    expect(t.Conditions!.ThreeAzs).toEqual({ 'Fn::Equals': [{ Ref: 'AzCount' }, '3'] });
  });

  test('no subnet hands out public IPs', () => {
    for (const [id, s] of ofType(t, 'AWS::EC2::Subnet'))
      expect({ id, map: s.Properties.MapPublicIpOnLaunch }).toEqual({ id, map: false });
  });

  test('only public subnets route to the internet gateway', () => {
    for (const l of ['A', 'B', 'C']) {
      expect(routesOf(tableOf(`PublicSubnet${l}`))).toEqual([
        expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'InternetGateway' } }),
      ]);
      const priv = routesOf(tableOf(`PrivateSubnet${l}`));
      expect(priv).toHaveLength(1);
      expect(priv[0].GatewayId).toBeUndefined();
      expect(priv[0].NatGatewayId).toBeDefined();
      expect(routesOf(tableOf(`DataSubnet${l}`))).toEqual([]); // data tier: no route out at all
    }
  });

  test('one NAT gateway per AZ, or a single one when NatGateways=single', () => {
    expect(resource(t, 'NatGatewayA').Condition).toBeUndefined();
    expect(resource(t, 'NatGatewayB').Condition).toBe('NatPerAz');
    expect(resource(t, 'NatGatewayC').Condition).toBe('NatPerAzThreeAzs');
    expect(resource(t, 'PrivateDefaultRouteB').Properties.NatGatewayId).toEqual({
      'Fn::If': ['NatPerAz', { Ref: 'NatGatewayB' }, { Ref: 'NatGatewayA' }],
    });
    for (const l of ['A', 'B', 'C'])
      expect(resource(t, `NatGateway${l}`).Properties.SubnetId).toEqual({ Ref: `PublicSubnet${l}` });
  });
});

describe('security groups', () => {
  const ingress = (id: string) => resource(t, id).Properties.SecurityGroupIngress;

  test('load balancers: only 80 and 443 from the internet', () => {
    expect(ingress('LoadBalancerSecurityGroup').map((r: any) => [r.FromPort, r.ToPort, r.CidrIp])).toEqual([
      [443, 443, '0.0.0.0/0'],
      [80, 80, '0.0.0.0/0'],
    ]);
  });

  test('apps: only from the load balancer group, never from a CIDR', () => {
    const rules = ingress('AppSecurityGroup');
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      SourceSecurityGroupId: { Ref: 'LoadBalancerSecurityGroup' },
      FromPort: 1024,
      ToPort: 65535,
    });
    expect(rules[0].CidrIp).toBeUndefined();
  });

  test('databases and caches: only from apps, only on their ports, no egress', () => {
    expect(ingress('DatabaseSecurityGroup').map((r: any) => [r.FromPort, r.SourceSecurityGroupId])).toEqual([
      [5432, { Ref: 'AppSecurityGroup' }],
      [27017, { Ref: 'AppSecurityGroup' }],
    ]);
    expect(ingress('CacheSecurityGroup').map((r: any) => [r.FromPort, r.SourceSecurityGroupId])).toEqual([
      [6379, { Ref: 'AppSecurityGroup' }],
    ]);
    for (const id of ['DatabaseSecurityGroup', 'CacheSecurityGroup']) {
      expect(resource(t, id).Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: '127.0.0.1/32' }),
      ]);
    }
  });

  test('no group allows anything from 0.0.0.0/0 except the load balancers', () => {
    for (const [id, sg] of ofType(t, 'AWS::EC2::SecurityGroup')) {
      if (id === 'LoadBalancerSecurityGroup') continue;
      for (const r of sg.Properties.SecurityGroupIngress ?? [])
        expect({ id, cidr: r.CidrIp }).toEqual({ id, cidr: undefined });
    }
  });
});

test('subnet groups use the data subnets', () => {
  const expected = {
    'Fn::If': [
      'ThreeAzs',
      [{ Ref: 'DataSubnetA' }, { Ref: 'DataSubnetB' }, { Ref: 'DataSubnetC' }],
      [{ Ref: 'DataSubnetA' }, { Ref: 'DataSubnetB' }],
    ],
  };
  expect(resource(t, 'DbSubnetGroup').Properties.SubnetIds).toEqual(expected);
  expect(resource(t, 'CacheSubnetGroup').Properties.SubnetIds).toEqual(expected);
});

test('flow logs capture all traffic of the VPC into an encrypted log group', () => {
  const [, flow] = ofType(t, 'AWS::EC2::FlowLog')[0]!;
  expect(flow.Properties).toMatchObject({
    ResourceId: { Ref: 'Vpc' },
    TrafficType: 'ALL',
    LogDestinationType: 'cloud-watch-logs',
  });
  expect(resource(t, 'FlowLogGroup').Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['LogsKey', 'Arn'] });
});

test('the S3 gateway endpoint serves the private and data route tables', () => {
  const ids = JSON.stringify(resource(t, 'S3GatewayEndpoint').Properties.RouteTableIds);
  for (const rt of ['PrivateRouteTableA', 'PrivateRouteTableB', 'PrivateRouteTableC', 'DataRouteTable'])
    expect(ids).toContain(rt);
  expect(ids).not.toContain('PublicRouteTable');
});

test('exports the subnet lists as comma-joined values', () => {
  expect(t.Outputs!.PrivateSubnetIds.Value['Fn::Join'][0]).toBe(',');
  expect(t.Outputs!.PrivateSubnetIds.Export.Name).toEqual({
    'Fn::Sub': '${Prefix}${EnvironmentName}-PrivateSubnetIds',
  });
});
