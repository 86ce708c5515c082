/**
 * The product's own `Rules` evaluation (stages/check.ts), as the names of the rules broken: lets
 * template tests say "this combination is refused" instead of only "a rule exists".
 */
import { brokenRules as broken, type CheckedTemplate, type ParamValues } from '../../stages/check';

export type { ParamValues };

/** The names of the rules the values break (parameter defaults fill in what is not given). */
export function brokenRules(template: CheckedTemplate, values: ParamValues): string[] {
  return broken(template, values).map((b) => b.rule);
}
