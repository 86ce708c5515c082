/**
 * The pure side of `provision publish`: object keys, content types, the public-read policy
 * statement, and CloudFormation console quick-create links. No AWS SDK, no I/O.
 */
import { partitionOf } from '../aws/partition';

/** The key prefix when `--key-prefix` is not given; `{version}` becomes the catalogue version. */
export const DEFAULT_KEY_PREFIX = 'cfn-stages/{version}/';

/**
 * The key prefix the templates go under: `{version}` is replaced, a leading `/` is dropped and a
 * trailing `/` added, so `--key-prefix templates` and `templates/` mean the same. Throws on a
 * prefix S3 or a browser would read differently from what the user typed.
 */
export function resolveKeyPrefix(prefix: string | undefined, version: string): string {
  let p = (prefix ?? DEFAULT_KEY_PREFIX).replace(/\{version\}/g, version).replace(/^\/+/, '');
  if (p && !p.endsWith('/')) p += '/';
  if (p.split('/').some((part) => part === '.' || part === '..'))
    throw new Error(`key prefix "${p}" has a "." or ".." segment`);
  if (p.includes('//')) throw new Error(`key prefix "${p}" has an empty segment ("//")`);
  if (!/^[A-Za-z0-9!_.*'()/-]*$/.test(p))
    throw new Error(`key prefix "${p}" may hold only letters, digits and / ! _ . * ' ( ) -`);
  if (p.length > 512) throw new Error('key prefix is longer than 512 characters');
  return p;
}

/** S3's rules for a bucket name (general purpose buckets); returns the problem or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name is 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'a bucket name holds lower-case letters, digits, dots and hyphens, and starts and ends with a letter or digit';
  if (name.includes('..')) return 'a bucket name has no two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'a bucket name is not an IP address';
  return undefined;
}

/**
 * The Content-Type an object is stored with. A `.cf` file has an extension nobody knows: without a
 * type, S3 stores `binary/octet-stream`, so a browser opening the URL downloads an unnamed file
 * instead of showing the template, and tools fetching it cannot tell its format. CloudFormation
 * accepts JSON and YAML under any extension, so the body decides: the synthesized catalogue is JSON
 * (first byte `{`), anything else is taken as YAML. CloudFormation itself ignores the type.
 */
export function contentTypeOf(file: string, body: Uint8Array | string): string {
  const bytes =
    typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 byte order mark
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (/\.json$/i.test(file)) return 'application/json';
  if (/\.(cf|template)$/i.test(file)) return bytes[i] === 0x7b /* { */ ? 'application/json' : 'application/yaml';
  if (/\.ya?ml$/i.test(file)) return 'application/yaml';
  return 'application/octet-stream';
}

/** The AWS partition of a region: what ARNs and console domains differ by. */

/** The CloudFormation console of a region. */
export function consoleHome(region: string): string {
  const domain = {
    aws: 'console.aws.amazon.com',
    'aws-cn': 'console.amazonaws.cn',
    'aws-us-gov': 'console.amazonaws-us-gov.com',
  }[partitionOf(region)];
  return `https://${region}.${domain}/cloudformation/home?region=${encodeURIComponent(region)}`;
}

/** One template parameter as declared in the template's `Parameters` section. */
export interface DeclaredParameter {
  Type?: string;
  Default?: unknown;
  NoEcho?: boolean | string;
}

/** A CommaDelimitedList default and value compare equal whatever the spaces around the commas. */
function same(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .join(',');
  return a === b || norm(a) === norm(b);
}

function isNoEcho(p: DeclaredParameter): boolean {
  return p.NoEcho === true || String(p.NoEcho).toLowerCase() === 'true';
}

/**
 * The parameters worth putting in a quick-create link: only those the template declares, only
 * values that differ from the template's default (the console shows the default anyway) and are
 * not empty, and never a NoEcho parameter (a link ends up in browser history, chat and logs).
 * Kept in the template's parameter order, so links read like the console form.
 */
export function consoleParameters(
  declared: Record<string, DeclaredParameter>,
  values: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, param] of Object.entries(declared)) {
    const value = values[name];
    if (value === undefined || value === '' || isNoEcho(param)) continue;
    if (param.Default !== undefined && same(String(param.Default), value)) continue;
    out[name] = value;
  }
  return out;
}

export interface QuickCreateOptions {
  region: string;
  templateUrl: string;
  /** Left out when the user names the stack (no params file). */
  stackName?: string;
  /** Filled into the form; pass them through {@link consoleParameters} first. */
  parameters?: Record<string, string>;
}

/**
 * A console link that opens "Quick create stack" with the template, and optionally the stack name
 * and parameters, filled in. Everything after `#` is the console's own route, read as a query
 * string, so each value is percent-encoded (the template URL included: its own `?`/`&`/`=`
 * must not end the console's `templateURL` value).
 */
export function quickCreateUrl(opts: QuickCreateOptions): string {
  const query = [`templateURL=${encodeURIComponent(opts.templateUrl)}`];
  if (opts.stackName) query.push(`stackName=${encodeURIComponent(opts.stackName)}`);
  for (const [name, value] of Object.entries(opts.parameters ?? {}))
    query.push(`param_${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${consoleHome(opts.region)}#/stacks/quickcreate?${query.join('&')}`;
}

/** The stack-name rule a published template shows in its metadata (`{Prefix}{EnvironmentName}-network`). */
export function stackNamePatternOf(template: { Metadata?: Record<string, unknown> }): string | undefined {
  const meta = template.Metadata?.['cfn-stages'] as { StackName?: unknown } | undefined;
  return typeof meta?.StackName === 'string' ? meta.StackName : undefined;
}

/** Statement ids of the public-read grants this tool writes, one per key prefix. */
export function publicReadSid(keyPrefix: string): string {
  return `CfnStagesPublicRead${keyPrefix.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 100);
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/** Anyone may read objects under the prefix (and only those, and only read). */
export function publicReadStatement(bucket: string, keyPrefix: string, region: string): PolicyStatement {
  return {
    Sid: publicReadSid(keyPrefix),
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: `arn:${partitionOf(region)}:s3:::${bucket}/${keyPrefix}*`,
  };
}

/**
 * Adds (or replaces, by Sid) statements in a bucket policy document, keeping every other
 * statement as it was. Returns the new document and whether it differs from the old one.
 */
export function mergePolicy(
  existing: string | undefined,
  add: PolicyStatement[],
): { policy: string; changed: boolean } {
  const doc = existing
    ? (JSON.parse(existing) as { Version?: string; Statement?: PolicyStatement[] | PolicyStatement })
    : {};
  const before = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const sids = new Set(add.map((s) => s.Sid));
  const kept = before.filter((s) => !s.Sid || !sids.has(s.Sid));
  const statements = [...kept, ...add];
  const changed = add.some((s) => !before.some((b) => b.Sid === s.Sid && JSON.stringify(b) === JSON.stringify(s)));
  return { policy: JSON.stringify({ ...doc, Version: doc.Version ?? '2012-10-17', Statement: statements }), changed };
}

/** Whether a bucket policy lets anyone read the given prefix through a statement of this tool. */
export function hasPublicRead(policy: string | undefined, keyPrefix: string): boolean {
  if (!policy) return false;
  const doc = JSON.parse(policy) as { Statement?: PolicyStatement[] | PolicyStatement };
  const list = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return list.some((s) => s.Sid === publicReadSid(keyPrefix) && s.Effect === 'Allow');
}
