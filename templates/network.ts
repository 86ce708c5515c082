/**
 * 11.env-network: the environment's network, in three tiers per availability zone:
 * public (load balancers, NAT gateways), private (services, nodes, jump boxes; outbound through
 * NAT) and data (databases and caches; no route to or from the internet at all).
 *
 * Subnet CIDRs are parameters (comma-separated, one per AZ) rather than `Fn::Cidr` arithmetic, so
 * an environment can be fitted into an existing address plan (peering, VPN, Transit Gateway).
 *
 * Each tier is built in its own module under `network/`; this one composes them and declares
 * the exports.
 */
import { Network } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type TemplateIdentity } from './kit/builder';
import { Fn } from './kit/cf';
import { s3GatewayEndpoint } from './network/endpoints';
import { flowLogs } from './network/flowlogs';
import { networkParams, zoneLayout } from './network/params';
import { securityGroups, subnetGroups } from './network/security';
import { subnetTiers } from './network/subnets';
import { vpcWithGateway } from './network/vpc';

export { DataPorts } from './network/security';

/** Who 11 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const NetworkTemplate: TemplateIdentity<'environment'> = {
  id: '11.env-network',
  scope: 'environment',
  stackSuffix: 'network',
};

/**
 * Builds 11.env-network. The order of the steps is the order of the resources in the published
 * template (users diff it between versions), so a new tier goes where its resources should appear.
 */
export function buildNetwork(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...NetworkTemplate,
    description:
      'Environment network: VPC, public/private/data subnets in 2 or 3 AZs, NAT, security groups, subnet groups, flow logs',
    group: 'Network',
  });
  const params = networkParams(t);
  const zones = zoneLayout(t, params);
  const net = vpcWithGateway(t, params.vpcCidr);
  const tiers = subnetTiers(t, net, zones, params.subnetCidrs);
  s3GatewayEndpoint(t, net.vpc, zones, tiers);
  const sgs = securityGroups(t, net.vpc, params.vpcCidr);
  const groups = subnetGroups(t, zones.perAz(tiers.subnets.Data));
  flowLogs(t, net.vpc, params.flowRetention);

  const { subnets } = tiers;
  t.export(Network.VpcId, net.vpc.ref);
  t.export(Network.VpcCidr, net.vpc.att('CidrBlock'));
  t.export(Network.PublicSubnetIds, zones.perAz(subnets.Public));
  t.export(Network.PrivateSubnetIds, zones.perAz(subnets.Private));
  t.export(Network.DataSubnetIds, zones.perAz(subnets.Data));
  t.export(Network.LoadBalancerSecurityGroupId, sgs.lb.att('GroupId'));
  t.export(Network.AppSecurityGroupId, sgs.app.att('GroupId'));
  t.export(Network.DatabaseSecurityGroupId, sgs.db.att('GroupId'));
  t.export(Network.CacheSecurityGroupId, sgs.cache.att('GroupId'));
  t.export(Network.DbSubnetGroupName, groups.db.ref);
  t.export(Network.CacheSubnetGroupName, groups.cache.ref);
  t.export(
    Network.AvailabilityZones,
    Fn.If(zones.threeAzs, [zones.az(0), zones.az(1), zones.az(2)], [zones.az(0), zones.az(1)]),
  );
  return t.build();
}
