/**
 * The wizard's option questions, derived from the templates' own parameters (stages/options.ts):
 * each question's text, help, default, choices and validation come from the parameter's
 * Description, Default, AllowedValues and AllowedPattern/ConstraintDescription, checked with the
 * same zod schema the params file uses. Which parameters are asked up front is the catalogue row's
 * `questions` (stages/catalogue.ts); the rest keep their defaults unless the user opens the
 * stage's advanced settings. Pure: no prompts, no I/O.
 */
import { publishedTemplate, stages, type StageKey } from '../../stages/catalogue';
import { answerProblem, type ParamValues } from '../../stages/check';
import { parameterSchema } from '../../stages/option-schemas';
import { optionName, stageParameters, type TemplateParameter } from '../../stages/options';

/** Options with a question of their own (the image of a service), never asked one by one. */
export const IMAGE_OPTIONS: readonly string[] = ['repositoryName', 'imageTag', 'publicImage'];

/** A value as a params file holds it: numbers for Number parameters, strings otherwise. */
export type OptionValue = string | number;

export interface OptionQuestion {
  /** camelCase option name (`maxContainers`). */
  option: string;
  /** The template parameter (`MaxContainers`). */
  parameter: string;
  kind: 'choice' | 'yesno' | 'number' | 'text' | 'list';
  /** What the question says: the option in words. */
  message: string;
  /** What it is for: the template parameter's Description. */
  help: string;
  /** The template's default, as a string ('' when the parameter has none, or an empty default). */
  templateDefault?: string;
  /** AllowedValues, for choices. */
  choices?: string[];
  /** True when the template has no default: an answer is needed. */
  required: boolean;
  important: boolean;
}

/** A stage's template number, as the wizard's texts show it (`repository` -> `21`). */
export function templateNumber(stage: StageKey): string {
  return stages[stage].templateId.split('.')[0] ?? '';
}

/** `healthCheckPath` -> `Health check path`; `ec2MinSize` -> `EC2 min size`. */
export function words(option: string): string {
  const spaced = option
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\b(ec2|eks|ecs|ecr|az|nat|cidr|cidrs|arn|arns|tls|tcp|http|cpu|id|ami|sqs|sns|vpc)\b/g, (w) =>
      w === 'cidrs' ? 'CIDRs' : w === 'arns' ? 'ARNs' : w.toUpperCase(),
    );
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function questionOf(stage: StageKey, parameter: string, p: TemplateParameter): OptionQuestion {
  const option = optionName(parameter);
  const allowed = p.AllowedValues?.map(String);
  const yesno = Boolean(allowed && allowed.length === 2 && allowed.includes('true') && allowed.includes('false'));
  const kind: OptionQuestion['kind'] = yesno
    ? 'yesno'
    : allowed
      ? 'choice'
      : p.Type === 'Number'
        ? 'number'
        : p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<')
          ? 'list'
          : 'text';
  return {
    option,
    parameter,
    kind,
    message: words(option),
    help: p.Description ?? '',
    ...(p.Default !== undefined ? { templateDefault: String(p.Default) } : {}),
    ...(allowed && !yesno ? { choices: allowed } : {}),
    required: p.Default === undefined,
    important: stages[stage].questions.includes(option),
  };
}

const cache = new Map<StageKey, { questions: OptionQuestion[]; params: Map<string, TemplateParameter> }>();

function load(stage: StageKey) {
  let hit = cache.get(stage);
  if (!hit) {
    const def = stages[stage];
    const entries = stageParameters(publishedTemplate(def), def.structural);
    hit = {
      questions: entries
        .map(([name, p]) => questionOf(stage, name, p))
        .filter((q) => !(def.linkable && IMAGE_OPTIONS.includes(q.option))),
      params: new Map(entries.map(([name, p]) => [optionName(name), p])),
    };
    cache.set(stage, hit);
  }
  return hit;
}

/** Every option question of a stage, in the template's parameter order. */
export function optionQuestions(stage: StageKey): OptionQuestion[] {
  return load(stage).questions;
}

/** The template parameter behind an option (undefined for an unknown option). */
export function optionParameter(stage: StageKey, option: string): TemplateParameter | undefined {
  return load(stage).params.get(option);
}

/** Converts a typed answer to the value a params file holds (Number parameters become numbers). */
export function toOptionValue(stage: StageKey, option: string, answer: string): OptionValue {
  const p = optionParameter(stage, option);
  const text = answer.trim();
  if (p?.Type === 'Number' && text !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (p && (p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<')))
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .join(',');
  return text;
}

/**
 * Checks an answer against the parameter's schema (the params file's own rule). Returns the
 * problem, in the template's words, or undefined when the answer is fine.
 */
export function checkOption(stage: StageKey, option: string, answer: string): string | undefined {
  const p = optionParameter(stage, option);
  if (!p) return `${option} is not an option of ${stages[stage].templateId}`;
  if (p.Default === undefined && answer.trim() === '') return 'an answer is needed (this setting has no default)';
  if (p.Type === 'Number' && (answer.trim() === '' || Number.isNaN(Number(answer.trim())))) return 'a number is needed';
  const result = parameterSchema(p).safeParse(toOptionValue(stage, option, answer));
  return result.success ? undefined : result.error.issues[0]?.message;
}

/**
 * Whether a value is what the template would use anyway, so the params file can leave it out.
 * `undefined` (not set) always is.
 */
export function isTemplateDefault(stage: StageKey, option: string, value: unknown): boolean {
  if (value === undefined) return true;
  const p = optionParameter(stage, option);
  if (!p || p.Default === undefined) return false;
  const norm = (v: unknown) =>
    (Array.isArray(v) ? v.join(',') : String(v))
      .split(',')
      .map((s) => s.trim())
      .join(',');
  return norm(value) === norm(p.Default);
}

/**
 * Checks an answer against the template's `Rules` and min/max bounds, given the stage's answers
 * so far (option -> value): what makes the wizard's choices follow the rules (memory for a cpu).
 */
export function checkAnswer(
  stage: StageKey,
  q: OptionQuestion,
  answer: string,
  answers: Record<string, unknown>,
): string | undefined {
  const known: ParamValues = {};
  for (const other of optionQuestions(stage)) {
    const v = answers[other.option];
    if (v !== undefined && other.option !== q.option)
      known[other.parameter] = Array.isArray(v) ? v.join(',') : String(v);
  }
  const problem = answerProblem(
    publishedTemplate(stages[stage]).template,
    q.parameter,
    String(toOptionValue(stage, q.option, answer)),
    known,
  );
  // In the wizard's words: options, not template parameters.
  return problem?.replace(/\b[A-Z][A-Za-z0-9]+\b/g, (w) =>
    optionQuestions(stage).some((o) => o.parameter === w) ? optionName(w) : w,
  );
}
