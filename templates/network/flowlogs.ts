/** VPC flow logs: every accepted and rejected flow, to an encrypted log group. */
import { EC2, IAM } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { sub, type IntrinsicFunction } from '../kit/cf';
import { allow, assumedBy, policy } from '../kit/iam';
import { kmsKey, logGroup, logsMayUseKey } from '../kit/security';

/** Adds the key, the log group, the role VPC Flow Logs writes with, and the flow log itself. */
export function flowLogs(t: TemplateBuilder<'environment'>, vpc: Handle, retentionDays: IntrinsicFunction): void {
  const flowLogName = sub('/cfn-stages/${Prefix}${EnvironmentName}/vpc-flow-logs');
  const key = kmsKey(t, 'LogsKey', {
    protectsKeptData: false,
    description: "Encrypts the environment's VPC flow logs",
    alias: sub('alias/${Prefix}${EnvironmentName}-network-logs'),
    statements: [
      logsMayUseKey(
        'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/cfn-stages/${Prefix}${EnvironmentName}/*',
      ),
    ],
  });
  const flowLogGroup = logGroup(t, 'FlowLogGroup', { name: flowLogName, retentionDays, kmsKey: key });
  const flowLogRole = t.add(
    'FlowLogRole',
    new IAM.Role({
      AssumeRolePolicyDocument: assumedBy('vpc-flow-logs.amazonaws.com'),
      Policies: [
        {
          PolicyName: 'write-flow-logs',
          PolicyDocument: policy(
            allow(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], [flowLogGroup.att('Arn')]),
          ),
        },
      ],
      Tags: t.tags(),
    }),
  );
  t.add(
    'FlowLog',
    new EC2.FlowLog({
      ResourceId: vpc.ref,
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: flowLogName,
      DeliverLogsPermissionArn: flowLogRole.att('Arn'),
      Tags: t.tags(),
    }).dependsOn(flowLogGroup.id),
  );
}
