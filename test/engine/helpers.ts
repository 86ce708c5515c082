/**
 * Shared set-up for the engine tests: real SDK clients wired to the fake CloudFormation (and its
 * fake S3) through the request handler, small templates, and an event recorder.
 */
import { createClients, type AwsClients, type ClientOptions } from '../../src/aws/clients';
import type { DeployEvent, PollOptions, StackSpec } from '../../src/deploy/types';
import { FakeCloudFormation } from './fake-cloudformation';

// The SDK warns once per process about Node 20; it is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Belt and braces: no credential lookup may ever try the EC2 metadata address.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export const ENDPOINT = 'http://localhost:4566';

/** Poll fast: the fake's time advances per request, not per millisecond. */
export const FAST: PollOptions = { initialMs: 1, maxMs: 4, factor: 2 };

export function fakeClients(fake: FakeCloudFormation, extra: Partial<ClientOptions> = {}): AwsClients {
  return createClients({
    region: fake.region,
    endpointUrl: ENDPOINT,
    requestHandler: fake.handler as unknown as ClientOptions['requestHandler'],
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret', accountId: fake.account },
    maxAttempts: 4,
    ...extra,
  });
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;

export interface TemplateParts {
  resources: Resources;
  parameters?: Record<string, { Type: string; Default?: string; NoEcho?: boolean }>;
  outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export function template(parts: TemplateParts): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    ...(parts.parameters ? { Parameters: parts.parameters } : {}),
    Resources: parts.resources,
    ...(parts.outputs ? { Outputs: parts.outputs } : {}),
  });
}

export function spec(name: string, parts: TemplateParts, extra: Partial<StackSpec> = {}): StackSpec {
  return {
    name,
    templateId: `test.${name}`,
    templateBody: template(parts),
    parameters: {},
    tags: { Environment: 'dev' },
    dependsOn: [],
    capabilities: [],
    ...extra,
  };
}

/** Three queues: enough resources to see per-resource progress and cancellations. */
export function queues(names: Record<string, string> = {}): Resources {
  return {
    Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: names.Orders ?? 'orders' } },
    Payments: { Type: 'AWS::SQS::Queue', Properties: { QueueName: names.Payments ?? 'payments' } },
    Alerts: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: names.Alerts ?? 'alerts' } },
  };
}

export class Recorder {
  readonly all: DeployEvent[] = [];
  readonly fn = (e: DeployEvent): void => {
    this.all.push(e);
  };

  steps(): string[] {
    return this.all.flatMap((e) => (e.type === 'step' ? [e.step] : []));
  }

  resources(): Array<{ logicalId: string; status: string; reason?: string }> {
    return this.all.flatMap((e) =>
      e.type === 'resource' && !e.event.isStack
        ? [{ logicalId: e.event.logicalId, status: e.event.status, reason: e.event.reason }]
        : [],
    );
  }
}

/**
 * A gate that opens when a test says so, or by itself after `ms` (then `timedOut()` is true): calls
 * held on it show, without timing, that something was asked before they were answered.
 */
export function timedGate(ms = 5_000): { opened: Promise<void>; open(): void; timedOut(): boolean } {
  let byTimeout = false;
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(() => {
    byTimeout = true;
    release();
  }, ms);
  return {
    opened,
    open: () => {
      clearTimeout(timer);
      release();
    },
    timedOut: () => byTimeout,
  };
}
