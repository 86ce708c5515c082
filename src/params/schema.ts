/**
 * The params file: one YAML document describing an environment (its stages, repositories and
 * apps). This module is its single definition: validation, the published JSON Schema and the
 * wizard all derive from it. Stage options come from the templates' own parameters
 * (stages/options.ts), so only the file's shape is written here.
 */
import { z } from 'zod';
import { DATA_KINDS, publishedTemplate, stages, type StageDef } from '../../stages/catalogue';
import { stageOptionsSchema } from '../../stages/options';
import { Patterns, type PatternName } from '../../templates/kit/names';

function name(kind: PatternName, what: string): z.ZodString {
  const rule = Patterns[kind];
  return z
    .string({ message: `${what} is required` })
    .regex(new RegExp(rule.pattern), rule.message)
    .describe(rule.message);
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

function options(stage: StageDef, extra: Record<string, z.ZodType> = {}): z.ZodObject {
  return stageOptionsSchema(publishedTemplate(stage), stage.structural, extra).describe(
    `Options of ${stage.templateId} (its template parameters, in camelCase)`,
  );
}

const access = z.enum(['read', 'write', 'publish', 'subscribe']);

const linkSchema = z
  .strictObject({
    name: name('DataName', "a link's name (the data store it links to)"),
    access: z
      .array(access)
      .optional()
      .describe(
        's3: read and/or write; sqs and sns: publish and/or subscribe (for sqs, write and read mean the same); databases and caches: none',
      ),
  })
  .describe('Links a service to a data store of the same app: credentials as ECS secrets, IAM scoped to that store');

function dataSchema(kind: (typeof DATA_KINDS)[number]): z.ZodObject {
  return options(stages[kind], { kind: z.literal(kind), name: name('DataName', 'a data store name') });
}

/** `apps[].alarms`: the thresholds of 33, and the way to go without it. */
function alarmsSchema() {
  const enabled = z
    .boolean()
    .optional()
    .describe('false: no alarms stack for this app (an app with a service gets one by default)');
  return options(stages.alarms, { enabled })
    .optional()
    .describe(
      "33.app-alarms thresholds: the app's alarms, their topic (ContactEmail subscribed) and dashboard; built for every app with a service",
    );
}

/** Builds the params-file schema (templates are built once to read their parameters). */
export function paramsSchema() {
  const links = z.array(linkSchema).optional();
  const service = {
    links,
    environment: z
      .record(
        z
          .string()
          .regex(
            /^[A-Za-z_][A-Za-z0-9_]*$/,
            'an environment variable name is letters, digits and _, not starting with a digit',
          ),
        z.union([z.string(), z.number(), z.boolean()]).transform(String),
      )
      .optional()
      .describe('Plain (non-secret) environment variables baked into the task definition'),
    secrets: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a secret key is letters, digits and _'))
      .optional()
      .describe("Keys of the app's configuration secret that ECS injects as environment variables of the same name"),
  };
  const app = z.strictObject({
    name: name('ApplicationName', 'an app name'),
    loadBalancer: options(stages.loadBalancer).optional().describe('31.app-loadbalancer options'),
    service: options(stages.service, service)
      .optional()
      .describe('32.app-ecs-service options; omit for an app with only a load balancer'),
    alarms: alarmsSchema(),
    extras: z
      .array(options(stages.extra, { suffix: name('ExtraSuffix', 'an extra service suffix'), ...service }))
      .optional()
      .describe("91.extra-service: services piggybacked on the app's load balancer, one per suffix"),
    data: z
      .array(z.discriminatedUnion('kind', DATA_KINDS.map(dataSchema) as [z.ZodObject, z.ZodObject, ...z.ZodObject[]]))
      .optional()
      .describe('Data stores of this app (41-46), each with a kind and a name'),
  });
  return z.strictObject({
    $schema: z.string().optional(),
    environment: name('EnvironmentName', 'environment'),
    prefix: name('Prefix', 'prefix'),
    region: z.string({ message: 'region is required' }).regex(REGION, 'a region looks like "us-east-1"'),
    profile: z.string().optional().describe('AWS profile to use (overridden by --profile)'),
    protected: z
      .boolean()
      .optional()
      .describe(
        'The protection switch: true turns on stack termination protection and the deletion protection of databases and load balancers for the whole environment; false turns them all off; absent, each template keeps its default (databases protected)',
      ),
    tags: z
      .strictObject({
        contactEmail: name('ContactEmail', 'tags.contactEmail'),
        costCode: name('CostCode', 'tags.costCode').optional(),
        extra: z
          .record(
            z.string().regex(/^[\w.:/=+@ -]{1,128}$/, 'a tag key is 1 to 128 letters, digits, spaces or _.:/=+-@'),
            z.string().max(256),
          )
          .optional(),
      })
      .describe('ContactEmail and CostCode go on every resource; extra tags go on every stack'),
    network: options(stages.network).optional().describe('11.env-network options'),
    jumpboxes: options(stages.jumpboxes).optional().describe('12.env-jumpboxes: present to build jump boxes'),
    ecsCluster: options(stages.ecsCluster).optional().describe('13.env-ecs-cluster: present to build an ECS cluster'),
    eksCluster: options(stages.eksCluster).optional().describe('14.env-eks-cluster: present to build an EKS cluster'),
    repositories: z
      .array(options(stages.repository, { name: name('RepositoryName', 'a repository name') }))
      .optional()
      .describe('21.project-ecr-image-repo: image repositories (shared by every environment of the project)'),
    apps: z.array(app).optional(),
  });
}

export type ParamsFile = z.infer<ReturnType<typeof paramsSchema>>;

/** The JSON Schema of the params file, for editors (published as published/params.schema.json). */
export function paramsJsonSchema(): unknown {
  const schema = z.toJSONSchema(paramsSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'cfn-stages params file',
    description: 'An environment for `provision deploy --params FILE`: its stages, image repositories and apps.',
  };
}
