/**
 * A service is never deployed before its image exists. A service stack (32, 91) whose image comes
 * from the project's ECR repository creates an ECS service that cannot pull a missing image: on
 * AWS its tasks stop with CannotPullContainerError and the stack waits until the deployment
 * circuit breaker rolls it back, which can take an hour. So `deploy` (and the wizard) look the tag
 * up first and stop before such a stack with the commands that push the image.
 *
 * `release` checks its tag with the same lookup ({@link imageState}).
 */
import { DescribeImagesCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { PlannedStack } from '../../stages/plan';
import { StdParam } from '../../templates/kit/names';
import { ImageTag } from '../../templates/service/image';

/** The template parameter that names the tag (32, 91); `provision release` changes it. */
export const IMAGE_TAG_PARAM = ImageTag.parameter;

/** What a service stack runs, read from its parameters. */
export interface ServiceImageParams {
  tag: string;
  repository?: string;
  publicImage?: string;
}

/** The image parameters of a service stack (planned or deployed); undefined without an ImageTag. */
export function imageOf(parameters: Record<string, string>): ServiceImageParams | undefined {
  const tag = parameters[IMAGE_TAG_PARAM];
  if (tag === undefined) return undefined;
  const repository = parameters[StdParam.RepositoryName];
  return {
    tag,
    ...(repository ? { repository } : {}),
    ...(parameters.PublicImage ? { publicImage: parameters.PublicImage } : {}),
  };
}

/** Whether `repository:tag` can be pulled. */
export type ImageState = 'present' | 'no-tag' | 'no-repository';

/** Looks the tag up in ECR (DescribeImages). */
export async function imageState(ecr: ECRClient, repository: string, tag: string): Promise<ImageState> {
  try {
    await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
    return 'present';
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'RepositoryNotFoundException') return 'no-repository';
    if (name === 'ImageNotFoundException') return 'no-tag';
    throw err;
  }
}

/** A service stack and the ECR image it runs. */
export interface ImageNeed {
  stack: string;
  /** The stage key of the stack (`service`, `extra`), for `--only` hints. */
  stage: string;
  app?: string;
  repository: string;
  tag: string;
}

/** The planned stacks that run an image of the project's ECR repository (no public image). */
export function imageNeeds(stacks: PlannedStack[]): ImageNeed[] {
  return stacks.flatMap((s) => {
    const image = imageOf(s.parameters);
    if (!image?.repository || !image.tag || image.publicImage) return [];
    return [
      { stack: s.name, stage: s.stage, ...(s.app ? { app: s.app } : {}), repository: image.repository, tag: image.tag },
    ];
  });
}

/** An image a service stack needs that is not in ECR. */
export interface MissingImage extends ImageNeed {
  /** `no-repository`: the repository stack of this run has not created it yet. */
  state: Exclude<ImageState, 'present'>;
}

/** Checks every need (each distinct image once); returns those whose image is missing. */
export async function missingImages(ecr: ECRClient, needs: ImageNeed[]): Promise<MissingImage[]> {
  const states = new Map<string, Promise<ImageState>>();
  const stateOf = (n: ImageNeed): Promise<ImageState> => {
    const key = `${n.repository}:${n.tag}`;
    if (!states.has(key)) states.set(key, imageState(ecr, n.repository, n.tag));
    return states.get(key)!;
  };
  const checked = await Promise.all(needs.map(async (n) => ({ ...n, state: await stateOf(n) })));
  return checked.filter((n): n is MissingImage => n.state !== 'present');
}

/** The repository's URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`), when it exists. */
export async function repositoryUri(ecr: ECRClient, repository: string): Promise<string | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    return out.repositories?.[0]?.repositoryUri;
  } catch (err) {
    if (err instanceof Error && err.name === 'RepositoryNotFoundException') return undefined;
    throw err;
  }
}

/** Where an image goes and how to put it there. */
export interface PushInstructions {
  repository: string;
  tag: string;
  /** The repository URI; a placeholder account when the repository does not exist yet. */
  uri: string;
  /** Shell commands, in order: log in, tag a local image, push. */
  commands: string[];
}

/**
 * The commands that push a local image as `repository:tag`. `LOCAL_IMAGE` is the user's own
 * image (what `docker build -t LOCAL_IMAGE .` made).
 */
export function pushInstructions(repository: string, tag: string, region: string, uri?: string): PushInstructions {
  const full =
    uri ??
    `ACCOUNT_ID.dkr.ecr.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}/${repository}`;
  const registry = full.split('/')[0]!;
  return {
    repository,
    tag,
    uri: full,
    commands: [
      `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry}`,
      `docker tag LOCAL_IMAGE ${full}:${tag}`,
      `docker push ${full}:${tag}`,
    ],
  };
}

/** The plan's line under a service stack whose image is missing (`provision plan`, the wizard). */
export function waitingNote(
  m: ImageNeed,
  pushes: PushInstructions[],
  then = 'deploy stops before this stack until it is pushed',
): string {
  const uri = pushes.find((p) => p.repository === m.repository && p.tag === m.tag)?.uri ?? m.repository;
  return `waits for its image: ${m.repository}:${m.tag} is not in ECR; ${then} (docker push ${uri}:${m.tag})`;
}

/** Push instructions for each distinct missing image, with the repository's real URI when it exists. */
export async function pushInstructionsFor(
  ecr: ECRClient,
  region: string,
  missing: ImageNeed[],
): Promise<PushInstructions[]> {
  const distinct = [...new Map(missing.map((m) => [`${m.repository}:${m.tag}`, m])).values()];
  return Promise.all(
    distinct.map(async (m) => pushInstructions(m.repository, m.tag, region, await repositoryUri(ecr, m.repository))),
  );
}

/**
 * The lines that explain missing images: which stacks wait for which image, the push commands,
 * and the alternatives (a public image; the other stacks first with --only).
 */
export function missingImageLines(
  missing: ImageNeed[],
  pushes: PushInstructions[],
  opts: { file: string; otherStages: string[] },
): string[] {
  const lines: string[] = [];
  for (const p of pushes) {
    const stacks = missing.filter((m) => m.repository === p.repository && m.tag === p.tag).map((m) => m.stack);
    lines.push(
      `${stacks.join(', ')} run${stacks.length === 1 ? 's' : ''} ${p.repository}:${p.tag}, which is not in ECR yet. Push it (LOCAL_IMAGE: your image, e.g. from \`docker build -t LOCAL_IMAGE .\`):`,
    );
    for (const c of p.commands) lines.push(`  ${c}`);
  }
  lines.push(
    `then run the same command again. Or set publicImage on the service in ${opts.file} to run a public image instead` +
      (opts.otherStages.length ? `, or deploy the other stacks first: --only ${opts.otherStages.join(' ')}` : ''),
  );
  return lines;
}
