/** 91.extra-service: its own route on the app's load balancer, its own target group and roles. */
import { buildExtraService } from '../../templates/extraService';
import { Patterns } from '../../templates/kit/names';
import { iamStatements, json, ofType, resource } from '../helpers/templates';
import { brokenRules } from '../helpers/rules';

const built = buildExtraService();
const t = json(built);
const app = (key: string) => ({
  'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-${key}` },
});
const rule = () => resource(t, 'ListenerRule').Properties;

test('deployable many times per app: the suffix names the stack and is validated', () => {
  expect(t.Metadata['cfn-stages'].StackName).toBe('{Prefix}{EnvironmentName}-{ApplicationName}-{Suffix}');
  expect(t.Parameters.Suffix).toMatchObject({
    AllowedPattern: Patterns.ExtraSuffix.pattern,
    MaxLength: Patterns.ExtraSuffix.maxLength,
  });
  expect(t.Parameters.Suffix.Default).toBeUndefined();
  expect(resource(t, 'TaskDefinition').Properties.Family).toEqual({
    'Fn::Sub': '${Prefix}${EnvironmentName}-${ApplicationName}-${Suffix}',
  });
  expect(built.exports).toEqual([]);
});

describe('routing', () => {
  test("the listener rule sits on the app's listener and forwards to this service's own target group", () => {
    expect(rule().ListenerArn).toEqual(app('ListenerArn'));
    expect(rule().Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } }]);
    expect(rule().Priority).toEqual({ Ref: 'RulePriority' });
    expect(resource(t, 'TargetGroup').Properties).toMatchObject({
      TargetType: 'ip',
      HealthCheckPath: { Ref: 'HealthCheckPath' },
    });
  });

  test("the service registers with that target group, never the main service's, once the rule exists", () => {
    const svc = resource(t, 'Service');
    expect(svc.Properties.LoadBalancers).toEqual([
      { ContainerName: 'app', ContainerPort: { Ref: 'ContainerPort' }, TargetGroupArn: { Ref: 'TargetGroup' } },
    ]);
    expect(JSON.stringify(t)).not.toContain('-TargetGroupArn');
    // A target group with no load balancer cannot take a service: wait for the rule.
    expect(svc.DependsOn).toEqual(['ListenerRule']);
  });

  test('matches the path prefix and everything below it, and a host only when one is given', () => {
    const [path, host] = rule().Conditions;
    expect(path).toEqual({
      Field: 'path-pattern',
      PathPatternConfig: { Values: [{ Ref: 'PathPrefix' }, { 'Fn::Sub': '${PathPrefix}/*' }] },
    });
    expect(host).toEqual({
      'Fn::If': [
        'HasHostHeader',
        { Field: 'host-header', HostHeaderConfig: { Values: [{ Ref: 'HostHeader' }] } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(new RegExp(t.Parameters.PathPrefix.AllowedPattern).test('/api2')).toBe(true);
    for (const bad of ['api2', '/api2/', '/a*b', '/a.b'])
      expect({ bad, ok: new RegExp(t.Parameters.PathPrefix.AllowedPattern).test(bad) }).toEqual({ bad, ok: false });
  });

  test("strips the prefix only when asked (Opta's keep_path_prefix: false), mapping /api2/x to /x", () => {
    expect(t.Conditions!.StripPathPrefix).toEqual({ 'Fn::Equals': [{ Ref: 'KeepPathPrefix' }, 'false'] });
    const [cond, transforms] = rule().Transforms['Fn::If'];
    expect(cond).toBe('StripPathPrefix');
    const { Regex, Replace } = transforms[0].UrlRewriteConfig.Rewrites[0];
    expect(transforms[0].Type).toBe('url-rewrite');
    // Apply the rewrite as the load balancer would, for the prefix /api2.
    const re = new RegExp(Regex['Fn::Sub'].replace('${PathPrefix}', '/api2'));
    const rewrite = (p: string) => p.replace(re, Replace); // "$1" means the same in JS and ALB
    expect(['/api2', '/api2/', '/api2/x', '/api2/x/y'].map(rewrite)).toEqual(['/', '/', '/x', '/x/y']);
  });
});

describe('its own least-privilege roles', () => {
  test("reads the app's configuration secret and nothing else of Secrets Manager", () => {
    const reads = iamStatements(t).filter(({ statement }) =>
      [].concat(statement.Action ?? []).some((a: string) => a.startsWith('secretsmanager:')),
    );
    expect(reads.map(({ where, statement }) => [where, statement.Resource])).toEqual([
      ['TaskRole', [app('ConfigSecretArn')]],
    ]);
  });

  test("logs to the app's log group under its suffix", () => {
    const logs = resource(t, 'TaskDefinition').Properties.ContainerDefinitions[0].LogConfiguration.Options;
    expect(logs).toMatchObject({
      'awslogs-group': app('LogGroupName'),
      'awslogs-stream-prefix': { 'Fn::Sub': '${Suffix}' },
    });
  });

  test('no public IPs; private subnets', () => {
    expect(resource(t, 'Service').Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
  });
});

test('scales on CPU and on memory, with the same Fargate checks as the main service', () => {
  const metrics = ofType(t, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
    ([, p]) => p.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
  );
  expect(metrics).toEqual(['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization']);
  const given = { Suffix: 'api2', PathPrefix: '/api2', RepositoryName: 'acme-api2' };
  expect(brokenRules(t, given)).toEqual([]);
  expect(brokenRules(t, { ...given, Cpu: '1024', Memory: '1024' })).toEqual(['FargateMemoryForCpu1024']);
});
