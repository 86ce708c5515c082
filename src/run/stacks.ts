/**
 * Reading the stacks of a run together with the environment's stacks its params file no longer
 * plans (status): one DescribeStacks listing (paged), whose tags name the latter, rather than that
 * listing and a read per stack besides. A command that needs only its own stacks (outputs) reads
 * them by name: their number, unlike a listing's pages, does not grow with the account's stacks.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { output } from '../cli/output';
import type { LeftoverStack } from '../deploy/leftovers';
import { environmentOf, type RunContext } from './context';

/** The run's stacks as read (undefined: not deployed), in `ctx.stacks` order, and the leftovers. */
export interface StackReading {
  stacks: (Stack | undefined)[];
  /** None looked for with --only; undefined when they could not be (the listing was refused). */
  leftovers?: LeftoverStack[];
}

/**
 * The run's stacks and the environment's leftovers, from one listing: the leftovers are found by
 * their tags, which the listing carries, so the run's own stacks come with it rather than from a
 * read each. With --only (a few stacks, leftovers not looked for) each stack is read by name. A
 * role allowed to describe only its own stacks (`stack/x-dev-*`) is refused the listing: its stacks
 * are then read by name, and a warning says the leftovers are not shown.
 */
export async function readStacks(ctx: RunContext, only: string[] | undefined): Promise<StackReading> {
  const { describeStack } = await import('../deploy/cloudformation');
  const byName = () => Promise.all(ctx.stacks.map((s) => describeStack(ctx.clients.cloudFormation, s.name)));
  if (only?.length) return { stacks: await byName(), leftovers: [] };
  const { leftoversIn, listStacks } = await import('../deploy/leftovers');
  let listed: Stack[];
  try {
    listed = await listStacks(ctx.clients.cloudFormation);
  } catch (err) {
    const { isAccessDenied } = await import('../aws/errors');
    if (!isAccessDenied(err)) throw err;
    output.warn(
      `listing the account's stacks was refused (${(err as Error).name}): each stack is read by name, and stacks of the environment that ${ctx.file} no longer plans are not shown`,
    );
    return { stacks: await byName() };
  }
  const live = new Map(listed.filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => [s.StackName, s]));
  const stacks = ctx.stacks.map((s) => live.get(s.name));
  const planned = ctx.all.map((s) => s.name);
  return { stacks, leftovers: leftoversIn(listed, environmentOf(ctx), planned) };
}
