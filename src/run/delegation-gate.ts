/**
 * The delegation check of `deploy` (see src/deploy/delegation.ts for why): the environment's
 * certificate stack (17) is created only once its domain is delegated to the hosted zone (16).
 * - The zone exists already (its stack is deployed, or the params file names it with
 *   existingHostedZoneId) and the domain is not delegated: the run is refused up front (exit 2,
 *   nothing changed), with the name servers and the delegation step.
 * - The zone is created by this very run: the other stacks deploy, and at its turn the certificate
 *   stack is checked; not delegated yet, it is reported `not-run` (its dependents with it: the load
 *   balancers of apps with a publicUri, their services), then the step is shown (exit 1).
 * A certificate stack that exists already is never checked again: it was issued.
 */
import type { DeployResult } from '../deploy/types';
import { NAME_SERVERS_OUTPUT } from '../../templates/dnsZone';
import { c, output } from '../cli/output';
import { checkDelegation, delegationSteps, DelegationPendingError, type Delegation } from '../deploy/delegation';
import type { RunContext } from './context';

/** The certificate stack held until its domain is delegated, and what DNS said at its turn. */
export interface DelegationHold {
  stackName: string;
  zoneStackName: string;
  domain: string;
  /** The zone the params file names (`existingHostedZoneId`); its name servers come from Route 53. */
  existingZoneId?: string;
  last?: Delegation;
}

async function zoneDelegation(ctx: RunContext, hold: Omit<DelegationHold, 'last'>): Promise<Delegation> {
  if (hold.existingZoneId) {
    const { hostedZoneNameServers } = await import('../deploy/hosted-zone');
    return checkDelegation(hold.domain, await hostedZoneNameServers(ctx.clients, hold.existingZoneId, hold.domain));
  }
  const { describeStack, outputsOf } = await import('../deploy/cloudformation');
  const zone = outputsOf(await describeStack(ctx.clients.cloudFormation, hold.zoneStackName));
  const servers = (zone[NAME_SERVERS_OUTPUT] ?? '').split(',').filter(Boolean);
  return checkDelegation(hold.domain, servers);
}

/**
 * Before any change: undefined when no certificate is to be created, or its domain is delegated;
 * the hold when the zone comes with this run; throws (exit 2) when the zone exists undelegated.
 */
export async function checkDelegationGate(ctx: RunContext): Promise<DelegationHold | undefined> {
  const cert = ctx.stacks.find((s) => s.stage === 'certificate');
  const zone = ctx.all.find((s) => s.stage === 'domain');
  if (!cert || !zone) return undefined;
  const [{ describeStack }, { StackStatus }] = await Promise.all([
    import('../deploy/cloudformation'),
    import('../deploy/stack-status'),
  ]);
  const stable = async (name: string): Promise<boolean> => {
    const st = await describeStack(ctx.clients.cloudFormation, name);
    return Boolean(st && new StackStatus(st.StackStatus ?? '').isStable);
  };
  if (await stable(cert.name)) return undefined;
  const hold = {
    stackName: cert.name,
    zoneStackName: zone.name,
    domain: zone.parameters.DomainName ?? '',
    existingZoneId: zone.parameters.ExistingHostedZoneId || undefined,
  };
  if (!hold.existingZoneId && !(await stable(zone.name))) return hold;
  const d = await zoneDelegation(ctx, hold);
  if (!d.delegated) throw new DelegationPendingError(d, cert.name);
  return undefined;
}

/** At the certificate stack's turn: undefined to deploy it, else the `not-run` result that holds it. */
export async function delegationHeld(
  ctx: RunContext,
  hold: DelegationHold | undefined,
  stackName: string,
): Promise<DeployResult | undefined> {
  if (!hold || hold.stackName !== stackName) return undefined;
  hold.last = await zoneDelegation(ctx, hold);
  if (hold.last.delegated) return undefined;
  return { kind: 'not-run', stackName, because: `${hold.domain} is not delegated to its hosted zone yet (see below)` };
}

/** The delegation step after a run that held the certificate (nothing when it went ahead). */
export function printDelegation(ctx: RunContext, hold: DelegationHold | undefined): void {
  if (!hold?.last || hold.last.delegated || ctx.global.json) return;
  output.line();
  output.line(c().yellow('Not deployed yet: the certificate waits for the domain to be delegated.'));
  for (const line of delegationSteps(hold.last)) output.line(line);
}
