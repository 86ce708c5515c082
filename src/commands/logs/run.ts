/**
 * `provision logs --app A [--extra S | --data NAME] [--since 1h] [--filter TEXT] [--follow]`:
 * log events newest last, one line each with time and task (or, `--json`, one object per line).
 * `--follow` keeps printing new events until Ctrl-C (exit 130).
 */
import { AppLoadBalancer } from '../../../templates/contracts';
import { CONTAINER_NAME } from '../../../templates/service/service';
import { MAIN_LOG_STREAM_PREFIX } from '../../../templates/ecsService';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { pollSeconds as pollSecondsOf } from '../../cli/options';
import { c, output } from '../../cli/output';
import { appStacks, serviceStack } from '../../ops/locate';
import type { LogEvent, LogSource } from '../../ops/logs';
import { contractOutput, dataStack, deployedStack, LOGGING_KINDS, resourcesOfType } from '../../ops/targets';
import { openContext, type RunContext } from '../../run/context';

export interface LogsFlags {
  params?: string;
  app?: string;
  extra?: string;
  data?: string;
  since?: string;
  filter?: string;
  follow?: boolean;
  limit?: string;
  /** Seconds between polls when Live Tail is not available. */
  pollInterval?: string;
}

function checkFlags(flags: LogsFlags): { limit: number; pollSeconds: number } {
  if (flags.extra !== undefined && flags.data !== undefined)
    throw CliError.usage('--extra and --data pick different logs: give one of them');
  const limit = Number(flags.limit ?? '1000');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw CliError.usage(`--limit ${flags.limit}: give a whole number from 1 to 10000`);
  const pollSeconds = pollSecondsOf(flags.pollInterval) ?? 2;
  if (flags.filter !== undefined && !flags.filter.trim()) throw CliError.usage('--filter needs some text to look for');
  return { limit, pollSeconds };
}

export async function runLogs(flags: LogsFlags, global: GlobalOptions): Promise<void> {
  const { limit, pollSeconds } = checkFlags(flags);
  const { parseSince } = await import('../../ops/logs');
  const startTime = parseSince(flags.since ?? '1h');
  const ctx = await openContext(flags.params, global);
  try {
    const sources = await logSources(ctx, flags);
    const { readAll } = await import('../../ops/logs');
    const filter = flags.filter ? { filter: flags.filter } : {};
    const events = await readAll(ctx.clients.logs, sources, { startTime, limit, ...filter });
    const print = printer(global, sources.length > 1);
    for (const e of events) print(e);
    if (!flags.follow) {
      if (!events.length && !global.json)
        process.stderr.write(
          c().dim(`no events since ${new Date(startTime).toISOString()} in ${sources.map(describe).join(', ')}\n`),
        );
      return;
    }
    await follow(
      ctx,
      sources,
      { startTime: events.at(-1)?.timestamp ?? startTime, seen: events.map((e) => e.id), pollSeconds, ...filter },
      print,
    );
  } finally {
    ctx.clients.destroy();
  }
}

function describe(s: LogSource): string {
  return s.streamPrefix ? `${s.group} (streams ${s.streamPrefix}*)` : s.group;
}

/** Follows until Ctrl-C, which ends the command with exit code 130. */
async function follow(
  ctx: RunContext,
  sources: LogSource[],
  opts: { startTime: number; seen: string[]; pollSeconds: number; filter?: string },
  print: (e: LogEvent) => void,
): Promise<void> {
  const { followEvents, logGroupArn } = await import('../../ops/logs');
  const hint = `deploy the app first: provision deploy --params ${ctx.file}`;
  const withArns = await Promise.all(
    sources.map(async (s) => ({ ...s, arn: await logGroupArn(ctx.clients.logs, s.group, hint) })),
  );
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.on('SIGINT', onSigint);
  if (!ctx.global.json) process.stderr.write(c().dim('following new events (Ctrl-C to stop)\n'));
  try {
    await followEvents(
      ctx.clients.logs,
      withArns,
      {
        ...opts,
        signal: abort.signal,
        liveTail: !ctx.clients.endpointUrl,
        onFallback: (reason) => {
          if (ctx.global.verbose) process.stderr.write(c().dim(`${reason}; polling every ${opts.pollSeconds} s\n`));
        },
      },
      print,
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (abort.signal.aborted) throw new CliError('stopped following the logs', ExitCode.Interrupted);
}

/** Where the events are: the app's log group (narrowed to one service), or a data store's groups. */
async function logSources(ctx: RunContext, flags: LogsFlags): Promise<LogSource[]> {
  const stacks = appStacks(ctx.all, flags.app, ctx.file);
  const cfn = ctx.clients.cloudFormation;
  if (flags.data !== undefined) {
    const planned = dataStack(ctx.all, stacks.app, flags.data, ctx.file);
    if (!LOGGING_KINDS.includes(planned.stage as never)) {
      throw CliError.usage(
        `data store ${flags.data} is ${planned.title}, which writes no logs to CloudWatch Logs`,
        `logs come from ${LOGGING_KINDS.join(', ')} data stores`,
      );
    }
    await deployedStack(cfn, planned, `data store ${flags.data}`, ctx.file);
    const groups = await resourcesOfType(cfn, planned.name, 'AWS::Logs::LogGroup');
    if (!groups.length)
      throw new CliError(
        `stack ${planned.name} has no log groups`,
        ExitCode.Refused,
        `deploy the current templates (provision deploy --params ${ctx.file}) and run again`,
      );
    return groups.map((group) => ({ group }));
  }
  const service = serviceStack(stacks, flags.extra, ctx.file);
  if (!stacks.loadBalancer)
    throw CliError.usage(`app ${stacks.app} has no load balancer stage, which makes its log group`);
  const lb = await deployedStack(cfn, stacks.loadBalancer, `app ${stacks.app}'s load balancer`, ctx.file);
  const prefix = service.stage === 'extra' ? service.parameters.Suffix! : MAIN_LOG_STREAM_PREFIX;
  return [
    { group: contractOutput(lb, AppLoadBalancer.LogGroupName, ctx.file), streamPrefix: `${prefix}/${CONTAINER_NAME}/` },
  ];
}

/** One line per event for people (time, task, message) or one JSON object per line. */
function printer(global: GlobalOptions, showGroup: boolean): (e: LogEvent) => void {
  if (global.json) {
    return (e) =>
      process.stdout.write(
        `${JSON.stringify({ time: new Date(e.timestamp).toISOString(), timestamp: e.timestamp, group: e.group, stream: e.stream, ...(e.task ? { task: e.task } : {}), message: e.message })}\n`,
      );
  }
  return (e) => {
    const where = e.task ? `task ${e.task.slice(0, 8)}` : e.stream;
    const group = showGroup ? `${e.group.split('/').pop()} ` : '';
    output.line(`${c().dim(new Date(e.timestamp).toISOString())} ${c().cyan(group + where)}  ${e.message}`);
  };
}
