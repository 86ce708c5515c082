/**
 * Security groups, each open only as far as its tier needs (internet -> load balancers -> apps ->
 * data stores), and the subnet groups that place databases and caches in the data tier.
 */
import { EC2, ElastiCache, RDS } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { sub, type IntrinsicFunction } from '../kit/cf';
import { checkovSkip } from '../kit/security';

/** Ports the data tier listens on: PostgreSQL, DocumentDB (MongoDB wire protocol), Redis. */
export const DataPorts = { postgres: 5432, documentdb: 27017, redis: 6379 } as const;

type Env = TemplateBuilder<'environment'>;

/** The environment's security groups, one per tier. */
export interface SecurityGroups {
  lb: Handle;
  app: Handle;
  db: Handle;
  cache: Handle;
}

/** Adds the load balancer, app, database and cache security groups, in that order. */
export function securityGroups(t: Env, vpc: Handle, vpcCidr: IntrinsicFunction): SecurityGroups {
  const lb = loadBalancerGroup(t, vpc, vpcCidr);
  const app = t.add(
    'AppSecurityGroup',
    new EC2.SecurityGroup({
      VpcId: vpc.ref,
      GroupDescription: 'App tasks and nodes: inbound only from the load balancers',
      SecurityGroupIngress: [
        {
          IpProtocol: 'tcp',
          FromPort: 1024,
          ToPort: 65535,
          SourceSecurityGroupId: lb.ref,
          Description: 'Container ports (unprivileged) from the load balancers',
        },
      ],
      SecurityGroupEgress: [
        { IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'Apps call AWS APIs, data stores and external services' },
      ],
      Tags: t.tags({ Name: t.scopedName('app') }),
    }),
  );
  const db = dataGroup(t, vpc, app, {
    id: 'DatabaseSecurityGroup',
    what: 'Databases',
    ports: [DataPorts.postgres, DataPorts.documentdb],
    name: 'db',
  });
  const cache = dataGroup(t, vpc, app, {
    id: 'CacheSecurityGroup',
    what: 'Caches',
    ports: [DataPorts.redis],
    name: 'cache',
  });
  return { lb, app, db, cache };
}

function loadBalancerGroup(t: Env, vpc: Handle, vpcCidr: IntrinsicFunction): Handle {
  return t.add(
    'LoadBalancerSecurityGroup',
    new EC2.SecurityGroup({
      VpcId: vpc.ref,
      GroupDescription: 'Load balancers: HTTP and HTTPS from anywhere',
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0', Description: 'HTTPS from the internet' },
        {
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
          CidrIp: '0.0.0.0/0',
          Description: 'HTTP from the internet (redirected to HTTPS for an app with a domain)',
        },
      ],
      SecurityGroupEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 1024,
          ToPort: 65535,
          CidrIp: vpcCidr,
          Description: 'To app targets inside the VPC',
        },
      ],
      Tags: t.tags({ Name: t.scopedName('lb') }),
    }).metadata(
      checkovSkip([
        [
          'CKV_AWS_260',
          'Port 80 is open on purpose: an app with a domain gets only a redirect to HTTPS there; an app without one is served over plain HTTP (its URL says http://).',
        ],
      ]),
    ),
  );
}

/** A data store's group: its ports from the apps only, and no way out. */
function dataGroup(
  t: Env,
  vpc: Handle,
  app: Handle,
  g: { id: string; what: string; ports: number[]; name: string },
): Handle {
  return t.add(
    g.id,
    new EC2.SecurityGroup({
      VpcId: vpc.ref,
      GroupDescription: `${g.what}: inbound only from apps`,
      SecurityGroupIngress: g.ports.map((p) => ({
        IpProtocol: 'tcp',
        FromPort: p,
        ToPort: p,
        SourceSecurityGroupId: app.ref,
        Description: `Port ${p} from apps`,
      })),
      // A data store never opens connections out; this rule replaces the default allow-all egress.
      SecurityGroupEgress: [
        { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '127.0.0.1/32', Description: 'No outbound traffic' },
      ],
      Tags: t.tags({ Name: t.scopedName(g.name) }),
    }),
  );
}

/** The database and cache subnet groups over the data subnets in use. */
export function subnetGroups(t: Env, dataSubnets: IntrinsicFunction): { db: Handle; cache: Handle } {
  const db = t.add(
    'DbSubnetGroup',
    new RDS.DBSubnetGroup({
      DBSubnetGroupDescription: sub('${Prefix}${EnvironmentName} data subnets'),
      SubnetIds: dataSubnets,
      Tags: t.tags(),
    }),
  );
  const cache = t.add(
    'CacheSubnetGroup',
    new ElastiCache.SubnetGroup({
      Description: sub('${Prefix}${EnvironmentName} data subnets'),
      SubnetIds: dataSubnets,
      Tags: t.tags(),
    }),
  );
  return { db, cache };
}
