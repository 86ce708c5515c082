/**
 * An ECS service behind the app's load balancer: what 32 (the app's main service) and 91 (extra
 * services piggybacked on the same load balancer) share, written once. Parameters, roles, task
 * definition, service and autoscaling; the caller supplies only the target group and what makes
 * its tasks distinct (family and log stream prefix).
 *
 * Environment variables: a CloudFormation parameter cannot be turned into a variable-length list
 * of name/value pairs (there is no loop, and "KEY=VALUE,..." cannot be split into pairs), so:
 * - the deployer bakes the params file's `env` map into the task definition (`environment`);
 * - in the console, `EnvironmentFileArn` names a `.env` file in S3 (one `KEY=VALUE` a line), which
 *   ECS loads at task start: any number of variables, edited without touching the stack;
 * - settings that are secret belong in the configuration secret (`JUICE_CONFIG`), never in either.
 */
import { ECS } from '../kit/resources';
import type { KeyValuePair } from 'cloudform-types/types/ecs/taskDefinition';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, sub, type IntrinsicFunction, type PolicyStatement, type Value } from '../kit/cf';
import type { LinkGrant, LinkSpec } from '../kit/links';
import { AppLoadBalancer, EcsCluster, Network } from '../contracts';
import { linkGrant } from '../links';
import { either, notEmpty, onlyIf } from './cfn';
import { taskSizeParams, type TaskSize } from './fargate';
import { serviceImage, type ImageSource } from './image';
import { executionRole, taskRole } from './roles';
import { autoscaling, scalingParams } from './scaling';

/** How the deployer builds a service template; the published template takes none of these. */
export interface ServiceOptions {
  /** Data stores of the application this service is linked to. */
  links?: LinkSpec[];
  /** `parameter` (default): ECR repository by name or a public image; `ecr`: import the repository. */
  image?: ImageSource;
  /** Plain environment variables (not secrets) baked into the task definition. */
  environment?: Record<string, string>;
  /** Keys of the app's configuration secret that ECS injects as environment variables of the same name. */
  secrets?: string[];
}

/** What distinguishes one service of the app from another. */
export interface ServiceSpec {
  /** Task definition family: `${Prefix}${EnvironmentName}-${ApplicationName}[-${Suffix}]`. */
  family: IntrinsicFunction;
  /** Log stream prefix inside the app's log group. */
  logStreamPrefix: Value<string>;
  targetGroupArn: Value<string>;
  /** Logical ids the service waits for (91: its listener rule, so the target group has a load balancer). */
  dependsOn?: string[];
}

/** The container's name in every task definition: what the load balancer registration names. */
export const CONTAINER_NAME = 'app';

/** The logical id of the ECS service in 32 and 91: `provision release` and its health watch find the service by it. */
export const SERVICE_LOGICAL_ID = 'Service';
/** The environment variable holding the configuration secret's ARN (as aws-explorer's apps expect). */
export const CONFIG_ENV = 'JUICE_CONFIG';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface ContainerParams {
  port: IntrinsicFunction;
  healthCommand: IntrinsicFunction;
  grace: IntrinsicFunction;
  envFile: IntrinsicFunction;
  readOnlyRoot: IntrinsicFunction;
  user: IntrinsicFunction;
  exec: IntrinsicFunction;
  extraPolicies: IntrinsicFunction;
}

type App = TemplateBuilder<'application'>;

/**
 * The user the container runs as unless a params file says otherwise: uid and gid 1000, which
 * need not exist in the image (a uid alone would keep the root group, gid 0). See the parameter's
 * description for what an image needs to run this way.
 */
export const DEFAULT_CONTAINER_USER = '1000:1000';

/** How the app is reached and checked: its port, its own health command, its start-up grace. */
function processParams(t: App, group: string): Pick<ContainerParams, 'port' | 'healthCommand' | 'grace'> {
  return {
    port: t.param('ContainerPort', {
      Type: 'Number',
      Default: 3000,
      MinValue: 1024,
      MaxValue: 65535,
      label: 'Container port',
      group,
      Description:
        "The port the app listens on (1024-65535: the only ports the environment's app security group opens to load balancers).",
    }),
    healthCommand: t.param('ContainerHealthCheckCommand', {
      Type: 'String',
      Default: '',
      MaxLength: 1000,
      label: 'Container health check (optional)',
      group,
      Description:
        'A shell command run inside the container; a task that keeps failing it is replaced (liveness). E.g. "curl -fs http://localhost:3000/healthcheck || exit 1" (the image must have curl). Empty: only the load balancer\'s check.',
    }),
    grace: t.param('HealthCheckGracePeriodSeconds', {
      Type: 'Number',
      Default: 60,
      MinValue: 0,
      MaxValue: 7200,
      label: 'Start-up grace (seconds)',
      group,
      Description: 'How long a new task may fail health checks while it starts.',
    }),
  };
}

/** What the process sees: its environment file, its user, and whether its root file system is writable. */
function fileSystemParams(t: App, group: string): Pick<ContainerParams, 'envFile' | 'readOnlyRoot' | 'user'> {
  return {
    envFile: t.param('EnvironmentFileArn', {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.env$',
      ConstraintDescription: 'empty, or the ARN of an S3 object ending in .env',
      label: 'Environment file (optional)',
      group,
      Description:
        'S3 object (arn:aws:s3:::bucket/path/app.env, SSE-S3 encrypted) with one KEY=VALUE per line, loaded as environment variables at task start. Not for secrets: put those in the configuration secret.',
    }),
    // Writable by default: common images write outside /tmp at start (nginx: /var/cache/nginx and
    // its pid under /var/run; httpd: its logs/; many apps: caches in their own directory), and
    // with a read-only root they exit at once ("read-only file system"). No fixed list of extra
    // writable paths covers every image, so read-only is the hardening a team opts into once its
    // image writes only to /tmp; the service watchdog names this cause when tasks stop for it.
    readOnlyRoot: t.param('ReadonlyRootFilesystem', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
      label: 'Read-only root file system',
      group,
      Description:
        'false: the container may write anywhere in its own file system (what most images expect). true: it can write only to /tmp (an empty task volume), a hardening for images that never write elsewhere (nginx, for one, does: /var/cache/nginx); not with ECS Exec.',
    }),
    user: t.param('ContainerUser', {
      Type: 'String',
      Default: DEFAULT_CONTAINER_USER,
      AllowedPattern: '^$|^([0-9]{1,10}|[a-z_][a-z0-9_-]{0,31})(:([0-9]{1,10}|[a-z_][a-z0-9_-]{0,31}))?$',
      ConstraintDescription: 'empty, or uid[:gid] / user[:group], e.g. 1000:1000 or node',
      label: 'Run as user',
      group,
      Description: `The user the app runs as (uid[:gid] or a name the image defines). Default ${DEFAULT_CONTAINER_USER}, not root: the image must let that user read its files and write where it writes (/tmp is always writable), and listen on a port above 1023. Empty: the image's own USER, often root.`,
    }),
  };
}

/** Who may get in and what the app may call beyond its links: ECS Exec and extra managed policies. */
function accessParams(t: App): Pick<ContainerParams, 'exec' | 'extraPolicies'> {
  return {
    exec: t.param('EnableExecuteCommand', {
      Type: 'String',
      Default: 'false',
      AllowedValues: ['false', 'true'],
      label: 'ECS Exec',
      group: 'Access',
      Description:
        'Allow `aws ecs execute-command` into running tasks (audited by CloudTrail). Needs ReadonlyRootFilesystem false.',
    }),
    extraPolicies: t.param('ExtraManagedPolicyArns', {
      Type: 'CommaDelimitedList',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/[A-Za-z0-9+=,.@_/-]+$',
      ConstraintDescription: 'empty, or comma-separated IAM policy ARNs',
      label: 'Extra IAM policies (optional)',
      group: 'Access',
      Description:
        "Managed policy ARNs added to the task role, for AWS access the app needs beyond its configuration and links (Opta's additional_iam_policies).",
    }),
  };
}

function containerParams(t: App): ContainerParams {
  const group = 'Container';
  const p: ContainerParams = { ...processParams(t, group), ...fileSystemParams(t, group), ...accessParams(t) };
  t.rule('ExecNeedsWritableRoot', {
    RuleCondition: Fn.Equals(p.exec, 'true'),
    Assertions: [
      {
        Assert: Fn.Equals(p.readOnlyRoot, 'false'),
        AssertDescription:
          'ECS Exec does not work with a read-only root file system: set ReadonlyRootFilesystem to false.',
      },
    ],
  });
  return p;
}

/** The link grants of all links, merged into one. */
function mergedGrants(t: TemplateBuilder<'application'>, links: LinkSpec[]): LinkGrant {
  const merged: LinkGrant = { secrets: [], environment: [], taskRoleStatements: [], executionRoleStatements: [] };
  for (const link of links) {
    const g = linkGrant(t, link);
    merged.secrets.push(...g.secrets);
    merged.environment.push(...g.environment);
    merged.taskRoleStatements.push(...g.taskRoleStatements);
    merged.executionRoleStatements.push(...g.executionRoleStatements);
  }
  return merged;
}

/** Container environment and secrets; every name once, and valid, or the build fails. */
function containerVariables(
  configArn: IntrinsicFunction,
  grant: LinkGrant,
  opts: ServiceOptions,
): { environment: KeyValuePair[]; secrets: { Name: string; ValueFrom: Value<string> }[] } {
  const environment = [
    { Name: CONFIG_ENV, Value: configArn as Value<string> },
    ...grant.environment,
    ...Object.entries(opts.environment ?? {}).map(([Name, Value]) => ({ Name, Value: Value as Value<string> })),
  ];
  // `arn:...:secret:name-XyZ:KEY::` selects one JSON key of the secret (latest version).
  const secrets = [
    ...grant.secrets,
    ...(opts.secrets ?? []).map((key) => ({
      Name: key,
      ValueFrom: Fn.Join(':', [configArn, key, '', '']) as Value<string>,
    })),
  ];
  const names = [...environment, ...secrets].map((v) => v.Name);
  for (const name of names) {
    if (!ENV_NAME.test(name))
      throw new Error(
        `environment variable "${name}" is not a valid name (letters, digits, "_"; not starting with a digit)`,
      );
    if (names.indexOf(name) !== names.lastIndexOf(name))
      throw new Error(`environment variable ${name} is set twice (links, env and secrets must not overlap)`);
  }
  return { environment, secrets };
}

function taskDefinition(
  t: TemplateBuilder<'application'>,
  spec: ServiceSpec,
  size: TaskSize,
  c: ContainerParams,
  parts: {
    image: Value<string>;
    roles: { execution: Handle; task: Handle };
    logGroup: IntrinsicFunction;
    vars: ReturnType<typeof containerVariables>;
  },
): Handle {
  const container = new ECS.TaskDefinition.ContainerDefinition({
    Name: CONTAINER_NAME,
    Image: parts.image,
    Essential: true,
    PortMappings: [{ ContainerPort: c.port, Protocol: 'tcp' }],
    Environment: parts.vars.environment,
    EnvironmentFiles: onlyIf('HasEnvironmentFile', [{ Type: 's3', Value: c.envFile }]),
    ...(parts.vars.secrets.length ? { Secrets: parts.vars.secrets } : {}),
    HealthCheck: onlyIf('HasContainerHealthCheck', {
      Command: ['CMD-SHELL', c.healthCommand],
      Interval: 30,
      Timeout: 5,
      Retries: 3,
      StartPeriod: 60,
    }),
    ReadonlyRootFilesystem: c.readOnlyRoot,
    User: onlyIf('HasContainerUser', c.user),
    MountPoints: [{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }],
    // An init process reaps zombies and forwards signals: clean shutdowns, and needed by ECS Exec.
    LinuxParameters: { InitProcessEnabled: true },
    LogConfiguration: {
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': parts.logGroup,
        'awslogs-region': sub('${AWS::Region}'),
        'awslogs-stream-prefix': spec.logStreamPrefix,
      },
    },
  });
  return t.add(
    'TaskDefinition',
    new ECS.TaskDefinition({
      Family: spec.family,
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: [size.launchType],
      Cpu: size.cpu,
      Memory: size.memory,
      RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: size.architecture },
      ExecutionRoleArn: parts.roles.execution.att('Arn'),
      TaskRoleArn: parts.roles.task.att('Arn'),
      ContainerDefinitions: [container],
      Volumes: [{ Name: 'tmp' }],
      Tags: t.tags(),
    }),
  );
}

function ecsService(
  t: TemplateBuilder<'application'>,
  spec: ServiceSpec,
  c: ContainerParams,
  task: Handle,
  cluster: IntrinsicFunction,
): Handle {
  // No DesiredCount: ECS starts one task and autoscaling keeps the count between min and max; a
  // count here would be reset to on every stack update, undoing what autoscaling decided.
  // No LaunchType: the service uses the cluster's default capacity provider strategy (13).
  const service = new ECS.Service({
    Cluster: cluster,
    TaskDefinition: task.ref,
    LoadBalancers: [{ ContainerName: CONTAINER_NAME, ContainerPort: c.port, TargetGroupArn: spec.targetGroupArn }],
    NetworkConfiguration: {
      AwsvpcConfiguration: {
        Subnets: t.import(Network.PrivateSubnetIds),
        SecurityGroups: [t.import(Network.AppSecurityGroupId)],
        AssignPublicIp: 'DISABLED',
      },
    },
    DeploymentConfiguration: {
      MinimumHealthyPercent: 100,
      MaximumPercent: 200,
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    },
    HealthCheckGracePeriodSeconds: c.grace,
    EnableExecuteCommand: either<Value<boolean>>('ExecEnabled', true, false),
    EnableECSManagedTags: true,
    PropagateTags: 'SERVICE',
    Tags: t.tags(),
  });
  if (spec.dependsOn?.length) service.dependsOn(spec.dependsOn);
  return t.add(SERVICE_LOGICAL_ID, service);
}

/**
 * Adds a complete service to `t`: parameters, roles, task definition, service and autoscaling.
 * Returns the service and the task role (for outputs and tests).
 */
export function addEcsService(
  t: TemplateBuilder<'application'>,
  spec: ServiceSpec,
  opts: ServiceOptions = {},
): { service: Handle; taskRole: Handle; executionRole: Handle } {
  const image = serviceImage(t, opts.image ?? 'parameter');
  const c = containerParams(t);
  const size = taskSizeParams(t);
  const scaling = scalingParams(t);
  t.condition('HasEnvironmentFile', notEmpty(c.envFile));
  t.condition('HasContainerHealthCheck', notEmpty(c.healthCommand));
  t.condition('HasContainerUser', notEmpty(c.user));
  t.condition('ExecEnabled', Fn.Equals(c.exec, 'true'));
  t.condition('HasExtraPolicies', notEmpty(Fn.Join('', c.extraPolicies)));

  const logGroup = t.import(AppLoadBalancer.LogGroupName);
  const configSecretArn = t.import(AppLoadBalancer.ConfigSecretArn);
  const grant = mergedGrants(t, opts.links ?? []);
  const vars = containerVariables(configSecretArn, grant, opts);
  const inputs = {
    logGroupName: logGroup,
    configSecretArn,
    appKeyArn: t.import(AppLoadBalancer.AppKeyArn),
    pullStatements: image.pullStatements,
    injectsConfigKeys: (opts.secrets ?? []).length > 0,
    executionStatements: grant.executionRoleStatements,
    taskStatements: grant.taskRoleStatements as PolicyStatement[],
    envFile: { condition: 'HasEnvironmentFile', objectArn: c.envFile },
    execCondition: 'ExecEnabled',
    extraPolicies: { condition: 'HasExtraPolicies', arns: c.extraPolicies },
  };
  const roles = { execution: executionRole(t, 'ExecutionRole', inputs), task: taskRole(t, 'TaskRole', inputs) };
  const task = taskDefinition(t, spec, size, c, { image: image.image, roles, logGroup, vars });
  const cluster = t.import(EcsCluster.ClusterName);
  const service = ecsService(t, spec, c, task, cluster);
  autoscaling(t, cluster, service, scaling);
  t.output('ServiceName', 'The ECS service (for `aws ecs` commands and the console)', service.att('Name'));
  t.output('TaskRoleArn', 'The role the app calls AWS with', roles.task.att('Arn'));
  return { service, taskRole: roles.task, executionRole: roles.execution };
}
