/**
 * `provision release`'s failure paths that the emulator cannot produce (moto's ECS services never
 * run tasks, never fail a deployment and never roll back): a deployment that never stabilises (a
 * timeout, with what is known), and a deployment the circuit breaker fails and rolls back (the
 * stopped tasks' reasons and the service events, not just "failed"). A small fake of ECS's
 * DescribeServices / ListTasks / DescribeTasks plays the service; the request shapes of the
 * ImageTag-only change set and the ECR check are checked on recording fakes.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ListChangeSetsCommand,
  CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { CliError, ExitCode } from '../../src/cli/errors';
import { OpsError } from '../../src/ops/errors';
import { describeTargets, imageTagOf, summariseTargets } from '../../src/ops/health';
import { assertImageTag, imageTagChangeSet, releaseParameters } from '../../src/ops/release';
import { clientWithSend } from '../helpers/sdk-double';
import {
  baselineOf,
  clusterOfServiceArn,
  isStable,
  outcomeLines,
  snapshotOf,
  waitForRollout,
  type EcsSender,
  type RolloutOutcome,
  type StackPhase,
} from '../../src/ops/rollout';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CLUSTER = 'x-dev';
const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/x-dev/x-dev-acme-service-Service-ABC';
const OLD_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/x-dev-acme:1';
const NEW_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/x-dev-acme:2';
const FAST = { initialMs: 1, maxMs: 2, factor: 2 };
const REF = { cluster: CLUSTER, service: SERVICE };
const INFO = {
  stack: 'x-dev-acme-service',
  repository: 'acme-web',
  from: 'v1',
  to: 'v2',
  timeoutMs: 900_000,
  file: 'envs/dev.yaml',
};

const t0 = new Date('2026-03-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function deployment(id: string, taskDefinition: string, extra: Partial<Deployment> = {}): Deployment {
  return {
    id,
    taskDefinition,
    status: 'PRIMARY',
    rolloutState: 'IN_PROGRESS',
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    createdAt: at(0),
    ...extra,
  };
}

function service(
  deployments: Deployment[],
  counts: { desired?: number; running?: number; pending?: number } = {},
  events: Service['events'] = [],
): Service {
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return {
    serviceArn: SERVICE,
    serviceName: 'x-dev-acme-service-Service-ABC',
    status: 'ACTIVE',
    taskDefinition: primary?.taskDefinition,
    desiredCount: counts.desired ?? 2,
    runningCount: counts.running ?? 2,
    pendingCount: counts.pending ?? 0,
    deployments,
    events,
  };
}

/**
 * ECS as a script: DescribeServices answers the next scripted state each time (the last one
 * forever after); ListTasks/DescribeTasks answer with the stopped tasks given.
 */
class FakeEcs implements EcsSender {
  readonly calls: string[] = [];
  private step = 0;

  constructor(
    private readonly states: Service[],
    private readonly stopped: Task[] = [],
  ) {}

  async send(command: DescribeServicesCommand | ListTasksCommand | DescribeTasksCommand): Promise<unknown> {
    this.calls.push(command.constructor.name);
    if (command instanceof DescribeServicesCommand) {
      expect(command.input).toEqual({ cluster: CLUSTER, services: [SERVICE] });
      const state = this.states[Math.min(this.step, this.states.length - 1)]!;
      this.step += 1;
      return { services: [state] };
    }
    if (command instanceof ListTasksCommand) {
      expect(command.input).toMatchObject({
        cluster: CLUSTER,
        serviceName: 'x-dev-acme-service-Service-ABC',
        desiredStatus: 'STOPPED',
      });
      return { taskArns: this.stopped.map((t) => t.taskArn) };
    }
    const wanted = (command as DescribeTasksCommand).input.tasks ?? [];
    return { tasks: this.stopped.filter((t) => wanted.includes(t.taskArn!)) };
  }
}

const before = service([deployment('ecs-svc/old', OLD_TD, { rolloutState: 'COMPLETED', runningCount: 2 })]);
const baseline = baselineOf(before);

describe('a deployment that never stabilises', () => {
  const starting = service(
    [
      deployment('ecs-svc/new', NEW_TD, { runningCount: 1, pendingCount: 1 }),
      deployment('ecs-svc/old', OLD_TD, { status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 2 }),
    ],
    { desired: 2, running: 3, pending: 1 },
    [{ createdAt: at(30), message: '(service x-dev-acme-service-Service-ABC) has started 1 tasks: (task 9f2).' }],
  );
  const unhealthy: Task = {
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/x-dev/9f2',
    startedBy: 'ecs-svc/new',
    taskDefinitionArn: NEW_TD,
    stoppedAt: at(25),
    stoppedReason:
      'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:...:targetgroup/x-dev-acme/1)',
    containers: [{ name: 'app', exitCode: 137 }],
  };

  it('gives up at the timeout, says the rollout goes on, and shows what is known', async () => {
    const ecs = new FakeEcs([starting], [unhealthy]);
    const progress: string[] = [];
    const result = await waitForRollout(ecs, REF, {
      baseline,
      timeoutMs: 250,
      poll: FAST,
      since: t0,
      onProgress: (s) => progress.push(`${s.running}/${s.desired}`),
    });
    expect(result.kind).toBe('timeout');
    // The same state over and over is reported once, not once per poll.
    expect(progress).toEqual(['3/2']);
    expect(ecs.calls.filter((c) => c === 'DescribeServicesCommand').length).toBeGreaterThan(1);
    const text = outcomeLines(result, INFO).join('\n');
    expect(text).toMatch(
      /^gave up waiting after 15 min for x-dev-acme-service to be stable: running 3\/2, pending 1, rollout IN_PROGRESS, 1 older deployment draining/,
    );
    expect(text).toContain(
      'The rollout goes on: follow it with `provision status --params envs/dev.yaml`, or run again with a longer --timeout',
    );
    expect(text).toContain('Task failed ELB health checks');
    expect(text).toContain('container app: exit code 137');
    expect(text).toContain('has started 1 tasks');
  });

  it('does not call it stable while the stack update is still running, even if ECS looks settled', async () => {
    const settledOld = before;
    let phase: StackPhase = { kind: 'running' };
    const ecs = new FakeEcs([settledOld]);
    const result = await waitForRollout(ecs, REF, { baseline, timeoutMs: 20, poll: FAST, stackPhase: () => phase });
    expect(result.kind).toBe('timeout');
    expect(outcomeLines(result, INFO)[0]).toContain('the stack update is still running');
    phase = { kind: 'complete' };
    expect(
      (
        await waitForRollout(new FakeEcs([settledOld]), REF, {
          baseline,
          timeoutMs: 20,
          poll: FAST,
          stackPhase: () => phase,
        })
      ).kind,
    ).toBe('stable');
  });
});

describe('a deployment the circuit breaker fails and rolls back', () => {
  const failedTask: Task = {
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/x-dev/aaa',
    startedBy: 'ecs-svc/new',
    taskDefinitionArn: NEW_TD,
    stoppedAt: at(40),
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [
      {
        name: 'app',
        exitCode: 1,
        reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): acme-web:v2 not found',
      },
    ],
  };
  const olderTask: Task = {
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/x-dev/old1',
    startedBy: 'ecs-svc/old',
    taskDefinitionArn: OLD_TD,
    stoppedAt: at(-3600),
    stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/old)',
    containers: [{ name: 'app', exitCode: 0 }],
  };
  const events = [
    {
      createdAt: at(60),
      message:
        '(service x-dev-acme-service-Service-ABC) (deployment ecs-svc/new) deployment failed: tasks failed to start.',
    },
    {
      createdAt: at(20),
      message: '(service x-dev-acme-service-Service-ABC) has started 2 tasks: (task aaa) (task bbb).',
    },
    { createdAt: at(-7200), message: 'an event from an earlier release' },
  ];
  const inProgress = service(
    [
      deployment('ecs-svc/new', NEW_TD, { pendingCount: 2 }),
      deployment('ecs-svc/old', OLD_TD, { status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 2 }),
    ],
    { running: 2, pending: 2 },
  );
  const rollingBack = service(
    [
      deployment('ecs-svc/rollback', OLD_TD, {
        createdAt: at(61),
        rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/old.',
      }),
      deployment('ecs-svc/new', NEW_TD, {
        status: 'ACTIVE',
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      }),
    ],
    { running: 2 },
    events,
  );

  it("stops waiting, names the reason, and shows only the new deployment's stopped tasks and this release's events", async () => {
    const ecs = new FakeEcs([before, inProgress, rollingBack], [olderTask, failedTask]);
    const result = await waitForRollout(ecs, REF, {
      baseline,
      timeoutMs: 60_000,
      poll: FAST,
      since: t0,
      stackPhase: () => ({ kind: 'running' }),
    });
    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.snapshot?.rolloutState).toBe('FAILED');
    expect(result.diagnosis.stoppedTasks.map((t) => t.taskArn)).toEqual([failedTask.taskArn]);
    expect(result.diagnosis.events.map((e) => e.message)).toEqual([events[0]!.message, events[1]!.message]);
    const text = outcomeLines(result, INFO);
    expect(text[0]).toBe(
      'the ECS rollout of acme-web:v2 failed: ECS deployment circuit breaker: tasks failed to start. (running 2/2, pending 0, rollout FAILED, 1 older deployment draining)',
    );
    expect(text[1]).toContain('CloudFormation rolls x-dev-acme-service back to ImageTag v1');
    const all = text.join('\n');
    expect(all).toContain('aaa: Essential container in task exited [EssentialContainerExited]');
    expect(all).toContain('container app: exit code 1, CannotPullContainerError');
    expect(all).toContain('deployment failed: tasks failed to start.');
    expect(all).not.toContain('Scaling activity');
    expect(all).not.toContain('earlier release');
  });

  it('still sees the failure when the failed deployment is already gone (only the rollback is left)', async () => {
    const rolledBack = service(
      [deployment('ecs-svc/rollback', OLD_TD, { rolloutState: 'COMPLETED', runningCount: 2 })],
      { running: 2 },
      events,
    );
    const ecs = new FakeEcs([rolledBack], [olderTask, failedTask]);
    const result = await waitForRollout(ecs, REF, { baseline, timeoutMs: 60_000, poll: FAST, since: t0 });
    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    // Our deployment was never seen, so the tasks are picked by time: this release's only.
    expect(result.diagnosis.stoppedTasks.map((t) => t.taskArn)).toEqual([failedTask.taskArn]);
  });

  it("reports a failed stack update with CloudFormation's root cause and the service's story", async () => {
    const ecs = new FakeEcs([inProgress], [failedTask]);
    const phase: StackPhase = {
      kind: 'failed',
      status: 'UPDATE_ROLLBACK_COMPLETE',
      reason:
        'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'."',
    };
    const result = await waitForRollout(ecs, REF, {
      baseline,
      timeoutMs: 60_000,
      poll: FAST,
      since: t0,
      stackPhase: () => phase,
    });
    const text = outcomeLines(result, INFO).join('\n');
    expect(text).toMatch(
      /^the update of x-dev-acme-service failed \(UPDATE_ROLLBACK_COMPLETE\): .*Circuit Breaker was triggered/,
    );
    expect(text).toContain('Essential container in task exited');
  });
});

describe('a rollout that works', () => {
  it('waits for the new deployment to complete and the old tasks to drain', async () => {
    const rolling = service(
      [
        deployment('ecs-svc/new', NEW_TD, { runningCount: 2 }),
        deployment('ecs-svc/old', OLD_TD, { status: 'ACTIVE', runningCount: 1 }),
      ],
      { running: 3 },
    );
    const done = service([deployment('ecs-svc/new', NEW_TD, { rolloutState: 'COMPLETED', runningCount: 2 })], {
      running: 2,
    });
    const seen: string[] = [];
    // CloudFormation reports the update complete only after ECS has the new deployment going.
    let polls = 0;
    const stackPhase = (): StackPhase => (++polls < 3 ? { kind: 'running' } : { kind: 'complete' });
    const result = await waitForRollout(new FakeEcs([before, rolling, done]), REF, {
      baseline,
      timeoutMs: 60_000,
      poll: FAST,
      stackPhase,
      onProgress: (s) => seen.push(s.rolloutState ?? ''),
    });
    expect(result.kind).toBe('stable');
    expect(seen).toEqual(['COMPLETED', 'IN_PROGRESS', 'COMPLETED']);
    expect(outcomeLines(result, INFO)).toEqual([
      'released acme-web:v2 to x-dev-acme-service: running 2/2, pending 0, rollout COMPLETED',
    ]);
  });

  it('--no-wait: returns once the stack update is complete', async () => {
    const rolling = service(
      [deployment('ecs-svc/new', NEW_TD), deployment('ecs-svc/old', OLD_TD, { status: 'ACTIVE' })],
      { running: 2, pending: 2 },
    );
    const result: RolloutOutcome = await waitForRollout(new FakeEcs([rolling]), REF, {
      baseline,
      timeoutMs: 60_000,
      poll: FAST,
      untilStackComplete: true,
    });
    expect(result.kind).toBe('stack-complete');
  });

  it('knows stable from not yet stable', () => {
    const snap = (s: Service) => snapshotOf(s, baseline);
    expect(isStable(snap(service([deployment('ecs-svc/new', NEW_TD, { rolloutState: 'COMPLETED' })])))).toBe(true);
    expect(
      isStable(snap(service([deployment('ecs-svc/new', NEW_TD, { rolloutState: 'COMPLETED' })], { running: 1 }))),
    ).toBe(false);
    expect(
      isStable(
        snap(service([deployment('ecs-svc/new', NEW_TD), deployment('ecs-svc/old', OLD_TD, { status: 'ACTIVE' })])),
      ),
    ).toBe(false);
    expect(snap(service([deployment('ecs-svc/new', NEW_TD)])).newDeployment).toBe(true);
    expect(snap(before).newDeployment).toBe(false);
  });
});

describe('the ImageTag-only change set', () => {
  const stack: Stack = {
    StackName: 'x-dev-acme-service',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/x-dev-acme-service/1',
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: t0,
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    Tags: [{ Key: 'cfn-stages:environment', Value: 'x-dev' }],
    Parameters: [
      { ParameterKey: 'Prefix', ParameterValue: 'x-' },
      { ParameterKey: 'ImageTag', ParameterValue: 'v1' },
      { ParameterKey: 'RepositoryName', ParameterValue: 'acme-web' },
      { ParameterKey: 'ExtraManagedPolicyArns', ParameterValue: '' },
      { ParameterKey: 'DbPassword', ParameterValue: '****' },
    ],
  };

  it('changes ImageTag and keeps every other parameter by UsePreviousValue (never by re-sending a value)', () => {
    expect(releaseParameters(stack, 'v2')).toEqual([
      { ParameterKey: 'Prefix', UsePreviousValue: true },
      { ParameterKey: 'ImageTag', ParameterValue: 'v2' },
      { ParameterKey: 'RepositoryName', UsePreviousValue: true },
      { ParameterKey: 'ExtraManagedPolicyArns', UsePreviousValue: true },
      { ParameterKey: 'DbPassword', UsePreviousValue: true },
    ]);
  });

  it("asks CloudFormation for the previous template, the stack's capabilities and tags, and cleans this tool's stale change sets", async () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const cfn = clientWithSend(
      CloudFormationClient,
      async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        if (command instanceof ListChangeSetsCommand) {
          const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
          return {
            Summaries: [
              { StackId: stack.StackId, ChangeSetName: 'cfn-stages-stale', CreationTime: hoursAgo(2) },
              { StackId: stack.StackId, ChangeSetName: 'cfn-stages-another-run-now', CreationTime: hoursAgo(0) },
              { StackId: stack.StackId, ChangeSetName: 'someone-elses', CreationTime: hoursAgo(2) },
            ],
          };
        }
        if (command instanceof DeleteChangeSetCommand) return {};
        if (command instanceof CreateChangeSetCommand) return { StackId: stack.StackId };
        if (command instanceof DescribeChangeSetCommand) {
          return {
            Status: 'CREATE_COMPLETE',
            Changes: [
              {
                Type: 'Resource',
                ResourceChange: {
                  Action: 'Modify',
                  LogicalResourceId: 'TaskDefinition',
                  ResourceType: 'AWS::ECS::TaskDefinition',
                  Replacement: 'True',
                },
              },
            ],
          };
        }
        throw new Error(`unexpected ${command.constructor.name}`);
      },
    );
    const { outcome } = await imageTagChangeSet(cfn, stack, 'v2', FAST);
    expect(outcome.kind).toBe('ready');
    expect(sent.filter((s) => s.name === 'DeleteChangeSetCommand').map((s) => s.input.ChangeSetName)).toEqual([
      'cfn-stages-stale',
    ]);
    const create = sent.find((s) => s.name === 'CreateChangeSetCommand')!.input;
    expect(create).toMatchObject({
      StackName: 'x-dev-acme-service',
      ChangeSetType: 'UPDATE',
      UsePreviousTemplate: true,
      Capabilities: stack.Capabilities,
      Tags: stack.Tags,
    });
    expect(create.TemplateBody).toBeUndefined();
    expect(create.TemplateURL).toBeUndefined();
    expect(create.ClientToken).toBe(create.ChangeSetName);
  });
});

describe('the ECR check', () => {
  function fakeEcr(images: { tag: string; pushed: number }[], repoExists = true): ECRClient {
    return clientWithSend(ECRClient, async (command: DescribeImagesCommand) => {
      const named = (n: string) => Object.assign(new Error(n), { name: n });
      if (!repoExists) throw named('RepositoryNotFoundException');
      const wanted = command.input.imageIds?.[0]?.imageTag;
      if (wanted !== undefined) {
        if (!images.some((i) => i.tag === wanted)) throw named('ImageNotFoundException');
        return { imageDetails: [] };
      }
      return { imageDetails: images.map((i) => ({ imageTags: [i.tag], imagePushedAt: at(i.pushed) })) };
    });
  }

  it('passes when the tag is there', async () => {
    await expect(assertImageTag(fakeEcr([{ tag: 'v2', pushed: 1 }]), 'acme-web', 'v2')).resolves.toBeUndefined();
  });

  it('names the repository and lists the newest tags, newest first, when the tag is missing', async () => {
    const images = [1, 7, 3, 9, 2, 5].map((n) => ({ tag: `v${n}`, pushed: n }));
    const err = (await assertImageTag(fakeEcr(images), 'acme-web', 'v10').catch((e: unknown) => e)) as OpsError;
    expect(err).toBeInstanceOf(OpsError);
    expect(err.code).toBe('ImageTagMissing');
    expect(CliError.from(err).exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe('image tag "v10" is not in ECR repository acme-web');
    expect(err.hint).toContain('newest tags there: v9, v7, v5, v3, v2;');
  });

  it('says so when the repository does not exist', async () => {
    await expect(assertImageTag(fakeEcr([], false), 'acme-web', 'v1')).rejects.toThrow(
      'ECR repository acme-web does not exist',
    );
  });
});

describe('status pieces', () => {
  it("summarises target health with the first unhealthy target's reason", () => {
    const summary = summariseTargets([
      { Target: { Id: '10.0.1.5', Port: 3000 }, TargetHealth: { State: 'healthy' } },
      {
        Target: { Id: '10.0.2.9', Port: 3000 },
        TargetHealth: {
          State: 'unhealthy',
          Reason: 'Target.ResponseCodeMismatch',
          Description: 'Health checks failed with these codes: [502]',
        },
      },
      {
        Target: { Id: '10.0.1.7', Port: 3000 },
        TargetHealth: { State: 'initial', Reason: 'Elb.RegistrationInProgress' },
      },
      { Target: { Id: '10.0.1.8', Port: 3000 }, TargetHealth: { State: 'healthy' } },
    ]);
    expect(summary.counts).toEqual({ healthy: 2, unhealthy: 1, initial: 1 });
    expect(summary.firstUnhealthy).toEqual({
      target: '10.0.2.9:3000',
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [502]',
    });
    expect(describeTargets(summary)).toBe('2 healthy, 1 initial, 1 unhealthy');
    expect(describeTargets(summariseTargets([]))).toBe('no targets');
  });

  it('reads the tag from an image reference', () => {
    expect(imageTagOf('123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-web:v2')).toBe('v2');
    expect(imageTagOf('localhost:5000/acme')).toBe('latest');
    expect(imageTagOf('nginx')).toBe('latest');
    expect(imageTagOf('public.ecr.aws/o/app@sha256:' + 'a'.repeat(64))).toBe('sha256:aaaaaaaaaaaa');
  });

  it('reads the cluster from a long service ARN only', () => {
    expect(clusterOfServiceArn(SERVICE)).toBe('x-dev');
    expect(clusterOfServiceArn('arn:aws:ecs:us-east-1:123456789012:service/old-style-name')).toBeUndefined();
  });
});
