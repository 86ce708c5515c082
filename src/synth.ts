/**
 * Synthesis: builds every catalogue template and writes `published/<version>/NN.name.cf`.
 * Pure apart from the file writes; no AWS SDK is loaded on this path (it must stay fast).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogue } from '../stages/catalogue';
import { fileName } from '../templates/kit/ids';
import { renderTemplate } from '../templates/kit/cf';
import { catalogueVersion, isSourceCheckout, publishedRoot, schemaPath } from './package';

export { catalogueVersion, schemaPath } from './package';

/** The params-file JSON Schema as published. Loaded lazily: zod is not needed to build templates. */
export function renderParamsSchema(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { paramsJsonSchema } = require('../stages/params') as typeof import('../stages/params');
  return JSON.stringify(paramsJsonSchema(), null, 2) + '\n';
}

export interface SynthResult {
  dir: string;
  files: { file: string; bytes: number; resources: number }[];
}

/** Renders every template in memory: file name -> body. */
export function renderCatalogue(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of catalogue) {
    const built = entry.build();
    out.set(fileName(entry.templateId), renderTemplate(built.template));
  }
  return out;
}

/** Where `synth` writes (and `synth --check` compares) without `--out`, and the schema that goes with it. */
export interface CatalogueTarget {
  /** `published/<version>`: the package's own in a checkout, else under the working folder. */
  dir: string;
  /** The params JSON Schema file to keep in step; only a checkout's, since it is committed there. */
  schema?: string;
}

/**
 * The default target: a checkout of the tool regenerates its committed `published/`; an installed
 * package is never written to, so the catalogue goes to `./published/<version>` where the user is.
 */
export function defaultTarget(version = catalogueVersion(), cwd = process.cwd()): CatalogueTarget {
  return isSourceCheckout()
    ? { dir: path.join(publishedRoot(), version), schema: schemaPath() }
    : { dir: path.resolve(cwd, 'published', version) };
}

/**
 * Writes the catalogue to `--out`, or to the default target (see defaultTarget). Files of the
 * catalogue that are no longer built are removed, so the folder is exactly the catalogue.
 */
export function synth(opts: { out?: string; version?: string } = {}): SynthResult {
  const target: CatalogueTarget = opts.out ? { dir: path.resolve(opts.out) } : defaultTarget(opts.version);
  const dir = target.dir;
  fs.mkdirSync(dir, { recursive: true });
  const rendered = renderCatalogue();
  for (const existing of fs.readdirSync(dir)) {
    if (/^\d\d\..+\.cf$/.test(existing) && !rendered.has(existing)) fs.rmSync(path.join(dir, existing));
  }
  const files: SynthResult['files'] = [];
  for (const [file, body] of rendered) {
    fs.writeFileSync(path.join(dir, file), body);
    files.push({
      file,
      bytes: Buffer.byteLength(body),
      resources: Object.keys(JSON.parse(body).Resources ?? {}).length,
    });
  }
  // The schema belongs to the catalogue in the repository, not to a copy written elsewhere.
  if (target.schema) fs.writeFileSync(target.schema, renderParamsSchema());
  return { dir, files };
}

/** Lists the target's files that differ from what synth would write now (empty when up to date). */
export function staleFiles(target: CatalogueTarget = defaultTarget()): string[] {
  const { dir, schema } = target;
  const rendered = renderCatalogue();
  const stale: string[] = [];
  for (const [file, body] of rendered) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== body) stale.push(file);
  }
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) if (/^\d\d\..+\.cf$/.test(f) && !rendered.has(f)) stale.push(f);
  }
  if (schema && (!fs.existsSync(schema) || fs.readFileSync(schema, 'utf8') !== renderParamsSchema()))
    stale.push('params.schema.json');
  return stale;
}
