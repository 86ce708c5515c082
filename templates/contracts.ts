/**
 * Every cross-stack export of the catalogue, in one place (the contract between stages, like
 * Copilot's name.go). Producers call `t.export(Contract, value)`; consumers call
 * `t.import(Contract)`. The deployer reads the imports to order the stages. Which template
 * produces a contract is what its builder exports (a test holds that each has exactly one), so it
 * is not written here a second time.
 */
import { appExport, envExport, projectExport } from './kit/exports';

/** 11.env-network */
export const Network = {
  VpcId: envExport('VpcId', 'The VPC id'),
  VpcCidr: envExport('VpcCidr', 'The VPC CIDR block'),
  PublicSubnetIds: envExport('PublicSubnetIds', 'Public subnets, one per AZ (load balancers, NAT gateways)', {
    kind: 'list',
  }),
  PrivateSubnetIds: envExport(
    'PrivateSubnetIds',
    'Private subnets, one per AZ, with outbound access through NAT (services, nodes, jump boxes)',
    { kind: 'list' },
  ),
  DataSubnetIds: envExport(
    'DataSubnetIds',
    'Isolated data subnets, one per AZ, with no route to the internet (databases, caches)',
    { kind: 'list' },
  ),
  LoadBalancerSecurityGroupId: envExport(
    'LoadBalancerSecurityGroupId',
    'Security group for load balancers: HTTP and HTTPS from anywhere',
  ),
  AppSecurityGroupId: envExport(
    'AppSecurityGroupId',
    'Security group for app tasks and nodes: reachable only from the load balancers',
  ),
  DatabaseSecurityGroupId: envExport(
    'DatabaseSecurityGroupId',
    'Security group for databases: reachable only from apps (and jump boxes) on database ports',
  ),
  CacheSecurityGroupId: envExport(
    'CacheSecurityGroupId',
    'Security group for caches: reachable only from apps (and jump boxes) on the Redis port',
  ),
  DbSubnetGroupName: envExport('DbSubnetGroupName', 'RDS / Aurora / DocumentDB subnet group over the data subnets'),
  CacheSubnetGroupName: envExport('CacheSubnetGroupName', 'ElastiCache subnet group over the data subnets'),
  AvailabilityZones: envExport('AvailabilityZones', 'The availability zones in use', {
    kind: 'list',
  }),
} as const;

// ---- 12.env-jumpboxes: no exports (nothing builds on the jump boxes; their openings into the
// database and cache groups are rules in their own stack) ----

// ---- 13.env-ecs-cluster ----
/**
 * The cluster only. The optional EC2 capacity provider is not exported: its export would exist
 * only when EC2 capacity is on (see templates/ecsCluster.ts); services use the cluster's default
 * capacity provider strategy instead.
 */
export const EcsCluster = {
  ClusterName: envExport('EcsClusterName', 'The ECS cluster name'),
  ClusterArn: envExport('EcsClusterArn', 'The ECS cluster ARN'),
} as const;

// ---- 14.env-eks-cluster ----
export const EksCluster = {
  ClusterName: envExport('EksClusterName', 'The EKS cluster name'),
  ClusterArn: envExport('EksClusterArn', 'The EKS cluster ARN'),
  OidcProviderArn: envExport('EksOidcProviderArn', 'The IAM OIDC provider for service-account roles'),
} as const;

// ---- 15.env-access-logs ----
export const AccessLogs = {
  BucketName: envExport(
    'AccessLogBucketName',
    "The environment's load balancer access-log bucket (SSE-S3, ELB log delivery allowed)",
  ),
} as const;

// ---- 16.env-dns-zone ----
export const DnsZone = {
  HostedZoneId: envExport(
    'HostedZoneId',
    "The Route 53 hosted zone of the environment's domain (created here, or the existing one named)",
  ),
  DomainName: envExport('DomainName', "The environment's domain (apps are the domain or one label under it)"),
} as const;

// ---- 17.env-certificate ----
export const Certificate = {
  CertificateArn: envExport(
    'CertificateArn',
    "ACM certificate for the environment's domain and every name one label under it (DNS-validated)",
  ),
} as const;

// ---- 21.project-ecr-image-repo ----
export const EcrRepo = {
  RepositoryArn: projectExport('RepositoryArn', 'The ECR repository ARN'),
  RepositoryUri: projectExport('RepositoryUri', 'The ECR repository URI (docker push target)'),
} as const;

// ---- 31.app-loadbalancer ----
/**
 * What the app's load balancer stage hands its services (32, 91) and the deployer. In TCP mode
 * (a network load balancer) the listener and target group are the NLB's; listener rules (91) need
 * the HTTP mode.
 */
export const AppLoadBalancer = {
  ListenerArn: appExport(
    'ListenerArn',
    'The listener services attach rules to: HTTPS when the app has a certificate, else HTTP (TCP/TLS for a network load balancer)',
  ),
  TargetGroupArn: appExport(
    'TargetGroupArn',
    "The app's target group (IP targets): the main service registers its tasks here",
  ),
  LoadBalancerFullName: appExport(
    'LoadBalancerFullName',
    "The load balancer's full name (app/... or net/...), the dimension of its CloudWatch metrics",
  ),
  LoadBalancerDnsName: appExport('LoadBalancerDnsName', "The load balancer's DNS name (point the app's domain here)"),
  LogGroupName: appExport(
    'LogGroupName',
    "The app's log group: every service of the app logs here, one stream prefix per service",
  ),
  ConfigSecretArn: appExport(
    'ConfigSecretArn',
    "The app's configuration secret (a JSON document in Secrets Manager, read by the app at start)",
  ),
  AppKeyArn: appExport('AppKeyArn', "The app's KMS key: encrypts its configuration secret and its logs"),
} as const;

// ---- 32.app-ecs-service ----
/** The app's main service, for its alarms and dashboard (33). 91 has its own roles; see templates/extraService.ts. */
export const AppService = {
  ServiceName: appExport('EcsServiceName', "The app's main ECS service name, the dimension of its CloudWatch metrics"),
} as const;
// ---- 4x data stores ----
// Repeatable per application: export names carry the store's DataName before the key
// (`x-dev-acme-main-PostgresSecretArn`). Keys name their kind, so a link to the wrong kind of
// store fails on a missing export instead of wiring the wrong thing.
const data = (key: string, description: string) => appExport(key, description, { instanceParam: 'DataName' });

/** 41.data-postgres */
export const Postgres = {
  SecretArn: data(
    'PostgresSecretArn',
    'Secret with the database credentials and connection: username, password, dbname, host, port',
  ),
  KeyArn: data('PostgresKeyArn', 'KMS key of the database and its secret'),
  Endpoint: data('PostgresEndpoint', 'Writer endpoint host name'),
  ReaderEndpoint: data('PostgresReaderEndpoint', 'Reader endpoint host name (load-balanced over the replicas)'),
  Port: data('PostgresPort', 'Database port'),
  ClusterIdentifier: data(
    'PostgresClusterId',
    'The Aurora cluster identifier, the dimension of its CloudWatch metrics',
  ),
} as const;

/** 42.data-documentdb */
export const DocumentDb = {
  SecretArn: data(
    'DocDbSecretArn',
    'Secret with the cluster credentials and connection: username, password, dbname, host, port',
  ),
  KeyArn: data('DocDbKeyArn', 'KMS key of the cluster and its secret'),
  Endpoint: data('DocDbEndpoint', 'Cluster endpoint host name'),
  Port: data('DocDbPort', 'Cluster port'),
  ClusterIdentifier: data(
    'DocDbClusterId',
    'The DocumentDB cluster identifier, the dimension of its CloudWatch metrics',
  ),
} as const;

/** 43.data-redis */
export const Redis = {
  SecretArn: data('RedisSecretArn', 'Secret with the Redis AUTH token (JSON key authToken)'),
  KeyArn: data('RedisKeyArn', 'KMS key of the cache and its secret'),
  Endpoint: data('RedisEndpoint', 'Primary endpoint host name (TLS)'),
  ReaderEndpoint: data('RedisReaderEndpoint', 'Reader endpoint host name (TLS)'),
  Port: data('RedisPort', 'Redis port'),
  ReplicationGroupId: data(
    'RedisReplicationGroupId',
    'The replication group id: its nodes report CloudWatch metrics as <id>-001, <id>-002...',
  ),
} as const;

/** 44.data-s3-bucket */
export const S3Bucket = {
  BucketName: data('BucketName', 'The bucket name'),
  BucketArn: data('BucketArn', 'The bucket ARN'),
  KeyArn: data('BucketKeyArn', 'KMS key the bucket encrypts objects with'),
} as const;

/** 45.data-sqs-queue */
export const SqsQueue = {
  QueueUrl: data('QueueUrl', 'The queue URL (what SDK calls take)'),
  QueueArn: data('QueueArn', 'The queue ARN'),
  QueueName: data('QueueName', 'The queue name'),
  KeyArn: data('QueueKeyArn', 'KMS key the queue (and its dead-letter queue) encrypts messages with'),
  DeadLetterQueueName: data(
    'DeadLetterQueueName',
    'The dead-letter queue name, the dimension of its CloudWatch metrics',
  ),
} as const;

/** 46.data-sns-topic */
export const SnsTopic = {
  TopicArn: data('TopicArn', 'The topic ARN'),
  TopicName: data('TopicName', 'The topic name'),
  KeyArn: data('TopicKeyArn', 'KMS key the topic encrypts messages with'),
} as const;
// ---- 91.extra-service: no exports (nothing builds on an extra service) ----

/** Kept referenced so unused-import linting does not strip the helper while sections fill in. */
export const _appExport = appExport;
