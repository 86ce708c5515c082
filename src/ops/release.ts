/**
 * The stack side of `provision release`: checking the image tag is in ECR, and a change set that
 * changes ONLY the service stack's ImageTag. The template and every other parameter stay as
 * deployed (UsePreviousTemplate, UsePreviousValue): a release must not carry along whatever else
 * changed in the params file or the templates since the last deploy (that is `deploy`'s job), and
 * UsePreviousValue keeps NoEcho values without ever reading them.
 *
 * It reuses the engine's change-set helpers (names, waiting, "no changes" handling, cleanup of this
 * tool's stale change sets); only the request differs from a deploy's.
 */
import {
  CreateChangeSetCommand,
  DescribeStackResourceCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { paginateDescribeImages, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { waitForChangeSet, type ChangeSetOutcome, type ChangeSetRef } from '../deploy/change-set';
import { deleteChangeSet, isOursToDelete, listOwnChangeSets, parametersOf, uniqueName } from '../deploy/cloudformation';
import type { PollOptions } from '../deploy/types';
import { OpsError } from './errors';
import { IMAGE_TAG_PARAM, imageOf, imageState, type ServiceImageParams } from './images';
import { ImageTag } from '../../templates/service/image';

/** Docker's tag rule: the template's own ImageTag AllowedPattern. */
export const IMAGE_TAG_PATTERN = new RegExp(ImageTag.pattern);

/** The image parameters of a deployed service stack; an error when it has no ImageTag. */
export function imageParams(stack: Stack): ServiceImageParams {
  const image = imageOf(parametersOf(stack));
  if (!image)
    throw new OpsError(
      'NotDeployed',
      `stack ${stack.StackName} has no ${IMAGE_TAG_PARAM} parameter, so it cannot be released by tag`,
    );
  return image;
}

/** How many tags an error lists. */
const NEWEST = 5;

/**
 * Confirms `tag` is in the repository. A missing tag is a usage error that lists the newest tags
 * there are (so a typo is obvious); a missing repository says which.
 */
export async function assertImageTag(ecr: ECRClient, repository: string, tag: string): Promise<void> {
  const state = await imageState(ecr, repository, tag);
  if (state === 'present') return;
  if (state === 'no-repository') {
    throw new OpsError(
      'NotDeployed',
      `ECR repository ${repository} does not exist`,
      'deploy the repository stage (repositories: in the params file) and push the image first',
    );
  }
  const newest = await newestTags(ecr, repository, NEWEST);
  throw new OpsError(
    'ImageTagMissing',
    `image tag "${tag}" is not in ECR repository ${repository}`,
    newest.length
      ? `newest tags there: ${newest.join(', ')}; push ${repository}:${tag} first, or pick one of these`
      : `the repository has no tagged images: push ${repository}:${tag} first`,
  );
}

/** The repository's newest tags, newest first (by push time). */
export async function newestTags(ecr: ECRClient, repository: string, count: number): Promise<string[]> {
  const images: ImageDetail[] = [];
  const input = { repositoryName: repository, filter: { tagStatus: 'TAGGED' as const }, maxResults: 1000 };
  for await (const page of paginateDescribeImages({ client: ecr }, input)) {
    images.push(...(page.imageDetails ?? []));
    if (images.length >= 10_000) break;
  }
  return sortTagsByPush(images).slice(0, count);
}

/** Tags of the images, the most recently pushed image first. */
export function sortTagsByPush(images: ImageDetail[]): string[] {
  return [...images]
    .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
    .flatMap((i) => i.imageTags ?? []);
}

/** The physical id of one of the stack's resources (the ECS service's ARN, a target group's ARN). */
export async function stackResourceId(
  cfn: CloudFormationClient,
  stackName: string,
  logicalId: string,
): Promise<string | undefined> {
  try {
    const out = await cfn.send(
      new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }),
    );
    return out.StackResourceDetail?.PhysicalResourceId || undefined;
  } catch (err) {
    if (err instanceof Error && err.name === 'ValidationError') return undefined; // no such resource
    throw err;
  }
}

/**
 * A change set on `stack` that sets ImageTag to `tag` and keeps the template and every other
 * parameter, capability and tag. This tool's stale change sets on the stack are removed first.
 * Returns the computed change set (or `empty`, already deleted).
 */
export async function imageTagChangeSet(
  cfn: CloudFormationClient,
  stack: Stack,
  tag: string,
  poll?: PollOptions,
  signal?: AbortSignal,
): Promise<{ ref: ChangeSetRef; outcome: ChangeSetOutcome }> {
  const stackName = stack.StackName ?? '';
  for (const stale of (await listOwnChangeSets(cfn, stack)).filter((cs) => isOursToDelete(cs)))
    await deleteChangeSet(cfn, stack.StackId ?? stackName, stale.ChangeSetName ?? '');
  const changeSetName = uniqueName();
  const out = await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: 'UPDATE',
      ClientToken: changeSetName,
      Description: `cfn-stages release ${tag}`,
      UsePreviousTemplate: true,
      Parameters: releaseParameters(stack, tag),
      Capabilities: stack.Capabilities,
      Tags: stack.Tags,
    }),
  );
  const ref: ChangeSetRef = {
    stackName,
    stackId: out.StackId ?? stack.StackId ?? stackName,
    changeSetName,
    type: 'UPDATE',
  };
  const outcome = await waitForChangeSet(cfn, ref, (s) => s, poll, signal);
  return { ref, outcome };
}

/** Every parameter of the stack kept as it is, except ImageTag. */
export function releaseParameters(
  stack: Stack,
  tag: string,
): { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }[] {
  return (stack.Parameters ?? []).map((p) =>
    p.ParameterKey === IMAGE_TAG_PARAM
      ? { ParameterKey: IMAGE_TAG_PARAM, ParameterValue: tag }
      : { ParameterKey: p.ParameterKey ?? '', UsePreviousValue: true },
  );
}
