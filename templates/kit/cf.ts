/**
 * The one doorway to cloudform-types used by every builder, with ./resources.ts for its resource
 * classes.
 *
 * We import single modules (`cloudform-types/types/functions`, `.../ec2/vpc`) instead of the
 * package root or a service's index: the root loads all ~230 AWS services (about 0.31 s and 95 MB
 * on Node 20), the catalogue's services' indexes 238 files, the classes it builds about 60. Keep it
 * that way: never `import ... from 'cloudform-types'` or `'cloudform-types/types/<service>'`.
 */
import * as Fn from 'cloudform-types/types/functions';
import * as Refs from 'cloudform-types/types/refs';
import type Template from 'cloudform-types/types/template';
import type Output from 'cloudform-types/types/output';
import type Parameter from 'cloudform-types/types/parameter';
import type Resource from 'cloudform-types/types/resource';
import { ResourceTag } from 'cloudform-types/types/resource';
import type { Value, List, Condition } from 'cloudform-types/types/dataTypes';
import { IntrinsicFunction } from 'cloudform-types/types/dataTypes';

export { Fn, Refs, ResourceTag, IntrinsicFunction };
export type { Template, Output, Parameter, Resource, Value, List, Condition };

/** An IAM policy document, as CloudFormation takes it. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  /** Absent only in trust and resource policies. */
  Resource?: Value<string> | Value<string>[] | IntrinsicFunction;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Deletion and replacement policies CloudFormation accepts. */
export type RetentionPolicy = 'Delete' | 'Retain' | 'Snapshot' | 'RetainExceptOnCreate';

/**
 * A resource as the builders hand it to `TemplateBuilder.add`: either a typed cloudform class
 * (`new VPC({...})`, which checks property names and types) or a plain object for the few types
 * cloudform-types 7.5 lacks. Adds `UpdateReplacePolicy`, which cloudform's type leaves out.
 */
export interface CfnResource {
  Type: string;
  Properties?: object;
  DependsOn?: Value<string> | List<string>;
  Condition?: Value<string>;
  Metadata?: object;
  CreationPolicy?: unknown;
  UpdatePolicy?: unknown;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: RetentionPolicy;
}

/**
 * Keeps a resource's data when its stack is deleted or the resource is replaced: the catalogue's
 * "nothing lost by accident" rule for stateful resources. `Snapshot` where the type supports it.
 *
 * `Retain` is written as `RetainExceptOnCreate` on delete: a first creation that fails and rolls
 * back then deletes what it made (it holds no data yet), so a retry finds nothing in its way.
 * Replacement keeps `Retain` (UpdateReplacePolicy has no such variant).
 */
export function keep<R extends CfnResource>(resource: R, policy: 'Retain' | 'Snapshot' = 'Retain'): R {
  resource.DeletionPolicy = policy === 'Retain' ? 'RetainExceptOnCreate' : policy;
  resource.UpdateReplacePolicy = policy;
  return resource;
}

/** Serialises a built template exactly as it is published (stable key order, 2-space JSON). */
export function renderTemplate(template: object): string {
  return JSON.stringify(template, null, 2) + '\n';
}

/**
 * The body sent to CloudFormation: the same JSON without whitespace. Indentation is about a third
 * of a published template's bytes, so minified every catalogue template fits CloudFormation's
 * 51,200-byte inline limit (the network template is about 59 KB published, 30 KB minified) and
 * `plan` needs no bucket. `published/` stays readable; the engine compares bodies as JSON, so a
 * stack deployed from either form is "unchanged" for the other.
 */
export function compactTemplate(template: object): string {
  return JSON.stringify(template);
}

/** A plain JSON view of a template (intrinsic functions resolved to their JSON form), for tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into the JSON they inspect
export function toJson(template: object): any {
  return JSON.parse(JSON.stringify(template));
}

/** `Fn::Sub` in its short form (a plain string), which cloudform's `Fn.Sub` cannot produce. */
export function sub(pattern: string): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Sub', pattern);
}

/** Sets `Condition` on a resource when one is given. */
export function withCondition<R extends { Condition?: unknown }>(resource: R, condition: string | undefined): R {
  if (condition) resource.Condition = condition;
  return resource;
}
