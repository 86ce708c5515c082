/**
 * The thresholds of 33.app-alarms: one parameter each, with a default that suits a small production
 * app, so a params file (`apps[].alarms`) or the console changes only what differs.
 */
import type { ParamSpec } from '../kit/builder';
import type { App } from './alarm';
import type { Thresholds } from './sources';

type Spec = Omit<ParamSpec, 'Type' | 'group'> & { Default: number };

const number = (spec: Spec): ParamSpec => ({ Type: 'Number', ...spec });

/** Every threshold parameter: name, and how it is declared. */
const THRESHOLDS: Record<keyof Thresholds, [name: string, spec: ParamSpec, group: string]> = {
  http5xx: [
    'Http5xxPer5Minutes',
    number({
      Default: 10,
      MinValue: 1,
      label: '5xx responses per 5 minutes',
      Description: '5xx responses (load balancer and app together) in 5 minutes that raise the alarm (HTTP mode).',
    }),
    'Load balancer',
  ],
  responseTime: [
    'ResponseTimeSeconds',
    number({
      Default: 2,
      MinValue: 0.01,
      label: 'Response time p95 (seconds)',
      Description:
        "The app's 95th-percentile response time (seconds) above which, for 10 minutes, the alarm goes off (HTTP mode).",
    }),
    'Load balancer',
  ],
  unhealthy: [
    'UnhealthyTargetCount',
    number({
      Default: 1,
      MinValue: 1,
      label: 'Unhealthy targets',
      Description: 'Tasks failing the health check for 5 minutes that raise the alarm.',
    }),
    'Load balancer',
  ],
  serviceCpu: [
    'ServiceCpuPercent',
    number({
      Default: 85,
      MinValue: 1,
      MaxValue: 100,
      label: 'Service CPU (%)',
      Description: "The service's average CPU use (percent of its reservation) that, for 5 minutes, raises the alarm.",
    }),
    'Service',
  ],
  serviceMemory: [
    'ServiceMemoryPercent',
    number({
      Default: 85,
      MinValue: 1,
      MaxValue: 100,
      label: 'Service memory (%)',
      Description:
        "The service's average memory use (percent of its reservation) that, for 5 minutes, raises the alarm.",
    }),
    'Service',
  ],
  belowDesiredMinutes: [
    'TasksBelowDesiredMinutes',
    number({
      Default: 10,
      MinValue: 2,
      MaxValue: 60,
      label: 'Tasks below desired (minutes)',
      Description:
        'Minutes in a row with fewer running tasks than desired before the alarm goes off (a deployment briefly has fewer).',
    }),
    'Service',
  ],
  dbCpu: [
    'DatabaseCpuPercent',
    number({
      Default: 80,
      MinValue: 1,
      MaxValue: 100,
      label: 'Database CPU (%)',
      Description: 'CPU use of the busiest database instance that, for 5 minutes, raises the alarm.',
    }),
    'Databases',
  ],
  dbFreeStorageMiB: [
    'DatabaseFreeStorageMiB',
    number({
      Default: 2048,
      MinValue: 1,
      label: 'Database free local storage (MiB)',
      Description:
        "Free local storage (temporary tables and logs; Aurora's and DocumentDB's cluster volume grows by itself) below which the alarm goes off.",
    }),
    'Databases',
  ],
  dbFreeMemoryMiB: [
    'DatabaseFreeMemoryMiB',
    number({
      Default: 256,
      MinValue: 1,
      label: 'Database freeable memory (MiB)',
      Description: 'Freeable memory of an instance below which, for 5 minutes, the alarm goes off.',
    }),
    'Databases',
  ],
  dbConnections: [
    'DatabaseConnections',
    number({
      Default: 400,
      MinValue: 1,
      label: 'Database connections',
      Description:
        "Connections to one instance that, for 5 minutes, raise the alarm (set it below the instance class's max_connections).",
    }),
    'Databases',
  ],
  cacheCpu: [
    'CacheCpuPercent',
    number({
      Default: 80,
      MinValue: 1,
      MaxValue: 100,
      label: 'Cache engine CPU (%)',
      Description: "The busiest node's Redis engine CPU that, for 5 minutes, raises the alarm.",
    }),
    'Caches',
  ],
  cacheMemory: [
    'CacheMemoryPercent',
    number({
      Default: 80,
      MinValue: 1,
      MaxValue: 100,
      label: 'Cache memory used (%)',
      Description: "The busiest node's memory use (percent of maxmemory) that, for 5 minutes, raises the alarm.",
    }),
    'Caches',
  ],
  queueAgeSeconds: [
    'QueueOldestMessageSeconds',
    number({
      Default: 900,
      MinValue: 60,
      label: 'Oldest queued message (seconds)',
      Description:
        'Age of the oldest message in a queue that, for 5 minutes, raises the alarm (a message in a dead-letter queue always does).',
    }),
    'Queues',
  ],
};

/** Declares the threshold parameters and returns their `Ref`s. */
export function thresholdParams(t: App): Thresholds {
  const entries = Object.entries(THRESHOLDS).map(([key, [name, spec, group]]) => [
    key,
    t.param(name, { ...spec, group }),
  ]);
  return Object.fromEntries(entries) as Thresholds;
}
