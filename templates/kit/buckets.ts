/**
 * The bucket a log delivery writes into (S3 server access logs for 44, load balancer access logs
 * for 15): SSE-S3, because log delivery cannot use KMS keys; private and owner-enforced; versioned,
 * with old versions and the logs themselves expiring; kept on delete. Written once for both.
 */
import { S3 } from './resources';
import type { BucketProperties } from 'cloudform-types/types/s3/bucket';
import { keep, type IntrinsicFunction } from './cf';
import { checkovSkip } from './security';

/** Every public access off. */
export const PUBLIC_ACCESS_BLOCKED = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true,
};

export interface LogBucketOptions {
  /** Days a log is kept. */
  days: IntrinsicFunction;
  tags: BucketProperties['Tags'];
  /** Also abort multipart uploads left incomplete for a week. */
  abortIncompleteUploads?: boolean;
}

export function logDeliveryBucket(o: LogBucketOptions): InstanceType<typeof S3.Bucket> {
  return keep(
    new S3.Bucket({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: PUBLIC_ACCESS_BLOCKED,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-access-logs',
            Status: 'Enabled',
            ExpirationInDays: o.days,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            ...(o.abortIncompleteUploads ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } } : {}),
          },
        ],
      },
      Tags: o.tags,
    }).metadata(
      checkovSkip([
        [
          'CKV_AWS_18',
          'This is the access-log bucket itself: logging its own accesses into itself would loop, and into another bucket would need a third.',
        ],
      ]),
    ),
  );
}
