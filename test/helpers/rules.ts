/**
 * Evaluates a template's `Rules` for given parameter values, the way CloudFormation does before it
 * touches any resource: the subset of rule functions the catalogue uses (Ref, Fn::Equals, Fn::And,
 * Fn::Or, Fn::Not, Fn::Contains). Lets tests say "this combination is refused" instead of only
 * "a rule exists".
 */
export type ParamValues = Record<string, string>;

function evaluate(x: any, params: ParamValues): any {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((v) => evaluate(v, params));
  const [fn, arg] = Object.entries(x)[0] as [string, any];
  switch (fn) {
    case 'Ref':
      if (!(arg in params)) throw new Error(`rule refers to unknown parameter ${arg}`);
      return params[arg];
    case 'Fn::Equals':
      return String(evaluate(arg[0], params)) === String(evaluate(arg[1], params));
    case 'Fn::And':
      return arg.every((c: any) => evaluate(c, params) === true);
    case 'Fn::Or':
      return arg.some((c: any) => evaluate(c, params) === true);
    case 'Fn::Not':
      return evaluate(arg[0], params) !== true;
    case 'Fn::Contains':
      return (evaluate(arg[0], params) as unknown[]).map(String).includes(String(evaluate(arg[1], params)));
    default:
      throw new Error(`rule function ${fn} is not modelled here`);
  }
}

/** The names of the rules the values break (parameter defaults fill in what is not given). */
export function brokenRules(template: { Parameters: Record<string, any>; Rules?: Record<string, any> }, values: ParamValues): string[] {
  const params: ParamValues = {};
  for (const [name, p] of Object.entries(template.Parameters)) if (p.Default !== undefined) params[name] = String(p.Default);
  Object.assign(params, values);
  return Object.entries(template.Rules ?? {})
    .filter(([, rule]) => rule.RuleCondition === undefined || evaluate(rule.RuleCondition, params) === true)
    .filter(([, rule]) => rule.Assertions.some((a: any) => evaluate(a.Assert, params) !== true))
    .map(([name]) => name);
}
