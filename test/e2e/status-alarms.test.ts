/**
 * End to end: `provision status` shows each app's alarms as CloudWatch holds them, through the real
 * CLI against the emulator. Two apps whose names start alike (`acme`, `acme-api`) each get an
 * alarms stack (33.app-alarms); their alarms' states are set with CloudWatch's SetAlarmState, as
 * CloudWatch itself moves them, and status counts them per app (ALARM / INSUFFICIENT_DATA / OK),
 * naming those in ALARM with their reason, in text and in `--json`; one app's alarms never count
 * for the other. Before the alarms stacks exist there is nothing to show. Freshly deployed, every
 * alarm is INSUFFICIENT_DATA (as on AWS) and each app's contact mail is pending confirmation; the
 * recipient confirms one (ConfirmSubscription with the mailed token) and unsubscribes later, and
 * status follows each step for that app alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { ConfirmSubscriptionCommand, SNSClient, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { REPO_ROOT, startEmulator, type Emulator } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(120_000);

/** Two apps on public images (no repository to push to), each with its default alarms. */
const PARAMS = `environment: st
prefix: x-
region: us-east-1
tags:
  contactEmail: ops@example.com
network:
  azCount: 2
  natGateways: single
ecsCluster: {}
apps:
${['acme', 'acme-api']
  .map(
    (app) =>
      `  - name: ${app}\n    service:\n      publicImage: public.ecr.aws/nginx/nginx:1.27\n      containerPort: 8080\n`,
  )
  .join('')}`;

interface StatusAlarms {
  app: string;
  stack: string;
  states: { ALARM: number; INSUFFICIENT_DATA: number; OK: number };
  inAlarm: { name: string; reason?: string; since?: string }[];
  topic?: string;
  mail: { endpoint: string; state: string }[];
  mailError?: string;
}

let emu: Emulator;
let tmp: string;
let file: string;
let cfn: CloudFormationClient;
let cw: CloudWatchClient;
let sns: SNSClient;

function cli(args: string[]): Promise<CliRun> {
  return runCli(emu.env, args, { home: tmp, timeoutMs: 90_000 });
}

/** The alarm names of an alarms stack, from its resources. */
async function alarmNames(stack: string): Promise<string[]> {
  const out = await cfn.send(new ListStackResourcesCommand({ StackName: stack }));
  return (out.StackResourceSummaries ?? [])
    .filter((r) => r.ResourceType === 'AWS::CloudWatch::Alarm')
    .map((r) => r.PhysicalResourceId!);
}

async function setState(alarm: string, state: StateValue, reason: string): Promise<void> {
  await cw.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: state, StateReason: reason }));
}

/** The ARN of an alarms stack's e-mail subscription (its Ref), which the confirmation mail is about. */
async function subscriptionArn(stack: string): Promise<string> {
  const out = await cfn.send(
    new DescribeStackResourceCommand({ StackName: stack, LogicalResourceId: 'EmailSubscription' }),
  );
  return out.StackResourceDetail!.PhysicalResourceId!;
}

async function statusJson(): Promise<StatusAlarms[]> {
  const run = await cli(['status', '--params', file, '--json']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { alarms: StatusAlarms[] }).alarms;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  emu = await startEmulator();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'status-alarms-e2e-'));
  file = path.join(tmp, 'st.yaml');
  fs.writeFileSync(file, PARAMS);
  cfn = new CloudFormationClient(emu.clientConfig);
  cw = new CloudWatchClient(emu.clientConfig);
  sns = new SNSClient(emu.clientConfig);
}, 60_000);

afterAll(async () => {
  cfn?.destroy();
  cw?.destroy();
  sns?.destroy();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('before the alarms stacks exist: no alarm lines, and an empty list in --json', async () => {
  expect(await statusJson()).toEqual([]);
  const text = await cli(['status', '--params', file]);
  expect(text.stdout).not.toMatch(/ alarms: /);
});

const PENDING = [{ endpoint: 'ops@example.com', state: 'pending-confirmation' }];
const PENDING_LINE =
  '  mail to ops@example.com: pending confirmation: these alarms mail nobody until the link AWS mailed there is followed';

describe('deployed', () => {
  let acme: string[];
  let api: string[];
  let acmeTopic: string;

  beforeAll(async () => {
    const deploy = await cli(['deploy', '--params', file, '--yes']);
    expect({ code: deploy.code, err: deploy.code ? deploy.stdout.slice(-1500) + deploy.stderr : '' }).toEqual({
      code: 0,
      err: '',
    });
    [acme, api] = await Promise.all([alarmNames('x-st-acme-alarms'), alarmNames('x-st-acme-api-alarms')]);
  }, 120_000);

  test("at first every alarm is INSUFFICIENT_DATA, as on AWS, and each app's contact mail waits for its confirmation", async () => {
    expect(acme.length).toBeGreaterThan(2);
    const alarms = await statusJson();
    for (const [app, names] of [
      ['acme', acme],
      ['acme-api', api],
    ] as const) {
      expect(alarms.find((a) => a.app === app)).toEqual({
        app,
        stack: `x-st-${app}-alarms`,
        states: { ALARM: 0, INSUFFICIENT_DATA: names.length, OK: 0 },
        inAlarm: [],
        topic: expect.stringMatching(new RegExp(`^arn:aws:sns:us-east-1:\\d{12}:x-st-${app}-alarms$`)),
        mail: PENDING,
      });
    }
    acmeTopic = alarms.find((a) => a.app === 'acme')!.topic!;
    const text = await cli(['status', '--params', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`acme alarms: 0 ALARM, ${acme.length} INSUFFICIENT_DATA, 0 OK\n${PENDING_LINE}`);
    expect(text.stdout).toContain(`acme-api alarms: 0 ALARM, ${api.length} INSUFFICIENT_DATA, 0 OK\n${PENDING_LINE}`);
  });

  describe('with alarms in every state', () => {
    beforeAll(async () => {
      for (const name of [...acme, ...api]) await setState(name, 'OK', 'Threshold Crossed: back to normal');
      await setState(
        'x-st-acme-5xx',
        'ALARM',
        'Threshold Crossed: 12 datapoints were greater than the threshold (10.0)',
      );
      await setState('x-st-acme-service-cpu', 'INSUFFICIENT_DATA', 'Insufficient Data: no datapoints');
    }, 60_000);

    test('--json: each app counts its own alarms by state and names those in ALARM with the reason', async () => {
      expect(acme).toEqual(expect.arrayContaining(['x-st-acme-5xx', 'x-st-acme-service-cpu']));
      expect(acme.filter((n) => api.includes(n))).toEqual([]);
      const alarms = await statusJson();
      expect(alarms.map((a) => a.app).sort()).toEqual(['acme', 'acme-api']);
      expect(alarms.find((a) => a.app === 'acme')).toEqual({
        app: 'acme',
        stack: 'x-st-acme-alarms',
        states: { ALARM: 1, INSUFFICIENT_DATA: 1, OK: acme.length - 2 },
        inAlarm: [
          {
            name: 'x-st-acme-5xx',
            reason: 'Threshold Crossed: 12 datapoints were greater than the threshold (10.0)',
            since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ],
        topic: acmeTopic,
        mail: PENDING,
      });
      expect(alarms.find((a) => a.app === 'acme-api')).toMatchObject({
        app: 'acme-api',
        stack: 'x-st-acme-api-alarms',
        states: { ALARM: 0, INSUFFICIENT_DATA: 0, OK: api.length },
        inAlarm: [],
      });
    });

    test('text: one line per app with the counts, then why each alarm goes off', async () => {
      const run = await cli(['status', '--params', file]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `acme alarms: 1 ALARM (x-st-acme-5xx), 1 INSUFFICIENT_DATA, ${acme.length - 2} OK\n`,
      );
      expect(run.stdout).toMatch(
        /\n {2}x-st-acme-5xx: Threshold Crossed: 12 datapoints were greater than the threshold \(10\.0\) \(since \d{4}-/,
      );
      expect(run.stdout).toContain(`acme-api alarms: 0 ALARM, 0 INSUFFICIENT_DATA, ${api.length} OK\n`);
    });

    test('back to OK, it leaves the list', async () => {
      await setState('x-st-acme-5xx', 'OK', 'Threshold Crossed: back to normal');
      const acmeAlarms = (await statusJson()).find((a) => a.app === 'acme');
      expect(acmeAlarms).toMatchObject({
        states: { ALARM: 0, INSUFFICIENT_DATA: 1, OK: acme.length - 1 },
        inAlarm: [],
      });
    });
  });

  describe('the alarm mail, as its recipient acts on it', () => {
    test("confirmed with the mailed token: that app's mail is confirmed, the other app's still pending", async () => {
      const arn = await subscriptionArn('x-st-acme-alarms');
      // The emulator's token is the id at the end of the subscription's ARN (AWS mails its own).
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: acmeTopic, Token: arn.split(':').pop()! }));
      const alarms = await statusJson();
      expect(alarms.find((a) => a.app === 'acme')!.mail).toEqual([{ endpoint: 'ops@example.com', state: 'confirmed' }]);
      expect(alarms.find((a) => a.app === 'acme-api')!.mail).toEqual(PENDING);
      const text = await cli(['status', '--params', file]);
      expect(text.stdout).toMatch(/acme alarms: [^\n]*\n {2}mail to ops@example\.com: confirmed\n/);
      expect(text.stdout).toContain(`acme-api alarms: 0 ALARM, 0 INSUFFICIENT_DATA, ${api.length} OK\n${PENDING_LINE}`);
    });

    test('unsubscribed (the link in every alarm mail): not subscribed, with the command that subscribes it again', async () => {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: await subscriptionArn('x-st-acme-alarms') }));
      const acmeAlarms = (await statusJson()).find((a) => a.app === 'acme')!;
      expect(acmeAlarms.mail).toEqual([{ endpoint: 'ops@example.com', state: 'not-subscribed' }]);
      const text = await cli(['status', '--params', file]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(
        `  mail to ops@example.com: not subscribed (unsubscribed, or not confirmed within 48 hours): these alarms mail nobody; subscribe it again: aws sns subscribe --topic-arn ${acmeTopic} --protocol email --notification-endpoint ops@example.com\n`,
      );
    });
  });
});
