/**
 * Change sets: create one for a stack spec, wait until CloudFormation has computed it, and read
 * it back as a {@link ChangeSummary}. "No changes" is a result here, not an error.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  type Change,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { deleteChangeSet, isNoChangesReason, patiently, uniqueName } from './cloudformation';
import { ChangeSetFailedError } from './errors';
import { Pacer } from './poll';
import type { Masker } from './template';
import type { Adoption } from './adopt';
import type { ChangeSummary, PollOptions, Replacement, ResourceChange, StackSpec } from './types';

/** Where the template comes from: inline, or an S3 URL for templates over the inline limit. */
export type TemplateSource = { TemplateBody: string } | { TemplateURL: string };

export interface ChangeSetRef {
  stackName: string;
  stackId: string;
  changeSetName: string;
  /** IMPORT: a new stack that adopts resources an earlier stack kept (see adopt.ts). */
  type: 'CREATE' | 'UPDATE' | 'IMPORT';
}

/** Starts a change set; the name doubles as the idempotency token, so an SDK retry cannot make two. */
export async function createChangeSet(
  cfn: CloudFormationClient,
  spec: StackSpec,
  type: ChangeSetRef['type'],
  template: TemplateSource,
  adoptions: Adoption[] = [],
): Promise<ChangeSetRef> {
  const changeSetName = uniqueName();
  const out = await cfn.send(
    new CreateChangeSetCommand({
      StackName: spec.name,
      ChangeSetName: changeSetName,
      ChangeSetType: type,
      ClientToken: changeSetName,
      Description: `cfn-stages ${spec.templateId}`,
      ...template,
      Parameters: Object.entries(spec.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
      Capabilities: spec.capabilities as never,
      ...(adoptions.length
        ? {
            ResourcesToImport: adoptions.map((a) => ({
              ResourceType: a.resourceType,
              LogicalResourceId: a.logicalId,
              ResourceIdentifier: a.identifier,
            })),
          }
        : {}),
    }),
  );
  return { stackName: spec.name, stackId: out.StackId ?? spec.name, changeSetName, type };
}

/** A computed change set: its summarised changes, or `empty` when there was nothing to change. */
export type ChangeSetOutcome = { kind: 'ready'; summary: ChangeSummary } | { kind: 'empty' };

/**
 * Waits for CREATE_COMPLETE and reads every page of changes. A change set that FAILED for "no
 * changes" is deleted and reported `empty`; any other failure throws {@link ChangeSetFailedError}
 * (the change set is left for inspection; the next run cleans it up).
 */
export async function waitForChangeSet(
  cfn: CloudFormationClient,
  ref: ChangeSetRef,
  mask: Masker,
  poll?: PollOptions,
  signal?: AbortSignal,
): Promise<ChangeSetOutcome> {
  const pacer = new Pacer(poll);
  // A throttled read (after the SDK's retries) is a reason to slow down, not to give up.
  const read = (NextToken?: string) => patiently(pacer, signal, () => describe(cfn, ref, NextToken));
  let first = await read();
  while (first.Status === 'CREATE_PENDING' || first.Status === 'CREATE_IN_PROGRESS') {
    await pacer.wait(false, signal);
    first = await read();
  }
  if (first.Status === 'FAILED') {
    if (isNoChangesReason(first.StatusReason)) {
      await deleteChangeSet(cfn, ref.stackId, ref.changeSetName);
      return { kind: 'empty' };
    }
    throw new ChangeSetFailedError(ref.stackName, mask(first.StatusReason ?? first.Status));
  }
  const changes = [...(first.Changes ?? [])];
  for (let page = first; page.NextToken;) {
    page = await read(page.NextToken);
    changes.push(...(page.Changes ?? []));
  }
  return {
    kind: 'ready',
    summary: {
      stackName: ref.stackName,
      type: ref.type === 'UPDATE' ? 'update' : 'create',
      changes: changes.flatMap(toResourceChange),
    },
  };
}

function describe(
  cfn: CloudFormationClient,
  ref: ChangeSetRef,
  NextToken?: string,
): Promise<DescribeChangeSetCommandOutput> {
  return cfn.send(
    new DescribeChangeSetCommand({ StackName: ref.stackId, ChangeSetName: ref.changeSetName, NextToken }),
  );
}

const REPLACEMENT: Record<string, Replacement> = { True: 'always', Conditional: 'conditional', False: 'never' };

/** One change set line as a plan line; non-resource changes (hooks) are left out. */
export function toResourceChange(change: Change): ResourceChange[] {
  const rc = change.ResourceChange;
  if (change.Type !== 'Resource' || !rc) return [];
  const causes = new Set<string>();
  const parameters = new Set<string>();
  const recreating = { properties: new Set<string>(), parameters: new Set<string>() };
  for (const d of rc.Details ?? []) {
    const target = d.Target;
    if (target?.Name) causes.add(target.Name);
    else if (target?.Attribute) causes.add(target.Attribute);
    if (d.ChangeSource === 'ParameterReference' && d.CausingEntity) parameters.add(d.CausingEntity);
    if (!target?.Name || !target.RequiresRecreation || target.RequiresRecreation === 'Never') continue;
    recreating.properties.add(target.Name);
    if (d.ChangeSource === 'ParameterReference' && d.CausingEntity) recreating.parameters.add(d.CausingEntity);
  }
  return [
    {
      action: (rc.Action ?? 'Modify') as ResourceChange['action'],
      logicalId: rc.LogicalResourceId ?? '',
      resourceType: rc.ResourceType ?? '',
      physicalId: rc.PhysicalResourceId || undefined,
      replacement: REPLACEMENT[rc.Replacement ?? ''] ?? 'never',
      causes: [...causes],
      ...(parameters.size ? { parameters: [...parameters] } : {}),
      ...(recreating.properties.size ? { replacedBy: [...recreating.properties] } : {}),
      ...(recreating.parameters.size ? { replacingParameters: [...recreating.parameters] } : {}),
    },
  ];
}
