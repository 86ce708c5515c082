/**
 * The params file: one YAML document describing an environment (its stages, repositories and
 * apps). This module is its single definition: validation, the published JSON Schema and the
 * wizard all derive from it. Only the file's frame is written here (names, region, tags, apps);
 * every template's section or list comes from its catalogue row, and its options from the
 * template's own parameters (stages/options.ts). The file's I/O is src/params/load.ts.
 */
import { z } from 'zod';
import { Patterns, type PatternName } from '../templates/kit/names';
import { templateNumber } from '../templates/kit/ids';
import {
  catalogue,
  publishedTemplate,
  type CatalogueRow,
  type ListPlace,
  type LiteralRow,
  type SectionPlace,
  type StageDef,
} from './catalogue';
import { REGION } from './check';
import { stageOptionsSchema } from './option-schemas';

/** One section or list item of a params file: template options in camelCase, plus its structural fields. */
export type Section = Record<string, unknown>;

function name(kind: PatternName, what: string): z.ZodString {
  const rule = Patterns[kind];
  return z
    .string({ message: `${what} is required` })
    .regex(new RegExp(rule.pattern), rule.message)
    .describe(rule.message);
}

const access = z.enum(['read', 'write', 'publish', 'subscribe']);

const linkSchema = z
  .strictObject({
    name: name('DataName', "a link's name (the data store it links to)"),
    access: z
      .array(access)
      .optional()
      .describe(
        's3: read and/or write; sqs and sns: publish and/or subscribe (for sqs, write and read mean the same); databases and caches: none',
      ),
  })
  .describe('Links a service to a data store of the same app: credentials as ECS secrets, IAM scoped to that store');

/** What a service section (a linkable row) holds besides its template options. */
function serviceFields(): Record<string, z.ZodType> {
  return {
    links: z.array(linkSchema).optional(),
    environment: z
      .record(
        z
          .string()
          .regex(
            /^[A-Za-z_][A-Za-z0-9_]*$/,
            'an environment variable name is letters, digits and _, not starting with a digit',
          ),
        z.union([z.string(), z.number(), z.boolean()]).transform(String),
      )
      .optional()
      .describe('Plain (non-secret) environment variables baked into the task definition'),
    secrets: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a secret key is letters, digits and _'))
      .optional()
      .describe("Keys of the app's configuration secret that ECS injects as environment variables of the same name"),
  };
}

/** A row's section or list item: its template's options, its name (and kind), a service's links. */
function rowOptions(row: CatalogueRow): z.ZodObject {
  const extra: Record<string, z.ZodType> = {};
  if (row.place.kind === 'list') {
    if (row.place.byKind) extra.kind = z.literal(row.key);
    extra[row.place.name.field] = name(row.place.name.pattern, row.place.name.what);
  }
  if (row.linkable) Object.assign(extra, serviceFields());
  if (row.sectionFields) Object.assign(extra, row.sectionFields(z));
  return stageOptionsSchema(publishedTemplate(row), row.structural, extra).describe(
    `Options of ${row.templateId} (its template parameters, in camelCase)`,
  );
}

/** The rows that share a list place (one, or every kind of a list told apart by `kind`). */
export function rowsOfList(place: ListPlace): StageDef[] {
  return catalogue.filter((r) => r.place.kind === 'list' && r.place.at === place.at && r.place.list === place.list);
}

function sectionSchema(row: CatalogueRow, place: SectionPlace): z.ZodType {
  const help = place.always
    ? `${row.templateId} options`
    : place.withSection
      ? `${row.templateId} options (built with ${place.withSection}:): ${row.help}`
      : `${row.templateId}: present to build ${row.help}`;
  return rowOptions(row).optional().describe(help);
}

function listSchema(place: ListPlace): z.ZodType {
  const rows = rowsOfList(place);
  if (!place.byKind)
    return z.array(rowOptions(rows[0]!)).optional().describe(`${rows[0]!.templateId}: ${rows[0]!.help}`);
  const numbers = rows.map((r) => templateNumber(r.templateId));
  const items = z.discriminatedUnion('kind', rows.map(rowOptions) as [z.ZodObject, ...z.ZodObject[]]);
  return z
    .array(items)
    .optional()
    .describe(`${place.byKind.help} (${numbers[0]}-${numbers.at(-1)}), each with a kind and a ${place.name.field}`);
}

/** The sections and lists of the rows at one level of the file, in row order. */
function rowFields(at: SectionPlace['at']): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const row of catalogue) {
    if (row.place.at !== at) continue;
    const from = row.fromHolder;
    if (from) out[from.field] = z.string().regex(from.pattern, from.message).optional().describe(from.help);
    if (row.place.kind === 'section') out[row.key] = sectionSchema(row, row.place);
    else out[row.place.list] ??= listSchema(row.place);
  }
  return out;
}

/** The file's frame: what every params file says whatever its templates. */
function frameSchema() {
  return z.strictObject({
    $schema: z.string().optional(),
    environment: name('EnvironmentName', 'environment'),
    prefix: name('Prefix', 'prefix'),
    region: z.string({ message: 'region is required' }).regex(REGION.pattern, REGION.message),
    profile: z.string().optional().describe('AWS profile to use (overridden by --profile)'),
    protected: z
      .boolean()
      .optional()
      .describe(
        'The protection switch: true turns on stack termination protection and the deletion protection of databases and load balancers for the whole environment; false turns them all off; absent, each template keeps its default (databases protected)',
      ),
    tags: z
      .strictObject({
        contactEmail: name('ContactEmail', 'tags.contactEmail'),
        costCode: name('CostCode', 'tags.costCode').optional(),
        extra: z
          .record(
            z.string().regex(/^[\w.:/=+@ -]{1,128}$/, 'a tag key is 1 to 128 letters, digits, spaces or _.:/=+-@'),
            z.string().max(256),
          )
          .optional(),
      })
      .describe('ContactEmail and CostCode go on every resource; extra tags go on every stack'),
  });
}

// ---- the file's type, derived from the rows' literal types

/** A link as the file writes it. */
type Link = { name: string; access?: z.infer<typeof access>[] };

/**
 * A section of a row: its template's options (known only at run time, so `unknown` here), and for
 * services their links, plain environment (`V`: what the file may write, or the strings it becomes)
 * and secret keys.
 */
type SectionOf<R, V> = { [option: string]: unknown } & (R extends { linkable: true }
  ? { links?: Link[]; environment?: Record<string, V>; secrets?: string[] }
  : unknown);

/** A list item of a row: its section, the field that names it, and its `kind` in a list shared by kind. */
type ItemOf<R, V> = R extends { key: infer K; place: { name: { field: infer F extends string } } }
  ? SectionOf<R, V> & { [f in F]: string } & (R extends { place: { byKind: object } } ? { kind: K } : unknown)
  : never;

type SectionRows<At> = Extract<LiteralRow, { place: { kind: 'section'; at: At } }>;
type ListRows<At> = Extract<LiteralRow, { place: { kind: 'list'; at: At } }>;

/** The sections (by row key) and lists (by list name) of one level of the file. */
type Level<At, V> = { [R in SectionRows<At> as R['key']]?: SectionOf<R, V> } & {
  [L in ListRows<At>['place']['list']]?: ItemOf<Extract<ListRows<At>, { place: { list: L } }>, V>[];
} & { [F in HolderFields<At>]?: string };

/** Fields beside a level's sections that fill some of their parameters (an app's publicUri). */
type HolderFields<At> =
  SectionRows<At> extends infer R ? (R extends { fromHolder: { field: infer F } } ? F : never) : never;

/** An item of `apps:` as written: its name and the app-level sections and lists. */
export type AppInput = { name: string } & Level<'app', string | number | boolean>;

/** A params file as written (what the wizard builds): the frame, then the rows' sections and lists. */
export type ParamsInput = z.input<ReturnType<typeof frameSchema>> &
  Level<'environment', string | number | boolean> & { apps?: AppInput[] };

/** An item of `apps:` once parsed. */
export type AppParams = { name: string } & Level<'app', string>;

/**
 * A parsed params file: the frame, the environment-level sections and lists by their row's key or
 * list name (`network`, `repositories`...), and `apps` with theirs. Code that works for any row reads
 * sections through {@link sectionOf} and {@link itemsOf}, which know where each row lives.
 */
export type ParamsFile = z.output<ReturnType<typeof frameSchema>> &
  Level<'environment', string> & { apps?: AppParams[] };

/**
 * Builds the params-file schema (templates are built once to read their parameters). Its sections
 * come from the rows, so zod cannot infer their types: the schema is typed here, once, with the
 * types derived from the rows' literal types above.
 */
export function paramsSchema(): z.ZodType<ParamsFile, ParamsInput> {
  const app = z.strictObject({ name: name('ApplicationName', 'an app name'), ...rowFields('app') });
  const schema = frameSchema().extend({ ...rowFields('environment'), apps: z.array(app).optional() });
  return schema as unknown as z.ZodType<ParamsFile, ParamsInput>;
}

/** A row's section in the file or an app (undefined when absent), for rows with a section of their own. */
export function sectionOf(holder: Section, row: CatalogueRow): Section | undefined {
  return row.place.kind === 'section' ? (holder[row.key] as Section | undefined) : undefined;
}

/** The items of a list place in the file or an app (empty when absent). */
export function itemsOf(holder: Section, place: ListPlace): Section[] {
  return (holder[place.list] as Section[] | undefined) ?? [];
}

/** The row an item of a list belongs to: its `kind` for a list shared by kind, else the list's one row. */
export function rowOfItem(place: ListPlace, item: Section): StageDef | undefined {
  if (!place.byKind) return rowsOfList(place)[0];
  return rowsOfList(place).find((r) => r.key === item.kind);
}

/** Every list place at a level, once each (rows of one list share it). */
export function listPlaces(at: SectionPlace['at']): ListPlace[] {
  const places: ListPlace[] = [];
  for (const r of catalogue)
    if (r.place.kind === 'list' && r.place.at === at && !places.some((p) => p.list === (r.place as ListPlace).list))
      places.push(r.place);
  return places;
}

/** The JSON Schema of the params file, for editors (published as published/params.schema.json). */
export function paramsJsonSchema(): unknown {
  const schema = z.toJSONSchema(paramsSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'cfn-stages params file',
    description: 'An environment for `provision deploy --params FILE`: its stages, image repositories and apps.',
  };
}
