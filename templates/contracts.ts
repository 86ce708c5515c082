/**
 * Every cross-stack export of the catalogue, in one place (the contract between stages, like
 * Copilot's name.go). Producers call `t.export(Contract, value)`; consumers call
 * `t.import(Contract)`. The deployer reads the imports to order the stages.
 */
import { appExport, envExport, projectExport } from './kit/exports';
import { TemplateId } from './kit/ids';

/** 11.env-network */
export const Network = {
  VpcId: envExport(TemplateId.network, 'VpcId', 'The VPC id'),
  VpcCidr: envExport(TemplateId.network, 'VpcCidr', 'The VPC CIDR block'),
  PublicSubnetIds: envExport(TemplateId.network, 'PublicSubnetIds', 'Public subnets, one per AZ (load balancers, NAT gateways)', { kind: 'list' }),
  PrivateSubnetIds: envExport(TemplateId.network, 'PrivateSubnetIds', 'Private subnets, one per AZ, with outbound access through NAT (services, nodes, jump boxes)', { kind: 'list' }),
  DataSubnetIds: envExport(TemplateId.network, 'DataSubnetIds', 'Isolated data subnets, one per AZ, with no route to the internet (databases, caches)', { kind: 'list' }),
  LoadBalancerSecurityGroupId: envExport(TemplateId.network, 'LoadBalancerSecurityGroupId', 'Security group for load balancers: HTTP and HTTPS from anywhere'),
  AppSecurityGroupId: envExport(TemplateId.network, 'AppSecurityGroupId', 'Security group for app tasks and nodes: reachable only from the load balancers'),
  DatabaseSecurityGroupId: envExport(TemplateId.network, 'DatabaseSecurityGroupId', 'Security group for databases: reachable only from apps (and jump boxes) on database ports'),
  CacheSecurityGroupId: envExport(TemplateId.network, 'CacheSecurityGroupId', 'Security group for caches: reachable only from apps (and jump boxes) on the Redis port'),
  DbSubnetGroupName: envExport(TemplateId.network, 'DbSubnetGroupName', 'RDS / Aurora / DocumentDB subnet group over the data subnets'),
  CacheSubnetGroupName: envExport(TemplateId.network, 'CacheSubnetGroupName', 'ElastiCache subnet group over the data subnets'),
  AvailabilityZones: envExport(TemplateId.network, 'AvailabilityZones', 'The availability zones in use', { kind: 'list' }),
} as const;

// ---- 12.env-jumpboxes: (no exports yet) ----

// ---- 13.env-ecs-cluster ----
export const EcsCluster = {
  ClusterName: envExport(TemplateId.ecsCluster, 'EcsClusterName', 'The ECS cluster name'),
  ClusterArn: envExport(TemplateId.ecsCluster, 'EcsClusterArn', 'The ECS cluster ARN'),
} as const;

// ---- 14.env-eks-cluster ----
export const EksCluster = {
  ClusterName: envExport(TemplateId.eksCluster, 'EksClusterName', 'The EKS cluster name'),
  ClusterArn: envExport(TemplateId.eksCluster, 'EksClusterArn', 'The EKS cluster ARN'),
  OidcProviderArn: envExport(TemplateId.eksCluster, 'EksOidcProviderArn', 'The IAM OIDC provider for service-account roles'),
} as const;

// ---- 21.project-ecr-image-repo ----
export const EcrRepo = {
  RepositoryArn: projectExport(TemplateId.ecrRepo, 'RepositoryArn', 'The ECR repository ARN'),
  RepositoryUri: projectExport(TemplateId.ecrRepo, 'RepositoryUri', 'The ECR repository URI (docker push target)'),
} as const;

// ---- 31.app-loadbalancer ----
// ---- 32.app-ecs-service ----
// ---- 4x data stores ----
// ---- 91.extra-service ----

/** Kept referenced so unused-import linting does not strip the helper while sections fill in. */
export const _appExport = appExport;
