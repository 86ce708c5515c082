/**
 * The template catalogue: every numbered template and its builder, in number order. `provision
 * synth` publishes exactly this list; the stage catalogue (stages/) adds options and stack names.
 */
import type { BuiltTemplate } from './kit/builder';
import type { TemplateIdValue } from './kit/ids';
import type { ServiceOptions } from './service/service';
import type { AlarmOptions } from './appAlarms';

/** What the deployer builds a per-stack variant from: services' links and image (32, 91), an app's stores (33). */
export type BuildOptions = ServiceOptions & AlarmOptions;
import { buildNetwork } from './network';
import { buildJumpboxes } from './jumpboxes';
import { buildEcsCluster } from './ecsCluster';
import { buildEksCluster } from './eksCluster';
import { buildEcrRepo } from './ecrRepo';
import { buildLoadBalancer } from './loadBalancer';
import { buildEcsService } from './ecsService';
import { buildAppAlarms } from './appAlarms';
import { buildExtraService } from './extraService';
import { buildPostgres } from './data/postgres';
import { buildDocumentDb } from './data/documentdb';
import { buildRedis } from './data/redis';
import { buildS3Bucket } from './data/s3Bucket';
import { buildSqsQueue } from './data/sqsQueue';
import { buildSnsTopic } from './data/snsTopic';

export interface CatalogueEntry {
  id: TemplateIdValue;
  /**
   * Builds the template. With no options: the published form. Services (32, 91) also take
   * per-stack options (links to data stores, the ECR import, baked-in environment, secret keys),
   * and the alarms (33) the app's data stores, which the deployer passes from the params file.
   */
  build: (options?: BuildOptions) => BuiltTemplate;
}

export const catalogue: CatalogueEntry[] = [
  { id: '11.env-network', build: buildNetwork },
  { id: '12.env-jumpboxes', build: buildJumpboxes },
  { id: '13.env-ecs-cluster', build: buildEcsCluster },
  { id: '14.env-eks-cluster', build: buildEksCluster },
  { id: '21.project-ecr-image-repo', build: buildEcrRepo },
  { id: '31.app-loadbalancer', build: buildLoadBalancer },
  { id: '32.app-ecs-service', build: buildEcsService },
  { id: '33.app-alarms', build: buildAppAlarms },
  { id: '41.data-postgres', build: buildPostgres },
  { id: '42.data-documentdb', build: buildDocumentDb },
  { id: '43.data-redis', build: buildRedis },
  { id: '44.data-s3-bucket', build: buildS3Bucket },
  { id: '45.data-sqs-queue', build: buildSqsQueue },
  { id: '46.data-sns-topic', build: buildSnsTopic },
  { id: '91.extra-service', build: buildExtraService },
];

/** The published file name of a template. */
export function fileName(id: TemplateIdValue): string {
  return `${id}.cf`;
}
