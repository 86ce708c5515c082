/**
 * 33.app-alarms: what each alarm watches and whom it tells, the topic's encryption and who may use
 * it, the dashboard, and how the deployer builds it for an app (its stores, its load balancer's
 * mode, its thresholds). The emulator end-to-end test (test/e2e/alarms.test.ts) checks the same
 * alarms against the real resources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAppAlarms, STORE_PARAM } from '../../templates/appAlarms';
import { parseParams } from '../../src/params/load';
import { planEnvironment } from '../../stages/plan';
import { json, ofType, resource, root, type JsonTemplate } from '../helpers/templates';

const published = json(buildAppAlarms());
const full = fs.readFileSync(path.join(root, 'examples', 'full.yaml'), 'utf8');
const alarms = (t: JsonTemplate) => Object.fromEntries(ofType(t, 'AWS::CloudWatch::Alarm'));
const nameOf = (r: { Properties?: any }) => r.Properties.AlarmName['Fn::Sub'] as string;
const imp = (key: string) => ({
  'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-${key}` },
});

describe('the published template (the console path)', () => {
  test('watches the load balancer and service always, and one store of each kind when its parameter names it', () => {
    const byName = Object.values(alarms(published)).map((a) => [nameOf(a).replace(/^.*\}-/, ''), (a as any).Condition]);
    expect(byName).toEqual(
      expect.arrayContaining([
        ['unhealthy-targets', undefined],
        ['service-cpu', undefined],
        ['service-memory', undefined],
        ['tasks-below-desired', undefined],
        ['5xx', 'IsHttp'],
        ['response-time', 'IsHttp'],
        ['cpu', 'HasPostgresStore'],
        ['connections', 'HasDocumentDbStore'],
        ['memory', 'HasRedisStore'],
        ['dead-letters', 'HasQueueStore'],
      ]),
    );
    for (const p of Object.values(STORE_PARAM)) expect(published.Parameters[p]).toMatchObject({ Default: '' });
    expect(published.Conditions!.HasPostgresStore).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PostgresStore' }, ''] }],
    });
  });

  test('every threshold is a parameter with a default, and the alarms use it', () => {
    const defaults = Object.fromEntries(
      Object.entries(published.Parameters)
        .filter(([, p]) => p.Type === 'Number')
        .map(([n, p]) => [n, p.Default]),
    );
    expect(defaults).toEqual({
      Http5xxPer5Minutes: 10,
      ResponseTimeSeconds: 2,
      UnhealthyTargetCount: 1,
      ServiceCpuPercent: 85,
      ServiceMemoryPercent: 85,
      TasksBelowDesiredMinutes: 10,
      DatabaseCpuPercent: 80,
      DatabaseFreeStorageMiB: 2048,
      DatabaseFreeMemoryMiB: 256,
      DatabaseConnections: 400,
      CacheCpuPercent: 80,
      CacheMemoryPercent: 80,
      QueueOldestMessageSeconds: 900,
    });
    const a = alarms(published);
    expect(a.ServiceCpu!.Properties.Threshold).toEqual({ Ref: 'ServiceCpuPercent' });
    expect(a.TasksBelowDesired!.Properties.EvaluationPeriods).toEqual({ Ref: 'TasksBelowDesiredMinutes' });
    expect(a.PostgresStoreFreeMemory!.Properties.Threshold).toEqual({ Ref: 'DatabaseFreeMemoryMiB' });
  });

  test('dimensions come from the exports of the stacks watched', () => {
    const a = alarms(published);
    expect(a.ServiceCpu!.Properties.Dimensions).toEqual([
      {
        Name: 'ClusterName',
        Value: { 'Fn::ImportValue': { 'Fn::Sub': '${Prefix}${EnvironmentName}-EcsClusterName' } },
      },
      { Name: 'ServiceName', Value: imp('EcsServiceName') },
    ]);
    expect(a.ResponseTime!.Properties.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: imp('LoadBalancerFullName') },
      { Name: 'TargetGroup', Value: { 'Fn::Select': [5, { 'Fn::Split': [':', imp('TargetGroupArn')] }] } },
    ]);
    expect(a.ResponseTime!.Properties.ExtendedStatistic).toBe('p95');
    // The unhealthy-target alarm follows the load balancer's mode.
    expect(a.UnhealthyTargets!.Properties.Namespace).toEqual({
      'Fn::If': ['IsTcp', 'AWS/NetworkELB', 'AWS/ApplicationELB'],
    });
    const cache = a.RedisStoreCpu!.Properties.Metrics;
    expect(cache.at(-1)).toEqual({
      Id: 'e1',
      Expression: 'MAX([m1, m2, m3, m4, m5, m6])',
      Label: expect.any(String),
      ReturnData: true,
    });
    expect(cache[0].MetricStat.Metric.Dimensions).toEqual([
      { Name: 'CacheClusterId', Value: { 'Fn::Join': ['-', [imp('${RedisStore}-RedisReplicationGroupId'), '001']] } },
    ]);
    expect(a.QueueStoreDeadLetters!.Properties.Dimensions).toEqual([
      { Name: 'QueueName', Value: imp('${QueueStore}-DeadLetterQueueName') },
    ]);
  });

  test('every alarm notifies the topic on ALARM and on OK, and missing data is no alarm', () => {
    for (const [id, a] of Object.entries(alarms(published))) {
      expect({ id, ...a.Properties }).toMatchObject({
        id,
        AlarmActions: [{ Ref: 'Topic' }],
        OKActions: [{ Ref: 'Topic' }],
        TreatMissingData: 'notBreaching',
      });
      expect(nameOf(a)).toMatch(/^\$\{Prefix\}\$\{EnvironmentName\}-\$\{ApplicationName\}-/);
    }
  });

  test('the topic is encrypted with its own key, which only this app’s alarms may use besides the account', () => {
    const topic = resource(published, 'Topic').Properties;
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['TopicKey', 'Arn'] });
    const key = resource(published, 'TopicKey').Properties.KeyPolicy.Statement;
    const alarmsOnly = {
      StringEquals: { 'aws:SourceAccount': { 'Fn::Sub': '${AWS::AccountId}' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Sub':
            'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Prefix}${EnvironmentName}-${ApplicationName}-*',
        },
      },
    };
    expect(key).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: alarmsOnly,
      }),
    );
    const policy = resource(published, 'TopicPolicy').Properties.PolicyDocument.Statement;
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: ['sns:Publish'], Condition: alarmsOnly }),
    );
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Deny', Sid: 'DenyInsecureTransport' }));
    expect(resource(published, 'EmailSubscription').Properties).toEqual({
      TopicArn: { Ref: 'Topic' },
      Protocol: 'email',
      Endpoint: { Ref: 'ContactEmail' },
    });
  });

  test('the dashboard names every alarm (graph and state), each under the alarm’s own condition', () => {
    const body = JSON.stringify(resource(published, 'Dashboard').Properties.DashboardBody);
    for (const [id, a] of Object.entries(alarms(published))) {
      const refs = body.split(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })).length - 1;
      expect({ id, refs }).toEqual({ id, refs: 2 });
      if ((a as any).Condition) expect(body).toContain(`{"Fn::If":["${(a as any).Condition}"`);
    }
    expect(published.Outputs!.DashboardUrl.Value['Fn::Sub']).toBe(
      'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${Dashboard}',
    );
  });
});

describe('the deployer builds it for each app with a service', () => {
  const plan = planEnvironment(parseParams(full, 'full.yaml'));
  const stack = plan.find((s) => s.name === 'x-demo-acme-alarms')!;

  test('after the service and the stores it watches, which it names directly', () => {
    expect(stack.templateId).toBe('33.app-alarms');
    expect(stack.dependsOn.sort()).toEqual(
      [
        'x-demo-acme-cache',
        'x-demo-acme-jobs',
        'x-demo-acme-loadbalancer',
        'x-demo-acme-main',
        'x-demo-acme-service',
        'x-demo-ecs-cluster',
      ].sort(),
    );
    const t = json(stack.built);
    const ids = Object.keys(alarms(t));
    expect(ids).toEqual(expect.arrayContaining(['PostgresMainCpu', 'RedisCacheMemory', 'QueueJobsDeadLetters']));
    // No alarm for the bucket or the topic, and no store parameter: the stores are fixed.
    expect(ids.filter((i) => /Files|Events/.test(i))).toEqual([]);
    for (const p of Object.values(STORE_PARAM)) expect(t.Parameters[p]).toBeUndefined();
    expect(alarms(t).PostgresMainCpu!.Condition).toBeUndefined();
    expect(stack.parameters.PortProtocol).toBe('HTTP');
    expect(stack.fields.PortProtocol).toBe('apps[0].loadBalancer.portProtocol');
  });

  test('thresholds from apps[].alarms, the mode from the load balancer, and a way out', () => {
    const edited = full
      .replace('    extras:\n', '    alarms: { serviceCpuPercent: 70 }\n    extras:\n')
      .replace(
        '      healthCheckPath: /healthcheck\n',
        '      healthCheckPath: /healthcheck\n      portProtocol: TCP\n',
      );
    const s = planEnvironment(parseParams(edited, 'x.yaml')).find((p) => p.stage === 'alarms')!;
    expect(s.parameters).toMatchObject({ ServiceCpuPercent: '70', PortProtocol: 'TCP', ServiceMemoryPercent: '85' });
    expect(s.fields.ServiceCpuPercent).toBe('apps[0].alarms.serviceCpuPercent');
    const off = full.replace('    extras:\n', '    alarms: { enabled: false }\n    extras:\n');
    expect(planEnvironment(parseParams(off, 'x.yaml')).filter((p) => p.stage === 'alarms')).toEqual([]);
    const noService =
      'environment: dev\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\napps:\n  - name: web\n';
    expect(planEnvironment(parseParams(noService, 'x.yaml')).filter((p) => p.stage === 'alarms')).toEqual([]);
  });

  test('a threshold out of range is refused at its line', () => {
    const bad = full.replace('    extras:\n', '    alarms:\n      serviceCpuPercent: 150\n    extras:\n');
    expect(() => parseParams(bad, 'x.yaml')).toThrow(/apps\[0\]\.alarms\.serviceCpuPercent/);
  });
});
