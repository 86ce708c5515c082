/**
 * Sizes AWS offers where they are asked for: an instance type, DB instance class or node type that
 * the region (or one of the network's zones) does not offer is refused by CloudFormation only when
 * it reaches the resource, minutes into the run, after the stacks before it changed, and its stack
 * rolls back (a database after a long wait). The account preflight asks first:
 *
 * - EC2 instance types (jump boxes, the ECS cluster's EC2 capacity, the EKS nodes): EC2
 *   DescribeInstanceTypeOfferings by availability zone, for the zones the network takes (the first
 *   `AzCount` zones of the region, as its `Fn::GetAZs` picks them; EC2 DescribeAvailabilityZones),
 *   or by region when the run has no network stack to say how many;
 * - Aurora PostgreSQL and DocumentDB instance classes: RDS DescribeOrderableDBInstanceOptions
 *   (DocumentDB's API is RDS's, engine `docdb`) for the engine and class, matched against the
 *   engine version (a major version alone, `17`, is offered when some `17.x` is);
 * - ElastiCache node types are not asked: ElastiCache has no API that says which node types a
 *   region offers (only the user guide's "Supported node types" table).
 *
 * Only what the run creates or changes is asked: a size already deployed with the same value (and
 * engine version) was offered when it was created, so an unchanged environment asks nothing. One
 * call per distinct question, all at once. An answer AWS does not give (AccessDenied, a service not
 * in the region) leaves the check "not done", never a refusal.
 */
import { activeResources, pseudoFor, type CheckedTemplate } from '../../stages/check';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { parametersOf } from './cloudformation';
import { EngineError } from './errors';
import { parseTemplate } from './template';
import type { StackSpec } from './types';

/** Which API answers a size. */
export type SizeKind = 'ec2' | 'rds';

/** One size a template's active resource takes from a parameter. */
export interface SizeChoice {
  kind: SizeKind;
  /** The resource's logical id. */
  resource: string;
  /** The template parameter the size comes from, and its value (one type of a list for EKS). */
  parameter: string;
  value: string;
  /** RDS: the engine (`aurora-postgresql`, `docdb`) and its version as the template sets it. */
  engine?: string;
  engineVersion?: string;
}

/** The answer for one size a stack of the run asks for. */
export interface OfferingCheck extends SizeChoice {
  stack: string;
  /** Where it was asked: the region, or the zones the network takes. */
  where: string;
  /** Undefined when AWS gave no answer (see `unchecked`). */
  offered?: boolean;
  /** A few close sizes that are offered there, when this one is not. */
  alternatives: string[];
  /** Why AWS gave no answer (AccessDenied, the service not in the region): reported, never refused. */
  unchecked?: string;
  /** The params-file field behind the parameter, when the caller knows it. */
  field?: string;
}

/** A size the run asks for is not offered where the stack puts it: a refusal (exit 2), before anything changes. */
export class NotOfferedError extends EngineError {
  constructor(readonly refused: OfferingCheck[]) {
    super(
      'NotOffered',
      `${refused.length === 1 ? 'a size' : `${refused.length} sizes`} in this run ${refused.length === 1 ? 'is' : 'are'} not offered where ${refused.length === 1 ? 'it is' : 'they are'} asked for; nothing was created:\n` +
        refused.map((o) => `  ${describeOffering(o)}`).join('\n'),
      'choose a size that is offered there (see the alternatives above), or another region',
    );
  }
}

/** One line for a check: the field, the value, where, and what is offered instead. */
export function describeOffering(o: OfferingCheck): string {
  const engine = o.engine ? ` (${[o.engine, o.engineVersion].filter(Boolean).join(' ')})` : '';
  const what = `${o.field ?? `${o.stack} parameter ${o.parameter}`} = ${o.value}${engine}`;
  if (o.unchecked) return `${what}: not checked in ${o.where} (${o.unchecked})`;
  if (o.offered) return `${what}: offered in ${o.where}`;
  const instead = o.alternatives.length ? `; offered there: ${o.alternatives.join(', ')}` : '';
  return `${what}: not offered in ${o.where} (${o.stack})${instead}`;
}

type Props = Record<string, unknown>;

/** The parameter a property refers to (`{ "Ref": "InstanceClass" }`), if it is one. */
function refOf(v: unknown): string | undefined {
  return v && typeof v === 'object' && typeof (v as Props).Ref === 'string' ? ((v as Props).Ref as string) : undefined;
}

/**
 * The sizes a template's active resources take from its parameters (its Conditions evaluated with
 * these parameters, as plan does), with the engine and version an RDS/DocumentDB instance gets from
 * its cluster. Pure: what the preflight asks about.
 */
export function sizeChoices(body: string, parameters: Record<string, string>, region?: string): SizeChoice[] {
  const template = parseTemplate(body) as (CheckedTemplate & { Resources?: Record<string, Props> }) | undefined;
  if (!template?.Resources) return [];
  const value = (p: string) => parameters[p] ?? String((template.Parameters?.[p] as Props | undefined)?.Default ?? '');
  const out: SizeChoice[] = [];
  const add = (kind: SizeKind, resource: string, v: unknown, extra: Partial<SizeChoice> = {}) => {
    const parameter = refOf(v);
    if (!parameter) return;
    for (const one of value(parameter)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      out.push({ kind, resource, parameter, value: one, ...extra });
  };
  for (const id of activeResources(template, parameters, pseudoFor(region))) {
    const r = template.Resources[id] as { Type: string; Properties?: Props };
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EC2::LaunchTemplate')
      add('ec2', id, (p.LaunchTemplateData as Props | undefined)?.InstanceType);
    else if (r.Type === 'AWS::EC2::Instance') add('ec2', id, p.InstanceType);
    else if (r.Type === 'AWS::EKS::Nodegroup') add('ec2', id, p.InstanceTypes);
    else if (r.Type === 'AWS::RDS::DBInstance' || r.Type === 'AWS::DocDB::DBInstance') {
      const cluster = template.Resources[refOf(p.DBClusterIdentifier) ?? '']?.Properties as Props | undefined;
      const engine = r.Type === 'AWS::DocDB::DBInstance' ? 'docdb' : String(p.Engine ?? cluster?.Engine ?? '');
      const version = refOf(p.EngineVersion ?? cluster?.EngineVersion);
      add('rds', id, p.DBInstanceClass, { engine, ...(version ? { engineVersion: value(version) } : {}) });
    }
  }
  return out;
}

const keyOf = (c: SizeChoice) => [c.kind, c.resource, c.value, c.engine ?? '', c.engineVersion ?? ''].join('|');

/**
 * The sizes a spec brings that its deployed stack does not already run: all of them for a new
 * stack (`deployed` undefined); for a deployed one, those whose resource, value or engine version
 * differ from the deployed template with its deployed parameters.
 */
export function newChoices(
  spec: StackSpec,
  deployed: { stack: Stack; body: string | undefined } | undefined,
  region?: string,
): SizeChoice[] {
  const wanted = sizeChoices(spec.templateBody, spec.parameters, region);
  if (!deployed || !wanted.length) return wanted;
  const before = new Set(sizeChoices(deployed.body ?? '', parametersOf(deployed.stack), region).map(keyOf));
  return wanted.filter((c) => !before.has(keyOf(c)));
}

/** A size the run asks for, in the stack that asks. */
export interface Asked {
  stack: string;
  choice: SizeChoice;
}

/** What AWS answered for one distinct question. */
interface Answer {
  where: string;
  offered?: boolean;
  alternatives: string[];
  unchecked?: string;
}

/**
 * Asks AWS about every distinct size at once: one DescribeInstanceTypeOfferings for all the EC2
 * types (beside one DescribeAvailabilityZones when `azCount` names the network's zones), one
 * DescribeOrderableDBInstanceOptions per engine and class. A size that is not offered costs one more
 * call, for the alternatives. Nothing asked, nothing called.
 */
export async function askOfferings(clients: AwsClients, asked: Asked[], azCount?: number): Promise<OfferingCheck[]> {
  if (!asked.length) return [];
  const region = await clients.region();
  const ec2Types = [...new Set(asked.filter((a) => a.choice.kind === 'ec2').map((a) => a.choice.value))];
  const rdsKeys = [...new Set(asked.filter((a) => a.choice.kind === 'rds').map((a) => rdsKey(a.choice)))];
  const [ec2, ...rds] = await Promise.all([
    ec2Types.length ? ec2Answers(clients, ec2Types, region, azCount) : new Map<string, Answer>(),
    ...rdsKeys.map((k) => rdsAnswer(clients, asked.find((a) => rdsKey(a.choice) === k)!.choice, region)),
  ]);
  const byRds = new Map(rdsKeys.map((k, i) => [k, rds[i]!]));
  return asked.map(({ stack, choice }) => ({
    ...choice,
    stack,
    ...(choice.kind === 'ec2' ? ec2.get(choice.value)! : byRds.get(rdsKey(choice))!),
  }));
}

const rdsKey = (c: SizeChoice) => [c.engine, c.engineVersion ?? '', c.value].join('|');

/** Why a read of the account's preflight was not answered, as its "not checked" lines say (quotas, roles, sizes). */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Up to four offered sizes closest to `wanted`: the same size in another family first
 * (`db.r7g.large` -> `db.r6g.large`), then the same family letter, then by name.
 */
export function closest(wanted: string, offered: Iterable<string>): string[] {
  const parts = (s: string) => s.split('.');
  const [w, size] = [parts(wanted), parts(wanted).at(-1)];
  const family = w.at(-2) ?? '';
  const score = (s: string) => (parts(s).at(-1) === size ? 2 : 0) + ((parts(s).at(-2) ?? '')[0] === family[0] ? 1 : 0);
  return [...new Set(offered)]
    .filter((s) => s !== wanted)
    .sort((a, b) => score(b) - score(a) || a.localeCompare(b, 'en', { numeric: true }))
    .slice(0, 4);
}

/** The zones the network's `Fn::GetAZs` picks: the region's first `count` available zones. */
async function networkZones(clients: AwsClients, count: number): Promise<string[]> {
  const { DescribeAvailabilityZonesCommand } = await import('@aws-sdk/client-ec2');
  const out = await clients.ec2.send(new DescribeAvailabilityZonesCommand({}));
  return (out.AvailabilityZones ?? [])
    .filter(
      (z) => (z.ZoneType ?? 'availability-zone') === 'availability-zone' && (z.State ?? 'available') === 'available',
    )
    .map((z) => z.ZoneName ?? '')
    .sort()
    .slice(0, count);
}

/** Instance type -> the locations (zones, or the region) that offer it. */
async function typeLocations(
  clients: AwsClients,
  byZone: boolean,
  filter: { Name: string; Values: string[] },
): Promise<Map<string, Set<string>>> {
  const { paginateDescribeInstanceTypeOfferings } = await import('@aws-sdk/client-ec2');
  const where = new Map<string, Set<string>>();
  const pages = paginateDescribeInstanceTypeOfferings(
    { client: clients.ec2 },
    { LocationType: byZone ? 'availability-zone' : 'region', Filters: [filter] },
  );
  for await (const page of pages)
    for (const o of page.InstanceTypeOfferings ?? [])
      where.set(o.InstanceType ?? '', (where.get(o.InstanceType ?? '') ?? new Set()).add(o.Location ?? ''));
  return where;
}

async function ec2Answers(
  clients: AwsClients,
  types: string[],
  region: string,
  azCount?: number,
): Promise<Map<string, Answer>> {
  try {
    const [zones, offered] = await Promise.all([
      azCount ? networkZones(clients, azCount) : Promise.resolve([region]),
      typeLocations(clients, Boolean(azCount), { Name: 'instance-type', Values: types }),
    ]);
    const where = azCount ? `${region} zones ${zones.join(', ')}` : region;
    const isOffered = (locations: Set<string> | undefined) => zones.every((z) => locations?.has(z));
    const missing = types.filter((t) => !isOffered(offered.get(t)));
    const all = missing.length
      ? await typeLocations(clients, Boolean(azCount), { Name: 'location', Values: zones })
      : new Map<string, Set<string>>();
    const choices = [...all].filter(([, at]) => isOffered(at)).map(([t]) => t);
    return new Map(
      types.map((t) => [
        t,
        { where, offered: !missing.includes(t), alternatives: missing.includes(t) ? closest(t, choices) : [] },
      ]),
    );
  } catch (err) {
    const unchecked = describeError(err);
    return new Map(types.map((t) => [t, { where: region, alternatives: [], unchecked }]));
  }
}

/** `17` is offered when some `17.x` is; a full version only as itself. No version: any. */
export function versionMatches(wanted: string | undefined, offered: string | undefined): boolean {
  if (!wanted) return true;
  return offered === wanted || (!wanted.includes('.') && (offered ?? '').startsWith(`${wanted}.`));
}

/** The orderable (engine, version, class) rows RDS answers for this filter; at most `maxPages` pages. */
async function orderable(
  clients: AwsClients,
  input: { Engine: string; DBInstanceClass?: string },
  maxPages: number,
): Promise<{ version: string; cls: string }[]> {
  const { paginateDescribeOrderableDBInstanceOptions } = await import('@aws-sdk/client-rds');
  const rows: { version: string; cls: string }[] = [];
  let pages = 0;
  for await (const page of paginateDescribeOrderableDBInstanceOptions(
    { client: clients.rds, pageSize: 100 },
    { ...input, Vpc: true },
  )) {
    for (const o of page.OrderableDBInstanceOptions ?? [])
      rows.push({ version: o.EngineVersion ?? '', cls: o.DBInstanceClass ?? '' });
    if (++pages >= maxPages) break;
  }
  return rows;
}

async function rdsAnswer(clients: AwsClients, c: SizeChoice, region: string): Promise<Answer> {
  const engine = c.engine ?? '';
  try {
    const rows = await orderable(clients, { Engine: engine, DBInstanceClass: c.value }, 5);
    if (rows.some((r) => r.cls === c.value && versionMatches(c.engineVersion, r.version)))
      return { where: region, offered: true, alternatives: [] };
    const all = await orderable(clients, { Engine: engine }, 20);
    const classes = all.filter((r) => versionMatches(c.engineVersion, r.version)).map((r) => r.cls);
    return { where: region, offered: false, alternatives: closest(c.value, classes) };
  } catch (err) {
    return { where: region, alternatives: [], unchecked: describeError(err) };
  }
}
