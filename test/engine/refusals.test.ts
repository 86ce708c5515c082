/**
 * Changes refused before anything runs, and exports in use (issue 17, rows 3, 4 and 5), against
 * the fake CloudFormation: a custom-named resource replaced under its own name, a parameter fixed
 * after creation (a database name inside generated credentials), and the exports an update would
 * change or remove with their importers. The end-to-end view is test/e2e/exports.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AwsClients } from '../../src/aws/clients';
import { describeStack } from '../../src/deploy/cloudformation';
import { detachedTemplate, exportChanges, keepingExports } from '../../src/deploy/exports';
import { refusalOf } from '../../src/deploy/refusals';
import { deployStack, planStack } from '../../src/deploy/stack';
import { CustomNameReplacementError, FixedSettingError, type ChangeSummary } from '../../src/deploy/types';
import { parseTemplate } from '../../src/deploy/template';
import { FakeCloudFormation } from './fake-cloudformation';
import { FAST, fakeClients, spec } from './helpers';

let fake: FakeCloudFormation;
let clients: AwsClients;

beforeEach(() => {
  fake = new FakeCloudFormation();
  clients = fakeClients(fake);
});

afterEach(() => clients.destroy());

const PUBLISHED = path.resolve(__dirname, '..', '..', 'published', '0.1.0');

describe('a custom-named resource replaced under its own name', () => {
  const queue = (props: Record<string, unknown>) =>
    spec('x-dev-jobs', { resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: props } } });

  it('deploy refuses it after reading the change set, deletes the change set, and changes nothing', async () => {
    await deployStack(clients, queue({ QueueName: 'jobs' }), { poll: FAST });
    const executed = fake.callsOf('ExecuteChangeSet').length;

    const err = await deployStack(clients, queue({ QueueName: 'jobs', FifoQueue: true }), { poll: FAST }).catch(
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(CustomNameReplacementError);
    expect(err).toMatchObject({ code: 'CustomNameReplacement', stackName: 'x-dev-jobs' });
    expect((err as Error).message).toMatch(/Queue \(\S*jobs\S*\) AWS::SQS::Queue because of FifoQueue/);
    expect((err as CustomNameReplacementError).hint).toMatch(/^nothing was changed\. Undo the change to FifoQueue/);
    expect(fake.callsOf('ExecuteChangeSet')).toHaveLength(executed);
    expect(fake.stack('x-dev-jobs')?.changeSets.size).toBe(0);
  });

  it('plan marks the line; a queue replaced under a new name is refused for its messages, not by CloudFormation', async () => {
    await deployStack(clients, queue({ QueueName: 'jobs' }), { poll: FAST });

    const refused = await planStack(clients, queue({ QueueName: 'jobs', FifoQueue: true }), { poll: FAST });
    expect(refused.kind === 'changes' && refused.plan.changes[0]).toMatchObject({
      logicalId: 'Queue',
      replacement: 'always',
      refused: expect.stringContaining('keeps its custom name (QueueName)'),
    });
    expect(refused.kind === 'changes' && refused.refused).toBeInstanceOf(CustomNameReplacementError);

    const renamed = await planStack(clients, queue({ QueueName: 'jobs.fifo', FifoQueue: true }), { poll: FAST });
    expect(renamed.kind === 'changes' && renamed.plan.changes[0]).toMatchObject({
      refused: expect.stringMatching(/^replacing Queue \(\S+\) would start a new, empty queue, leaving its messages/),
      refusedFor: 'holds-data',
    });
    expect(renamed.kind === 'changes' && renamed.refused).toMatchObject({ code: 'DataReplacement' });
    const generated = await planStack(clients, queue({ FifoQueue: true }), { poll: FAST });
    expect(generated.kind === 'changes' && generated.refused).toMatchObject({ code: 'DataReplacement' });
  });

  it('a replacement under a new name of a resource that holds no data is not refused', async () => {
    const topic = (props: Record<string, unknown>) =>
      spec('x-dev-events', { resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: props } } });
    await deployStack(clients, topic({ TopicName: 'events' }), { poll: FAST });
    const renamed = await planStack(clients, topic({ TopicName: 'events.fifo', FifoTopic: true }), { poll: FAST });
    expect(renamed.kind === 'changes' && renamed.plan.changes[0]).toMatchObject({ replacement: 'always' });
    expect(renamed.kind === 'changes' && renamed.plan.changes[0]?.refused).toBeUndefined();
    expect(renamed.kind === 'changes' && renamed.refused).toBeUndefined();
  });

  it('41.data-postgres: a new database name replaces the cluster under its fixed identifier, which is refused', () => {
    const doc = parseTemplate(fs.readFileSync(path.join(PUBLISHED, '41.data-postgres.cf'), 'utf8'));
    const change = {
      action: 'Modify' as const,
      logicalId: 'Cluster',
      resourceType: 'AWS::RDS::DBCluster',
      physicalId: 'x-dev-acme-main',
      replacement: 'always' as const,
      causes: ['DatabaseName'],
    };
    expect(refusalOf(change, doc)).toMatch(
      /replacing Cluster \(x-dev-acme-main\) keeps its custom name \(DBClusterIdentifier\)/,
    );
    expect(refusalOf({ ...change, replacement: 'never' }, doc)).toBeUndefined();
  });

  it('a secret generated differently (a newer template) is refused in place too; other secret changes are not', () => {
    const change = {
      action: 'Modify' as const,
      logicalId: 'Secret',
      resourceType: 'AWS::SecretsManager::Secret',
      replacement: 'never' as const,
      causes: ['GenerateSecretString'],
    };
    expect(refusalOf(change, undefined)).toMatch(/^changing how Secret is generated \(GenerateSecretString\)/);
    expect(refusalOf({ ...change, causes: ['Description', 'Tags'] }, undefined)).toBeUndefined();
  });
});

describe('a parameter fixed after creation (42.data-documentdb DatabaseName)', () => {
  const body = fs.readFileSync(path.join(PUBLISHED, '42.data-documentdb.cf'), 'utf8');
  const doc = JSON.parse(body) as {
    Metadata: Record<string, { FixedAfterCreation?: string[] }>;
    Resources: Record<string, { Properties: Record<string, unknown> }>;
  };

  it('the template says so, because the name is part of the generated secret template', () => {
    expect(doc.Metadata['cfn-stages']?.FixedAfterCreation).toEqual(['DatabaseName']);
    const template = JSON.stringify(
      (doc.Resources.Secret!.Properties.GenerateSecretString as { SecretStringTemplate: unknown }).SecretStringTemplate,
    );
    expect(template).toContain('${DatabaseName}');
  });

  const db = (name: string) =>
    spec(
      'x-dev-acme-docs',
      {
        parameters: { DatabaseName: { Type: 'String', Default: 'app' } },
        resources: {
          Secret: {
            Type: 'AWS::SNS::Topic',
            Properties: { DisplayName: { 'Fn::Sub': '{"dbname":"${DatabaseName}"}' } },
          },
        },
      },
      {
        parameters: { DatabaseName: name },
        templateBody: JSON.stringify({
          Metadata: { 'cfn-stages': { FixedAfterCreation: ['DatabaseName'] } },
          Parameters: { DatabaseName: { Type: 'String', Default: 'app' } },
          Resources: {
            Secret: {
              Type: 'AWS::SNS::Topic',
              Properties: { DisplayName: { 'Fn::Sub': '{"dbname":"${DatabaseName}"}' } },
            },
          },
        }),
      },
    );

  it('deploy refuses a new value before any change set, naming the parameter, both values and the way out', async () => {
    await deployStack(clients, db('app'), { poll: FAST });
    const changeSets = fake.callsOf('CreateChangeSet').length;

    const err = await deployStack(clients, db('orders'), { poll: FAST }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(FixedSettingError);
    expect((err as Error).message).toBe(
      'stack x-dev-acme-docs: DatabaseName cannot change after the stack is created (DatabaseName is "app", the params file says "orders")',
    );
    expect((err as FixedSettingError).hint).toMatch(/Set DatabaseName back to "app"/);
    expect(fake.callsOf('CreateChangeSet')).toHaveLength(changeSets);
    expect((await planStack(clients, db('orders'))).kind).toBe('refused');
    // The same value, and a first creation with any value, go through.
    expect((await deployStack(clients, db('app'), { poll: FAST })).kind).toBe('skipped-unchanged');
    expect((await deployStack(clients, { ...db('orders'), name: 'x-dev-acme-other' }, { poll: FAST })).kind).toBe(
      'created',
    );
  });
});

describe('exports an update changes or removes, and who imports them', () => {
  // `Queue` is a topic: it is replaced (new name, FifoTopic), which a queue, holding messages, may not be.
  const producer = (queueName: string, fifo: boolean, withDlq = true) =>
    spec('x-dev-jobs', {
      resources: {
        Queue: { Type: 'AWS::SNS::Topic', Properties: { TopicName: queueName, ...(fifo ? { FifoTopic: true } : {}) } },
        Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'dlq' } },
      },
      outputs: {
        QueueArn: { Value: { Ref: 'Queue' }, Export: { Name: 'x-dev-QueueArn' } },
        ...(withDlq ? { DlqArn: { Value: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, Export: { Name: 'x-dev-DlqArn' } } } : {}),
      },
    });
  const consumer = spec('x-dev-worker', {
    parameters: { Prefix: { Type: 'String', Default: 'x-' }, EnvironmentName: { Type: 'String', Default: 'dev' } },
    resources: {
      Topic: {
        Type: 'AWS::SNS::Topic',
        Properties: { DisplayName: { 'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-QueueArn' } } },
      },
    },
  });

  it('names the export a replacement changes and the one the template drops, each with its importers', async () => {
    await deployStack(clients, producer('jobs', false), { poll: FAST });
    await deployStack(clients, consumer, { poll: FAST });
    const next = producer('jobs.fifo', true, false);
    const plan = await planStack(clients, next, { poll: FAST });
    expect(plan.kind).toBe('changes');
    const stack = (await describeStack(clients.cloudFormation, 'x-dev-jobs'))!;
    const changes = await exportChanges(clients.cloudFormation, next, stack, (plan as { plan: ChangeSummary }).plan);
    expect(changes).toEqual([
      {
        exportName: 'x-dev-QueueArn',
        outputKey: 'QueueArn',
        kind: 'changed',
        value: expect.stringContaining('jobs'),
        importers: ['x-dev-worker'],
      },
      {
        exportName: 'x-dev-DlqArn',
        outputKey: 'DlqArn',
        kind: 'removed',
        value: expect.stringContaining('dlq'),
        importers: [],
      },
    ]);
    expect(plan.kind === 'changes' && plan.exports).toEqual(changes);
  });

  it('pins an importer to the current value (resolving Fn::Sub names against its parameters) and keeps a removed export', async () => {
    await deployStack(clients, producer('jobs', false), { poll: FAST });
    await deployStack(clients, consumer, { poll: FAST });
    const stack = (await describeStack(clients.cloudFormation, 'x-dev-worker'))!;
    const { body, detached } = detachedTemplate(consumer.templateBody, stack, {
      'x-dev-QueueArn': 'arn:aws:sqs:us-east-1:123456789012:jobs',
    });
    expect(detached).toEqual(['x-dev-QueueArn']);
    expect(JSON.parse(body).Resources.Topic.Properties.DisplayName).toBe('arn:aws:sqs:us-east-1:123456789012:jobs');
    expect(detachedTemplate(consumer.templateBody, stack, { 'x-prod-QueueArn': 'other' }).detached).toEqual([]);

    const kept = JSON.parse(
      keepingExports(producer('jobs', false, false).templateBody, [
        {
          exportName: 'x-dev-DlqArn',
          outputKey: 'DlqArn',
          kind: 'removed',
          value: 'arn:dlq',
          importers: ['x-dev-worker'],
        },
      ]),
    );
    expect(kept.Outputs.DlqArn).toMatchObject({ Value: 'arn:dlq', Export: { Name: 'x-dev-DlqArn' } });
    // Deployed with the pin, the importer no longer holds the export: it may change.
    expect((await deployStack(clients, { ...consumer, templateBody: body }, { poll: FAST })).kind).toBe('updated');
    expect((await deployStack(clients, producer('jobs.fifo', true), { poll: FAST })).kind).toBe('updated');
  });

  it('a changed export in use fails the update as CloudFormation does; pinning the importer first converges', async () => {
    await deployStack(clients, producer('jobs', false), { poll: FAST });
    await deployStack(clients, consumer, { poll: FAST });
    const direct = await deployStack(clients, producer('jobs.fifo', true), { poll: FAST });
    expect(direct).toMatchObject({ kind: 'failed', status: 'UPDATE_ROLLBACK_COMPLETE' });
    expect(fake.stack('x-dev-jobs')?.events.map((e) => e.ResourceStatusReason)).toContain(
      'Cannot update export x-dev-QueueArn as it is in use by x-dev-worker',
    );

    const worker = (await describeStack(clients.cloudFormation, 'x-dev-worker'))!;
    const queueArn = (await describeStack(clients.cloudFormation, 'x-dev-jobs'))!.Outputs!.find(
      (o) => o.OutputKey === 'QueueArn',
    )!.OutputValue!;
    const pinned = detachedTemplate(consumer.templateBody, worker, { 'x-dev-QueueArn': queueArn }).body;
    expect((await deployStack(clients, { ...consumer, templateBody: pinned }, { poll: FAST })).kind).toBe('updated');
    expect((await deployStack(clients, producer('jobs.fifo', true), { poll: FAST })).kind).toBe('updated');
    expect((await deployStack(clients, consumer, { poll: FAST })).kind).toBe('updated');
    expect(fake.stack('x-dev-worker')?.imports).toEqual(['x-dev-QueueArn']);
  });

  it('a removed export in use: kept while the importer moves off, then removed', async () => {
    const dlqUser = spec('x-dev-alerts', {
      resources: {
        Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { 'Fn::ImportValue': 'x-dev-DlqArn' } } },
      },
    });
    await deployStack(clients, producer('jobs', false), { poll: FAST });
    await deployStack(clients, dlqUser, { poll: FAST });
    const withoutDlq = producer('jobs', false, false);
    expect(await deployStack(clients, withoutDlq, { poll: FAST })).toMatchObject({
      kind: 'failed',
      status: 'UPDATE_ROLLBACK_COMPLETE',
    });
    expect(fake.stack('x-dev-jobs')?.events.map((e) => e.ResourceStatusReason)).toContain(
      'Export x-dev-DlqArn cannot be deleted as it is in use by x-dev-alerts',
    );

    const stack = (await describeStack(clients.cloudFormation, 'x-dev-jobs'))!;
    const [removed] = await exportChanges(clients.cloudFormation, withoutDlq, stack, {
      stackName: 'x-dev-jobs',
      type: 'update',
      changes: [],
    });
    expect(removed).toMatchObject({ exportName: 'x-dev-DlqArn', kind: 'removed', importers: ['x-dev-alerts'] });
    expect(
      (
        await deployStack(
          clients,
          { ...withoutDlq, templateBody: keepingExports(withoutDlq.templateBody, [removed!]) },
          { poll: FAST },
        )
      ).kind,
    ).toBe('updated');
    const movedOff = spec('x-dev-alerts', {
      resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alerts' } } },
    });
    expect((await deployStack(clients, movedOff, { poll: FAST })).kind).toBe('updated');
    expect((await deployStack(clients, withoutDlq, { poll: FAST })).kind).toBe('updated');
    expect(fake.stack('x-dev-jobs')?.outputs.map((o) => o.ExportName)).toEqual(['x-dev-QueueArn']);
  });
});
