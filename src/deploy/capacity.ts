/**
 * Lifting EC2 capacity's protections before its stack is deleted. Template 13's EC2 capacity is
 * an Auto Scaling group whose new instances are protected from scale-in, under a capacity
 * provider with managed termination protection: ECS keeps instances that run tasks, and the
 * protected instances stop the group from shrinking. On AWS, CloudFormation's delete of such a
 * group then waits on instances that never go, and the stack delete hangs or fails (aws-cdk
 * #18179, #14732). So, before DeleteStack: managed termination protection is turned off on the
 * stack's capacity providers, new instances are no longer protected, and every instance's
 * scale-in protection is removed. A stack without an Auto Scaling group is left alone.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { sdk, type AwsClients } from '../aws/clients';
import { listStackResources } from './cloudformation';

/** SetInstanceProtection takes at most 50 instance ids per call. */
const PROTECTION_BATCH = 50;

/** What was lifted, for the progress line. */
export interface LiftedProtections {
  capacityProviders: string[];
  instances: number;
}

/** Lifts the protections of the stack's EC2 capacity; returns undefined when it has none. */
export async function liftCapacityProtections(
  clients: AwsClients,
  stack: Stack,
): Promise<LiftedProtections | undefined> {
  const resources = await listStackResources(clients.cloudFormation, stack);
  const groups = resources.filter(
    (r) =>
      r.ResourceType === 'AWS::AutoScaling::AutoScalingGroup' &&
      r.PhysicalResourceId &&
      !r.ResourceStatus?.startsWith('DELETE_'),
  );
  if (groups.length === 0) return undefined;
  const providers = resources.filter(
    (r) =>
      r.ResourceType === 'AWS::ECS::CapacityProvider' &&
      r.PhysicalResourceId &&
      !r.ResourceStatus?.startsWith('DELETE_'),
  );
  const { UpdateCapacityProviderCommand } = sdk('@aws-sdk/client-ecs');
  for (const p of providers) {
    await clients.ecs.send(
      new UpdateCapacityProviderCommand({
        name: p.PhysicalResourceId!,
        autoScalingGroupProvider: { managedTerminationProtection: 'DISABLED' },
      }),
    );
  }
  let instances = 0;
  for (const g of groups) instances += await unprotectGroup(clients, g.PhysicalResourceId!);
  return { capacityProviders: providers.map((p) => p.PhysicalResourceId!), instances };
}

async function unprotectGroup(clients: AwsClients, groupName: string): Promise<number> {
  const { DescribeAutoScalingGroupsCommand, SetInstanceProtectionCommand, UpdateAutoScalingGroupCommand } =
    sdk('@aws-sdk/client-auto-scaling');
  const found = await clients.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
  );
  const group = found.AutoScalingGroups?.[0];
  if (!group) return 0;
  if (group.NewInstancesProtectedFromScaleIn) {
    await clients.autoScaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, NewInstancesProtectedFromScaleIn: false }),
    );
  }
  const protectedIds = (group.Instances ?? [])
    .filter((i) => i.ProtectedFromScaleIn && i.InstanceId)
    .map((i) => i.InstanceId!);
  for (let i = 0; i < protectedIds.length; i += PROTECTION_BATCH) {
    await clients.autoScaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: groupName,
        InstanceIds: protectedIds.slice(i, i + PROTECTION_BATCH),
        ProtectedFromScaleIn: false,
      }),
    );
  }
  return protectedIds.length;
}
