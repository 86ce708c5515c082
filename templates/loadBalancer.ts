/**
 * 31.app-loadbalancer: the application's front door and its shared pieces. It makes the load
 * balancer with its listener(s) and the app's target group, and the things every service of the
 * app shares: its KMS key, its log group and its configuration secret (a JSON document the app
 * reads at start, as aws-explorer's `JUICE_CONFIG` does).
 *
 * Two kinds of traffic (Opta's `port: {http: N}` / `port: {tcp: N}`):
 * - `HTTP` (default): an Application Load Balancer. With a `DomainName` (the app's host in the
 *   environment's domain, 16) it gets an HTTPS listener on 443 with the environment's certificate
 *   (17) and a TLS 1.2+ policy, HTTP on 80 redirects to it, and an alias record names the load
 *   balancer. Without one, HTTP on 80 serves the app on the load balancer's own name (HTTP only,
 *   and the `AppUrl` output says `http://`). Websockets work through it (HTTP upgrade); the idle
 *   timeout is a parameter so long-lived connections are not cut.
 * - `TCP`: a Network Load Balancer with a TCP listener (TLS with the certificate when the app has
 *   a domain) for protocols that are not HTTP. Listener rules (91, extra services) need HTTP mode.
 *
 * Hardened defaults, each a parameter: access logs on, into the environment's access-log bucket
 * (15), under `<prefix><env>/<app>/`; deletion protection follows the environment's `protected`
 * switch (the deployer sets `DeletionProtection`).
 *
 * Security groups: the ALB uses only the environment's load-balancer group (80/443 from anywhere,
 * out only to container ports in the VPC), so no app-specific group is needed. In TCP mode the
 * listener port is the app's choice, so the NLB also gets a group of its own that opens exactly
 * that port (from a CIDR parameter) and nothing else; tasks still accept traffic only from the
 * environment's load-balancer group, which the NLB carries too (so 80 and 443 stay open to all).
 */
import { EC2, ELB, Route53, SecretsManager } from './kit/resources';
import type { Action } from 'cloudform-types/types/elasticLoadBalancingV2/listener';
import type { LoadBalancerAttribute } from 'cloudform-types/types/elasticLoadBalancingV2/loadBalancer';
import { AccessLogs, AppLoadBalancer, Certificate, DnsZone, Network } from './contracts';
import { DOMAIN_PATTERN } from './dnsZone';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, keep, sub, withCondition, type IntrinsicFunction } from './kit/cf';
import { checkovSkip, kmsKey, logGroup, logsMayUseKey, LOG_RETENTION_DAYS } from './kit/security';
import { either, notEmpty, onlyIf, withTags } from './service/cfn';
import { TARGET_GROUP_LOGICAL_ID, taskTargetGroup } from './service/targetGroup';

/** TLS 1.2+ policies (TLS 1.3 preferred) that both ALB and NLB accept. */
export const TLS_POLICIES = [
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
];

/** The app's log group name; every service of the app logs here (one stream prefix each). */
export const APP_LOG_GROUP = '/cfn-stages/${Prefix}${EnvironmentName}/${ApplicationName}';

/** Where an app's load balancer writes in the environment's access-log bucket. */
export const ACCESS_LOG_PREFIX = '${Prefix}${EnvironmentName}/${ApplicationName}';

/** The parameters that give an app its public URL (set from the params file's `publicUri`). */
export const PublicUriParam = { host: 'DomainName', path: 'PublicPath' } as const;

/** The output that says where the app answers; `outputs`, `status` and the wizard read it by this name. */
export const APP_URL_OUTPUT = 'AppUrl';

type App = TemplateBuilder<'application'>;

interface LbParams {
  protocol: IntrinsicFunction;
  scheme: IntrinsicFunction;
  tlsPolicy: IntrinsicFunction;
  idleTimeout: IntrinsicFunction;
  tcpPort: IntrinsicFunction;
  tcpCidr: IntrinsicFunction;
  healthPath: IntrinsicFunction;
  deregistration: IntrinsicFunction;
  sticky: IntrinsicFunction;
  stickySeconds: IntrinsicFunction;
  accessLogs: IntrinsicFunction;
  deletionProtection: IntrinsicFunction;
  retention: IntrinsicFunction;
  domain: IntrinsicFunction;
  path: IntrinsicFunction;
}

type TrafficParams = Pick<LbParams, 'protocol' | 'scheme' | 'tlsPolicy' | 'idleTimeout' | 'tcpPort' | 'tcpCidr'>;

function trafficParams(t: App): TrafficParams {
  return {
    protocol: t.param('PortProtocol', {
      Type: 'String',
      Default: 'HTTP',
      AllowedValues: ['HTTP', 'TCP'],
      label: 'Traffic type',
      Description:
        'HTTP for web apps, APIs and websockets (Application Load Balancer); TCP for other protocols (Network Load Balancer, no path rules).',
    }),
    scheme: t.param('Scheme', {
      Type: 'String',
      Default: 'internet-facing',
      AllowedValues: ['internet-facing', 'internal'],
      label: 'Scheme',
      Description:
        'internet-facing: public subnets, reachable from the internet; internal: private subnets, reachable only from the VPC and networks connected to it.',
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
  };
}

type TargetParams = Pick<LbParams, 'healthPath' | 'deregistration' | 'sticky' | 'stickySeconds'>;

function targetParams(t: App): TargetParams {
  const group = 'Target group';
  return {
    healthPath: t.param('HealthCheckPath', {
      Type: 'String',
      Default: '/healthcheck',
      AllowedPattern: "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$",
      ConstraintDescription: 'a URL path starting with "/"',
      label: 'Health check path',
      group,
      Description:
        'HTTP only: the path the load balancer polls on each task (2xx/3xx = healthy); unhealthy tasks get no traffic. TCP mode checks the connection.',
    }),
    deregistration: t.param('DeregistrationDelaySeconds', {
      Type: 'Number',
      Default: 30,
      MinValue: 0,
      MaxValue: 3600,
      label: 'Deregistration delay (seconds)',
      group,
      Description: 'How long a stopping task keeps serving requests already in flight.',
    }),
    sticky: t.param('StickySessions', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      label: 'Sticky sessions',
      group,
      Description: 'Send a client back to the same task: a load-balancer cookie for HTTP, the client address for TCP.',
    }),
    stickySeconds: t.param('StickySessionSeconds', {
      Type: 'Number',
      Default: 86400,
      MinValue: 1,
      MaxValue: 604800,
      label: 'Sticky cookie lifetime (seconds)',
      group,
      Description: 'HTTP sticky sessions only: how long the cookie lasts.',
    }),
  };
}

type ProtectionParams = Pick<LbParams, 'accessLogs' | 'deletionProtection' | 'retention'>;

function protectionParams(t: App): ProtectionParams {
  return {
    accessLogs: t.param('AccessLogs', {
      Type: 'String',
      Default: 'true',
      AllowedValues: ['true', 'false'],
      label: 'Access logs',
      group: 'Logging',
      Description:
        "true: every request is logged to the environment's access-log bucket (15.env-access-logs), under <prefix><env>/<app>/. false: no access logs.",
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
  };
}

type DomainParams = Pick<LbParams, 'domain' | 'path'>;

function domainParams(t: App): DomainParams {
  return {
    domain: t.param(PublicUriParam.host, {
      Type: 'String',
      Default: '',
      AllowedPattern: `^$|${DOMAIN_PATTERN}`,
      ConstraintDescription: 'empty, or a lower-case DNS name such as acme.dev.example.com',
      label: "App's domain name (optional)",
      group: 'Domain',
      Description:
        "The app's host: the environment's domain (16.env-dns-zone) or one label under it. With one: HTTPS with the environment's certificate (17), HTTP redirects to it, and an alias record. Empty: HTTP only, on the load balancer's name.",
    }),
    path: t.param(PublicUriParam.path, {
      Type: 'String',
      Default: '',
      AllowedPattern: "^$|^(/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)+$",
      ConstraintDescription: 'empty, or a URL path such as /shop (no trailing slash)',
      label: 'Path of the public URL (optional)',
      group: 'Domain',
      Description:
        "Where the app answers under its host (Opta's public_uri path), shown in AppUrl. The load balancer sends every path no extra service claims to the app, so the app serves this path itself.",
    }),
  };
}

function declareParams(t: App): LbParams {
  return { ...trafficParams(t), ...targetParams(t), ...protectionParams(t), ...domainParams(t) };
}

function declareConditions(t: App, p: LbParams): void {
  t.condition('IsTcp', Fn.Equals(p.protocol, 'TCP'));
  t.condition('IsHttp', Fn.Equals(p.protocol, 'HTTP'));
  t.condition('HasDomain', notEmpty(p.domain));
  t.condition('HttpsAlb', Fn.And([{ Condition: 'IsHttp' }, { Condition: 'HasDomain' }]));
  t.condition('IsInternal', Fn.Equals(p.scheme, 'internal'));
  t.condition('HasAccessLogs', Fn.Equals(p.accessLogs, 'true'));
}

/** Load-balancer attributes both kinds share: deletion protection and access logs (on by default). */
function commonLbAttributes(t: App, p: LbParams): LoadBalancerAttribute[] {
  return [
    { Key: 'deletion_protection.enabled', Value: p.deletionProtection },
    { Key: 'access_logs.s3.enabled', Value: p.accessLogs },
    onlyIf('HasAccessLogs', { Key: 'access_logs.s3.bucket', Value: t.import(AccessLogs.BucketName) }),
    onlyIf('HasAccessLogs', { Key: 'access_logs.s3.prefix', Value: sub(ACCESS_LOG_PREFIX) }),
  ];
}

const subnetsFor = (t: App): IntrinsicFunction =>
  either('IsInternal', t.import(Network.PrivateSubnetIds), t.import(Network.PublicSubnetIds));

/** Checkov cannot resolve the parameters these attributes come from; the reasons say what holds. */
const LB_SKIPS: [string, string][] = [
  [
    'CKV_AWS_91',
    "Access logs are on by default (AccessLogs=true), into the environment's access-log bucket (15.env-access-logs); the parameter can turn them off.",
  ],
];

interface Alb {
  lb: Handle;
  tg: Handle;
  http: Handle;
  https: Handle;
}

function albTargetGroup(t: App, p: LbParams): Handle {
  return t.add(
    TARGET_GROUP_LOGICAL_ID,
    withCondition(
      new ELB.TargetGroup({
        ...taskTargetGroup(t.import(Network.VpcId), p.healthPath),
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
}

/** Every request to HTTPS on the same host, path and query (301). */
const REDIRECT_TO_HTTPS: Action[] = [
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

function albListeners(t: App, p: LbParams, lb: Handle, tg: Handle): { http: Handle; https: Handle } {
  const forward = [{ Type: 'forward', TargetGroupArn: tg.ref }];
  const http = t.add(
    'HttpListener',
    withCondition(
      withTags(
        new ELB.Listener({
          LoadBalancerArn: lb.ref,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: either<Action[]>('HasDomain', REDIRECT_TO_HTTPS, forward),
        }),
        t.tags(),
      ).metadata(
        checkovSkip([
          [
            'CKV_AWS_2',
            'With a DomainName this listener only redirects to HTTPS; without one the app has no certificate and is served over plain HTTP on purpose (AppUrl says http://).',
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
          Certificates: [
            { CertificateArn: t.import(Certificate.CertificateArn, undefined, { onlyWith: PublicUriParam.host }) },
          ],
          DefaultActions: forward,
        }),
        t.tags(),
      ),
      'HttpsAlb',
    ),
  );
  return { http, https };
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
          ...commonLbAttributes(t, p),
          { Key: 'idle_timeout.timeout_seconds', Value: p.idleTimeout },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        ],
        Tags: t.tags({ Name: t.scopedName('alb') }),
      }).metadata(checkovSkip(LB_SKIPS)),
      'IsHttp',
    ),
  );
  const tg = albTargetGroup(t, p);
  return { lb, tg, ...albListeners(t, p, lb, tg) };
}

interface Nlb {
  lb: Handle;
  tg: Handle;
  listener: Handle;
}

function nlbSecurityGroup(t: App, p: LbParams): Handle {
  return t.add(
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
}

function nlbTargetGroup(t: App, p: LbParams): Handle {
  return t.add(
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
}

function nlbListener(t: App, p: LbParams, lb: Handle, tg: Handle): Handle {
  return t.add(
    'TcpListener',
    withCondition(
      withTags(
        new ELB.Listener({
          LoadBalancerArn: lb.ref,
          Port: p.tcpPort,
          Protocol: either('HasDomain', 'TLS', 'TCP'),
          SslPolicy: onlyIf('HasDomain', p.tlsPolicy),
          Certificates: onlyIf('HasDomain', [
            { CertificateArn: t.import(Certificate.CertificateArn, undefined, { onlyWith: PublicUriParam.host }) },
          ]),
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.ref }],
        }),
        t.tags(),
      ).metadata(
        checkovSkip([
          [
            'CKV_AWS_2',
            'A network load balancer: TLS when the app has a domain (and so a certificate), else raw TCP for protocols that carry their own encryption.',
          ],
          [
            'CKV_AWS_103',
            'With a domain this listener is TLS with a TLS 1.2+ policy (TlsPolicy); without one it is plain TCP with no TLS to configure.',
          ],
        ]),
      ),
      'IsTcp',
    ),
  );
}

function networkLoadBalancer(t: App, p: LbParams): Nlb {
  const sg = nlbSecurityGroup(t, p);
  const lb = t.add(
    'NetworkLoadBalancer',
    withCondition(
      new ELB.LoadBalancer({
        Type: 'network',
        Scheme: p.scheme,
        Subnets: subnetsFor(t),
        // NLB security groups can only be set when it is created: both groups are given from the start.
        SecurityGroups: [t.import(Network.LoadBalancerSecurityGroupId), sg.ref],
        LoadBalancerAttributes: [
          ...commonLbAttributes(t, p),
          { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        ],
        Tags: t.tags({ Name: t.scopedName('nlb') }),
      }).metadata(checkovSkip(LB_SKIPS)),
      'IsTcp',
    ),
  );
  const tg = nlbTargetGroup(t, p);
  return { lb, tg, listener: nlbListener(t, p, lb, tg) };
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

/** `https://host/path` with a domain, else the load balancer's own name (`http://`, or `tcp://...:port`). */
function appUrl(alb: Alb, nlb: Nlb, p: LbParams): IntrinsicFunction {
  const host = either('HasDomain', p.domain, either('IsTcp', nlb.lb.att('DNSName'), alb.lb.att('DNSName')));
  const scheme = either('IsTcp', either('HasDomain', 'tls://', 'tcp://'), either('HasDomain', 'https://', 'http://'));
  const tail = either<IntrinsicFunction | string>(
    'IsTcp',
    Fn.Join('', [':', p.tcpPort]),
    either<IntrinsicFunction | string>('HasDomain', p.path, ''),
  );
  return Fn.Join('', [scheme, host, tail]);
}

/** The app's name in the environment's zone: an alias of its load balancer. */
function aliasRecord(t: App, p: LbParams, alb: Alb, nlb: Nlb): void {
  t.add(
    'DomainRecord',
    withCondition(
      new Route53.RecordSet({
        HostedZoneId: t.import(DnsZone.HostedZoneId, undefined, { onlyWith: PublicUriParam.host }),
        Name: p.domain,
        Type: 'A',
        AliasTarget: {
          DNSName: either('IsTcp', nlb.lb.att('DNSName'), alb.lb.att('DNSName')),
          HostedZoneId: either('IsTcp', nlb.lb.att('CanonicalHostedZoneID'), alb.lb.att('CanonicalHostedZoneID')),
          EvaluateTargetHealth: true,
        },
      }),
      'HasDomain',
    ),
  );
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
      'App load balancer (ALB, or NLB for TCP), HTTPS with the environment certificate when the app has a domain, alias record, access logs, target group, log group, KMS key and configuration secret',
    group: 'Load balancer',
  });
  const p = declareParams(t);
  declareConditions(t, p);
  const { key, logs, secret } = appShared(t, p.retention);
  const alb = applicationLoadBalancer(t, p);
  const nlb = networkLoadBalancer(t, p);
  aliasRecord(t, p, alb, nlb);
  t.export(
    AppLoadBalancer.ListenerArn,
    either('IsTcp', nlb.listener.ref, either('HasDomain', alb.https.ref, alb.http.ref)),
  );
  t.export(AppLoadBalancer.TargetGroupArn, either('IsTcp', nlb.tg.ref, alb.tg.ref));
  t.export(
    AppLoadBalancer.LoadBalancerFullName,
    either('IsTcp', nlb.lb.att('LoadBalancerFullName'), alb.lb.att('LoadBalancerFullName')),
  );
  t.export(AppLoadBalancer.LoadBalancerDnsName, either('IsTcp', nlb.lb.att('DNSName'), alb.lb.att('DNSName')));
  t.export(AppLoadBalancer.LogGroupName, logs.ref);
  t.export(AppLoadBalancer.ConfigSecretArn, secret.ref);
  t.export(AppLoadBalancer.AppKeyArn, key.att('Arn'));
  t.output(
    APP_URL_OUTPUT,
    'Where the app answers: https:// with a domain, else http:// on the load balancer (HTTP only)',
    appUrl(alb, nlb, p),
  );
  return t.build();
}
