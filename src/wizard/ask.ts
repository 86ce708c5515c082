/**
 * What every step of the wizard asks through: the {@link Prompter} contract (a terminal in
 * src/wizard/prompter.ts, scripted answers in tests), the state the steps share, and the helpers
 * that make the steps short: one for every "keep / add another" list (repositories, apps, data
 * stores, extra services), one for a new item's unique name.
 */
import { checkName, type PatternName } from '../../templates/kit/names';
import type { ParamsDoc } from './document';

export interface Question {
  /** Stable id of the question (what scripted answers are keyed by). */
  id: string;
  message: string;
  /** What the question is for. */
  help?: string;
}

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
  checked?: boolean;
  /** Shown greyed out with this reason; cannot be toggled. */
  disabled?: string;
}

/** What the flow needs from a terminal (or from a test's scripted answers). */
export interface Prompter {
  /** Free text; Enter on an empty line takes the default. `validate` returns the problem, if any. */
  input(q: Question & { default?: string; validate?: (value: string) => string | undefined }): Promise<string>;
  confirm(q: Question & { default: boolean }): Promise<boolean>;
  select<T extends string>(q: Question & { choices: Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T extends string>(
    q: Question & { choices: Choice<T>[]; validate?: (values: T[]) => string | undefined },
  ): Promise<T[]>;
  /** A line of information between questions. */
  note(text: string): void;
  /**
   * Waits until `check` resolves true (asked every `intervalMs`): `ready`; or the user skips:
   * `skip`. Optional: without it the wizard asks a yes/no question per look-up instead.
   */
  waitFor?(q: Question & { check: () => Promise<boolean>; intervalMs: number }): Promise<'ready' | 'skip'>;
}

/**
 * What the steps after the environment's identity share: the defaults every question offers (a
 * saved params file, the deployed environment's settings, or a new environment's), and the
 * answers so far, which each step extends with its own section.
 */
export interface Draft {
  readonly defaults: ParamsDoc;
  readonly answers: ParamsDoc;
}

/** One step of the flow: asks its questions and writes its part of `draft.answers`. */
export type Step = (p: Prompter, draft: Draft) => Promise<void>;

/** A name not in `taken`: `base`, then `base2`, `base3`... */
export function freeName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}${i}`)) return `${base}${i}`;
}

/**
 * A new item's name: checked with the shared name pattern and refused when `taken` has it (the
 * params file needs it unique there); a free name from `base` is the default.
 */
export function askName(
  p: Prompter,
  q: Question & { pattern: PatternName; base: string; taken: readonly string[]; duplicate: string },
): Promise<string> {
  return p.input({
    id: q.id,
    message: q.message,
    ...(q.help ? { help: q.help } : {}),
    default: freeName(q.base, q.taken),
    validate: (v) => checkName(q.pattern, v) ?? (q.taken.includes(v) ? `"${v}" ${q.duplicate}` : undefined),
  });
}

/**
 * The questions of one "keep / add another" list. Items of `current` (a saved file's, or the
 * deployed environment's) are each kept, and asked again, or dropped from the params file; new
 * ones are added while the user says so. The add question's id is `${id}.add` for the first
 * item and `${id}.add[n]` once n items are in the list.
 */
export interface ListQuestions<T> {
  /** The list's id (`repositories`, `apps[0].data`). */
  id: string;
  current: readonly T[] | undefined;
  /** Whether to keep `item` (`i`: its place in `current`); Enter keeps it. */
  keep(item: T, i: number, kept: readonly T[]): Question;
  /** Asks a kept item again; the result becomes `kept[kept.length]`. */
  again(item: T, kept: readonly T[]): Promise<T>;
  /** Whether to add one more to those `kept` so far. */
  more(kept: readonly T[]): Omit<Question, 'id'> & { default: boolean };
  /** Asks a new item; the result becomes `kept[kept.length]`. */
  add(kept: readonly T[]): Promise<T>;
}

/** Runs one "keep / add another" list; resolves with the items in their new order. */
export async function keepOrAdd<T>(p: Prompter, list: ListQuestions<T>): Promise<T[]> {
  const kept: T[] = [];
  for (const [i, item] of (list.current ?? []).entries()) {
    if (await p.confirm({ ...list.keep(item, i, kept), default: true })) kept.push(await list.again(item, kept));
  }
  while (await p.confirm({ id: `${list.id}.add${kept.length ? `[${kept.length}]` : ''}`, ...list.more(kept) })) {
    kept.push(await list.add(kept));
  }
  return kept;
}
