/**
 * The stage catalogue: for each numbered template, where its options live in a params file, the
 * parameters that are structural (set from the file's shape rather than as options), and how its
 * stacks are named. Dependencies are not written here: they come from the templates' imports.
 */
import { catalogue, type BuildOptions, type CatalogueEntry } from '../templates/catalogue';
import type { BuiltTemplate } from '../templates/kit/builder';
import { TemplateId, type TemplateIdValue } from '../templates/kit/ids';
import type { DataKind } from '../templates/kit/links';
import { PORT_PROTOCOL_PARAM, STORE_PARAM } from '../templates/appAlarms';

export type StageKey =
  | 'network'
  | 'jumpboxes'
  | 'ecsCluster'
  | 'eksCluster'
  | 'repository'
  | 'loadBalancer'
  | 'service'
  | 'extra'
  | 'alarms'
  | DataKind;

export interface StageDef {
  key: StageKey;
  templateId: TemplateIdValue;
  /** Shown in plans and progress. */
  title: string;
  /** Parameters filled from the params file's structure, not offered as options. */
  structural: readonly string[];
  /** Whether the stage's stacks can take links (services). */
  linkable?: boolean;
}

export const DATA_KINDS: readonly DataKind[] = ['postgres', 'documentdb', 'redis', 's3', 'sqs', 'sns'];

export const stages: Record<StageKey, StageDef> = {
  network: { key: 'network', templateId: TemplateId.network, title: 'Network', structural: [] },
  jumpboxes: { key: 'jumpboxes', templateId: TemplateId.jumpboxes, title: 'Jump boxes', structural: [] },
  ecsCluster: { key: 'ecsCluster', templateId: TemplateId.ecsCluster, title: 'ECS cluster', structural: [] },
  eksCluster: { key: 'eksCluster', templateId: TemplateId.eksCluster, title: 'EKS cluster', structural: [] },
  repository: { key: 'repository', templateId: TemplateId.ecrRepo, title: 'ECR repository', structural: [] },
  loadBalancer: { key: 'loadBalancer', templateId: TemplateId.loadBalancer, title: 'Load balancer', structural: [] },
  service: { key: 'service', templateId: TemplateId.ecsService, title: 'ECS service', structural: [], linkable: true },
  alarms: {
    key: 'alarms',
    templateId: TemplateId.appAlarms,
    title: 'Alarms and dashboard',
    // From the app's load balancer (stages/alarms.ts); the store parameters are the published form's only.
    structural: [PORT_PROTOCOL_PARAM, ...Object.values(STORE_PARAM)],
  },
  extra: {
    key: 'extra',
    templateId: TemplateId.extraService,
    title: 'Extra service',
    structural: ['Suffix'],
    linkable: true,
  },
  postgres: { key: 'postgres', templateId: TemplateId.postgres, title: 'Aurora PostgreSQL', structural: ['DataName'] },
  documentdb: { key: 'documentdb', templateId: TemplateId.documentdb, title: 'DocumentDB', structural: ['DataName'] },
  redis: { key: 'redis', templateId: TemplateId.redis, title: 'Redis', structural: ['DataName'] },
  s3: { key: 's3', templateId: TemplateId.s3Bucket, title: 'S3 bucket', structural: ['DataName'] },
  sqs: { key: 'sqs', templateId: TemplateId.sqsQueue, title: 'SQS queue', structural: ['DataName'] },
  sns: { key: 'sns', templateId: TemplateId.snsTopic, title: 'SNS topic', structural: ['DataName'] },
};

function entry(id: TemplateIdValue): CatalogueEntry {
  const e = catalogue.find((c) => c.id === id);
  if (!e) throw new Error(`template ${id} is not in the catalogue`);
  return e;
}

const published = new Map<TemplateIdValue, BuiltTemplate>();

/** The published (no-links) form of a stage's template, built once per process. */
export function publishedTemplate(stage: StageDef): BuiltTemplate {
  let built = published.get(stage.templateId);
  if (!built) {
    built = entry(stage.templateId).build();
    published.set(stage.templateId, built);
  }
  return built;
}

/** The template for one stack of a stage: the published form, or a per-stack variant for services. */
export function stackTemplate(stage: StageDef, options: BuildOptions = {}): BuiltTemplate {
  const custom = Boolean(
    options.links?.length ||
    options.image === 'ecr' ||
    Object.keys(options.environment ?? {}).length ||
    options.secrets?.length ||
    options.stores,
  );
  return custom ? entry(stage.templateId).build(options) : publishedTemplate(stage);
}
