/**
 * The catalogue's template ids. Each id is also the published file name without `.cf`; these names
 * are a contract (people bookmark the published URLs), so never rename one.
 */
export const TemplateId = {
  network: '11.env-network',
  jumpboxes: '12.env-jumpboxes',
  ecsCluster: '13.env-ecs-cluster',
  eksCluster: '14.env-eks-cluster',
  ecrRepo: '21.project-ecr-image-repo',
  loadBalancer: '31.app-loadbalancer',
  ecsService: '32.app-ecs-service',
  appAlarms: '33.app-alarms',
  postgres: '41.data-postgres',
  documentdb: '42.data-documentdb',
  redis: '43.data-redis',
  s3Bucket: '44.data-s3-bucket',
  sqsQueue: '45.data-sqs-queue',
  snsTopic: '46.data-sns-topic',
  extraService: '91.extra-service',
} as const;

export type TemplateKey = keyof typeof TemplateId;
export type TemplateIdValue = (typeof TemplateId)[TemplateKey];

/** The number at the front of an id: 11, 21, 32... (the coarse deploy order). */
export function templateNumber(id: TemplateIdValue): number {
  return Number(id.split('.')[0]);
}
