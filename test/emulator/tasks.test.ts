/**
 * The emulator's ECS tasks and waiting stacks (test/emulator/README.md, `tasks.py`), through the
 * real SDK: a service whose ECR image is missing stops its tasks with CannotPullContainerError and
 * never reaches its desired count; its stack waits in CREATE_IN_PROGRESS until the circuit
 * breaker (2 s here) rolls it back; CancelUpdateStack is refused outside an update; DeleteStack
 * ends a creation. test/e2e/watchdog.test.ts relies on these through the CLI.
 */
import {
  CloudFormationClient,
  CancelUpdateStackCommand,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete,
} from '@aws-sdk/client-cloudformation';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { startEmulator, type Emulator } from '../helpers/emulator';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

jest.setTimeout(60_000);

let emulator: Emulator;
let cfn: CloudFormationClient;
let ecs: ECSClient;

const MISSING = '123456789012.dkr.ecr.us-east-1.amazonaws.com/never-pushed:v1';
const template = JSON.stringify({
  Resources: {
    TaskDefinition: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        Family: 'web',
        ContainerDefinitions: [{ Name: 'app', Image: MISSING, Memory: 512, Essential: true }],
      },
    },
    Service: {
      Type: 'AWS::ECS::Service',
      Properties: { Cluster: 'tasks', ServiceName: 'web', DesiredCount: 1, TaskDefinition: { Ref: 'TaskDefinition' } },
    },
  },
});

async function create(stackName: string): Promise<void> {
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: 'create',
      ChangeSetType: 'CREATE',
      TemplateBody: template,
    }),
  );
  await waitUntilChangeSetCreateComplete(
    { client: cfn, maxWaitTime: 20, minDelay: 1 },
    { StackName: stackName, ChangeSetName: 'create' },
  );
  await cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: 'create' }));
}

const status = async (stackName: string) =>
  (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  emulator = await startEmulator({
    env: {
      CFN_STAGES_EMULATOR_TASKS: 'run',
      CFN_STAGES_EMULATOR_TASK_SECONDS: '0.5',
      CFN_STAGES_EMULATOR_BREAKER_SECONDS: '2',
    },
  });
  cfn = new CloudFormationClient(emulator.clientConfig);
  ecs = new ECSClient(emulator.clientConfig);
  await ecs.send(new CreateClusterCommand({ clusterName: 'tasks' }));
});

afterAll(async () => {
  await emulator?.stop();
});

test('a missing ECR image: tasks stop with CannotPullContainerError, the stack waits, then the breaker rolls it back', async () => {
  await create('pull');
  expect(await status('pull')).toBe('CREATE_IN_PROGRESS');
  await sleep(1200);
  const arns =
    (await ecs.send(new ListTasksCommand({ cluster: 'tasks', serviceName: 'web', desiredStatus: 'STOPPED' })))
      .taskArns ?? [];
  expect(arns.length).toBeGreaterThanOrEqual(2);
  const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: 'tasks', tasks: arns }))).tasks ?? [];
  expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', group: 'service:web' });
  expect(task?.stoppedReason).toMatch(/^CannotPullContainerError: .*never-pushed:v1: not found$/);
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'tasks', services: ['web'] }))).services?.[0];
  expect(service).toMatchObject({ desiredCount: 1, runningCount: 0 });
  expect(service?.deployments?.[0]?.failedTasks).toBeGreaterThanOrEqual(2);
  await expect(cfn.send(new CancelUpdateStackCommand({ StackName: 'pull' }))).rejects.toThrow(
    /CancelUpdateStack cannot be called from current stack status/,
  );
  await sleep(1500);
  expect(await status('pull')).toBe('ROLLBACK_COMPLETE');
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'pull' }))).StackEvents ?? [];
  expect(
    events.find((e) => e.LogicalResourceId === 'Service' && e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason,
  ).toMatch(/ECS Deployment Circuit Breaker was triggered/);
});

test('DeleteStack ends a creation that is waiting for its service', async () => {
  await create('gone');
  expect(await status('gone')).toBe('CREATE_IN_PROGRESS');
  await cfn.send(new DeleteStackCommand({ StackName: 'gone' }));
  await expect(status('gone')).rejects.toThrow(/does not exist/);
});
