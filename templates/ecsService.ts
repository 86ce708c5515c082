/**
 * 32.app-ecs-service: the application's main service, registered with the target group of its
 * load balancer (31). Everything a service is made of (roles, task definition, autoscaling) is in
 * templates/service/, shared with the extra services of 91.
 *
 * The published template is built with no options: no links, the image from the project's ECR
 * repository by name or a public image. The deployer builds each app's own variant with its links,
 * environment and secret keys (see `ServiceOptions`).
 */
import { AppLoadBalancer, AppService } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type TemplateIdentity } from './kit/builder';
import { sub } from './kit/cf';
import { addEcsService, type ServiceOptions } from './service/service';

/**
 * The stream prefix of the main service's tasks in the app's log group: awslogs names each task's
 * stream `<prefix>/<container>/<task id>` (extra services use their suffix). `provision logs` reads it.
 */
export const MAIN_LOG_STREAM_PREFIX = 'app';

/** Who 32 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const EcsServiceTemplate: TemplateIdentity<'application'> = {
  id: '32.app-ecs-service',
  scope: 'application',
  stackSuffix: 'service',
};

/** Builds 32; with no options, the published template (see `ServiceOptions` for the deployer's). */
export function buildEcsService(opts: ServiceOptions = {}): BuiltTemplate {
  const t = new TemplateBuilder({
    ...EcsServiceTemplate,
    description:
      "App service: Fargate (or EC2) task definition, ECS service on the app's target group, least-privilege roles, CPU/memory autoscaling",
    group: 'Container',
  });
  const { service } = addEcsService(
    t,
    {
      family: sub('${Prefix}${EnvironmentName}-${ApplicationName}'),
      logStreamPrefix: MAIN_LOG_STREAM_PREFIX,
      targetGroupArn: t.import(AppLoadBalancer.TargetGroupArn),
    },
    opts,
  );
  t.export(AppService.ServiceName, service.att('Name'));
  return t.build();
}
