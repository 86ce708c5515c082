/**
 * The logic behind the destroy -> deploy round trip, without AWS (the round trip itself runs
 * against the emulator in test/e2e/lifecycle.test.ts): which kept resources a new stack adopts
 * and how the import template looks; how `restoreFrom` settles for a new and an existing stack.
 * The AWS clients are minimal stand-ins answering the one call each path makes.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClients } from '../../src/aws/clients';
import { findAdoptions, importTemplate } from '../../src/deploy/adopt';
import { clusterIdentifier, settleRestore } from '../../src/deploy/restore';
import { parseTemplate } from '../../src/deploy/template';
import { AdoptionBlockedError, type StackSpec } from '../../src/deploy/types';
import { buildEcrRepo } from '../../templates/ecrRepo';
import { buildPostgres } from '../../templates/data/postgres';
import { buildS3Bucket } from '../../templates/data/s3Bucket';
import { compactTemplate } from '../../templates/kit/cf';
import { clientWithSend } from '../helpers/sdk-double';

/** Clients whose ECR knows `repositories` (S3 likewise: names taken), and whose RDS holds `snapshots` (id, cluster, time). */
function standIn(
  repositories: string[],
  snapshots: { id: string; cluster: string; at: string }[] = [],
): AwsClients & { calls: string[] } {
  const calls: string[] = [];
  const send = async (command: { constructor: { name: string }; input: any }) => {
    calls.push(command.constructor.name);
    if (command.constructor.name === 'DescribeRepositoriesCommand') {
      const name = command.input.repositoryNames[0];
      if (!repositories.includes(name))
        throw Object.assign(new Error(`repository ${name} not found`), { name: 'RepositoryNotFoundException' });
      return { repositories: [{ repositoryName: name }] };
    }
    if (command.constructor.name === 'HeadBucketCommand') {
      if (!repositories.includes(command.input.Bucket))
        throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
      return {};
    }
    if (command.constructor.name === 'DescribeDBClusterSnapshotsCommand') {
      return {
        DBClusterSnapshots: snapshots
          .filter((s) => s.cluster === command.input.DBClusterIdentifier)
          .map((s) => ({
            DBClusterSnapshotIdentifier: s.id,
            DBClusterIdentifier: s.cluster,
            SnapshotCreateTime: new Date(s.at),
          })),
      };
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  };
  return { calls, ecr: { send }, rds: clientWithSend(RDSClient, send), s3: { send } } as unknown as AwsClients & {
    calls: string[];
  };
}

const ecrSpec = (repositoryName: string, body = compactTemplate(buildEcrRepo().template)): StackSpec => ({
  name: `ecr-${repositoryName}`,
  templateId: '21.project-ecr-image-repo',
  templateBody: body,
  parameters: { RepositoryName: repositoryName, ContactEmail: 'ops@example.com', CostCode: 'cc-1' },
  tags: {},
  dependsOn: [],
  capabilities: [],
});

describe('adopting a kept ECR repository', () => {
  test("a repository that exists under the stack's name is adopted; one that does not is created", async () => {
    expect(await findAdoptions(standIn(['acme-web']), ecrSpec('acme-web'))).toEqual([
      {
        logicalId: 'Repository',
        resourceType: 'AWS::ECR::Repository',
        identifier: { RepositoryName: 'acme-web' },
        physicalId: 'acme-web',
      },
    ]);
    expect(await findAdoptions(standIn(['other']), ecrSpec('acme-web'))).toEqual([]);
  });

  test('the import template holds only the adopted resource, with its DeletionPolicy, and no outputs', async () => {
    const spec = ecrSpec('acme-web');
    const doc = JSON.parse(importTemplate(spec.templateBody, await findAdoptions(standIn(['acme-web']), spec)));
    expect(Object.keys(doc.Resources)).toEqual(['Repository']);
    expect(doc.Resources.Repository.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(doc.Outputs).toBeUndefined();
    expect(doc.Parameters).toEqual(parseTemplate(spec.templateBody)!.Parameters);
  });

  test('a kept resource that cannot be imported on its own is named, with the way out, before anything is touched', async () => {
    const doc = JSON.parse(compactTemplate(buildEcrRepo().template));
    doc.Resources.Key = { Type: 'AWS::KMS::Key', Properties: {} };
    doc.Resources.Repository.Properties.EncryptionConfiguration = {
      EncryptionType: 'KMS',
      KmsKey: { 'Fn::GetAtt': ['Key', 'Arn'] },
    };
    const err = await findAdoptions(standIn(['acme-web']), ecrSpec('acme-web', JSON.stringify(doc))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AdoptionBlockedError);
    expect(err).toMatchObject({
      code: 'AdoptionBlocked',
      stackName: 'ecr-acme-web',
      physicalId: 'acme-web',
      refersTo: ['Key'],
    });
    expect((err as Error).message).toContain('nothing was changed');
  });
});

describe('a bucket name given in the params file', () => {
  const bucketSpec = (bucketName: string): StackSpec => ({
    name: 'x-dev-acme-files',
    templateId: '44.data-s3-bucket',
    templateBody: compactTemplate(buildS3Bucket().template),
    parameters: {
      Prefix: 'x-',
      EnvironmentName: 'dev',
      ApplicationName: 'acme',
      DataName: 'files',
      BucketName: bucketName,
    },
    tags: {},
    dependsOn: [],
    capabilities: [],
  });

  test('that is taken is named in the way before anything is touched (a bucket refers to its key and log bucket)', async () => {
    const err = await findAdoptions(standIn(['acme-files-kept']), bucketSpec('acme-files-kept')).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'AdoptionBlocked',
      resourceType: 'AWS::S3::Bucket',
      physicalId: 'acme-files-kept',
      refersTo: expect.arrayContaining(['Key', 'AccessLogBucket']),
    });
    expect((err as AdoptionBlockedError).hint).toContain('rename it in the params file');
  });

  test('that is free, or not given (a generated name), is simply created', async () => {
    expect(await findAdoptions(standIn([]), bucketSpec('acme-files-new'))).toEqual([]);
    const clients = standIn([]);
    expect(await findAdoptions(clients, bucketSpec(''))).toEqual([]);
    expect(clients.calls).toEqual([]);
  });
});

describe('restoreFrom', () => {
  const postgres = (restoreFrom?: string): StackSpec => ({
    name: 'x-dev-acme-main',
    templateId: '41.data-postgres',
    templateBody: compactTemplate(buildPostgres().template),
    parameters: {
      Prefix: 'x-',
      EnvironmentName: 'dev',
      ApplicationName: 'acme',
      DataName: 'main',
      ...(restoreFrom === undefined ? {} : { RestoreFrom: restoreFrom }),
    },
    tags: {},
    dependsOn: [],
    capabilities: [],
  });
  const snapshots = [
    { id: 'x-dev-acme-main-final-old', cluster: 'x-dev-acme-main', at: '2026-01-01T00:00:00Z' },
    { id: 'x-dev-acme-main-final-new', cluster: 'x-dev-acme-main', at: '2026-02-01T00:00:00Z' },
    { id: 'x-dev-acme-other-final-x', cluster: 'x-dev-acme-other', at: '2026-03-01T00:00:00Z' },
  ];

  test("the cluster identifier comes from the template's own DBClusterIdentifier", () => {
    const spec = postgres();
    expect(clusterIdentifier(spec, parseTemplate(spec.templateBody)!)).toBe('x-dev-acme-main');
  });

  test("latest, for a new stack, is the newest final snapshot of this store's cluster", async () => {
    const r = await settleRestore(standIn([], snapshots), postgres('latest'), undefined);
    expect(r.restoresFrom).toBe('x-dev-acme-main-final-new');
    expect(r.spec.parameters.RestoreFrom).toBe('x-dev-acme-main-final-new');
  });

  test('latest with no snapshot yet starts empty (the same file serves the first deploy)', async () => {
    const r = await settleRestore(standIn([], []), postgres('latest'), undefined);
    expect(r).toMatchObject({ noSnapshotOf: 'x-dev-acme-main', spec: { parameters: { RestoreFrom: '' } } });
    expect(r.restoresFrom).toBeUndefined();
  });

  test('an existing stack keeps the value it was created with, whatever the file says (no replacement)', async () => {
    const clients = standIn([], snapshots);
    const deployed = {
      StackStatus: 'UPDATE_COMPLETE',
      Parameters: [{ ParameterKey: 'RestoreFrom', ParameterValue: 'x-dev-acme-main-final-old' }],
    } as Stack;
    for (const asked of ['latest', '', 'something-else', undefined]) {
      const r = await settleRestore(clients, postgres(asked), deployed);
      expect({ asked, value: r.spec.parameters.RestoreFrom, restores: r.restoresFrom }).toEqual({
        asked,
        value: 'x-dev-acme-main-final-old',
        restores: undefined,
      });
    }
    expect(clients.calls).toEqual([]);
  });

  test('a template without RestoreFrom passes through untouched', async () => {
    const spec = ecrSpec('acme-web');
    expect(await settleRestore(standIn([]), spec, undefined)).toEqual({ spec });
  });
});
