/**
 * 42.data-documentdb: an Amazon DocumentDB (MongoDB-compatible) cluster for one application
 * (Opta's aws-documentdb).
 *
 * Credentials as in 41: a generated secret attached to the cluster, so it holds username,
 * password, dbname, host and port. TLS is required through the cluster parameter group
 * (`tls=enabled`); clients need Amazon's CA bundle (docs/data-stores.md shows how on ECS).
 * Audit and profiler logs go to encrypted log groups with retention.
 */
import { DocDB, SecretsManager } from '../kit/resources';
import { DocumentDb, Network } from '../contracts';
import type { BuiltTemplate, Handle, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, keep, sub, withCondition, type IntrinsicFunction } from '../kit/cf';
import { checkovSkip, logsMayUseKey } from '../kit/security';
import {
  STORE_NAME,
  backupDaysParam,
  dataTemplate,
  deletionProtectionParam,
  engineLogGroups,
  generatedSecret,
  instanceCountConditions,
  logRetentionParam,
  auditLogRetentionParam,
  secretValue,
  storeKey,
  storeName,
  restoreFromParam,
  unlessRestoring,
  dataIdentity,
} from './common';

/** The master user: DocumentDB reserves admin, root and serviceadmin. */
export const DOCDB_MASTER_USER = 'docdbadmin';
const PORT = 27017;

interface DocDbParams {
  instanceClass: IntrinsicFunction;
  engineVersion: IntrinsicFunction;
  instances: IntrinsicFunction;
  databaseName: IntrinsicFunction;
}

function docDbParams(t: TemplateBuilder<'application'>): DocDbParams {
  return {
    // Default: db.t4g.medium, offered for the default engine version in every commercial region
    // ("Supported DB engines for DB instance classes" and the region tables of the DocumentDB guide);
    // db.r5, Opta's default family, is not offered in the newest regions. Production load: db.r7g.large.
    instanceClass: t.param('InstanceClass', {
      Type: 'String',
      Default: 'db.t4g.medium',
      AllowedPattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$',
      ConstraintDescription: 'a DocumentDB instance class such as db.t4g.medium, db.r6g.large or db.r7g.large',
      Description:
        "Instance class of the DocumentDB instances (Opta's instance_class). The default is offered in every region; db.r7g.large or larger for production load (check the region offers it).",
      label: 'Instance class',
    }),
    engineVersion: t.param('EngineVersion', {
      Type: 'String',
      Default: '5.0.0',
      AllowedValues: ['5.0.0', '8.0.0', '4.0.0'],
      Description:
        'DocumentDB engine version (MongoDB API compatibility). 5.0.0 is the long-term-support version; 8.0.0 is the newest. Engine patches are applied in the maintenance window.',
      label: 'Engine version',
    }),
    instances: t.param('Instances', {
      Type: 'String',
      Default: '2',
      AllowedValues: ['1', '2', '3'],
      Description:
        'Number of instances: the primary plus replicas in other availability zones. 2 or more allows failover; 1 costs half (dev/test).',
      label: 'Instances',
    }),
    databaseName: t.param('DatabaseName', {
      Type: 'String',
      Default: 'app',
      AllowedPattern: '^[a-zA-Z][a-zA-Z0-9_]{0,62}$',
      ConstraintDescription: '1 to 63 letters, digits or underscores, starting with a letter',
      Description:
        "Database name stored in the secret for linked services ({name}_db_name); DocumentDB creates it on first write. Fixed once the stack exists: it is part of the generated secret's template, and changing that template makes Secrets Manager generate a new password the cluster never gets.",
      label: 'Database name',
      fixedAfterCreation: true,
    }),
  };
}

function addInstances(t: TemplateBuilder<'application'>, cluster: Handle, p: DocDbParams): void {
  instanceCountConditions(t, p.instances).forEach((condition, i) => {
    // No DeletionPolicy: instances hold no data; the cluster volume is snapshotted.
    t.add(
      `Instance${i + 1}`,
      withCondition(
        new DocDB.DBInstance({
          DBClusterIdentifier: cluster.ref,
          DBInstanceClass: p.instanceClass,
          AutoMinorVersionUpgrade: true,
          EnablePerformanceInsights: true,
          Tags: t.tags({ Name: storeName(`-${i + 1}`) }),
        }),
        condition,
      ),
    );
  });
}

/** TLS required, audit and profiler logs on: the cluster's settings for the engine version's family. */
function clusterParameterGroup(t: TemplateBuilder<'application'>, engineVersion: IntrinsicFunction): Handle {
  return t.add(
    'ClusterParameterGroup',
    new DocDB.DBClusterParameterGroup({
      Description: sub(`TLS-only settings with audit and profiler logs for ${STORE_NAME}`),
      // The family is the major.minor of the version: docdb5.0 for 5.0.0.
      Family: Fn.Join('', [
        'docdb',
        Fn.Select(0, Fn.Split('.', engineVersion)),
        '.',
        Fn.Select(1, Fn.Split('.', engineVersion)),
      ]),
      Parameters: { tls: 'enabled', audit_logs: 'enabled', profiler: 'enabled' },
      Tags: t.tags(),
    }),
  );
}

/** What the cluster is built from: its key, secret, settings, log groups and backup parameters. */
interface ClusterInputs {
  key: Handle;
  secret: Handle;
  params: Handle;
  logs: Handle[];
  backupDays: IntrinsicFunction;
  deletionProtection: IntrinsicFunction;
  /** The condition "restoring from a snapshot", and the snapshot parameter's Ref. */
  restoring: string;
  snapshot: IntrinsicFunction;
}

/** The cluster, kept with a snapshot on delete and replacement, or restored from one. */
function addCluster(t: TemplateBuilder<'application'>, p: DocDbParams, r: ClusterInputs): Handle {
  return t.add(
    'Cluster',
    keep(
      new DocDB.DBCluster({
        // Fixed identifier: the log groups are named after it, and a replacing change fails
        // instead of swapping in a new, empty cluster.
        DBClusterIdentifier: storeName(),
        EngineVersion: p.engineVersion,
        Port: PORT,
        // Restoring, the master user and password and the encryption come from the snapshot; the
        // deployer then sets the new secret's password (src/deploy/restore.ts).
        SnapshotIdentifier: Fn.If(r.restoring, r.snapshot, Refs.NoValue),
        MasterUsername: unlessRestoring(r.restoring, secretValue(r.secret, 'username')),
        MasterUserPassword: unlessRestoring(r.restoring, secretValue(r.secret, 'password')),
        DBClusterParameterGroupName: r.params.ref,
        DBSubnetGroupName: t.import(Network.DbSubnetGroupName),
        VpcSecurityGroupIds: [t.import(Network.DatabaseSecurityGroupId)],
        StorageEncrypted: unlessRestoring(r.restoring, true),
        KmsKeyId: r.key.att('Arn'),
        BackupRetentionPeriod: r.backupDays,
        CopyTagsToSnapshot: true,
        DeletionProtection: r.deletionProtection,
        EnableCloudwatchLogsExports: ['audit', 'profiler'],
        Tags: t.tags({ Name: storeName() }),
      })
        .dependsOn(r.logs.map((l) => l.id))
        .metadata(
          checkovSkip([
            [
              'CKV_AWS_74',
              "StorageEncrypted is true except when restoring from a snapshot, where the cluster inherits the snapshot's encryption; every snapshot of this template is of an encrypted cluster.",
            ],
          ]),
        ),
      'Snapshot',
    ),
  );
}

/** Who 42 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const DocumentDbTemplate = dataIdentity('42.data-documentdb');

/** Builds 42.data-documentdb: parameters, key, secret, settings, logs, cluster, instances. */
export function buildDocumentDb(): BuiltTemplate {
  const t = dataTemplate({
    id: DocumentDbTemplate.id,
    description:
      'DocumentDB cluster for an application: encrypted with its own KMS key, TLS only, generated credentials in Secrets Manager, audit logs, backups, deletion protection',
    group: 'Database',
    noun: 'database',
  });
  const p = docDbParams(t);
  const backupDays = backupDaysParam(t, 'backups');
  const deletionProtection = deletionProtectionParam(t, 'cluster');
  const logRetention = logRetentionParam(t);
  const { restoring, snapshot } = restoreFromParam(t);

  const logPrefix = `/aws/docdb/${STORE_NAME}/`;
  const logsUseKey = logsMayUseKey(
    `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logPrefix}*`,
  );
  const key = storeKey(t, 'DocumentDB cluster', [logsUseKey], { serviceGrants: true });
  const secret = generatedSecret(t, key, {
    description: 'DocumentDB master credentials',
    template: sub(`{"username":"${DOCDB_MASTER_USER}","dbname":"\${DatabaseName}"}`),
    key: 'password',
    length: 32,
  });

  const params = clusterParameterGroup(t, p.engineVersion);
  const logs = [
    ...engineLogGroups(t, key, auditLogRetentionParam(t), { AuditLogGroup: `${logPrefix}audit` }),
    ...engineLogGroups(t, key, logRetention, { ProfilerLogGroup: `${logPrefix}profiler` }),
  ];

  const cluster = addCluster(t, p, { key, secret, params, logs, backupDays, deletionProtection, restoring, snapshot });
  addInstances(t, cluster, p);

  t.add(
    'SecretAttachment',
    new SecretsManager.SecretTargetAttachment({
      SecretId: secret.ref,
      TargetId: cluster.ref,
      TargetType: 'AWS::DocDB::DBCluster',
    }),
  );

  t.export(DocumentDb.SecretArn, secret.ref);
  t.export(DocumentDb.KeyArn, key.att('Arn'));
  t.export(DocumentDb.Endpoint, cluster.att('Endpoint'));
  t.export(DocumentDb.Port, cluster.att('Port'));
  t.export(DocumentDb.ClusterIdentifier, cluster.ref);
  t.output('ClusterIdentifier', 'The DocumentDB cluster identifier (console, CLI)', cluster.ref);
  return t.build();
}
