/**
 * The ECS service of an app's service stack (32 or 91) and the cluster that runs it, as `release`,
 * `exec` and `status` need them.
 */
import { describeStack } from '../deploy/cloudformation';
import { stackResourceId } from '../ops/release';
import { clusterOfServiceArn, type ServiceRef } from '../ops/rollout';
import { CliError, ExitCode } from '../cli/errors';
import type { RunContext } from './context';
import { EcsCluster } from '../../templates/contracts';
import { outputId } from '../../templates/kit/exports';
import { SERVICE_LOGICAL_ID } from '../../templates/service/service';

/** The environment's cluster name, from the ECS cluster stack's outputs (old short service ARNs). */
export async function clusterFromStack(ctx: RunContext): Promise<string | undefined> {
  const cluster = ctx.all.find((s) => s.stage === 'ecsCluster');
  if (!cluster) return undefined;
  const stack = await describeStack(ctx.clients.cloudFormation, cluster.name);
  return stack?.Outputs?.find((o) => o.OutputKey === outputId(EcsCluster.ClusterName))?.OutputValue;
}

/** The ECS service of the stack and its cluster; refused (exit 2) when the stack has none. */
export async function serviceRef(ctx: RunContext, stackName: string): Promise<ServiceRef> {
  const arn = await stackResourceId(ctx.clients.cloudFormation, stackName, SERVICE_LOGICAL_ID);
  if (!arn) throw new CliError(`stack ${stackName} has no ECS service resource`, ExitCode.Refused);
  const cluster = clusterOfServiceArn(arn) ?? (await clusterFromStack(ctx));
  if (!cluster)
    throw new CliError(
      `cannot tell which cluster runs ${arn}`,
      ExitCode.Refused,
      `deploy the ecsCluster stage: provision deploy --params ${ctx.file}`,
    );
  return { cluster, service: arn };
}
