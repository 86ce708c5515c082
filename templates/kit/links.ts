/**
 * Links: how a service (32 or 91) is wired to the data stores of its application (41-46).
 * A link names a data store by its kind and name; `templates/links.ts` turns it into what the
 * service's task definition and roles need. The service builders only merge the grants: they
 * never know what a particular store needs.
 */
import type { PolicyStatement, Value } from './cf';

export type DataKind = 'postgres' | 'documentdb' | 'redis' | 's3' | 'sqs' | 'sns';

/** Access a link asks for: read/write for S3, publish/subscribe for SQS and SNS; databases take none. */
export type LinkAccess = 'read' | 'write' | 'publish' | 'subscribe';

export interface LinkSpec {
  kind: DataKind;
  /** The data store's name within the application (its DataName). */
  name: string;
  access?: LinkAccess[];
}

/** What one link gives a service. */
export interface LinkGrant {
  /** Container secrets (`{name}_db_password` ...), delivered by ECS from Secrets Manager: never plain values. */
  secrets: { Name: string; ValueFrom: Value<string> }[];
  /** Non-secret container environment (bucket name, queue URL, topic ARN...). */
  environment: { Name: string; Value: Value<string> }[];
  /** Statements for the task role (what the app itself may call). */
  taskRoleStatements: PolicyStatement[];
  /** Statements for the execution role (what ECS needs to inject the secrets). */
  executionRoleStatements: PolicyStatement[];
}
