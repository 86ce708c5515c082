/**
 * Environments of the same name under another prefix, in this account and region. The prefix is
 * part of every stack and export name, so a params file whose `prefix:` was changed does not move
 * its environment: it plans a second, complete one beside it, while the first keeps running (and
 * costing: NAT gateways, load balancers, databases) with no params file pointing at it any more.
 * Two environments that differ only by prefix are allowed, so this is said, not refused. It is
 * looked for only when a run creates the environment (none of its stacks exists yet), which is
 * when a changed prefix shows; one paginated DescribeStacks listing then, none on other runs.
 *
 * A changed `region:` cannot be seen this way (the old stacks are in another region's API).
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { TagKey } from '../../templates/kit/builder';
import type { AwsClients } from '../aws/clients';
import type { StackSpec } from './types';

/** Another environment of the same name: its `<prefix><env>` (the stacks' environment tag) and stacks. */
export interface Namesake {
  /** The run's own environment (`<prefix><env>`), which this one shares a name with. */
  of: string;
  environment: string;
  prefix: string;
  stacks: string[];
}

/** `x-dev` → [`x-`, `dev`]: an environment name has no hyphen, and a prefix ends with one. */
function split(environment: string): [prefix: string, name: string] {
  const at = environment.lastIndexOf('-') + 1;
  return [environment.slice(0, at), environment.slice(at)];
}

/** The namesakes of `environment` among listed stacks (deleted ones left out), by environment. */
export function namesakesIn(stacks: readonly Stack[], environment: string): Namesake[] {
  const [, name] = split(environment);
  const found = new Map<string, string[]>();
  for (const s of stacks) {
    const tag = s.Tags?.find((t) => t.Key === TagKey.environment)?.Value;
    if (!tag || tag === environment || split(tag)[1] !== name || s.StackStatus === 'DELETE_COMPLETE') continue;
    found.set(tag, [...(found.get(tag) ?? []), s.StackName ?? '']);
  }
  return [...found.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([env, names]) => ({ of: environment, environment: env, prefix: split(env)[0], stacks: names.sort() }));
}

/**
 * The namesakes of the run's environment, when the run creates it (`exists` answers for none of
 * its stacks); else none, without a call. A listing that fails finds none: this is a note, not a
 * check a run depends on.
 */
export async function findNamesakes(
  clients: AwsClients,
  specs: StackSpec[],
  exists: (spec: StackSpec) => Promise<boolean>,
): Promise<Namesake[]> {
  const environment = specs.map((s) => s.tags[TagKey.environment]).find(Boolean);
  if (!environment) return [];
  const own = specs.filter((s) => s.tags[TagKey.environment] === environment);
  if ((await Promise.all(own.map(exists))).some(Boolean)) return [];
  try {
    const { paginateDescribeStacks } = await import('@aws-sdk/client-cloudformation');
    const stacks: Stack[] = [];
    for await (const page of paginateDescribeStacks({ client: clients.cloudFormation }, {}))
      stacks.push(...(page.Stacks ?? []));
    // Stacks of the environment the run does not plan (--only, or removed from the file): it exists.
    const tagOf = (st: Stack) => st.Tags?.find((t) => t.Key === TagKey.environment)?.Value;
    if (stacks.some((st) => tagOf(st) === environment && st.StackStatus !== 'DELETE_COMPLETE')) return [];
    return namesakesIn(stacks, environment);
  } catch {
    return [];
  }
}

/** What a run that creates its environment says about a namesake, with the way to act on it. */
export function describeNamesake(n: Namesake): string {
  const environment = n.of;
  const count = `${n.stacks.length} stack${n.stacks.length === 1 ? '' : 's'}`;
  return `environment ${split(environment)[1]} also exists in this region under prefix ${n.prefix} (${n.environment}: ${count}): this run creates ${environment} beside it. A prefix changed in the params file does not move or delete ${n.environment}; once ${environment} takes its place, destroy it with the params file as it was (prefix: ${n.prefix})`;
}
