/**
 * What an app's target groups share: 31's group for the main service and each 91's own group take
 * ECS tasks by IP and check them over HTTP with the same pace, so both are written once here.
 */
import type { IntrinsicFunction } from '../kit/cf';

/** The logical id of a target group for an app's tasks, in 31 and in each 91 (the health watch reads it). */
export const TARGET_GROUP_LOGICAL_ID = 'TargetGroup';

/** The settings every task target group has; the caller adds its attributes and tags. */
export function taskTargetGroup(vpcId: IntrinsicFunction, healthPath: IntrinsicFunction) {
  return {
    // ECS registers each task with its container port; this port is only the default.
    TargetType: 'ip',
    Protocol: 'HTTP',
    ProtocolVersion: 'HTTP1',
    Port: 80,
    VpcId: vpcId,
    HealthCheckEnabled: true,
    HealthCheckProtocol: 'HTTP',
    HealthCheckPath: healthPath,
    Matcher: { HttpCode: '200-399' },
    HealthCheckIntervalSeconds: 15,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 3,
  };
}
