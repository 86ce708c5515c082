/**
 * The artifact bucket: where templates over CloudFormation's 51,200-byte inline limit go, so
 * CloudFormation can read them by URL. One private, encrypted, versioned bucket per account and
 * region, created on first need; templates are stored by content hash, so an unchanged template
 * is never uploaded twice.
 */
import { createHash } from 'node:crypto';
import type { AwsClients } from '../aws/clients';
import { ArtifactBucketUnavailableError } from './errors';

/**
 * The S3 SDK and the bucket helpers, loaded on the first upload: every deploy and plan imports this
 * module, and most never send a template through S3 (the client costs start-up time).
 */
const s3 = () => import('@aws-sdk/client-s3');
const privateBucket = () => import('../aws/private-bucket');

/** CloudFormation's limit for TemplateBody; larger templates must be passed as TemplateURL. */
export const INLINE_TEMPLATE_LIMIT = 51_200;

export interface ArtifactBucketOptions {
  /** @default the credentials' account (see AwsClients.accountId) */
  account?: string;
  /** @default the clients' region */
  region?: string;
  /** @default `cfn-stages-artifacts-<account>-<region>` */
  name?: string;
}

/** The default bucket name: bucket names are global, so account and region make it ours. */
export function artifactBucketName(account: string, region: string): string {
  return `cfn-stages-artifacts-${account}-${region}`;
}

/**
 * Returns the bucket's name, creating it first when it does not exist: public access blocked,
 * SSE-S3 encryption by default, versioning on, TLS-only policy, old versions expired.
 * Throws {@link ArtifactBucketUnavailableError} when the name is taken by someone else.
 */
export async function ensureArtifactBucket(clients: AwsClients, opts: ArtifactBucketOptions = {}): Promise<string> {
  const region = opts.region ?? (await clients.region());
  const account = opts.account ?? (opts.name ? undefined : await clients.accountId());
  const bucket = opts.name ?? artifactBucketName(account as string, region);
  // Guards against a bucket of the same name in another account (bucket sniping).
  const owner = account ? { ExpectedBucketOwner: account } : {};
  if (await bucketExists(clients, bucket, owner)) return bucket;
  await createBucket(clients, bucket, region);
  await configureBucket(clients, bucket, region, owner);
  return bucket;
}

async function bucketExists(
  clients: AwsClients,
  bucket: string,
  owner: { ExpectedBucketOwner?: string },
): Promise<boolean> {
  const { HeadBucketCommand } = await s3();
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket, ...owner }));
    return true;
  } catch (err) {
    // HEAD answers carry no error body, so the status code is all there is (403 reads as "Unknown").
    const status = httpStatus(err);
    if (status === 404) return false;
    if (status === 403) throw new ArtifactBucketUnavailableError(bucket, err);
    throw err;
  }
}

async function createBucket(clients: AwsClients, bucket: string, region: string): Promise<void> {
  const { createBucketIn } = await privateBucket();
  try {
    await createBucketIn(clients.s3, bucket, region);
  } catch (err) {
    if ((err as Error).name === 'BucketAlreadyExists') throw new ArtifactBucketUnavailableError(bucket, err);
    throw err;
  }
}

async function configureBucket(
  clients: AwsClients,
  bucket: string,
  region: string,
  owner: { ExpectedBucketOwner?: string },
): Promise<void> {
  const [{ makeBucketPrivate }, { PutBucketLifecycleConfigurationCommand }] = await Promise.all([
    privateBucket(),
    s3(),
  ]);
  await makeBucketPrivate(clients.s3, {
    bucket,
    region,
    owner,
    ...(clients.endpointUrl ? { endpointUrl: clients.endpointUrl } : {}),
  });
  await clients.s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      ...owner,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'expire-old-template-versions',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    }),
  );
}

/**
 * The bucket as the engine asks for it (`artifactBucket` of deploy and plan): looked up or
 * created on the first call only, so a run whose templates all fit inline never touches S3, and
 * `plan` and `deploy` use the very same bucket.
 */
export function lazyArtifactBucket(clients: AwsClients, opts: ArtifactBucketOptions = {}): () => Promise<string> {
  let bucket: Promise<string> | undefined;
  return () => (bucket ??= ensureArtifactBucket(clients, opts));
}

/** Uploads a template under its content hash (once) and returns the URL CloudFormation reads it from. */
export async function uploadTemplate(clients: AwsClients, bucket: string, body: string): Promise<string> {
  const key = `templates/${createHash('sha256').update(body).digest('hex')}.json`;
  if (!(await objectExists(clients, bucket, key))) {
    const { PutObjectCommand } = await s3();
    await clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  }
  return templateUrl(bucket, key, { region: await clients.region(), endpointUrl: clients.endpointUrl });
}

async function objectExists(clients: AwsClients, bucket: string, key: string): Promise<boolean> {
  const { HeadObjectCommand } = await s3();
  try {
    await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw err;
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * The URL CloudFormation fetches the template from. Real AWS: the virtual-hosted S3 URL. With an
 * endpoint override: path style on that endpoint, with 127.x.x.x written as `localhost`, because
 * moto reads a TemplateURL host of 127.0.0.1 as a bucket named "127".
 */
export function templateUrl(bucket: string, key: string, where: { region: string; endpointUrl?: string }): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  if (where.endpointUrl) {
    const url = new URL(where.endpointUrl);
    if (/^127\.\d+\.\d+\.\d+$/.test(url.hostname)) url.hostname = 'localhost';
    const base = url.toString().replace(/\/+$/, '');
    return `${base}/${bucket}/${path}`;
  }
  const domain = where.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${bucket}.s3.${where.region}.${domain}/${path}`;
}
