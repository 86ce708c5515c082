/**
 * The wizard's deploy, designed around a first run whose services need images that are not pushed
 * yet: every stack that needs no image is deployed (the ECR repository among them), then the
 * wizard shows the push commands with the repository's real URI and waits, looking the image up
 * every few seconds, until it is there (then deploys the services) or the user skips (the services
 * wait for `provision deploy`). Ctrl-C while waiting leaves as at any question. No service stack
 * is ever started without its image.
 */
import type { DeployResult } from '../deploy/types';
import { DEFAULT_CONCURRENCY } from '../deploy/graph';
import { CliError, ExitCode } from '../cli/errors';
import { c, output } from '../cli/output';
import { imageState, missingImageLines, type PushInstructions } from '../ops/images';
import type { Prompter } from '../wizard/flow';
import { isPromptExit } from '../wizard/prompter';
import type { RunContext } from './context';
import { deployInPasses } from './deploy';
import { checkImages, heldImages, type ImageHolds } from './image-gate';
import { checkDelegationGate, printDelegation } from './delegation-gate';

/** How often the wizard looks for a pushed image. */
export const IMAGE_POLL_MS = 3000;

/**
 * Deploys the plan; returns one result per stack (services held back when the user skipped).
 * `preflight` (the account checks) runs after the image check and the plan, before anything is
 * deployed.
 */
export async function deployWithImages(
  ctx: RunContext,
  prompter: Prompter,
  preflight: () => Promise<void> = async () => undefined,
): Promise<DeployResult[]> {
  const holds = await checkImages(ctx, { waitForTags: true });
  // The certificate waits for its domain's delegation, as in `provision deploy`.
  const delegation = await checkDelegationGate(ctx);
  // The account preflight goes ahead once the plan has passed too: a refused run creates no role.
  const first = await deployInPasses(ctx, {
    yes: true,
    concurrency: DEFAULT_CONCURRENCY,
    holds,
    delegation,
    goAhead: preflight,
  });
  printDelegation(ctx, delegation);
  const pushes = await heldImages(ctx, holds, first);
  if (!pushes.length) return first;
  showPush(ctx, holds, pushes);
  if ((await waitForImages(ctx, prompter, pushes).catch((err) => leaving(ctx, err))) === 'skip') {
    output.line(
      `The services wait for their images: push them, then run ${c().bold(`provision deploy --params ${ctx.file}`)} (or this wizard again).`,
    );
    return first;
  }
  const second = await deployInPasses(ctx, { yes: true, concurrency: DEFAULT_CONCURRENCY, delegation });
  return first.map((r, i) => {
    const again = second[i]!;
    return r.kind === 'not-run' || again.kind !== 'skipped-unchanged' ? again : r;
  });
}

/** Ctrl-C while waiting: say what is deployed and what is not (exit 130). */
function leaving(ctx: RunContext, err: unknown): never {
  if (!isPromptExit(err)) throw err;
  throw new CliError(
    `interrupted while waiting for the images: the stacks that need none are deployed, the services are not`,
    ExitCode.Interrupted,
    `push the images, then run provision deploy --params ${ctx.file}`,
  );
}

function showPush(ctx: RunContext, holds: ImageHolds, pushes: PushInstructions[]): void {
  output.line();
  output.line(c().bold('The services need their images in ECR before they are deployed.'));
  for (const line of missingImageLines([...holds.values()], pushes, { file: ctx.file, otherStages: [] }).slice(0, -1))
    output.line(line);
  output.line(c().dim(`(or put publicImage on the service with \`provision wizard --params ${ctx.file}\`)`));
}

/** Waits until every image is in ECR (`ready`) or the user skips. */
async function waitForImages(
  ctx: RunContext,
  prompter: Prompter,
  pushes: PushInstructions[],
): Promise<'ready' | 'skip'> {
  const check = async (): Promise<boolean> =>
    (await Promise.all(pushes.map((p) => imageState(ctx.clients.ecr, p.repository, p.tag)))).every(
      (s) => s === 'present',
    );
  const names = pushes.map((p) => `${p.repository}:${p.tag}`).join(', ');
  if (prompter.waitFor) {
    return prompter.waitFor({
      id: 'images.wait',
      message: `Waiting for ${names} in ECR`,
      help: `looks every ${IMAGE_POLL_MS / 1000} s (Enter: now); push in another terminal. Type s and Enter to skip the services for now, Ctrl-C to leave`,
      check,
      intervalMs: IMAGE_POLL_MS,
    });
  }
  while (
    await prompter.confirm({
      id: 'images.pushed',
      message: `Is ${names} pushed?`,
      help: 'Yes looks it up in ECR; No skips the services for now',
      default: true,
    })
  ) {
    if (await check()) return 'ready';
    prompter.note(`${names} is not in ECR yet.`);
  }
  return 'skip';
}
