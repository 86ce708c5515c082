/** NAT gateways: the private tier's way out, in each zone or only in the first (`NatGateways=single`). */
import { EC2 } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { withCondition } from '../kit/cf';
import { AZ_LETTERS, type Zones } from './params';

/**
 * Adds an Elastic IP and a NAT gateway per zone, in that zone's public subnet. The first zone's
 * always exists; the others only with one NAT gateway per zone (and the third only with 3 zones).
 * The Elastic IPs wait for the internet gateway's attachment, as AWS requires.
 */
export function natGateways(
  t: TemplateBuilder<'environment'>,
  zones: Zones,
  igwAttachment: Handle,
  publicSubnets: Handle[],
): Handle[] {
  return AZ_LETTERS.map((letter, i) => {
    const cond = i === 0 ? undefined : i === 1 ? zones.natPerAz : zones.natPerAzThreeAzs;
    const eip = t.add(
      `NatEip${letter}`,
      withCondition(
        new EC2.EIP({ Domain: 'vpc', Tags: t.tags({ Name: t.scopedName(`nat-${letter.toLowerCase()}`) }) }).dependsOn(
          igwAttachment.id,
        ),
        cond,
      ),
    );
    return t.add(
      `NatGateway${letter}`,
      withCondition(
        new EC2.NatGateway({
          AllocationId: eip.att('AllocationId'),
          SubnetId: publicSubnets[i]!.ref,
          Tags: t.tags({ Name: t.scopedName(`nat-${letter.toLowerCase()}`) }),
        }),
        cond,
      ),
    );
  });
}
