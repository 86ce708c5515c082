/**
 * A deployed service's health as `provision status` shows it: task counts, the image tag it runs
 * (from its task definition, i.e. what is really running, not what the params file says), the
 * rollout state, and the load balancer's view of its targets.
 *
 * Where the target group comes from: the service's own load balancer registration (what ECS
 * registers tasks with); if ECS does not report one, the stack's: a 91 extra service's own
 * TargetGroup resource, or the app's target group exported by its load balancer stack (32).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTaskDefinitionCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AppLoadBalancer } from '../../templates/contracts';
import { TARGET_GROUP_LOGICAL_ID } from '../../templates/service/targetGroup';
import { outputId } from '../../templates/kit/exports';
import { CONTAINER_NAME, SERVICE_LOGICAL_ID } from '../../templates/service/service';
import { describeStack, outputsOf } from '../deploy/cloudformation';
import { errorText } from '../errors';
import { stackResourceId } from './release';
import { baselineOf, clusterOfServiceArn, describeService, snapshotOf } from './rollout';

/** Target states, as ELBv2 names them, in the order a summary lists them. */
const TARGET_STATES = ['healthy', 'initial', 'unhealthy', 'unused', 'draining', 'unavailable'] as const;

export interface TargetSummary {
  /** Targets per state (only states with targets). */
  counts: Record<string, number>;
  total: number;
  /** The first target that is not healthy (nor still starting), and why. */
  firstUnhealthy?: { target: string; state: string; reason?: string; description?: string };
}

/** Counts by state and the first problem target (pure). */
export function summariseTargets(descriptions: TargetHealthDescription[]): TargetSummary {
  const counts: Record<string, number> = {};
  let firstUnhealthy: TargetSummary['firstUnhealthy'];
  for (const d of descriptions) {
    const state = d.TargetHealth?.State ?? 'unknown';
    counts[state] = (counts[state] ?? 0) + 1;
    if (!firstUnhealthy && ['unhealthy', 'unavailable'].includes(state)) {
      firstUnhealthy = {
        target: `${d.Target?.Id ?? '?'}${d.Target?.Port ? `:${d.Target.Port}` : ''}`,
        state,
        ...(d.TargetHealth?.Reason ? { reason: d.TargetHealth.Reason } : {}),
        ...(d.TargetHealth?.Description ? { description: d.TargetHealth.Description } : {}),
      };
    }
  }
  return { counts, total: descriptions.length, ...(firstUnhealthy ? { firstUnhealthy } : {}) };
}

/** "2 healthy, 1 unhealthy" (or "no targets"). */
export function describeTargets(t: TargetSummary): string {
  if (!t.total) return 'no targets';
  const known = TARGET_STATES.filter((s) => t.counts[s]).map((s) => `${t.counts[s]} ${s}`);
  const other = Object.entries(t.counts)
    .filter(([s]) => !(TARGET_STATES as readonly string[]).includes(s))
    .map(([s, n]) => `${n} ${s}`);
  return [...known, ...other].join(', ');
}

/** The tag (or digest) of an image reference: `repo:tag` → `tag`, `repo@sha256:abc...` → `sha256:abc...` (12 hex). */
export function imageTagOf(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1, at + 1 + 'sha256:'.length + 12);
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

export interface ServiceHealth {
  stack: string;
  serviceName?: string;
  cluster?: string;
  desired?: number;
  running?: number;
  pending?: number;
  /** Deployments still active (more than 1 while a rollout replaces tasks). */
  deployments?: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  /** Full image reference of the app container, and its tag. */
  image?: string;
  imageTag?: string;
  targetGroupArn?: string;
  targets?: TargetSummary;
  /** What could not be read (the row still shows the rest). */
  error?: string;
}

export interface HealthClients {
  cloudFormation: CloudFormationClient;
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface HealthInput {
  /** The service stack (32 or 91). */
  stackName: string;
  /** The app's load balancer stack, for the main service's target group. */
  loadBalancerStack?: string;
  /** The environment's cluster, for a service ARN in the old short format. */
  clusterName?: () => Promise<string | undefined>;
}

/** The health of one deployed service stack. Problems reading a part become `error`, not a throw. */
export async function serviceHealth(clients: HealthClients, input: HealthInput): Promise<ServiceHealth> {
  const health: ServiceHealth = { stack: input.stackName };
  try {
    const arn = await stackResourceId(clients.cloudFormation, input.stackName, SERVICE_LOGICAL_ID);
    if (!arn) return { ...health, error: 'the stack has no ECS service resource' };
    const cluster = clusterOfServiceArn(arn) ?? (await input.clusterName?.());
    if (!cluster) return { ...health, error: `cannot tell the cluster of ${arn}` };
    const service = await describeService(clients.ecs, { cluster, service: arn });
    if (!service)
      return { ...health, cluster, error: 'the ECS service does not exist (deleted outside CloudFormation?)' };
    Object.assign(health, countsOf(service), { serviceName: service.serviceName, cluster });
    Object.assign(health, await imageOf(clients.ecs, service));
    const tg =
      service.loadBalancers?.find((lb) => lb.targetGroupArn)?.targetGroupArn ??
      (await stackTargetGroup(clients.cloudFormation, input));
    if (tg) {
      health.targetGroupArn = tg;
      const out = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
      health.targets = summariseTargets(out.TargetHealthDescriptions ?? []);
    }
  } catch (err) {
    health.error = errorText(err);
  }
  return health;
}

function countsOf(service: Service): Partial<ServiceHealth> {
  const s = snapshotOf(service, baselineOf(undefined));
  return {
    desired: s.desired,
    running: s.running,
    pending: s.pending,
    deployments: s.deployments,
    ...(s.rolloutState ? { rolloutState: s.rolloutState } : {}),
    ...(s.rolloutStateReason ? { rolloutStateReason: s.rolloutStateReason } : {}),
  };
}

/** The app container's image in the primary deployment's task definition (what new tasks run). */
async function imageOf(ecs: ECSClient, service: Service): Promise<Partial<ServiceHealth>> {
  const taskDefinition =
    service.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
  if (!taskDefinition) return {};
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  const containers = out.taskDefinition?.containerDefinitions ?? [];
  const image = (containers.find((c) => c.name === CONTAINER_NAME) ?? containers[0])?.image;
  return image ? { image, imageTag: imageTagOf(image) } : {};
}

async function stackTargetGroup(cfn: CloudFormationClient, input: HealthInput): Promise<string | undefined> {
  const own = await stackResourceId(cfn, input.stackName, TARGET_GROUP_LOGICAL_ID);
  if (own) return own;
  if (!input.loadBalancerStack) return undefined;
  return outputsOf(await describeStack(cfn, input.loadBalancerStack))[outputId(AppLoadBalancer.TargetGroupArn)];
}
