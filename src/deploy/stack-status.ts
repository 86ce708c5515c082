/**
 * A CloudFormation stack status as a small value with questions, so the deployer branches on
 * meaning ("must this stack be deleted before it can be created again?") instead of on strings.
 * Every status CloudFormation documents is classified in {@link StackStatus.next}; the test walks
 * the SDK's own list so a new status cannot slip through unnoticed.
 */

/** What the deployer must do with a stack found in a status before it can deploy. */
export type NextAction =
  /** No stack (never created, or DELETE_COMPLETE): create one. */
  | 'create'
  /** Stable: update it (or skip when unchanged). */
  | 'update'
  /** Someone's operation is running: wait for it to settle, then decide again. */
  | 'wait'
  /** Creation failed: the stack holds nothing useful and can only be deleted; then create. */
  | 'recreate'
  /** UPDATE_ROLLBACK_FAILED: ContinueUpdateRollback, wait, then update. */
  | 'continue-rollback'
  /** REVIEW_IN_PROGRESS: a stack with only change sets; clean them and create from a new one. */
  | 'create-from-review'
  /** A state a person must resolve (DELETE_FAILED, IMPORT_ROLLBACK_FAILED). */
  | 'needs-attention';

const NEXT: Record<string, NextAction> = {
  CREATE_IN_PROGRESS: 'wait',
  CREATE_COMPLETE: 'update',
  // With rollback disabled a failed create stays CREATE_FAILED and may be updated in place.
  CREATE_FAILED: 'update',
  ROLLBACK_IN_PROGRESS: 'wait',
  ROLLBACK_COMPLETE: 'recreate',
  ROLLBACK_FAILED: 'recreate',
  DELETE_IN_PROGRESS: 'wait',
  DELETE_COMPLETE: 'create',
  DELETE_FAILED: 'needs-attention',
  UPDATE_IN_PROGRESS: 'wait',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'wait',
  UPDATE_COMPLETE: 'update',
  // With rollback disabled a failed update stays UPDATE_FAILED and may be updated again.
  UPDATE_FAILED: 'update',
  UPDATE_ROLLBACK_IN_PROGRESS: 'wait',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'wait',
  UPDATE_ROLLBACK_COMPLETE: 'update',
  UPDATE_ROLLBACK_FAILED: 'continue-rollback',
  REVIEW_IN_PROGRESS: 'create-from-review',
  IMPORT_IN_PROGRESS: 'wait',
  IMPORT_COMPLETE: 'update',
  IMPORT_ROLLBACK_IN_PROGRESS: 'wait',
  IMPORT_ROLLBACK_COMPLETE: 'update',
  IMPORT_ROLLBACK_FAILED: 'needs-attention',
};

/** Every status the engine knows; a test checks this equals the SDK's list. */
export const KNOWN_STACK_STATUSES: readonly string[] = Object.keys(NEXT);

export class StackStatus {
  /** The status of a stack that does not exist (DescribeStacks said so). */
  static readonly MISSING = new StackStatus('DELETE_COMPLETE');

  constructor(
    readonly name: string,
    readonly reason?: string,
  ) {}

  /** What to do before deploying; unknown future statuses ending in _IN_PROGRESS are waited on. */
  get next(): NextAction {
    return NEXT[this.name] ?? (this.isInProgress ? 'wait' : 'needs-attention');
  }

  get isInProgress(): boolean {
    return this.name.endsWith('_IN_PROGRESS') && this.name !== 'REVIEW_IN_PROGRESS';
  }

  get isDeleted(): boolean {
    return this.name === 'DELETE_COMPLETE';
  }

  /** The last operation succeeded and the stack is usable. */
  get isComplete(): boolean {
    return ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE'].includes(this.name);
  }

  /** The last operation failed (whether or not the rollback worked). */
  get isFailed(): boolean {
    return this.name.endsWith('_FAILED') || this.isRollbackComplete;
  }

  /** The last operation failed and was rolled back (after a create: nothing left; after an update: the previous template). */
  get isRollbackComplete(): boolean {
    return ['ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'].includes(this.name);
  }

  /** A failed create: the stack can only be deleted (then created again). */
  get isCreationFailure(): boolean {
    return this.next === 'recreate';
  }

  get isUpdateRollbackFailed(): boolean {
    return this.name === 'UPDATE_ROLLBACK_FAILED';
  }

  /** A stack that only has change sets (created by CreateChangeSet, never executed). */
  get isReviewInProgress(): boolean {
    return this.name === 'REVIEW_IN_PROGRESS';
  }

  /** Stable with resources as last deployed, so comparing templates and skipping is safe. */
  get isStable(): boolean {
    return this.next === 'update';
  }

  /** No operation will change this status on its own. */
  get isSettled(): boolean {
    return !this.isInProgress;
  }

  toString(): string {
    return this.reason ? `${this.name} (${this.reason})` : this.name;
  }
}
