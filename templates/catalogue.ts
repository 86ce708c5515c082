/**
 * The template catalogue: every numbered template and its builder, in number order. `provision
 * synth` publishes exactly this list; the stage catalogue (stages/) adds options and stack names.
 */
import type { BuiltTemplate } from './kit/builder';
import type { TemplateIdValue } from './kit/ids';
import type { ServiceOptions } from './service/service';
import { buildNetwork } from './network';
import { buildJumpboxes } from './jumpboxes';
import { buildEcsCluster } from './ecsCluster';
import { buildEksCluster } from './eksCluster';
import { buildAccessLogs } from './accessLogs';
import { buildDnsZone } from './dnsZone';
import { buildCertificate } from './certificate';
import { buildEcrRepo } from './ecrRepo';
import { buildLoadBalancer } from './loadBalancer';
import { buildEcsService } from './ecsService';
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
   * which the deployer passes from the params file.
   */
  build: (options?: ServiceOptions) => BuiltTemplate;
}

export const catalogue: CatalogueEntry[] = [
  { id: '11.env-network', build: buildNetwork },
  { id: '12.env-jumpboxes', build: buildJumpboxes },
  { id: '13.env-ecs-cluster', build: buildEcsCluster },
  { id: '14.env-eks-cluster', build: buildEksCluster },
  { id: '15.env-access-logs', build: buildAccessLogs },
  { id: '16.env-dns-zone', build: buildDnsZone },
  { id: '17.env-certificate', build: buildCertificate },
  { id: '21.project-ecr-image-repo', build: buildEcrRepo },
  { id: '31.app-loadbalancer', build: buildLoadBalancer },
  { id: '32.app-ecs-service', build: buildEcsService },
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
