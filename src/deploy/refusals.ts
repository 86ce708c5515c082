/**
 * Changes CloudFormation (or the data behind a stack) cannot take, found before anything runs:
 *
 * - a replacement of a resource whose physical name the template sets and keeps: CloudFormation
 *   creates the replacement first, under the same name, so it refuses the whole update ("cannot
 *   update a stack when a custom-named resource requires replacing"), after the earlier stacks of
 *   the run have already changed;
 * - a replacement of a resource that holds data (a bucket, queue, cache, database, secret, log
 *   group...): CloudFormation makes a new, empty one and the stack moves to it, while the data
 *   stays in the old one (kept by UpdateReplacePolicy, or deleted with it). CloudFormation goes
 *   ahead; this tool does not, however the change came (a setting such as `fifo:`, or the
 *   templates of a newer version);
 * - a change to how a deployed secret is generated (GenerateSecretString): Secrets Manager makes a
 *   new value that the database or cache created with the old one never gets;
 * - a parameter the template declares fixed after creation (metadata `cfn-stages.FixedAfterCreation`),
 *   such as a database name that is part of the generated credentials' template: Secrets Manager
 *   would generate a new password the database never gets.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { parametersOf } from './cloudformation';
import { noEchoParameters, parseTemplate, type TemplateDoc } from './template';
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

/**
 * Resource types that hold data people put there, each with what it is and what it holds: a
 * replacement starts an empty one. (An Aurora or DocumentDB member instance holds none: its
 * cluster does.)
 */
export const HOLDS_DATA: Readonly<Record<string, { kind: string; holds: string }>> = {
  'AWS::DocDB::DBCluster': { kind: 'database cluster', holds: 'data' },
  'AWS::DynamoDB::Table': { kind: 'table', holds: 'items' },
  'AWS::ECR::Repository': { kind: 'repository', holds: 'images' },
  'AWS::EFS::FileSystem': { kind: 'file system', holds: 'files' },
  'AWS::ElastiCache::ReplicationGroup': { kind: 'cache', holds: 'data' },
  'AWS::Logs::LogGroup': { kind: 'log group', holds: 'log events' },
  'AWS::RDS::DBCluster': { kind: 'database cluster', holds: 'data' },
  'AWS::S3::Bucket': { kind: 'bucket', holds: 'objects' },
  'AWS::SecretsManager::Secret': { kind: 'secret', holds: 'values' },
  'AWS::SQS::Queue': { kind: 'queue', holds: 'messages' },
};

/** Why this line of a plan will be refused (by CloudFormation, or by this tool), or undefined. */
export function refusalOf(change: ResourceChange, doc: TemplateDoc | undefined): string | undefined {
  return refusal(change, doc)?.reason;
}

function refusal(
  change: ResourceChange,
  doc: TemplateDoc | undefined,
): { reason: string; why: NonNullable<ResourceChange['refusedFor']> } | undefined {
  const name = change.physicalId ? ` (${change.physicalId})` : '';
  if (change.action === 'Modify' && regenerates(change)) {
    const reason = `changing how ${change.logicalId}${name} is generated (GenerateSecretString) makes Secrets Manager generate a new value, which what was made with the old one (a database's master password, a cache's AUTH token) never gets`;
    return { reason, why: 'regenerates' };
  }
  if (change.action !== 'Modify' || change.replacement !== 'always') return undefined;
  const nameProperty = NAME_PROPERTY[change.resourceType];
  const value = nameProperty ? doc?.Resources?.[change.logicalId]?.Properties?.[nameProperty] : undefined;
  // A new name is fine for CloudFormation: the replacement is created under it, then the old one goes.
  if (nameProperty && value !== undefined && !isNoValue(value) && !change.causes.includes(nameProperty)) {
    const reason = `replacing ${change.logicalId}${name} keeps its custom name (${nameProperty}), and CloudFormation refuses to replace a custom-named resource`;
    return { reason, why: 'custom-name' };
  }
  const data = HOLDS_DATA[change.resourceType];
  if (!data) return undefined;
  const reason = `replacing ${change.logicalId}${name} would start a new, empty ${data.kind}, leaving its ${data.holds} in the old one`;
  return { reason, why: 'holds-data' };
}

/**
 * A secret whose GenerateSecretString changes: Secrets Manager generates a new value, but a
 * `{{resolve:secretsmanager:...}}` reference whose text did not change is not resolved again, so
 * the database or cache created with the old value keeps it (cloudformation-coverage-roadmap #2210).
 */
function regenerates(change: ResourceChange): boolean {
  return change.resourceType === 'AWS::SecretsManager::Secret' && change.causes.includes('GenerateSecretString');
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
      const refused = refusal(ch, doc);
      return refused ? { ...ch, refused: refused.reason, refusedFor: refused.why } : ch;
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

/**
 * The template parameters behind each refused line, which let the refusal name the params-file
 * field. For a replacement, those behind the properties that require it: the change set's own
 * ParameterReference for them, else (a property a condition picks, `Fn::If [IsFifo, ...]`, comes
 * without one) the parameters those properties refer to, directly or through conditions, whose
 * value this deploy changes. A parameter that only changes something in place is not one of them.
 * NoEcho parameters are never named (DescribeStacks shows them as `****`).
 */
export function withParametersBehind(summary: ChangeSummary, spec: StackSpec, stack: Stack): ChangeSummary {
  if (!summary.changes.some((ch) => ch.refused !== undefined)) return summary;
  const doc = parseTemplate(spec.templateBody);
  const deployed = parametersOf(stack);
  const secret = new Set(noEchoParameters(doc));
  const changed = new Set(
    Object.entries(doc?.Parameters ?? {})
      .filter(([name, p]) => {
        if (secret.has(name)) return false;
        const wanted = spec.parameters[name] ?? (p.Default === undefined ? undefined : String(p.Default));
        return name in deployed && wanted !== undefined && wanted !== deployed[name];
      })
      .map(([name]) => name),
  );
  return {
    ...summary,
    changes: summary.changes.map((ch) => {
      if (ch.refused === undefined) return ch;
      const behind = parametersBehind(ch, doc, changed);
      return behind.length ? { ...ch, parameters: behind } : ch;
    }),
  };
}

function parametersBehind(ch: ResourceChange, doc: TemplateDoc | undefined, changed: Set<string>): string[] {
  if (ch.replacingParameters?.length) return ch.replacingParameters;
  const resource = doc?.Resources?.[ch.logicalId];
  if (!ch.replacedBy?.length) return ch.parameters ?? referencedParameters(doc, resource).filter((p) => changed.has(p));
  const properties = ch.replacedBy.map((name) => resource?.Properties?.[name]);
  return referencedParameters(doc, properties).filter((p) => changed.has(p));
}

/** The parameters a piece of a template refers to: `Ref`s, and the conditions it uses, followed. */
function referencedParameters(doc: TemplateDoc | undefined, node: unknown): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    for (const [key, value] of Object.entries(n)) {
      if (key === 'Ref' && typeof value === 'string' && doc?.Parameters?.[value]) found.add(value);
      const condition =
        key === 'Condition' && typeof value === 'string'
          ? value
          : key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string'
            ? value[0]
            : undefined;
      if (condition && !seen.has(condition)) {
        seen.add(condition);
        walk(doc?.Conditions?.[condition]);
      }
      walk(value);
    }
  };
  walk(node);
  return [...found];
}
