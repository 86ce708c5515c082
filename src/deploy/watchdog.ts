/**
 * The service watchdog: while a stack that holds ECS services is created or updated (32, 91, or a
 * release), CloudFormation only says "CREATE_IN_PROGRESS" until ECS's deployment circuit breaker
 * trips, which takes at least 3 failed tasks and, in practice, ten minutes to hours. The reasons
 * are in ECS all along: the stopped tasks (ListTasks/DescribeTasks keep them about an hour) and
 * the service's events. The watchdog reads them, reports each new one as it happens, and returns a
 * verdict once the new deployment is plainly broken:
 *
 * {@link SAME_REASON_LIMIT} tasks of the new deployment stopped for the same reason while none of
 * its tasks runs. A task that cannot pull its image, or exits on start, does the same on the next
 * try; ECS would only start more until the breaker trips. A deployment where some tasks run (a
 * flaky health check) is left to ECS.
 *
 * Poller → subscriber → renderer: `check()` reads once and returns notices and a verdict;
 * `watchServices` polls with the engine's pacing and hands each notice to `emit`; the caller
 * decides what a verdict means (stack.ts cancels the update or deletes the unfinished create).
 */
import { DescribeStackResourceCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Service } from '@aws-sdk/client-ecs';
import type {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sdk } from '../aws/clients';
import {
  baselineOf,
  clusterOfServiceArn,
  describeService,
  diagnose,
  ourDeployment,
  type Baseline,
  type EcsSender,
  type StoppedTask,
} from '../ops/rollout';
import { Pacer } from './poll';
import type { PollOptions, ServiceNotice, WatchdogVerdict } from './types';

export type { ServiceNotice, WatchdogVerdict } from './types';

/** Stopped tasks of the new deployment with one reason (and none running) that end the wait. */
export const SAME_REASON_LIMIT = 2;

const SERVICE_TYPE = 'AWS::ECS::Service' as const;

/** The logical ids of the template's ECS services: the stacks worth watching. */
export function serviceLogicalIds(template: { Resources?: Record<string, { Type?: string }> } | undefined): string[] {
  return Object.entries(template?.Resources ?? {})
    .filter(([, r]) => r.Type === SERVICE_TYPE)
    .map(([id]) => id);
}

/** One line for a stopped task: the container's exit and reason when it crashed, else the task's reason. */
export function stopSummary(task: Pick<StoppedTask, 'stoppedReason' | 'containers'>): string {
  const crashed = task.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  if (crashed)
    return `exit ${crashed.exitCode}${crashed.reason ? `: ${crashed.reason}` : ''}${crashed.reason ? '' : ` (${task.stoppedReason ?? 'essential container exited'})`}`;
  const withReason = task.containers.find((c) => c.reason);
  return task.stoppedReason ?? withReason?.reason ?? 'stopped without a reason';
}

/**
 * What to do about a stop reason ECS gives only in prose (there is no code for these), so the
 * text is read here and nowhere else.
 */
export function stopHint(reason: string): string | undefined {
  if (/read-only file system/i.test(reason)) {
    return 'the container writes outside its writable paths while the root filesystem is read-only: set readonlyRootFilesystem: false for this service (the default), or make the image write only under /tmp';
  }
  if (/CannotPullContainerError/.test(reason)) {
    if (/not found|manifest unknown/i.test(reason))
      return 'the image tag is not in the repository: push it, or set imageTag to a tag that exists';
    return 'the task could not reach or read the registry: check the private subnets route through a NAT gateway and the execution role may pull from the repository';
  }
  if (/ResourceInitializationError/.test(reason))
    return "ECS could not fetch the task's secrets or logs set-up: check the execution role and the network route to Secrets Manager and CloudWatch Logs";
  if (/ELB health checks?|^health check failed/i.test(reason))
    return "the app does not answer the load balancer's health check: check healthCheckPath and the container port";
  if (/OutOfMemory|exit 137/i.test(reason)) return 'the container ran out of memory: raise memory for this service';
  return undefined;
}

/** "Health checks failed with these codes: [502]" reads as "502". */
function healthText(description: string): string {
  const codes = /codes: \[([^\]]+)\]/.exec(description);
  return codes ? codes[1]! : description.replace(/\.$/, '');
}

/** Task-specific ids removed, so reasons of different tasks compare equal. */
function sameness(reason: string): string {
  return reason.replace(/\b[0-9a-f]{8,}(-[0-9a-f]{4,})*\b/gi, '*');
}

/** The part of the ELBv2 client used here. */
export interface ElbSender {
  send(command: DescribeTargetHealthCommand | DescribeTargetGroupsCommand): Promise<unknown>;
}

interface Watched {
  logicalId: string;
  arn?: string;
  cluster?: string;
  baseline?: Baseline;
  seenTasks: Set<string>;
  seenEvents: Set<string>;
  /** Health-check path per target group, read once. */
  paths: Map<string, string>;
  /** The newest unhealthy target's reason, for a task that failed its health checks. */
  health?: string;
}

export class ServiceWatchdog {
  private readonly watched: Watched[];

  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly ecs: EcsSender,
    private readonly stack: string,
    logicalIds: string[],
    /** The operation's start: tasks and events before it belong to earlier deployments. */
    private readonly since: Date,
    private readonly now: () => number = Date.now,
    /** Target health of the services' target groups; without it, tasks and events only. */
    private readonly elb?: ElbSender,
  ) {
    this.watched = logicalIds.map((logicalId) => ({
      logicalId,
      seenTasks: new Set(),
      seenEvents: new Set(),
      paths: new Map(),
    }));
  }

  /** Takes the services' state before an update, so the old deployment's tasks do not count. */
  async baseline(): Promise<void> {
    for (const w of this.watched) {
      if (!(await this.locate(w))) continue;
      w.baseline = baselineOf(await describeService(this.ecs, { cluster: w.cluster!, service: w.arn! }));
    }
  }

  /** One look at every service: new notices, and a verdict when one of them is plainly failing. */
  async check(): Promise<{ notices: ServiceNotice[]; verdict?: WatchdogVerdict }> {
    const notices: ServiceNotice[] = [];
    let verdict: WatchdogVerdict | undefined;
    for (const w of this.watched) {
      if (!(await this.locate(w))) continue;
      const ref = { cluster: w.cluster!, service: w.arn! };
      const service = await describeService(this.ecs, ref);
      if (!service) continue;
      const diagnosis = await diagnose(this.ecs, ref, service, { since: this.since, limit: 20 });
      const fresh = diagnosis.stoppedTasks.filter(
        (t) => !w.baseline?.taskDefinition || t.taskDefinition !== w.baseline.taskDefinition,
      );
      notices.push(...(await this.targetHealth(w, service)));
      for (const t of [...fresh].reverse()) {
        if (w.seenTasks.has(t.taskArn)) continue;
        w.seenTasks.add(t.taskArn);
        notices.push({
          logicalId: w.logicalId,
          kind: 'task-stopped',
          message: `task ${t.taskArn.split('/').pop()} stopped: ${this.summary(w, t)}`,
          ...(t.stoppedAt ? { at: t.stoppedAt } : {}),
        });
      }
      for (const e of [...diagnosis.events].reverse()) {
        const key = `${e.at?.getTime() ?? ''} ${e.message}`;
        if (w.seenEvents.has(key)) continue;
        w.seenEvents.add(key);
        notices.push({
          logicalId: w.logicalId,
          kind: 'service-event',
          message: e.message,
          ...(e.at ? { at: e.at } : {}),
        });
      }
      verdict ??= this.judge(w, service, fresh);
    }
    return { notices, ...(verdict ? { verdict } : {}) };
  }

  private judge(w: Watched, service: Service, stopped: StoppedTask[]): WatchdogVerdict | undefined {
    const ours = w.baseline
      ? ourDeployment(service, w.baseline)
      : service.deployments?.find((d) => d.status === 'PRIMARY');
    if ((ours?.runningCount ?? 0) > 0) return undefined;
    const newest = stopped.slice(0, SAME_REASON_LIMIT); // newest first
    if (newest.length < SAME_REASON_LIMIT) return undefined;
    const reason = this.summary(w, newest[0]!);
    if (!newest.every((t) => sameness(stopSummary(t)) === sameness(stopSummary(newest[0]!)))) return undefined;
    const count = stopped.filter((t) => sameness(stopSummary(t)) === sameness(stopSummary(newest[0]!))).length;
    const hint = stopHint(reason);
    return {
      logicalId: w.logicalId,
      resourceType: SERVICE_TYPE,
      service: w.arn!,
      reason,
      ...(hint ? { hint } : {}),
      tasks: count,
      seconds: Math.round((this.now() - this.since.getTime()) / 1000),
    };
  }

  /** A task that failed its load balancer health checks reads as what the checks saw. */
  private summary(w: Watched, t: StoppedTask): string {
    const plain = stopSummary(t);
    return w.health && /ELB health checks?/i.test(plain) ? `health check failed: ${w.health}` : plain;
  }

  /** Unhealthy targets of the service's target groups, each reason once ("502 on /healthcheck"). */
  private async targetHealth(w: Watched, service: Service): Promise<ServiceNotice[]> {
    const notices: ServiceNotice[] = [];
    const { DescribeTargetHealthCommand } = sdk('@aws-sdk/client-elastic-load-balancing-v2');
    for (const lb of this.elb ? (service.loadBalancers ?? []) : []) {
      const group = lb.targetGroupArn;
      if (!group) continue;
      const out = (await this.elb!.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }))) as {
        TargetHealthDescriptions?: TargetHealthDescription[];
      };
      for (const d of out.TargetHealthDescriptions ?? []) {
        if (d.TargetHealth?.State !== 'unhealthy') continue;
        const reason = `${healthText(d.TargetHealth.Description ?? d.TargetHealth.Reason ?? 'unhealthy')} on ${await this.pathOf(w, group)}`;
        w.health = reason;
        const key = `${d.Target?.Id}:${d.Target?.Port} ${reason}`;
        if (w.seenEvents.has(key)) continue;
        w.seenEvents.add(key);
        notices.push({
          logicalId: w.logicalId,
          kind: 'target-health',
          message: `target ${d.Target?.Id}:${d.Target?.Port} unhealthy: ${reason}`,
        });
      }
    }
    return notices;
  }

  private async pathOf(w: Watched, group: string): Promise<string> {
    if (!w.paths.has(group)) {
      const { DescribeTargetGroupsCommand } = sdk('@aws-sdk/client-elastic-load-balancing-v2');
      const out = (await this.elb!.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [group] }))) as {
        TargetGroups?: { HealthCheckPath?: string }[];
      };
      w.paths.set(group, out.TargetGroups?.[0]?.HealthCheckPath ?? '/');
    }
    return w.paths.get(group)!;
  }

  /** The service's ARN and cluster, once CloudFormation has made it. */
  private async locate(w: Watched): Promise<boolean> {
    if (w.arn && w.cluster) return true;
    try {
      const out = await this.cfn.send(
        new DescribeStackResourceCommand({ StackName: this.stack, LogicalResourceId: w.logicalId }),
      );
      const arn = out.StackResourceDetail?.PhysicalResourceId;
      const cluster = arn ? clusterOfServiceArn(arn) : undefined;
      if (arn && cluster) Object.assign(w, { arn, cluster });
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ValidationError')) throw err; // not created yet
    }
    return Boolean(w.arn && w.cluster);
  }
}

export interface WatchServicesOptions {
  emit: (n: ServiceNotice) => void;
  poll?: PollOptions;
  /** Ends the watch (the stack settled, or Ctrl-C): resolves undefined. */
  signal: AbortSignal;
}

/**
 * Polls until a verdict (returned) or the signal (undefined). A failed ECS read is skipped, not
 * fatal: the stack's own watch decides the outcome, the watchdog only shortens it.
 */
export async function watchServices(
  dog: ServiceWatchdog,
  opts: WatchServicesOptions,
): Promise<WatchdogVerdict | undefined> {
  const pacer = new Pacer({ initialMs: 2000, maxMs: 10_000, ...opts.poll });
  let progressed = true;
  while (!opts.signal.aborted) {
    try {
      await pacer.wait(progressed, opts.signal);
    } catch {
      return undefined; // aborted while waiting
    }
    let result: Awaited<ReturnType<ServiceWatchdog['check']>>;
    try {
      result = await dog.check();
    } catch {
      progressed = false;
      continue;
    }
    if (opts.signal.aborted) return undefined;
    for (const n of result.notices) opts.emit(n);
    if (result.verdict) return result.verdict;
    progressed = result.notices.length > 0;
  }
  return undefined;
}
