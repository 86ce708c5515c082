/**
 * What `logs`, `exec` and `tunnel` reach, found from the params file's plan and the deployed
 * stacks (never an id typed by hand): a stack's outputs by export contract, a data store's stack
 * and its log groups, the environment's jump boxes. Every "not there" is an error naming the
 * stage and the command that makes it.
 */
import { DescribeStackResourcesCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import type { PlannedStack } from '../../stages/plan';
import { DocumentDb, Postgres, Redis } from '../../templates/contracts';
import { DOCDB_MASTER_USER } from '../../templates/data/documentdb';
import { POSTGRES_MASTER_USER } from '../../templates/data/postgres';
import { outputId, type ExportContract } from '../../templates/kit/exports';
import type { DataKind } from '../../templates/kit/links';
import { describeStack, outputsOf } from '../deploy/cloudformation';
import { OpsError } from './errors';

/** A stack that exists and has finished creating: its outputs are usable. */
export async function deployedStack(
  cfn: CloudFormationClient,
  planned: PlannedStack,
  what: string,
  file: string,
): Promise<Stack> {
  const stack = await describeStack(cfn, planned.name);
  const status = stack?.StackStatus ?? '';
  if (
    !stack ||
    status === 'REVIEW_IN_PROGRESS' ||
    /^(DELETE_|ROLLBACK_)/.test(status) ||
    status === 'CREATE_FAILED' ||
    status === 'CREATE_IN_PROGRESS'
  ) {
    throw new OpsError(
      'NotDeployed',
      `${what} (stack ${planned.name}) is ${stack ? status : 'not deployed'}`,
      `deploy it first: provision deploy --params ${file} --only ${planned.name}`,
    );
  }
  return stack;
}

/** The stack's output for an export contract; an error when a stack of older templates lacks it. */
export function contractOutput(stack: Stack, contract: ExportContract, file: string): string {
  const value = outputsOf(stack)[outputId(contract)];
  if (!value)
    throw new OpsError(
      'NotDeployed',
      `stack ${stack.StackName} has no ${outputId(contract)} output`,
      `deploy the current templates (provision deploy --params ${file}) and run again`,
    );
  return value;
}

/** The physical ids of the stack's resources of one type (log groups, instances). */
export async function resourcesOfType(cfn: CloudFormationClient, stackName: string, type: string): Promise<string[]> {
  const out = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return (out.StackResources ?? [])
    .filter((r) => r.ResourceType === type && r.PhysicalResourceId && !/^DELETE_/.test(r.ResourceStatus ?? ''))
    .map((r) => r.PhysicalResourceId!);
}

/** The app's data store `name`; a usage error listing the app's stores when there is none. */
export function dataStack(all: PlannedStack[], app: string, name: string | undefined, file: string): PlannedStack {
  const mine = all.filter((s) => s.app === app && s.parameters.DataName !== undefined);
  const names = mine.map((s) => `${s.parameters.DataName} (${s.stage})`);
  const found = mine.find((s) => s.parameters.DataName === name);
  if (!found) {
    throw new OpsError(
      'UnknownTarget',
      name ? `app ${app} has no data store "${name}" in ${file}` : '--data NAME is required',
      names.length
        ? `its data stores: ${names.join(', ')}`
        : `app ${app} has no data stores (add them under data: in ${file})`,
    );
  }
  return found;
}

/** How to reach one kind of database or cache through a tunnel, from its stack's exports. */
export interface Reachable {
  endpoint: ExportContract;
  port: ExportContract;
  secret: ExportContract;
  /** The user the generated secret is for (Redis has an AUTH token instead). */
  user?: string;
  /** The secret's JSON key holding the password or token. */
  secretKey: string;
  /** A connection string to a local port (TLS, host name not checked: the certificate names the remote host). */
  url: (port: number, user: string | undefined, database: string | undefined) => string;
  /** A client command for people. */
  client: (port: number, user: string | undefined, database: string | undefined) => string;
}

/** Data stores a tunnel can reach, by kind. */
export const REACHABLE: Partial<Record<DataKind, Reachable>> = {
  postgres: {
    endpoint: Postgres.Endpoint,
    port: Postgres.Port,
    secret: Postgres.SecretArn,
    user: POSTGRES_MASTER_USER,
    secretKey: 'password',
    url: (p, u, db) => `postgresql://${u}@localhost:${p}/${db ?? 'postgres'}?sslmode=require`,
    client: (p, u, db) => `psql "host=localhost port=${p} user=${u} dbname=${db ?? 'postgres'} sslmode=require"`,
  },
  documentdb: {
    endpoint: DocumentDb.Endpoint,
    port: DocumentDb.Port,
    secret: DocumentDb.SecretArn,
    user: DOCDB_MASTER_USER,
    secretKey: 'password',
    url: (p, u) =>
      `mongodb://${u}@localhost:${p}/?tls=true&tlsAllowInvalidHostnames=true&directConnection=true&retryWrites=false`,
    client: (p, u) =>
      `mongosh "mongodb://${u}@localhost:${p}/?tls=true&tlsAllowInvalidHostnames=true&directConnection=true&retryWrites=false"`,
  },
  redis: {
    endpoint: Redis.Endpoint,
    port: Redis.Port,
    secret: Redis.SecretArn,
    secretKey: 'authToken',
    url: (p) => `rediss://localhost:${p}`,
    client: (p) => `redis-cli --tls --insecure -p ${p} --askpass`,
  },
};

/** Kinds whose stacks make log groups (`provision logs --data`). */
export const LOGGING_KINDS: readonly DataKind[] = ['postgres', 'documentdb', 'redis'];
