/**
 * 33.app-alarms: an application's alarms, the topic they notify and its dashboard.
 *
 * One stack per app, after its service and data stores (it imports their names and ids as the
 * alarms' dimensions), so an app is watched as soon as it runs:
 * - the load balancer: 5xx (its own and the app's) and p95 response time (HTTP mode), unhealthy
 *   targets; the service: CPU, memory, running tasks below desired (Container Insights, on in 13);
 * - each database: CPU, free local storage, freeable memory, connections; each Redis cache: engine
 *   CPU and memory of its busiest node; each queue: age of the oldest message, and any message in
 *   its dead-letter queue. Every threshold is a parameter with a default.
 * - a topic encrypted with its own key, with the environment's ContactEmail subscribed. AWS mails a
 *   confirmation link to that address, and nothing is delivered until it is followed.
 * - a CloudWatch dashboard with every alarm's metric and threshold and their states; its console
 *   URL is an output (`provision outputs`).
 *
 * Data stores are named the way a console user knows them, by the DataName of their stack, in
 * slots per kind (as 46 names its subscriber queues): an empty slot watches nothing. The deployer
 * fills the slots from the app's `data:` list. Why one stack rather than alarms inside each data
 * stack: the dashboard shows the whole app on one page, the topic and its subscription exist once
 * per app (one confirmation mail), and the data templates stay unchanged for console users.
 */
import { CloudWatch, SNS } from './kit/resources';
import { AppLoadBalancer, AppService, DocumentDb, EcsCluster, Postgres, Redis, SqsQueue } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, sub, type IntrinsicFunction, type PolicyStatement } from './kit/cf';
import { Patterns, StdParam } from './kit/names';
import { kmsKey } from './kit/security';
import { withTags } from './service/cfn';
import { tlsOnly } from './data/common';
import { ALARM_NAME_PREFIX, addAlarm, alarmWidget, type AlarmSpec, type App } from './alarms/alarm';
import { thresholdParams } from './alarms/thresholds';
import { AlarmOutputs } from './alarms/outputs';
import {
  cacheAlarms,
  databaseAlarms,
  loadBalancerAlarms,
  queueAlarms,
  serviceAlarms,
  type StoreRef,
  type Thresholds,
} from './alarms/sources';

/** 33.app-alarms: one stack per app, `{Prefix}{EnvironmentName}-{ApplicationName}-alarms`. */
export const AppAlarmsTemplate: TemplateIdentity<'application'> = {
  id: '33.app-alarms',
  scope: 'application',
  stackSuffix: 'alarms',
};

/** The data stores 33 watches; S3 buckets and SNS topics get no alarms. */
export const WATCHED_KINDS = ['postgres', 'documentdb', 'redis', 'sqs'] as const;
export type WatchedKind = (typeof WATCHED_KINDS)[number];

/** How the deployer builds an app's alarms; the published template takes none of these. */
export interface AlarmOptions {
  /**
   * The app's data stores, by kind and DataName: each watched kind gets its alarms, with the
   * store's name fixed in the template. Without (the published form), one optional store per kind
   * is named by a parameter, for console users.
   */
  stores?: { kind: string; name: string }[];
}

/** The published form's parameter naming the store of a kind to watch. */
export const STORE_PARAM: Record<WatchedKind, string> = {
  postgres: 'PostgresStore',
  documentdb: 'DocumentDbStore',
  redis: 'RedisStore',
  sqs: 'QueueStore',
};

/** The parameter that says how the load balancer (31) serves the app: the same name and values as 31's. */
export const PORT_PROTOCOL_PARAM = 'PortProtocol';

const TEMPLATE_NAMES: Record<WatchedKind, string> = {
  postgres: '41.data-postgres',
  documentdb: '42.data-documentdb',
  redis: '43.data-redis',
  sqs: '45.data-sqs-queue',
};

const isWatched = (kind: string): kind is WatchedKind => (WATCHED_KINDS as readonly string[]).includes(kind);

/** Alarms that exist together (under one condition, or always), for the dashboard. */
interface AlarmGroup {
  alarms: { spec: AlarmSpec; alarm: Handle }[];
  condition?: string;
}

/** A store whose alarms the template adds: its kind, its id and name parts, its instance for imports. */
interface WatchedStore extends StoreRef {
  kind: WatchedKind;
  instance: string;
  condition?: string;
}

/** The published form: one optional store per kind, named by a parameter (empty: none). */
function storeParams(t: App): WatchedStore[] {
  return WATCHED_KINDS.map((kind) => {
    const param = STORE_PARAM[kind];
    t.param(param, {
      Type: 'String',
      Default: '',
      AllowedPattern: `^$|${Patterns.DataName.pattern}`,
      MaxLength: Patterns.DataName.maxLength,
      ConstraintDescription: `empty, or ${Patterns.DataName.message}`,
      Description: `DataName of a ${TEMPLATE_NAMES[kind]} stack of this application to watch, e.g. "main". Empty for none.`,
      label: `${TEMPLATE_NAMES[kind]} store (optional)`,
      group: 'Data stores watched',
    });
    const condition = t.condition(`Has${param}`, Fn.Not(Fn.Equals(Fn.Ref(param), '')));
    return { kind, id: param, name: `\${${param}}`, instance: `\${${param}}`, condition };
  });
}

/** The deployer's form: exactly the app's stores, by name (`main` gives ids `PostgresMain...`). */
function namedStores(stores: { kind: string; name: string }[]): WatchedStore[] {
  return stores.flatMap(({ kind, name }) => {
    if (!isWatched(kind)) return [];
    const id = `${STORE_PARAM[kind].replace(/Store$/, '')}${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    return [{ kind, id, name, instance: name }];
  });
}

/** The alarms of one store, its dimensions imported from the store's stack. */
function storeAlarms(t: App, store: WatchedStore, th: Thresholds): AlarmSpec[] {
  const { instance } = store;
  switch (store.kind) {
    case 'postgres':
      return databaseAlarms(store, 'AWS/RDS', t.import(Postgres.ClusterIdentifier, instance), th);
    case 'documentdb':
      return databaseAlarms(store, 'AWS/DocDB', t.import(DocumentDb.ClusterIdentifier, instance), th);
    case 'redis':
      return cacheAlarms(store, t.import(Redis.ReplicationGroupId, instance), th);
    case 'sqs':
      return queueAlarms(
        store,
        t.import(SqsQueue.QueueName, instance),
        t.import(SqsQueue.DeadLetterQueueName, instance),
        th,
      );
  }
}

/** Who may use the topic's key and publish to it: this app's alarms, in this account and region. */
function cloudWatchAccess(actions: string[], resource: IntrinsicFunction | string): PolicyStatement {
  return {
    Sid: 'AppAlarmsPublish',
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: actions,
    Resource: resource,
    Condition: {
      StringEquals: { 'aws:SourceAccount': sub('${AWS::AccountId}') },
      ArnLike: {
        'aws:SourceArn': sub(
          `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${ALARM_NAME_PREFIX}*`,
        ),
      },
    },
  };
}

/** The encrypted topic the alarms notify, with ContactEmail subscribed. */
function alarmTopic(t: App): Handle {
  // CloudWatch encrypts what it publishes with the topic's key: its key policy must let it.
  const key = kmsKey(t, 'TopicKey', {
    description: "Encrypts an app's alarm topic of cfn-stages (see the alias)",
    alias: sub('alias/${Prefix}${EnvironmentName}-${ApplicationName}-alarms'),
    statements: [cloudWatchAccess(['kms:Decrypt', 'kms:GenerateDataKey*'], '*')],
    protectsKeptData: false,
  });
  const topic = t.add(
    'Topic',
    new SNS.Topic({
      TopicName: sub('${Prefix}${EnvironmentName}-${ApplicationName}-alarms'),
      DisplayName: sub('cfn-stages alarms of ${ApplicationName} (${Prefix}${EnvironmentName})'),
      KmsMasterKeyId: key.att('Arn'),
      Tags: t.tags(),
    }),
  );
  t.add(
    'TopicPolicy',
    new SNS.TopicPolicy({
      Topics: [topic.ref],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [tlsOnly('sns', topic.ref), cloudWatchAccess(['sns:Publish'], topic.ref)],
      },
    }),
  );
  t.add(
    'EmailSubscription',
    new SNS.Subscription({ TopicArn: topic.ref, Protocol: 'email', Endpoint: Fn.Ref(StdParam.ContactEmail) }),
  );
  return topic;
}

/** `text` when the group exists, else nothing. */
function ifExists(group: AlarmGroup, text: IntrinsicFunction): IntrinsicFunction {
  return group.condition ? Fn.If(group.condition, text, '') : text;
}

/**
 * The dashboard: a header, the alarms' states, then one graph per alarm; a group of alarms that
 * does not exist (an empty store slot, TCP mode) leaves no trace. The first group must always exist.
 */
function dashboard(t: App, groups: AlarmGroup[]): Handle {
  const header = JSON.stringify({
    type: 'text',
    width: 24,
    height: 2,
    properties: {
      markdown:
        '## ${ApplicationName} (${Prefix}${EnvironmentName})\nAlarms of cfn-stages 33.app-alarms; they mail ${ContactEmail} once the subscription is confirmed.',
    },
  });
  if (groups[0]?.condition) throw new Error('33: the first alarm group must exist in every configuration');
  // The alarms' ARNs as a JSON list: `"a","b"`, with a leading comma after the first group.
  const states = groups.map((g, i) =>
    ifExists(g, Fn.Join('', [...g.alarms.flatMap((a, j) => [j ? '","' : i ? ',"' : '"', a.alarm.att('Arn')]), '"'])),
  );
  const graphs = groups.map((g) =>
    ifExists(
      g,
      Fn.Join(
        '',
        g.alarms.flatMap((a) => [',', alarmWidget(a.spec, a.alarm)]),
      ),
    ),
  );
  const body = Fn.Join('', [
    '{"widgets":[',
    sub(header),
    ',{"type":"alarm","width":24,"height":4,"properties":{"title":"Alarms","alarms":[',
    ...states,
    ']}}',
    ...graphs,
    ']}',
  ]);
  return t.add(
    'Dashboard',
    // cloudform-types 7.5 predates the dashboard's Tags.
    withTags(
      new CloudWatch.Dashboard({
        DashboardName: sub('${Prefix}${EnvironmentName}-${ApplicationName}'),
        DashboardBody: body,
      }),
      t.tags(),
    ),
  );
}

/** Builds 33; with no options, the published template (see `AlarmOptions` for the deployer's). */
export function buildAppAlarms(opts: AlarmOptions = {}): BuiltTemplate {
  const t = new TemplateBuilder({
    ...AppAlarmsTemplate,
    description:
      "App alarms: load balancer, service, databases, caches and queues, notifying an encrypted SNS topic with ContactEmail subscribed, and the app's CloudWatch dashboard",
    group: 'Thresholds',
  });
  const protocol = t.param(PORT_PROTOCOL_PARAM, {
    Type: 'String',
    Default: 'HTTP',
    AllowedValues: ['HTTP', 'TCP'],
    label: 'Load balancer traffic type',
    group: 'Load balancer',
    Description:
      "As the app's 31.app-loadbalancer stack: HTTP (Application Load Balancer: 5xx and response-time alarms too) or TCP (Network Load Balancer).",
  });
  const isTcp = t.condition('IsTcp', Fn.Equals(protocol, 'TCP'));
  const isHttp = t.condition('IsHttp', Fn.Not(Fn.Equals(protocol, 'TCP')));
  const stores = opts.stores ? namedStores(opts.stores) : storeParams(t);
  const th = thresholdParams(t);
  const topic = alarmTopic(t);
  const tags = t.tags();

  const lb = loadBalancerAlarms(
    t.import(AppLoadBalancer.LoadBalancerFullName),
    // The TargetGroup dimension is the ARN's last part: targetgroup/<name>/<id>.
    Fn.Select(5, Fn.Split(':', t.import(AppLoadBalancer.TargetGroupArn))),
    th,
    isTcp,
  );
  const groups: { specs: AlarmSpec[]; condition?: string }[] = [
    { specs: lb.any },
    { specs: serviceAlarms(t.import(EcsCluster.ClusterName), t.import(AppService.ServiceName), th) },
    { specs: lb.http, condition: isHttp },
    ...stores.map((store) => ({
      specs: storeAlarms(t, store, th),
      ...(store.condition ? { condition: store.condition } : {}),
    })),
  ];
  const added: AlarmGroup[] = groups.map((g) => ({
    alarms: g.specs.map((spec) => ({ spec, alarm: addAlarm(t, spec, topic.ref, tags, g.condition) })),
    ...(g.condition ? { condition: g.condition } : {}),
  }));
  const board = dashboard(t, added);

  t.output(
    AlarmOutputs.dashboardUrl,
    "The app's CloudWatch dashboard in the console",
    sub(
      `https://\${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=\${AWS::Region}#dashboards/dashboard/\${${board.id}}`,
    ),
  );
  t.output(
    AlarmOutputs.topicArn,
    'The topic every alarm of the app notifies (subscribe more endpoints here)',
    topic.ref,
  );
  t.output(
    AlarmOutputs.email,
    'Who the alarms mail: AWS sent a confirmation mail there, and nothing is delivered until its link is followed',
    sub('${ContactEmail}'),
  );
  return t.build();
}
