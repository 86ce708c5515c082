/**
 * `provision tunnel --app A --data NAME [--local-port N] [--show]`: a local port forwarded to the
 * app's database or cache through a jump box of 12.env-jumpboxes, with SSM Session Manager's
 * `AWS-StartPortForwardingSessionToRemoteHost` document (nothing listens for SSH anywhere). Prints
 * the connection string with the user name and where the password is; the password itself only
 * with `--show`. The tunnel stays open until Ctrl-C.
 */
import * as net from 'node:net';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import type { PlannedStack } from '../../../stages/plan';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { appStacks } from '../../ops/locate';
import { pluginInvocation, pluginVersion, requirePlugin, runPlugin, takesSessionFromEnv } from '../../ops/session';
import {
  contractOutput,
  dataStack,
  deployedStack,
  REACHABLE,
  resourcesOfType,
  type Reachable,
} from '../../ops/targets';
import { openContext, type RunContext } from '../../run/context';
import { dnsSuffix } from '../../aws/partition';

/** The SSM document that forwards a local port to a host the target instance can reach. */
export const PORT_FORWARD_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

export interface TunnelFlags {
  params?: string;
  app?: string;
  data?: string;
  localPort?: string;
  show?: boolean;
}

/** What the tunnel connects, printed before it opens. */
interface Plan {
  instance: string;
  host: string;
  port: number;
  localPort: number;
  reach: Reachable;
  secretArn: string;
  database?: string;
}

export async function runTunnel(flags: TunnelFlags, global: GlobalOptions): Promise<void> {
  const localPort = flags.localPort === undefined ? undefined : Number(flags.localPort);
  if (localPort !== undefined && !(Number.isInteger(localPort) && localPort >= 1 && localPort <= 65535))
    throw CliError.usage(`--local-port ${flags.localPort}: give a port from 1 to 65535`);
  const ctx = await openContext(flags.params, global);
  try {
    const stacks = appStacks(ctx.all, flags.app, ctx.file);
    const data = dataStack(ctx.all, stacks.app, flags.data, ctx.file);
    const reach = REACHABLE[data.stage as keyof typeof REACHABLE];
    if (!reach)
      throw CliError.usage(
        `data store ${flags.data} is ${data.title}: tunnels go to databases and caches`,
        `pick one of: ${Object.keys(REACHABLE).join(', ')}`,
      );
    const jumpboxes = ctx.all.find((s) => s.stage === 'jumpboxes');
    if (!jumpboxes) {
      throw CliError.usage(
        `the environment has no jump boxes, and a tunnel goes through one`,
        `add \`jumpboxes: {}\` to ${ctx.file} (12.env-jumpboxes: a small instance reached only through SSM), run provision deploy --params ${ctx.file}, then this again`,
      );
    }
    const plugin = requirePlugin('provision tunnel');
    const plan = await planTunnel(ctx, data, jumpboxes, reach, localPort);
    await assertPortFree(plan.localPort);
    await printPlan(ctx, plan, flags);
    await openTunnel(ctx, plan, plugin);
  } finally {
    ctx.clients.destroy();
  }
}

async function planTunnel(
  ctx: RunContext,
  data: PlannedStack,
  jumpboxes: PlannedStack,
  reach: Reachable,
  localPort: number | undefined,
): Promise<Plan> {
  const cfn = ctx.clients.cloudFormation;
  const store = await deployedStack(cfn, data, `data store ${data.parameters.DataName}`, ctx.file);
  await deployedStack(cfn, jumpboxes, 'the jump boxes', ctx.file);
  const instance = await runningJumpBox(ctx, jumpboxes.name);
  const port = Number(contractOutput(store, reach.port, ctx.file));
  return {
    instance,
    host: contractOutput(store, reach.endpoint, ctx.file),
    port,
    localPort: localPort ?? port,
    reach,
    secretArn: contractOutput(store, reach.secret, ctx.file),
    ...(data.parameters.DatabaseName ? { database: data.parameters.DatabaseName } : {}),
  };
}

/** A running instance of the jump-box stack (its own resources, so no id is typed by hand). */
async function runningJumpBox(ctx: RunContext, stackName: string): Promise<string> {
  const ids = await resourcesOfType(ctx.clients.cloudFormation, stackName, 'AWS::EC2::Instance');
  if (!ids.length)
    throw new CliError(
      `stack ${stackName} has no instances`,
      ExitCode.Refused,
      `deploy it again: provision deploy --params ${ctx.file} --only ${stackName}`,
    );
  const out = await ctx.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const running = (out.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => i.State?.Name === 'running')
    .map((i) => i.InstanceId!);
  const first = ids.find((id) => running.includes(id));
  if (!first)
    throw new CliError(
      `no jump box of ${stackName} is running (${ids.join(', ')})`,
      ExitCode.Refused,
      `start one: aws ec2 start-instances --instance-ids ${ids[0]}`,
    );
  return first;
}

/** Fails early, with the fix, when something already listens on the local port. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () =>
      reject(CliError.usage(`local port ${port} is in use`, 'pick another with --local-port N')),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function printPlan(ctx: RunContext, p: Plan, flags: TunnelFlags): Promise<void> {
  const user = p.reach.user;
  const password = flags.show ? await readPassword(ctx, p) : undefined;
  const read = `aws secretsmanager get-secret-value --secret-id ${p.secretArn} --query SecretString --output text`;
  const show = `provision tunnel --params ${ctx.file} --app ${flags.app} --data ${flags.data} --show`;
  if (ctx.global.json) {
    output.json({
      localPort: p.localPort,
      remoteHost: p.host,
      remotePort: p.port,
      jumpBox: p.instance,
      url: p.reach.url(p.localPort, user, p.database),
      ...(user ? { user } : {}),
      secretArn: p.secretArn,
      secretKey: p.reach.secretKey,
      ...(password !== undefined ? { [p.reach.secretKey]: password } : {}),
    });
    return;
  }
  output.line(`${c().bold(`localhost:${p.localPort}`)} → ${p.host}:${p.port} through jump box ${p.instance}`);
  output.line(`  connect:  ${p.reach.url(p.localPort, user, p.database)}`);
  output.line(`  client:   ${p.reach.client(p.localPort, user, p.database)}`);
  if (user) output.line(`  user:     ${user}`);
  if (password !== undefined) output.line(`  ${p.reach.secretKey}: ${password}`);
  else
    output.line(
      `  ${p.reach.secretKey === 'password' ? 'password' : 'AUTH token'}: in Secrets Manager, ${p.secretArn} (key ${p.reach.secretKey})\n            ${read}\n            or: ${show}`,
    );
  output.line(c().dim('  the tunnel stays open until Ctrl-C'));
}

/** The password (or AUTH token) from the store's secret: only for --show, never logged. */
async function readPassword(ctx: RunContext, p: Plan): Promise<string> {
  const out = await ctx.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: p.secretArn }));
  try {
    const value = (JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>)[p.reach.secretKey];
    if (typeof value === 'string') return value;
  } catch {
    // reported below, without the value
  }
  throw new CliError(`the secret ${p.secretArn} has no "${p.reach.secretKey}" key`, ExitCode.Refused);
}

async function openTunnel(ctx: RunContext, p: Plan, plugin: string): Promise<void> {
  const request = {
    Target: p.instance,
    DocumentName: PORT_FORWARD_DOCUMENT,
    Parameters: { host: [p.host], portNumber: [String(p.port)], localPortNumber: [String(p.localPort)] },
  };
  const session = await ctx.clients.ssm.send(new StartSessionCommand(request));
  const region = await ctx.clients.region();
  const profile = ctx.global.profile ?? ctx.params.profile;
  const inv = pluginInvocation({
    session: { SessionId: session.SessionId, TokenValue: session.TokenValue, StreamUrl: session.StreamUrl },
    region,
    ...(profile ? { profile } : {}),
    request,
    endpoint: ctx.clients.endpointUrl ?? `https://ssm.${region}.${dnsSuffix(region)}`,
    viaEnv: takesSessionFromEnv(pluginVersion(plugin)),
  });
  let code: number;
  try {
    code = await runPlugin(plugin, inv, 'provision tunnel');
  } catch (err) {
    // The session is open on the jump box: end it rather than leave it until it times out.
    await ctx.clients.ssm.send(new TerminateSessionCommand({ SessionId: session.SessionId })).catch(() => undefined);
    throw err;
  }
  if (code !== 0) process.exitCode = code;
}
