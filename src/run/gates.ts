/**
 * What `deploy` checks between taking the run lock and its first change, read all at once: each
 * check's reads are independent of the others', so they go out together (on AWS each read is a
 * round trip of tens of milliseconds; one after another they added up to most of a run that had
 * little to change). The verdicts are then taken in a fixed order, so that a run with two problems
 * names the same one first every time: imports no one provides, shared stacks changed under other
 * environments, missing images, an undelegated domain, the account's quotas. Nothing is changed
 * until all of them (and the plan's own refusals, see ./preflight.ts) have passed; the one change
 * the account preflight makes, creating missing service-linked roles, comes last.
 *
 * The plan of every stack (./preflight.ts) starts beside these reads too, so its reads and its own
 * work overlap theirs; the change sets it makes to plan an update wait for the verdicts
 * ({@link startPlan}).
 */
import type { PreflightReport } from '../deploy/preflight';
import type { UnchangedChecks } from '../deploy/unchanged';
import { specsOf, type RunContext } from './context';
import { missingImports, readAccount, unchangedChecks } from './deploy';
import { checkImages, type ImageHolds } from './image-gate';
import { checkDelegationGate, type DelegationHold } from './delegation-gate';
import type { ExportMoves } from './preflight';
import type { SharedChange } from './shared';

/** The reads of one run's checks, all in flight (see the file comment). */
export interface RunChecks {
  /** Every stack's "anything to do?" (see deploy/unchanged.ts). */
  unchanged: UnchangedChecks;
  missingImports: Promise<{ stack: string; exportName: string }[]>;
  shared: Promise<SharedChange[]>;
  /** Rejects with the refusal when an image is missing where it cannot be waited for. */
  images: Promise<ImageHolds>;
  /** Rejects with the refusal when the domain's zone exists undelegated. */
  delegation: Promise<DelegationHold | undefined>;
  account: Promise<PreflightReport>;
}

/**
 * A promise whose rejection is taken by a later `await`, not reported as unhandled meanwhile (an
 * earlier check may refuse the run first, and then nobody awaits this one).
 */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Starts every check's reads at once; the caller awaits their verdicts in the order of the file
 * comment. Reads only. With `updateShared`, shared stacks may change and are not read.
 */
export async function startRunChecks(ctx: RunContext, opts: { updateShared?: boolean } = {}): Promise<RunChecks> {
  const { sharedChanges } = await import('./shared');
  const unchanged = await unchangedChecks(ctx);
  return {
    unchanged,
    missingImports: later(missingImports(ctx.clients, ctx)),
    shared: opts.updateShared ? Promise.resolve([]) : later(sharedChanges(ctx, unchanged)),
    images: later(checkImages(ctx)),
    delegation: later(checkDelegationGate(ctx)),
    account: later(readAccount(ctx, unchanged)),
  };
}

/** The run's plan under way, its change sets held (see {@link startPlan}). */
export interface PlanUnderWay {
  /** The plan's outcome; rejects with its refusal (see ./preflight.ts). */
  moves: Promise<ExportMoves>;
  /** Every check passed: the plan may make its change sets now. */
  allow(): void;
  /** The run is refused (`why`): the plan makes no change set; resolves once it has stopped. */
  stop(why: unknown): Promise<void>;
}

/**
 * Starts the plan of every stack (deploy's preflight) now, beside the checks, holding back the
 * change sets it would create to plan an update until {@link PlanUnderWay.allow}: a run the
 * checks refuse creates none.
 */
export function startPlan(ctx: RunContext, unchanged: UnchangedChecks): PlanUnderWay {
  let allow!: () => void;
  let refuse!: (why: unknown) => void;
  const verdict = new Promise<void>((resolve, reject) => ((allow = resolve), (refuse = reject)));
  verdict.catch(() => undefined); // each plan that reaches it awaits it
  const moves = later(
    import('./preflight').then(({ preflight }) => preflight(ctx, specsOf(ctx), unchanged, () => verdict)),
  );
  return {
    moves,
    allow,
    stop: async (why) => {
      refuse(why); // each plan waiting to make a change set stops with the run's refusal
      await moves.catch(() => undefined);
    },
  };
}
