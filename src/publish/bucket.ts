/**
 * The S3 side of `provision publish`: the bucket the catalogue is published to (created when
 * missing: SSE-S3, versioning on, public access blocked unless the caller asks for a public
 * prefix) and the uploads. Errors are typed ({@link PublishError}: a code, the bucket, a hint).
 */
import { createHash } from 'node:crypto';
import {
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createBucketIn, makeBucketPrivate } from '../aws/private-bucket';
import { isAccessDenied } from '../aws/errors';
import { ToolError } from '../errors';
import { hasPublicRead, mergePolicy, publicReadStatement } from './links';

export type PublishErrorCode =
  'BucketNotOurs' | 'BucketAccessDenied' | 'BucketInOtherRegion' | 'PublicPolicyBlocked' | 'UploadDenied';

/** A failure of the publish step that a person can fix; `hint` says how (a ToolError: exit 1). */
export class PublishError extends ToolError<PublishErrorCode> {
  constructor(
    code: PublishErrorCode,
    readonly bucket: string,
    message: string,
    hint: string,
    cause?: unknown,
  ) {
    super(code, message, hint, cause === undefined ? undefined : { cause });
  }
}

export interface BucketTarget {
  s3: S3Client;
  bucket: string;
  /** The region the stacks are created in; the bucket is created here and must be here. */
  region: string;
  /** The credentials' account: every call asks S3 to check the bucket is this account's. */
  account?: string;
  /** The endpoint override, if any: a plain-HTTP emulator gets no TLS-only policy. */
  endpointUrl?: string;
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

const NAME_TAKEN_HINT =
  'bucket names are global across all AWS accounts: pass another --bucket (e.g. one with your account id in it), or use credentials of the account that owns it';

/**
 * Makes sure the bucket exists and is ours. A new bucket: ACLs disabled, SSE-S3 by default,
 * versioning on, every public-access block on, and a TLS-only policy. An existing bucket's
 * settings are left as they are. Returns whether the bucket was created.
 */
export async function ensurePublishBucket(t: BucketTarget): Promise<{ created: boolean }> {
  const owner = ownerOf(t);
  if (await headBucket(t, owner)) return { created: false };
  await createBucket(t);
  await makeBucketPrivate(t.s3, {
    bucket: t.bucket,
    region: t.region,
    owner,
    ...(t.endpointUrl ? { endpointUrl: t.endpointUrl } : {}),
  });
  return { created: true };
}

/**
 * Lets anyone read the objects under `keyPrefix` (s3:GetObject, nothing else): lifts the two
 * policy-related public-access blocks (the ACL blocks stay as they are) and adds one statement to
 * the bucket policy, keeping the others. Returns whether anything changed.
 */
export async function grantPublicRead(t: BucketTarget, keyPrefix: string): Promise<boolean> {
  const owner = ownerOf(t);
  const block = await getPublicAccessBlock(t, owner);
  let changed = false;
  if (block.BlockPublicPolicy || block.RestrictPublicBuckets) {
    await putPublicAccessBlock(t, owner, { ...block, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    changed = true;
  }
  const merged = mergePolicy(await getPolicy(t, owner), [publicReadStatement(t.bucket, keyPrefix, t.region)]);
  if (!merged.changed) return changed;
  try {
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: t.bucket, ...owner, Policy: merged.policy }));
  } catch (err) {
    if (isAccessDenied(err)) {
      throw new PublishError(
        'PublicPolicyBlocked',
        t.bucket,
        `S3 refused the public-read policy on bucket ${t.bucket} (the templates were uploaded and stay private)`,
        "the account's S3 Block Public Access setting (or an organization policy, or your IAM policy) forbids it: turn BlockPublicPolicy off for the account (S3 console > Block Public Access settings for this account) and allow s3:PutBucketPolicy, or publish without --public (the links then work for people of this account who may read the bucket)",
        err,
      );
    }
    throw err;
  }
  return true;
}

/** Whether a statement of this tool already lets anyone read `keyPrefix` (from an earlier --public run). */
export async function publicReadGranted(t: BucketTarget, keyPrefix: string): Promise<boolean> {
  return hasPublicRead(await getPolicy(t, ownerOf(t)), keyPrefix);
}

function ownerOf(t: BucketTarget): { ExpectedBucketOwner?: string } {
  return t.account ? { ExpectedBucketOwner: t.account } : {};
}

async function headBucket(t: BucketTarget, owner: { ExpectedBucketOwner?: string }): Promise<boolean> {
  try {
    const head = await t.s3.send(new HeadBucketCommand({ Bucket: t.bucket, ...owner }));
    if (head.BucketRegion && head.BucketRegion !== t.region) throw otherRegion(t, head.BucketRegion);
    return true;
  } catch (err) {
    if (err instanceof PublishError) throw err;
    // HEAD answers carry no error body: the status code is all there is.
    const code = status(err);
    if (code === 404) return false;
    if (code === 301) {
      const headers = (err as { $response?: { headers?: Record<string, string> } }).$response?.headers ?? {};
      throw otherRegion(t, headers['x-amz-bucket-region'] ?? 'another region');
    }
    if (code === 403) {
      throw new PublishError(
        'BucketAccessDenied',
        t.bucket,
        `bucket ${t.bucket} exists but these credentials may not use it (it belongs to another account, or a policy denies you)`,
        `${NAME_TAKEN_HINT}; if it is your account's bucket, allow s3:ListBucket, s3:GetObject, s3:PutObject and s3:GetBucketPolicy on it`,
        err,
      );
    }
    throw err;
  }
}

function otherRegion(t: BucketTarget, where: string): PublishError {
  return new PublishError(
    'BucketInOtherRegion',
    t.bucket,
    `bucket ${t.bucket} is in ${where}, not in ${t.region} where the stacks would be created`,
    `pass --region ${where === 'another region' ? 'REGION' : where} to publish for that region, or name a bucket in ${t.region} with --bucket`,
  );
}

async function createBucket(t: BucketTarget): Promise<void> {
  try {
    await createBucketIn(t.s3, t.bucket, t.region);
  } catch (err) {
    if ((err as Error).name === 'BucketAlreadyExists') {
      throw new PublishError(
        'BucketNotOurs',
        t.bucket,
        `bucket ${t.bucket} already exists in another AWS account`,
        NAME_TAKEN_HINT,
        err,
      );
    }
    if (isAccessDenied(err)) {
      throw new PublishError(
        'BucketAccessDenied',
        t.bucket,
        `bucket ${t.bucket} does not exist and these credentials may not create it`,
        `create it first (private, encrypted), or allow s3:CreateBucket, s3:PutBucketPolicy, s3:PutBucketVersioning, s3:PutEncryptionConfiguration and s3:PutBucketPublicAccessBlock`,
        err,
      );
    }
    throw err;
  }
}

type PublicAccessBlock = {
  BlockPublicAcls?: boolean;
  IgnorePublicAcls?: boolean;
  BlockPublicPolicy?: boolean;
  RestrictPublicBuckets?: boolean;
};

async function putPublicAccessBlock(
  t: BucketTarget,
  owner: { ExpectedBucketOwner?: string },
  config: PublicAccessBlock,
): Promise<void> {
  await t.s3.send(
    new PutPublicAccessBlockCommand({ Bucket: t.bucket, ...owner, PublicAccessBlockConfiguration: config }),
  );
}

async function getPublicAccessBlock(
  t: BucketTarget,
  owner: { ExpectedBucketOwner?: string },
): Promise<PublicAccessBlock> {
  try {
    return (
      (await t.s3.send(new GetPublicAccessBlockCommand({ Bucket: t.bucket, ...owner })))
        .PublicAccessBlockConfiguration ?? {}
    );
  } catch (err) {
    if ((err as Error).name === 'NoSuchPublicAccessBlockConfiguration' || status(err) === 404) return {};
    throw err;
  }
}

async function getPolicy(t: BucketTarget, owner: { ExpectedBucketOwner?: string }): Promise<string | undefined> {
  try {
    return (await t.s3.send(new GetBucketPolicyCommand({ Bucket: t.bucket, ...owner }))).Policy;
  } catch (err) {
    if ((err as Error).name === 'NoSuchBucketPolicy' || status(err) === 404) return undefined;
    if (isAccessDenied(err)) return undefined; // not allowed to read it: nothing to merge with, nothing to report
    throw err;
  }
}

export type UploadResult = 'uploaded' | 'unchanged';

/**
 * Puts one object, unless the same bytes with the same type are there already (the MD5 ETag of a
 * single-part SSE-S3 object), so a re-run adds no object versions. Each object is stored with
 * SSE-S3 explicitly: a bucket whose default is SSE-KMS would otherwise make the templates
 * unreadable to anyone without that key, public readers included.
 */
export async function putObject(
  t: BucketTarget,
  key: string,
  body: Buffer,
  contentType: string,
): Promise<UploadResult> {
  const owner = ownerOf(t);
  const md5 = createHash('md5').update(body).digest('hex');
  try {
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key, ...owner }));
    if (head.ETag?.replace(/"/g, '') === md5 && head.ContentType === contentType) return 'unchanged';
  } catch (err) {
    if (status(err) !== 404 && !isAccessDenied(err)) throw err;
  }
  try {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: 'AES256',
        ...owner,
      }),
    );
  } catch (err) {
    if (isAccessDenied(err)) {
      throw new PublishError(
        'UploadDenied',
        t.bucket,
        `these credentials may not write s3://${t.bucket}/${key}`,
        `allow s3:PutObject on arn:aws:s3:::${t.bucket}/${key.replace(/[^/]*$/, '')}* (or pass another --bucket / --key-prefix)`,
        err,
      );
    }
    throw err;
  }
  return 'uploaded';
}
