/**
 * End to end: an environment with its own domain (examples/full-domain.yaml), through the real CLI
 * against the emulator, with the public DNS the delegation check asks played by a server on
 * 127.0.0.1 that this test controls (CFN_STAGES_DNS_SERVER).
 * - Undelegated: the first deploy creates the zone and everything that needs no certificate, then
 *   stops before the certificate stack with the zone's name servers and the delegation step
 *   (exit 1); a second deploy, still undelegated, is refused before any change (exit 2).
 * - Once DNS names the zone's servers, the same command completes: the certificate is issued
 *   (its validation records are in the zone), the alias record and the HTTPS listener exist, HTTP
 *   redirects to HTTPS, and `outputs` shows the https:// URL.
 * - Destroy keeps the zone (the domain stays delegated to it) and says to name it with
 *   existingHostedZoneId; deploying again that way reuses it: no second zone, a new certificate
 *   issued through the records in it, the https:// URL again.
 * - The wizard (in a pseudo-terminal) asks for the domain and each app's public address, and its
 *   last screen shows the https:// URL.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { startDnsServer, type DnsServer } from '../helpers/dns-server';
import { pushImage, repositoriesWithImages } from '../helpers/images';
import { Terminal } from '../helpers/terminal';

const FILE = path.join('examples', 'full-domain.yaml');
const DOMAIN = 'demo.example.com';

let emu: Emulator;
let dns: DnsServer;
let cfn: CloudFormationClient;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { env: { CFN_STAGES_DNS_SERVER: dns.address }, timeoutMs: 240_000 });
}

/**
 * ACM reads and Route 53 listings straight from the emulator's HTTP API (the project has no ACM
 * SDK client; the emulator does not check signatures).
 */
/** moto picks the service by the signature's credential scope. */
const signedFor = (service: string) => ({
  Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
});

async function certificate(
  arn: string,
): Promise<{ Status: string; DomainName: string; SubjectAlternativeNames: string[] }> {
  const r = await fetch(emu.endpoint, {
    method: 'POST',
    headers: {
      ...signedFor('acm'),
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'CertificateManager.DescribeCertificate',
    },
    body: JSON.stringify({ CertificateArn: arn }),
  });
  return ((await r.json()) as { Certificate: any }).Certificate;
}

async function zoneRecords(zoneId: string): Promise<string> {
  const r = await fetch(`${emu.endpoint}/2013-04-01/hostedzone/${zoneId}/rrset`, { headers: signedFor('route53') });
  return r.text();
}

async function outputs(stack: string): Promise<Record<string, string>> {
  const r = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  return Object.fromEntries((r.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

beforeAll(async () => {
  [emu, dns] = await Promise.all([startEmulator(), startDnsServer()]);
  cfn = new CloudFormationClient(emu.clientConfig);
  await repositoriesWithImages(emu, cli, FILE, [{ repository: 'acme-web', tag: 'initial' }]);
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  await Promise.all([emu?.stop(), dns?.close()]);
});

test('plan says the certificate is created once the domain is delegated', async () => {
  const plan = await cli(['plan', '--params', FILE]);
  expect(plan.code).toBe(0);
  expect(plan.stdout).toMatch(
    /x-demo-certificate 17\.env-certificate after x-demo-dns-zone\n\s+new stack: .*\n(.*\n)*?\s+created once demo\.example\.com is delegated to its hosted zone \(deploy asks DNS first\)/,
  );
}, 120_000);

describe('a domain that is not delegated yet', () => {
  let first: CliRun;
  let result: { ok: boolean; stacks: { name: string; result: string }[]; delegation?: Record<string, unknown> };

  beforeAll(async () => {
    first = await cli(['deploy', '--params', FILE, '--yes', '--json']);
    result = JSON.parse(first.stdout);
  }, 300_000);

  test('the first deploy makes the zone and stops before the certificate, exit 1', () => {
    expect(first.code).toBe(1);
    const byName = Object.fromEntries(result.stacks.map((s) => [s.name, s.result]));
    expect(byName['x-demo-dns-zone']).toBe('created');
    expect(byName['x-demo-network']).toBe('created');
    expect(byName['x-demo-certificate']).toBe('not-run');
    // What needs the certificate waits with it: the app's load balancer and its services.
    expect(byName['x-demo-acme-loadbalancer']).toBe('not-run');
    expect(byName['x-demo-acme-service']).toBe('not-run');
    expect(dns.asked).toContain(DOMAIN);
  });

  test("the report names the zone's name servers and the answer DNS gave", async () => {
    const zone = await outputs('x-demo-dns-zone');
    const servers = zone.NameServers!.split(',');
    expect(servers.length).toBeGreaterThan(1);
    expect(result.delegation).toMatchObject({ domain: DOMAIN, delegated: false, answered: [] });
    expect(result.delegation!.zoneNameServers).toEqual([...servers].sort());
  });

  test('run again undelegated: refused before any change (exit 2), with the exact step', async () => {
    const again = await cli(['deploy', '--params', FILE, '--yes']);
    expect(again.code).toBe(2);
    const text = again.stderr + again.stdout;
    const zone = await outputs('x-demo-dns-zone');
    for (const ns of zone.NameServers!.split(',')) expect(text).toContain(ns);
    expect(text).toMatch(/demo\.example\.com is not delegated to its hosted zone \(DNS has no NS records for it yet\)/);
    expect(text).toMatch(/at your registrar, set its name servers to the list above/);
    expect(text).toMatch(/add to example\.com an NS record named demo\.example\.com with these values/);
    expect(text).toMatch(/nothing was changed/);
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'x-demo-certificate' }))).rejects.toThrow(
      /does not exist/,
    );
  }, 120_000);
});

describe('once the domain is delegated, the same command completes', () => {
  let run: CliRun;

  beforeAll(async () => {
    const zone = await outputs('x-demo-dns-zone');
    dns.ns.set(DOMAIN, zone.NameServers!.split(','));
    run = await cli(['deploy', '--params', FILE, '--yes']);
  }, 300_000);

  test('exit 0, and the certificate is issued through its records in the zone', async () => {
    expect({ code: run.code, out: run.stdout.slice(-800) }).toEqual({ code: 0, out: expect.any(String) });
    const arn = (await outputs('x-demo-certificate')).CertificateArn!;
    const cert = await certificate(arn);
    expect(cert.Status).toBe('ISSUED');
    expect(cert.DomainName).toBe(DOMAIN);
    expect(cert.SubjectAlternativeNames).toEqual(expect.arrayContaining([`*.${DOMAIN}`]));
  });

  test("the zone holds the app's alias record and the certificate's validation record", async () => {
    const zoneId = (await outputs('x-demo-dns-zone')).HostedZoneId!;
    const records = await zoneRecords(zoneId);
    expect(records).toMatch(/<Name>acme\.demo\.example\.com\.?<\/Name>\s*<Type>A<\/Type>[\s\S]*?<AliasTarget>/);
    expect(records).toMatch(/<Name>_[0-9a-f]+\.demo\.example\.com\.?<\/Name>\s*<Type>CNAME<\/Type>/);
  });

  test('HTTPS with the certificate and a TLS 1.2+ policy; HTTP redirects to it', async () => {
    const elb = new ElasticLoadBalancingV2Client(emu.clientConfig);
    const lbs = await elb.send(new DescribeLoadBalancersCommand({}));
    const lb = lbs.LoadBalancers!.find((l) => l.Type === 'application')!;
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    elb.destroy();
    const https = Listeners!.find((l) => l.Port === 443)!;
    const http = Listeners!.find((l) => l.Port === 80)!;
    const arn = (await outputs('x-demo-certificate')).CertificateArn!;
    expect(https).toMatchObject({ Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(https.Certificates?.map((c) => c.CertificateArn)).toEqual([arn]);
    expect(http.DefaultActions).toEqual([
      expect.objectContaining({
        Type: 'redirect',
        RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }),
      }),
    ]);
  });

  test('outputs shows the https:// URL', async () => {
    const r = await cli(['outputs', '--params', FILE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/acme: https:\/\/acme\.demo\.example\.com(\s|$)/);
    expect(r.stdout).not.toMatch(/HTTP only/);
  });
});

/** The name servers of the (last) hosted zone the emulator holds for a name, if any. */
async function zoneNameServers(name: string): Promise<string[] | undefined> {
  const id = (await zonesNamed(name)).at(-1);
  if (!id) return undefined;
  const zone = await new Route53Client(emu.clientConfig).send(new GetHostedZoneCommand({ Id: id }));
  return zone.DelegationSet?.NameServers;
}

/** The ids of the hosted zones the emulator holds for a name (ListHostedZones, straight from its API). */
async function zonesNamed(name: string): Promise<string[]> {
  const r = await fetch(`${emu.endpoint}/2013-04-01/hostedzone`, { headers: signedFor('route53') });
  const zones = [...(await r.text()).matchAll(/<HostedZone>([\s\S]*?)<\/HostedZone>/g)].map((m) => m[1]!);
  return zones
    .filter((z) => /<Name>([^<]+)<\/Name>/.exec(z)?.[1]?.replace(/\.$/, '') === name)
    .map((z) => /<Id>(?:\/hostedzone\/)?([^<]+)<\/Id>/.exec(z)![1]!);
}

describe('destroy, then the same environment again on the kept zone', () => {
  let zoneId: string;
  let unprotected: string;
  let tmp: string;

  beforeAll(async () => {
    zoneId = (await outputs('x-demo-dns-zone')).HostedZoneId!;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-domain-again-'));
    unprotected = path.join(tmp, 'unprotected.yaml');
    fs.writeFileSync(
      unprotected,
      fs.readFileSync(FILE, 'utf8').replace('instances: 2', 'instances: 2\n        deletionProtection: false'),
    );
    const lifted = await cli(['deploy', '--params', unprotected, '--yes']);
    expect(lifted.code).toBe(0);
  }, 300_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('destroy deletes the environment, keeps the zone and says how the next deploy reuses it', async () => {
    const r = await cli(['destroy', '--params', unprotected, '--yes', '--json']);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    const out = JSON.parse(r.stdout);
    const zone = out.kept.find((k: any) => k.resourceType === 'AWS::Route53::HostedZone');
    expect(zone).toMatchObject({
      physicalId: zoneId,
      onRecreate: expect.stringContaining(`existingHostedZoneId: ${zoneId}`),
    });
    expect(await zonesNamed(DOMAIN)).toEqual([zoneId]);
  }, 300_000);

  test('deploying again with existingHostedZoneId uses that zone: no second zone, the certificate issued, https again', async () => {
    const reuse = path.join(tmp, 'reuse.yaml');
    fs.writeFileSync(
      reuse,
      fs
        .readFileSync(unprotected, 'utf8')
        .replace(`domainName: ${DOMAIN}`, `domainName: ${DOMAIN}\n  existingHostedZoneId: ${zoneId}`),
    );
    const r = await cli(['deploy', '--params', reuse, '--yes']);
    expect({ code: r.code, err: r.code ? r.stdout.slice(-1500) + r.stderr : '' }).toEqual({ code: 0, err: '' });
    expect((await outputs('x-demo-dns-zone')).HostedZoneId).toBe(zoneId);
    expect(await zonesNamed(DOMAIN)).toEqual([zoneId]);
    const cert = await certificate((await outputs('x-demo-certificate')).CertificateArn!);
    expect(cert.Status).toBe('ISSUED');
    const urls = await cli(['outputs', '--params', reuse]);
    expect(urls.stdout).toMatch(/acme: https:\/\/acme\.demo\.example\.com(\s|$)/);
  }, 300_000);
});

test("the wizard asks for the domain and each app's public address, and ends with the https:// URL", async () => {
  // Each zone has its own name servers: the domain is delegated to the zone the wizard's run
  // creates as soon as it exists (the registrar's part done at once), so its certificate follows.
  dns.lookup = (domain) => (domain === 'wiz.example.com' ? zoneNameServers(domain) : Promise.resolve(undefined));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-domain-wizard-'));
  const t = new Terminal([], work, { ...emu.env, CFN_STAGES_DNS_SERVER: dns.address });
  const DOWN = '\x1b[B';
  const pushed = (async () => {
    while (!/\? Waiting for wizweb:initial in ECR/.test(t.text)) await new Promise((r) => setTimeout(r, 100));
    await pushImage(emu, 'wizweb', 'initial');
  })();
  try {
    const code = await t.answerAll(
      [
        [/^Environment name/, 'wiz\r'],
        [/^Prefix/, 'y-\r'],
        [/^Contact email/, 'ops@example.com\r'],
        [/^Environment stages to build/, `${DOWN}${DOWN}${DOWN} \r`], // jump boxes, ECS (ticked), EKS, then the domain
        [/^(Environment's domain|Domain name)/, 'wiz.example.com\r'],
        [/^Repository name/, 'wizweb\r'],
        [/^App name/, 'shop\r'],
      ],
      150_000,
    );
    await Promise.race([pushed, new Promise((r) => setTimeout(r, 1000))]);
    expect({ code, tail: code === 0 ? '' : t.text.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(t.text).toMatch(/✔ Public address of shop \(https:\/\/\.\.\.\) shop\.wiz\.example\.com/);
    expect(t.text).toMatch(/App shop: https:\/\/shop\.wiz\.example\.com(\s|$)/);
    const saved = fs.readFileSync(path.join(work, 'envs', 'wiz.yaml'), 'utf8');
    expect(saved).toMatch(/^domain:\n {2}domainName: wiz\.example\.com$/m);
    expect(saved).toMatch(/^ {4}publicUri: shop\.wiz\.example\.com$/m);
  } finally {
    t.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
}, 180_000);
