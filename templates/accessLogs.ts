/**
 * 15.env-access-logs: the environment's load balancer access-log bucket. Every app's load balancer
 * (31) writes its access logs here by default, each under its own prefix
 * (`<prefix><env>/<app>/AWSLogs/<account>/...`), so an audit finds every request of the
 * environment in one place.
 *
 * Load balancer log delivery cannot use SSE-KMS: the bucket is SSE-S3 (AES-256) as the Elastic
 * Load Balancing guide requires ("Access logs for your Application Load Balancer"), with the
 * delivery policy: the `logdelivery.elasticloadbalancing.amazonaws.com` service principal (regions
 * opened since August 2022) and, in older regions, the region's Elastic Load Balancing account.
 * The bucket is kept when the stack is deleted (the logs are audit evidence) and its objects
 * expire by a lifecycle rule after `LogRetentionDays` (365 by default, what many audits ask).
 */
import { S3 } from './kit/resources';
import { AccessLogs } from './contracts';
import { tlsOnly } from './data/common';
import { TemplateBuilder, type TemplateIdentity, type BuiltTemplate, type Handle } from './kit/builder';
import { Fn, Refs, sub, type Condition, type IntrinsicFunction, type PolicyStatement } from './kit/cf';
import { logDeliveryBucket } from './kit/buckets';
import { onlyIf } from './service/cfn';

type Env = TemplateBuilder<'environment'>;

/**
 * The Elastic Load Balancing account of each region opened before August 2022 (Elastic Load
 * Balancing guide, "Attach a policy to your S3 bucket"); later regions use the service principal.
 */
export const ELB_LOG_ACCOUNTS: Record<string, string> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
  'cn-north-1': '638102146993',
  'cn-northwest-1': '037604701340',
};

/** `Fn::Or` takes 2 to 10 conditions: the region test is an Or of Ors of at most ten each. */
function regionIsOneOf(regions: string[]): Condition {
  const tests = regions.map((r) => Fn.Equals(Refs.Region, r));
  const chunks: Condition[] = [];
  for (let i = 0; i < tests.length; i += 10) chunks.push(Fn.Or(tests.slice(i, i + 10)));
  return Fn.Or(chunks);
}

function logBucket(t: Env, days: IntrinsicFunction): Handle {
  return t.add(
    'AccessLogBucket',
    logDeliveryBucket({ days, tags: t.tags({ Name: t.scopedName('lb-access-logs') }), abortIncompleteUploads: true }),
  );
}

function deliveryPolicy(t: Env, bucket: Handle): void {
  const hasAccount = t.condition('RegionHasElbAccount', regionIsOneOf(Object.keys(ELB_LOG_ACCOUNTS)));
  const map = t.mapping(
    'ElbLogAccounts',
    Object.fromEntries(Object.entries(ELB_LOG_ACCOUNTS).map(([r, a]) => [r, { Account: a }])),
  );
  const logs = sub(`\${${bucket.id}.Arn}/*/AWSLogs/\${AWS::AccountId}/*`);
  const service: PolicyStatement = {
    Sid: 'ElbLogDeliveryService',
    Effect: 'Allow',
    Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: logs,
  };
  const account: PolicyStatement = {
    Sid: 'ElbLogDeliveryAccount',
    Effect: 'Allow',
    Principal: {
      AWS: Fn.Join('', ['arn:', Refs.Partition, ':iam::', Fn.FindInMap(map, Refs.Region, 'Account'), ':root']),
    },
    Action: 's3:PutObject',
    Resource: logs,
  };
  t.add(
    'AccessLogBucketPolicy',
    new S3.BucketPolicy({
      Bucket: bucket.ref,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          tlsOnly('s3', [bucket.att('Arn'), sub(`\${${bucket.id}.Arn}/*`)]),
          service,
          onlyIf(hasAccount, account),
        ],
      },
    }),
  );
}

/** Who 15 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const AccessLogsTemplate: TemplateIdentity<'environment'> = {
  id: '15.env-access-logs',
  scope: 'environment',
  stackSuffix: 'access-logs',
};

/** Builds 15: one bucket per environment, no build options. */
export function buildAccessLogs(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...AccessLogsTemplate,
    description:
      'Environment load balancer access-log bucket: SSE-S3 as ELB log delivery requires, TLS-only, log-delivery policy, lifecycle expiry, retained on delete',
    group: 'Access logs',
  });
  const days = t.param('LogRetentionDays', {
    Type: 'Number',
    Default: 365,
    MinValue: 1,
    MaxValue: 3653,
    label: 'Keep access logs (days)',
    Description:
      'Days an access-log object is kept before it expires (365 by default, what many audits ask). The bucket itself is kept when the stack is deleted.',
  });
  const bucket = logBucket(t, days);
  deliveryPolicy(t, bucket);
  t.export(AccessLogs.BucketName, bucket.ref);
  return t.build();
}
