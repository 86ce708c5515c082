/** 43.data-redis: failover across AZs, encryption at rest and in transit, AUTH token, snapshots. */
import { buildRedis } from '../../templates/data/redis';
import { json, resource } from '../helpers/templates';

const built = buildRedis();
const t = json(built);
const group = resource(t, 'ReplicationGroup');
const p = group.Properties;

test('a primary and at least one failover replica, multi-AZ with automatic failover', () => {
  expect(p.NumCacheClusters).toEqual({ Ref: 'Nodes' });
  expect(t.Parameters.Nodes).toMatchObject({ Default: 2, MinValue: 2 });
  expect(p.AutomaticFailoverEnabled).toBe(true);
  expect(p.MultiAZEnabled).toBe(true);
  expect(t.Parameters.NodeType.Default).toBe('cache.t4g.medium');
});

test('encrypted at rest with the store key and in transit with TLS', () => {
  expect(p.AtRestEncryptionEnabled).toBe(true);
  expect(p.KmsKeyId).toEqual({ 'Fn::GetAtt': ['Key', 'Arn'] });
  expect(p.TransitEncryptionEnabled).toBe(true);
});

test('the AUTH token is generated in Secrets Manager and reaches ElastiCache only as a dynamic reference', () => {
  expect(resource(t, 'Secret').Properties.GenerateSecretString).toMatchObject({
    GenerateStringKey: 'authToken',
    ExcludePunctuation: true,
  });
  expect(p.AuthToken).toEqual({ 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:authToken}}' });
});

test('only the data subnets and the cache security group', () => {
  expect(p.CacheSubnetGroupName).toEqual({
    'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-CacheSubnetGroupName' },
  });
  expect(p.SecurityGroupIds).toEqual([
    { 'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-CacheSecurityGroupId' } },
  ]);
  expect(p.Port).toBe(6379);
});

test('daily snapshots kept at least 5 days; a final snapshot on delete and on replacement', () => {
  expect(p.SnapshotRetentionLimit).toEqual({ Ref: 'BackupRetentionDays' });
  expect(t.Parameters.BackupRetentionDays.MinValue).toBeGreaterThanOrEqual(5);
  expect([group.DeletionPolicy, group.UpdateReplacePolicy]).toEqual(['Snapshot', 'Snapshot']);
});

test('slow log to an encrypted log group', () => {
  expect(p.LogDeliveryConfigurations).toEqual([
    expect.objectContaining({
      LogType: 'slow-log',
      DestinationDetails: { CloudWatchLogsDetails: { LogGroup: { Ref: 'SlowLogGroup' } } },
    }),
  ]);
});
