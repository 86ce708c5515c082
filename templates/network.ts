/**
 * 11.env-network: the environment's network, in three tiers per availability zone:
 * public (load balancers, NAT gateways), private (services, nodes, jump boxes; outbound through
 * NAT) and data (databases and caches; no route to or from the internet at all).
 *
 * Subnet CIDRs are parameters (comma-separated, one per AZ) rather than `Fn::Cidr` arithmetic, so
 * an environment can be fitted into an existing address plan (peering, VPN, Transit Gateway).
 */
import EC2 from 'cloudform-types/types/ec2';
import RDS from 'cloudform-types/types/rds';
import ElastiCache from 'cloudform-types/types/elastiCache';
import IAM from 'cloudform-types/types/iam';
import { Network } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, Refs, sub, withCondition, type IntrinsicFunction } from './kit/cf';
import { allow, assumedBy, policy } from './kit/iam';
import { checkovSkip, kmsKey, logGroup, logsMayUseKey, LOG_RETENTION_DAYS } from './kit/security';

const AZ_LETTERS = ['A', 'B', 'C'] as const;
/** For a CommaDelimitedList, CloudFormation applies AllowedPattern to each value. */
const CIDR_LIST = '^\\s*(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-8])\\s*$';

/** Ports the data tier listens on: PostgreSQL, DocumentDB (MongoDB wire protocol), Redis. */
export const DataPorts = { postgres: 5432, documentdb: 27017, redis: 6379 } as const;

/** Who 11 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const NetworkTemplate: TemplateIdentity<'environment'> = {
  id: '11.env-network',
  scope: 'environment',
  stackSuffix: 'network',
};

export function buildNetwork(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...NetworkTemplate,
    description:
      'Environment network: VPC, public/private/data subnets in 2 or 3 AZs, NAT, security groups, subnet groups, flow logs',
    group: 'Network',
  });

  const azCount = t.param('AzCount', {
    Type: 'String',
    Default: '2',
    AllowedValues: ['2', '3'],
    Description:
      'How many availability zones to spread the subnets over. 3 survives the loss of a zone with more headroom; 2 costs less.',
    label: 'Availability zones',
  });
  const natMode = t.param('NatGateways', {
    Type: 'String',
    Default: 'one-per-az',
    AllowedValues: ['one-per-az', 'single'],
    Description:
      'one-per-az keeps outbound traffic working when a zone fails; single saves the cost of the extra NAT gateways (for dev/test).',
    label: 'NAT gateways',
  });
  const vpcCidr = t.param('VpcCidr', {
    Type: 'String',
    Default: '10.0.0.0/16',
    AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-4])$',
    ConstraintDescription: 'a CIDR block between /16 and /24, e.g. 10.0.0.0/16',
    Description: 'Address range of the VPC. Pick one that does not overlap networks you will peer or connect to.',
    label: 'VPC CIDR block',
  });
  const subnetCidrs = {
    Public: t.param('PublicSubnetCidrs', {
      Type: 'CommaDelimitedList',
      Default: '10.0.0.0/22,10.0.4.0/22,10.0.8.0/22',
      AllowedPattern: CIDR_LIST,
      ConstraintDescription: 'each value is a CIDR block between /16 and /28, e.g. 10.0.0.0/22',
      Description: 'Public subnet CIDRs, one per AZ (the third is used only with 3 AZs).',
      label: 'Public subnet CIDRs',
    }),
    Private: t.param('PrivateSubnetCidrs', {
      Type: 'CommaDelimitedList',
      Default: '10.0.32.0/19,10.0.64.0/19,10.0.96.0/19',
      AllowedPattern: CIDR_LIST,
      ConstraintDescription: 'each value is a CIDR block between /16 and /28, e.g. 10.0.0.0/22',
      Description: 'Private subnet CIDRs, one per AZ; the largest tier, since every task gets an address here.',
      label: 'Private subnet CIDRs',
    }),
    Data: t.param('DataSubnetCidrs', {
      Type: 'CommaDelimitedList',
      Default: '10.0.16.0/22,10.0.20.0/22,10.0.24.0/22',
      AllowedPattern: CIDR_LIST,
      ConstraintDescription: 'each value is a CIDR block between /16 and /28, e.g. 10.0.0.0/22',
      Description: 'Data subnet CIDRs, one per AZ, for databases and caches.',
      label: 'Data subnet CIDRs',
    }),
  };
  const flowRetention = t.param('FlowLogRetentionDays', {
    Type: 'Number',
    Default: 365,
    AllowedValues: LOG_RETENTION_DAYS,
    Description:
      'Days to keep VPC flow logs: an audit record of who talked to whom, kept a year by default as many audits ask.',
    label: 'Flow log retention (days)',
    group: 'Logging',
  });

  const threeAzs = t.condition('ThreeAzs', Fn.Equals(azCount, '3'));
  const natPerAz = t.condition('NatPerAz', Fn.Equals(natMode, 'one-per-az'));
  t.condition('NatPerAzThreeAzs', Fn.And([{ Condition: natPerAz }, { Condition: threeAzs }]));
  const azCondition = (i: number): string | undefined => (i === 2 ? threeAzs : undefined);
  const az = (i: number): IntrinsicFunction => Fn.Select(i, Fn.GetAZs(Refs.Region));

  const vpc = t.add(
    'Vpc',
    new EC2.VPC({
      CidrBlock: vpcCidr,
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
      Tags: t.tags({ Name: t.scopedName('vpc') }),
    }),
  );
  const igw = t.add('InternetGateway', new EC2.InternetGateway({ Tags: t.tags({ Name: t.scopedName('igw') }) }));
  const igwAttachment = t.add(
    'InternetGatewayAttachment',
    new EC2.VPCGatewayAttachment({ VpcId: vpc.ref, InternetGatewayId: igw.ref }),
  );

  // Public tier: one route table, default route to the internet gateway.
  const publicRt = t.add(
    'PublicRouteTable',
    new EC2.RouteTable({ VpcId: vpc.ref, Tags: t.tags({ Name: t.scopedName('public') }) }),
  );
  t.add(
    'PublicDefaultRoute',
    new EC2.Route({ RouteTableId: publicRt.ref, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.ref }).dependsOn(
      igwAttachment.id,
    ),
  );

  const subnets: Record<'Public' | 'Private' | 'Data', Handle[]> = { Public: [], Private: [], Data: [] };
  const addSubnet = (tier: 'Public' | 'Private' | 'Data', i: number, routeTable: Handle): void => {
    const letter = AZ_LETTERS[i]!;
    const cond = azCondition(i);
    const subnet = t.add(
      `${tier}Subnet${letter}`,
      withCondition(
        new EC2.Subnet({
          VpcId: vpc.ref,
          AvailabilityZone: az(i),
          CidrBlock: Fn.Select(i, subnetCidrs[tier]),
          // No automatic public IPs anywhere: NAT gateways use Elastic IPs and load balancers their own.
          MapPublicIpOnLaunch: false,
          Tags: t.tags({
            Name: t.scopedName(`${tier.toLowerCase()}-${letter.toLowerCase()}`),
            'cfn-stages:tier': tier.toLowerCase(),
          }),
        }),
        cond,
      ),
    );
    t.add(
      `${tier}Subnet${letter}RouteTableAssociation`,
      withCondition(new EC2.SubnetRouteTableAssociation({ SubnetId: subnet.ref, RouteTableId: routeTable.ref }), cond),
    );
    subnets[tier].push(subnet);
  };
  AZ_LETTERS.forEach((_l, i) => addSubnet('Public', i, publicRt));

  // NAT gateways: in each AZ, or only in the first (NatGateways=single).
  const nats = AZ_LETTERS.map((letter, i) => {
    const cond = i === 0 ? undefined : i === 1 ? natPerAz : 'NatPerAzThreeAzs';
    const eip = t.add(
      `NatEip${letter}`,
      withCondition(
        new EC2.EIP({ Domain: 'vpc', Tags: t.tags({ Name: t.scopedName(`nat-${letter.toLowerCase()}`) }) }).dependsOn(
          igwAttachment.id,
        ),
        cond,
      ),
    );
    return t.add(
      `NatGateway${letter}`,
      withCondition(
        new EC2.NatGateway({
          AllocationId: eip.att('AllocationId'),
          SubnetId: subnets.Public[i]!.ref,
          Tags: t.tags({ Name: t.scopedName(`nat-${letter.toLowerCase()}`) }),
        }),
        cond,
      ),
    );
  });

  // Private tier: a route table per AZ, default route to that AZ's NAT gateway (or the single one).
  const privateRts = AZ_LETTERS.map((letter, i) => {
    const cond = azCondition(i);
    const rt = t.add(
      `PrivateRouteTable${letter}`,
      withCondition(
        new EC2.RouteTable({ VpcId: vpc.ref, Tags: t.tags({ Name: t.scopedName(`private-${letter.toLowerCase()}`) }) }),
        cond,
      ),
    );
    t.add(
      `PrivateDefaultRoute${letter}`,
      withCondition(
        new EC2.Route({
          RouteTableId: rt.ref,
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: i === 0 ? nats[0]!.ref : Fn.If(natPerAz, nats[i]!.ref, nats[0]!.ref),
        }),
        cond,
      ),
    );
    addSubnet('Private', i, rt);
    return rt;
  });

  // Data tier: one route table with only the local route and the S3 endpoint.
  const dataRt = t.add(
    'DataRouteTable',
    new EC2.RouteTable({ VpcId: vpc.ref, Tags: t.tags({ Name: t.scopedName('data') }) }),
  );
  AZ_LETTERS.forEach((_l, i) => addSubnet('Data', i, dataRt));

  // S3 gateway endpoint: image layers and bucket traffic stay off the NAT gateways (and their bill).
  // Plain object: cloudform-types 7.5's VPCEndpoint lacks the (newer) Tags property.
  t.add('S3GatewayEndpoint', {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      Tags: t.tags({ Name: t.scopedName('s3-endpoint') }),
      VpcId: vpc.ref,
      ServiceName: sub('com.amazonaws.${AWS::Region}.s3'),
      VpcEndpointType: 'Gateway',
      RouteTableIds: Fn.If(
        threeAzs,
        [privateRts[0]!.ref, privateRts[1]!.ref, privateRts[2]!.ref, dataRt.ref],
        [privateRts[0]!.ref, privateRts[1]!.ref, dataRt.ref],
      ),
    },
  });

  const perAz = (hs: Handle[]): IntrinsicFunction =>
    Fn.If(
      threeAzs,
      hs.map((h) => h.ref),
      hs.slice(0, 2).map((h) => h.ref),
    );

  // Security groups: each open only as far as its tier needs.
  const lbSg = t.add(
    'LoadBalancerSecurityGroup',
    new EC2.SecurityGroup({
      VpcId: vpc.ref,
      GroupDescription: 'Load balancers: HTTP and HTTPS from anywhere',
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0', Description: 'HTTPS from the internet' },
        {
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
          CidrIp: '0.0.0.0/0',
          Description: 'HTTP from the internet (redirected to HTTPS when the app has a certificate)',
        },
      ],
      SecurityGroupEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 1024,
          ToPort: 65535,
          CidrIp: vpcCidr,
          Description: 'To app targets inside the VPC',
        },
      ],
      Tags: t.tags({ Name: t.scopedName('lb') }),
    }).metadata(
      checkovSkip([
        [
          'CKV_AWS_260',
          'Port 80 is open on purpose: the HTTP listener only redirects to HTTPS when the app has a certificate.',
        ],
      ]),
    ),
  );
  const appSg = t.add(
    'AppSecurityGroup',
    new EC2.SecurityGroup({
      VpcId: vpc.ref,
      GroupDescription: 'App tasks and nodes: inbound only from the load balancers',
      SecurityGroupIngress: [
        {
          IpProtocol: 'tcp',
          FromPort: 1024,
          ToPort: 65535,
          SourceSecurityGroupId: lbSg.ref,
          Description: 'Container ports (unprivileged) from the load balancers',
        },
      ],
      SecurityGroupEgress: [
        { IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'Apps call AWS APIs, data stores and external services' },
      ],
      Tags: t.tags({ Name: t.scopedName('app') }),
    }),
  );
  const dataSg = (id: string, what: string, ports: number[], name: string): Handle =>
    t.add(
      id,
      new EC2.SecurityGroup({
        VpcId: vpc.ref,
        GroupDescription: `${what}: inbound only from apps`,
        SecurityGroupIngress: ports.map((p) => ({
          IpProtocol: 'tcp',
          FromPort: p,
          ToPort: p,
          SourceSecurityGroupId: appSg.ref,
          Description: `Port ${p} from apps`,
        })),
        // A data store never opens connections out; this rule replaces the default allow-all egress.
        SecurityGroupEgress: [
          { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '127.0.0.1/32', Description: 'No outbound traffic' },
        ],
        Tags: t.tags({ Name: t.scopedName(name) }),
      }),
    );
  const dbSg = dataSg('DatabaseSecurityGroup', 'Databases', [DataPorts.postgres, DataPorts.documentdb], 'db');
  const cacheSg = dataSg('CacheSecurityGroup', 'Caches', [DataPorts.redis], 'cache');

  const dbSubnetGroup = t.add(
    'DbSubnetGroup',
    new RDS.DBSubnetGroup({
      DBSubnetGroupDescription: sub('${Prefix}${EnvironmentName} data subnets'),
      SubnetIds: perAz(subnets.Data),
      Tags: t.tags(),
    }),
  );
  const cacheSubnetGroup = t.add(
    'CacheSubnetGroup',
    new ElastiCache.SubnetGroup({
      Description: sub('${Prefix}${EnvironmentName} data subnets'),
      SubnetIds: perAz(subnets.Data),
      Tags: t.tags(),
    }),
  );

  // Flow logs: every accepted and rejected flow, to an encrypted log group.
  const flowLogName = sub('/cfn-stages/${Prefix}${EnvironmentName}/vpc-flow-logs');
  const key = kmsKey(t, 'LogsKey', {
    protectsKeptData: false,
    description: "Encrypts the environment's VPC flow logs",
    alias: sub('alias/${Prefix}${EnvironmentName}-network-logs'),
    statements: [
      logsMayUseKey(
        'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/cfn-stages/${Prefix}${EnvironmentName}/*',
      ),
    ],
  });
  const flowLogGroup = logGroup(t, 'FlowLogGroup', { name: flowLogName, retentionDays: flowRetention, kmsKey: key });
  const flowLogRole = t.add(
    'FlowLogRole',
    new IAM.Role({
      AssumeRolePolicyDocument: assumedBy('vpc-flow-logs.amazonaws.com'),
      Policies: [
        {
          PolicyName: 'write-flow-logs',
          PolicyDocument: policy(
            allow(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], [flowLogGroup.att('Arn')]),
          ),
        },
      ],
      Tags: t.tags(),
    }),
  );
  t.add(
    'FlowLog',
    new EC2.FlowLog({
      ResourceId: vpc.ref,
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: flowLogName,
      DeliverLogsPermissionArn: flowLogRole.att('Arn'),
      Tags: t.tags(),
    }).dependsOn(flowLogGroup.id),
  );

  t.export(Network.VpcId, vpc.ref);
  t.export(Network.VpcCidr, vpc.att('CidrBlock'));
  t.export(Network.PublicSubnetIds, perAz(subnets.Public));
  t.export(Network.PrivateSubnetIds, perAz(subnets.Private));
  t.export(Network.DataSubnetIds, perAz(subnets.Data));
  t.export(Network.LoadBalancerSecurityGroupId, lbSg.att('GroupId'));
  t.export(Network.AppSecurityGroupId, appSg.att('GroupId'));
  t.export(Network.DatabaseSecurityGroupId, dbSg.att('GroupId'));
  t.export(Network.CacheSecurityGroupId, cacheSg.att('GroupId'));
  t.export(Network.DbSubnetGroupName, dbSubnetGroup.ref);
  t.export(Network.CacheSubnetGroupName, cacheSubnetGroup.ref);
  t.export(Network.AvailabilityZones, Fn.If(threeAzs, [az(0), az(1), az(2)], [az(0), az(1)]));
  return t.build();
}
