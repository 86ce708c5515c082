/**
 * An existing hosted zone named by `existingHostedZoneId`, read from Route 53 for the delegation
 * check (./delegation.ts). A zone the environment creates (16) reports its name servers as a stack
 * output; a zone the user names is only passed on by 16, so its name servers (its delegation set)
 * come from GetHostedZone. Without them, DNS's answer could not be compared with anything, and a
 * domain still delegated elsewhere (an old zone, another provider) would pass the check and leave
 * the certificate waiting for hours.
 *
 * Its own module so that the Route 53 client loads only for an environment that names a zone.
 */
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import type { AwsClients } from '../aws/clients';
import { isAccessDenied } from '../aws/errors';
import { EngineError } from './errors';

/** The params-file field that names an existing zone. */
export const EXISTING_ZONE_FIELD = 'domain.existingHostedZoneId';

/**
 * The zone named by `existingHostedZoneId` cannot serve the domain: it does not exist in this
 * account, it is another domain's, or it is private (no public name servers). Found before any
 * change: a refusal.
 */
export class HostedZoneUnusableError extends EngineError {
  constructor(zoneId: string, problem: string, cause?: unknown) {
    super(
      'HostedZoneUnusable',
      `${EXISTING_ZONE_FIELD} ${zoneId}: ${problem}; nothing was changed`,
      `name the public hosted zone of the domain (\`aws route53 list-hosted-zones-by-name\` lists them), or remove existingHostedZoneId to have a new zone created`,
      { cause },
    );
  }
}

/** The IAM action the delegation check needs on a zone the params file names. */
export const GET_HOSTED_ZONE_ACTION = 'route53:GetHostedZone';

/**
 * The credentials may not read the zone named by `existingHostedZoneId` (GetHostedZone is denied),
 * so whether the domain is delegated to it cannot be known. Found before any change: a refusal,
 * naming the permission to grant rather than the SDK's "not authorized" text.
 */
export class HostedZoneAccessDeniedError extends EngineError {
  constructor(zoneId: string, cause?: unknown) {
    const id = zoneId.replace(/^\/?hostedzone\//, '');
    super(
      'HostedZoneAccessDenied',
      `${EXISTING_ZONE_FIELD} ${zoneId}: these credentials may not read the zone (${GET_HOSTED_ZONE_ACTION} is denied), so the domain's delegation to it cannot be checked; nothing was changed`,
      `allow ${GET_HOSTED_ZONE_ACTION} on arn:aws:route53:::hostedzone/${id} to the identity that deploys (or deploy with credentials that have it), then run the same command again`,
      { cause },
    );
  }
}

const norm = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The name servers of the public zone `zoneId`, which must be the zone of `domain`. */
export async function hostedZoneNameServers(clients: AwsClients, zoneId: string, domain: string): Promise<string[]> {
  let zone;
  try {
    zone = await clients.route53.send(new GetHostedZoneCommand({ Id: zoneId }));
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchHostedZone')
      throw new HostedZoneUnusableError(zoneId, 'no such hosted zone in this account', err);
    if (isAccessDenied(err)) throw new HostedZoneAccessDeniedError(zoneId, err);
    throw err;
  }
  const name = norm(zone.HostedZone?.Name ?? '');
  if (name !== norm(domain))
    throw new HostedZoneUnusableError(zoneId, `this zone is ${name}, not the domain ${norm(domain)}`);
  const servers = zone.DelegationSet?.NameServers ?? [];
  if (zone.HostedZone?.Config?.PrivateZone || !servers.length)
    throw new HostedZoneUnusableError(zoneId, 'a private zone has no public name servers to delegate to');
  return servers.map(norm).sort();
}
