/**
 * What each resource a destroy keeps becomes when the same params file is deployed again: the
 * decision behind the templates' names and policies, said once, for `destroy`'s report (and the
 * README's "Lifecycle" table, which says the same in prose).
 *
 * - A name that is the user's contract (the ECR repository) is adopted by the new stack.
 * - Everything else kept has a generated or per-creation name, so it never stands in the way; it
 *   stays with its data until someone deletes it, and the new stack makes a fresh one.
 * - A database's or cache's final snapshot can start the new one (`restoreFrom`).
 */
import type { KeptResource } from './destroy';
import { CACHE_TYPE, CLUSTER_TYPES } from './restore';

/** One line: what a deploy of the same params file does with this kept resource. */
export function describeRecreate(kept: KeptResource): string {
  if (kept.policy === 'Snapshot') {
    if (CLUSTER_TYPES.includes(kept.resourceType)) {
      return 'the next deploy creates an empty database, or one restored from this snapshot with restoreFrom: latest (or the snapshot id)';
    }
    return kept.resourceType === CACHE_TYPE
      ? 'the next deploy creates an empty cache, or one restored from this snapshot with restoreFrom: latest (or the snapshot name)'
      : 'the next deploy creates an empty one; the snapshot stays until you delete it';
  }
  switch (kept.resourceType) {
    case 'AWS::ECR::Repository':
      return 'adopted by the next deploy (resource import), images and all';
    case 'AWS::SQS::Queue':
      return 'stays with its messages; the next deploy makes a new queue (drain this one, then delete it)';
    case 'AWS::SecretsManager::Secret':
      return kept.logicalId === 'ConfigSecret'
        ? 'stays; the next deploy makes a new, empty configuration (copy the values over with provision config set)'
        : 'stays; the next deploy generates new credentials (delete this one once its data is no longer needed)';
    case 'AWS::KMS::Key':
      return 'stays: kept data (snapshot, secret, queue or bucket) is encrypted with it; delete it only after that data';
    case 'AWS::S3::Bucket':
      return 'stays with its objects; the next deploy makes a new bucket (a bucketName set in the params file must be freed first)';
    case 'AWS::Route53::HostedZone':
      return `stays with its records, so the domain stays delegated to it: put existingHostedZoneId: ${kept.physicalId ?? '<its id>'} under domain: and the next deploy uses it (a new zone would need the delegation step again)`;
    default:
      return 'stays; the next deploy does not reuse it';
  }
}
