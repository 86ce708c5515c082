/**
 * Every stack status the SDK knows has a path in the deployer, and the questions the deployer
 * asks give the documented answers.
 */
import { StackStatus as SdkStackStatus } from '@aws-sdk/client-cloudformation';
import { KNOWN_STACK_STATUSES, StackStatus, type NextAction } from '../../src/deploy/stack-status';

it('classifies every status in the SDK', () => {
  expect([...KNOWN_STACK_STATUSES].sort()).toEqual(Object.values(SdkStackStatus).sort());
});

it.each<[string, NextAction]>([
  ['CREATE_COMPLETE', 'update'],
  ['UPDATE_COMPLETE', 'update'],
  ['UPDATE_ROLLBACK_COMPLETE', 'update'],
  ['ROLLBACK_COMPLETE', 'recreate'],
  ['ROLLBACK_FAILED', 'recreate'],
  ['UPDATE_ROLLBACK_FAILED', 'continue-rollback'],
  ['REVIEW_IN_PROGRESS', 'create-from-review'],
  ['DELETE_COMPLETE', 'create'],
  ['DELETE_FAILED', 'needs-attention'],
  ['IMPORT_ROLLBACK_FAILED', 'needs-attention'],
  ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'wait'],
  ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'wait'],
  ['CREATE_IN_PROGRESS', 'wait'],
  ['SOME_FUTURE_IN_PROGRESS', 'wait'],
  ['SOME_FUTURE_STATE', 'needs-attention'],
])('%s → %s', (status, next) => {
  expect(new StackStatus(status).next).toBe(next);
});

it('answers the questions the deployer asks', () => {
  const s = (name: string) => new StackStatus(name);
  expect(s('REVIEW_IN_PROGRESS').isInProgress).toBe(false);
  expect(s('REVIEW_IN_PROGRESS').isReviewInProgress).toBe(true);
  expect(s('ROLLBACK_COMPLETE').isCreationFailure).toBe(true);
  expect(s('UPDATE_ROLLBACK_COMPLETE').isCreationFailure).toBe(false);
  expect(s('UPDATE_ROLLBACK_COMPLETE').isFailed).toBe(true);
  expect(s('UPDATE_ROLLBACK_COMPLETE').isStable).toBe(true);
  expect(s('UPDATE_ROLLBACK_FAILED').isUpdateRollbackFailed).toBe(true);
  expect(s('UPDATE_COMPLETE').isComplete).toBe(true);
  expect(s('UPDATE_COMPLETE').isFailed).toBe(false);
  expect(s('DELETE_COMPLETE').isDeleted).toBe(true);
});
