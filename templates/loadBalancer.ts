/**
 * 31.app-loadbalancer: the application's front door and its shared pieces. It makes the load
 * balancer with its listener(s) and the app's target group, and the things every service of the
 * app shares: its KMS key, its log group and its configuration secret (a JSON document the app
 * reads at start, as aws-explorer's `JUICE_CONFIG` does).
 *
 * Two kinds of traffic (Opta's `port: {http: N}` / `port: {tcp: N}`):
 * - `HTTP` (default): an Application Load Balancer. HTTP on 80 forwards to the app, or redirects to
 *   HTTPS on 443 when a certificate is given. Websockets work through it (HTTP upgrade); the idle
 *   timeout is a parameter so long-lived connections are not cut.
 * - `TCP`: a Network Load Balancer with a TCP listener (TLS when a certificate is given) for
 *   protocols that are not HTTP. Listener rules (91, extra services) need the HTTP mode.
 *
 * Security groups: the ALB uses only the environment's load-balancer group (80/443 from anywhere,
 * out only to container ports in the VPC), so no app-specific group is needed. In TCP mode the
 * listener port is the app's choice, so the NLB also gets a group of its own that opens exactly
 * that port (from a CIDR parameter) and nothing else; tasks still accept traffic only from the
 * environment's load-balancer group, which the NLB carries too (so 80 and 443 stay open to all).
 */
import EC2 from 'cloudform-types/types/ec2';
import ELB from 'cloudform-types/types/elasticLoadBalancingV2';
import type { Action } from 'cloudform-types/types/elasticLoadBalancingV2/listener';
import type { LoadBalancerAttribute } from 'cloudform-types/types/elasticLoadBalancingV2/loadBalancer';
import Route53 from 'cloudform-types/types/route53';
import SecretsManager from 'cloudform-types/types/secretsManager';
import { AppLoadBalancer, Network } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, keep, sub, withCondition, type IntrinsicFunction } from './kit/cf';
import { checkovSkip, kmsKey, logGroup, logsMayUseKey, LOG_RETENTION_DAYS } from './kit/security';
import { either, notEmpty, onlyIf, withTags } from './service/cfn';

/** TLS 1.2+ policies (TLS 1.3 preferred) that both ALB and NLB accept. */
export const TLS_POLICIES = [
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
];

/** The app's log group name; every service of the app logs here (one stream prefix each). */
export const APP_LOG_GROUP = '/cfn-stages/${Prefix}${EnvironmentName}/${ApplicationName}';

type App = TemplateBuilder<'application'>;

interface LbParams {
  scheme: IntrinsicFunction;
  certificate: IntrinsicFunction;
  tlsPolicy: IntrinsicFunction;
  idleTimeout: IntrinsicFunction;
  tcpPort: IntrinsicFunction;
  tcpCidr: IntrinsicFunction;
  healthPath: IntrinsicFunction;
  deregistration: IntrinsicFunction;
  sticky: IntrinsicFunction;
  stickySeconds: IntrinsicFunction;
  logBucket: IntrinsicFunction;
  deletionProtection: IntrinsicFunction;
  retention: IntrinsicFunction;
  domain: IntrinsicFunction;
  zone: IntrinsicFunction;
}

function declareParams(t: App): { protocol: IntrinsicFunction; p: LbParams } {
  const protocol = t.param('PortProtocol', {
    Type: 'String',
    Default: 'HTTP',
    AllowedValues: ['HTTP', 'TCP'],
    label: 'Traffic type',
    Description:
      'HTTP for web apps, APIs and websockets (Application Load Balancer); TCP for other protocols (Network Load Balancer, no path rules).',
  });
  const p: LbParams = {
    scheme: t.param('Scheme', {
      Type: 'String',
      Default: 'internet-facing',
      AllowedValues: ['internet-facing', 'internal'],
      label: 'Scheme',
      Description:
        'internet-facing: public subnets, reachable from the internet; internal: private subnets, reachable only from the VPC and networks connected to it.',
    }),
    certificate: t.param('CertificateArn', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$',
      ConstraintDescription: 'empty, or an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)',
      label: 'Certificate ARN (optional)',
      Description:
        "ACM certificate for the app's domain, in this region. With one, HTTP redirects to HTTPS (TLS for TCP); without one, the app is served over plain HTTP (TCP).",
    }),
    tlsPolicy: t.param('TlsPolicy', {
      Type: 'String',
      Default: TLS_POLICIES[0]!,
      AllowedValues: TLS_POLICIES,
      label: 'TLS policy',
      Description: 'Security policy of the HTTPS/TLS listener: all of these refuse TLS below 1.2.',
    }),
    idleTimeout: t.param('IdleTimeoutSeconds', {
      Type: 'Number',
      Default: 60,
      MinValue: 1,
      MaxValue: 4000,
      label: 'Idle timeout (seconds)',
      Description: 'HTTP only: how long an idle connection stays open. Raise it for websockets or long polling.',
    }),
    tcpPort: t.param('TcpListenerPort', {
      Type: 'Number',
      Default: 443,
      MinValue: 1,
      MaxValue: 65535,
      label: 'TCP listener port',
      group: 'TCP mode',
      Description: 'TCP only: the port clients connect to on the network load balancer.',
    }),
    tcpCidr: t.param('TcpAllowedCidr', {
      Type: 'String',
      Default: '0.0.0.0/0',
      AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$',
      ConstraintDescription: 'a CIDR block, e.g. 10.0.0.0/8',
      label: 'TCP clients (CIDR)',
      group: 'TCP mode',
      Description:
        "TCP only: the addresses allowed to connect to the listener port. Ports 80 and 443 are open to everyone anyway (the environment's load-balancer group, which the NLB needs to reach tasks).",
    }),
    healthPath: t.param('HealthCheckPath', {
      Type: 'String',
      Default: '/healthcheck',
      AllowedPattern: "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$",
      ConstraintDescription: 'a URL path starting with "/"',
      label: 'Health check path',
      group: 'Target group',
      Description:
        'HTTP only: the path the load balancer polls on each task (2xx/3xx = healthy); unhealthy tasks get no traffic. TCP mode checks the connection.',
    }),
    deregistration: t.param('DeregistrationDelaySeconds', {
      Type: 'Number',
      Default: 30,
      MinValue: 0,
      MaxValue: 3600,
      label: 'Deregistration delay (seconds)',
      group: 'Target group',
      Description: 'How long a stopping task keeps serving requests already in flight.',
    }),
    sticky: t.param('StickySessions', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      label: 'Sticky sessions',
      group: 'Target group',
      Description: 'Send a client back to the same task: a load-balancer cookie for HTTP, the client address for TCP.',
    }),
    stickySeconds: t.param('StickySessionSeconds', {
      Type: 'Number',
      Default: 86400,
      MinValue: 1,
      MaxValue: 604800,
      label: 'Sticky cookie lifetime (seconds)',
      group: 'Target group',
      Description: 'HTTP sticky sessions only: how long the cookie lasts.',
    }),
    logBucket: t.param('AccessLogBucket', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      ConstraintDescription: 'empty, or an S3 bucket name',
      label: 'Access log bucket (optional)',
      group: 'Logging',
      Description:
        'S3 bucket for load balancer access logs (SSE-S3 encrypted, with the ELB log-delivery bucket policy). Empty: no access logs.',
    }),
    deletionProtection: t.param('DeletionProtection', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      label: 'Deletion protection',
      Description: 'true for production: the load balancer cannot be deleted until this is set back to false.',
    }),
    retention: t.param('LogRetentionDays', {
      Type: 'Number',
      Default: 365,
      AllowedValues: LOG_RETENTION_DAYS,
      label: 'App log retention (days)',
      group: 'Logging',
      Description: "Days to keep the app's container logs.",
    }),
    domain: t.param('DomainName', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
      ConstraintDescription: 'empty, or a lower-case DNS name such as api.example.com',
      label: 'Domain name (optional)',
      group: 'Domain',
      Description:
        "The app's domain: an alias record pointing at the load balancer is created in the hosted zone below.",
    }),
    zone: t.param('HostedZoneId', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^Z[A-Z0-9]{1,31}$',
      ConstraintDescription: 'empty, or a Route 53 hosted zone id (Z...)',
      label: 'Route 53 hosted zone id (optional)',
      group: 'Domain',
      Description: 'The public (or, for internal, private) hosted zone that holds the domain name.',
    }),
  };
  return { protocol, p };
}

function declareConditions(t: App, protocol: IntrinsicFunction, p: LbParams): void {
  t.condition('IsTcp', Fn.Equals(protocol, 'TCP'));
  t.condition('IsHttp', Fn.Equals(protocol, 'HTTP'));
  t.condition('HasCertificate', notEmpty(p.certificate));
  t.condition('HttpsAlb', Fn.And([{ Condition: 'IsHttp' }, { Condition: 'HasCertificate' }]));
  t.condition('IsInternal', Fn.Equals(p.scheme, 'internal'));
  t.condition('HasAccessLogs', notEmpty(p.logBucket));
  t.condition('HasDomain', Fn.And([notEmpty(p.domain), notEmpty(p.zone)]));
  // A domain without a zone (or the reverse) would silently create no record: refuse it up front.
  const blank = (ref: IntrinsicFunction) => Fn.Equals(ref, '');
  t.rule('DomainNeedsZone', {
    Assertions: [
      {
        Assert: Fn.Or([
          Fn.And([blank(p.domain), blank(p.zone)]),
          Fn.And([Fn.Not(blank(p.domain)), Fn.Not(blank(p.zone))]),
        ]),
        AssertDescription: 'Give both DomainName and HostedZoneId, or neither.',
      },
    ],
  });
}

/** Load-balancer attributes both kinds share: deletion protection and optional access logs. */
function commonLbAttributes(p: LbParams): LoadBalancerAttribute[] {
  return [
    { Key: 'deletion_protection.enabled', Value: p.deletionProtection },
    { Key: 'access_logs.s3.enabled', Value: either('HasAccessLogs', 'true', 'false') },
    onlyIf('HasAccessLogs', { Key: 'access_logs.s3.bucket', Value: p.logBucket }),
    onlyIf('HasAccessLogs', {
      Key: 'access_logs.s3.prefix',
      Value: sub('${Prefix}${EnvironmentName}/${ApplicationName}'),
    }),
  ];
}

const subnetsFor = (t: App): IntrinsicFunction =>
  either('IsInternal', t.import(Network.PrivateSubnetIds), t.import(Network.PublicSubnetIds));

/** Checkov cannot resolve the parameters these attributes come from; the reasons say what holds. */
const LB_SKIPS: [string, string][] = [
  [
    'CKV_AWS_91',
    'Access logs are a parameter (AccessLogBucket): they need a bucket with the ELB log-delivery policy, which this stack does not own.',
  ],
];

interface Alb {
  lb: Handle;
  tg: Handle;
  http: Handle;
  https: Handle;
}

function applicationLoadBalancer(t: App, p: LbParams): Alb {
  const lb = t.add(
    'LoadBalancer',
    withCondition(
      new ELB.LoadBalancer({
        Type: 'application',
        Scheme: p.scheme,
        Subnets: subnetsFor(t),
        SecurityGroups: [t.import(Network.LoadBalancerSecurityGroupId)],
        LoadBalancerAttributes: [
          ...commonLbAttributes(p),
          { Key: 'idle_timeout.timeout_seconds', Value: p.idleTimeout },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        ],
        Tags: t.tags({ Name: t.scopedName('alb') }),
      }).metadata(checkovSkip(LB_SKIPS)),
      'IsHttp',
    ),
  );
  const tg = t.add(
    'TargetGroup',
    withCondition(
      new ELB.TargetGroup({
        // ECS registers each task with its container port; this port is only the default.
        TargetType: 'ip',
        Protocol: 'HTTP',
        ProtocolVersion: 'HTTP1',
        Port: 80,
        VpcId: t.import(Network.VpcId),
        HealthCheckEnabled: true,
        HealthCheckProtocol: 'HTTP',
        HealthCheckPath: p.healthPath,
        Matcher: { HttpCode: '200-399' },
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        TargetGroupAttributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: p.deregistration },
          { Key: 'stickiness.enabled', Value: p.sticky },
          { Key: 'stickiness.type', Value: 'lb_cookie' },
          { Key: 'stickiness.lb_cookie.duration_seconds', Value: p.stickySeconds },
        ],
        Tags: t.tags({ Name: t.scopedName('app') }),
      }),
      'IsHttp',
    ),
  );
  const forward = [{ Type: 'forward', TargetGroupArn: tg.ref }];
  const redirect = [
    {
      Type: 'redirect',
      RedirectConfig: {
        Protocol: 'HTTPS',
        Port: '443',
        Host: '#{host}',
        Path: '/#{path}',
        Query: '#{query}',
        StatusCode: 'HTTP_301',
      },
    },
  ];
  const http = t.add(
    'HttpListener',
    withCondition(
      withTags(
        new ELB.Listener({
          LoadBalancerArn: lb.ref,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: either<Action[]>('HasCertificate', redirect, forward),
        }),
        t.tags(),
      ).metadata(
        checkovSkip([
          [
            'CKV_AWS_2',
            'Redirects every request to HTTPS when a certificate is given; without one the app has no HTTPS endpoint and is served over HTTP on purpose.',
          ],
        ]),
      ),
      'IsHttp',
    ),
  );
  const https = t.add(
    'HttpsListener',
    withCondition(
      withTags(
        new ELB.Listener({
          LoadBalancerArn: lb.ref,
          Port: 443,
          Protocol: 'HTTPS',
          SslPolicy: p.tlsPolicy,
          Certificates: [{ CertificateArn: p.certificate }],
          DefaultActions: forward,
        }),
        t.tags(),
      ),
      'HttpsAlb',
    ),
  );
  return { lb, tg, http, https };
}

interface Nlb {
  lb: Handle;
  tg: Handle;
  listener: Handle;
}

function networkLoadBalancer(t: App, p: LbParams): Nlb {
  const sg = t.add(
    'TcpListenerSecurityGroup',
    withCondition(
      new EC2.SecurityGroup({
        VpcId: t.import(Network.VpcId),
        GroupDescription: 'App network load balancer: its listener port only',
        SecurityGroupIngress: [
          {
            IpProtocol: 'tcp',
            FromPort: p.tcpPort,
            ToPort: p.tcpPort,
            CidrIp: p.tcpCidr,
            Description: 'The TCP listener port from allowed clients',
          },
        ],
        // Outbound to tasks comes from the environment's load-balancer group; this rule replaces the default allow-all.
        SecurityGroupEgress: [
          {
            IpProtocol: 'icmp',
            FromPort: 252,
            ToPort: 86,
            CidrIp: '127.0.0.1/32',
            Description: 'No outbound traffic from this group',
          },
        ],
        Tags: t.tags({ Name: t.scopedName('nlb') }),
      }),
      'IsTcp',
    ),
  );
  const lb = t.add(
    'NetworkLoadBalancer',
    withCondition(
      new ELB.LoadBalancer({
        Type: 'network',
        Scheme: p.scheme,
        Subnets: subnetsFor(t),
        // NLB security groups can only be set when it is created: both groups are given from the start.
        SecurityGroups: [t.import(Network.LoadBalancerSecurityGroupId), sg.ref],
        LoadBalancerAttributes: [...commonLbAttributes(p), { Key: 'load_balancing.cross_zone.enabled', Value: 'true' }],
        Tags: t.tags({ Name: t.scopedName('nlb') }),
      }).metadata(checkovSkip(LB_SKIPS)),
      'IsTcp',
    ),
  );
  const tg = t.add(
    'TcpTargetGroup',
    withCondition(
      new ELB.TargetGroup({
        TargetType: 'ip',
        Protocol: 'TCP',
        Port: p.tcpPort,
        VpcId: t.import(Network.VpcId),
        HealthCheckEnabled: true,
        HealthCheckProtocol: 'TCP',
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 3,
        TargetGroupAttributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: p.deregistration },
          { Key: 'stickiness.enabled', Value: p.sticky },
          { Key: 'stickiness.type', Value: 'source_ip' },
        ],
        Tags: t.tags({ Name: t.scopedName('app-tcp') }),
      }),
      'IsTcp',
    ),
  );
  const listener = t.add(
    'TcpListener',
    withCondition(
      withTags(
        new ELB.Listener({
          LoadBalancerArn: lb.ref,
          Port: p.tcpPort,
          Protocol: either('HasCertificate', 'TLS', 'TCP'),
          SslPolicy: onlyIf('HasCertificate', p.tlsPolicy),
          Certificates: onlyIf('HasCertificate', [{ CertificateArn: p.certificate }]),
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.ref }],
        }),
        t.tags(),
      ).metadata(
        checkovSkip([
          [
            'CKV_AWS_2',
            'A network load balancer: TLS when a certificate is given, else raw TCP for protocols that carry their own encryption.',
          ],
          [
            'CKV_AWS_103',
            'With a certificate this listener is TLS with a TLS 1.2+ policy (TlsPolicy); without one it is plain TCP with no TLS to configure.',
          ],
        ]),
      ),
      'IsTcp',
    ),
  );
  return { lb, tg, listener };
}

/** The app's key, log group and configuration secret: shared by every service of the app. */
function appShared(t: App, retention: IntrinsicFunction): { key: Handle; logs: Handle; secret: Handle } {
  const key = kmsKey(t, 'AppKey', {
    // The configuration secret it encrypts is kept on delete.
    protectsKeptData: true,
    description: "Encrypts the app's configuration secret and logs",
    alias: sub('alias/${Prefix}${EnvironmentName}-${ApplicationName}'),
    statements: [
      logsMayUseKey(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${APP_LOG_GROUP}`),
    ],
  });
  const logs = logGroup(t, 'AppLogGroup', { name: sub(APP_LOG_GROUP), retentionDays: retention, kmsKey: key });
  // The initial value is an empty JSON document: the real configuration is edited in the console
  // (or with `provision config`), never passed through this template. Kept on delete: it holds it.
  // No fixed name: the app and `provision config` find it by the stack's ConfigSecretArn export,
  // and a kept secret must not block the app's stack when it is created again after a destroy.
  const secret = t.add(
    'ConfigSecret',
    keep(
      new SecretsManager.Secret({
        Description: sub(
          'Configuration of ${ApplicationName} in ${Prefix}${EnvironmentName} (JSON, read by the app at start)',
        ),
        KmsKeyId: key.att('Arn'),
        SecretString: '{}',
        Tags: t.tags(),
      }),
    ),
  );
  return { key, logs, secret };
}

function appUrl(alb: Alb, nlb: Nlb, p: LbParams): IntrinsicFunction {
  const host = either('HasDomain', p.domain, either('IsTcp', nlb.lb.att('DNSName'), alb.lb.att('DNSName')));
  const scheme = either(
    'IsTcp',
    either('HasCertificate', 'tls://', 'tcp://'),
    either('HasCertificate', 'https://', 'http://'),
  );
  const port = either<IntrinsicFunction | string>('IsTcp', Fn.Join('', [':', p.tcpPort]), '');
  return Fn.Join('', [scheme, host, port]);
}

/** Who 31 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const LoadBalancerTemplate: TemplateIdentity<'application'> = {
  id: '31.app-loadbalancer',
  scope: 'application',
  stackSuffix: 'loadbalancer',
};

/** Builds 31: one template for both traffic types, switched by `PortProtocol` (no build options). */
export function buildLoadBalancer(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...LoadBalancerTemplate,
    description:
      'App load balancer (ALB, or NLB for TCP), listeners, target group, log group, KMS key and configuration secret',
    group: 'Load balancer',
  });
  const { protocol, p } = declareParams(t);
  declareConditions(t, protocol, p);
  const { key, logs, secret } = appShared(t, p.retention);
  const alb = applicationLoadBalancer(t, p);
  const nlb = networkLoadBalancer(t, p);
  const dnsName = either('IsTcp', nlb.lb.att('DNSName'), alb.lb.att('DNSName'));
  t.add(
    'DomainRecord',
    withCondition(
      new Route53.RecordSet({
        HostedZoneId: p.zone,
        Name: p.domain,
        Type: 'A',
        AliasTarget: {
          DNSName: dnsName,
          HostedZoneId: either('IsTcp', nlb.lb.att('CanonicalHostedZoneID'), alb.lb.att('CanonicalHostedZoneID')),
          EvaluateTargetHealth: true,
        },
      }),
      'HasDomain',
    ),
  );

  t.export(
    AppLoadBalancer.ListenerArn,
    either('IsTcp', nlb.listener.ref, either('HasCertificate', alb.https.ref, alb.http.ref)),
  );
  t.export(AppLoadBalancer.TargetGroupArn, either('IsTcp', nlb.tg.ref, alb.tg.ref));
  t.export(
    AppLoadBalancer.LoadBalancerFullName,
    either('IsTcp', nlb.lb.att('LoadBalancerFullName'), alb.lb.att('LoadBalancerFullName')),
  );
  t.export(AppLoadBalancer.LoadBalancerDnsName, dnsName);
  t.export(AppLoadBalancer.LogGroupName, logs.ref);
  t.export(AppLoadBalancer.ConfigSecretArn, secret.ref);
  t.export(AppLoadBalancer.AppKeyArn, key.att('Arn'));
  t.output('AppUrl', 'Where the app answers', appUrl(alb, nlb, p));
  return t.build();
}
