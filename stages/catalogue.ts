/**
 * The catalogue: one row per numbered template, holding everything the tool knows about it: which
 * template (its id, scope and stack-name rule, declared by its own module) and its builder, where
 * its options live in a params file (and so how many stacks it makes), its title and help, the
 * questions the wizard asks up front, and whether services can link to data. The params schema,
 * planning, discovery of an existing environment, the wizard, `synth` and the docs tables iterate
 * over these rows; nothing else lists the templates. Dependencies are not written here: they come
 * from the templates' imports (stages/plan.ts).
 *
 * Adding a template: its builder module (exporting its `TemplateIdentity`), its export contracts
 * (templates/contracts.ts), one row below, and its tests.
 */
import type { z } from 'zod';
import { EcsServiceTemplate, buildEcsService } from '../templates/ecsService';
import {
  AppAlarmsTemplate,
  PORT_PROTOCOL_PARAM,
  STORE_PARAM,
  buildAppAlarms,
  type AlarmOptions,
} from '../templates/appAlarms';
import { alarmsDraft, alarmsFields, type AlarmedApp } from './alarms';
import { EcrRepoTemplate, buildEcrRepo } from '../templates/ecrRepo';
import { EcsClusterTemplate, buildEcsCluster } from '../templates/ecsCluster';
import { EksClusterTemplate, buildEksCluster } from '../templates/eksCluster';
import { ExtraServiceTemplate, buildExtraService } from '../templates/extraService';
import { JumpboxesTemplate, buildJumpboxes } from '../templates/jumpboxes';
import { LoadBalancerTemplate, PublicUriParam, buildLoadBalancer } from '../templates/loadBalancer';
import { AccessLogsTemplate, buildAccessLogs } from '../templates/accessLogs';
import { CertificateTemplate, buildCertificate } from '../templates/certificate';
import { DnsZoneTemplate, buildDnsZone } from '../templates/dnsZone';
import { NetworkTemplate, buildNetwork } from '../templates/network';
import { DocumentDbTemplate, buildDocumentDb } from '../templates/data/documentdb';
import { PostgresTemplate, buildPostgres } from '../templates/data/postgres';
import { RedisTemplate, buildRedis } from '../templates/data/redis';
import { S3BucketTemplate, buildS3Bucket } from '../templates/data/s3Bucket';
import { SnsTopicTemplate, buildSnsTopic } from '../templates/data/snsTopic';
import { SqsQueueTemplate, buildSqsQueue } from '../templates/data/sqsQueue';
import type { BuiltTemplate, TemplateIdentity } from '../templates/kit/builder';
import type { ExportContract } from '../templates/kit/exports';
import type { TemplateId } from '../templates/kit/ids';
import type { DataKind } from '../templates/kit/links';
import type { PatternName } from '../templates/kit/names';
import type { ServiceOptions } from '../templates/service/service';
import { extraPriorities } from './check';

/** A section of its own (`network:`, `apps[].service`): one stack, built when present or always. */
export interface SectionPlace {
  kind: 'section';
  /** Top level of the params file, or inside each item of `apps:`. */
  at: 'environment' | 'app';
  /** Built even when the section is absent (with the template's defaults). */
  always?: boolean;
  /** Built (its own section optional) whenever this other section of the same level is present. */
  withSection?: string;
}

/** An item of a list (`repositories:`, `apps[].extras`, `apps[].data`): one stack per item. */
export interface ListPlace {
  kind: 'list';
  at: 'environment' | 'app';
  /** The list's key in the params file. */
  list: string;
  /** The item's field that names its stack, the template parameter it fills, its rule, and what it is. */
  name: { field: string; parameter: string; pattern: PatternName; what: string };
  /**
   * Several templates share the list, told apart by `kind: <row key>` in each item (data stores);
   * `help` then says what the list holds.
   */
  byKind?: { help: string };
}

/** Where a row's options live in a params file. */
export type Place = SectionPlace | ListPlace;

/** What a row says; {@link CatalogueRow} adds what follows from it. */
export interface RowSpec<K extends string = string> {
  /**
   * The params-file spelling: the section's key, the list item's `kind`, or (for a list of one
   * template) the list's singular. Also the stage's name in plans and for `--only`.
   */
  key: K;
  template: TemplateIdentity;
  /**
   * Builds the template. With no options: the published form. Services (32, 91) also take
   * per-stack options (links, the ECR import, baked-in environment, secret keys) from the params
   * file, and the alarms (33) the app's data stores.
   */
  build: (options?: BuildOptions) => BuiltTemplate;
  /** Shown in plans, progress and the wizard. */
  title: string;
  /** What it makes, in one line: the wizard's help, the params schema's description. */
  help: string;
  place: Place;
  /** Options (camelCase) the wizard asks up front; the rest wait behind "Advanced settings?". */
  questions: readonly string[];
  /** Services: may link to the app's data stores and run an image from a repository. */
  linkable?: boolean;
  /** For list items: the name the wizard suggests for a first one. */
  defaultName?: string;
  /**
   * Parameters the stack takes from a field of the level that holds its section, not from its own
   * options (31's `DomainName` and `PublicPath` from the app's `publicUri`).
   */
  fromHolder?: HolderField;
  /**
   * For list items: fills in what an item leaves to its place in the list (an extra service's
   * listener-rule priority), before the items are planned.
   */
  fillItems?: (items: Record<string, unknown>[]) => Record<string, unknown>[];
  /**
   * For an app's section whose stack follows from the rest of the app: whether the app gets it, and
   * what it takes from elsewhere in the app (other sections, data stores) besides its own options
   * (33: every app with a service, its load balancer's mode, its stores). Undefined: no stack.
   */
  fromApp?: (app: Record<string, unknown>, path: string) => AppDerived | undefined;
  /**
   * Fields of the row's section besides its template's options (33's `enabled`), for the params
   * schema. Given zod by the schema's builder, so that the catalogue itself loads without it.
   */
  sectionFields?: (zod: typeof z) => Record<string, z.ZodType>;
  /** Template parameters the deployer sets from elsewhere (or only console users set): never options. */
  setElsewhere?: readonly string[];
}

/** What the deployer builds a per-stack variant from: services' links and image (32, 91), an app's stores (33). */
export type BuildOptions = ServiceOptions & AlarmOptions;

/** What a `fromApp` row's stack takes from its app. */
export interface AppDerived {
  /** Its template options (its own section, without `sectionFields`). */
  options: Record<string, unknown>;
  /** Parameters from elsewhere in the app, and the params-file fields they come from. */
  parameters: Record<string, string>;
  fields: Record<string, string>;
  build?: BuildOptions;
}

/** A field of a section's level (the app) that fills some of the section's template parameters. */
export interface HolderField {
  /** Its key beside the section (`publicUri` in each item of `apps:`). */
  field: string;
  pattern: RegExp;
  message: string;
  help: string;
  /** The template parameters it fills. */
  parameters: readonly string[];
  /** Their values for the field's value (absent: the parameters' empty values). */
  values: (value: string | undefined) => Record<string, string>;
}

/** What follows from a row's spec. */
interface Derived {
  templateId: TemplateId;
  /** Parameters filled from the params file's shape (the list item's name), not offered as options. */
  structural: readonly string[];
}

/** A row of the catalogue: its spec and what follows from it. */
export interface CatalogueRow<K extends string = string> extends RowSpec<K>, Derived {}

/**
 * A row from its spec. The spec's literal types are kept (its key, place, whether it links), so
 * the params file's type can be derived from the rows (stages/params.ts).
 */
export function row<const S extends RowSpec>(spec: S): S & Derived {
  return {
    ...spec,
    templateId: spec.template.id,
    structural: [
      ...(spec.place.kind === 'list' ? [spec.place.name.parameter] : []),
      ...(spec.fromHolder?.parameters ?? []),
      ...(spec.setElsewhere ?? []),
    ],
  };
}

const env = (always = false) => ({ kind: 'section', at: 'environment', always }) as const;
const app = (always = false) => ({ kind: 'section', at: 'app', always }) as const;
const DATA = {
  kind: 'list',
  at: 'app',
  list: 'data',
  name: { field: 'name', parameter: 'DataName', pattern: 'DataName', what: 'a data store name' },
  byKind: { help: 'Data stores of this app' },
} as const satisfies ListPlace;

/**
 * An app's `publicUri` (Opta's `public_uri`: `acme.dev.example.com` or `acme.dev.example.com/shop`):
 * its load balancer's `DomainName` and `PublicPath`; none: both empty (HTTP only).
 */
const PUBLIC_URI = {
  field: 'publicUri',
  pattern: /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(\/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*\/?$/,
  message: `a public URI is a host in the environment's domain, optionally with a path: "acme.dev.example.com" or "acme.dev.example.com/shop"`,
  help: "The app's public address (host and optional path, like Opta's public_uri): the environment's domain or one label under it, served over HTTPS with the environment's certificate (HTTP redirected). Needs domain:. Without it the app is HTTP only, on the load balancer's name",
  parameters: [PublicUriParam.host, PublicUriParam.path],
  values: (uri) => {
    const { host, path } = splitPublicUri(uri);
    return { [PublicUriParam.host]: host, [PublicUriParam.path]: path };
  },
} as const satisfies HolderField;

/**
 * An app's public host must be the environment's domain or one label under it: the names the
 * environment's wildcard certificate (17) covers, in the zone (16) that holds the alias record.
 */
export function publicUriProblem(uri: string | undefined, domain: string | undefined): string | undefined {
  if (!uri) return undefined;
  if (!PUBLIC_URI.pattern.test(uri)) return PUBLIC_URI.message;
  const { host } = splitPublicUri(uri);
  if (!domain)
    return `"${host}" needs the environment's domain: add domain: { domainName: <a domain you own> } (a hosted zone and a certificate for it), or drop publicUri to serve the app over HTTP on the load balancer's name`;
  const label = host.endsWith(`.${domain}`) ? host.slice(0, -domain.length - 1) : undefined;
  if (host === domain || (label && !label.includes('.'))) return undefined;
  return `"${host}" is not ${domain} or a name one label under it (e.g. ${host.split('.')[0]}.${domain}): the environment's certificate covers ${domain} and *.${domain}`;
}

/** `acme.dev.example.com/shop/` -> host `acme.dev.example.com`, path `/shop`. */
export function splitPublicUri(uri: string | undefined): { host: string; path: string } {
  if (!uri) return { host: '', path: '' };
  const slash = uri.indexOf('/');
  return slash < 0
    ? { host: uri, path: '' }
    : { host: uri.slice(0, slash), path: uri.slice(slash).replace(/\/+$/, '') };
}

/** The rows with their literal types, from which the params file's type is derived. */
const rows = [
  row({
    key: 'network',
    template: NetworkTemplate,
    build: buildNetwork,
    title: 'Network',
    help: 'a VPC with public and private subnets in 2 or 3 zones, NAT, security groups and flow logs',
    place: env(true),
    questions: ['azCount', 'natGateways'],
  }),
  row({
    key: 'jumpboxes',
    template: JumpboxesTemplate,
    build: buildJumpboxes,
    title: 'Jump boxes',
    help: 'bastion instances reached through SSM Session Manager (no inbound SSH)',
    place: env(),
    questions: ['jumpBoxCount', 'instanceType'],
  }),
  row({
    key: 'ecsCluster',
    template: EcsClusterTemplate,
    build: buildEcsCluster,
    title: 'ECS cluster',
    help: "an ECS cluster with Fargate (and optional EC2) capacity, which runs the apps' services",
    place: env(),
    questions: ['defaultCapacityStrategy'],
  }),
  row({
    key: 'eksCluster',
    template: EksClusterTemplate,
    build: buildEksCluster,
    title: 'EKS cluster',
    help: 'an EKS cluster in the private subnets with a managed node group',
    place: env(),
    questions: ['kubernetesVersion', 'endpointAccess', 'nodeInstanceTypes', 'nodeCapacityType'],
  }),
  row({
    key: 'accessLogs',
    template: AccessLogsTemplate,
    build: buildAccessLogs,
    title: 'Access-log bucket',
    help: "the load balancers' access-log bucket (SSE-S3, log-delivery policy, expiry, kept on delete)",
    place: env(true),
    questions: [],
  }),
  row({
    key: 'domain',
    template: DnsZoneTemplate,
    build: buildDnsZone,
    title: 'DNS zone',
    help: "the environment's domain: a Route 53 hosted zone for it (or an existing zone), for HTTPS apps",
    place: env(),
    questions: ['domainName'],
  }),
  row({
    key: 'certificate',
    template: CertificateTemplate,
    build: buildCertificate,
    title: 'Certificate',
    help: 'an ACM certificate for the domain and *.domain, validated through the zone',
    place: { kind: 'section', at: 'environment', withSection: 'domain' },
    questions: [],
  }),
  row({
    key: 'repository',
    template: EcrRepoTemplate,
    build: buildEcrRepo,
    title: 'ECR repository',
    help: 'image repositories, shared by every environment of the project',
    place: {
      kind: 'list',
      at: 'environment',
      list: 'repositories',
      name: { field: 'name', parameter: 'RepositoryName', pattern: 'RepositoryName', what: 'a repository name' },
    },
    questions: ['imageTagMutability'],
  }),
  row({
    key: 'loadBalancer',
    template: LoadBalancerTemplate,
    build: buildLoadBalancer,
    title: 'Load balancer',
    help: "the app's load balancer, listeners, target group and configuration secret",
    place: app(true),
    fromHolder: PUBLIC_URI,
    questions: ['scheme', 'healthCheckPath'],
  }),
  row({
    key: 'service',
    template: EcsServiceTemplate,
    build: buildEcsService,
    title: 'ECS service',
    help: "the app's containers behind its load balancer, scaled between a minimum and maximum on CPU and memory",
    place: app(),
    questions: ['containerPort', 'cpu', 'memory', 'minContainers', 'maxContainers'],
    linkable: true,
  }),
  row({
    key: 'alarms',
    template: AppAlarmsTemplate,
    build: buildAppAlarms,
    title: 'Alarms and dashboard',
    help: "the app's alarms, their encrypted topic with the contact email subscribed, and its dashboard (every app with a service)",
    place: app(true),
    questions: [],
    fromApp: (app, path) => alarmsDraft(app as AlarmedApp, path),
    sectionFields: alarmsFields,
    // From the app's load balancer; the store parameters are the published form's only.
    setElsewhere: [PORT_PROTOCOL_PARAM, ...Object.values(STORE_PARAM)],
  }),
  ...dataRows(),
  row({
    key: 'extra',
    template: ExtraServiceTemplate,
    build: buildExtraService,
    title: 'Extra service',
    help: "services piggybacked on the app's load balancer, matched by path, one per suffix",
    place: {
      kind: 'list',
      at: 'app',
      list: 'extras',
      name: { field: 'suffix', parameter: 'Suffix', pattern: 'ExtraSuffix', what: 'an extra service suffix' },
    },
    fillItems: (items) => {
      const priorities = extraPriorities(items);
      return items.map((item, j) => ({ ...item, rulePriority: priorities[j] }));
    },
    questions: ['pathPrefix', 'rulePriority', 'containerPort', 'cpu', 'memory', 'minContainers', 'maxContainers'],
    linkable: true,
  }),
];

/** The data stores (41-46): items of `apps[].data`, told apart by `kind`; services link to them. */
function dataRows() {
  const data = <const K extends DataKind>(spec: Omit<RowSpec<K>, 'place'>) => row({ ...spec, place: DATA });
  return [
    data({
      key: 'postgres',
      template: PostgresTemplate,
      build: buildPostgres,
      title: 'Aurora PostgreSQL',
      help: 'Aurora PostgreSQL cluster, encrypted, credentials in Secrets Manager',
      questions: ['instanceClass', 'instances'],
      defaultName: 'db',
    }),
    data({
      key: 'documentdb',
      template: DocumentDbTemplate,
      build: buildDocumentDb,
      title: 'DocumentDB',
      help: 'DocumentDB (MongoDB API) cluster, encrypted, credentials in Secrets Manager',
      questions: ['instanceClass', 'instances'],
      defaultName: 'docs',
    }),
    data({
      key: 'redis',
      template: RedisTemplate,
      build: buildRedis,
      title: 'Redis',
      help: 'ElastiCache Redis replication group, encrypted in transit and at rest',
      questions: ['nodeType', 'nodes'],
      defaultName: 'cache',
    }),
    data({
      key: 's3',
      template: S3BucketTemplate,
      build: buildS3Bucket,
      title: 'S3 bucket',
      help: 'S3 bucket, encrypted and versioned, public access blocked',
      questions: ['bucketName'],
      defaultName: 'files',
    }),
    data({
      key: 'sqs',
      template: SqsQueueTemplate,
      build: buildSqsQueue,
      title: 'SQS queue',
      help: 'SQS queue with a dead-letter queue, encrypted',
      questions: ['fifo', 'visibilityTimeout'],
      defaultName: 'jobs',
    }),
    data({
      key: 'sns',
      template: SnsTopicTemplate,
      build: buildSnsTopic,
      title: 'SNS topic',
      help: "SNS topic, encrypted, optionally feeding the app's queues",
      questions: ['fifo', 'sqsSubscriber1'],
      defaultName: 'events',
    }),
  ];
}

/** One row, with its literal types (what stages/params.ts derives the params file's type from). */
export type LiteralRow = (typeof rows)[number];

/** A stage's name: a row's key (`network`, `service`, `postgres`...). */
export type StageKey = LiteralRow['key'];

/** A row of the catalogue (kept under its older name for the code that plans and asks). */
export type StageDef = CatalogueRow<StageKey>;

/** Every template, in number order (the order `synth` publishes them in). */
export const catalogue: readonly StageDef[] = rows;

/** The rows by key. */
export const stages = Object.fromEntries(catalogue.map((r) => [r.key, r])) as Record<StageKey, StageDef>;

/** Whether a row is a data store: an item of a list shared by kind. */
export function isDataRow(r: CatalogueRow): r is CatalogueRow<DataKind> {
  return r.place.kind === 'list' && Boolean(r.place.byKind);
}

/** The data-store kinds, from the rows: what `kind:` in `apps[].data` may say. */
export const DATA_KINDS: readonly DataKind[] = catalogue.filter(isDataRow).map((r) => r.key);

/** The row of a template id (`32.app-ecs-service` -> the `service` row), or undefined. */
export function rowOfTemplate(id: string): StageDef | undefined {
  return catalogue.find((r) => r.templateId === id);
}

/**
 * The row whose template exports a contract (contracts do not name their producer: the builder's
 * `export` call says it, and a test holds that every contract has exactly one).
 */
export function producerOf(contract: ExportContract): StageDef | undefined {
  return catalogue.find((r) => publishedTemplate(r).exports.includes(contract));
}

const published = new Map<TemplateId, BuiltTemplate>();

/** The published (no-links) form of a stage's template, built once per process. */
export function publishedTemplate(stage: CatalogueRow): BuiltTemplate {
  let built = published.get(stage.templateId);
  if (!built) {
    built = stage.build();
    published.set(stage.templateId, built);
  }
  return built;
}

/** The template for one stack of a stage: the published form, or a per-stack variant for services. */
export function stackTemplate(stage: CatalogueRow, options: BuildOptions = {}): BuiltTemplate {
  const custom = Boolean(
    options.links?.length ||
    options.image === 'ecr' ||
    Object.keys(options.environment ?? {}).length ||
    options.secrets?.length ||
    options.stores,
  );
  return custom ? stage.build(options) : publishedTemplate(stage);
}
