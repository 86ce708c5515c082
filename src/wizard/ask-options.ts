/**
 * A stage's option questions, asked: the important ones first, the rest behind "advanced
 * settings?". The questions themselves (text, help, choices, checks) come from the template's
 * parameters (./questions.ts); this module only asks them and keeps what is not asked.
 */
import { stages, type StageKey } from '../../stages/catalogue';
import type { Prompter } from './ask';
import type { Options } from './document';
import { checkAnswer, checkOption, optionQuestions, toOptionValue, type OptionQuestion } from './questions';

/** How one option question is asked: its id, the current value as text, and its help line. */
interface Asking {
  stage: StageKey;
  q: OptionQuestion;
  id: string;
  /** The current value (or the template default) as the question's text; undefined when none. */
  current: string | undefined;
  help: string;
  /** The stage's answers so far (what the template's rules are checked against). */
  answers: Options;
}

/**
 * A choice: choices that would break one of the template's rules are not offered (the help says
 * why); a current value outside the template's list stays offered when it fits.
 */
async function askChoice(p: Prompter, { stage, q, id, current, help, answers }: Asking): Promise<unknown> {
  const all = q.choices ?? [];
  const fits = (v: string) => checkAnswer(stage, q, v, answers) === undefined;
  const offered = all.filter(fits);
  const choices = (offered.length ? offered : all).map((v) => ({
    value: v,
    name: v === q.templateDefault ? `${v} (default)` : v,
  }));
  if (current !== undefined && !all.includes(current) && fits(current))
    choices.unshift({ value: current, name: `${current} (current)` });
  const refused = all.length - choices.filter((ch) => all.includes(ch.value)).length;
  const why = refused && all.find((v) => !fits(v));
  const fallback = current !== undefined && choices.some((ch) => ch.value === current) ? current : choices[0]?.value;
  const answer = await p.select<string>({
    id,
    message: q.message,
    help: why ? `${help} (${checkAnswer(stage, q, why, answers)})` : help,
    choices,
    ...(fallback !== undefined ? { default: fallback } : {}),
  });
  return toOptionValue(stage, q.option, answer);
}

/**
 * Asks one option question; returns the value a params file holds. `answers` are the stage's
 * values so far: choices that would break one of the template's rules are not offered, and a typed
 * answer that would is refused as it is typed.
 */
async function askOption(
  p: Prompter,
  stage: StageKey,
  q: OptionQuestion,
  value: unknown,
  id: string,
  answers: Options,
): Promise<unknown> {
  const current = value === undefined ? q.templateDefault : Array.isArray(value) ? value.join(',') : String(value);
  const { templateDefault } = q;
  const help =
    q.help +
    (templateDefault !== undefined && templateDefault !== '' && current !== templateDefault
      ? ` (template default: ${templateDefault})`
      : '');
  if (q.kind === 'yesno') {
    const yes = await p.confirm({ id, message: q.message, help, default: current === 'true' });
    return String(yes);
  }
  if (q.kind === 'choice') return askChoice(p, { stage, q, id, current, help, answers });
  const answer = await p.input({
    id,
    message: q.message + (q.kind === 'list' ? ' (comma-separated)' : ''),
    help,
    ...(current !== undefined ? { default: current } : {}),
    validate: (v) => checkOption(stage, q.option, v) ?? checkAnswer(stage, q, v, answers),
  });
  return toOptionValue(stage, q.option, answer);
}

/**
 * The stage's important options, then (if wanted) the rest. Options not asked keep their current
 * value, so an update never resets a setting the user did not touch.
 */
export async function askOptions(
  p: Prompter,
  stage: StageKey,
  current: Options,
  id: string,
  label?: string,
): Promise<Options> {
  const out: Options = {};
  const questions = optionQuestions(stage);
  for (const [k, v] of Object.entries(current)) if (questions.some((q) => q.option === k)) out[k] = v;
  const ask = (q: OptionQuestion) => askOption(p, stage, q, current[q.option], `${id}.${q.option}`, out);
  for (const q of questions.filter((x) => x.important)) out[q.option] = await ask(q);
  const rest = questions.filter((x) => !x.important);
  if (!rest.length) return out;
  const changed = rest.filter((q) => current[q.option] !== undefined).length;
  const { title } = stages[stage];
  const advanced = await p.confirm({
    id: `${id}.advanced`,
    message: `Advanced settings of ${label ? `${label} (${title})` : title}?`,
    help: `${rest.length} more: ${rest.map((q) => q.option).join(', ')}${changed ? ` (${changed} not at the default)` : ''}; No keeps their current values`,
    default: false,
  });
  if (advanced) for (const q of rest) out[q.option] = await ask(q);
  return out;
}
