/**
 * End to end: the delegation check before the certificate compares DNS's NS answer with the name
 * servers of the zone the environment uses, whichever way the zone comes, through the real CLI
 * against the emulator, with the public DNS played by a server on 127.0.0.1 (CFN_STAGES_DNS_SERVER).
 * Every Route 53 zone has its own delegation set, as on AWS (the emulator's dns.py), so a domain
 * delegated to one zone is not delegated to another zone of the same name.
 * - existingHostedZoneId: the named zone's name servers are read from Route 53 (GetHostedZone).
 *   DNS pointing at another zone of the domain: refused before any change (exit 2), with the named
 *   zone's servers; a zone id that does not exist: refused naming the field; the delegated zone:
 *   the certificate is created.
 * - A zone the environment creates, then destroys (the zone is kept) and creates again: the new
 *   zone has other name servers, so the run stops before the certificate with them (exit 1) while
 *   DNS still names the old zone's: the delegation step is needed again.
 * The whole-environment domain flow (load balancers, HTTPS, the wizard) is test/e2e/domain.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, paginateListStacks } from '@aws-sdk/client-cloudformation';
import { CreateHostedZoneCommand, GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';
import { startDnsServer, type DnsServer } from '../helpers/dns-server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(180_000);

const DOMAIN = 'dz.example.com';

let emu: Emulator;
let dns: DnsServer;
let cfn: CloudFormationClient;
let route53: Route53Client;
let tmp: string;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { env: { CFN_STAGES_DNS_SERVER: dns.address }, home: tmp, timeoutMs: 120_000 });
}

/** A params file for environment `dz` with only the domain (zone, certificate, and the environment's own stacks). */
function params(name: string, existingHostedZoneId?: string): string {
  const file = path.join(tmp, `${name}.yaml`);
  const zone = existingHostedZoneId ? `\n  existingHostedZoneId: ${existingHostedZoneId}` : '';
  fs.writeFileSync(
    file,
    `environment: dz\nprefix: x-\nregion: us-east-1\ntags:\n  contactEmail: ops@example.com\ndomain:\n  domainName: ${DOMAIN}${zone}\n`,
  );
  return file;
}

/** A hosted zone for the domain, made the way a person (or another tool) makes one: its id and name servers. */
async function createZone(ref: string): Promise<{ id: string; servers: string[] }> {
  const out = await route53.send(new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: ref }));
  return { id: out.HostedZone!.Id!.replace('/hostedzone/', ''), servers: out.DelegationSet!.NameServers! };
}

/** The environment's stacks that exist (not deleted). */
async function liveStacks(): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListStacks({ client: cfn }, {}))
    for (const s of page.StackSummaries ?? [])
      if (s.StackName?.startsWith('x-dz-') && s.StackStatus !== 'DELETE_COMPLETE') names.push(s.StackName);
  return names.sort();
}

async function outputs(stack: string): Promise<Record<string, string>> {
  const r = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  return Object.fromEntries((r.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  [emu, dns] = await Promise.all([startEmulator(), startDnsServer()]);
  cfn = new CloudFormationClient(emu.clientConfig);
  route53 = new Route53Client(emu.clientConfig);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'delegation-e2e-'));
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  route53?.destroy();
  await Promise.all([emu?.stop(), dns?.close()]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('existingHostedZoneId: the named zone’s name servers come from Route 53', () => {
  let delegatedZone: { id: string; servers: string[] };
  let otherZone: { id: string; servers: string[] };

  beforeAll(async () => {
    delegatedZone = await createZone('delegated');
    otherZone = await createZone('other');
    dns.ns.set(DOMAIN, delegatedZone.servers); // the registrar points at the first zone
  });

  test('each zone has its own set of four name servers, as Route 53 gives them', async () => {
    for (const zone of [delegatedZone, otherZone]) {
      expect(zone.servers).toHaveLength(4);
      for (const ns of zone.servers) expect(ns).toMatch(/^ns-\d+\.awsdns-\d\d\.(com|net|org|co\.uk)$/);
    }
    expect(otherZone.servers.filter((ns) => delegatedZone.servers.includes(ns))).toEqual([]);
    const read = await route53.send(new GetHostedZoneCommand({ Id: otherZone.id }));
    expect(read.DelegationSet?.NameServers).toEqual(otherZone.servers);
  });

  test('a zone DNS does not point at: refused before any change (exit 2), with that zone’s name servers', async () => {
    const run = await cli(['deploy', '--params', params('other', otherZone.id), '--yes']);
    const text = run.stderr + run.stdout;
    expect({ code: run.code, text }).toEqual({ code: 2, text: expect.any(String) });
    expect(text).toContain(
      `${DOMAIN} is not delegated to its hosted zone (it answers ${[...delegatedZone.servers].sort().join(', ')})`,
    );
    for (const ns of otherZone.servers) expect(text).toContain(`    ${ns}`);
    expect(text).toMatch(/nothing was changed/);
    expect(await liveStacks()).toEqual([]);
  });

  test('a zone id that does not exist, or another domain’s zone: refused (exit 2), naming the field', async () => {
    const missing = await cli(['deploy', '--params', params('missing', 'Z0000000000MISSING'), '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'domain.existingHostedZoneId Z0000000000MISSING: no such hosted zone in this account',
    );
    expect(missing.stderr).toMatch(/remove existingHostedZoneId to have a new zone created/);
    const elsewhere = await route53.send(
      new CreateHostedZoneCommand({ Name: 'elsewhere.example.com', CallerReference: 'elsewhere' }),
    );
    const id = elsewhere.HostedZone!.Id!.replace('/hostedzone/', '');
    const wrong = await cli(['deploy', '--params', params('wrong', id), '--yes']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      `domain.existingHostedZoneId ${id}: this zone is elsewhere.example.com, not the domain ${DOMAIN}`,
    );
    expect(await liveStacks()).toEqual([]);
  });

  test('the zone DNS points at: deployed, certificate included', async () => {
    const run = await cli(['deploy', '--params', params('delegated', delegatedZone.id), '--yes']);
    expect({ code: run.code, out: run.code ? run.stdout.slice(-1500) + run.stderr : '' }).toEqual({ code: 0, out: '' });
    expect(await liveStacks()).toEqual(expect.arrayContaining(['x-dz-certificate', 'x-dz-dns-zone']));
    expect((await outputs('x-dz-dns-zone')).HostedZoneId).toBe(delegatedZone.id);
    const destroyed = await cli(['destroy', '--params', params('delegated', delegatedZone.id), '--yes']);
    expect(destroyed.code).toBe(0);
    expect(await liveStacks()).toEqual([]);
  });
});

describe('a zone the environment creates, destroyed and created again', () => {
  let file: string;
  let result: { stacks: { name: string; result: string }[]; delegation?: Record<string, unknown> };

  /** deploy --json: the exit code, the result document and the zone's name servers. */
  async function deploy(): Promise<{ code: number | null; servers: string[] }> {
    const run = await cli(['deploy', '--params', file, '--yes', '--json']);
    result = JSON.parse(run.stdout);
    return { code: run.code, servers: (await outputs('x-dz-dns-zone')).NameServers!.split(',') };
  }

  beforeAll(() => {
    file = params('own-zone');
  });

  test('its new zone has other name servers than the zone DNS names: stopped before the certificate (exit 1)', async () => {
    const answered = dns.ns.get(DOMAIN)!;
    const first = await deploy();
    expect(first.code).toBe(1);
    expect(first.servers.filter((ns) => answered.includes(ns))).toEqual([]);
    expect(Object.fromEntries(result.stacks.map((s) => [s.name, s.result]))).toMatchObject({
      'x-dz-dns-zone': 'created',
      'x-dz-certificate': 'not-run',
    });
    expect(result.delegation).toEqual({
      domain: DOMAIN,
      delegated: false,
      zoneNameServers: [...first.servers].sort(),
      answered: [...answered].sort(),
    });
  });

  test('delegated, it completes; destroyed (the zone kept) and deployed again, the new zone needs the step again', async () => {
    const before = (await outputs('x-dz-dns-zone')).NameServers!.split(',');
    dns.ns.set(DOMAIN, before);
    const delegated = await deploy();
    expect(delegated.code).toBe(0);
    expect(await liveStacks()).toContain('x-dz-certificate');
    const destroyed = await cli(['destroy', '--params', file, '--yes']);
    expect(destroyed.code).toBe(0);
    const again = await deploy();
    expect(again.code).toBe(1);
    expect(again.servers.filter((ns) => before.includes(ns))).toEqual([]);
    expect(result.delegation).toMatchObject({ delegated: false, answered: [...before].sort() });
    expect(await liveStacks()).not.toContain('x-dz-certificate');
  });
});
