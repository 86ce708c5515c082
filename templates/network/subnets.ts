/**
 * The three subnet tiers, one subnet per zone each: public (load balancers, NAT gateways) routed
 * to the internet gateway, private (services, nodes, jump boxes) routed to its zone's NAT gateway,
 * and data (databases and caches) with only the local route.
 */
import { EC2 } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, withCondition, type IntrinsicFunction } from '../kit/cf';
import { natGateways } from './nat';
import { AZ_LETTERS, type Tier, type Zones } from './params';
import type { Vpc } from './vpc';

type Env = TemplateBuilder<'environment'>;

/** Every tier's subnets (index = zone) and the route tables the S3 endpoint attaches to. */
export interface Subnets {
  subnets: Record<Tier, Handle[]>;
  privateRouteTables: Handle[];
  dataRouteTable: Handle;
}

/** What a subnet of any tier needs to know. */
interface SubnetContext {
  t: Env;
  vpc: Handle;
  zones: Zones;
  cidrs: Record<Tier, IntrinsicFunction>;
}

/** Adds the tiers in order: public, NAT gateways, private, data. */
export function subnetTiers(t: Env, net: Vpc, zones: Zones, cidrs: Record<Tier, IntrinsicFunction>): Subnets {
  const ctx: SubnetContext = { t, vpc: net.vpc, zones, cidrs };
  const publicSubnets = publicTier(ctx, net);
  const nats = natGateways(t, zones, net.igwAttachment, publicSubnets);
  const privateTier = AZ_LETTERS.map((_l, i) => privateZone(ctx, i, nats));
  const dataRouteTable = t.add(
    'DataRouteTable',
    new EC2.RouteTable({ VpcId: net.vpc.ref, Tags: t.tags({ Name: t.scopedName('data') }) }),
  );
  const dataSubnets = AZ_LETTERS.map((_l, i) => subnet(ctx, 'Data', i, dataRouteTable));
  return {
    subnets: { Public: publicSubnets, Private: privateTier.map((z) => z.subnet), Data: dataSubnets },
    privateRouteTables: privateTier.map((z) => z.routeTable),
    dataRouteTable,
  };
}

/** One route table for the tier, its default route to the internet gateway, and the subnets. */
function publicTier(ctx: SubnetContext, net: Vpc): Handle[] {
  const { t } = ctx;
  const routeTable = t.add(
    'PublicRouteTable',
    new EC2.RouteTable({ VpcId: net.vpc.ref, Tags: t.tags({ Name: t.scopedName('public') }) }),
  );
  t.add(
    'PublicDefaultRoute',
    new EC2.Route({
      RouteTableId: routeTable.ref,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: net.igw.ref,
    }).dependsOn(net.igwAttachment.id),
  );
  return AZ_LETTERS.map((_l, i) => subnet(ctx, 'Public', i, routeTable));
}

/** A route table per zone, default route to that zone's NAT gateway (or the single one). */
function privateZone(ctx: SubnetContext, i: number, nats: Handle[]): { routeTable: Handle; subnet: Handle } {
  const { t, zones } = ctx;
  const letter = AZ_LETTERS[i]!;
  const cond = zones.condition(i);
  const routeTable = t.add(
    `PrivateRouteTable${letter}`,
    withCondition(
      new EC2.RouteTable({
        VpcId: ctx.vpc.ref,
        Tags: t.tags({ Name: t.scopedName(`private-${letter.toLowerCase()}`) }),
      }),
      cond,
    ),
  );
  t.add(
    `PrivateDefaultRoute${letter}`,
    withCondition(
      new EC2.Route({
        RouteTableId: routeTable.ref,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: i === 0 ? nats[0]!.ref : Fn.If(zones.natPerAz, nats[i]!.ref, nats[0]!.ref),
      }),
      cond,
    ),
  );
  return { routeTable, subnet: subnet(ctx, 'Private', i, routeTable) };
}

/** A tier's subnet in zone `i`, associated with the route table given. */
function subnet(ctx: SubnetContext, tier: Tier, i: number, routeTable: Handle): Handle {
  const { t, zones } = ctx;
  const letter = AZ_LETTERS[i]!;
  const cond = zones.condition(i);
  const handle = t.add(
    `${tier}Subnet${letter}`,
    withCondition(
      new EC2.Subnet({
        VpcId: ctx.vpc.ref,
        AvailabilityZone: zones.az(i),
        CidrBlock: Fn.Select(i, ctx.cidrs[tier]),
        // No automatic public IPs anywhere: NAT gateways use Elastic IPs and load balancers their own.
        MapPublicIpOnLaunch: false,
        Tags: t.tags({
          Name: t.scopedName(`${tier.toLowerCase()}-${letter.toLowerCase()}`),
          'cfn-stages:tier': tier.toLowerCase(),
        }),
      }),
      cond,
    ),
  );
  t.add(
    `${tier}Subnet${letter}RouteTableAssociation`,
    withCondition(new EC2.SubnetRouteTableAssociation({ SubnetId: handle.ref, RouteTableId: routeTable.ref }), cond),
  );
  return handle;
}
