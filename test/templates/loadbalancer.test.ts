/** 31.app-loadbalancer: HTTPS with the environment's certificate for an app with a domain, the right subnets, access logs, the shared app pieces. */
import { buildLoadBalancer, TLS_POLICIES } from '../../templates/loadBalancer';
import { json, ofType, resource } from '../helpers/templates';

const t = json(buildLoadBalancer());
const imp = (key: string) => ({ 'Fn::ImportValue': { 'Fn::Sub': key } });
const notEmpty = (param: string) => ({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: param }, ''] }] });
const attrs = (id: string, prop = 'LoadBalancerAttributes') => resource(t, id).Properties[prop];
const attr = (id: string, key: string, prop?: string) => attrs(id, prop).find((a: any) => a.Key === key)?.Value;

describe('listeners: HTTPS and the redirect exist only for an app with a domain', () => {
  test('the domain decides, and the HTTPS listener needs the ALB and a domain', () => {
    expect(t.Conditions!.HasDomain).toEqual(notEmpty('DomainName'));
    expect(t.Conditions!.HttpsAlb).toEqual({ 'Fn::And': [{ Condition: 'IsHttp' }, { Condition: 'HasDomain' }] });
    expect(resource(t, 'HttpsListener').Condition).toBe('HttpsAlb');
    expect(t.Parameters.DomainName.Default).toBe('');
    expect(t.Parameters.CertificateArn).toBeUndefined();
  });

  test('HTTP redirects to HTTPS (301) with a domain, and forwards to the app without one', () => {
    const http = resource(t, 'HttpListener');
    expect(http.Properties).toMatchObject({ Port: 80, Protocol: 'HTTP' });
    const [cond, withCert, withoutCert] = http.Properties.DefaultActions['Fn::If'];
    expect(cond).toBe('HasDomain');
    expect(withCert).toEqual([
      {
        Type: 'redirect',
        RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }),
      },
    ]);
    expect(withoutCert).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } }]);
  });

  test("HTTPS uses the environment's certificate and a TLS 1.2+ policy; no weaker policy can be chosen", () => {
    const https = resource(t, 'HttpsListener').Properties;
    expect(https).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: { Ref: 'TlsPolicy' },
      Certificates: [{ CertificateArn: imp('${Prefix}${EnvironmentName}-CertificateArn') }],
    });
    expect(https.DefaultActions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } }]);
    expect(t.Parameters.TlsPolicy.AllowedValues).toEqual(TLS_POLICIES);
    for (const p of TLS_POLICIES) expect(p).toMatch(/^ELBSecurityPolicy-TLS13-1-[23]-/);
    expect(t.Parameters.TlsPolicy.Default).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
  });

  test('services attach rules to HTTPS when there is a domain, else to HTTP (TCP listener for an NLB)', () => {
    expect(t.Outputs!.ListenerArn.Value).toEqual({
      'Fn::If': [
        'IsTcp',
        { Ref: 'TcpListener' },
        { 'Fn::If': ['HasDomain', { Ref: 'HttpsListener' }, { Ref: 'HttpListener' }] },
      ],
    });
  });
});

describe('application load balancer', () => {
  test('internet-facing in the public subnets; internal in the private ones', () => {
    const lb = resource(t, 'LoadBalancer');
    expect(lb.Condition).toBe('IsHttp');
    expect(lb.Properties.Type).toBe('application');
    expect(lb.Properties.Scheme).toEqual({ Ref: 'Scheme' });
    expect(t.Parameters.Scheme).toMatchObject({
      Default: 'internet-facing',
      AllowedValues: ['internet-facing', 'internal'],
    });
    expect(t.Conditions!.IsInternal).toEqual({ 'Fn::Equals': [{ Ref: 'Scheme' }, 'internal'] });
    const [cond, internal, external] = lb.Properties.Subnets['Fn::If'];
    expect(cond).toBe('IsInternal');
    expect(JSON.stringify(internal)).toContain('-PrivateSubnetIds');
    expect(JSON.stringify(external)).toContain('-PublicSubnetIds');
  });

  test("uses only the environment's load-balancer security group", () => {
    expect(resource(t, 'LoadBalancer').Properties.SecurityGroups).toEqual([
      imp('${Prefix}${EnvironmentName}-LoadBalancerSecurityGroupId'),
    ]);
  });

  test('drops invalid headers; idle timeout and deletion protection are parameters', () => {
    expect(attr('LoadBalancer', 'routing.http.drop_invalid_header_fields.enabled')).toBe('true');
    expect(attr('LoadBalancer', 'idle_timeout.timeout_seconds')).toEqual({ Ref: 'IdleTimeoutSeconds' });
    expect(attr('LoadBalancer', 'deletion_protection.enabled')).toEqual({ Ref: 'DeletionProtection' });
  });

  test("access logs on by default, into the environment's bucket under the app's prefix", () => {
    expect(t.Parameters.AccessLogs).toMatchObject({ Default: 'true', AllowedValues: ['true', 'false'] });
    expect(t.Conditions!.HasAccessLogs).toEqual({ 'Fn::Equals': [{ Ref: 'AccessLogs' }, 'true'] });
    expect(attr('LoadBalancer', 'access_logs.s3.enabled')).toEqual({ Ref: 'AccessLogs' });
    const bucket = attrs('LoadBalancer').find((a: any) => a['Fn::If']?.[1]?.Key === 'access_logs.s3.bucket');
    expect(bucket['Fn::If']).toEqual([
      'HasAccessLogs',
      { Key: 'access_logs.s3.bucket', Value: imp('${Prefix}${EnvironmentName}-AccessLogBucketName') },
      { Ref: 'AWS::NoValue' },
    ]);
    const prefix = attrs('LoadBalancer').find((a: any) => a['Fn::If']?.[1]?.Key === 'access_logs.s3.prefix');
    expect(prefix['Fn::If'][1].Value).toEqual({ 'Fn::Sub': '${Prefix}${EnvironmentName}/${ApplicationName}' });
  });

  test('target group: IP targets, health check path, deregistration delay, optional cookie stickiness', () => {
    const tg = resource(t, 'TargetGroup').Properties;
    expect(tg).toMatchObject({ TargetType: 'ip', Protocol: 'HTTP', HealthCheckPath: { Ref: 'HealthCheckPath' } });
    expect(attr('TargetGroup', 'deregistration_delay.timeout_seconds', 'TargetGroupAttributes')).toEqual({
      Ref: 'DeregistrationDelaySeconds',
    });
    expect(attr('TargetGroup', 'stickiness.enabled', 'TargetGroupAttributes')).toEqual({ Ref: 'StickySessions' });
    expect(attr('TargetGroup', 'stickiness.type', 'TargetGroupAttributes')).toBe('lb_cookie');
    expect(attr('TargetGroup', 'stickiness.lb_cookie.duration_seconds', 'TargetGroupAttributes')).toEqual({
      Ref: 'StickySessionSeconds',
    });
    expect(t.Parameters.StickySessionSeconds.Default).toBe(86400); // Opta's sticky_session_max_age
  });
});

describe('TCP mode: a network load balancer instead of the ALB', () => {
  test('every NLB resource exists only in TCP mode, every ALB resource only in HTTP mode', () => {
    for (const id of ['NetworkLoadBalancer', 'TcpTargetGroup', 'TcpListener', 'TcpListenerSecurityGroup'])
      expect(resource(t, id).Condition).toBe('IsTcp');
    for (const id of ['LoadBalancer', 'TargetGroup', 'HttpListener']) expect(resource(t, id).Condition).toBe('IsHttp');
    expect(resource(t, 'NetworkLoadBalancer').Properties.Type).toBe('network');
  });

  test("TCP listener becomes TLS (TLS 1.2+) with the environment's certificate for an app with a domain", () => {
    const l = resource(t, 'TcpListener').Properties;
    expect(l.Port).toEqual({ Ref: 'TcpListenerPort' });
    expect(l.Protocol).toEqual({ 'Fn::If': ['HasDomain', 'TLS', 'TCP'] });
    expect(l.SslPolicy).toEqual({ 'Fn::If': ['HasDomain', { Ref: 'TlsPolicy' }, { Ref: 'AWS::NoValue' }] });
    expect(resource(t, 'TcpTargetGroup').Properties).toMatchObject({
      TargetType: 'ip',
      Protocol: 'TCP',
      HealthCheckProtocol: 'TCP',
    });
  });

  test("the NLB's own group opens only the listener port, from the allowed CIDR, and nothing outbound", () => {
    const sg = resource(t, 'TcpListenerSecurityGroup').Properties;
    expect(sg.SecurityGroupIngress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: { Ref: 'TcpListenerPort' },
        ToPort: { Ref: 'TcpListenerPort' },
        CidrIp: { Ref: 'TcpAllowedCidr' },
      }),
    ]);
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '127.0.0.1/32' })]);
    // Tasks accept traffic only from the environment's load-balancer group, so the NLB carries it too.
    expect(resource(t, 'NetworkLoadBalancer').Properties.SecurityGroups).toEqual([
      imp('${Prefix}${EnvironmentName}-LoadBalancerSecurityGroupId'),
      { Ref: 'TcpListenerSecurityGroup' },
    ]);
  });

  test('exports follow the mode', () => {
    expect(t.Outputs!.TargetGroupArn.Value).toEqual({
      'Fn::If': ['IsTcp', { Ref: 'TcpTargetGroup' }, { Ref: 'TargetGroup' }],
    });
    expect(t.Outputs!.LoadBalancerFullName.Value['Fn::If'][0]).toBe('IsTcp');
  });
});

describe('what every service of the app shares', () => {
  test('the configuration secret starts as "{}", is encrypted with the app key and kept on delete', () => {
    const s = resource(t, 'ConfigSecret');
    expect(s.Properties.SecretString).toBe('{}');
    expect(s.Properties.GenerateSecretString).toBeUndefined();
    expect(s.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['AppKey', 'Arn'] });
    expect([s.DeletionPolicy, s.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
    expect(t.Outputs!.ConfigSecretArn.Value).toEqual({ Ref: 'ConfigSecret' });
  });

  test('the log group is encrypted with the app key, which CloudWatch Logs may use for that group only', () => {
    expect(resource(t, 'AppLogGroup').Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': ['AppKey', 'Arn'] },
      RetentionInDays: { Ref: 'LogRetentionDays' },
    });
    const logs = resource(t, 'AppKey').Properties.KeyPolicy.Statement.find(
      (s: any) => s.Sid === 'CloudWatchLogsUseKey',
    );
    expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']['Fn::Sub']).toMatch(
      /:log-group:\/cfn-stages\/\$\{Prefix\}\$\{EnvironmentName\}\/\$\{ApplicationName\}$/,
    );
  });

  test('exports what the services need, and prints the app URL', () => {
    for (const key of [
      'ListenerArn',
      'TargetGroupArn',
      'LoadBalancerFullName',
      'LoadBalancerDnsName',
      'LogGroupName',
      'ConfigSecretArn',
      'AppKeyArn',
    ]) {
      expect(t.Outputs![key].Export.Name).toEqual({
        'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-${key}`,
      });
    }
    expect(t.Outputs!.AppUrl.Export).toBeUndefined();
    expect(JSON.stringify(t.Outputs!.AppUrl.Value)).toContain('https://');
  });

  test('no parameter can carry a secret value', () => {
    for (const [name, p] of Object.entries<any>(t.Parameters))
      expect({ name, noEcho: p.NoEcho }).toEqual({ name, noEcho: undefined });
  });
});

test("a domain gets an alias record in the environment's zone, pointing at the load balancer", () => {
  const record = resource(t, 'DomainRecord');
  expect(record.Condition).toBe('HasDomain');
  expect(record.Properties).toMatchObject({
    HostedZoneId: imp('${Prefix}${EnvironmentName}-HostedZoneId'),
    Name: { Ref: 'DomainName' },
    Type: 'A',
  });
  expect(record.Properties.AliasTarget.DNSName['Fn::If'][2]).toEqual({ 'Fn::GetAtt': ['LoadBalancer', 'DNSName'] });
  expect(ofType(t, 'AWS::Route53::RecordSet')).toHaveLength(1);
  expect(t.Parameters.HostedZoneId).toBeUndefined();
});

test('the app URL is https://host/path with a domain, else http:// on the load balancer name', () => {
  const [scheme, host, tail] = t.Outputs!.AppUrl.Value['Fn::Join'][1];
  expect(scheme['Fn::If'][2]).toEqual({ 'Fn::If': ['HasDomain', 'https://', 'http://'] });
  expect(host['Fn::If'].slice(0, 2)).toEqual(['HasDomain', { Ref: 'DomainName' }]);
  expect(tail['Fn::If'][2]).toEqual({ 'Fn::If': ['HasDomain', { Ref: 'PublicPath' }, ''] });
});

test('deletion protection is a parameter named DeletionProtection (the environment switch sets it)', () => {
  expect(t.Parameters.DeletionProtection).toMatchObject({ Default: 'false', AllowedValues: ['false', 'true'] });
  expect(attr('NetworkLoadBalancer', 'deletion_protection.enabled')).toEqual({ Ref: 'DeletionProtection' });
});
