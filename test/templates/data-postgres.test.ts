/** 41.data-postgres: encryption, TLS, network placement, credentials, backups and protection. */
import { buildPostgres } from '../../templates/data/postgres';
import { json, ofType, resource } from '../helpers/templates';

const built = buildPostgres();
const t = json(built);
const cluster = resource(t, 'Cluster').Properties;

test('Aurora PostgreSQL, engine version and instance class are parameters with current defaults', () => {
  expect(cluster.Engine).toBe('aurora-postgresql');
  expect(cluster.EngineVersion).toEqual({ Ref: 'EngineVersion' });
  expect(t.Parameters.InstanceClass.Default).toBe('db.t4g.medium');
  const version = t.Parameters.EngineVersion;
  expect(version.Default).toBe('17');
  const pattern = new RegExp(version.AllowedPattern);
  expect(['17', '17.6', '16.10', '15.14'].filter((v) => pattern.test(v))).toHaveLength(4);
  expect(['11.9', '9.6', '17.', 'latest'].filter((v) => pattern.test(v))).toEqual([]);
});

test('encrypted at rest with the store key (cluster storage and Performance Insights)', () => {
  // Encrypted unless restoring, when the encryption comes from the (encrypted) snapshot.
  expect(cluster.StorageEncrypted).toEqual({ 'Fn::If': ['Restoring', { Ref: 'AWS::NoValue' }, true] });
  expect(cluster.KmsKeyId).toEqual({ 'Fn::GetAtt': ['Key', 'Arn'] });
  for (const [, i] of ofType(t, 'AWS::RDS::DBInstance')) {
    expect(i.Properties.PerformanceInsightsKMSKeyId).toEqual({ 'Fn::GetAtt': ['Key', 'Arn'] });
  }
});

test('TLS only: rds.force_ssl=1 in the cluster parameter group of the same major version', () => {
  const group = resource(t, 'ClusterParameterGroup').Properties;
  expect(cluster.DBClusterParameterGroupName).toEqual({ Ref: 'ClusterParameterGroup' });
  expect(group.Parameters).toEqual({ 'rds.force_ssl': '1' });
  expect(group.Family).toEqual({
    'Fn::Join': ['', ['aurora-postgresql', { 'Fn::Select': [0, { 'Fn::Split': ['.', { Ref: 'EngineVersion' }] }] }]],
  });
});

test('only the data subnets and the database security group; never public', () => {
  expect(cluster.DBSubnetGroupName).toEqual({
    'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-DbSubnetGroupName' },
  });
  expect(cluster.VpcSecurityGroupIds).toEqual([
    { 'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-DatabaseSecurityGroupId' } },
  ]);
  expect(cluster.Port).toBe(5432);
  for (const [, i] of ofType(t, 'AWS::RDS::DBInstance')) expect(i.Properties.PubliclyAccessible).toBe(false);
});

test('credentials: generated secret with username and dbname, attached to the cluster so host and port join it', () => {
  const secret = resource(t, 'Secret').Properties.GenerateSecretString;
  expect(secret.SecretStringTemplate).toEqual({ 'Fn::Sub': '{"username":"postgres","dbname":"${DatabaseName}"}' });
  expect(secret.GenerateStringKey).toBe('password');
  expect(resource(t, 'SecretAttachment').Properties).toEqual({
    SecretId: { Ref: 'Secret' },
    TargetId: { Ref: 'Cluster' },
    TargetType: 'AWS::RDS::DBCluster',
  });
  expect(cluster.ManageMasterUserPassword).toBeUndefined();
});

test('backups: at least 5 days; deletion protection on by default; snapshot on delete and replacement', () => {
  expect(cluster.BackupRetentionPeriod).toEqual({ Ref: 'BackupRetentionDays' });
  expect(t.Parameters.BackupRetentionDays.MinValue).toBeGreaterThanOrEqual(5);
  expect(t.Parameters.BackupRetentionDays.Default).toBeGreaterThanOrEqual(5);
  expect(cluster.DeletionProtection).toEqual({ Ref: 'DeletionProtection' });
  expect(t.Parameters.DeletionProtection.Default).toBe('true');
  expect([resource(t, 'Cluster').DeletionPolicy, resource(t, 'Cluster').UpdateReplacePolicy]).toEqual([
    'Snapshot',
    'Snapshot',
  ]);
});

test('one to three instances: the first always, the others by the Instances parameter', () => {
  expect(resource(t, 'Instance1').Condition).toBeUndefined();
  expect(resource(t, 'Instance2').Condition).toBe('TwoOrMoreInstances');
  expect(resource(t, 'Instance3').Condition).toBe('ThreeInstances');
  expect(t.Parameters.Instances.Default).toBe('2');
  for (const [, i] of ofType(t, 'AWS::RDS::DBInstance'))
    expect(i.Properties.DBClusterIdentifier).toEqual({ Ref: 'Cluster' });
});

test('the exported PostgreSQL log goes to the pre-created, encrypted log group named after the cluster', () => {
  expect(cluster.EnableCloudwatchLogsExports).toEqual(['postgresql']);
  expect(resource(t, 'PostgresqlLogGroup').Properties.LogGroupName).toEqual({
    'Fn::Sub': '/aws/rds/cluster/${Prefix}${EnvironmentName}-${ApplicationName}-${DataName}/postgresql',
  });
  expect(cluster.DBClusterIdentifier).toEqual({
    'Fn::Sub': '${Prefix}${EnvironmentName}-${ApplicationName}-${DataName}',
  });
  expect(resource(t, 'Cluster').DependsOn).toBe('PostgresqlLogGroup');
});

test('imports only the network it needs', () => {
  expect(built.imports.map((i) => i.contract.key).sort()).toEqual(['DatabaseSecurityGroupId', 'DbSubnetGroupName']);
});
