/**
 * Buckets this tool creates for itself (the deploy artifact bucket, the publish bucket): created in
 * the stacks' region with ACLs disabled, then made private (every public-access block on), SSE-S3
 * encrypted, versioned and TLS-only. One definition, so both buckets are hardened the same way.
 */
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { tlsOnlyStatement } from './partition';

export type BucketOwner = { ExpectedBucketOwner?: string };

/**
 * Creates the bucket in `region` with ACLs disabled. A bucket this account already owns (a
 * parallel run made it first) is fine; any other error (e.g. `BucketAlreadyExists`: the name is
 * another account's) is thrown for the caller to explain.
 */
export async function createBucketIn(s3: S3Client, bucket: string, region: string): Promise<void> {
  // us-east-1 is the one region that rejects an explicit location constraint.
  const location =
    region === 'us-east-1'
      ? {}
      : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', ...location }));
  } catch (err) {
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
}

/**
 * Makes a new bucket private, encrypted (SSE-S3), versioned and TLS-only. On a plain-HTTP
 * endpoint (a local emulator that enforces bucket policies) the TLS-only policy would lock this
 * tool out of its own bucket, so it is left off there; AWS endpoints are always HTTPS.
 */
export async function makeBucketPrivate(
  s3: S3Client,
  t: { bucket: string; region: string; owner: BucketOwner; endpointUrl?: string },
): Promise<void> {
  const base = { Bucket: t.bucket, ...t.owner };
  await s3.send(
    new PutPublicAccessBlockCommand({
      ...base,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      ...base,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
      },
    }),
  );
  await s3.send(new PutBucketVersioningCommand({ ...base, VersioningConfiguration: { Status: 'Enabled' } }));
  if (t.endpointUrl?.startsWith('http:')) return;
  await s3.send(
    new PutBucketPolicyCommand({
      ...base,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [tlsOnlyStatement(t.bucket, t.region)] }),
    }),
  );
}
