/**
 * `provision logs`: an app's log events from CloudWatch Logs. Reading is FilterLogEvents (paged,
 * newest last); following is CloudWatch Logs Live Tail where the endpoint offers it, polling
 * FilterLogEvents otherwise. Pure of the CLI: events go to a callback, errors are typed.
 *
 * Where the events are: every service of an app logs to the app's log group (made by 31, exported
 * as LogGroupName) through the awslogs driver, whose streams are `<prefix>/<container>/<task id>`;
 * the main service's prefix is {@link MAIN_LOG_STREAM_PREFIX}, an extra service's is its suffix.
 * A data store's logs are the log groups its own stack made (RDS and DocumentDB export into them,
 * Redis delivers its slow log).
 */
import {
  DescribeLogGroupsCommand,
  paginateFilterLogEvents,
  StartLiveTailCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  type LiveTailSessionLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { OpsError } from './errors';

/** Where to read: one log group, optionally narrowed to the streams of one service. */
export interface LogSource {
  group: string;
  /** `app/` for the main service: the stream-name prefix awslogs gives its tasks. */
  streamPrefix?: string;
}

/** One log event as printed. */
export interface LogEvent {
  id: string;
  /** The log group (data stores may have several). */
  group: string;
  timestamp: number;
  stream: string;
  /** The ECS task id, when the stream is an awslogs task stream. */
  task?: string;
  message: string;
}

export interface ReadOptions {
  /** Epoch milliseconds. */
  startTime: number;
  /** Plain text the message must contain (a quoted CloudWatch filter pattern). */
  filter?: string;
  /** Keep only the newest this many. */
  limit?: number;
}

/** `--since 90s|15m|2h|3d` or an ISO date, as epoch milliseconds before `now`. */
export function parseSince(text: string, now = Date.now()): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (m)
    return now - Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const date = Date.parse(text);
  if (!Number.isNaN(date) && /^\d{4}-\d{2}-\d{2}/.test(text)) return date;
  throw new OpsError(
    'UnknownTarget',
    `--since ${text}: give a duration such as 30s, 15m, 2h or 3d, or a date such as 2026-11-29T10:00:00Z`,
  );
}

/**
 * The CloudWatch filter pattern that matches messages containing `text` as is: a quoted term
 * (an unquoted one would be read as several words, or as JSON/space-delimited syntax).
 */
export function textPattern(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The task id of an awslogs stream `<prefix>/<container>/<task id>`; undefined for other streams. */
export function taskOfStream(stream: string): string | undefined {
  const parts = stream.split('/');
  return parts.length === 3 && /^[0-9a-f]{32}$/.test(parts[2]!) ? parts[2] : undefined;
}

function toEvent(
  group: string,
  e: { eventId?: string; timestamp?: number; logStreamName?: string; message?: string },
): LogEvent {
  const stream = e.logStreamName ?? '';
  const task = taskOfStream(stream);
  return {
    id: e.eventId ?? `${stream}@${e.timestamp}`,
    group,
    timestamp: e.timestamp ?? 0,
    stream,
    ...(task ? { task } : {}),
    message: (e.message ?? '').replace(/\n$/, ''),
  };
}

/** Every event of the sources from `startTime` on, oldest first (newest last), at most `limit` (the newest). */
export async function readAll(
  logs: CloudWatchLogsClient,
  sources: LogSource[],
  opts: ReadOptions,
  signal?: AbortSignal,
): Promise<LogEvent[]> {
  const all = (await Promise.all(sources.map((s) => readEvents(logs, s, opts, signal)))).flat();
  all.sort((a, b) => a.timestamp - b.timestamp);
  return opts.limit ? all.slice(-opts.limit) : all;
}

/** Every event of one source from `startTime` on, oldest first, at most `limit` (the newest). */
export async function readEvents(
  logs: CloudWatchLogsClient,
  source: LogSource,
  opts: ReadOptions,
  signal?: AbortSignal,
): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  const input = {
    logGroupName: source.group,
    ...(source.streamPrefix ? { logStreamNamePrefix: source.streamPrefix } : {}),
    startTime: opts.startTime,
    ...(opts.filter ? { filterPattern: textPattern(opts.filter) } : {}),
  };
  // The options after the input go to every page's send: an interrupt abandons the page in flight.
  for await (const page of paginateFilterLogEvents({ client: logs }, input, { abortSignal: signal })) {
    events.push(...(page.events ?? []).map((e: FilteredLogEvent) => toEvent(source.group, e)));
    if (opts.limit && events.length > opts.limit * 2) {
      events.sort((a, b) => a.timestamp - b.timestamp);
      events.splice(0, events.length - opts.limit);
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return opts.limit ? events.slice(-opts.limit) : events;
}

/** The log group's ARN (Live Tail takes ARNs); a clear error when the group does not exist. */
export async function logGroupArn(logs: CloudWatchLogsClient, group: string, hint: string): Promise<string> {
  const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
  const found = (out.logGroups ?? []).find((g) => g.logGroupName === group);
  if (!found) throw new OpsError('NotDeployed', `log group ${group} does not exist`, hint);
  return found.logGroupArn ?? (found.arn ?? '').replace(/:\*$/, '');
}

export interface FollowOptions {
  filter?: string;
  /** Events at or after this time are new (the read before following ends here). */
  startTime: number;
  /** Ids already printed (at the boundary). */
  seen?: Iterable<string>;
  signal: AbortSignal;
  /** Seconds between polls when Live Tail is not available. @default 2 */
  pollSeconds?: number;
  /** Said once when Live Tail cannot be used and polling takes over. */
  onFallback?: (reason: string) => void;
  /**
   * Try Live Tail first. The SDK sends it to a `stream-` host prefix of the logs endpoint, which
   * an endpoint override (a local emulator, a VPC endpoint, a proxy) does not serve: callers
   * with an override poll instead. @default true
   */
  liveTail?: boolean;
}

/**
 * Streams new events to `emit` until `signal` aborts. Tries Live Tail first (pushed within about
 * a second, billed per session minute by AWS); if the session cannot be started, polls instead.
 */
export async function followEvents(
  logs: CloudWatchLogsClient,
  sources: (LogSource & { arn: string })[],
  opts: FollowOptions,
  emit: (e: LogEvent) => void,
): Promise<void> {
  const live: LiveOutcome =
    opts.liveTail === false
      ? { kind: 'unavailable', reason: 'Live Tail is not used with an endpoint override' }
      : await liveTail(logs, sources, opts, emit);
  if (live.kind === 'aborted') return;
  opts.onFallback?.(live.reason);
  // After a Live Tail session that printed events, polling goes on from the last of them (whose
  // FilterLogEvents ids are not known, so events up to that time count as printed).
  await pollEvents(
    logs,
    sources,
    {
      ...opts,
      startTime: Math.max(opts.startTime, live.lastTimestamp ?? 0),
      ...(live.lastTimestamp ? { printedUntil: live.lastTimestamp } : {}),
    },
    emit,
  );
}

type LiveOutcome = { kind: 'aborted' } | { kind: 'unavailable'; reason: string; lastTimestamp?: number };

/**
 * A Live Tail session. When it cannot start (no `logs:StartLiveTail` permission, a region or
 * partition without it) or ends (AWS ends a session after three hours: SessionTimeoutException),
 * polling takes over where it stopped. A missing log group is an error either way.
 */
async function liveTail(
  logs: CloudWatchLogsClient,
  sources: (LogSource & { arn: string })[],
  opts: FollowOptions,
  emit: (e: LogEvent) => void,
): Promise<LiveOutcome> {
  let last: number | undefined;
  const byArn = new Map(sources.map((s) => [s.arn, s.group]));
  // Stream prefixes are allowed only with a single log group (StartLiveTail's rule).
  const prefix = sources.length === 1 ? sources[0]!.streamPrefix : undefined;
  try {
    const out = await logs.send(
      new StartLiveTailCommand({
        logGroupIdentifiers: sources.map((s) => s.arn),
        ...(prefix ? { logStreamNamePrefixes: [prefix] } : {}),
        ...(opts.filter ? { logEventFilterPattern: textPattern(opts.filter) } : {}),
      }),
      { abortSignal: opts.signal },
    );
    for await (const update of out.responseStream ?? []) {
      for (const r of update.sessionUpdate?.sessionResults ?? []) {
        const e = toEvent(byArn.get(r.logGroupIdentifier ?? '') ?? r.logGroupIdentifier ?? '', liveEvent(r));
        last = e.timestamp;
        emit(e);
      }
    }
    return opts.signal.aborted
      ? { kind: 'aborted' }
      : { kind: 'unavailable', reason: 'the Live Tail session ended', ...(last ? { lastTimestamp: last } : {}) };
  } catch (err) {
    if (opts.signal.aborted) return { kind: 'aborted' };
    if ((err as { name?: string }).name === 'ResourceNotFoundException') throw err;
    const why = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
    return {
      kind: 'unavailable',
      reason: `Live Tail is not available here (${why})`,
      ...(last ? { lastTimestamp: last } : {}),
    };
  }
}

function liveEvent(r: LiveTailSessionLogEvent): {
  eventId: string;
  timestamp?: number;
  logStreamName?: string;
  message?: string;
} {
  return {
    eventId: `${r.logStreamName}@${r.timestamp}@${r.ingestionTime}@${r.message?.length}`,
    ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
    ...(r.logStreamName ? { logStreamName: r.logStreamName } : {}),
    ...(r.message !== undefined ? { message: r.message } : {}),
  };
}

/**
 * Polls FilterLogEvents. CloudWatch may ingest an event after a later one was already returned,
 * so each poll looks back a little and drops ids it has printed.
 */
async function pollEvents(
  logs: CloudWatchLogsClient,
  sources: LogSource[],
  opts: FollowOptions & { printedUntil?: number },
  emit: (e: LogEvent) => void,
): Promise<void> {
  const LOOK_BACK_MS = 10_000;
  const seen = new Map<string, number>([...(opts.seen ?? [])].map((id) => [id, opts.startTime]));
  let from = opts.startTime;
  while (!opts.signal.aborted) {
    let events: LogEvent[];
    try {
      events = await readAll(
        logs,
        sources,
        { startTime: Math.max(0, from - LOOK_BACK_MS), ...(opts.filter ? { filter: opts.filter } : {}) },
        opts.signal,
      );
    } catch (err) {
      if (opts.signal.aborted) return;
      throw err;
    }
    for (const e of events) {
      if (seen.has(e.id) || (opts.printedUntil !== undefined && e.timestamp <= opts.printedUntil)) continue;
      seen.set(e.id, e.timestamp);
      from = Math.max(from, e.timestamp);
      emit(e);
    }
    for (const [id, ts] of seen) if (ts < from - 2 * LOOK_BACK_MS) seen.delete(id);
    await sleep((opts.pollSeconds ?? 2) * 1000, opts.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
