/**
 * 15.env-access-logs, 16.env-dns-zone and 17.env-certificate: what matters in each (the bucket
 * ELB can write to and nobody else reads, the zone or the zone named, the certificate validated
 * through the zone), and how an app's publicUri wires its load balancer to them in a plan.
 */
import { buildAccessLogs, ELB_LOG_ACCOUNTS } from '../../templates/accessLogs';
import { buildCertificate } from '../../templates/certificate';
import { buildDnsZone } from '../../templates/dnsZone';
import { planEnvironment } from '../../stages/plan';
import { parseParams } from '../../src/params/load';
import { json, resource } from '../helpers/templates';

const imp = (key: string) => ({ 'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-${key}` } });

describe('15.env-access-logs', () => {
  const t = json(buildAccessLogs());
  const bucket = resource(t, 'AccessLogBucket');
  const statements = resource(t, 'AccessLogBucketPolicy').Properties.PolicyDocument.Statement;

  test('SSE-S3 (ELB log delivery cannot use KMS), public access blocked, kept on delete', () => {
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(Object.values(bucket.Properties.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
  });

  test('objects expire after LogRetentionDays, 365 by default', () => {
    expect(t.Parameters.LogRetentionDays.Default).toBe(365);
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({
      Status: 'Enabled',
      ExpirationInDays: { Ref: 'LogRetentionDays' },
    });
  });

  test('TLS only; ELB delivers under AWSLogs/<account>/ only, by service principal or the region account', () => {
    expect(statements[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const resourceOf = { 'Fn::Sub': '${AccessLogBucket.Arn}/*/AWSLogs/${AWS::AccountId}/*' };
    expect(statements[1]).toMatchObject({
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: resourceOf,
    });
    const [cond, account] = statements[2]['Fn::If'];
    expect(cond).toBe('RegionHasElbAccount');
    expect(account).toMatchObject({ Action: 's3:PutObject', Resource: resourceOf });
    expect((t as any).Mappings.ElbLogAccounts['us-east-1']).toEqual({ Account: ELB_LOG_ACCOUNTS['us-east-1'] });
    // Every region of the map, and only those, has the account statement.
    const regions = JSON.stringify(t.Conditions!.RegionHasElbAccount).match(/"[a-z]{2}(-gov)?-[a-z]+-\d"/g)!;
    expect(regions.map((r) => JSON.parse(r)).sort()).toEqual(Object.keys(ELB_LOG_ACCOUNTS).sort());
  });

  test('exports the bucket name for the load balancers', () => {
    expect(t.Outputs!.AccessLogBucketName.Value).toEqual({ Ref: 'AccessLogBucket' });
  });
});

describe('16.env-dns-zone', () => {
  const t = json(buildDnsZone());

  test('a new zone for the domain, or none when an existing zone is named', () => {
    expect(t.Parameters.DomainName.Default).toBeUndefined();
    expect(t.Parameters.ExistingHostedZoneId.Default).toBe('');
    expect(t.Conditions!.CreateZone).toEqual({ 'Fn::Equals': [{ Ref: 'ExistingHostedZoneId' }, ''] });
    // Kept on delete: the domain stays delegated to it (and its validation records would block the delete).
    expect(resource(t, 'HostedZone')).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    expect(resource(t, 'HostedZone')).toMatchObject({
      Condition: 'CreateZone',
      Properties: { Name: { Ref: 'DomainName' } },
    });
  });

  test('exports the zone in use and the domain; shows the new name servers', () => {
    expect(t.Outputs!.HostedZoneId.Value).toEqual({
      'Fn::If': ['CreateZone', { Ref: 'HostedZone' }, { Ref: 'ExistingHostedZoneId' }],
    });
    expect(t.Outputs!.DomainName.Value).toEqual({ Ref: 'DomainName' });
    expect(t.Outputs!.NameServers).toMatchObject({ Condition: 'CreateZone' });
    expect(t.Outputs!.NameServers.Export).toBeUndefined();
  });
});

describe('17.env-certificate', () => {
  const t = json(buildCertificate());
  const cert = resource(t, 'Certificate').Properties;

  test('the domain and *.domain, DNS-validated through records in the zone', () => {
    expect(cert.DomainName).toEqual(imp('DomainName'));
    expect(cert.SubjectAlternativeNames).toEqual([{ 'Fn::Join': ['', ['*.', imp('DomainName')]] }]);
    expect(cert.ValidationMethod).toBe('DNS');
    for (const o of cert.DomainValidationOptions) expect(o.HostedZoneId).toEqual(imp('HostedZoneId'));
    expect(cert.DomainValidationOptions.map((o: any) => o.DomainName)).toEqual([
      cert.DomainName,
      cert.SubjectAlternativeNames[0],
    ]);
    expect(t.Outputs!.CertificateArn.Value).toEqual({ Ref: 'Certificate' });
  });
});

describe('an app with a publicUri in a plan', () => {
  const base = `environment: dev
prefix: x-
region: us-east-1
tags: { contactEmail: ops@example.com }
domain: { domainName: dev.example.com }
apps:
  - name: acme
    publicUri: acme.dev.example.com/shop
  - name: plain
`;
  const plan = planEnvironment(parseParams(base));
  const named = (n: string) => plan.find((s) => s.name === n)!;

  test('the environment gets its access-log bucket always, the zone and the certificate with domain:', () => {
    expect(plan.map((s) => s.name)).toEqual(
      expect.arrayContaining(['x-dev-access-logs', 'x-dev-dns-zone', 'x-dev-certificate']),
    );
    const none = planEnvironment(
      parseParams(
        base
          .replace('domain: { domainName: dev.example.com }\n', '')
          .replace('    publicUri: acme.dev.example.com/shop\n', ''),
      ),
    );
    expect(none.map((s) => s.name)).toContain('x-dev-access-logs');
    expect(none.map((s) => s.name)).not.toContain('x-dev-certificate');
  });

  test("the app's load balancer gets host and path, and waits for the certificate and the zone", () => {
    const lb = named('x-dev-acme-loadbalancer');
    expect(lb.parameters).toMatchObject({ DomainName: 'acme.dev.example.com', PublicPath: '/shop' });
    expect(lb.fields.DomainName).toBe('apps[0].publicUri');
    expect(lb.dependsOn).toEqual(expect.arrayContaining(['x-dev-certificate', 'x-dev-dns-zone', 'x-dev-access-logs']));
    expect(named('x-dev-certificate').dependsOn).toEqual(['x-dev-dns-zone']);
  });

  test('an app without one does not depend on the certificate or the zone (HTTP only)', () => {
    const lb = named('x-dev-plain-loadbalancer');
    expect(lb.parameters).toMatchObject({ DomainName: '', PublicPath: '' });
    expect(lb.dependsOn).not.toContain('x-dev-certificate');
    expect(lb.dependsOn).not.toContain('x-dev-dns-zone');
    expect(lb.dependsOn).toContain('x-dev-access-logs');
  });
});
