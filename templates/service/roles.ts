/**
 * The two roles of a service's tasks, least privilege, with no manual IAM step (aws-explorer's
 * guide had people paste a policy by hand before the app could read its configuration):
 * - the execution role is what ECS uses to start a task: pull the image, write the app's log
 *   group, fetch the environment file and the secrets injected as environment variables;
 * - the task role is what the app itself calls AWS with: read its own configuration secret
 *   (decrypting with the app's key, only through Secrets Manager), what its links grant, ECS Exec
 *   when switched on, and any extra managed policies the user names.
 */
import { IAM } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, sub, type IntrinsicFunction, type PolicyDocument, type PolicyStatement } from '../kit/cf';
import { allow, assumedBy, policy } from '../kit/iam';
import { onlyIf } from './cfn';

/** What both roles are scoped to: the app's shared pieces, the image, links and optional features. */
export interface RoleInputs {
  /** Imported: the app's log group, its configuration secret and KMS key (31). */
  logGroupName: IntrinsicFunction;
  configSecretArn: IntrinsicFunction;
  appKeyArn: IntrinsicFunction;
  /** From the image: ECR pull statements (may be conditional). */
  pullStatements: PolicyStatement[];
  /** Whether ECS injects keys of the configuration secret as environment variables. */
  injectsConfigKeys: boolean;
  /** Link grants, merged. */
  executionStatements: PolicyStatement[];
  taskStatements: PolicyStatement[];
  /** Conditions and parameters of optional features. */
  envFile: { condition: string; objectArn: IntrinsicFunction };
  execCondition: string;
  extraPolicies: { condition: string; arns: IntrinsicFunction };
}

/** Decrypt with the app key, and only when Secrets Manager asks on the role's behalf. */
export function decryptViaSecretsManager(keyArn: IntrinsicFunction): PolicyStatement {
  return allow(['kms:Decrypt'], [keyArn], {
    StringEquals: { 'kms:ViaService': sub('secretsmanager.${AWS::Region}.amazonaws.com') },
  });
}

/** Read the configuration secret: the exact secret ARN, and its key through Secrets Manager only. */
function readConfig(i: RoleInputs): PolicyStatement[] {
  return [allow(['secretsmanager:GetSecretValue'], [i.configSecretArn]), decryptViaSecretsManager(i.appKeyArn)];
}

/**
 * Trust policy for the task role, with the confused-deputy guard AWS documents for task roles:
 * only ECS acting for this account may assume it.
 */
function taskTrust(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*') },
          StringEquals: { 'aws:SourceAccount': Refs.AccountId },
        },
      },
    ],
  };
}

/** The app's log group and its streams, as an IAM resource. */
function appLogGroupArn(i: RoleInputs): IntrinsicFunction {
  return Fn.Sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:*', {
    LogGroup: i.logGroupName,
  });
}

/** The role ECS starts tasks with (never seen by the app). */
export function executionRole(t: TemplateBuilder<'application'>, id: string, i: RoleInputs): Handle {
  const logGroupArn = appLogGroupArn(i);
  // The environment file's bucket ARN is the object ARN up to its first "/".
  const bucketArn = Fn.Select(0, Fn.Split('/', i.envFile.objectArn));
  const statements: PolicyStatement[] = [
    allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroupArn]),
    ...i.pullStatements,
    onlyIf(i.envFile.condition, allow(['s3:GetObject'], [i.envFile.objectArn])),
    onlyIf(i.envFile.condition, allow(['s3:GetBucketLocation'], [bucketArn])),
    ...(i.injectsConfigKeys ? readConfig(i) : []),
    ...i.executionStatements,
  ];
  return t.add(
    id,
    new IAM.Role({
      Description: sub('Starts the tasks of ${AWS::StackName}: image, logs, injected secrets'),
      AssumeRolePolicyDocument: assumedBy('ecs-tasks.amazonaws.com'),
      Policies: [{ PolicyName: 'start-tasks', PolicyDocument: policy(...statements) }],
      Tags: t.tags(),
    }),
  );
}

/** The role the app's code calls AWS with. */
export function taskRole(t: TemplateBuilder<'application'>, id: string, i: RoleInputs): Handle {
  const statements: PolicyStatement[] = [
    ...readConfig(i),
    // ECS Exec's agent channels: ssmmessages has no resource-level permissions, so "*" is the only form.
    onlyIf(
      i.execCondition,
      allow(
        [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        '*',
      ),
    ),
    // ECS Exec session logging: with the cluster's default exec logging (DEFAULT), the agent in the
    // task writes each session's commands and output to the container's awslogs group (the app's
    // encrypted log group) with the task role, after looking the group up.
    onlyIf(
      i.execCondition,
      allow(
        ['logs:DescribeLogGroups'],
        [sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*')],
      ),
    ),
    onlyIf(
      i.execCondition,
      allow(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], [appLogGroupArn(i)]),
    ),
    ...i.taskStatements,
  ];
  return t.add(
    id,
    new IAM.Role({
      Description: sub('What the app in ${AWS::StackName} may call: its configuration, its linked data stores'),
      AssumeRolePolicyDocument: taskTrust(),
      Policies: [{ PolicyName: 'app', PolicyDocument: policy(...statements) }],
      ManagedPolicyArns: onlyIf(i.extraPolicies.condition, i.extraPolicies.arns),
      Tags: t.tags(),
    }),
  );
}
