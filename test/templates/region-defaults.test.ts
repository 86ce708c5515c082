/**
 * Issue 17, rows 2 and 11: defaults that work on real AWS. A service's root file system is
 * writable by default (common images write outside /tmp at start), read-only stays an option with
 * /tmp writable; data-store defaults are node types and instance classes offered in every
 * commercial region; logs AWS delivers through CloudWatch Logs' resource policy live under
 * /aws/vendedlogs/.
 */
import { buildEcsService } from '../../templates/ecsService';
import { buildExtraService } from '../../templates/extraService';
import { buildDocumentDb } from '../../templates/data/documentdb';
import { buildPostgres } from '../../templates/data/postgres';
import { buildRedis } from '../../templates/data/redis';
import { stopHint } from '../../src/deploy/watchdog';
import { brokenRules } from '../helpers/rules';
import { json, ofType, resource, type JsonTemplate } from '../helpers/templates';

const container = (t: JsonTemplate) => resource(t, 'TaskDefinition').Properties.ContainerDefinitions[0];

describe.each([
  ['32.app-ecs-service', json(buildEcsService())],
  ['91.extra-service', json(buildExtraService())],
])('%s: the root file system', (_id, t) => {
  test('is writable by default, and the container follows the parameter', () => {
    expect(t.Parameters.ReadonlyRootFilesystem).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    expect(container(t).ReadonlyRootFilesystem).toEqual({ Ref: 'ReadonlyRootFilesystem' });
  });

  test('read-only keeps /tmp writable (an empty task volume), and ECS Exec works with the default', () => {
    expect(container(t).MountPoints).toEqual([{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }]);
    expect(resource(t, 'TaskDefinition').Properties.Volumes).toEqual([{ Name: 'tmp' }]);
    expect(brokenRules(t, { RepositoryName: 'acme-web', EnableExecuteCommand: 'true' })).toEqual([]);
    expect(
      brokenRules(t, { RepositoryName: 'acme-web', EnableExecuteCommand: 'true', ReadonlyRootFilesystem: 'true' }),
    ).toHaveLength(1);
  });
});

test('a task that stops on a read-only root is explained with the setting that fixes it', () => {
  expect(stopHint('exit 1: mkdir /var/cache/nginx: read-only file system')).toMatch(/readonlyRootFilesystem: false/);
});

/**
 * What the newest commercial regions offer (Asia Pacific (Thailand), Mexico (Central)): ElastiCache
 * lists m7g/r7g (large and up) and t3/t4g (micro to medium) there, "Supported node types".
 */
const NEWEST_REGION_CACHE_TYPES = /^cache\.((m7g|r7g)\.(large|\d*xlarge)|(t3|t4g)\.(micro|small|medium))$/;

describe('data-store defaults are offered in every commercial region', () => {
  test('Redis: the default node type is one the newest regions offer (not cache.m4.large)', () => {
    const t = json(buildRedis());
    expect(t.Parameters.NodeType.Default).toMatch(NEWEST_REGION_CACHE_TYPES);
    expect(resource(t, 'ReplicationGroup').Properties.CacheNodeType).toEqual({ Ref: 'NodeType' });
  });

  test.each([
    ['Aurora PostgreSQL', json(buildPostgres()), 'AWS::RDS::DBInstance'],
    ['DocumentDB', json(buildDocumentDb()), 'AWS::DocDB::DBInstance'],
  ])('%s: a current-generation Graviton class, not the db.r5 family', (_name, t, type) => {
    expect(t.Parameters.InstanceClass.Default).toBe('db.t4g.medium');
    for (const [, instance] of ofType(t, type))
      expect(instance.Properties.DBInstanceClass).toEqual({ Ref: 'InstanceClass' });
  });
});

test('Redis slow log: a log group under /aws/vendedlogs/, and the key lets CloudWatch Logs use it there', () => {
  const t = json(buildRedis());
  const name = JSON.stringify(resource(t, 'SlowLogGroup').Properties.LogGroupName);
  expect(name).toContain('/aws/vendedlogs/cfn-stages/');
  const keyPolicy = JSON.stringify(resource(t, 'Key').Properties.KeyPolicy);
  expect(keyPolicy).toContain('log-group:/aws/vendedlogs/cfn-stages/');
});
