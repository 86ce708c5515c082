/**
 * IAM policy helpers. Least privilege is the rule: every statement names the exact resources it
 * needs; `Resource: "*"` appears only for actions that AWS does not scope to a resource (for
 * example `ecr:GetAuthorizationToken`), and each such use says why in a comment at its call site.
 */
import { sub, type IntrinsicFunction, type PolicyDocument, type PolicyStatement, type Value } from './cf';

/** Trust policy letting an AWS service assume a role. */
export function assumedBy(...services: string[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' }],
  };
}

/** An Allow statement. */
export function allow(
  actions: string[],
  resources: Value<string> | Value<string>[],
  condition?: PolicyStatement['Condition'],
): PolicyStatement {
  return { Effect: 'Allow', Action: actions, Resource: resources, ...(condition ? { Condition: condition } : {}) };
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** The ARN of an AWS managed policy, in the stack's partition. */
export function managedPolicy(name: string): IntrinsicFunction {
  return sub(`arn:\${AWS::Partition}:iam::aws:policy/${name}`);
}
