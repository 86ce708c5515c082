/**
 * Following an ECS rollout: snapshots of a service (task counts, its deployments and their
 * rolloutState), the wait until the new deployment is stable, and, when it fails, why: the stopped
 * tasks' reasons and the service's latest events, which is what a person otherwise digs out of the
 * console.
 *
 * How ECS reports a rollout (DescribeServices): each deployment has a status (PRIMARY is the newest,
 * ACTIVE ones are being drained) and a rolloutState (IN_PROGRESS, COMPLETED, FAILED). When the
 * deployment circuit breaker trips, the new deployment turns FAILED and, with rollback on, ECS
 * starts another deployment back to the last good task definition; the failed one disappears once
 * drained. So "our" deployment is found against a baseline taken before the update: a deployment
 * that was not there before and runs a different task definition. A new deployment running the
 * OLD task definition is the circuit breaker's rollback.
 *
 * The ECS client is only ever `send`-ed to, so tests hand in a small fake.
 */
import type {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  Deployment,
  Service,
  Task,
} from '@aws-sdk/client-ecs';
import { sdk } from '../aws/clients';
import { Pacer } from '../deploy/poll';
import { AbortedError } from '../deploy/errors';
import type { PollOptions } from '../deploy/types';

/** The part of the ECS client used here. */
export interface EcsSender {
  send(command: DescribeServicesCommand | ListTasksCommand | DescribeTasksCommand): Promise<unknown>;
}

export interface ServiceRef {
  cluster: string;
  /** Name or ARN. */
  service: string;
}

/** The cluster of a service ARN in the long format (`...:service/CLUSTER/NAME`), if it is one. */
export function clusterOfServiceArn(arn: string): string | undefined {
  const m = /:service\/([^/]+)\/[^/]+$/.exec(arn);
  return m?.[1];
}

export async function describeService(ecs: EcsSender, ref: ServiceRef): Promise<Service | undefined> {
  const { DescribeServicesCommand } = sdk('@aws-sdk/client-ecs');
  const out = (await ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }))) as {
    services?: Service[];
  };
  const found = out.services?.[0];
  return found && found.status !== 'INACTIVE' ? found : undefined;
}

/** What the service looked like before the update: what "new" is measured against. */
export interface Baseline {
  deploymentIds: string[];
  taskDefinition?: string;
}

export function baselineOf(service: Service | undefined): Baseline {
  return {
    deploymentIds: (service?.deployments ?? []).map((d) => d.id ?? ''),
    ...(service?.taskDefinition ? { taskDefinition: service.taskDefinition } : {}),
  };
}

/** One look at the rollout, from the deployment being followed (ours, else the primary). */
export interface RolloutSnapshot {
  desired: number;
  running: number;
  pending: number;
  /** Deployments still active (1 once the old tasks are gone). */
  deployments: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  deploymentId?: string;
  taskDefinition?: string;
  /** A new deployment appeared for the new task definition. */
  newDeployment: boolean;
  /** The circuit breaker failed it, or ECS is rolling back to the previous task definition. */
  failed: boolean;
}

/** The deployment this release made, if ECS shows it yet. */
export function ourDeployment(service: Service, baseline: Baseline): Deployment | undefined {
  const fresh = (service.deployments ?? []).filter(
    (d) => !baseline.deploymentIds.includes(d.id ?? '') && d.taskDefinition !== baseline.taskDefinition,
  );
  return fresh.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
}

/** A new deployment back to the baseline's task definition: the circuit breaker rolling back. */
function rollbackDeployment(service: Service, baseline: Baseline): Deployment | undefined {
  if (!baseline.taskDefinition) return undefined;
  return (service.deployments ?? []).find(
    (d) => !baseline.deploymentIds.includes(d.id ?? '') && d.taskDefinition === baseline.taskDefinition,
  );
}

export function snapshotOf(service: Service, baseline: Baseline): RolloutSnapshot {
  const ours = ourDeployment(service, baseline);
  const primary = (service.deployments ?? []).find((d) => d.status === 'PRIMARY');
  const followed = ours ?? primary;
  return {
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
    deployments: (service.deployments ?? []).length,
    ...(followed?.rolloutState ? { rolloutState: followed.rolloutState } : {}),
    ...(followed?.rolloutStateReason ? { rolloutStateReason: followed.rolloutStateReason } : {}),
    ...(followed?.id ? { deploymentId: followed.id } : {}),
    ...(followed?.taskDefinition ? { taskDefinition: followed.taskDefinition } : {}),
    newDeployment: Boolean(ours),
    failed: ours?.rolloutState === 'FAILED' || Boolean(rollbackDeployment(service, baseline)),
  };
}

/**
 * Stable as `aws ecs wait services-stable` means it (one deployment, running = desired), and the
 * followed deployment's rollout COMPLETED where ECS reports one.
 */
export function isStable(s: RolloutSnapshot): boolean {
  return (
    !s.failed &&
    s.deployments === 1 &&
    s.running === s.desired &&
    (s.rolloutState === undefined || s.rolloutState === 'COMPLETED')
  );
}

/** "running 1/2, pending 1, rollout IN_PROGRESS" for a progress line. */
export function describeSnapshot(s: RolloutSnapshot): string {
  const rollout = s.rolloutState ? `, rollout ${s.rolloutState}` : '';
  const old =
    s.deployments > 1 ? `, ${s.deployments - 1} older deployment${s.deployments > 2 ? 's' : ''} draining` : '';
  return `running ${s.running}/${s.desired}, pending ${s.pending}${rollout}${old}`;
}

// ---- diagnosis --------------------------------------------------------------------------------

export interface StoppedTask {
  taskArn: string;
  taskDefinition?: string;
  stoppedReason?: string;
  stopCode?: string;
  stoppedAt?: Date;
  containers: { name: string; reason?: string; exitCode?: number }[];
}

export interface ServiceEvent {
  at?: Date;
  message: string;
}

/** Why a rollout is failing: the newest stopped tasks (of the deployment, when known) and events. */
export interface Diagnosis {
  stoppedTasks: StoppedTask[];
  events: ServiceEvent[];
}

export interface DiagnoseOptions {
  /** Only tasks this deployment started (ECS sets a task's startedBy to its deployment id). */
  deploymentId?: string;
  /** Only events from this time on (the release's start). */
  since?: Date;
  /** How many tasks and events to show. @default 5 */
  limit?: number;
}

export async function diagnose(
  ecs: EcsSender,
  ref: ServiceRef,
  service: Service | undefined,
  opts: DiagnoseOptions = {},
): Promise<Diagnosis> {
  const limit = opts.limit ?? 5;
  const events = (service?.events ?? [])
    .filter((e) => !opts.since || !e.createdAt || e.createdAt >= opts.since)
    .slice(0, limit)
    .map((e) => ({ ...(e.createdAt ? { at: e.createdAt } : {}), message: e.message ?? '' }));
  return { stoppedTasks: await stoppedTasks(ecs, ref, opts, limit), events };
}

async function stoppedTasks(
  ecs: EcsSender,
  ref: ServiceRef,
  opts: DiagnoseOptions,
  limit: number,
): Promise<StoppedTask[]> {
  const { DescribeTasksCommand, ListTasksCommand } = sdk('@aws-sdk/client-ecs');
  const serviceName = ref.service.split('/').pop() ?? ref.service;
  const listed = (await ecs.send(
    new ListTasksCommand({ cluster: ref.cluster, serviceName, desiredStatus: 'STOPPED', maxResults: 100 }),
  )) as { taskArns?: string[] };
  const arns = listed.taskArns ?? [];
  if (!arns.length) return [];
  const described = (await ecs.send(new DescribeTasksCommand({ cluster: ref.cluster, tasks: arns }))) as {
    tasks?: Task[];
  };
  const tasks = (described.tasks ?? []).filter(
    (t) =>
      (!opts.deploymentId || !t.startedBy || t.startedBy === opts.deploymentId) &&
      (!opts.since || !t.stoppedAt || t.stoppedAt >= opts.since),
  );
  return tasks
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, limit)
    .map((t) => ({
      taskArn: t.taskArn ?? '',
      ...(t.taskDefinitionArn ? { taskDefinition: t.taskDefinitionArn } : {}),
      ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
      ...(t.stopCode ? { stopCode: t.stopCode } : {}),
      ...(t.stoppedAt ? { stoppedAt: t.stoppedAt } : {}),
      containers: (t.containers ?? []).map((c) => ({
        name: c.name ?? '',
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      })),
    }));
}

/** The diagnosis as indented lines for people. */
export function diagnosisLines(d: Diagnosis): string[] {
  const lines: string[] = [];
  if (d.stoppedTasks.length) lines.push('stopped tasks (newest first):');
  for (const t of d.stoppedTasks) {
    lines.push(
      `  ${t.taskArn.split('/').pop()}: ${t.stoppedReason ?? 'no reason given'}${t.stopCode ? ` [${t.stopCode}]` : ''}`,
    );
    for (const c of t.containers) {
      if (c.reason || c.exitCode !== undefined)
        lines.push(
          `    container ${c.name}: ${[c.exitCode !== undefined ? `exit code ${c.exitCode}` : '', c.reason ?? ''].filter(Boolean).join(', ')}`,
        );
    }
  }
  if (d.events.length) lines.push('latest service events:');
  for (const e of d.events)
    lines.push(`  ${e.at ? e.at.toISOString().replace('T', ' ').slice(0, 19) + ' ' : ''}${e.message}`);
  return lines;
}

// ---- waiting ----------------------------------------------------------------------------------

/** Where the stack update is, as the rollout wait needs to know it. */
export type StackPhase =
  { kind: 'running' } | { kind: 'complete' } | { kind: 'failed'; status: string; reason?: string };

export interface RolloutWaitOptions {
  baseline: Baseline;
  /** Give up after this long. */
  timeoutMs: number;
  poll?: PollOptions;
  signal?: AbortSignal;
  /** Each new snapshot that reads differently from the last. */
  onProgress?: (s: RolloutSnapshot) => void;
  /** The stack update's state, asked every round. @default already complete */
  stackPhase?: () => StackPhase;
  /** Return as soon as the stack update is complete (`--no-wait`). */
  untilStackComplete?: boolean;
  /** The release's start, for the events a diagnosis shows. */
  since?: Date;
  now?: () => number;
}

export type RolloutOutcome =
  | { kind: 'stable'; snapshot: RolloutSnapshot }
  /** `untilStackComplete`: the stack update finished; the rollout was not waited for. */
  | { kind: 'stack-complete'; snapshot?: RolloutSnapshot }
  | { kind: 'failed'; snapshot?: RolloutSnapshot; diagnosis: Diagnosis; stack?: StackPhase }
  | { kind: 'timeout'; snapshot?: RolloutSnapshot; diagnosis: Diagnosis; stack: StackPhase }
  | { kind: 'service-missing' };

/**
 * Polls the service (and the stack phase) until the new deployment is stable, fails, or time runs
 * out. A failure, or a timeout, comes with the diagnosis. Throws AbortedError when the signal fires.
 */
export async function waitForRollout(
  ecs: EcsSender,
  ref: ServiceRef,
  opts: RolloutWaitOptions,
): Promise<RolloutOutcome> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  const pacer = new Pacer(opts.poll ?? { initialMs: 2000, maxMs: 10_000 });
  const phase = opts.stackPhase ?? (() => ({ kind: 'complete' }) as StackPhase);
  let last = '';
  let snapshot: RolloutSnapshot | undefined;
  let service: Service | undefined;
  // Our deployment's id once seen: its stopped tasks explain a failure even after ECS rolled back.
  let ours: string | undefined;
  const why = (): Promise<Diagnosis> =>
    diagnose(ecs, ref, service, {
      ...(ours ? { deploymentId: ours } : {}),
      ...(opts.since ? { since: opts.since } : {}),
    });
  const failure = async (stack?: StackPhase): Promise<RolloutOutcome> => ({
    kind: 'failed',
    ...(snapshot ? { snapshot } : {}),
    diagnosis: await why(),
    ...(stack ? { stack } : {}),
  });
  let progressed = true;
  for (let first = true; ; first = false) {
    // Quick polls while something moves, slower ones while nothing does.
    if (!first) await pacer.wait(progressed, opts.signal);
    if (opts.signal?.aborted) throw new AbortedError();
    const stack = phase();
    service = await describeService(ecs, ref);
    if (!service) return { kind: 'service-missing' };
    snapshot = snapshotOf(service, opts.baseline);
    if (snapshot.newDeployment) ours = snapshot.deploymentId;
    const line = describeSnapshot(snapshot);
    progressed = line !== last;
    if (progressed) {
      opts.onProgress?.(snapshot);
      last = line;
    }
    if (snapshot.failed || stack.kind === 'failed') return failure(stack.kind === 'failed' ? stack : undefined);
    if (stack.kind === 'complete' && opts.untilStackComplete) return { kind: 'stack-complete', snapshot };
    // Until CloudFormation is done, the service may not have our deployment yet: not stable.
    if (stack.kind === 'complete' && isStable(snapshot)) return { kind: 'stable', snapshot };
    if (now() >= deadline) return { kind: 'timeout', snapshot, diagnosis: await why(), stack };
  }
}

/** What a release was, for {@link outcomeLines}. */
export interface ReleaseInfo {
  stack: string;
  repository: string;
  from: string;
  to: string;
  timeoutMs: number;
  /** The params file, for the follow-up command. */
  file: string;
}

/**
 * How a release ended, for people: a headline, then (for a failure or a timeout) the diagnosis,
 * indented. Plain text; the caller adds the mark and colour.
 */
export function outcomeLines(result: RolloutOutcome, r: ReleaseInfo): string[] {
  const state = 'snapshot' in result && result.snapshot ? describeSnapshot(result.snapshot) : 'no service state';
  const follow = `follow it with \`provision status --params ${r.file}\``;
  const diagnosis = 'diagnosis' in result ? diagnosisLines(result.diagnosis).map((l) => `  ${l}`) : [];
  switch (result.kind) {
    case 'stable':
      return [`released ${r.repository}:${r.to} to ${r.stack}: ${state}`];
    case 'stack-complete':
      return [`${r.stack} now runs ImageTag ${r.to}; not waiting for the service to settle (${state}): ${follow}`];
    case 'service-missing':
      return [`the ECS service of ${r.stack} disappeared during the release`];
    case 'timeout': {
      const minutes = Math.round(r.timeoutMs / 6000) / 10;
      const stack = result.stack.kind === 'running' ? '; the stack update is still running' : '';
      return [
        `gave up waiting after ${minutes} min for ${r.stack} to be stable: ${state}${stack}. The rollout goes on: ${follow}, or run again with a longer --timeout`,
        ...diagnosis,
      ];
    }
    case 'failed': {
      const stack = result.stack;
      if (stack?.kind === 'failed')
        return [
          `the update of ${r.stack} failed (${stack.status})${stack.reason ? `: ${stack.reason}` : ''}`,
          ...diagnosis,
        ];
      const why = result.snapshot?.rolloutStateReason ? `: ${result.snapshot.rolloutStateReason}` : '';
      return [
        `the ECS rollout of ${r.repository}:${r.to} failed${why} (${state})`,
        `  CloudFormation rolls ${r.stack} back to ImageTag ${r.from}: ${follow}`,
        ...diagnosis,
      ];
    }
  }
}
