/**
 * 17.env-certificate: one ACM certificate for the environment's domain and every name one label
 * under it (`dev.example.com` and `*.dev.example.com`), validated through DNS records in the
 * environment's zone (16): CloudFormation writes them itself from `DomainValidationOptions`.
 *
 * ACM issues the certificate only once those records resolve publicly, that is once the zone is
 * delegated; until then CloudFormation waits (for hours, then fails). So this is a stack of its
 * own, after the zone, and the deployer creates it only once the domain's NS records on the public
 * internet are the zone's (src/deploy/delegation.ts).
 */
import { ACM } from './kit/resources';
import { Certificate, DnsZone } from './contracts';
import { TemplateBuilder, type TemplateIdentity, type BuiltTemplate } from './kit/builder';
import { Fn } from './kit/cf';

/** Key algorithms ACM issues public certificates with. */
export const KEY_ALGORITHMS = ['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'];

/** Who 17 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const CertificateTemplate: TemplateIdentity<'environment'> = {
  id: '17.env-certificate',
  scope: 'environment',
  stackSuffix: 'certificate',
};

/** Builds 17: a wildcard certificate for the environment's domain (no build options). */
export function buildCertificate(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...CertificateTemplate,
    description:
      "Environment certificate: ACM, for the domain and *.domain, DNS-validated through the environment's hosted zone",
    group: 'Certificate',
  });
  const algorithm = t.param('KeyAlgorithm', {
    Type: 'String',
    Default: KEY_ALGORITHMS[0]!,
    AllowedValues: KEY_ALGORITHMS,
    label: 'Key algorithm',
    Description: 'RSA_2048 works with every client; the EC keys are smaller and faster where clients support them.',
  });
  const domain = t.import(DnsZone.DomainName);
  const zone = t.import(DnsZone.HostedZoneId);
  const wildcard = Fn.Join('', ['*.', domain]);
  const cert = t.add(
    'Certificate',
    new ACM.Certificate({
      DomainName: domain,
      SubjectAlternativeNames: [wildcard],
      ValidationMethod: 'DNS',
      KeyAlgorithm: algorithm,
      CertificateTransparencyLoggingPreference: 'ENABLED',
      DomainValidationOptions: [
        { DomainName: domain, HostedZoneId: zone },
        { DomainName: wildcard, HostedZoneId: zone },
      ],
      Tags: t.tags(),
    }),
  );
  t.export(Certificate.CertificateArn, cert.ref);
  return t.build();
}
