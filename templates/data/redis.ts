/**
 * 43.data-redis: an ElastiCache for Redis replication group for one application (Opta's
 * aws-redis): a primary and at least one failover replica in another availability zone,
 * multi-AZ with automatic failover, encrypted at rest with its own key and in transit with TLS,
 * and protected by an AUTH token that Secrets Manager generates and the template passes on only
 * as a dynamic reference (the token never appears in the template or its parameters).
 *
 * Restorable: `RestoreFrom` (a params file's `restoreFrom`) creates the replication group from an
 * ElastiCache snapshot, such as the final one a destroy left (DeletionPolicy Snapshot). The AUTH
 * token is not part of a snapshot's data, so a restored cache takes the new stack's token.
 */
import { ElastiCache } from '../kit/resources';
import { Network, Redis } from '../contracts';
import type { BuiltTemplate, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, keep, sub, type IntrinsicFunction } from '../kit/cf';
import { logGroup, logsMayUseKey } from '../kit/security';
import {
  CACHE_SNAPSHOT,
  STORE_NAME,
  backupDaysParam,
  dataTemplate,
  generatedSecret,
  logRetentionParam,
  restoreFromParam,
  secretValue,
  storeKey,
  dataIdentity,
} from './common';

const PORT = 6379;

interface RedisParams {
  nodeType: IntrinsicFunction;
  engineVersion: IntrinsicFunction;
  nodes: IntrinsicFunction;
}

function redisParams(t: TemplateBuilder<'application'>): RedisParams {
  return {
    // Default: a node type offered in every commercial region. Node types differ by region, and
    // the newest regions (Asia Pacific (Thailand), Mexico (Central)) offer only m7g/r7g and
    // t3/t4g micro to medium ("Supported node types", ElastiCache user guide); cache.m4.large,
    // Opta's default, is not offered there. Production load: cache.m7g.large or cache.r7g.large.
    nodeType: t.param('NodeType', {
      Type: 'String',
      Default: 'cache.t4g.medium',
      AllowedPattern: '^cache\\.[a-z0-9]+\\.[a-z0-9]+$',
      ConstraintDescription: 'an ElastiCache node type such as cache.t4g.medium, cache.m7g.large or cache.r7g.large',
      Description:
        "Node type of the primary and replicas (Opta's node_type). The default is offered in every region; cache.m7g.large or cache.r7g.large for production load (check the region offers it).",
      label: 'Node type',
    }),
    engineVersion: t.param('EngineVersion', {
      Type: 'String',
      Default: '7.1',
      AllowedValues: ['7.1', '7.0', '6.2'],
      Description: 'Redis OSS engine version; minor updates are applied automatically in the maintenance window.',
      label: 'Engine version',
    }),
    nodes: t.param('Nodes', {
      Type: 'Number',
      Default: 2,
      MinValue: 2,
      MaxValue: 6,
      ConstraintDescription: 'between 2 and 6 nodes',
      Description:
        'Nodes in the replication group: the primary plus replicas, spread over the availability zones. At least 2, so there is always a replica to fail over to.',
      label: 'Nodes (primary + replicas)',
    }),
  };
}

/** Who 43 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const RedisTemplate = dataIdentity('43.data-redis');

export function buildRedis(): BuiltTemplate {
  const t = dataTemplate({
    id: RedisTemplate.id,
    description:
      'ElastiCache Redis replication group for an application: a failover replica across AZs, encrypted at rest with its own KMS key and in transit with TLS, AUTH token in Secrets Manager, snapshots',
    group: 'Cache',
    noun: 'cache',
  });
  const p = redisParams(t);
  const snapshotDays = backupDaysParam(t, 'daily snapshots');
  const logRetention = logRetentionParam(t);
  const { restoring, snapshot } = restoreFromParam(t, CACHE_SNAPSHOT);

  // Under /aws/vendedlogs/: ElastiCache delivers the slow log through CloudWatch Logs' resource
  // policy, and groups under this prefix share one policy statement instead of growing the
  // account-wide policy (5,120 characters) with every cache.
  const logName = `/aws/vendedlogs/cfn-stages/${STORE_NAME}/redis-slow-log`;
  const key = storeKey(
    t,
    'Redis cache',
    [logsMayUseKey(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logName}`)],
    { serviceGrants: true },
  );
  // ElastiCache AUTH tokens are 16 to 128 printable characters without @, " or /: letters and digits are safe.
  const secret = generatedSecret(t, key, {
    description: 'Redis AUTH token',
    template: '{}',
    key: 'authToken',
    length: 64,
  });
  const slowLog = logGroup(t, 'SlowLogGroup', { name: sub(logName), retentionDays: logRetention, kmsKey: key });

  // No ReplicationGroupId: it is limited to 40 characters, shorter than a store's full name;
  // CloudFormation generates one from the stack name, and the Name tag carries the full name.
  // The description names the store: its snapshots carry it, which is how `restoreFrom: latest`
  // finds this store's final snapshot although every creation gets another generated id.
  const group = t.add(
    'ReplicationGroup',
    keep(
      new ElastiCache.ReplicationGroup({
        ReplicationGroupDescription: sub(`Redis cache ${STORE_NAME}`),
        // Restoring, the data comes from the snapshot; the settings below (the new AUTH token
        // included) apply as for a new cache.
        SnapshotName: Fn.If(restoring, snapshot, Refs.NoValue),
        Engine: 'redis',
        EngineVersion: p.engineVersion,
        CacheNodeType: p.nodeType,
        NumCacheClusters: p.nodes,
        AutomaticFailoverEnabled: true,
        MultiAZEnabled: true,
        Port: PORT,
        CacheSubnetGroupName: t.import(Network.CacheSubnetGroupName),
        SecurityGroupIds: [t.import(Network.CacheSecurityGroupId)],
        AtRestEncryptionEnabled: true,
        KmsKeyId: key.att('Arn'),
        TransitEncryptionEnabled: true,
        AuthToken: secretValue(secret, 'authToken'),
        SnapshotRetentionLimit: snapshotDays,
        AutoMinorVersionUpgrade: true,
        LogDeliveryConfigurations: [
          {
            DestinationType: 'cloudwatch-logs',
            DestinationDetails: { CloudWatchLogsDetails: { LogGroup: slowLog.ref } },
            LogFormat: 'json',
            LogType: 'slow-log',
          },
        ],
        Tags: t.tags({ Name: sub(STORE_NAME) }),
      }),
      'Snapshot',
    ),
  );

  t.export(Redis.SecretArn, secret.ref);
  t.export(Redis.KeyArn, key.att('Arn'));
  t.export(Redis.Endpoint, group.att('PrimaryEndPoint.Address'));
  t.export(Redis.ReaderEndpoint, group.att('ReaderEndPoint.Address'));
  t.export(Redis.Port, group.att('PrimaryEndPoint.Port'));
  t.export(Redis.ReplicationGroupId, group.ref);
  t.output('ReplicationGroupId', 'The ElastiCache replication group id (console, CLI)', group.ref);
  return t.build();
}
