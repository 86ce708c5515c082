/**
 * How `provision logs --follow` chooses between Live Tail and polling, with a scripted
 * CloudWatch Logs client (the emulator has no Live Tail, and an endpoint override never uses it:
 * test/e2e/operate-access.test.ts covers the polling path end to end).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
import { followEvents, parseSince, taskOfStream, textPattern, type LogEvent } from '../../src/ops/logs';
import { clientWithSend } from '../helpers/sdk-double';

const GROUP = '/cfn-stages/x-dev/acme';
const ARN = `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}`;
const TASK = 'f'.repeat(32);

/** A client whose `send` answers per command; records the commands it got. */
function fakeLogs(answer: (command: unknown, signal?: AbortSignal) => Promise<unknown>): {
  client: CloudWatchLogsClient;
  sent: unknown[];
} {
  const sent: unknown[] = [];
  const client = clientWithSend(
    CloudWatchLogsClient,
    (command: unknown, opts?: { abortSignal?: AbortSignal }) => (
      sent.push(command),
      answer(command, opts?.abortSignal)
    ),
  );
  return { client, sent };
}

/** Like the SDK's event stream: it ends with an AbortError once the call's signal aborts. */
function waitForAbort(signal?: AbortSignal): Promise<never> {
  const error = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
  return new Promise((_, reject) =>
    signal?.aborted ? reject(error()) : signal?.addEventListener('abort', () => reject(error())),
  );
}

test('Live Tail: pushed events are printed with their task; the session gets the group ARN, stream prefix and text pattern', async () => {
  const abort = new AbortController();
  const got: LogEvent[] = [];
  const { client, sent } = fakeLogs(async (command, signal) => {
    if (!(command instanceof StartLiveTailCommand)) throw new Error('only Live Tail expected');
    return {
      responseStream: (async function* () {
        yield { sessionStart: { sessionId: 's' } };
        yield {
          sessionUpdate: {
            sessionResults: [
              { logGroupIdentifier: ARN, logStreamName: `app/app/${TASK}`, timestamp: 1000, message: 'ERROR one\n' },
            ],
          },
        };
        await waitForAbort(signal);
      })(),
    };
  });
  const done = followEvents(
    client,
    [{ group: GROUP, streamPrefix: 'app/app/', arn: ARN }],
    { startTime: 0, filter: 'ERROR', signal: abort.signal },
    (e) => {
      got.push(e);
      abort.abort();
    },
  );
  await done;
  expect(got).toEqual([
    {
      id: expect.any(String),
      group: GROUP,
      timestamp: 1000,
      stream: `app/app/${TASK}`,
      task: TASK,
      message: 'ERROR one',
    },
  ]);
  expect((sent[0] as StartLiveTailCommand).input).toEqual({
    logGroupIdentifiers: [ARN],
    logStreamNamePrefixes: ['app/app/'],
    logEventFilterPattern: '"ERROR"',
  });
});

test('Live Tail refused (no permission): polling takes over, says so once, and skips events already printed', async () => {
  const abort = new AbortController();
  const got: string[] = [];
  const reasons: string[] = [];
  let polls = 0;
  const { client } = fakeLogs(async (command) => {
    if (command instanceof StartLiveTailCommand)
      throw Object.assign(new Error('not authorized to perform: logs:StartLiveTail'), {
        name: 'AccessDeniedException',
      });
    if (!(command instanceof FilterLogEventsCommand)) throw new Error('unexpected command');
    polls += 1;
    const events = [
      { eventId: 'a', timestamp: 5000, logStreamName: `app/app/${TASK}`, message: 'old' },
      { eventId: 'b', timestamp: 6000 + polls, logStreamName: `app/app/${TASK}`, message: `new ${polls}` },
    ];
    if (polls === 3) abort.abort();
    return { events: polls === 1 ? events : [events[0]] };
  });
  await followEvents(
    client,
    [{ group: GROUP, arn: ARN }],
    { startTime: 5000, seen: ['a'], signal: abort.signal, pollSeconds: 0.01, onFallback: (r) => reasons.push(r) },
    (e) => got.push(e.message),
  );
  expect(got).toEqual(['new 1']);
  expect(reasons).toEqual([expect.stringContaining('Live Tail is not available here (AccessDeniedException')]);
});

test('a Live Tail session that breaks off: polling goes on after the last event it printed, without repeating it', async () => {
  const abort = new AbortController();
  const got: string[] = [];
  const { client } = fakeLogs(async (command) => {
    if (command instanceof StartLiveTailCommand) {
      return {
        responseStream: (async function* () {
          yield {
            sessionUpdate: {
              sessionResults: [
                { logGroupIdentifier: ARN, logStreamName: `app/app/${TASK}`, timestamp: 1000, message: 'live' },
              ],
            },
          };
          throw Object.assign(new Error('stream broke'), { name: 'SessionStreamingException' });
        })(),
      };
    }
    abort.abort();
    return {
      events: [
        { eventId: 'x', timestamp: 1000, logStreamName: `app/app/${TASK}`, message: 'live' },
        { eventId: 'y', timestamp: 2000, logStreamName: `app/app/${TASK}`, message: 'polled' },
      ],
    };
  });
  await followEvents(
    client,
    [{ group: GROUP, arn: ARN }],
    { startTime: 0, signal: abort.signal, pollSeconds: 0.01 },
    (e) => got.push(e.message),
  );
  expect(got).toEqual(['live', 'polled']);
});

test('with an endpoint override, Live Tail is not tried', async () => {
  const abort = new AbortController();
  const { client, sent } = fakeLogs(async () => {
    abort.abort();
    return { events: [] };
  });
  await followEvents(
    client,
    [{ group: GROUP, arn: ARN }],
    { startTime: 0, signal: abort.signal, liveTail: false, pollSeconds: 0.01 },
    () => undefined,
  );
  expect(sent.every((c) => c instanceof FilterLogEventsCommand)).toBe(true);
});

test('a missing log group is an error, not a fallback', async () => {
  const { client } = fakeLogs(async () => {
    throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' });
  });
  await expect(
    followEvents(
      client,
      [{ group: GROUP, arn: ARN }],
      { startTime: 0, signal: new AbortController().signal },
      () => undefined,
    ),
  ).rejects.toThrow('does not exist');
});

test('--since, text patterns and awslogs task streams', () => {
  const now = Date.UTC(2026, 10, 29, 12);
  expect(parseSince('90s', now)).toBe(now - 90_000);
  expect(parseSince('2h', now)).toBe(now - 7_200_000);
  expect(parseSince('2026-11-29T10:00:00Z', now)).toBe(Date.UTC(2026, 10, 29, 10));
  expect(() => parseSince('soon', now)).toThrow('--since soon');
  expect(textPattern('say "hi"')).toBe('"say \\"hi\\""');
  expect(taskOfStream(`api2/app/${TASK}`)).toBe(TASK);
  expect(taskOfStream('ecs-execute-command-abc')).toBeUndefined();
});
