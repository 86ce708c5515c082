/**
 * `provision publish`: uploads the catalogue of `published/<version>/` (and the params-file JSON
 * Schema) to S3 under a versioned key prefix, then prints each template's URL and a CloudFormation
 * console quick-create link for it: with `--params`, one link per stack the params file plans,
 * stack name and parameters filled in; without, the stack name is left for the person to type
 * (the template's metadata shows the rule).
 *
 * The bucket is created when missing (private, SSE-S3, versioned). `--public` lets anyone read the
 * templates' prefix, and nothing else, through one bucket-policy statement; it is applied after the
 * uploads, so a failed run never leaves a half-filled public prefix. Re-running writes the same
 * keys and skips objects whose bytes are already there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AwsClients } from '../../aws/clients';
import type { RunContext } from '../../run/context';
import { CliError, ExitCode } from '../../cli/errors';
import type { GlobalOptions } from '../../cli/global-options';
import { c, output } from '../../cli/output';
import { templateUrl } from '../../deploy/artifacts';
import { NoAccountIdError } from '../../aws/errors';
import type { BucketTarget } from '../../publish/bucket';
import {
  bucketNameProblem,
  consoleParameters,
  contentTypeOf,
  publicReadSid,
  quickCreateUrl,
  resolveKeyPrefix,
  stackNamePatternOf,
  type DeclaredParameter,
} from '../../publish/links';
import { fileName } from '../../../templates/kit/ids';
import { catalogueVersion, publishedRoot, schemaPath } from '../../package';

export interface PublishFlags {
  bucket?: string;
  version?: string;
  keyPrefix?: string;
  public?: boolean;
  params?: string;
}

/** One stack of the params file, ready to paste into the console. */
export interface StackLink {
  stackName: string;
  stage: string;
  quickCreate: string;
  /** What the link fills in (non-default, non-empty, never NoEcho). */
  parameters: Record<string, string>;
  /** What the published template cannot do for this stack (the deployer builds it in). */
  note?: string;
}

export interface PublishedTemplate {
  file: string;
  key: string;
  url: string;
  contentType: string;
  status: 'uploaded' | 'unchanged';
  /** The stack-name rule, as the template's metadata shows it: `{Prefix}{EnvironmentName}-network`. */
  stackName?: string;
  /** Quick-create with the template only: the person names the stack and fills the form. */
  quickCreate: string;
  /** With --params: one link per stack of this template that the params file plans. */
  stacks?: StackLink[];
}

export interface PublishResult {
  ok: true;
  bucket: string;
  region: string;
  version: string;
  keyPrefix: string;
  bucketCreated: boolean;
  public: boolean;
  schema: { key: string; url: string; status: 'uploaded' | 'unchanged' };
  templates: PublishedTemplate[];
}

interface LocalFile {
  file: string;
  body: Buffer;
  template: { Parameters?: Record<string, DeclaredParameter>; Metadata?: Record<string, unknown> };
}

/** The catalogue versions there are under published/ (folders holding .cf files), oldest first. */
export function publishedVersions(dir = publishedRoot()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.readdirSync(path.join(dir, d.name)).some((f) => f.endsWith('.cf')))
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

function readCatalogue(version: string): LocalFile[] {
  const dir = path.join(publishedRoot(), version);
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.cf'))
        .sort()
    : [];
  if (!files.length) {
    const there = publishedVersions();
    throw CliError.usage(
      `there is no catalogue for version ${version} (no published/${version}/*.cf)`,
      there.length
        ? `versions there are: ${there.join(', ')} (pass --version ${there[there.length - 1]}), or run \`provision synth --version ${version}\` first`
        : `run \`provision synth\` first to build the catalogue`,
    );
  }
  return files.map((file) => {
    const body = fs.readFileSync(path.join(dir, file));
    let template: LocalFile['template'] = {};
    try {
      // Only JSON templates are read for parameters and stack-name rules; a YAML one is still uploaded.
      if (contentTypeOf(file, body) === 'application/json') template = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new CliError(
        `published/${version}/${file} is not valid JSON: ${(err as Error).message}`,
        ExitCode.Refused,
        'run `provision synth` to rebuild the catalogue',
      );
    }
    return { file, body, template };
  });
}

/** What of a service section of the params file a published template cannot carry. */
interface ServiceSection {
  links?: unknown[];
  environment?: Record<string, unknown>;
  secrets?: unknown[];
}

/** A service section of the params file whose options the published template cannot carry. */
function customisation(section: ServiceSection | undefined): string | undefined {
  if (!section) return undefined;
  const parts = [
    section.links?.length ? 'links to data stores' : '',
    Object.keys(section.environment ?? {}).length ? 'environment variables' : '',
    section.secrets?.length ? 'secrets from the configuration secret' : '',
  ].filter(Boolean);
  if (!parts.length) return undefined;
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `the params file gives this service ${list}: the published template does not have them (a stack made from this link runs without them); \`provision deploy\` builds them in`;
}

/** The quick-create link of every stack the params file plans, grouped by published file name. */
function stackLinks(
  ctx: RunContext,
  files: LocalFile[],
  urlOf: (file: string) => string,
  region: string,
): Map<string, StackLink[]> {
  const byFile = new Map<string, StackLink[]>();
  const apps = (ctx.params.apps ?? []) as {
    name: string;
    service?: ServiceSection;
    extras?: (ServiceSection & { suffix?: unknown })[];
  }[];
  for (const s of ctx.all) {
    const file = fileName(s.templateId);
    const local = files.find((f) => f.file === file);
    if (!local) {
      output.warn(`${s.name}: ${file} is not in this catalogue version, so it has no link`);
      continue;
    }
    const parameters = consoleParameters(local.template.Parameters ?? {}, s.parameters);
    const app = apps.find((a) => a.name === s.app);
    const section =
      s.stage === 'service'
        ? app?.service
        : s.stage === 'extra'
          ? app?.extras?.find((e) => e.suffix === s.parameters.Suffix)
          : undefined;
    const note = customisation(section);
    const link: StackLink = {
      stackName: s.name,
      stage: s.stage,
      quickCreate: quickCreateUrl({ region, templateUrl: urlOf(file), stackName: s.name, parameters }),
      parameters,
      ...(note ? { note } : {}),
    };
    byFile.set(file, [...(byFile.get(file) ?? []), link]);
  }
  return byFile;
}

async function accountOf(clients: AwsClients): Promise<string | undefined> {
  try {
    return await clients.accountId();
  } catch (err) {
    if (err instanceof NoAccountIdError) return undefined; // no owner check then; S3 still refuses what is not ours
    throw err;
  }
}

/** The flags that need no AWS call: the bucket name, the key prefix, --public with a prefix. */
function checkFlags(flags: PublishFlags): { bucket: string; version: string; keyPrefix: string } {
  const bucket = flags.bucket ?? '';
  const problem = bucketNameProblem(bucket);
  if (problem)
    throw CliError.usage(
      `--bucket ${JSON.stringify(bucket)}: ${problem}`,
      'e.g. --bucket acme-cfn-templates-123456789012',
    );
  const version = flags.version ?? catalogueVersion();
  let keyPrefix: string;
  try {
    keyPrefix = resolveKeyPrefix(flags.keyPrefix, version);
  } catch (err) {
    throw CliError.usage(
      `--key-prefix: ${(err as Error).message}`,
      'e.g. --key-prefix cfn-stages/{version}/ (the default; {version} becomes the catalogue version)',
    );
  }
  if (flags.public && !keyPrefix)
    throw CliError.usage(
      '--public needs a --key-prefix: an empty prefix would make the whole bucket readable by anyone',
      'leave --key-prefix out (cfn-stages/<version>/ is the default)',
    );
  return { bucket, version, keyPrefix };
}

/** Where the upload goes: the bucket, its prefix, and the S3 target the uploads share. */
interface Destination {
  bucket: string;
  keyPrefix: string;
  region: string;
  target: BucketTarget;
  urlOf: (file: string) => string;
}

/** Uploads each template (unchanged ones are skipped) and says where each is and how to launch it. */
async function uploadTemplates(
  to: Destination,
  files: LocalFile[],
  links: Map<string, StackLink[]> | undefined,
): Promise<PublishedTemplate[]> {
  const { putObject } = await import('../../publish/bucket');
  const templates: PublishedTemplate[] = [];
  for (const f of files) {
    const key = to.keyPrefix + f.file;
    const contentType = contentTypeOf(f.file, f.body);
    const status = await putObject(to.target, key, f.body, contentType);
    const url = to.urlOf(f.file);
    const stackName = stackNamePatternOf(f.template);
    templates.push({
      file: f.file,
      key,
      url,
      contentType,
      status,
      ...(stackName ? { stackName } : {}),
      quickCreate: quickCreateUrl({ region: to.region, templateUrl: url }),
      ...(links ? { stacks: links.get(f.file) ?? [] } : {}),
    });
  }
  return templates;
}

/** Uploads the params file's JSON Schema beside the templates. */
async function uploadSchema(to: Destination): Promise<PublishResult['schema']> {
  const { putObject } = await import('../../publish/bucket');
  const key = `${to.keyPrefix}params.schema.json`;
  const body = fs.readFileSync(schemaPath());
  const status = await putObject(to.target, key, body, contentTypeOf(key, body));
  return { key, url: to.urlOf('params.schema.json'), status };
}

/**
 * The clients: with --params, openContext validates the file and plans its stacks before any AWS
 * call, and builds the clients from the flags, then the params file, then the SDK chain (as every
 * command); without it, from the flags and the SDK chain.
 */
async function open(flags: PublishFlags, global: GlobalOptions): Promise<{ ctx?: RunContext; clients: AwsClients }> {
  if (flags.params) {
    const ctx = await (await import('../../run/context')).openContext(flags.params, global);
    return { ctx, clients: ctx.clients };
  }
  const { createClients } = await import('../../aws/clients');
  return {
    clients: createClients({
      region: global.region,
      profile: global.profile,
      ...(global.endpointUrl ? { endpointUrl: global.endpointUrl } : {}),
    }),
  };
}

export async function runPublish(flags: PublishFlags, global: GlobalOptions): Promise<void> {
  const { bucket, version, keyPrefix } = checkFlags(flags);
  const files = readCatalogue(version);
  const { ctx, clients } = await open(flags, global);
  try {
    const region = await clients.region();
    const urlOf = (file: string) => templateUrl(bucket, keyPrefix + file, { region, endpointUrl: clients.endpointUrl });
    const links = ctx ? stackLinks(ctx, files, urlOf, region) : undefined;
    const { ensurePublishBucket, grantPublicRead, publicReadGranted } = await import('../../publish/bucket');
    const target = {
      s3: clients.s3,
      bucket,
      region,
      account: await accountOf(clients),
      endpointUrl: clients.endpointUrl,
    };
    const { created } = await ensurePublishBucket(target);
    const to: Destination = { bucket, keyPrefix, region, target, urlOf };
    const templates = await uploadTemplates(to, files, links);
    const schema = await uploadSchema(to);
    if (flags.public) await grantPublicRead(target, keyPrefix);
    const isPublic = flags.public ? true : await publicReadGranted(target, keyPrefix);
    const result: PublishResult = {
      ok: true,
      bucket,
      region,
      version,
      keyPrefix,
      bucketCreated: created,
      public: isPublic,
      schema,
      templates,
    };
    report(result, Boolean(flags.public), global);
  } finally {
    clients.destroy();
  }
}

function report(r: PublishResult, asked: boolean, global: GlobalOptions): void {
  const where = `s3://${r.bucket}/${r.keyPrefix}`;
  // Loud, and on stderr so it shows with --json too.
  if (r.public) {
    const line = asked
      ? `PUBLIC: anyone on the internet can read ${where}* (bucket policy statement ${publicReadSid(r.keyPrefix)}: s3:GetObject on that prefix only; the rest of the bucket stays private).`
      : `PUBLIC: ${where}* is readable by anyone (bucket policy statement ${publicReadSid(r.keyPrefix)}, from an earlier --public run); remove that statement from the bucket policy to make it private.`;
    process.stderr.write(c().bold(c().red(line)) + '\n');
  }
  if (global.json) {
    output.json(r);
    return;
  }
  const uploaded = r.templates.filter((t) => t.status === 'uploaded').length;
  output.line(
    `${c().green('✔')} cfn-stages ${r.version}: ${r.templates.length} templates in ${where} (${uploaded} uploaded, ${r.templates.length - uploaded} unchanged)`,
  );
  output.line(
    r.bucketCreated
      ? `  bucket ${r.bucket} created in ${r.region}: SSE-S3 encrypted, versioned, public access blocked${r.public ? ' except the prefix above' : ''}`
      : `  bucket ${r.bucket} (${r.region}): existing bucket, its settings left as they were`,
  );
  output.line(`  params file schema: ${r.schema.url}`);
  for (const t of r.templates) {
    output.line();
    output.line(`${c().bold(t.file)}  ${c().dim(t.status)}`);
    output.line(`  template:      ${t.url}`);
    if (t.stacks?.length) {
      for (const s of t.stacks) {
        output.line(`  ${c().cyan(s.stackName)}: ${s.quickCreate}`);
        if (s.note) output.line(`    ${c().yellow('note:')} ${s.note}`);
      }
    } else {
      if (t.stackName)
        output.line(`  stack name:    ${t.stackName}  ${c().dim('(type it in the console with your values)')}`);
      output.line(`  quick-create:  ${t.quickCreate}`);
    }
  }
  output.line();
  if (!r.public) {
    output.line(
      c().dim(
        `The templates are private: the links work for people signed in to this account who may read ${where}*. Pass --public to let anyone read them.`,
      ),
    );
  }
}
