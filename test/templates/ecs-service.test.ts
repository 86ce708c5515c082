/** 32.app-ecs-service: least privilege, private networking, Fargate sizes, autoscaling, options. */
import { buildEcsService } from '../../templates/ecsService';
import { TemplateBuilder } from '../../templates/kit/builder';
import { toJson } from '../../templates/kit/cf';
import { linkGrant } from '../../templates/links';
import { CONFIG_ENV } from '../../templates/service/service';
import { iamStatements, json, ofType, resource, type JsonTemplate } from '../helpers/templates';
import { brokenRules } from '../helpers/rules';

const t = json(buildEcsService());
const imp = (key: string) => ({ 'Fn::ImportValue': { 'Fn::Sub': key } });
const app = (key: string) => imp(`\${Prefix}\${EnvironmentName}-\${ApplicationName}-${key}`);
const container = (tpl: JsonTemplate) => resource(tpl, 'TaskDefinition').Properties.ContainerDefinitions[0];
/** Statements of one role, with Fn::If-wrapped ones unwrapped (and marked with their condition). */
const statementsOf = (tpl: JsonTemplate, role: string) =>
  iamStatements(tpl)
    .filter((s) => s.where === role)
    .map(({ statement }) =>
      statement['Fn::If'] ? { ...statement['Fn::If'][1], when: statement['Fn::If'][0] } : statement,
    );
/** Required values without defaults: the image (a repository or a public image). */
const given = { RepositoryName: 'acme-web' };
const withAction = (tpl: JsonTemplate, role: string, action: string) =>
  statementsOf(tpl, role).filter((s) => [].concat(s.Action).includes(action as never));

/** AWS's Fargate table (Linux), written out independently of the builder's. */
function fargateAllows(cpu: number, memMiB: number): boolean {
  const gib = memMiB / 1024;
  const between = (lo: number, hi: number, step: number) =>
    gib >= lo && gib <= hi && Number.isInteger((gib - lo) / step);
  switch (cpu) {
    case 256:
      return [0.5, 1, 2].includes(gib);
    case 512:
      return between(1, 4, 1);
    case 1024:
      return between(2, 8, 1);
    case 2048:
      return between(4, 16, 1);
    case 4096:
      return between(8, 30, 1);
    case 8192:
      return between(16, 60, 4);
    case 16384:
      return between(32, 120, 8);
    default:
      return false;
  }
}

describe('task size: Fargate combinations are checked before any resource is touched', () => {
  const cpus: string[] = t.Parameters.Cpu.AllowedValues;
  const memories: string[] = t.Parameters.Memory.AllowedValues;

  test('every CPU/memory pair is accepted exactly when Fargate accepts it', () => {
    const wrong: string[] = [];
    for (const cpu of cpus) {
      for (const memory of memories) {
        const refused = brokenRules(t, { ...given, LaunchType: 'FARGATE', Cpu: cpu, Memory: memory }).length > 0;
        if (refused === fargateAllows(Number(cpu), Number(memory))) wrong.push(`${cpu}/${memory}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cpus).toEqual(['256', '512', '1024', '2048', '4096', '8192', '16384']);
  });

  test("the default (256 CPU, 512 MiB: Opta's smallest request rounded up to Fargate's smallest) passes", () => {
    expect([t.Parameters.Cpu.Default, t.Parameters.Memory.Default]).toEqual(['256', '512']);
    expect(brokenRules(t, given)).toEqual([]);
  });

  test("a bad pair names the CPU size; EC2 tasks are not held to Fargate's table", () => {
    expect(brokenRules(t, { ...given, Cpu: '256', Memory: '4096' })).toEqual(['FargateMemoryForCpu256']);
    expect(brokenRules(t, { ...given, LaunchType: 'EC2', Cpu: '256', Memory: '4096' })).toEqual([]);
    const task = resource(t, 'TaskDefinition').Properties;
    expect(task).toMatchObject({
      Cpu: { Ref: 'Cpu' },
      Memory: { Ref: 'Memory' },
      RequiresCompatibilities: [{ Ref: 'LaunchType' }],
      NetworkMode: 'awsvpc',
    });
    expect(t.Parameters.LaunchType).toMatchObject({ Default: 'FARGATE', AllowedValues: ['FARGATE', 'EC2'] });
  });

  test('ECS Exec needs a writable root file system: the rule refuses the pair', () => {
    expect(brokenRules(t, { ...given, EnableExecuteCommand: 'true', ReadonlyRootFilesystem: 'true' })).toEqual([
      'ExecNeedsWritableRoot',
    ]);
    expect(brokenRules(t, { ...given, EnableExecuteCommand: 'true' })).toEqual([]); // the root is writable by default
  });
});

describe('networking: private subnets only, no public IPs', () => {
  test('tasks run in the private subnets with the app security group and no public IP', () => {
    const vpc = resource(t, 'Service').Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(vpc.AssignPublicIp).toBe('DISABLED');
    expect(vpc.Subnets).toEqual({ 'Fn::Split': [',', imp('${Prefix}${EnvironmentName}-PrivateSubnetIds')] });
    expect(vpc.SecurityGroups).toEqual([imp('${Prefix}${EnvironmentName}-AppSecurityGroupId')]);
  });

  test("registered with the app's target group on the container port, which the app group opens", () => {
    expect(resource(t, 'Service').Properties.LoadBalancers).toEqual([
      { ContainerName: 'app', ContainerPort: { Ref: 'ContainerPort' }, TargetGroupArn: app('TargetGroupArn') },
    ]);
    expect(container(t).PortMappings).toEqual([{ ContainerPort: { Ref: 'ContainerPort' }, Protocol: 'tcp' }]);
    expect([t.Parameters.ContainerPort.MinValue, t.Parameters.ContainerPort.MaxValue]).toEqual([1024, 65535]);
  });

  test('deployments roll back by themselves when new tasks keep failing', () => {
    expect(resource(t, 'Service').Properties.DeploymentConfiguration).toMatchObject({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      MinimumHealthyPercent: 100,
    });
    expect(resource(t, 'Service').Properties.DesiredCount).toBeUndefined(); // autoscaling owns the count
  });
});

describe('least privilege', () => {
  test('the task reads exactly its configuration secret, decrypting only through Secrets Manager', () => {
    expect(withAction(t, 'TaskRole', 'secretsmanager:GetSecretValue').map((s) => s.Resource)).toEqual([
      [app('ConfigSecretArn')],
    ]);
    const [decrypt, ...more] = withAction(t, 'TaskRole', 'kms:Decrypt');
    expect(more).toEqual([]);
    expect(decrypt.Resource).toEqual([app('AppKeyArn')]);
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } },
    });
  });

  test('the app finds its configuration in JUICE_CONFIG (no manual IAM step, no value in the template)', () => {
    expect(container(t).Environment).toEqual([{ Name: CONFIG_ENV, Value: app('ConfigSecretArn') }]);
    expect(container(t).Secrets).toBeUndefined();
  });

  test("the execution role writes only the app's log group, which the container logs to", () => {
    const [logs] = withAction(t, 'ExecutionRole', 'logs:PutLogEvents');
    expect(logs.Resource).toEqual([
      {
        'Fn::Sub': [
          'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:*',
          { LogGroup: app('LogGroupName') },
        ],
      },
    ]);
    expect(container(t).LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': app('LogGroupName'), 'awslogs-stream-prefix': 'app' },
    });
  });

  test('"*" only where AWS allows nothing narrower, and each only when its feature is on', () => {
    const star = iamStatements(t)
      .map(({ where, statement }) => ({
        where,
        s: statement['Fn::If'] ? { ...statement['Fn::If'][1], when: statement['Fn::If'][0] } : statement,
      }))
      .filter(({ s }) => [].concat(s.Resource).includes('*' as never))
      .map(({ where, s }) => ({ where, actions: s.Action, when: s.when }));
    expect(star).toEqual([
      { where: 'ExecutionRole', actions: ['ecr:GetAuthorizationToken'], when: 'UseEcrImage' },
      { where: 'TaskRole', actions: expect.arrayContaining(['ssmmessages:CreateControlChannel']), when: 'ExecEnabled' },
    ]);
  });

  test('extra managed policies only when given', () => {
    expect(resource(t, 'TaskRole').Properties.ManagedPolicyArns).toEqual({
      'Fn::If': ['HasExtraPolicies', { Ref: 'ExtraManagedPolicyArns' }, { Ref: 'AWS::NoValue' }],
    });
    expect(resource(t, 'ExecutionRole').Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the task role can be assumed only by ECS acting for this account', () => {
    const trust = resource(t, 'TaskRole').Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });
});

describe("image: the project's ECR repository or a public image", () => {
  test('published form: a public image wins when set, and no ECR export is imported (a public-image app needs no ECR stack)', () => {
    expect(container(t).Image).toEqual({
      'Fn::If': [
        'UsePublicImage',
        { Ref: 'PublicImage' },
        { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${RepositoryName}:${ImageTag}' },
      ],
    });
    expect(JSON.stringify(t)).not.toContain('ecr-${RepositoryName}');
  });

  test('pulls only from the named repository, and only when the image comes from ECR', () => {
    const [pull] = withAction(t, 'ExecutionRole', 'ecr:BatchGetImage');
    expect(pull).toMatchObject({
      when: 'UseEcrImage',
      Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${RepositoryName}' },
      ],
    });
    expect(brokenRules(t, { RepositoryName: '', PublicImage: '' })).toEqual(['ImageIsGiven']);
    expect(brokenRules(t, { RepositoryName: '', PublicImage: 'nginx:1.27' })).toEqual([]);
  });

  test('ecr form: imports the repository (so the deployer orders 21 first) and pulls from exactly it', () => {
    const built = buildEcsService({ image: 'ecr' });
    const e = toJson(built.template) as JsonTemplate;
    expect(built.imports.map((i) => i.contract.key)).toEqual(
      expect.arrayContaining(['RepositoryUri', 'RepositoryArn']),
    );
    expect(container(e).Image).toEqual({
      'Fn::Join': [':', [imp('ecr-${RepositoryName}-RepositoryUri'), { Ref: 'ImageTag' }]],
    });
    expect(withAction(e, 'ExecutionRole', 'ecr:BatchGetImage')[0].Resource).toEqual([
      imp('ecr-${RepositoryName}-RepositoryArn'),
    ]);
    expect(e.Parameters.PublicImage).toBeUndefined();
    expect(e.Parameters.RepositoryName.Default).toBeUndefined();
  });
});

describe('autoscaling on CPU and on memory (Opta: 1 to 3 tasks, 80 % each)', () => {
  test('a scalable target between the min and max parameters', () => {
    const [[, target]] = ofType(t, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(target!.Properties).toMatchObject({
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: { Ref: 'MinContainers' },
      MaxCapacity: { Ref: 'MaxContainers' },
    });
    expect([t.Parameters.MinContainers.Default, t.Parameters.MaxContainers.Default]).toEqual([1, 3]);
  });

  test('target tracking on both metrics', () => {
    const policies = ofType(t, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([, p]) => p.Properties.TargetTrackingScalingPolicyConfiguration,
    );
    expect(policies.map((p) => [p.PredefinedMetricSpecification.PredefinedMetricType, p.TargetValue])).toEqual([
      ['ECSServiceAverageCPUUtilization', { Ref: 'TargetCpuPercent' }],
      ['ECSServiceAverageMemoryUtilization', { Ref: 'TargetMemoryPercent' }],
    ]);
    expect([t.Parameters.TargetCpuPercent.Default, t.Parameters.TargetMemoryPercent.Default]).toEqual([80, 80]);
  });
});

describe('what the deployer adds: links, environment, secret keys', () => {
  test("a link's grant is merged into the container and both roles, unchanged", () => {
    const link = { kind: 'postgres' as const, name: 'main' };
    const grant = toJson(
      linkGrant(
        new TemplateBuilder({
          id: '32.app-ecs-service',
          scope: 'application',
          description: 'x',
          stackSuffix: 'service',
          group: 'g',
        }),
        link,
      ),
    );
    const l = json(buildEcsService({ links: [link] }));
    expect(container(l).Secrets).toEqual(grant.secrets);
    expect(statementsOf(l, 'ExecutionRole')).toEqual(expect.arrayContaining(grant.executionRoleStatements));
    expect(statementsOf(l, 'TaskRole')).toEqual(expect.arrayContaining(grant.taskRoleStatements));
  });

  test('environment variables are baked in; secret keys come from the configuration secret by ECS', () => {
    const o = json(buildEcsService({ environment: { FLAG: 'true' }, secrets: ['API_KEY'] }));
    expect(container(o).Environment).toContainEqual({ Name: 'FLAG', Value: 'true' });
    expect(container(o).Secrets).toEqual([
      { Name: 'API_KEY', ValueFrom: { 'Fn::Join': [':', [app('ConfigSecretArn'), 'API_KEY', '', '']] } },
    ]);
    // Only then may the execution role read the configuration secret (and only that one).
    expect(withAction(o, 'ExecutionRole', 'secretsmanager:GetSecretValue').map((s) => s.Resource)).toEqual([
      [app('ConfigSecretArn')],
    ]);
    expect(withAction(t, 'ExecutionRole', 'secretsmanager:GetSecretValue')).toEqual([]);
  });

  test('a variable set twice, or with an invalid name, fails the build', () => {
    expect(() => buildEcsService({ environment: { [CONFIG_ENV]: 'x' } })).toThrow(/JUICE_CONFIG is set twice/);
    expect(() =>
      buildEcsService({ environment: { main_db_host: 'x' }, links: [{ kind: 'postgres', name: 'main' }] }),
    ).toThrow(/set twice/);
    expect(() => buildEcsService({ secrets: ['not-valid'] })).toThrow(/not a valid name/);
  });
});
