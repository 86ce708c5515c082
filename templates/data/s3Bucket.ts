/**
 * 44.data-s3-bucket: an S3 bucket for one application (Opta's aws-s3): objects encrypted with
 * the bucket's own KMS key (S3 Bucket Keys keep the KMS request bill small), a bucket policy that
 * refuses any request not made over TLS, public access blocked unless asked otherwise, ACLs
 * disabled, versioning, and server access logs in a companion bucket.
 *
 * Both buckets are retained on delete and on replacement: a stack operation never empties one.
 */
import { S3 } from '../kit/resources';
import { S3Bucket } from '../contracts';
import type { BuiltTemplate, Handle, TemplateBuilder } from '../kit/builder';
import { Fn, Refs, keep, sub, type IntrinsicFunction } from '../kit/cf';
import { logDeliveryBucket } from '../kit/buckets';
import { STORE_NAME, dataTemplate, storeKey, tlsOnly, dataIdentity } from './common';

interface BucketParams {
  bucketName: IntrinsicFunction;
  blockPublic: IntrinsicFunction;
  bucketPolicy: IntrinsicFunction;
  noncurrentDays: IntrinsicFunction;
  logDays: IntrinsicFunction;
}

function bucketParams(t: TemplateBuilder<'application'>): BucketParams {
  return {
    bucketName: t.param('BucketName', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      ConstraintDescription:
        'empty, or 3 to 63 lower-case letters, digits, dots or hyphens (a globally unique S3 bucket name)',
      Description:
        "Name of the bucket (Opta's bucket_name), globally unique across AWS. Leave empty to have one generated from the stack name. Changing it later replaces the bucket with a new, empty one (the old one is kept with its objects); provision deploy refuses that change.",
      label: 'Bucket name',
    }),
    blockPublic: t.param('BlockPublic', {
      Type: 'String',
      Default: 'true',
      AllowedValues: ['true', 'false'],
      Description:
        "Block all public access (Opta's block_public). Only set false to allow a public bucket policy; objects encrypted with a KMS key still cannot be read anonymously, so public content is better served through CloudFront.",
      label: 'Block public access',
    }),
    bucketPolicy: t.param('BucketPolicy', {
      Type: 'String',
      Default: '',
      MaxLength: 4000,
      AllowedPattern: '^$|^\\s*\\{[\\s\\S]*\\}\\s*$',
      ConstraintDescription: 'empty, or one or more JSON policy statements ({...},{...})',
      Description:
        'Extra bucket-policy statements (Opta\'s bucket_policy), as JSON objects separated by commas, not a whole policy: e.g. {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/*"}. They are added after the TLS-only statement; name the bucket explicitly (set BucketName). Empty for none.',
      label: 'Extra bucket policy statements',
      group: 'Access',
    }),
    noncurrentDays: t.param('NoncurrentVersionExpirationDays', {
      Type: 'Number',
      Default: 90,
      MinValue: 1,
      MaxValue: 3650,
      ConstraintDescription: 'between 1 and 3650 days',
      Description:
        'Days to keep old versions of overwritten or deleted objects before they expire (versioning is always on).',
      label: 'Keep old versions (days)',
      group: 'Protection',
    }),
    logDays: t.param('AccessLogExpirationDays', {
      Type: 'Number',
      Default: 365,
      MinValue: 1,
      MaxValue: 3650,
      ConstraintDescription: 'between 1 and 3650 days',
      Description: 'Days to keep the server access logs in the companion log bucket.',
      label: 'Access log retention (days)',
      group: 'Logging',
    }),
  };
}

/** The companion bucket S3 writes server access logs to (SSE-S3: log delivery cannot use KMS keys). */
function accessLogBucket(t: TemplateBuilder<'application'>, p: BucketParams): Handle {
  return t.add(
    'AccessLogBucket',
    logDeliveryBucket({ days: p.logDays, tags: t.tags({ Name: sub(`${STORE_NAME}-access-logs`) }) }),
  );
}

function logBucketPolicy(t: TemplateBuilder<'application'>, logs: Handle, bucket: Handle): void {
  t.add(
    'AccessLogBucketPolicy',
    new S3.BucketPolicy({
      Bucket: logs.ref,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          tlsOnly('s3', [logs.att('Arn'), sub(`\${${logs.id}.Arn}/*`)]),
          {
            Sid: 'S3ServerAccessLogs',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: sub(`\${${logs.id}.Arn}/*`),
            Condition: {
              ArnLike: { 'aws:SourceArn': bucket.att('Arn') },
              StringEquals: { 'aws:SourceAccount': Refs.AccountId },
            },
          },
        ],
      },
    }),
  );
}

/**
 * The bucket policy: TLS only, plus the user's extra statements when given. CloudFormation cannot
 * parse a JSON parameter, but `AWS::S3::BucketPolicy` accepts its document as a JSON string, so
 * with extra statements the document is written as a string with them spliced in.
 */
function bucketPolicy(t: TemplateBuilder<'application'>, bucket: Handle, p: BucketParams): void {
  const hasExtra = t.condition('HasExtraPolicy', Fn.Not(Fn.Equals(p.bucketPolicy, '')));
  const arns = [`\${${bucket.id}.Arn}`, `\${${bucket.id}.Arn}/*`];
  // The same statement twice: as an object, and as JSON text inside Fn::Sub (which fills in the ARNs).
  const denyJson = JSON.stringify(tlsOnly('s3', arns));
  const deny = tlsOnly(
    's3',
    arns.map((a) => sub(a)),
  );
  t.add(
    'BucketResourcePolicy',
    new S3.BucketPolicy({
      Bucket: bucket.ref,
      PolicyDocument: Fn.If(hasExtra, sub(`{"Version":"2012-10-17","Statement":[${denyJson},\${BucketPolicy}]}`), {
        Version: '2012-10-17',
        Statement: [deny],
      }),
    }),
  );
}

/** Who 44 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const S3BucketTemplate = dataIdentity('44.data-s3-bucket');

export function buildS3Bucket(): BuiltTemplate {
  const t = dataTemplate({
    id: S3BucketTemplate.id,
    description:
      'S3 bucket for an application: encrypted with its own KMS key, TLS-only policy, public access blocked by default, versioning, access logs, retained on delete',
    group: 'Bucket',
    noun: 'bucket',
  });
  const p = bucketParams(t);
  const hasName = t.condition('HasBucketName', Fn.Not(Fn.Equals(p.bucketName, '')));
  const key = storeKey(t, 'S3 bucket');
  const logs = accessLogBucket(t, p);

  const bucket = t.add(
    'Bucket',
    keep(
      new S3.Bucket({
        BucketName: Fn.If(hasName, p.bucketName, Refs.NoValue),
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.att('Arn') },
              BucketKeyEnabled: true,
            },
          ],
        },
        // ACLs stay blocked either way (ownership is enforced, ACLs are off); BlockPublic=false only
        // lets a public bucket policy through.
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: p.blockPublic,
          RestrictPublicBuckets: p.blockPublic,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'expire-old-versions-and-uploads',
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: p.noncurrentDays },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: logs.ref, LogFilePrefix: 'access-logs/' },
        Tags: t.tags({ Name: sub(STORE_NAME) }),
      }),
    ),
  );
  bucketPolicy(t, bucket, p);
  logBucketPolicy(t, logs, bucket);

  t.export(S3Bucket.BucketName, bucket.ref);
  t.export(S3Bucket.BucketArn, bucket.att('Arn'));
  t.export(S3Bucket.KeyArn, key.att('Arn'));
  t.output('AccessLogBucketName', 'Bucket holding the server access logs', logs.ref);
  return t.build();
}
