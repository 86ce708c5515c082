/**
 * The cloudform-types resource classes the templates build, one import per class, grouped under
 * the names of cloudform's service namespaces (`EC2.VPC`, `IAM.Role`). A service's own module
 * (`cloudform-types/types/ec2`) loads every resource type of the service: EC2's alone is 94 files,
 * and the catalogue's services were 238 files, most of `synth`'s start-up. A template that builds a
 * resource not listed here adds it below (the compiler says so).
 */
import AASScalingPolicy from 'cloudform-types/types/applicationAutoScaling/scalingPolicy';
import ACMCertificate from 'cloudform-types/types/certificateManager/certificate';
import AutoScalingAutoScalingGroup from 'cloudform-types/types/autoScaling/autoScalingGroup';
import CloudWatchAlarm from 'cloudform-types/types/cloudWatch/alarm';
import CloudWatchDashboard from 'cloudform-types/types/cloudWatch/dashboard';
import DocDBDBCluster from 'cloudform-types/types/docDb/dbCluster';
import DocDBDBClusterParameterGroup from 'cloudform-types/types/docDb/dbClusterParameterGroup';
import DocDBDBInstance from 'cloudform-types/types/docDb/dbInstance';
import EC2EIP from 'cloudform-types/types/ec2/eip';
import EC2FlowLog from 'cloudform-types/types/ec2/flowLog';
import EC2Instance from 'cloudform-types/types/ec2/instance';
import EC2InternetGateway from 'cloudform-types/types/ec2/internetGateway';
import EC2LaunchTemplate from 'cloudform-types/types/ec2/launchTemplate';
import EC2NatGateway from 'cloudform-types/types/ec2/natGateway';
import EC2Route from 'cloudform-types/types/ec2/route';
import EC2RouteTable from 'cloudform-types/types/ec2/routeTable';
import EC2SecurityGroup from 'cloudform-types/types/ec2/securityGroup';
import EC2SecurityGroupIngress from 'cloudform-types/types/ec2/securityGroupIngress';
import EC2Subnet from 'cloudform-types/types/ec2/subnet';
import EC2SubnetRouteTableAssociation from 'cloudform-types/types/ec2/subnetRouteTableAssociation';
import EC2VPC from 'cloudform-types/types/ec2/vpc';
import EC2VPCGatewayAttachment from 'cloudform-types/types/ec2/vpcGatewayAttachment';
import ECRRepository from 'cloudform-types/types/ecr/repository';
import ECSCapacityProvider from 'cloudform-types/types/ecs/capacityProvider';
import ECSCluster from 'cloudform-types/types/ecs/cluster';
import ECSClusterCapacityProviderAssociations from 'cloudform-types/types/ecs/clusterCapacityProviderAssociations';
import ECSService from 'cloudform-types/types/ecs/service';
import ECSTaskDefinition from 'cloudform-types/types/ecs/taskDefinition';
import EKSCluster from 'cloudform-types/types/eks/cluster';
import EKSNodegroup from 'cloudform-types/types/eks/nodegroup';
import ElastiCacheReplicationGroup from 'cloudform-types/types/elastiCache/replicationGroup';
import ElastiCacheSubnetGroup from 'cloudform-types/types/elastiCache/subnetGroup';
import ELBListener from 'cloudform-types/types/elasticLoadBalancingV2/listener';
import ELBLoadBalancer from 'cloudform-types/types/elasticLoadBalancingV2/loadBalancer';
import ELBTargetGroup from 'cloudform-types/types/elasticLoadBalancingV2/targetGroup';
import IAMInstanceProfile from 'cloudform-types/types/iam/instanceProfile';
import IAMRole from 'cloudform-types/types/iam/role';
import RDSDBCluster from 'cloudform-types/types/rds/dbCluster';
import RDSDBClusterParameterGroup from 'cloudform-types/types/rds/dbClusterParameterGroup';
import RDSDBInstance from 'cloudform-types/types/rds/dbInstance';
import RDSDBSubnetGroup from 'cloudform-types/types/rds/dbSubnetGroup';
import Route53HostedZone from 'cloudform-types/types/route53/hostedZone';
import Route53RecordSet from 'cloudform-types/types/route53/recordSet';
import S3Bucket from 'cloudform-types/types/s3/bucket';
import S3BucketPolicy from 'cloudform-types/types/s3/bucketPolicy';
import SecretsManagerSecret from 'cloudform-types/types/secretsManager/secret';
import SecretsManagerSecretTargetAttachment from 'cloudform-types/types/secretsManager/secretTargetAttachment';
import SNSSubscription from 'cloudform-types/types/sns/subscription';
import SNSTopic from 'cloudform-types/types/sns/topic';
import SNSTopicPolicy from 'cloudform-types/types/sns/topicPolicy';
import SQSQueue from 'cloudform-types/types/sqs/queue';
import SQSQueuePolicy from 'cloudform-types/types/sqs/queuePolicy';

/** cloudform's `applicationAutoScaling` namespace: the resources the templates build. */
export const AAS = { ScalingPolicy: AASScalingPolicy };
/** cloudform's `certificateManager` namespace: the resources the templates build. */
export const ACM = { Certificate: ACMCertificate };
/** cloudform's `autoScaling` namespace: the resources the templates build. */
export const AutoScaling = { AutoScalingGroup: AutoScalingAutoScalingGroup };
/** cloudform's `cloudWatch` namespace: the resources the templates build. */
export const CloudWatch = { Alarm: CloudWatchAlarm, Dashboard: CloudWatchDashboard };
/** cloudform's `docDb` namespace: the resources the templates build. */
export const DocDB = {
  DBCluster: DocDBDBCluster,
  DBClusterParameterGroup: DocDBDBClusterParameterGroup,
  DBInstance: DocDBDBInstance,
};
/** cloudform's `ec2` namespace: the resources the templates build. */
export const EC2 = {
  EIP: EC2EIP,
  FlowLog: EC2FlowLog,
  Instance: EC2Instance,
  InternetGateway: EC2InternetGateway,
  LaunchTemplate: EC2LaunchTemplate,
  NatGateway: EC2NatGateway,
  Route: EC2Route,
  RouteTable: EC2RouteTable,
  SecurityGroup: EC2SecurityGroup,
  SecurityGroupIngress: EC2SecurityGroupIngress,
  Subnet: EC2Subnet,
  SubnetRouteTableAssociation: EC2SubnetRouteTableAssociation,
  VPC: EC2VPC,
  VPCGatewayAttachment: EC2VPCGatewayAttachment,
};
/** cloudform's `ecr` namespace: the resources the templates build. */
export const ECR = { Repository: ECRRepository };
/** cloudform's `ecs` namespace: the resources the templates build. */
export const ECS = {
  CapacityProvider: ECSCapacityProvider,
  Cluster: ECSCluster,
  ClusterCapacityProviderAssociations: ECSClusterCapacityProviderAssociations,
  Service: ECSService,
  TaskDefinition: ECSTaskDefinition,
};
/** cloudform's `eks` namespace: the resources the templates build. */
export const EKS = { Cluster: EKSCluster, Nodegroup: EKSNodegroup };
/** cloudform's `elastiCache` namespace: the resources the templates build. */
export const ElastiCache = { ReplicationGroup: ElastiCacheReplicationGroup, SubnetGroup: ElastiCacheSubnetGroup };
/** cloudform's `elasticLoadBalancingV2` namespace: the resources the templates build. */
export const ELB = { Listener: ELBListener, LoadBalancer: ELBLoadBalancer, TargetGroup: ELBTargetGroup };
/** cloudform's `iam` namespace: the resources the templates build. */
export const IAM = { InstanceProfile: IAMInstanceProfile, Role: IAMRole };
/** cloudform's `rds` namespace: the resources the templates build. */
export const RDS = {
  DBCluster: RDSDBCluster,
  DBClusterParameterGroup: RDSDBClusterParameterGroup,
  DBInstance: RDSDBInstance,
  DBSubnetGroup: RDSDBSubnetGroup,
};
/** cloudform's `route53` namespace: the resources the templates build. */
export const Route53 = { HostedZone: Route53HostedZone, RecordSet: Route53RecordSet };
/** cloudform's `s3` namespace: the resources the templates build. */
export const S3 = { Bucket: S3Bucket, BucketPolicy: S3BucketPolicy };
/** cloudform's `secretsManager` namespace: the resources the templates build. */
export const SecretsManager = {
  Secret: SecretsManagerSecret,
  SecretTargetAttachment: SecretsManagerSecretTargetAttachment,
};
/** cloudform's `sns` namespace: the resources the templates build. */
export const SNS = { Subscription: SNSSubscription, Topic: SNSTopic, TopicPolicy: SNSTopicPolicy };
/** cloudform's `sqs` namespace: the resources the templates build. */
export const SQS = { Queue: SQSQueue, QueuePolicy: SQSQueuePolicy };
