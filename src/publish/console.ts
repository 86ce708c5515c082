/**
 * What a console user must fill in per published template, read from the templates themselves:
 * the parameters without a default, the ones whose values find what earlier stages exported, and
 * the `Rules` a template's defaults do not meet (a choice the user has to make, such as an image).
 * The README's console table is this, checked by a test so it cannot drift.
 */
import { catalogue, publishedTemplate } from '../../stages/catalogue';
import type { BuiltTemplate } from '../../templates/kit/builder';
import { exportNamePattern } from '../../templates/kit/exports';
import { brokenRules, plain } from '../../stages/check';
import type { TemplateParameter } from '../../stages/options';

export interface ConsoleFields {
  id: string;
  /** Parameters without a default, in the template's order. */
  required: string[];
  /** Parameters the template's imports are named from (how it finds earlier stages). */
  finds: string[];
  /** Messages of the rules the defaults break: what else must be given. */
  rules: string[];
}

/** The console fields of one template. */
export function consoleFields(built: BuiltTemplate): ConsoleFields {
  const params = (plain(built.template).Parameters ?? {}) as Record<string, TemplateParameter>;
  const required = Object.entries(params)
    .filter(([, p]) => p.Default === undefined)
    .map(([name]) => name);
  const finds = [
    ...new Set(
      built.imports.flatMap((i) =>
        [...exportNamePattern(i.contract, i.instance).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!),
      ),
    ),
  ].sort((a, b) => Object.keys(params).indexOf(a) - Object.keys(params).indexOf(b));
  // Any value that meets the parameter's own constraints would do for the required ones here.
  const placeholders = Object.fromEntries(required.map((name) => [name, 'x']));
  const rules = brokenRules(built.template, placeholders).map((b) => b.message);
  return { id: built.id, required, finds, rules };
}

/** The README's table: one row per published template. */
export function consoleTable(): string {
  const code = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');
  const rows = catalogue
    .map((e) => consoleFields(publishedTemplate(e)))
    .map((f) => {
      const optional = f.finds.filter((n) => !f.required.includes(n));
      const finds =
        code(f.finds.filter((n) => f.required.includes(n))) +
        (optional.length ? ` (and ${code(optional)} when set)` : '');
      return `| \`${f.id}\` | ${code(f.required)} | ${finds || 'nothing: it imports no export'} | ${f.rules.join(' ') || ''} |`;
    });
  return [
    '| template | fill in (no default) | finds earlier stages through | and also |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}
