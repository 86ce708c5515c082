/** VPC endpoints: AWS traffic that need not cross the NAT gateways. */
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, sub } from '../kit/cf';
import type { Subnets } from './subnets';
import type { Zones } from './params';

/**
 * The S3 gateway endpoint on the private and data route tables: image layers and bucket traffic
 * stay off the NAT gateways (and their bill).
 */
export function s3GatewayEndpoint(t: TemplateBuilder<'environment'>, vpc: Handle, zones: Zones, tiers: Subnets): void {
  const [a, b, c] = tiers.privateRouteTables;
  const data = tiers.dataRouteTable;
  // Plain object: cloudform-types 7.5's VPCEndpoint lacks the (newer) Tags property.
  t.add('S3GatewayEndpoint', {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      Tags: t.tags({ Name: t.scopedName('s3-endpoint') }),
      VpcId: vpc.ref,
      ServiceName: sub('com.amazonaws.${AWS::Region}.s3'),
      VpcEndpointType: 'Gateway',
      RouteTableIds: Fn.If(zones.threeAzs, [a!.ref, b!.ref, c!.ref, data.ref], [a!.ref, b!.ref, data.ref]),
    },
  });
}
