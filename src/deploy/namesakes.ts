/**
 * Environments of the same name under another prefix, in this account and region. The prefix is
 * part of every stack and export name, so a params file whose `prefix:` was changed does not move
 * its environment: it plans a second, complete one beside it, while the first keeps running (and
 * costing: NAT gateways, load balancers, databases) with no params file pointing at it any more.
 * Two environments that differ only by prefix are allowed, so this is said, not refused. It is
 * looked for only when a run creates the environment (none of its stacks exists yet), which is
 * when a changed prefix shows; one paginated DescribeStacks listing then, none on other runs.
 *
 * A changed `region:` leaves the old stacks in another region's API: on the same run (of `plan`:
 * see PreflightOptions), each other region of the partition is asked once for the environment's
 * first stack by name (a few seconds at most: answers that do not come are not waited for).
 */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { TagKey } from '../../templates/kit/builder';
import type { AwsClients } from '../aws/clients';
import { environmentTag, listStacks } from './leftovers';
import type { StackSpec } from './types';

/** The environment itself, deployed in another region (a `region:` changed in the params file). */
export interface Elsewhere {
  environment: string;
  region: string;
  /** The stack found there (the environment's first, by name). */
  stack: string;
  /** This run's region. */
  here: string;
}

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
    const tag = environmentTag(s);
    if (!tag || tag === environment || split(tag)[1] !== name || s.StackStatus === 'DELETE_COMPLETE') continue;
    found.set(tag, [...(found.get(tag) ?? []), s.StackName ?? '']);
  }
  return [...found.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([env, names]) => ({ of: environment, environment: env, prefix: split(env)[0], stacks: names.sort() }));
}

/** What {@link findOtherPlaces} found. */
export interface OtherPlaces {
  namesakes: Namesake[];
  elsewhere: Elsewhere[];
}

/**
 * When the run creates its environment (`exists` answers for none of its stacks, and no stack in
 * the region carries its tag), the environments of the same name under another prefix here, and
 * the regions of `regions` where it is deployed already; else nothing, without a call. A read that
 * fails finds nothing: this is a note, not a check a run depends on.
 */
export async function findOtherPlaces(
  clients: AwsClients,
  specs: StackSpec[],
  exists: (spec: StackSpec) => Promise<boolean>,
  regions: string[],
): Promise<OtherPlaces> {
  const none: OtherPlaces = { namesakes: [], elsewhere: [] };
  const environment = specs.map((s) => s.tags[TagKey.environment]).find(Boolean);
  if (!environment) return none;
  const own = specs.filter((s) => s.tags[TagKey.environment] === environment);
  if ((await Promise.all(own.map(exists))).some(Boolean)) return none;
  const [listed, elsewhere] = await Promise.all([
    listStacks(clients.cloudFormation).catch(() => undefined),
    regions.length ? findElsewhere(clients, own[0]!, regions).catch(() => []) : [],
  ]);
  if (!listed) return { ...none, elsewhere };
  // Stacks of the environment the run does not plan (--only, or removed from the file): it exists.
  if (listed.some((st) => environmentTag(st) === environment && st.StackStatus !== 'DELETE_COMPLETE')) return none;
  return { namesakes: namesakesIn(listed, environment), elsewhere };
}

/** How long the other regions are waited for, all together: a note must not hold the run up. */
const ELSEWHERE_BUDGET_MS = 4000;

/**
 * The regions of the partition (other than this run's) where the environment's first stack
 * exists. One DescribeStacks per region, at once, with the run's credentials and endpoint; a
 * region that refuses (not enabled, denied) or does not answer within the budget counts as none.
 */
export async function findElsewhere(
  clients: AwsClients,
  spec: StackSpec,
  regions: string[],
  budgetMs = ELSEWHERE_BUDGET_MS,
): Promise<Elsewhere[]> {
  const { CloudFormationClient: Client, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const here = await clients.region();
  const ask = async (region: string): Promise<Elsewhere | undefined> => {
    const cfn: CloudFormationClient = new Client({
      region,
      credentials: clients.cloudFormation.config.credentials,
      ...(clients.endpointUrl ? { endpoint: clients.endpointUrl } : {}),
      maxAttempts: 1,
      requestHandler: { connectionTimeout: budgetMs, requestTimeout: budgetMs },
    });
    try {
      // A signal per call: one shared by every region would pass Node's 10-listener warning.
      const abortSignal = AbortSignal.timeout(budgetMs);
      const out = await cfn.send(new DescribeStacksCommand({ StackName: spec.name }), { abortSignal });
      const found = out.Stacks?.[0];
      if (!found || found.StackStatus === 'DELETE_COMPLETE') return undefined;
      return { environment: spec.tags[TagKey.environment] ?? '', region, stack: spec.name, here };
    } catch {
      return undefined;
    } finally {
      cfn.destroy();
    }
  };
  const answers = await Promise.all(regions.filter((r) => r !== here).map(ask));
  return answers.filter((a): a is Elsewhere => !!a);
}

/** What a run that creates its environment says about it in another region. */
export function describeElsewhere(e: Elsewhere): string {
  return `environment ${e.environment} is also deployed in ${e.region} (${e.stack}): this run creates it in ${e.here}. A region changed in the params file does not move or delete the stacks in ${e.region}; once this one takes their place, destroy them with the params file as it was (region: ${e.region})`;
}

/** What a run that creates its environment says about a namesake, with the way to act on it. */
export function describeNamesake(n: Namesake): string {
  const environment = n.of;
  const count = `${n.stacks.length} stack${n.stacks.length === 1 ? '' : 's'}`;
  return `environment ${split(environment)[1]} also exists in this region under prefix ${n.prefix} (${n.environment}: ${count}): this run creates ${environment} beside it. A prefix changed in the params file does not move or delete ${n.environment}; once ${environment} takes its place, destroy it with the params file as it was (prefix: ${n.prefix})`;
}
