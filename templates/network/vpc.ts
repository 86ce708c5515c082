/** The VPC and its internet gateway: what every tier of the network is built in. */
import { EC2 } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import type { IntrinsicFunction } from '../kit/cf';

/** The VPC, plus the gateway attachment that public routes and Elastic IPs must wait for. */
export interface Vpc {
  vpc: Handle;
  igw: Handle;
  igwAttachment: Handle;
}

/** Adds the VPC (DNS on: endpoints and service discovery need it) and its internet gateway. */
export function vpcWithGateway(t: TemplateBuilder<'environment'>, cidr: IntrinsicFunction): Vpc {
  const vpc = t.add(
    'Vpc',
    new EC2.VPC({
      CidrBlock: cidr,
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
      Tags: t.tags({ Name: t.scopedName('vpc') }),
    }),
  );
  const igw = t.add('InternetGateway', new EC2.InternetGateway({ Tags: t.tags({ Name: t.scopedName('igw') }) }));
  const igwAttachment = t.add(
    'InternetGatewayAttachment',
    new EC2.VPCGatewayAttachment({ VpcId: vpc.ref, InternetGatewayId: igw.ref }),
  );
  return { vpc, igw, igwAttachment };
}
