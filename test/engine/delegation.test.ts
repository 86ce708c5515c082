/**
 * The delegation check (src/deploy/delegation.ts) against a DNS server on 127.0.0.1 that the test
 * answers: delegated only when the domain's NS answer is the zone's name servers, and the step
 * names both ways to delegate.
 */
import { checkDelegation, delegationSteps, DNS_SERVER_ENV, publicNameServers } from '../../src/deploy/delegation';
import { startDnsServer, type DnsServer } from '../helpers/dns-server';

const ZONE = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'];
let dns: DnsServer;
const saved = process.env[DNS_SERVER_ENV];

beforeAll(async () => {
  dns = await startDnsServer();
  process.env[DNS_SERVER_ENV] = dns.address;
});

afterAll(async () => {
  if (saved === undefined) delete process.env[DNS_SERVER_ENV];
  else process.env[DNS_SERVER_ENV] = saved;
  await dns.close();
});

test('no NS answer: not delegated, and the step lists the zone servers, registrar and parent zone', async () => {
  const d = await checkDelegation('dev.example.com', ZONE);
  expect(d).toEqual({ domain: 'dev.example.com', zoneNameServers: ZONE, answered: [], delegated: false });
  const text = delegationSteps(d).join('\n');
  expect(text).toMatch(/DNS has no NS records for it yet/);
  for (const ns of ZONE) expect(text).toContain(`    ${ns}`);
  expect(text).toMatch(/at your registrar, set its name servers to the list above/);
  expect(text).toMatch(/add to example\.com an NS record named dev\.example\.com/);
  expect(dns.asked).toContain('dev.example.com');
});

test('NS records of another provider (or an old zone): not delegated, naming what DNS answers', async () => {
  dns.ns.set('old.example.com', ['ns1.registrar-parking.net', 'ns2.registrar-parking.net']);
  const d = await checkDelegation('old.example.com', ZONE);
  expect(d.delegated).toBe(false);
  expect(delegationSteps(d)[0]).toMatch(/it answers ns1\.registrar-parking\.net, ns2\.registrar-parking\.net/);
});

test("exactly the zone's servers (any case, trailing dots): delegated", async () => {
  dns.ns.set('app.example.org', ['NS-2.awsdns-02.com.', 'ns-1.awsdns-01.org']);
  expect(await checkDelegation('app.example.org', ZONE)).toMatchObject({ delegated: true, answered: ZONE });
});

test('a mix of the zone and a stranger is not delegated', async () => {
  dns.ns.set('mixed.example.com', ['ns-1.awsdns-01.org', 'ns.elsewhere.net']);
  expect((await checkDelegation('mixed.example.com', ZONE)).delegated).toBe(false);
});

test('no zone servers to compare with: no NS answer counts as a delegation', async () => {
  dns.ns.set('mine.example.com', ['ns-9.awsdns-09.net']);
  expect((await checkDelegation('mine.example.com', [])).delegated).toBe(false);
  expect((await checkDelegation('nothing.example.com', [])).delegated).toBe(false);
});

test('a resolver that does not answer is "no answer", within seconds', async () => {
  const started = Date.now();
  expect(await publicNameServers('dev.example.com', '127.0.0.1:9')).toEqual([]);
  expect(Date.now() - started).toBeLessThan(15_000);
}, 20_000);
