/** 42.data-documentdb: encryption, TLS, audit logs, network placement, credentials, backups, protection. */
import { buildDocumentDb } from '../../templates/data/documentdb';
import { json, ofType, resource } from '../helpers/templates';

const built = buildDocumentDb();
const t = json(built);
const cluster = resource(t, 'Cluster').Properties;

test('an instance class offered in every region; a supported engine version', () => {
  expect(t.Parameters.InstanceClass.Default).toBe('db.t4g.medium');
  expect(t.Parameters.EngineVersion).toMatchObject({
    Default: '5.0.0',
    AllowedValues: expect.arrayContaining(['5.0.0', '8.0.0']),
  });
  expect(ofType(t, 'AWS::DocDB::DBInstance').map(([, i]) => i.Properties.DBInstanceClass)).toEqual([
    { Ref: 'InstanceClass' },
    { Ref: 'InstanceClass' },
    { Ref: 'InstanceClass' },
  ]);
});

test('encrypted at rest with the store key', () => {
  // Encrypted unless restoring, when the encryption comes from the (encrypted) snapshot.
  expect(cluster.StorageEncrypted).toEqual({ 'Fn::If': ['Restoring', { Ref: 'AWS::NoValue' }, true] });
  expect(cluster.KmsKeyId).toEqual({ 'Fn::GetAtt': ['Key', 'Arn'] });
});

test("TLS required, audit and profiler logs on, through the cluster parameter group of the version's family", () => {
  const group = resource(t, 'ClusterParameterGroup').Properties;
  expect(cluster.DBClusterParameterGroupName).toEqual({ Ref: 'ClusterParameterGroup' });
  expect(group.Parameters).toEqual({ tls: 'enabled', audit_logs: 'enabled', profiler: 'enabled' });
  const split = { 'Fn::Split': ['.', { Ref: 'EngineVersion' }] };
  expect(group.Family).toEqual({
    'Fn::Join': ['', ['docdb', { 'Fn::Select': [0, split] }, '.', { 'Fn::Select': [1, split] }]],
  });
  expect(cluster.EnableCloudwatchLogsExports).toEqual(['audit', 'profiler']);
  expect(resource(t, 'Cluster').DependsOn).toEqual(['AuditLogGroup', 'ProfilerLogGroup']);
});

test('only the data subnets and the database security group, on 27017', () => {
  expect(cluster.DBSubnetGroupName).toEqual({
    'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-DbSubnetGroupName' },
  });
  expect(cluster.VpcSecurityGroupIds).toEqual([
    { 'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-DatabaseSecurityGroupId' } },
  ]);
  expect(cluster.Port).toBe(27017);
});

test('credentials generated and attached to the DocumentDB cluster', () => {
  expect(resource(t, 'Secret').Properties.GenerateSecretString.SecretStringTemplate).toEqual({
    'Fn::Sub': '{"username":"docdbadmin","dbname":"${DatabaseName}"}',
  });
  expect(resource(t, 'SecretAttachment').Properties).toEqual({
    SecretId: { Ref: 'Secret' },
    TargetId: { Ref: 'Cluster' },
    TargetType: 'AWS::DocDB::DBCluster',
  });
});

test('backups at least 5 days, deletion protection, snapshot on delete and replacement', () => {
  expect(cluster.BackupRetentionPeriod).toEqual({ Ref: 'BackupRetentionDays' });
  expect(t.Parameters.BackupRetentionDays.MinValue).toBeGreaterThanOrEqual(5);
  expect(cluster.DeletionProtection).toEqual({ Ref: 'DeletionProtection' });
  expect(t.Parameters.DeletionProtection.Default).toBe('true');
  expect([resource(t, 'Cluster').DeletionPolicy, resource(t, 'Cluster').UpdateReplacePolicy]).toEqual([
    'Snapshot',
    'Snapshot',
  ]);
});
