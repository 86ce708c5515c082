/** 14.env-eks-cluster: private by default, encrypted secrets, full control-plane logs, private nodes. */
import { EksCluster } from '../../templates/contracts';
import { buildEksCluster, CONTROL_PLANE_LOG_TYPES, DEFAULT_KUBERNETES_VERSION } from '../../templates/eksCluster';
import { json, resource } from '../helpers/templates';

const built = buildEksCluster();
const t = json(built);
const cluster = resource(t, 'Cluster');
const privateSubnets = {
  'Fn::Split': [',', { 'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-PrivateSubnetIds' } }],
};
const managed = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` });

describe('endpoint', () => {
  const vpc = cluster.Properties.ResourcesVpcConfig;

  test('private by default; public only with EndpointAccess=public-and-private', () => {
    expect(t.Parameters.EndpointAccess.Default).toBe('private');
    expect(vpc.EndpointPrivateAccess).toBe(true);
    expect(vpc.EndpointPublicAccess).toEqual({ 'Fn::If': ['PublicEndpoint', true, false] });
    expect(t.Conditions!.PublicEndpoint).toEqual({ 'Fn::Equals': [{ Ref: 'EndpointAccess' }, 'public-and-private'] });
  });

  test('a public endpoint is limited to the given CIDRs, which must not be empty', () => {
    expect(vpc.PublicAccessCidrs).toEqual({
      'Fn::If': ['PublicEndpoint', { 'Fn::Split': [',', { Ref: 'PublicAccessCidrs' }] }, { Ref: 'AWS::NoValue' }],
    });
    const rule = (t as any).Rules.PublicEndpointNeedsCidrs;
    expect(rule.Assertions[0].Assert).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PublicAccessCidrs' }, ''] }] });
    const pattern = new RegExp(t.Parameters.PublicAccessCidrs.AllowedPattern);
    expect(['', '203.0.113.0/24', '203.0.113.0/24,198.51.100.7/32'].every((v) => pattern.test(v))).toBe(true);
    expect(['203.0.113.0', 'anywhere', '10.0.0.0/8,'].some((v) => pattern.test(v))).toBe(false);
  });

  test('the control plane sits in the private subnets', () => {
    expect(vpc.SubnetIds).toEqual(privateSubnets);
  });
});

test("Kubernetes secrets are encrypted with the stack's own KMS key, which the cluster role may use", () => {
  expect(cluster.Properties.EncryptionConfig).toEqual([
    { Resources: ['secrets'], Provider: { KeyArn: { 'Fn::GetAtt': ['SecretsKey', 'Arn'] } } },
  ]);
  expect(resource(t, 'SecretsKey').Properties.EnableKeyRotation).toBe(true);
  const statements = resource(t, 'ClusterRole').Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
  expect(statements.flatMap((s: any) => s.Action)).toEqual(
    expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant']),
  );
  for (const s of statements) expect(s.Resource).toEqual({ 'Fn::GetAtt': ['SecretsKey', 'Arn'] });
});

test('all five control-plane log types, into a pre-created, encrypted log group with retention', () => {
  expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
  expect(cluster.Properties.Logging.ClusterLogging.EnabledTypes).toEqual(
    ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((Type) => ({ Type })),
  );
  // EKS writes to /aws/eks/<cluster name>/cluster: the names must agree, and the group must exist first.
  expect(cluster.Properties.Name).toEqual({ 'Fn::Sub': '${Prefix}${EnvironmentName}' });
  const logs = resource(t, 'ControlPlaneLogGroup').Properties;
  expect(logs.LogGroupName).toEqual({ 'Fn::Sub': '/aws/eks/${Prefix}${EnvironmentName}/cluster' });
  expect(logs.KmsKeyId).toEqual({ 'Fn::GetAtt': ['LogsKey', 'Arn'] });
  expect(logs.RetentionInDays).toEqual({ Ref: 'ControlPlaneLogRetentionDays' });
  expect(cluster.DependsOn).toBe('ControlPlaneLogGroup');
});

describe('node group', () => {
  const group = resource(t, 'NodeGroup').Properties;
  const data = resource(t, 'NodeLaunchTemplate').Properties.LaunchTemplateData;

  test('runs in the private subnets, sized by parameters, without SSH', () => {
    expect(group.Subnets).toEqual(privateSubnets);
    expect(group.ScalingConfig).toEqual({
      MinSize: { Ref: 'NodeMinSize' },
      MaxSize: { Ref: 'NodeMaxSize' },
      DesiredSize: { Ref: 'NodeDesiredSize' },
    });
    expect(group.InstanceTypes).toEqual({ Ref: 'NodeInstanceTypes' });
    expect(group.RemoteAccess).toBeUndefined();
    expect(group.DiskSize).toBeUndefined(); // not allowed beside a launch template
  });

  test('launch template: IMDSv2 only, encrypted disk, cluster + app security groups', () => {
    expect(group.LaunchTemplate.Id).toEqual({ Ref: 'NodeLaunchTemplate' });
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    expect(data.BlockDeviceMappings).toEqual([
      expect.objectContaining({
        Ebs: expect.objectContaining({ Encrypted: true, VolumeSize: { Ref: 'NodeDiskSize' } }),
      }),
    ]);
    expect(data.SecurityGroupIds[0]).toEqual({ 'Fn::GetAtt': ['Cluster', 'ClusterSecurityGroupId'] });
    expect(data.ImageId).toBeUndefined(); // the EKS-managed AMI for NodeAmiType
  });
});

test('cluster and node roles carry the EKS managed policies', () => {
  expect(resource(t, 'ClusterRole').Properties.ManagedPolicyArns).toEqual([managed('AmazonEKSClusterPolicy')]);
  expect(resource(t, 'ClusterRole').Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
    Service: ['eks.amazonaws.com'],
  });
  expect(resource(t, 'NodeRole').Properties.ManagedPolicyArns).toEqual(
    expect.arrayContaining(
      ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'].map(managed),
    ),
  );
  expect(resource(t, 'NodeGroup').Properties.NodeRole).toEqual({ 'Fn::GetAtt': ['NodeRole', 'Arn'] });
});

test("the OIDC provider trusts the cluster's issuer for STS, without a pinned thumbprint", () => {
  const oidc = resource(t, 'OidcProvider').Properties;
  expect(oidc.Url).toEqual({ 'Fn::GetAtt': ['Cluster', 'OpenIdConnectIssuerUrl'] });
  expect(oidc.ClientIdList).toEqual(['sts.amazonaws.com']);
  expect(oidc.ThumbprintList).toBeUndefined();
});

test('access: entries (API mode); an extra admin role only when given', () => {
  expect(cluster.Properties.AccessConfig).toEqual({
    AuthenticationMode: 'API',
    BootstrapClusterCreatorAdminPermissions: true,
  });
  expect(resource(t, 'ClusterAdminAccess').Condition).toBe('HasClusterAdminRole');
  expect(t.Parameters.ClusterAdminRoleArn.Default).toBe('');
});

test('Kubernetes version is a parameter with a current default', () => {
  expect(t.Parameters.KubernetesVersion.Default).toBe(DEFAULT_KUBERNETES_VERSION);
  expect(Number(DEFAULT_KUBERNETES_VERSION.split('.')[1])).toBeGreaterThanOrEqual(35);
  expect(cluster.Properties.Version).toEqual({ Ref: 'KubernetesVersion' });
});

test('exports the cluster name, ARN and OIDC provider ARN', () => {
  expect(built.exports).toEqual([EksCluster.ClusterName, EksCluster.ClusterArn, EksCluster.OidcProviderArn]);
  expect(t.Outputs!.EksOidcProviderArn.Value).toEqual({ 'Fn::GetAtt': ['OidcProvider', 'Arn'] });
});
