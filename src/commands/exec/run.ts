/**
 * `provision exec --app A [--extra S] [--task ID] [-- COMMAND...]`: a shell (default `/bin/sh`)
 * or one command in a running container of the service, through ECS Exec and AWS's Session
 * Manager plugin (run exactly as `aws ecs execute-command` runs it).
 *
 * ECS Exec must be on for the service (`enableExecuteCommand: true`, which needs
 * `readonlyRootFilesystem: false`); tasks started before it was switched on cannot be entered and
 * are told apart from those that can.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ExecuteCommandCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CONTAINER_NAME } from '../../../templates/service/service';
import { dnsSuffix } from '../../aws/partition';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c } from '../../cli/output';
import { appStacks, serviceStack } from '../../ops/locate';
import { pluginInvocation, requirePlugin, runPlugin } from '../../ops/session';
import { deployedStack } from '../../ops/targets';
import { openContext, type RunContext } from '../../run/context';
import { serviceRef } from '../../run/service';

export interface ExecFlags {
  params?: string;
  app?: string;
  extra?: string;
  task?: string;
}

/** The command ECS Exec runs when none is given. */
export const DEFAULT_SHELL = '/bin/sh';
/** What ECS names the agent that carries exec sessions inside a task. */
const EXEC_AGENT = 'ExecuteCommandAgent';

export async function runExec(command: string[], flags: ExecFlags, global: GlobalOptions): Promise<void> {
  if (flags.task !== undefined && !/^[A-Za-z0-9:/_-]{1,200}$/.test(flags.task))
    throw CliError.usage(`--task ${flags.task}: give a task id or ARN (see the task column of provision logs)`);
  const ctx = await openContext(flags.params, global);
  try {
    const planned = serviceStack(appStacks(ctx.all, flags.app, ctx.file), flags.extra, ctx.file);
    const plugin = requirePlugin('provision exec');
    await deployedStack(ctx.clients.cloudFormation, planned, `service ${planned.name}`, ctx.file);
    const { cluster, service } = await serviceRef(ctx, planned.name);
    await assertExecEnabled(ctx, cluster, service, planned.name, flags);
    const task = await pickTask(ctx, cluster, service, flags.task);
    const container = task.containers?.find((x) => x.name === CONTAINER_NAME);
    const taskId = (task.taskArn ?? '').split('/').pop()!;
    const out = await ctx.clients.ecs.send(
      new ExecuteCommandCommand({
        cluster,
        task: task.taskArn,
        container: CONTAINER_NAME,
        interactive: true,
        command: command.length ? command.join(' ') : DEFAULT_SHELL,
      }),
    );
    const region = await ctx.clients.region();
    const clusterName = (out.clusterArn ?? cluster).split('/').pop()!;
    const inv = pluginInvocation({
      session: { ...out.session },
      region,
      ...((ctx.global.profile ?? ctx.params.profile) ? { profile: (ctx.global.profile ?? ctx.params.profile)! } : {}),
      request: { Target: `ecs:${clusterName}_${taskId}_${container?.runtimeId ?? ''}` },
      endpoint: ctx.clients.endpointUrl ?? `https://ecs.${region}.${dnsSuffix(region)}`,
      viaEnv: false,
    });
    process.stderr.write(
      c().dim(
        `task ${taskId} of ${planned.name}, container ${CONTAINER_NAME}: ${command.length ? command.join(' ') : DEFAULT_SHELL} (session ${out.session?.sessionId})\n`,
      ),
    );
    const code = await runPlugin(plugin, inv, 'provision exec');
    if (code !== 0) process.exitCode = code;
  } finally {
    ctx.clients.destroy();
  }
}

async function assertExecEnabled(
  ctx: RunContext,
  cluster: string,
  service: string,
  stackName: string,
  flags: ExecFlags,
): Promise<void> {
  const out = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  if (out.services?.[0]?.enableExecuteCommand) return;
  const where = flags.extra ? `the extra service "${flags.extra}" of app ${flags.app}` : `apps: ${flags.app}: service:`;
  throw new CliError(
    `ECS Exec is off for ${stackName}`,
    ExitCode.Refused,
    `set enableExecuteCommand: true and readonlyRootFilesystem: false under ${where} in ${ctx.file}, then run provision deploy --params ${ctx.file} (its tasks are replaced with exec on)`,
  );
}

/** A running task of the service that can be entered (the one asked for, or the first). */
async function pickTask(ctx: RunContext, cluster: string, service: string, wanted: string | undefined): Promise<Task> {
  const serviceName = service.split('/').pop()!;
  const arns = wanted
    ? [wanted]
    : ((await ctx.clients.ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING' })))
        .taskArns ?? []);
  if (!arns.length)
    throw new CliError(
      `service ${serviceName} has no running task`,
      ExitCode.Refused,
      `see why with provision status --params ${ctx.file}`,
    );
  const tasks = (await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
  const own = tasks.filter((t) => t.group === `service:${serviceName}`);
  if (wanted && !own.length)
    throw CliError.usage(
      `task ${wanted} is not a task of service ${serviceName}`,
      'leave out --task to enter the first running task',
    );
  const running = own.filter((t) => t.lastStatus === 'RUNNING');
  const ready = running.filter(
    (t) =>
      t.enableExecuteCommand &&
      t.containers?.some(
        (x) =>
          x.name === CONTAINER_NAME &&
          x.managedAgents?.some((a) => a.name === EXEC_AGENT && a.lastStatus === 'RUNNING'),
      ),
  );
  if (ready.length) return ready[0]!;
  if (running.length) {
    throw new CliError(
      `no running task of ${serviceName} accepts ECS Exec (${running.length} running, started before exec was on, or its agent is not running yet)`,
      ExitCode.Refused,
      `start new tasks: aws ecs update-service --cluster ${cluster.split('/').pop()} --service ${serviceName} --force-new-deployment, then run this again`,
    );
  }
  if (wanted)
    throw new CliError(
      `task ${wanted} of ${serviceName} is ${own[0]?.lastStatus ?? 'not running'}`,
      ExitCode.Refused,
      'leave out --task to enter the first running task',
    );
  throw new CliError(
    `no task of ${serviceName} is running yet (${own.map((t) => t.lastStatus).join(', ')})`,
    ExitCode.Refused,
    `wait for them to start (provision status --params ${ctx.file}), then run this again`,
  );
}
