/**
 * 12.env-jumpboxes (optional): one or two admin hosts in the environment's private subnets,
 * reached only through SSM Session Manager. Nothing listens for SSH: the security group has no
 * inbound rule at all, and the instances have no public address. An administrator opens a shell
 * with `aws ssm start-session`, or forwards a local port to a database or cache with the
 * `AWS-StartPortForwardingSessionToRemoteHost` document, so no client tools are needed on the box.
 *
 * The jump boxes' own openings into the data tier live in this stack (cross-stack
 * `SecurityGroupIngress` rules on the network's database and cache groups): deleting the stack
 * closes them again.
 */
import { EC2, IAM } from './kit/resources';
import { Network } from './contracts';
import { DataPorts } from './network';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, Refs, withCondition, type IntrinsicFunction } from './kit/cf';
import { assumedBy, managedPolicy } from './kit/iam';

/** The public SSM parameter naming the latest Amazon Linux 2023 AMI (x86_64). */
export const AL2023_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

/** Small x86_64 types: a jump box only relays sessions and runs the odd psql or redis-cli. */
const INSTANCE_TYPES = [
  't3.nano',
  't3.micro',
  't3.small',
  't3.medium',
  't3a.nano',
  't3a.micro',
  't3a.small',
  't3a.medium',
];

/** Who 12 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const JumpboxesTemplate: TemplateIdentity<'environment'> = {
  id: '12.env-jumpboxes',
  scope: 'environment',
  stackSuffix: 'jumpboxes',
};

/** Builds 12.env-jumpboxes: parameters, the closed security group, the launch template, the boxes. */
export function buildJumpboxes(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...JumpboxesTemplate,
    description:
      'Jump boxes reached through SSM Session Manager (no inbound SSH), in the private subnets, with access to the databases and caches',
    group: 'Jump boxes',
  });
  const params = jumpboxParams(t);
  const two = t.condition('TwoJumpBoxes', Fn.Equals(params.count, '2'));
  const sg = securityGroup(t);
  openDataStores(t, sg);
  const template = launchTemplate(t, params);
  const subnets = t.import(Network.PrivateSubnetIds);
  const boxes = ['A', 'B'].map((letter, i) =>
    t.add(
      `JumpBox${letter}`,
      withCondition(
        new EC2.Instance({
          LaunchTemplate: { LaunchTemplateId: template.ref, Version: template.att('LatestVersionNumber') },
          SubnetId: Fn.Select(i, subnets),
          SecurityGroupIds: [sg.att('GroupId')],
          Tags: t.tags({ Name: t.scopedName(`jumpbox-${letter.toLowerCase()}`) }),
        }),
        i === 0 ? undefined : two,
      ),
    ),
  );

  t.output('JumpBoxAInstanceId', 'First jump box: aws ssm start-session --target <this id>', boxes[0]!.ref);
  t.output('JumpBoxBInstanceId', 'Second jump box (when JumpBoxCount is 2)', boxes[1]!.ref, two);
  t.output(
    'PortForwardExample',
    'Forward local port 5432 to a database through the first jump box (replace DB_HOST)',
    portForward(boxes[0]!.ref),
  );
  return t.build();
}

interface JumpboxParams {
  count: IntrinsicFunction;
  instanceType: IntrinsicFunction;
  ami: IntrinsicFunction;
}

function jumpboxParams(t: TemplateBuilder<'environment'>): JumpboxParams {
  return {
    count: t.param('JumpBoxCount', {
      Type: 'String',
      Default: '1',
      AllowedValues: ['1', '2'],
      Description:
        'How many jump boxes to run, one per availability zone. 2 keeps admin access working when a zone fails.',
      label: 'Number of jump boxes',
    }),
    instanceType: t.param('InstanceType', {
      Type: 'String',
      Default: 't3.micro',
      AllowedValues: INSTANCE_TYPES,
      Description: 'EC2 instance type (x86_64). A jump box only relays sessions: the smallest types are enough.',
      label: 'Instance type',
    }),
    ami: t.param('ImageId', {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: AL2023_AMI_PARAMETER,
      Description:
        "Public SSM parameter that names the AMI (latest Amazon Linux 2023, which ships with the SSM agent). Replacing the stack's instances picks up a newer image.",
      label: 'AMI (SSM parameter)',
    }),
  };
}

/** The jump boxes' group: nothing inbound, HTTPS and the data stores' ports outbound. */
function securityGroup(t: TemplateBuilder<'environment'>): Handle {
  return t.add(
    'JumpBoxSecurityGroup',
    new EC2.SecurityGroup({
      VpcId: t.import(Network.VpcId),
      GroupDescription: 'Jump boxes: no inbound rules (access is through SSM Session Manager)',
      // No SecurityGroupIngress on purpose: Session Manager connects outwards from the agent.
      SecurityGroupEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIp: '0.0.0.0/0',
          Description: 'HTTPS to SSM endpoints and package repositories',
        },
        ...dataEgress(t),
      ],
      Tags: t.tags({ Name: t.scopedName('jumpbox') }),
    }),
  );
}

/** The instance role (SSM agent only), its profile, and the launch template both boxes share. */
function launchTemplate(t: TemplateBuilder<'environment'>, params: JumpboxParams): Handle {
  const role = t.add(
    'JumpBoxRole',
    new IAM.Role({
      AssumeRolePolicyDocument: assumedBy('ec2.amazonaws.com'),
      // Only what the SSM agent needs to register and carry sessions; the box calls no other AWS API.
      ManagedPolicyArns: [managedPolicy('AmazonSSMManagedInstanceCore')],
      Tags: t.tags(),
    }),
  );
  const profile = t.add('JumpBoxInstanceProfile', new IAM.InstanceProfile({ Roles: [role.ref] }));
  return t.add(
    'JumpBoxLaunchTemplate',
    new EC2.LaunchTemplate({
      LaunchTemplateData: {
        ImageId: params.ami,
        InstanceType: params.instanceType,
        IamInstanceProfile: { Arn: profile.att('Arn') },
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: { VolumeType: 'gp3', VolumeSize: 10, Encrypted: true, DeleteOnTermination: true },
          },
        ],
        // Volumes only: each instance carries its own tags (with its A/B name).
        TagSpecifications: [{ ResourceType: 'volume', Tags: t.tags({ Name: t.scopedName('jumpbox') }) }],
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: t.tags() }],
    }),
  );
}

/** Egress from the jump boxes to the data tier's groups, port by port. */
function dataEgress(t: TemplateBuilder<'environment'>): InstanceType<typeof EC2.SecurityGroup.Egress>[] {
  const db = t.import(Network.DatabaseSecurityGroupId);
  const cache = t.import(Network.CacheSecurityGroupId);
  return [
    {
      IpProtocol: 'tcp',
      FromPort: DataPorts.postgres,
      ToPort: DataPorts.postgres,
      DestinationSecurityGroupId: db,
      Description: 'PostgreSQL',
    },
    {
      IpProtocol: 'tcp',
      FromPort: DataPorts.documentdb,
      ToPort: DataPorts.documentdb,
      DestinationSecurityGroupId: db,
      Description: 'DocumentDB',
    },
    {
      IpProtocol: 'tcp',
      FromPort: DataPorts.redis,
      ToPort: DataPorts.redis,
      DestinationSecurityGroupId: cache,
      Description: 'Redis',
    },
  ];
}

/**
 * Opens the network's database and cache groups to the jump-box group. These rules belong to this
 * stack (not to 11), so removing the jump boxes removes the openings with them.
 */
function openDataStores(t: TemplateBuilder<'environment'>, sg: Handle): void {
  const rules: [string, IntrinsicFunction, number, string][] = [
    [
      'DatabaseIngressPostgres',
      t.import(Network.DatabaseSecurityGroupId),
      DataPorts.postgres,
      'PostgreSQL from the jump boxes',
    ],
    [
      'DatabaseIngressDocumentDb',
      t.import(Network.DatabaseSecurityGroupId),
      DataPorts.documentdb,
      'DocumentDB from the jump boxes',
    ],
    ['CacheIngressRedis', t.import(Network.CacheSecurityGroupId), DataPorts.redis, 'Redis from the jump boxes'],
  ];
  for (const [id, groupId, port, description] of rules) {
    t.add(
      id,
      new EC2.SecurityGroupIngress({
        GroupId: groupId,
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        SourceSecurityGroupId: sg.att('GroupId'),
        Description: description,
      }),
    );
  }
}

function portForward(instance: IntrinsicFunction): IntrinsicFunction {
  return Fn.Join('', [
    'aws ssm start-session --region ',
    Refs.Region,
    ' --target ',
    instance,
    ' --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=DB_HOST,portNumber=5432,localPortNumber=5432',
  ]);
}
