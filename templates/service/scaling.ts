/**
 * Autoscaling of a service between a minimum and a maximum task count, by target tracking on both
 * average CPU and average memory (Opta's `autoscaling_target_cpu_percentage` and
 * `autoscaling_target_mem_percentage`, 80 % each by default). Each policy adds tasks when its
 * metric is above target; tasks are removed only when both allow it.
 *
 * No `RoleARN`: Application Auto Scaling uses (and creates on first use) its service-linked role
 * for ECS, which is scoped by AWS to exactly this job.
 */
import { AAS } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, type IntrinsicFunction } from '../kit/cf';

export interface ScalingParams {
  min: IntrinsicFunction;
  max: IntrinsicFunction;
  cpuTarget: IntrinsicFunction;
  memoryTarget: IntrinsicFunction;
}

/** Declares MinContainers, MaxContainers and the two targets (Opta's defaults). */
export function scalingParams(t: TemplateBuilder<'application'>): ScalingParams {
  const group = 'Scaling';
  return {
    min: t.param('MinContainers', {
      Type: 'Number',
      Default: 1,
      MinValue: 1,
      MaxValue: 1000,
      label: 'Minimum tasks',
      group,
      Description: 'The fewest tasks the service scales in to (2 or more keeps it up while a zone or a task fails).',
    }),
    max: t.param('MaxContainers', {
      Type: 'Number',
      Default: 3,
      MinValue: 1,
      MaxValue: 1000,
      label: 'Maximum tasks',
      group,
      Description: 'The most tasks the service scales out to. Must be at least the minimum.',
    }),
    cpuTarget: t.param('TargetCpuPercent', {
      Type: 'Number',
      Default: 80,
      MinValue: 10,
      MaxValue: 95,
      label: 'Target CPU (%)',
      group,
      Description: "Average CPU use, as a percentage of the task's CPU, that scaling keeps the service at.",
    }),
    memoryTarget: t.param('TargetMemoryPercent', {
      Type: 'Number',
      Default: 80,
      MinValue: 10,
      MaxValue: 95,
      label: 'Target memory (%)',
      group,
      Description: "Average memory use, as a percentage of the task's memory, that scaling keeps the service at.",
    }),
  };
}

/** The scalable target over the service's desired count, and its CPU and memory policies. */
export function autoscaling(
  t: TemplateBuilder<'application'>,
  cluster: IntrinsicFunction,
  service: Handle,
  p: ScalingParams,
): Handle {
  // Plain object: cloudform-types 7.5's ScalableTarget lacks the (newer) Tags property.
  const target = t.add('ScalableTarget', {
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    Properties: {
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: Fn.Join('/', ['service', cluster, service.att('Name')]),
      MinCapacity: p.min,
      MaxCapacity: p.max,
      Tags: t.tags(),
    },
  });
  const policy = (id: string, metric: string, targetValue: IntrinsicFunction): void => {
    t.add(
      id,
      new AAS.ScalingPolicy({
        PolicyName: Fn.Join('-', [service.att('Name'), id]),
        PolicyType: 'TargetTrackingScaling',
        ScalingTargetId: target.ref,
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: metric },
          TargetValue: targetValue,
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      }),
    );
  };
  policy('CpuScaling', 'ECSServiceAverageCPUUtilization', p.cpuTarget);
  policy('MemoryScaling', 'ECSServiceAverageMemoryUtilization', p.memoryTarget);
  return target;
}
