/**
 * The image check of `deploy` and the wizard (see src/ops/images.ts for why): before anything is
 * touched, every service stack of the run whose ECR image is missing is found.
 * - The repository exists but lacks the tag: the run is refused up front (exit 2, nothing
 *   changed), with the push commands.
 * - The repository is created by this very run: the other stacks deploy, each such service stack
 *   is held (checked again at its turn, in case the image arrived meanwhile) and reported
 *   `not-run`, its dependents with it; then the push commands are shown (exit 1: not done).
 */
import type { DeployResult } from '../deploy/types';
import { CliError } from '../cli/errors';
import { c, output } from '../cli/output';
import {
  imageNeeds,
  imageOf,
  imageState,
  missingImageLines,
  missingImages,
  pushInstructionsFor,
  type ImageNeed,
  type MissingImage,
  type PushInstructions,
} from '../ops/images';
import type { RunContext } from './context';

/** Service stacks to hold until their image is pushed, by stack name. */
export type ImageHolds = Map<string, ImageNeed>;

/** Why a held stack did not run (the push commands follow the summary). */
export const holdReason = (n: ImageNeed): string =>
  `its image ${n.repository}:${n.tag} is not in ECR yet (push it: see below)`;

/** Stage keys (or stack names) of the run's stacks that neither need nor wait for a missing image. */
export function otherStages(ctx: RunContext, waiting: Set<string>): string[] {
  const held = new Set(waiting);
  for (const s of ctx.stacks) if (s.dependsOn.some((d) => held.has(d))) held.add(s.name); // stacks are in dependency order
  const free = ctx.stacks.filter((s) => !held.has(s.name));
  const byStage = (stage: string): boolean =>
    ctx.stacks.filter((s) => s.stage === stage).every((s) => !held.has(s.name));
  return [...new Set(free.map((s) => (byStage(s.stage) ? s.stage : s.name)))];
}

/**
 * Checks the run's images before any change. Throws (exit 2) when a repository that exists lacks
 * a tag (unless `waitForTags`: the wizard holds those too, and waits), or a repository is neither
 * in the account nor made by this run; returns the stacks to hold.
 */
export async function checkImages(ctx: RunContext, opts: { waitForTags?: boolean } = {}): Promise<ImageHolds> {
  const missing = await introducedHere(ctx, await missingImages(ctx.clients.ecr, imageNeeds(ctx.stacks)));
  if (!missing.length) return new Map();
  const madeHere = new Set(ctx.stacks.filter((s) => s.stage === 'repository').map((s) => s.parameters.RepositoryName));
  const refused = missing.filter((m) => (m.state === 'no-tag' ? !opts.waitForTags : !madeHere.has(m.repository)));
  if (refused.length) {
    const pushes = await pushInstructionsFor(ctx.clients.ecr, await ctx.clients.region(), missing);
    const lines = missingImageLines(missing, pushes, {
      file: ctx.file,
      otherStages: otherStages(ctx, new Set(missing.map((m) => m.stack))),
    });
    throw CliError.usage(
      `${missing.length === 1 ? "a service's image is" : 'service images are'} missing; nothing was changed:\n  ${lines.join('\n  ')}`,
    );
  }
  return new Map(missing.map((m) => [m.stack, m]));
}

/**
 * Drops (with a warning) the missing images a deployed stack already runs: its tasks pulled the
 * image before it left ECR (e.g. expired by the repository's lifecycle policy), so this deploy
 * does not introduce the problem, and refusing would block every unrelated change. New tasks of
 * that service cannot start until a tag that exists is released.
 */
async function introducedHere(ctx: RunContext, missing: MissingImage[]): Promise<MissingImage[]> {
  const [{ describeStack, parametersOf }, { StackStatus }] = await Promise.all([
    import('../deploy/cloudformation'),
    import('../deploy/stack-status'),
  ]);
  const kept: MissingImage[] = [];
  for (const m of missing) {
    const stack = m.state === 'no-tag' ? await describeStack(ctx.clients.cloudFormation, m.stack) : undefined;
    // Only a stack that holds a running service: a failed first creation would be created again.
    const live = stack && new StackStatus(stack.StackStatus ?? '').isStable;
    const running = live ? imageOf(parametersOf(stack)) : undefined;
    if (running && running.repository === m.repository && running.tag === m.tag && !running.publicImage) {
      output.warn(
        `${m.stack} runs ${m.repository}:${m.tag}, which is no longer in ECR: its new tasks cannot start; push it again, or release a tag that exists with \`provision release\``,
      );
    } else {
      kept.push(m);
    }
  }
  return kept;
}

/**
 * At a held stack's turn: its image is looked up again. Undefined when it is there now (deploy
 * it), else the `not-run` result that keeps the stack (and its dependents) untouched.
 */
export async function heldResult(
  ctx: RunContext,
  holds: ImageHolds,
  stackName: string,
): Promise<DeployResult | undefined> {
  const need = holds.get(stackName);
  if (!need) return undefined;
  if ((await imageState(ctx.clients.ecr, need.repository, need.tag)) === 'present') {
    holds.delete(stackName);
    return undefined;
  }
  return { kind: 'not-run', stackName, because: holdReason(need) };
}

/** The push commands for the images still missing after the run (none: empty). */
export async function heldImages(
  ctx: RunContext,
  holds: ImageHolds,
  results: DeployResult[],
): Promise<PushInstructions[]> {
  const still = [...holds.values()].filter((n) => results.some((r) => r.stackName === n.stack && r.kind === 'not-run'));
  if (!still.length) return [];
  return pushInstructionsFor(ctx.clients.ecr, await ctx.clients.region(), still);
}

/** Prints the push commands and the alternatives after a run that held service stacks. */
export function printHeld(ctx: RunContext, holds: ImageHolds, pushes: PushInstructions[]): void {
  if (!pushes.length || ctx.global.json) return;
  const waiting = [...holds.values()];
  output.line();
  output.line(c().yellow('Not deployed yet: the services wait for their images.'));
  for (const line of missingImageLines(waiting, pushes, { file: ctx.file, otherStages: [] })) output.line(line);
}
