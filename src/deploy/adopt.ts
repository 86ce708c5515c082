/**
 * Adopting what an earlier stack kept. A destroyed stack leaves its retained resources behind;
 * where a resource's name is the user's own contract (an ECR repository: images are pushed to
 * it by name), the stack created again must take that very resource over instead of colliding
 * with it ("repository with name 'shop-web' already exists"). CloudFormation's native way is a
 * resource import: an IMPORT change set whose template holds only the adopted resources (AWS
 * allows nothing else in it: no other resources, no outputs), followed by an ordinary update
 * with the full template, which adds the rest and the exports.
 *
 * Every other kept resource has a generated or per-creation name (see the templates), so it
 * never stands in the way; `describeRecreate` in ./recreate.ts says what becomes of each.
 */
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import type { AwsClients } from '../aws/clients';
import { AdoptionBlockedError } from './errors';
import { effectiveParameters, parseTemplate, type TemplateDoc, type TemplateResource } from './template';
import type { StackSpec } from './types';

/** A kept resource a new stack will import rather than create. */
export interface Adoption {
  logicalId: string;
  resourceType: string;
  /** ResourceIdentifier of the import: the type's primary identifier property and its value. */
  identifier: Record<string, string>;
  /** The name people know it by (the identifier's value). */
  physicalId: string;
}

interface Importable {
  /** The type's primary identifier, as ResourcesToImport names it. */
  property: string;
  exists: (clients: AwsClients, id: string) => Promise<boolean>;
}

/**
 * Types whose name can be the user's contract and which AWS can import: the ECR repository
 * (always named), and an S3 bucket when the params file gives it a name. A bucket refers to its
 * key and log bucket, so it is never imported alone: a taken name is reported instead.
 */
const IMPORTABLE: Record<string, Importable> = {
  'AWS::ECR::Repository': { property: 'RepositoryName', exists: repositoryExists },
  'AWS::S3::Bucket': { property: 'BucketName', exists: bucketExists },
};

const KEEPING = ['Retain', 'RetainExceptOnCreate'];

async function repositoryExists(clients: AwsClients, repositoryName: string): Promise<boolean> {
  try {
    await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    return true;
  } catch (err) {
    if ((err as Error).name === 'RepositoryNotFoundException') return false;
    throw err;
  }
}

/** Whether the bucket name is taken (403: by another account, which is just as much in the way). */
async function bucketExists(clients: AwsClients, bucket: string): Promise<boolean> {
  // Loaded here, not at the top: only a template with a fixed-name bucket gets this far.
  const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    if (status === 403) return true;
    throw err;
  }
}

/**
 * A literal, a Ref to a parameter, or `Fn::If [condition, name, AWS::NoValue]` (a name given only
 * when set: an empty value means no fixed name); anything else cannot be known before
 * CloudFormation runs.
 */
function resolveName(value: unknown, params: Record<string, string>): string | undefined {
  if (typeof value === 'string') return value || undefined;
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref === 'string') return params[ref] || undefined;
  const branches = (value as { 'Fn::If'?: unknown[] } | undefined)?.['Fn::If'];
  const noValue = JSON.stringify({ Ref: 'AWS::NoValue' });
  if (Array.isArray(branches) && JSON.stringify(branches[2]) === noValue) return resolveName(branches[1], params);
  return undefined;
}

/**
 * The resources of a stack about to be created that already exist under their fixed names:
 * kept by an earlier stack of the same name (a destroy), and importable. Throws
 * {@link AdoptionBlockedError} when such a resource cannot be imported on its own (it refers to
 * other resources of the template), naming it and the way out, before anything is touched.
 */
export async function findAdoptions(clients: AwsClients, spec: StackSpec): Promise<Adoption[]> {
  const doc = parseTemplate(spec.templateBody);
  const params = effectiveParameters(spec, doc) ?? spec.parameters;
  const found: Adoption[] = [];
  for (const [logicalId, r] of Object.entries(doc?.Resources ?? {})) {
    const importable = IMPORTABLE[r.Type];
    if (!importable || !KEEPING.includes(r.DeletionPolicy ?? '')) continue;
    const name = resolveName(r.Properties?.[importable.property], params);
    if (!name || !(await importable.exists(clients, name))) continue;
    const others = referencedResources(r, doc!);
    if (others.length) throw new AdoptionBlockedError(spec.name, r.Type, name, others);
    found.push({ logicalId, resourceType: r.Type, identifier: { [importable.property]: name }, physicalId: name });
  }
  return found;
}

/** Logical ids of other resources this one refers to (an import template could not hold them). */
function referencedResources(resource: TemplateResource, doc: TemplateDoc): string[] {
  const text = JSON.stringify(resource);
  return Object.keys(doc.Resources ?? {}).filter(
    (id) => text.includes(`{"Ref":"${id}"}`) || text.includes(`{"Fn::GetAtt":["${id}"`) || text.includes(`\${${id}`),
  );
}

/** The IMPORT step's template: the adopted resources only, without outputs. */
export function importTemplate(templateBody: string, adoptions: Adoption[]): string {
  const doc = parseTemplate(templateBody) ?? {};
  const wanted = new Set(adoptions.map((a) => a.logicalId));
  const resources = Object.fromEntries(Object.entries(doc.Resources ?? {}).filter(([id]) => wanted.has(id)));
  const { Outputs: _outputs, ...rest } = doc;
  return JSON.stringify({ ...rest, Resources: resources });
}
