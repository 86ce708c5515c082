/**
 * Changes CloudFormation (or the data behind a stack) cannot take, found before anything runs:
 *
 * - a replacement of a resource whose physical name the template sets and keeps: CloudFormation
 *   creates the replacement first, under the same name, so it refuses the whole update ("cannot
 *   update a stack when a custom-named resource requires replacing"), after the earlier stacks of
 *   the run have already changed;
 * - a parameter the template declares fixed after creation (metadata `cfn-stages.FixedAfterCreation`),
 *   such as a database name that is part of the generated credentials' template: Secrets Manager
 *   would generate a new password the database never gets.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { parametersOf } from './cloudformation';
import { parseTemplate, type TemplateDoc } from './template';
import type { ChangeSummary, ResourceChange, StackSpec } from './types';

/**
 * The property that sets the physical name, per resource type (the types the catalogue uses, and
 * their common neighbours). From each type's CloudFormation reference ("Name" / "*Name" /
 * "*Identifier" properties documented as the resource's name).
 */
export const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::DocDB::DBCluster': 'DBClusterIdentifier',
  'AWS::DocDB::DBInstance': 'DBInstanceIdentifier',
  'AWS::DocDB::DBSubnetGroup': 'DBSubnetGroupName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ECS::Service': 'ServiceName',
  'AWS::EKS::Cluster': 'Name',
  'AWS::EKS::Nodegroup': 'NodegroupName',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::ElastiCache::SubnetGroup': 'CacheSubnetGroupName',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBSubnetGroup': 'DBSubnetGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
};

/** Why CloudFormation will refuse this line of a plan, or undefined when it will not. */
export function refusalOf(change: ResourceChange, doc: TemplateDoc | undefined): string | undefined {
  if (change.action !== 'Modify' || change.replacement !== 'always') return undefined;
  const nameProperty = NAME_PROPERTY[change.resourceType];
  const value = nameProperty ? doc?.Resources?.[change.logicalId]?.Properties?.[nameProperty] : undefined;
  if (!nameProperty || value === undefined || isNoValue(value)) return undefined;
  // A new name is fine: the replacement is created under it, then the old one is deleted.
  if (change.causes.includes(nameProperty)) return undefined;
  const name = change.physicalId ? ` (${change.physicalId})` : '';
  return `replacing ${change.logicalId}${name} keeps its custom name (${nameProperty}), and CloudFormation refuses to replace a custom-named resource`;
}

function isNoValue(value: unknown): boolean {
  return !!value && typeof value === 'object' && (value as { Ref?: unknown }).Ref === 'AWS::NoValue';
}

/** The plan with each line CloudFormation will refuse marked (see {@link refusalOf}). */
export function markRefusals(summary: ChangeSummary, templateBody: string): ChangeSummary {
  const doc = parseTemplate(templateBody);
  return {
    ...summary,
    changes: summary.changes.map((ch) => {
      const refused = refusalOf(ch, doc);
      return refused ? { ...ch, refused } : ch;
    }),
  };
}

/** The refused lines of a marked plan. */
export function refusedChanges(summary: ChangeSummary): ResourceChange[] {
  return summary.changes.filter((ch) => ch.refused !== undefined);
}

/** What the `cfn-stages` metadata of a template may say about its parameters. */
interface StagesMetadata {
  Metadata?: { 'cfn-stages'?: { FixedAfterCreation?: string[] } };
}

/** A parameter fixed after creation whose new value differs from the stack's. */
export interface FixedSettingChange {
  parameter: string;
  current: string;
  wanted: string;
}

/**
 * Parameters the template marks fixed after creation that this spec would change on an existing
 * stack. A parameter the stack does not have yet (an older template) is not a change.
 */
export function fixedSettingChanges(spec: StackSpec, stack: Stack): FixedSettingChange[] {
  const doc = parseTemplate(spec.templateBody) as (TemplateDoc & StagesMetadata) | undefined;
  const fixed = doc?.Metadata?.['cfn-stages']?.FixedAfterCreation ?? [];
  const current = parametersOf(stack);
  return fixed.flatMap((parameter) => {
    const declared = doc?.Parameters?.[parameter];
    const wanted =
      spec.parameters[parameter] ?? (declared?.Default === undefined ? undefined : String(declared.Default));
    const now = current[parameter];
    return now !== undefined && wanted !== undefined && now !== wanted ? [{ parameter, current: now, wanted }] : [];
  });
}
