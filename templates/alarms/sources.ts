/**
 * What 33.app-alarms watches, per part of the app: the metric, its dimensions (the names and ids
 * other stages export), the threshold (a parameter) and how long it must hold. Each function returns
 * specs only; the template adds them (templates/appAlarms.ts).
 */
import { Fn, type IntrinsicFunction, type Value } from '../kit/cf';
import type { AlarmSpec, MetricSpec } from './alarm';

/** The threshold parameters (their `Ref`s), declared by the template. */
export interface Thresholds {
  http5xx: IntrinsicFunction;
  responseTime: IntrinsicFunction;
  unhealthy: IntrinsicFunction;
  serviceCpu: IntrinsicFunction;
  serviceMemory: IntrinsicFunction;
  belowDesiredMinutes: IntrinsicFunction;
  dbCpu: IntrinsicFunction;
  dbFreeStorageMiB: IntrinsicFunction;
  dbFreeMemoryMiB: IntrinsicFunction;
  dbConnections: IntrinsicFunction;
  cacheCpu: IntrinsicFunction;
  cacheMemory: IntrinsicFunction;
  queueAgeSeconds: IntrinsicFunction;
}

/** A data store the alarms watch: the parts of its alarms' ids and names, and its instance name for imports. */
export interface StoreRef {
  /** Alphanumeric, first in the logical ids: `PostgresStore1`. */
  id: string;
  /** In alarm names and titles, a `Fn::Sub` pattern: `${PostgresStore1}`. */
  name: string;
}

const ALB = 'AWS/ApplicationELB';
const MIB = 1048576;

/**
 * The load balancer: 5xx (its own and the app's) and the app's response time (HTTP only), and
 * unhealthy targets in either mode (the namespace follows the mode).
 */
export function loadBalancerAlarms(
  lb: Value<string>,
  tg: Value<string>,
  th: Thresholds,
  isTcp: string,
): { http: AlarmSpec[]; any: AlarmSpec[] } {
  const both = { LoadBalancer: lb, TargetGroup: tg };
  const http: AlarmSpec[] = [
    {
      id: 'Http5xx',
      name: '5xx',
      title: '5xx responses (load balancer + app, per 5 minutes)',
      description:
        'The load balancer answered 5xx (its own, or passed on from the app) at least the threshold in 5 minutes: see the app log group and the target health.',
      metric: {
        expression: 'FILL(m1, 0) + FILL(m2, 0)',
        label: '5xx responses',
        metrics: [
          { namespace: ALB, name: 'HTTPCode_ELB_5XX_Count', dimensions: { LoadBalancer: lb }, stat: 'Sum' },
          { namespace: ALB, name: 'HTTPCode_Target_5XX_Count', dimensions: both, stat: 'Sum' },
        ],
      },
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: th.http5xx,
      period: 300,
      periods: 1,
    },
    {
      id: 'ResponseTime',
      name: 'response-time',
      title: 'Response time p95 (seconds)',
      description: "The app's 95th-percentile response time stayed above the threshold for 10 minutes.",
      metric: { namespace: ALB, name: 'TargetResponseTime', dimensions: both, stat: 'p95' },
      comparison: 'GreaterThanThreshold',
      threshold: th.responseTime,
      period: 300,
      periods: 2,
    },
  ];
  const unhealthy: AlarmSpec = {
    id: 'UnhealthyTargets',
    name: 'unhealthy-targets',
    title: 'Unhealthy targets',
    description:
      "Tasks failed the load balancer's health check for 5 minutes: see `provision status` and the app log group.",
    metric: {
      namespace: Fn.If(isTcp, 'AWS/NetworkELB', ALB),
      name: 'UnHealthyHostCount',
      dimensions: both,
      stat: 'Maximum',
    },
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: th.unhealthy,
    period: 60,
    periods: 5,
  };
  return { http, any: [unhealthy] };
}

/** The app's main service: CPU and memory (ECS), and running tasks below desired (Container Insights). */
export function serviceAlarms(cluster: Value<string>, service: Value<string>, th: Thresholds): AlarmSpec[] {
  const dims = { ClusterName: cluster, ServiceName: service };
  const usage = (id: string, name: string, metric: string, what: string, threshold: IntrinsicFunction): AlarmSpec => ({
    id,
    name,
    title: `Service ${what} (%)`,
    description: `The service's average ${what} use stayed at or above the threshold for 5 minutes: raise its ${what} or its maximum task count.`,
    metric: { namespace: 'AWS/ECS', name: metric, dimensions: dims, stat: 'Average' },
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold,
    period: 60,
    periods: 5,
  });
  const insights = (name: string): MetricSpec => ({
    namespace: 'ECS/ContainerInsights',
    name,
    dimensions: dims,
    stat: 'Average',
  });
  return [
    usage('ServiceCpu', 'service-cpu', 'CPUUtilization', 'CPU', th.serviceCpu),
    usage('ServiceMemory', 'service-memory', 'MemoryUtilization', 'memory', th.serviceMemory),
    {
      id: 'TasksBelowDesired',
      name: 'tasks-below-desired',
      title: 'Tasks below desired',
      description:
        'Fewer tasks ran than the service wants for the whole period: tasks keep stopping (see `provision status` and the stopped tasks).',
      metric: {
        expression: 'm1 - m2',
        label: 'Desired minus running tasks',
        metrics: [insights('DesiredTaskCount'), insights('RunningTaskCount')],
      },
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      period: 60,
      periods: th.belowDesiredMinutes,
    },
  ];
}

/** A database (Aurora PostgreSQL or DocumentDB): CPU, free local storage and memory, connections. */
export function databaseAlarms(
  store: StoreRef,
  namespace: 'AWS/RDS' | 'AWS/DocDB',
  clusterId: Value<string>,
  th: Thresholds,
): AlarmSpec[] {
  const metric = (name: string, stat: string): MetricSpec => ({
    namespace,
    name,
    dimensions: { DBClusterIdentifier: clusterId },
    stat,
  });
  const inMiB = (name: string): AlarmSpec['metric'] => ({
    expression: `m1 / ${MIB}`,
    label: `${name} (MiB)`,
    metrics: [metric(name, 'Minimum')],
  });
  const base = { period: 60, periods: 5 };
  return [
    {
      ...base,
      id: `${store.id}Cpu`,
      name: `${store.name}-cpu`,
      title: `${store.name}: CPU (%)`,
      description: 'The busiest database instance stayed at or above the CPU threshold for 5 minutes.',
      metric: metric('CPUUtilization', 'Maximum'),
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: th.dbCpu,
    },
    {
      ...base,
      id: `${store.id}FreeStorage`,
      name: `${store.name}-free-storage`,
      title: `${store.name}: free local storage (MiB)`,
      description: "An instance's free local storage (temporary tables, logs) fell below the threshold.",
      metric: inMiB('FreeLocalStorage'),
      comparison: 'LessThanThreshold',
      threshold: th.dbFreeStorageMiB,
    },
    {
      ...base,
      id: `${store.id}FreeMemory`,
      name: `${store.name}-free-memory`,
      title: `${store.name}: freeable memory (MiB)`,
      description:
        "An instance's freeable memory stayed below the threshold for 5 minutes: a larger instance class may be needed.",
      metric: inMiB('FreeableMemory'),
      comparison: 'LessThanThreshold',
      threshold: th.dbFreeMemoryMiB,
    },
    {
      ...base,
      id: `${store.id}Connections`,
      name: `${store.name}-connections`,
      title: `${store.name}: connections`,
      description: 'An instance held at least the threshold of connections for 5 minutes: check connection pooling.',
      metric: metric('DatabaseConnections', 'Maximum'),
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: th.dbConnections,
    },
  ];
}

/** The most nodes a replication group of 43 has (its Nodes parameter): each reports as `<id>-00N`. */
export const MAX_CACHE_NODES = 6;

/**
 * A Redis cache: engine CPU and memory of its busiest node. ElastiCache reports per node
 * (`CacheClusterId` `<replication group id>-001`, `-002`...), and the primary moves on failover, so
 * the alarm takes the maximum over every node the group can have (nodes it lacks have no data).
 */
export function cacheAlarms(store: StoreRef, groupId: Value<string>, th: Thresholds): AlarmSpec[] {
  const nodes = (name: string): MetricSpec[] =>
    Array.from({ length: MAX_CACHE_NODES }, (_v, i) => ({
      namespace: 'AWS/ElastiCache',
      name,
      dimensions: { CacheClusterId: Fn.Join('-', [groupId, `00${i + 1}`]) },
      stat: 'Maximum',
    }));
  const ids = Array.from({ length: MAX_CACHE_NODES }, (_v, i) => `m${i + 1}`).join(', ');
  const busiest = (name: string, label: string): AlarmSpec['metric'] => ({
    expression: `MAX([${ids}])`,
    label,
    metrics: nodes(name),
  });
  const base = { period: 60, periods: 5, comparison: 'GreaterThanOrEqualToThreshold' as const };
  return [
    {
      ...base,
      id: `${store.id}Cpu`,
      name: `${store.name}-cpu`,
      title: `${store.name}: engine CPU (%)`,
      description: "The busiest node's Redis engine thread stayed at or above the CPU threshold for 5 minutes.",
      metric: busiest('EngineCPUUtilization', 'Engine CPU of the busiest node'),
      threshold: th.cacheCpu,
    },
    {
      ...base,
      id: `${store.id}Memory`,
      name: `${store.name}-memory`,
      title: `${store.name}: memory used (%)`,
      description: 'The busiest node used at least the threshold of its memory for 5 minutes: keys will be evicted.',
      metric: busiest('DatabaseMemoryUsagePercentage', 'Memory used by the busiest node'),
      threshold: th.cacheMemory,
    },
  ];
}

/** A queue: the age of its oldest message, and any message in its dead-letter queue. */
export function queueAlarms(store: StoreRef, queue: Value<string>, dlq: Value<string>, th: Thresholds): AlarmSpec[] {
  const sqs = (name: string, queueName: Value<string>): MetricSpec => ({
    namespace: 'AWS/SQS',
    name,
    dimensions: { QueueName: queueName },
    stat: 'Maximum',
  });
  return [
    {
      id: `${store.id}OldestMessage`,
      name: `${store.name}-oldest-message`,
      title: `${store.name}: oldest message (seconds)`,
      description: 'A message waited longer than the threshold for 5 minutes: consumers are down or too slow.',
      metric: sqs('ApproximateAgeOfOldestMessage', queue),
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: th.queueAgeSeconds,
      period: 60,
      periods: 5,
    },
    {
      id: `${store.id}DeadLetters`,
      name: `${store.name}-dead-letters`,
      title: `${store.name}: messages in the dead-letter queue`,
      description:
        'A message failed processing too many times and waits in the dead-letter queue: inspect it, then redrive or delete it.',
      metric: sqs('ApproximateNumberOfMessagesVisible', dlq),
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      period: 60,
      periods: 1,
    },
  ];
}
