/**
 * Stacks an environment still has but its params file no longer plans: an app, data store, extra
 * service or optional stage removed from the file. A deploy leaves them as they are (it changes
 * only what the file plans), so without this nothing would show them, `--only` could not name
 * them, and a destroy of the environment would stop on their imports of its network. Every stack
 * the tool creates for an environment carries the environment's tag (`cfn-stages:environment`);
 * project stacks (ECR repositories) carry none, since environments share them.
 */
import { paginateDescribeStacks, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { TagKey } from '../../templates/kit/builder';

/** A deployed stack of the environment that the params file does not plan. */
export interface LeftoverStack {
  name: string;
  /** Its catalogue template (`32.app-ecs-service`), from its tag. */
  templateId?: string;
  /** The app it belongs to, from its tag (absent for an environment-scope stack). */
  app?: string;
  status: string;
}

/**
 * The stacks tagged as `environment`'s (`<prefix><env>`) whose names are not in `planned`, by
 * template (the deploy order's coarse grain) then name. One paginated DescribeStacks listing: tags
 * come with it.
 */
export async function leftoverStacks(
  cfn: CloudFormationClient,
  environment: string,
  planned: Iterable<string>,
): Promise<LeftoverStack[]> {
  return leftoversIn(await listStacks(cfn), environment, planned);
}

/** Every stack of the account and region, deleted ones included (DescribeStacks without a name, every page). */
export async function listStacks(cfn: CloudFormationClient): Promise<Stack[]> {
  const stacks: Stack[] = [];
  for await (const page of paginateDescribeStacks({ client: cfn }, {})) stacks.push(...(page.Stacks ?? []));
  return stacks;
}

/** The environment (`<prefix><env>`) a stack's tag says it belongs to; none for a project stack. */
export function environmentTag(stack: Stack): string | undefined {
  return stack.Tags?.find((t) => t.Key === TagKey.environment)?.Value;
}

/** {@link leftoverStacks} in a listing already read (deploy's checks read one: see StatusBoard.listed). */
export function leftoversIn(stacks: readonly Stack[], environment: string, planned: Iterable<string>): LeftoverStack[] {
  const known = new Set(planned);
  const found: LeftoverStack[] = [];
  for (const s of stacks) {
    const tags = Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    if (!s.StackName || known.has(s.StackName) || tags[TagKey.environment] !== environment) continue;
    if (s.StackStatus === 'DELETE_COMPLETE') continue;
    found.push({
      name: s.StackName,
      status: s.StackStatus ?? 'UNKNOWN',
      ...(tags[TagKey.template] ? { templateId: tags[TagKey.template] } : {}),
      ...(tags[TagKey.application] ? { app: tags[TagKey.application] } : {}),
    });
  }
  const key = (l: LeftoverStack) => `${l.templateId ?? '~'} ${l.name}`;
  return found.sort((a, b) => key(a).localeCompare(key(b)));
}

/** `a, b and c` for a message. */
function listed(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** One line saying what the leftover stacks are, for plan and status. */
export function describeLeftovers(leftovers: LeftoverStack[], file: string): string {
  const n = leftovers.length;
  return `${n} stack${n === 1 ? '' : 's'} of this environment ${n === 1 ? 'is' : 'are'} no longer in ${file}, and deploy leaves ${n === 1 ? 'it' : 'them'} as ${n === 1 ? 'it is' : 'they are'}: ${listed(leftovers.map((l) => l.name))}`;
}

/** The command that deletes them (destroy takes their stack names with --only). */
export function leftoversDestroyCommand(leftovers: LeftoverStack[], file: string): string {
  return `provision destroy --params ${file} --only ${leftovers.map((l) => l.name).join(' ')}`;
}
