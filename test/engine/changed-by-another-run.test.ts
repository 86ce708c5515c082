/**
 * The errors that say another run changed a stack between this run's look at it and its change
 * set (src/deploy/cloudformation.ts, isChangedByAnotherRun): deploy then waits for that run and
 * deploys again instead of failing (src/run/deploy.ts). The end-to-end view, on the emulator, is
 * test/e2e/shared-stack-race.test.ts.
 */
import { isChangedByAnotherRun } from '../../src/deploy/cloudformation';

const awsError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

test.each([
  ['ChangeSetNotFoundException', 'ChangeSet [cfn-stages-abc] does not exist'],
  ['ValidationError', 'ChangeSet [cfn-stages-abc] does not exist'],
  [
    'ValidationError',
    'Stack [ecr-acme-web] already exists and cannot be created again with the changeSet [cfn-stages-abc].',
  ],
  [
    'ValidationError',
    'Stack:arn:aws:cloudformation:us-east-1:123456789012:stack/ecr-acme-web/1a2b is in UPDATE_IN_PROGRESS state and can not be updated.',
  ],
])('%s "%s" is another run', (name, message) => {
  expect(isChangedByAnotherRun(awsError(name, message))).toBe(true);
});

test.each([
  ['ValidationError', 'Stack with id x-dev-network does not exist'],
  ['ValidationError', 'Stack:arn:...:stack/x/1 is in UPDATE_ROLLBACK_FAILED state and can not be updated.'],
  ['ValidationError', 'Parameters: [Cpu] must have values'],
  ['InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]'],
  ['AlreadyExistsException', 'ChangeSet cfn-stages-abc already exists'],
])('%s "%s" is not', (name, message) => {
  expect(isChangedByAnotherRun(awsError(name, message))).toBe(false);
});
