/**
 * 14.env-eks-cluster: an EKS cluster in the environment's private subnets (instead of, or beside,
 * the ECS cluster of 13). Kubernetes secrets are envelope-encrypted with a customer KMS key, all
 * five control-plane log types go to a log group created here (encrypted, with retention, before
 * EKS would create its own without either), and the API endpoint is private unless the stack
 * says otherwise. One managed node group runs on a launch template that requires IMDSv2 and
 * encrypts its volumes. The IAM OIDC provider lets service accounts assume IAM roles (IRSA), so
 * pods never need the node role.
 *
 * Who may use the cluster: access entries (authentication mode API). The principal that creates
 * the stack becomes cluster admin; `ClusterAdminRoleArn` adds one more admin role (e.g. the team's
 * SSO role) when the stack is created by CI.
 */
import { EC2, EKS, IAM } from './kit/resources';
import { EksCluster, Network } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, Refs, sub, withCondition, type CfnResource, type IntrinsicFunction } from './kit/cf';
import { allow, assumedBy, managedPolicy, policy } from './kit/iam';
import { kmsKey, logGroup, logsMayUseKey, LOG_RETENTION_DAYS } from './kit/security';

/**
 * The default Kubernetes version: the newest release in EKS standard support when this catalogue
 * version was cut (1.35: standard support until March 2027). Raise it with each catalogue release.
 */
export const DEFAULT_KUBERNETES_VERSION = '1.35';

/** The control-plane log types EKS can export; all are enabled. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const CIDR = '(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}';

type Env = TemplateBuilder<'environment'>;

/** The cluster's own parameters. */
interface ClusterParams {
  version: IntrinsicFunction;
  endpointAccess: IntrinsicFunction;
  publicCidrs: IntrinsicFunction;
  adminRole: IntrinsicFunction;
  logRetention: IntrinsicFunction;
}

/** The managed node group's parameters. */
interface NodeParams {
  instanceTypes: IntrinsicFunction;
  amiType: IntrinsicFunction;
  capacityType: IntrinsicFunction;
  minSize: IntrinsicFunction;
  maxSize: IntrinsicFunction;
  desired: IntrinsicFunction;
  diskSize: IntrinsicFunction;
}

type Params = ClusterParams & NodeParams;

/** Who 14 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const EksClusterTemplate: TemplateIdentity<'environment'> = {
  id: '14.env-eks-cluster',
  scope: 'environment',
  stackSuffix: 'eks-cluster',
};

/** Builds 14.env-eks-cluster: parameters, keys and logs, the cluster, its admins, nodes and OIDC provider. */
export function buildEksCluster(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...EksClusterTemplate,
    description:
      'EKS cluster in the private subnets: KMS-encrypted secrets, control-plane logs, private endpoint by default, managed node group, IAM OIDC provider',
    group: 'EKS cluster',
  });
  const p: Params = { ...clusterParams(t), ...nodeParams(t) };
  const isPublic = t.condition('PublicEndpoint', Fn.Equals(p.endpointAccess, 'public-and-private'));
  const hasAdmin = t.condition('HasClusterAdminRole', Fn.Not(Fn.Equals(p.adminRole, '')));
  t.rule('PublicEndpointNeedsCidrs', {
    RuleCondition: Fn.Equals(p.endpointAccess, 'public-and-private'),
    Assertions: [
      {
        Assert: Fn.Not(Fn.Equals(p.publicCidrs, '')),
        AssertDescription: 'A public endpoint needs PublicAccessCidrs (the networks allowed to reach it)',
      },
    ],
  });
  const c = cluster(t, p, isPublic);
  adminAccess(t, c, p, hasAdmin);
  nodeGroup(t, c, p);
  const oidc = oidcProvider(t, c);

  t.export(EksCluster.ClusterName, c.ref);
  t.export(EksCluster.ClusterArn, c.att('Arn'));
  t.export(EksCluster.OidcProviderArn, oidc.att('Arn'));
  t.output(
    'ClusterEndpoint',
    'Kubernetes API endpoint (aws eks update-kubeconfig --name <ClusterName>)',
    c.att('Endpoint'),
  );
  t.output(
    'ClusterSecurityGroupId',
    'The security group EKS made for the control plane and nodes',
    c.att('ClusterSecurityGroupId'),
  );
  return t.build();
}

/**
 * The cluster with its secrets key, log group and role. The cluster waits for the log group, so
 * EKS never creates its own (unencrypted, kept forever).
 */
function cluster(t: Env, p: Params, isPublic: string): Handle {
  const secretsKey = kmsKey(t, 'SecretsKey', {
    protectsKeptData: false,
    serviceGrants: true,
    description: "Encrypts the EKS cluster's Kubernetes secrets (envelope encryption)",
    alias: sub('alias/${Prefix}${EnvironmentName}-eks-secrets'),
  });
  const logs = controlPlaneLogGroup(t, p);
  const role = clusterRole(t, secretsKey);
  const resource = new EKS.Cluster({
    Name: sub('${Prefix}${EnvironmentName}'),
    Version: p.version,
    RoleArn: role.att('Arn'),
    ResourcesVpcConfig: {
      SubnetIds: t.import(Network.PrivateSubnetIds),
      EndpointPrivateAccess: true,
      EndpointPublicAccess: Fn.If(isPublic, true, false),
      PublicAccessCidrs: Fn.If(isPublic, Fn.Split(',', p.publicCidrs), Refs.NoValue),
    },
    EncryptionConfig: [{ Resources: ['secrets'], Provider: { KeyArn: secretsKey.att('Arn') } }],
    Logging: { ClusterLogging: { EnabledTypes: CONTROL_PLANE_LOG_TYPES.map((Type) => ({ Type })) } },
    Tags: t.tags(),
  }).dependsOn(logs.id);
  // AccessConfig is newer than cloudform-types 7.5: access entries instead of the aws-auth ConfigMap.
  Object.assign(resource.Properties, {
    AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: true },
  });
  return t.add('Cluster', resource);
}

/** The role EKS runs the control plane with: the managed cluster policy plus use of the secrets key. */
function clusterRole(t: Env, secretsKey: Handle): Handle {
  return t.add(
    'ClusterRole',
    new IAM.Role({
      AssumeRolePolicyDocument: assumedBy('eks.amazonaws.com'),
      ManagedPolicyArns: [managedPolicy('AmazonEKSClusterPolicy')],
      Policies: [
        {
          PolicyName: 'secrets-encryption',
          PolicyDocument: policy(
            allow(['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ListGrants'], secretsKey.att('Arn')),
            allow(['kms:CreateGrant'], secretsKey.att('Arn'), { Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
          ),
        },
      ],
      Tags: t.tags(),
    }),
  );
}

function clusterParams(t: Env): ClusterParams {
  return {
    version: t.param('KubernetesVersion', {
      Type: 'String',
      Default: DEFAULT_KUBERNETES_VERSION,
      AllowedPattern: '^1\\.[0-9]{2}$',
      ConstraintDescription: 'a Kubernetes minor version such as 1.35',
      Description: 'Kubernetes version of the control plane (and the nodes). Upgrade one minor version at a time.',
      label: 'Kubernetes version',
    }),
    endpointAccess: t.param('EndpointAccess', {
      Type: 'String',
      Default: 'private',
      AllowedValues: ['private', 'public-and-private'],
      Description:
        'private: the Kubernetes API is reachable only from inside the VPC (and connected networks). public-and-private: also from the internet, limited to PublicAccessCidrs.',
      label: 'API endpoint access',
    }),
    publicCidrs: t.param('PublicAccessCidrs', {
      Type: 'String',
      Default: '',
      AllowedPattern: `^$|^${CIDR}(,${CIDR})*$`,
      ConstraintDescription: 'empty, or CIDR blocks separated by commas (e.g. 203.0.113.0/24)',
      Description:
        'With a public endpoint: the networks allowed to reach it, comma-separated (e.g. your office range). Ignored when the endpoint is private.',
      label: 'Public endpoint CIDRs',
    }),
    adminRole: t.param('ClusterAdminRoleArn', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$',
      ConstraintDescription: 'empty, or an IAM role ARN',
      Description:
        "Optional IAM role given cluster-admin access (besides whoever creates the stack), e.g. the team's SSO role when CI creates the stack.",
      label: 'Cluster admin role ARN',
    }),
    logRetention: t.param('ControlPlaneLogRetentionDays', {
      Type: 'Number',
      Default: 365,
      AllowedValues: LOG_RETENTION_DAYS,
      Description:
        'Days to keep the control-plane logs (api, audit, authenticator, controllerManager, scheduler): one group that holds the audit trail, so a year by default.',
      label: 'Log retention (days)',
      group: 'Logging',
    }),
  };
}

function nodeParams(t: Env): NodeParams {
  const group = 'Node group';
  const count = (name: string, Default: number, MinValue: number, Description: string, label: string) =>
    t.param(name, { Type: 'Number', Default, MinValue, MaxValue: 100, Description, label, group });
  return {
    instanceTypes: t.param('NodeInstanceTypes', {
      Type: 'CommaDelimitedList',
      Default: 't3.large',
      Description:
        "Instance types for the nodes, comma-separated (several types help Spot capacity). Must match the AMI type's architecture.",
      label: 'Instance types',
      group,
    }),
    amiType: t.param('NodeAmiType', {
      Type: 'String',
      Default: 'AL2023_x86_64_STANDARD',
      AllowedValues: ['AL2023_x86_64_STANDARD', 'AL2023_ARM_64_STANDARD'],
      Description: 'Node operating system image: Amazon Linux 2023 for x86_64, or for Graviton (ARM) instance types.',
      label: 'AMI type',
      group,
    }),
    capacityType: t.param('NodeCapacityType', {
      Type: 'String',
      Default: 'ON_DEMAND',
      AllowedValues: ['ON_DEMAND', 'SPOT'],
      Description: 'ON_DEMAND, or SPOT (cheaper, nodes may be reclaimed at short notice; for dev/test).',
      label: 'Capacity type',
      group,
    }),
    minSize: count('NodeMinSize', 2, 0, 'Fewest nodes in the group.', 'Minimum nodes'),
    maxSize: count('NodeMaxSize', 4, 1, 'Most nodes in the group.', 'Maximum nodes'),
    desired: count('NodeDesiredSize', 2, 0, 'Nodes to start with (between the minimum and maximum).', 'Desired nodes'),
    diskSize: t.param('NodeDiskSize', {
      Type: 'Number',
      Default: 20,
      MinValue: 20,
      MaxValue: 1000,
      Description: 'Root volume size of each node in GiB (images and container layers).',
      label: 'Node disk (GiB)',
      group,
    }),
  };
}

/**
 * The log group EKS writes control-plane logs to. EKS would create it on first use, unencrypted
 * and kept forever; created here first (the cluster depends on it), it has a key and a retention.
 */
function controlPlaneLogGroup(t: Env, p: Params): Handle {
  const key = kmsKey(t, 'LogsKey', {
    protectsKeptData: false,
    description: 'Encrypts the EKS control-plane logs',
    alias: sub('alias/${Prefix}${EnvironmentName}-eks-logs'),
    statements: [
      logsMayUseKey(
        'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/eks/${Prefix}${EnvironmentName}/cluster',
      ),
    ],
  });
  return logGroup(t, 'ControlPlaneLogGroup', {
    name: sub('/aws/eks/${Prefix}${EnvironmentName}/cluster'),
    retentionDays: p.logRetention,
    kmsKey: key,
  });
}

/** An access entry making `ClusterAdminRoleArn` a cluster admin (only when it is given). */
function adminAccess(t: Env, cluster: Handle, p: Params, condition: string): void {
  // Plain object: cloudform-types 7.5 has no AWS::EKS::AccessEntry.
  t.add(
    'ClusterAdminAccess',
    withCondition<CfnResource>(
      {
        Type: 'AWS::EKS::AccessEntry',
        Properties: {
          ClusterName: cluster.ref,
          PrincipalArn: p.adminRole,
          Type: 'STANDARD',
          AccessPolicies: [
            {
              PolicyArn: sub('arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'),
              AccessScope: { Type: 'cluster' },
            },
          ],
          Tags: t.tags(),
        },
      },
      condition,
    ),
  );
}

/** The node role, the nodes' launch template, and the managed node group in the private subnets. */
function nodeGroup(t: Env, cluster: Handle, p: Params): void {
  const role = t.add(
    'NodeRole',
    new IAM.Role({
      AssumeRolePolicyDocument: assumedBy('ec2.amazonaws.com'),
      ManagedPolicyArns: [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
        'AmazonSSMManagedInstanceCore',
      ].map(managedPolicy),
      Tags: t.tags(),
    }),
  );
  const template = t.add(
    'NodeLaunchTemplate',
    new EC2.LaunchTemplate({
      LaunchTemplateData: {
        // Hop limit 1: pods (in their own network namespace) cannot reach the node's metadata and
        // its role; they get AWS access through service-account roles (the OIDC provider below).
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: { VolumeType: 'gp3', VolumeSize: p.diskSize, Encrypted: true, DeleteOnTermination: true },
          },
        ],
        // The cluster group (node <-> control plane) plus the app group, which the data stores admit.
        SecurityGroupIds: [cluster.att('ClusterSecurityGroupId'), t.import(Network.AppSecurityGroupId)],
        TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({
          ResourceType,
          Tags: t.tags({ Name: t.scopedName('eks-node') }),
        })),
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: t.tags() }],
    }),
  );
  t.add(
    'NodeGroup',
    new EKS.Nodegroup({
      ClusterName: cluster.ref,
      NodeRole: role.att('Arn'),
      Subnets: t.import(Network.PrivateSubnetIds),
      InstanceTypes: p.instanceTypes,
      AmiType: p.amiType,
      CapacityType: p.capacityType,
      ScalingConfig: { MinSize: p.minSize, MaxSize: p.maxSize, DesiredSize: p.desired },
      UpdateConfig: { MaxUnavailable: 1 },
      LaunchTemplate: { Id: template.ref, Version: template.att('LatestVersionNumber') },
      Tags: t.tagMap(),
    }),
  );
}

/**
 * The IAM OIDC provider for the cluster's issuer (IRSA). No ThumbprintList: it is optional in
 * IAM's CreateOpenIDConnectProvider (IAM fetches the issuer's top intermediate CA thumbprint
 * itself), and IAM verifies the EKS issuer's JWKS endpoint with its library of trusted root CAs,
 * so a pinned thumbprint would only go stale when the certificate rotates. cfn-lint's schema does
 * not require it either. Plain object, because cloudform-types 7.5 still marks it required.
 */
function oidcProvider(t: Env, cluster: Handle): Handle {
  return t.add('OidcProvider', {
    Type: 'AWS::IAM::OIDCProvider',
    Properties: {
      Url: cluster.att('OpenIdConnectIssuerUrl'),
      ClientIdList: ['sts.amazonaws.com'],
      Tags: t.tags(),
    },
  });
}
