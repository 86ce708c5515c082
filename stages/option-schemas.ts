/**
 * The zod schemas of stage options, built from the template's own parameters (./options.ts says
 * how options and parameters relate). A module of its own so that only what validates a params
 * file or an answer loads zod: building and planning templates (`synth`) do not.
 */
import { z } from 'zod';
import type { BuiltTemplate } from '../templates/kit/builder';
import { optionName, stageParameters, type TemplateParameter } from './options';

// zod compiles a parser for each object schema on its first use (`new Function`), which pays off
// over many parses; a run parses one params file (or a few answers) once, and the compiling cost
// about 6 ms of it. Same results either way.
z.config({ jitless: true });

/** The message a value gets when it breaks a template parameter's constraint. */
function constraint(p: TemplateParameter, fallback: string): string {
  return p.ConstraintDescription ?? fallback;
}

/** A zod schema for one template parameter, accepting the YAML forms people write. */
export function parameterSchema(p: TemplateParameter): z.ZodType {
  let schema: z.ZodType;
  if (p.Type === 'Number') {
    let n = z.number();
    if (p.MinValue !== undefined) n = n.min(p.MinValue, constraint(p, `must be at least ${p.MinValue}`));
    if (p.MaxValue !== undefined) n = n.max(p.MaxValue, constraint(p, `must be at most ${p.MaxValue}`));
    schema = p.AllowedValues
      ? n.refine((v) => p.AllowedValues!.map(Number).includes(v), {
          message: `must be one of ${p.AllowedValues.join(', ')}`,
        })
      : n;
  } else if (p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<')) {
    // CloudFormation applies AllowedPattern to each value of a list; a YAML list or "a,b" both work.
    let item = z.string();
    if (p.AllowedPattern)
      item = item.regex(new RegExp(p.AllowedPattern), constraint(p, `each value must match ${p.AllowedPattern}`));
    schema = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()) : v), z.array(item));
  } else if (p.AllowedValues) {
    const values = p.AllowedValues.map(String) as [string, ...string[]];
    // YAML reads `azCount: 3` as a number; the template wants the string "3".
    schema = z.preprocess(
      (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
      z.enum(values, { message: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` }),
    );
  } else {
    let s = z.string();
    if (p.MinLength !== undefined) s = s.min(p.MinLength, constraint(p, `must be at least ${p.MinLength} characters`));
    if (p.MaxLength !== undefined) s = s.max(p.MaxLength, constraint(p, `must be at most ${p.MaxLength} characters`));
    if (p.AllowedPattern) s = s.regex(new RegExp(p.AllowedPattern), constraint(p, `must match ${p.AllowedPattern}`));
    schema = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), s);
  }
  const described = p.Description ? schema.describe(p.Description) : schema;
  return described.optional();
}

/**
 * The static type of a stage's options schema: the structural fields the caller adds keep their
 * types (a data store's `kind` and `name`, a service's `links`), so the params file's inferred type
 * is the one model of the file; the options themselves come from the template at run time, so
 * statically they are unknown values. At run time the schema is strict: unknown keys are refused.
 */
export type StageOptionsSchema<Extra extends z.core.$ZodShape> = z.ZodObject<Extra, z.core.$loose>;

/** A strict object schema of a stage's options, plus any structural fields the caller adds. */
export function stageOptionsSchema<Extra extends z.core.$ZodShape = Record<never, z.ZodType>>(
  built: BuiltTemplate,
  structural: readonly string[],
  extra?: Extra,
): StageOptionsSchema<Extra> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, p] of stageParameters(built, structural)) shape[optionName(name)] = parameterSchema(p);
  // The one cast: the template's options are not known to the compiler (see StageOptionsSchema).
  return z.strictObject({ ...shape, ...extra }) as unknown as StageOptionsSchema<Extra>;
}
