/** 44.data-s3-bucket: KMS encryption, TLS-only policy, public access, versioning, logs, the extra policy. */
import { buildS3Bucket } from '../../templates/data/s3Bucket';
import { json, resource } from '../helpers/templates';

const built = buildS3Bucket();
const t = json(built);
const bucket = resource(t, 'Bucket');
const p = bucket.Properties;
const policy = resource(t, 'BucketResourcePolicy').Properties;
const tlsDeny = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [{ 'Fn::Sub': '${Bucket.Arn}' }, { 'Fn::Sub': '${Bucket.Arn}/*' }],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

test('objects are encrypted with the store key (with an S3 Bucket Key)', () => {
  expect(p.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
    {
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } },
      BucketKeyEnabled: true,
    },
  ]);
});

test('public access blocked by default; ACLs always off', () => {
  expect(t.Parameters.BlockPublic.Default).toBe('true');
  expect(p.PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: { Ref: 'BlockPublic' },
    RestrictPublicBuckets: { Ref: 'BlockPublic' },
  });
  expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
});

test('the bucket policy refuses any request not made over TLS', () => {
  expect(policy.Bucket).toEqual({ Ref: 'Bucket' });
  const [cond, withExtra, plain] = policy.PolicyDocument['Fn::If'];
  expect(cond).toBe('HasExtraPolicy');
  expect(plain).toEqual({ Version: '2012-10-17', Statement: [tlsDeny] });
  // With extra statements the document is JSON text: the same TLS statement, then the user's.
  const text: string = withExtra['Fn::Sub'];
  const filled = JSON.parse(
    text
      .replace(
        '${BucketPolicy}',
        '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"x"}',
      )
      .replace(/\$\{Bucket\.Arn\}/g, 'arn:aws:s3:::b'),
  );
  expect(filled.Statement[0]).toEqual({ ...tlsDeny, Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] });
  expect(filled.Statement[1].Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:root' });
  expect(t.Conditions!.HasExtraPolicy).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'BucketPolicy' }, ''] }] });
});

test('the extra-policy parameter takes statements, not anything', () => {
  const pattern = new RegExp(t.Parameters.BucketPolicy.AllowedPattern);
  expect(pattern.test('')).toBe(true);
  expect(pattern.test('{"Effect":"Allow"},{"Effect":"Deny"}')).toBe(true);
  expect(pattern.test('"Effect":"Allow"]} , {"x":1')).toBe(false);
});

test('versioning on, old versions expire, access logs go to the companion bucket', () => {
  expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  expect(p.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration).toEqual({
    NoncurrentDays: { Ref: 'NoncurrentVersionExpirationDays' },
  });
  expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'AccessLogBucket' });
  const logs = resource(t, 'AccessLogBucketPolicy').Properties.PolicyDocument.Statement;
  expect(logs[1]).toMatchObject({
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['Bucket', 'Arn'] } } },
  });
  expect(logs[0].Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
});

test('bucket name optional (generated when empty), retained on delete and replacement', () => {
  expect(t.Parameters.BucketName.Default).toBe('');
  expect(p.BucketName).toEqual({ 'Fn::If': ['HasBucketName', { Ref: 'BucketName' }, { Ref: 'AWS::NoValue' }] });
  expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
});
