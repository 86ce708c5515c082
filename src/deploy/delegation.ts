/**
 * Delegation of the environment's domain, checked before its certificate (17) is created.
 *
 * ACM issues a DNS-validated certificate only once its validation records resolve on the public
 * internet, that is once the domain's NS records (at the registrar, or in the parent zone) name the
 * hosted zone's name servers (16). A certificate stack created before that waits for hours, then
 * fails. So the deployer asks DNS first: the domain's NS answer must be exactly the zone's name
 * servers. Until it is, the certificate stack (and what needs it) is not started, and the run ends
 * with the name servers and the delegation step (Opta's `delegated: false` / `true` two-step,
 * without the second edit: the same command completes once DNS answers).
 *
 * The resolver is the system's, or `CFN_STAGES_DNS_SERVER` (`host` or `host:port`, comma-separated
 * for several): the tests answer on 127.0.0.1 themselves.
 */
import { promises as dns } from 'node:dns';
import { EngineError } from './errors';

/** The setting that points the delegation check at other DNS servers (`host[:port]`, comma-separated). */
export const DNS_SERVER_ENV = 'CFN_STAGES_DNS_SERVER';

/** What DNS says about a domain's delegation, against the zone's own name servers. */
export interface Delegation {
  domain: string;
  /** The hosted zone's name servers (what the NS records must name); empty when unknown. */
  zoneNameServers: string[];
  /** The domain's NS records as the resolver answers them (empty: no answer). */
  answered: string[];
  delegated: boolean;
}

const norm = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The domain's NS records as the configured resolver answers them; no answer or an error: none. */
export async function publicNameServers(domain: string, servers = process.env[DNS_SERVER_ENV]): Promise<string[]> {
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  if (servers) resolver.setServers(servers.split(',').map((s) => s.trim()));
  try {
    return (await resolver.resolveNs(domain)).map(norm).sort();
  } catch {
    // ENODATA, ENOTFOUND, SERVFAIL, a timeout: the domain does not point at any name server yet.
    return [];
  }
}

/**
 * Compares DNS's answer with the zone's name servers (a zone the environment creates: its stack's
 * output; an existing zone: Route 53's delegation set, see ./hosted-zone.ts). Every server DNS
 * names must be one of the zone's; an answer naming another zone's servers (an old zone of the
 * same domain, another DNS provider) is not a delegation to this one.
 */
export async function checkDelegation(domain: string, zoneNameServers: string[]): Promise<Delegation> {
  const answered = await publicNameServers(domain);
  const expected = new Set(zoneNameServers.map(norm));
  const delegated = answered.length > 0 && expected.size > 0 && answered.every((ns) => expected.has(ns));
  return { domain, zoneNameServers: [...expected].sort(), answered, delegated };
}

/** The parent a subdomain's NS record goes in: `dev.example.com` -> `example.com`. */
function parentOf(domain: string): string {
  return domain.split('.').slice(1).join('.');
}

/** The exact step that delegates the domain to the zone, as lines for a person. */
export function delegationSteps(d: Delegation): string[] {
  const servers = d.zoneNameServers.length ? d.zoneNameServers : ['(the name servers of the hosted zone)'];
  const now = d.answered.length ? `it answers ${d.answered.join(', ')}` : 'DNS has no NS records for it yet';
  const lines = [
    `${d.domain} is not delegated to its hosted zone (${now}). Its NS records must be exactly:`,
    ...servers.map((ns) => `    ${ns}`),
    `  - if you registered ${d.domain} itself: at your registrar, set its name servers to the list above`,
  ];
  if (d.domain.split('.').length > 2)
    lines.push(
      `  - if ${d.domain} is a subdomain of a zone you host (e.g. ${parentOf(d.domain)} in Route 53): add to ${parentOf(d.domain)} an NS record named ${d.domain} with these values (TTL 300)`,
    );
  lines.push('then run the same command again: it checks DNS and creates the certificate (no edit needed).');
  return lines;
}

/**
 * The domain is not delegated and the run has nothing else to do before it is: refused before any
 * change (exit 2), with the step.
 */
export class DelegationPendingError extends EngineError {
  constructor(
    readonly delegation: Delegation,
    stackName: string,
  ) {
    super('DelegationPending', delegationSteps(delegation).join('\n'), 'nothing was changed', { stackName });
  }
}
