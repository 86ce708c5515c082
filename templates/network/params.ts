/**
 * The network template's own parameters, and the availability-zone layout they select: how many
 * zones, how many NAT gateways, and the conditions every per-zone resource carries.
 */
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, type IntrinsicFunction } from '../kit/cf';
import { LOG_RETENTION_DAYS } from '../kit/security';

/** The zones a subnet tier may use; the third exists only with `AzCount` 3. */
export const AZ_LETTERS = ['A', 'B', 'C'] as const;
/** The three subnet tiers, each with its own CIDR list parameter. */
export type Tier = 'Public' | 'Private' | 'Data';
/** For a CommaDelimitedList, CloudFormation applies AllowedPattern to each value. */
const CIDR_LIST = '^\\s*(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-8])\\s*$';

type Env = TemplateBuilder<'environment'>;

/** `Ref`s to the network template's parameters. */
export interface NetworkParams {
  azCount: IntrinsicFunction;
  natMode: IntrinsicFunction;
  vpcCidr: IntrinsicFunction;
  /** One comma-separated CIDR list per tier, one value per zone. */
  subnetCidrs: Record<Tier, IntrinsicFunction>;
  flowRetention: IntrinsicFunction;
}

/** Declares the parameters, in the order the console shows them. */
export function networkParams(t: Env): NetworkParams {
  return {
    azCount: t.param('AzCount', {
      Type: 'String',
      Default: '2',
      AllowedValues: ['2', '3'],
      Description:
        'How many availability zones to spread the subnets over. 3 survives the loss of a zone with more headroom; 2 costs less.',
      label: 'Availability zones',
    }),
    natMode: t.param('NatGateways', {
      Type: 'String',
      Default: 'one-per-az',
      AllowedValues: ['one-per-az', 'single'],
      Description:
        'one-per-az keeps outbound traffic working when a zone fails; single saves the cost of the extra NAT gateways (for dev/test).',
      label: 'NAT gateways',
    }),
    vpcCidr: t.param('VpcCidr', {
      Type: 'String',
      Default: '10.0.0.0/16',
      AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-4])$',
      ConstraintDescription: 'a CIDR block between /16 and /24, e.g. 10.0.0.0/16',
      Description: 'Address range of the VPC. Pick one that does not overlap networks you will peer or connect to.',
      label: 'VPC CIDR block',
    }),
    subnetCidrs: subnetCidrParams(t),
    flowRetention: t.param('FlowLogRetentionDays', {
      Type: 'Number',
      Default: 365,
      AllowedValues: LOG_RETENTION_DAYS,
      Description:
        'Days to keep VPC flow logs: an audit record of who talked to whom, kept a year by default as many audits ask.',
      label: 'Flow log retention (days)',
      group: 'Logging',
    }),
  };
}

function subnetCidrParams(t: Env): Record<Tier, IntrinsicFunction> {
  const list = (name: string, Default: string, Description: string, label: string): IntrinsicFunction =>
    t.param(name, {
      Type: 'CommaDelimitedList',
      Default,
      AllowedPattern: CIDR_LIST,
      ConstraintDescription: 'each value is a CIDR block between /16 and /28, e.g. 10.0.0.0/22',
      Description,
      label,
    });
  return {
    Public: list(
      'PublicSubnetCidrs',
      '10.0.0.0/22,10.0.4.0/22,10.0.8.0/22',
      'Public subnet CIDRs, one per AZ (the third is used only with 3 AZs).',
      'Public subnet CIDRs',
    ),
    Private: list(
      'PrivateSubnetCidrs',
      '10.0.32.0/19,10.0.64.0/19,10.0.96.0/19',
      'Private subnet CIDRs, one per AZ; the largest tier, since every task gets an address here.',
      'Private subnet CIDRs',
    ),
    Data: list(
      'DataSubnetCidrs',
      '10.0.16.0/22,10.0.20.0/22,10.0.24.0/22',
      'Data subnet CIDRs, one per AZ, for databases and caches.',
      'Data subnet CIDRs',
    ),
  };
}

/** The zone layout: conditions per zone and NAT mode, and helpers that list per-zone values. */
export interface Zones {
  /** Condition: `AzCount` is 3. */
  threeAzs: string;
  /** Condition: a NAT gateway in every zone. */
  natPerAz: string;
  /** Condition: a NAT gateway in every zone, and three zones. */
  natPerAzThreeAzs: string;
  /** The condition a resource in zone `i` carries: only the third zone's resources have one. */
  condition(i: number): string | undefined;
  /** The name of zone `i` in the stack's region. */
  az(i: number): IntrinsicFunction;
  /** The handles' `Ref`s, one per zone in use. */
  perAz(handles: Handle[]): IntrinsicFunction;
}

/** Declares the zone conditions from the `AzCount` and `NatGateways` parameters. */
export function zoneLayout(t: Env, params: NetworkParams): Zones {
  const threeAzs = t.condition('ThreeAzs', Fn.Equals(params.azCount, '3'));
  const natPerAz = t.condition('NatPerAz', Fn.Equals(params.natMode, 'one-per-az'));
  const natPerAzThreeAzs = t.condition('NatPerAzThreeAzs', Fn.And([{ Condition: natPerAz }, { Condition: threeAzs }]));
  return {
    threeAzs,
    natPerAz,
    natPerAzThreeAzs,
    condition: (i) => (i === 2 ? threeAzs : undefined),
    az: (i) => Fn.Select(i, Fn.GetAZs(Refs.Region)),
    perAz: (hs) =>
      Fn.If(
        threeAzs,
        hs.map((h) => h.ref),
        hs.slice(0, 2).map((h) => h.ref),
      ),
  };
}
