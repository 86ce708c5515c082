/**
 * Change sets a deploy's plan made and kept, so that the deploy executes them instead of asking
 * CloudFormation to compute the same change set a second time. Before, every updated stack had two:
 * the plan's (read for refusals and export changes, then deleted) and the deploy's own. On AWS a
 * change set takes seconds to compute (longer for a large stack), and the calls around it
 * (create, describe until ready, delete) count against the account's CloudFormation rate.
 *
 * A kept change set stands only for what it was made from, so the deploy uses it only when all of
 * these still hold, and otherwise deletes it and makes its own as before:
 * - the stack is the one it was made on, not changed since (same StackId and last change time:
 *   CloudFormation moves LastUpdatedTime on every update);
 * - the spec is the same (template, parameters, tags, capabilities: a restore or an export pass
 *   changes it);
 * - nothing it depends on changes in the run (see keepReusable in src/run/preflight.ts): its imports then resolve
 *   to the values the change set was computed with.
 * Whatever the run did not use (a stack it never reached, a failure, Ctrl-C) is deleted at its end.
 */
import { createHash } from 'node:crypto';
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import type { ChangeSetRef } from './change-set';
import { deleteChangeSet } from './cloudformation';
import { EngineError } from './errors';
import type { ChangeSummary, StackSpec } from './types';

/** An update's change set made by the plan, with what it was made from. */
export interface HeldChangeSet {
  ref: ChangeSetRef;
  /** The change set's changes, as the plan read them. */
  plan: ChangeSummary;
  /** {@link inputOf} the spec it was made from. */
  input: string;
  /** {@link versionOf} the stack it was made on. */
  version: string;
}

/** What a change set is made from: the template, parameters, tags and capabilities (a digest). */
export function inputOf(spec: StackSpec): string {
  return createHash('sha256')
    .update(JSON.stringify([spec.templateBody, spec.parameters, spec.tags, spec.capabilities ?? []]))
    .digest('base64');
}

/** The stack as CloudFormation last changed it: its id and last change time. */
export function versionOf(stack: Stack): string {
  const at = stack.LastUpdatedTime ?? stack.CreationTime;
  return `${stack.StackId ?? stack.StackName}@${at ? new Date(at).toISOString() : '-'}`;
}

/** The change sets one run's plan kept, by stack name (see the file comment). */
export class PlannedChangeSets {
  private readonly held = new Map<string, HeldChangeSet>();

  constructor(private readonly cfn: CloudFormationClient) {}

  add(stackName: string, held: HeldChangeSet): void {
    this.held.set(stackName, held);
  }

  /** The kept change set's name for this stack, which a clean-up of old change sets must spare. */
  nameFor(stackName: string): string | undefined {
    return this.held.get(stackName)?.ref.changeSetName;
  }

  /** Whether the stack's kept change set stands for `spec` on `stack` as it is now: then the stack has changes. */
  standsFor(spec: StackSpec, stack: Stack): boolean {
    const held = this.held.get(spec.name);
    return !!held && held.input === inputOf(spec) && held.version === versionOf(stack);
  }

  /**
   * The stack's kept change set when it still stands for `spec` on `stack` as it is now (it is
   * then the caller's, to execute or delete); a kept one that no longer does is deleted here.
   */
  async take(spec: StackSpec, stack: Stack): Promise<HeldChangeSet | undefined> {
    const held = this.held.get(spec.name);
    if (!held) return undefined;
    this.held.delete(spec.name);
    if (held.input === inputOf(spec) && held.version === versionOf(stack)) return held;
    await deleteChangeSet(this.cfn, held.ref.stackId, held.ref.changeSetName);
    return undefined;
  }

  /** Drops a kept change set that must not be used (the run changes what it depends on). */
  async drop(stackName: string): Promise<void> {
    const held = this.held.get(stackName);
    if (!held) return;
    this.held.delete(stackName);
    await deleteChangeSet(this.cfn, held.ref.stackId, held.ref.changeSetName);
  }

  /** Deletes every change set the run did not use. A deletion that fails is left to the next run's clean-up. */
  async discardAll(): Promise<void> {
    const left = [...this.held.values()];
    this.held.clear();
    await Promise.all(
      left.map((h) => deleteChangeSet(this.cfn, h.ref.stackId, h.ref.changeSetName).catch(() => undefined)),
    );
  }

  get size(): number {
    return this.held.size;
  }
}

/**
 * `deploy --plan`: the change set CloudFormation computed for this stack is not the one the plan
 * file showed (an SSM-typed parameter's value moved, say), so it is deleted, not executed, and the
 * run stops as at any failure. `difference` lists the changes added (`+`) and gone (`-`).
 */
export class PlanDriftError extends EngineError {
  constructor(
    stackName: string,
    readonly difference: string,
    planFile: string,
  ) {
    super(
      'PlanDrift',
      `${stackName}: its changes are no longer those of the plan in ${planFile} (${difference}); not executed`,
      `run \`provision plan --out ${planFile}\` again and review it, then deploy the new plan`,
      { stackName },
    );
  }
}
