/**
 * 91.extra-service: a "piggyback" service behind the app's existing load balancer (aws-explorer's
 * step 5): requests whose path starts with `PathPrefix` (and, optionally, for one host name) go
 * to this service instead of the main one. Deployable many times per app, one `Suffix` each; the
 * stack is `{Prefix}{EnvironmentName}-{ApplicationName}-{Suffix}`.
 *
 * Roles: each extra service gets its own execution and task roles (templates/service/roles.ts)
 * rather than reusing the main service's. Services of one app may link different data stores;
 * shared roles would hand every service the union of all their grants, and adding a link to one
 * service would mean editing a role another stack owns. Own roles cost nothing and keep each
 * service to exactly what it needs. All services of the app read the same configuration secret
 * (the `JUICE_CONFIG` variable, as the reference guide expects) and log to the app's log group,
 * each under its own stream prefix (the suffix).
 *
 * Needs the app's load balancer in HTTP mode (an ALB): a network load balancer has no rules.
 */
import { ELB } from './kit/resources';
import { AppLoadBalancer, Network } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type Handle, type TemplateIdentity } from './kit/builder';
import { Fn, sub, type IntrinsicFunction } from './kit/cf';
import { Patterns } from './kit/names';
import { either, notEmpty, onlyIf } from './service/cfn';
import { addEcsService, type ServiceOptions } from './service/service';
import { TARGET_GROUP_LOGICAL_ID, taskTargetGroup } from './service/targetGroup';

type App = TemplateBuilder<'application'>;

interface RouteParams {
  prefix: IntrinsicFunction;
  host: IntrinsicFunction;
  priority: IntrinsicFunction;
  keepPrefix: IntrinsicFunction;
  healthPath: IntrinsicFunction;
  deregistration: IntrinsicFunction;
}

function routeParams(t: App): RouteParams {
  const group = 'Routing';
  return {
    prefix: t.param('PathPrefix', {
      Type: 'String',
      AllowedPattern: '^(/[A-Za-z0-9_~-]+)+$',
      MaxLength: 100,
      ConstraintDescription: 'a path such as /api2: segments of letters, digits, "_", "~" or "-", no trailing "/"',
      label: 'Path prefix',
      group,
      Description: 'Requests for this path and below (e.g. /api2 and /api2/...) go to this service.',
    }),
    host: t.param('HostHeader', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^[A-Za-z0-9*?.-]+$',
      MaxLength: 128,
      ConstraintDescription: 'empty, or a host name (wildcards * and ? allowed)',
      label: 'Host name (optional)',
      group,
      Description: 'Only requests for this host name (e.g. api.example.com) match. Empty: any host.',
    }),
    priority: t.param('RulePriority', {
      Type: 'Number',
      Default: 1,
      MinValue: 1,
      MaxValue: 50000,
      label: 'Rule priority',
      group,
      Description:
        'Unique per load balancer listener: lower numbers are matched first. Give each extra service of the app its own (the next free number).',
    }),
    keepPrefix: t.param('KeepPathPrefix', {
      Type: 'String',
      Default: 'true',
      AllowedValues: ['true', 'false'],
      label: 'Keep path prefix',
      group,
      Description:
        "true: the service sees /api2/x as is. false: the load balancer strips the prefix, so the service sees /x (Opta's keep_path_prefix).",
    }),
    healthPath: t.param('HealthCheckPath', {
      Type: 'String',
      Default: '/healthcheck',
      AllowedPattern: "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$",
      ConstraintDescription: 'a URL path starting with "/"',
      label: 'Health check path',
      group,
      Description:
        'Path the load balancer polls on each task, as the service itself sees it (the prefix is never stripped from health checks).',
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
  };
}

function targetGroup(t: App, r: RouteParams): Handle {
  return t.add(
    TARGET_GROUP_LOGICAL_ID,
    new ELB.TargetGroup({
      ...taskTargetGroup(t.import(Network.VpcId), r.healthPath),
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: r.deregistration }],
      Tags: t.tags({ Name: t.scopedName('${Suffix}') }),
    }),
  );
}

/** The listener rule: path prefix (and host), optionally stripping the prefix before forwarding. */
function listenerRule(t: App, r: RouteParams, tg: Handle): Handle {
  t.condition('HasHostHeader', notEmpty(r.host));
  t.condition('StripPathPrefix', Fn.Equals(r.keepPrefix, 'false'));
  // Plain object: cloudform-types 7.5's ListenerRule lacks Tags and Transforms (URL rewrite).
  return t.add('ListenerRule', {
    Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    Properties: {
      ListenerArn: t.import(AppLoadBalancer.ListenerArn),
      Priority: r.priority,
      Conditions: [
        { Field: 'path-pattern', PathPatternConfig: { Values: [r.prefix, sub('${PathPrefix}/*')] } },
        onlyIf('HasHostHeader', { Field: 'host-header', HostHeaderConfig: { Values: [r.host] } }),
      ],
      // The path as the service sees it: "/api2" -> "/", "/api2/x" -> "/x".
      Transforms: onlyIf('StripPathPrefix', [
        {
          Type: 'url-rewrite',
          UrlRewriteConfig: { Rewrites: [{ Regex: sub('^${PathPrefix}/?(.*)$'), Replace: '/$1' }] },
        },
      ]),
      Actions: [{ Type: 'forward', TargetGroupArn: tg.ref }],
      Tags: t.tags(),
    },
  });
}

/** Who 91 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const ExtraServiceTemplate: TemplateIdentity<'application'> = {
  id: '91.extra-service',
  scope: 'application',
  stackSuffix: '${Suffix}',
};

/** Builds 91; with no options, the published template (see `ServiceOptions` for the deployer's). */
export function buildExtraService(opts: ServiceOptions = {}): BuiltTemplate {
  const t = new TemplateBuilder({
    ...ExtraServiceTemplate,
    description:
      "Extra service on the app's load balancer: target group, listener rule by path prefix, task definition, service, autoscaling",
    group: 'Routing',
  });
  const rule = Patterns.ExtraSuffix;
  t.param('Suffix', {
    Type: 'String',
    AllowedPattern: rule.pattern,
    MinLength: rule.minLength,
    MaxLength: rule.maxLength,
    ConstraintDescription: rule.message,
    label: 'Suffix (names this extra service, e.g. "api2")',
    group: 'Environment',
    Description:
      "Distinguishes this extra service from the app's others; part of the stack name and of its resource names.",
  });
  const r = routeParams(t);
  const tg = targetGroup(t, r);
  const listener = listenerRule(t, r, tg);
  addEcsService(
    t,
    {
      family: sub('${Prefix}${EnvironmentName}-${ApplicationName}-${Suffix}'),
      logStreamPrefix: sub('${Suffix}'),
      targetGroupArn: tg.ref,
      dependsOn: [listener.id],
    },
    opts,
  );
  t.output(
    'Route',
    'The requests this service answers',
    Fn.Join('', [
      either<IntrinsicFunction | string>('HasHostHeader', r.host, '*'),
      r.prefix,
      either<string>('StripPathPrefix', ' (prefix stripped)', ''),
    ]),
  );
  return t.build();
}
