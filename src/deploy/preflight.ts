/**
 * The account preflight: what a real account refuses that no change set shows, checked before the
 * first stack is touched.
 *
 * - Service-linked roles. ECS creates AWSServiceRoleForECS on first use, too late for the first
 *   cluster of a new account ("Unable to assume the service linked role"); the other services the
 *   templates use create theirs the same way. `deploy` creates each one the run's new resources
 *   need (IAM CreateServiceLinkedRole; "has been taken" means it exists), `plan` lists them.
 * - Quotas. Elastic IPs (5 per region by default), VPCs (5, the default VPC counts) and NAT
 *   gateways (5 per zone): a NAT gateway per zone takes 2-3 Elastic IPs per environment, so the
 *   third environment of a region fails half-way through its network. What the run adds is counted
 *   from the templates (their Conditions evaluated with the stack's parameters, minus what the
 *   deployed stack already has); what exists is counted through EC2; the limit comes from Service
 *   Quotas, or AWS's default where Service Quotas does not answer (no permission, no value).
 *   `plan` reports an excess, `deploy` refuses with the fix before creating anything.
 */
import { activeResources, knownRegions, pseudoFor, type CheckedTemplate } from '../../stages/check';
import { partitionOf } from '../aws/partition';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { describeStack, getTemplateBody, parametersOf } from './cloudformation';
import { EngineError } from './errors';
import { findOtherPlaces, type Elsewhere, type Namesake } from './namesakes';
import { askOfferings, describeError, newChoices, sizeChoices, type OfferingCheck, type SizeChoice } from './offerings';
import { deployRecords } from './records';
import { parseTemplate } from './template';
import type { StackSpec } from './types';

/** The AWS service (its service-linked role's principal) behind each resource type the catalogue uses. */
export const SERVICE_LINKED_ROLES: Record<string, string> = {
  'AWS::ECS::Cluster': 'ecs.amazonaws.com',
  'AWS::ECS::Service': 'ecs.amazonaws.com',
  'AWS::ECS::CapacityProvider': 'ecs.amazonaws.com',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'elasticloadbalancing.amazonaws.com',
  'AWS::AutoScaling::AutoScalingGroup': 'autoscaling.amazonaws.com',
  'AWS::ApplicationAutoScaling::ScalableTarget': 'ecs.application-autoscaling.amazonaws.com',
  'AWS::RDS::DBCluster': 'rds.amazonaws.com',
  'AWS::DocDB::DBCluster': 'rds.amazonaws.com',
  'AWS::ElastiCache::ReplicationGroup': 'elasticache.amazonaws.com',
  'AWS::EKS::Cluster': 'eks.amazonaws.com',
  'AWS::EKS::Nodegroup': 'eks-nodegroup.amazonaws.com',
};

/** A regional quota the catalogue's templates consume. */
interface QuotaSpec {
  name: string;
  resourceType: string;
  serviceCode: string;
  quotaCode: string;
  /** AWS's default, from the service's quota page, used when Service Quotas does not answer. */
  awsDefault: number;
  /** Counted per availability zone: an environment adds at most one to a zone. */
  perZone?: boolean;
  fix: string;
}

export const QUOTAS: QuotaSpec[] = [
  {
    name: 'Elastic IP addresses per region',
    resourceType: 'AWS::EC2::EIP',
    serviceCode: 'ec2',
    quotaCode: 'L-0263D0A3',
    awsDefault: 5,
    fix: 'set natGateways: single under network: (one Elastic IP per environment), release unused Elastic IPs, or request an increase of "EC2-VPC Elastic IPs" (Service Quotas, ec2 L-0263D0A3)',
  },
  {
    name: 'VPCs per region',
    resourceType: 'AWS::EC2::VPC',
    serviceCode: 'vpc',
    quotaCode: 'L-F678F1CE',
    awsDefault: 5,
    fix: 'delete unused VPCs (the default VPC counts), use another region, or request an increase of "VPCs per Region" (Service Quotas, vpc L-F678F1CE)',
  },
  {
    name: 'NAT gateways per availability zone',
    resourceType: 'AWS::EC2::NatGateway',
    serviceCode: 'vpc',
    quotaCode: 'L-FE5A380F',
    awsDefault: 5,
    perZone: true,
    fix: 'set natGateways: single under network:, delete unused NAT gateways, or request an increase of "NAT gateways per Availability Zone" (Service Quotas, vpc L-FE5A380F)',
  },
];

export interface QuotaCheck {
  name: string;
  /** In use now (per zone: in the fullest zone). */
  inUse: number;
  /** What this run adds (per zone: to one zone). */
  adds: number;
  limit: number;
  limitSource: 'service-quotas' | 'aws-default';
  exceeded: boolean;
  fix: string;
  /** The stacks that add to it. */
  stacks: string[];
  /** Why it could not be counted (e.g. no ec2:Describe* permission): reported, never refused. */
  unchecked?: string;
}

export interface PreflightReport {
  /** AWS service principals whose service-linked role the planned templates need and that is missing. */
  missingRoles: string[];
  /** Why the roles could not be listed (no iam:ListRoles): deploy then goes on without creating any. */
  rolesUnchecked?: string;
  quotas: QuotaCheck[];
  /** Environments of the same name under another prefix, when the run creates its environment (see namesakes.ts). */
  namesakes: Namesake[];
  /** The environment deployed in other regions, when the run creates it here (see namesakes.ts). */
  elsewhere: Elsewhere[];
  /** Each size the run creates or changes, and whether AWS offers it there (see offerings.ts). */
  offerings: OfferingCheck[];
}

/** The run would exceed a quota of the account: a refusal (exit 2), thrown before anything is created. */
export class QuotaExceededError extends EngineError {
  constructor(readonly exceeded: QuotaCheck[]) {
    super(
      'QuotaExceeded',
      `this deploy would exceed ${exceeded.length === 1 ? 'a quota' : `${exceeded.length} quotas`} of the account; nothing was created:\n` +
        exceeded
          .map(
            (q) =>
              `  ${q.name}: ${q.inUse} in use + ${q.adds} from ${q.stacks.join(', ')} > ${q.limit} (${q.limitSource === 'aws-default' ? 'AWS default' : 'Service Quotas'})`,
          )
          .join('\n'),
      exceeded.map((q) => q.fix).join('; or '),
    );
  }
}

/** A service-linked role could not be created (usually: no iam:CreateServiceLinkedRole permission). */
export class ServiceLinkedRoleError extends EngineError {
  constructor(service: string, cause: unknown) {
    super(
      'ServiceLinkedRole',
      `the service-linked role for ${service} is missing and could not be created: ${cause instanceof Error ? cause.message : String(cause)}`,
      `ask an administrator to run \`aws iam create-service-linked-role --aws-service-name ${service}\` once for this account, then deploy again`,
      { cause },
    );
  }
}

/** The EKS cluster template's parameter naming one more admin role. */
export const CLUSTER_ADMIN_PARAM = 'ClusterAdminRoleArn';

/**
 * The role an ARN from STS GetCallerIdentity acts as: `arn:aws:sts::111:assumed-role/Name/session`
 * is role Name of account 111 (its path is not in the ARN); an IAM user or role ARN is itself.
 */
export function callerPrincipal(arn: string): { account: string; roleName?: string; arn: string } {
  const m = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (m) return { account: m[1]!, roleName: m[2]!, arn };
  const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return { account: /::(\d{12}):/.exec(arn)?.[1] ?? '', ...(role ? { roleName: role[2]! } : {}), arn };
}

/**
 * A new EKS cluster whose ClusterAdminRoleArn is the deploying role: EKS already makes its creator
 * admin (BootstrapClusterCreatorAdminPermissions), so the template's access entry for the same
 * principal fails with 409 "already in use" and the stack rolls back. Returns the stack names.
 */
export function duplicateClusterAdmins(
  specs: StackSpec[],
  callerArn: string,
  existing: Set<string>,
): { stack: string; role: string }[] {
  const caller = callerPrincipal(callerArn);
  return specs
    .filter(
      (s) =>
        !existing.has(s.name) &&
        Object.values(parseTemplate(s.templateBody)?.Resources ?? {}).some((r) => r.Type === 'AWS::EKS::Cluster'),
    )
    .map((s) => ({ stack: s.name, role: s.parameters[CLUSTER_ADMIN_PARAM] ?? '' }))
    .filter(({ role }) => {
      if (!role) return false;
      if (role === caller.arn) return true;
      const given = callerPrincipal(role);
      return Boolean(caller.roleName) && given.account === caller.account && given.roleName === caller.roleName;
    });
}

/** The account and principal deploying, from STS. */
export async function callerArn(clients: AwsClients): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  return (await clients.sts.send(new GetCallerIdentityCommand({}))).Arn ?? '';
}

/** How the preflight reads a deployed stack and its template; by default, itself. */
export interface DeployedReads {
  stack(spec: StackSpec): Promise<Stack | undefined>;
  template(stackName: string): Promise<string | undefined>;
}

/** What {@link preflight} looks at besides the account's roles and quotas. */
export interface PreflightOptions {
  /**
   * On a run that creates the environment, ask every other region of the partition whether the
   * environment is deployed there (a `region:` changed in the params file): one call per region,
   * about 35, and 0.1 s, so `plan` looks and a deploy, whose first run it would slow, does not.
   * @default true
   */
  otherRegions?: boolean;
  /** The params-file field behind a stack's parameter (`apps[0].data[0].instanceClass`), to name it in refusals. */
  fieldOf?: (stack: string, parameter: string) => string | undefined;
}

/**
 * Checks the account against the specs (service-linked roles, quotas), and, on the run that
 * creates the environment, where else it is (see namesakes.ts). Reads only. `reads` lets the
 * run's unchanged checks answer for the deployed stacks, which they read anyway.
 */
export async function preflight(
  clients: AwsClients,
  specs: StackSpec[],
  reads: DeployedReads = ownReads(clients),
  opts: PreflightOptions = {},
): Promise<PreflightReport> {
  // The roles' listing does not wait for the quotas' counts: every independent read at once.
  const [roles, quotas, places, offerings] = await Promise.all([
    missingServiceRoles(clients, specs, reads).then(
      (missing) => ({ missing }),
      (err: unknown) => ({ missing: [] as string[], unchecked: describeError(err) }),
    ),
    Promise.all(specs.map((s) => addedResources(clients, s, reads))).then((counted) =>
      Promise.all(QUOTAS.map((q) => checkQuota(clients, q, specs, counted))),
    ),
    clients
      .region()
      .then((here) =>
        findOtherPlaces(
          clients,
          specs,
          (s) => reads.stack(s).then(Boolean),
          opts.otherRegions === false ? [] : knownRegions().filter((r) => partitionOf(r) === partitionOf(here)),
        ),
      ),
    offeringChecks(clients, specs, reads, opts.fieldOf),
  ]);
  return {
    missingRoles: roles.missing,
    ...('unchecked' in roles ? { rolesUnchecked: roles.unchecked } : {}),
    quotas,
    ...places,
    offerings,
  };
}

/**
 * The sizes a spec brings that its deployed stack does not run yet (see offerings.ts): a stack
 * without sizes reads nothing, and a template this machine's record knows is not read back.
 */
async function choicesToAsk(spec: StackSpec, reads: DeployedReads, region?: string): Promise<SizeChoice[]> {
  if (!sizeChoices(spec.templateBody, spec.parameters, region).length) return [];
  const stack = await reads.stack(spec);
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS' || stack.StackStatus === 'ROLLBACK_COMPLETE')
    return newChoices(spec, undefined, region);
  const body = deployRecords().knows(stack, spec.templateBody) ? spec.templateBody : await reads.template(spec.name);
  return newChoices(spec, { stack, body }, region);
}

/**
 * Whether AWS offers each size the run creates or changes where its stack puts it (see
 * offerings.ts). The network's zones are the first `AzCount` of the region when the network stack
 * is in the run; otherwise the region is asked.
 */
async function offeringChecks(
  clients: AwsClients,
  specs: StackSpec[],
  reads: DeployedReads,
  fieldOf: PreflightOptions['fieldOf'],
): Promise<OfferingCheck[]> {
  const region = await clients.region().catch(() => undefined);
  const choices = await Promise.all(specs.map((s) => choicesToAsk(s, reads, region)));
  // One line per stack and value: Aurora's two instances of one class are one question.
  const asked = [
    ...new Map(
      specs.flatMap((s, i) =>
        choices[i]!.map((choice) => {
          const key = [s.name, choice.parameter, choice.value, choice.engine, choice.engineVersion].join('|');
          return [key, { stack: s.name, choice }] as const;
        }),
      ),
    ).values(),
  ];
  const azCount = Number(specs.find((s) => s.parameters.AzCount)?.parameters.AzCount) || undefined;
  const checks = await askOfferings(clients, asked, azCount);
  return checks.map((c) => {
    const field = fieldOf?.(c.stack, c.parameter);
    return field ? { ...c, field } : c;
  });
}

/** Creates the missing service-linked roles; one that appeared meanwhile ("has been taken") is fine. */
export async function createServiceLinkedRoles(clients: AwsClients, services: string[]): Promise<void> {
  const { CreateServiceLinkedRoleCommand } = await import('@aws-sdk/client-iam');
  // Independent roles: created at the same time.
  await Promise.all(
    services.map(async (service) => {
      try {
        await clients.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: service }));
      } catch (err) {
        if (!isRoleTaken(err)) throw new ServiceLinkedRoleError(service, err);
      }
    }),
  );
}

/** IAM says an existing service-linked role "has been taken" (InvalidInput): only the text tells. */
function isRoleTaken(err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidInputException' && /has been taken/.test(err.message);
}

/** The services whose service-linked role a template's resources need. */
function servicesOf(body: string | undefined): Set<string> {
  const services = new Set<string>();
  for (const r of Object.values(parseTemplate(body)?.Resources ?? {})) {
    const service = SERVICE_LINKED_ROLES[r.Type];
    if (service) services.add(service);
  }
  return services;
}

/**
 * The services a spec brings that its deployed stack does not have yet: a service-linked role is
 * needed when a resource of its service is first created (a stack that already has one had its
 * role then). An unchanged environment so needs none, and its re-run neither lists roles nor
 * loads the IAM client.
 */
async function servicesAdded(spec: StackSpec, reads: DeployedReads): Promise<Set<string>> {
  const wanted = servicesOf(spec.templateBody);
  if (!wanted.size) return wanted;
  const stack = await reads.stack(spec);
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS' || stack.StackStatus === 'ROLLBACK_COMPLETE') return wanted;
  if (deployRecords().knows(stack, spec.templateBody)) return new Set();
  const deployed = servicesOf(await reads.template(spec.name));
  return new Set([...wanted].filter((s) => !deployed.has(s)));
}

async function missingServiceRoles(clients: AwsClients, specs: StackSpec[], reads: DeployedReads): Promise<string[]> {
  const needed = new Set((await Promise.all(specs.map((s) => servicesAdded(s, reads)))).flatMap((s) => [...s]));
  if (!needed.size) return [];
  const { paginateListRoles } = await import('@aws-sdk/client-iam');
  const present = new Set<string>();
  // Service-linked roles live under /aws-service-role/<service principal>/.
  for await (const page of paginateListRoles({ client: clients.iam }, { PathPrefix: '/aws-service-role/' })) {
    for (const role of page.Roles ?? []) present.add((role.Path ?? '').split('/')[2] ?? '');
  }
  return [...needed].filter((s) => !present.has(s)).sort();
}

/**
 * Per resource type, how many this spec adds: the new template's count minus the deployed one's.
 * Only templates with a resource a quota counts are read back (one network stack, not forty).
 */
async function addedResources(
  clients: AwsClients,
  spec: StackSpec,
  reads: DeployedReads,
): Promise<Map<string, number>> {
  const region = await clients.region().catch(() => undefined);
  const after = countResources(spec.templateBody, spec.parameters, region);
  if (!QUOTAS.some((q) => after.has(q.resourceType))) return new Map();
  const stack = await reads.stack(spec);
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS' || stack.StackStatus === 'ROLLBACK_COMPLETE') return after;
  // A template this machine's record knows (see records.ts) is the spec's own: not read back.
  const deployed = deployRecords().knows(stack, spec.templateBody)
    ? spec.templateBody
    : await reads.template(spec.name);
  const before = deployed ? countResources(deployed, parametersOf(stack), region) : new Map<string, number>();
  return new Map([...after].map(([type, n]) => [type, Math.max(0, n - (before.get(type) ?? 0))]));
}

function ownReads(clients: AwsClients): DeployedReads {
  return {
    stack: (spec) => describeStack(clients.cloudFormation, spec.name),
    template: (name) => getTemplateBody(clients.cloudFormation, name),
  };
}

/**
 * Resources per type that a template creates with these parameters: its Conditions evaluated the
 * way plan evaluates them (stages/check.ts).
 */
export function countResources(body: string, parameters: Record<string, string>, region?: string): Map<string, number> {
  const template = parseTemplate(body) as CheckedTemplate | undefined;
  const counts = new Map<string, number>();
  if (!template) return counts;
  for (const id of activeResources(template, parameters, pseudoFor(region))) {
    const type = template.Resources![id]!.Type;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

async function checkQuota(
  clients: AwsClients,
  q: QuotaSpec,
  specs: StackSpec[],
  counted: Map<string, number>[],
): Promise<QuotaCheck> {
  const adding = specs
    .map((s, i) => ({ stack: s.name, n: counted[i]!.get(q.resourceType) ?? 0 }))
    .filter((a) => a.n > 0);
  const total = adding.reduce((sum, a) => sum + a.n, 0);
  const adds = q.perZone ? Math.min(total, 1) : total;
  const base = { name: q.name, adds, fix: q.fix, stacks: adding.map((a) => a.stack) };
  if (!adds) return { ...base, inUse: 0, limit: q.awsDefault, limitSource: 'aws-default', exceeded: false };
  // The limit and what is in use are independent reads: at the same time.
  const [limit, inUse] = await Promise.all([
    limitOf(clients, q),
    inUseOf(clients, q).then(
      (n) => ({ n }),
      (err: unknown) => ({ err }),
    ),
  ]);
  const read = { ...base, limit: limit.value, limitSource: limit.source };
  if ('n' in inUse) return { ...read, inUse: inUse.n, exceeded: inUse.n + adds > limit.value };
  return { ...read, inUse: 0, exceeded: false, unchecked: describeError(inUse.err) };
}

async function inUseOf(clients: AwsClients, q: QuotaSpec): Promise<number> {
  const ec2 = await import('@aws-sdk/client-ec2');
  switch (q.resourceType) {
    case 'AWS::EC2::EIP':
      return ((await clients.ec2.send(new ec2.DescribeAddressesCommand({}))).Addresses ?? []).length;
    case 'AWS::EC2::VPC':
      return ((await clients.ec2.send(new ec2.DescribeVpcsCommand({}))).Vpcs ?? []).length;
    default: {
      const nats =
        (
          await clients.ec2.send(
            new ec2.DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['pending', 'available'] }] }),
          )
        ).NatGateways ?? [];
      const subnetIds = [...new Set(nats.map((n) => n.SubnetId ?? ''))].filter(Boolean);
      if (!subnetIds.length) return 0;
      const subnets = (await clients.ec2.send(new ec2.DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets ?? [];
      const zoneOf = new Map(subnets.map((s) => [s.SubnetId, s.AvailabilityZone]));
      const perZone = new Map<string, number>();
      for (const n of nats)
        perZone.set(zoneOf.get(n.SubnetId) ?? '', (perZone.get(zoneOf.get(n.SubnetId) ?? '') ?? 0) + 1);
      return Math.max(0, ...perZone.values());
    }
  }
}

/** The account's applied value from Service Quotas; AWS's default when it does not answer. */
async function limitOf(
  clients: AwsClients,
  q: QuotaSpec,
): Promise<{ value: number; source: 'service-quotas' | 'aws-default' }> {
  const { GetServiceQuotaCommand } = await import('@aws-sdk/client-service-quotas');
  try {
    const out = await clients.serviceQuotas.send(
      new GetServiceQuotaCommand({ ServiceCode: q.serviceCode, QuotaCode: q.quotaCode }),
    );
    const value = out.Quota?.Value;
    if (typeof value === 'number') return { value, source: 'service-quotas' };
  } catch {
    // NoSuchResource (no applied value), AccessDenied, or not offered here: AWS's default holds.
  }
  return { value: q.awsDefault, source: 'aws-default' };
}
