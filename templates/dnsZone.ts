/**
 * 16.env-dns-zone: the environment's domain in Route 53. Either a new public hosted zone for a
 * domain the user owns (its name servers must then be delegated to: the registrar's NS records, or
 * an NS record in the parent zone), or an existing hosted zone the user names, which this stack
 * only passes on. Apps get names in it (`acme.dev.example.com`), and the certificate (17) is
 * validated through records in it.
 *
 * The certificate is a separate stack on purpose: ACM validates only once the zone answers for the
 * domain on the public internet, and a certificate stack created before that waits for hours. The
 * deployer checks delegation between the two (src/deploy/delegation.ts) and stops with the exact
 * step instead (Opta's `delegated: false` / `true` two-step, without the second edit).
 */
import { Route53 } from './kit/resources';
import { DnsZone } from './contracts';
import { TemplateBuilder, type TemplateIdentity, type BuiltTemplate } from './kit/builder';
import { Fn, keep, withCondition } from './kit/cf';
import { either } from './service/cfn';

/** A lower-case DNS name of two labels or more (`example.com`, `dev.example.com`). */
export const DOMAIN_PATTERN = '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$';

/** Who 16 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const DnsZoneTemplate: TemplateIdentity<'environment'> = {
  id: '16.env-dns-zone',
  scope: 'environment',
  stackSuffix: 'dns-zone',
};

/** Builds 16: a new hosted zone, or the existing one named (no build options). */
/** The output listing a new zone's name servers, comma-separated; the delegation check reads it by this name. */
export const NAME_SERVERS_OUTPUT = 'NameServers';

export function buildDnsZone(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...DnsZoneTemplate,
    description:
      "Environment domain: a Route 53 public hosted zone for it (or an existing zone, named), for the apps' names and certificate validation",
    group: 'Domain',
  });
  const domain = t.param('DomainName', {
    Type: 'String',
    AllowedPattern: DOMAIN_PATTERN,
    MaxLength: 200,
    ConstraintDescription: 'a lower-case DNS name such as dev.example.com',
    label: "Environment's domain",
    Description:
      "A domain you own, e.g. dev.example.com: apps are named under it (acme.dev.example.com). A new zone's name servers must be delegated to (provision deploy prints the step).",
  });
  const existing = t.param('ExistingHostedZoneId', {
    Type: 'String',
    Default: '',
    AllowedPattern: '^$|^Z[A-Z0-9]{1,31}$',
    ConstraintDescription: 'empty, or a Route 53 hosted zone id (Z...)',
    label: 'Existing hosted zone id (optional)',
    Description:
      'Empty: a new public hosted zone is created for the domain. A zone id: that existing public zone (named exactly as the domain) is used, and nothing is created.',
  });
  const create = t.condition('CreateZone', Fn.Equals(existing, ''));
  const zone = t.add(
    'HostedZone',
    withCondition(
      // Kept on delete: the domain's NS records point at this zone's name servers, and a new zone
      // gets others (the delegation step again). CloudFormation also leaves the certificate's
      // validation records in it, so its delete would fail anyway (HostedZoneNotEmpty).
      keep(
        new Route53.HostedZone({
          Name: domain,
          HostedZoneConfig: {
            Comment: Fn.Join('', ['cfn-stages environment ', Fn.Ref('Prefix'), Fn.Ref('EnvironmentName')]),
          },
          HostedZoneTags: t.tags(),
        }),
      ),
      create,
    ),
  );
  t.export(DnsZone.HostedZoneId, either(create, zone.ref, existing));
  t.export(DnsZone.DomainName, domain);
  t.output(
    NAME_SERVERS_OUTPUT,
    "The new zone's name servers: the registrar's NS records for the domain (or the parent zone's NS record) must list exactly these",
    Fn.Join(',', zone.att('NameServers')),
    create,
  );
  return t.build();
}
