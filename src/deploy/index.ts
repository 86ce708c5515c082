/**
 * The deploy engine's public API. Importing this module loads the CloudFormation and S3 SDK
 * packages; code that only needs the types (results, events, errors) imports './types', which
 * loads nothing.
 */
export * from './types';
export { StackStatus, KNOWN_STACK_STATUSES, type NextAction } from './stack-status';
export { deployStack, planStack, type DeployOptions, type PlanOptions, type PlanResult } from './stack';
export { runGraph, reverseOrder, topologicalOrder, assertAcyclic, type GraphNode, type GraphOptions } from './graph';
export { destroyStacks, importsOf, type DestroyOptions, type DestroyResult, type KeptResource } from './destroy';
export {
  ensureArtifactBucket,
  uploadTemplate,
  templateUrl,
  artifactBucketName,
  INLINE_TEMPLATE_LIMIT,
  type ArtifactBucketOptions,
} from './artifacts';
export { maskerFor, MASK, type Masker } from './template';
export { DEFAULT_POLL } from './poll';
export { StatusBoard } from './status-board';
export { exportChanges, importersOf, detachedTemplate, keepingExports, type ExportChange } from './exports';
export {
  NAME_PROPERTY,
  refusalOf,
  markRefusals,
  refusedChanges,
  fixedSettingChanges,
  type FixedSettingChange,
} from './refusals';
