/**
 * A thin layer over the CloudFormation SDK calls the engine makes more than once, and the one
 * place where AWS's message texts are read: CloudFormation reports "stack does not exist",
 * "no changes", "cancelled" and "not imported" only in prose (a ValidationError or a status
 * reason), so each of those is recognised by a function here and nowhere else.
 */
import {
  CloudFormationClient,
  DeleteChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListChangeSets,
  paginateListStackResources,
  type ChangeSetSummary,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { Pacer } from './poll';
import type { Outputs } from './types';

/** Every change set this tool creates starts with this, so it only ever cleans up its own. */
export const CHANGE_SET_PREFIX = 'cfn-stages-';

/** This process's run: every name it makes carries it, so a run can tell its change sets from another run's. */
export const RUN_ID = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * Another run's change set counts as abandoned (and may be deleted) only when it is older than
 * this: a plan or deploy reads and executes or deletes its change sets within minutes, and the
 * run lock keeps two deploys of one environment apart.
 */
export const ABANDONED_CHANGE_SET_MS = 60 * 60_000;

/** A fresh change set name / idempotency token: letters, digits and hyphens, unique per attempt. */
export function uniqueName(): string {
  return `${CHANGE_SET_PREFIX}${RUN_ID}-${Math.random().toString(36).slice(2, 10)}`;
}

/** True for a change set this run made, or one of this tool's that is provably abandoned (see ABANDONED_CHANGE_SET_MS). */
export function isOursToDelete(summary: ChangeSetSummary, now = Date.now()): boolean {
  const name = summary.ChangeSetName ?? '';
  if (!name.startsWith(CHANGE_SET_PREFIX)) return false;
  if (name.startsWith(`${CHANGE_SET_PREFIX}${RUN_ID}-`)) return true;
  const created = summary.CreationTime ? new Date(summary.CreationTime).getTime() : NaN;
  return Number.isFinite(created) && now - created > ABANDONED_CHANGE_SET_MS;
}

/** The stack, or undefined when it does not exist (by name; by id a deleted stack is DELETE_COMPLETE). */
export async function describeStack(cfn: CloudFormationClient, nameOrId: string): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: nameOrId }));
    return out.Stacks?.[0];
  } catch (err) {
    if (isStackMissing(err)) return undefined;
    throw err;
  }
}

/** The template CloudFormation holds for the stack, as it was submitted. */
export async function getTemplateBody(cfn: CloudFormationClient, stackName: string): Promise<string | undefined> {
  const out = await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
  return out.TemplateBody;
}

export function outputsOf(stack: Stack | undefined): Outputs {
  const outputs: Outputs = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return outputs;
}

export function tagsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/**
 * Parameter values as given. For SSM-typed parameters that is the parameter's path (what a params
 * file holds), not `ResolvedValue` (what it resolved to at the last deploy, e.g. an AMI id).
 */
export function parametersOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
}

/**
 * Every change set on the stack, whoever made it. Some emulators answer ListChangeSets with every
 * stack's change sets, so the stack is checked on each summary too.
 */
export async function listChangeSets(cfn: CloudFormationClient, stack: Stack): Promise<ChangeSetSummary[]> {
  const found: ChangeSetSummary[] = [];
  for await (const page of paginateListChangeSets({ client: cfn }, { StackName: stack.StackId ?? stack.StackName })) {
    for (const s of page.Summaries ?? [])
      if (s.StackId === stack.StackId || s.StackName === stack.StackName) found.push(s);
  }
  return found;
}

/** This tool's change sets on the stack (of any run: filter with {@link isOursToDelete} before deleting). */
export async function listOwnChangeSets(cfn: CloudFormationClient, stack: Stack): Promise<ChangeSetSummary[]> {
  return (await listChangeSets(cfn, stack)).filter((s) => s.ChangeSetName?.startsWith(CHANGE_SET_PREFIX));
}

/** The stack's resources (ListStackResources, every page), by its id when known so a deleted stack's are read too. */
export async function listStackResources(cfn: CloudFormationClient, stack: Stack): Promise<StackResourceSummary[]> {
  const found: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources(
    { client: cfn },
    { StackName: stack.StackId ?? stack.StackName },
  )) {
    found.push(...(page.StackResourceSummaries ?? []));
  }
  return found;
}

/** Deletes a change set; one that is already gone is fine. */
export async function deleteChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetName: string,
): Promise<void> {
  try {
    await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
  } catch (err) {
    if (!isChangeSetMissing(err)) throw err;
  }
}

function awsError(err: unknown): { name: string; message: string } {
  return err instanceof Error ? err : { name: '', message: String(err) };
}

/** DescribeStacks on a missing stack: ValidationError "Stack with id X does not exist". */
export function isStackMissing(err: unknown): boolean {
  const { name, message } = awsError(err);
  return name === 'ValidationError' && /does not exist/.test(message);
}

function isChangeSetMissing(err: unknown): boolean {
  const { name } = awsError(err);
  return name === 'ChangeSetNotFoundException' || isStackMissing(err);
}

/**
 * Another run changed the stack between this run's look at it and its change set. Executing a
 * change set deletes the stack's other change sets, so ours is gone (ChangeSetNotFoundException,
 * or a ValidationError "ChangeSet [X] does not exist"); and a CREATE change set for a stack that
 * another run created meanwhile is refused: ValidationError "Stack [X] already exists and cannot
 * be created again with the changeSet [Y]."; an UPDATE change set asked for once the other run's
 * update has started is refused: "Stack:X is in UPDATE_IN_PROGRESS state and can not be updated."
 * Two environments that share a project stack (an ECR repository) meet this when they deploy at
 * once, since the run lock is per environment.
 */
export function isChangedByAnotherRun(err: unknown): boolean {
  const { name, message } = awsError(err);
  if (name === 'ChangeSetNotFoundException') return true;
  return (
    name === 'ValidationError' &&
    (/^ChangeSet \[[^\]]*\] does not exist/.test(message) ||
      /already exists and cannot be created again with the changeSet/.test(message) ||
      /is in [A-Z_]+_IN_PROGRESS state and can not be updated/.test(message))
  );
}

/**
 * A change set that FAILED only because there is nothing to change. CloudFormation words this
 * "The submitted information didn't contain changes..." (and, for some stacks, "No updates are to
 * be performed.").
 */
export function isNoChangesReason(reason: string | undefined): boolean {
  return !!reason && (/didn't contain changes/.test(reason) || /No updates are to be performed/.test(reason));
}

/**
 * A resource event that failed only because a sibling failed first: "Resource creation
 * cancelled", "Resource update cancelled", "Resource deletion cancelled"...
 */
export function isCancellationReason(reason: string | undefined): boolean {
  return !!reason && /^Resource \w+ cancelled/i.test(reason.trim());
}

/** ListImports on an export nobody imports: ValidationError "Export 'X' is not imported by any stack." */
export function isNotImportedError(err: unknown): boolean {
  const { name, message } = awsError(err);
  return name === 'ValidationError' && /is not imported by any stack/.test(message);
}

/**
 * The API refused the call for its rate (after the SDK's own retries). CloudFormation answers
 * `Throttling`; other services' names for it are here too, as the SDK's retry strategy knows them.
 */
export function isThrottling(err: unknown): boolean {
  return [
    'Throttling',
    'ThrottlingException',
    'ThrottledException',
    'RequestLimitExceeded',
    'TooManyRequestsException',
  ].includes(awsError(err).name);
}

/** CancelUpdateStack once the update is past the point of no return (cleanup already running). */
export function isNotCancellable(err: unknown): boolean {
  const { name, message } = awsError(err);
  return name === 'ValidationError' && /CancelUpdateStack cannot be called/.test(message);
}

/**
 * A delete refused because AWS is still releasing what used the resource: a security group,
 * subnet or VPC whose load balancer or task network interfaces go asynchronously after their
 * owners are deleted. EC2 says DependencyViolation ("resource sg-1 has a dependent object",
 * "The subnet 'subnet-1' has dependencies and cannot be deleted"); CloudFormation passes the
 * text on in the resource's DELETE_FAILED reason. Such a delete succeeds when retried later.
 */
export function isReleasePending(reason: string | undefined): boolean {
  return !!reason && /DependencyViolation|has a dependent object|has dependencies and cannot be deleted/.test(reason);
}

/**
 * Runs a read until it is not throttled: each throttled attempt (the SDK's own retries spent)
 * waits the pacer's next, longer delay. Other errors, and an abort while waiting, go to the caller.
 */
export async function patiently<T>(pacer: Pacer, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (!isThrottling(err)) throw err;
      await pacer.wait(false, signal);
    }
  }
}
