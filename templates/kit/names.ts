/**
 * Every name the catalogue shares between templates, the deployer and the params file: standard
 * parameter names, the patterns that validate them, and the stack-name rules. Nothing here is typed
 * twice anywhere else: the CloudFormation `AllowedPattern`s and the params-file schema both read
 * these constants.
 */

/** What a template is scoped to; decides its standard parameters and its export-name prefix. */
export type Scope = 'environment' | 'project' | 'application';

/** Names of the standard parameters every template of a scope takes. */
export const StdParam = {
  Prefix: 'Prefix',
  EnvironmentName: 'EnvironmentName',
  ApplicationName: 'ApplicationName',
  RepositoryName: 'RepositoryName',
  ContactEmail: 'ContactEmail',
  CostCode: 'CostCode',
} as const;

/**
 * Validation rules shared by templates (AllowedPattern) and the params file (schema).
 * Lower-case only: these names end up in S3 bucket names, log groups and load balancer names.
 */
export const Patterns = {
  /** 1 to 3 characters ending in a hyphen, starting with a letter: `x-`, `ab-`. */
  Prefix: {
    pattern: '^[a-z][a-z0-9]?-$',
    minLength: 2,
    maxLength: 3,
    message:
      'a prefix is 2 or 3 characters: a lower-case letter, an optional letter or digit, then a hyphen (e.g. "x-")',
  },
  /** Short because ALB and target-group names (32 characters at most) are built from it. */
  EnvironmentName: {
    pattern: '^[a-z][a-z0-9]{0,9}$',
    minLength: 1,
    maxLength: 10,
    message: 'an environment name is 1 to 10 lower-case letters or digits, starting with a letter (e.g. "dev")',
  },
  ApplicationName: {
    pattern: '^[a-z][a-z0-9-]{0,14}[a-z0-9]$|^[a-z]$',
    minLength: 1,
    maxLength: 16,
    message:
      'an application name is 1 to 16 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen (e.g. "acme")',
  },
  /** ECR repository names allow more than this, but we keep them usable in export and stack names. */
  RepositoryName: {
    pattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*$',
    minLength: 2,
    maxLength: 64,
    message:
      'a repository name is 2 to 64 lower-case letters or digits, separated by single ".", "_" or "-" (e.g. "acme-web")',
  },
  ContactEmail: {
    pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
    minLength: 3,
    maxLength: 128,
    message: 'a contact email looks like "ops@example.com"',
  },
  CostCode: {
    pattern: '^[A-Za-z0-9._:/=+@-]{1,64}$',
    minLength: 1,
    maxLength: 64,
    message: 'a cost code is 1 to 64 letters, digits or ._:/=+@- (e.g. "cc-1234")',
  },
  /** Suffix of an extra ("piggyback") service: part of its stack name and export names. */
  ExtraSuffix: {
    pattern: '^[a-z][a-z0-9]{0,11}$',
    minLength: 1,
    maxLength: 12,
    message: 'an extra-service suffix is 1 to 12 lower-case letters or digits, starting with a letter (e.g. "api2")',
  },
  /** Name of a data store (database, cache, bucket, queue, topic) within its application. */
  DataName: {
    pattern: '^[a-z][a-z0-9]{0,11}$',
    minLength: 1,
    maxLength: 12,
    message: 'a data store name is 1 to 12 lower-case letters or digits, starting with a letter (e.g. "main")',
  },
} as const;

export type PatternName = keyof typeof Patterns;

/** Checks a value against one of the shared patterns; returns the problem or undefined. */
export function checkName(kind: PatternName, value: string): string | undefined {
  const rule = Patterns[kind];
  if (value.length < rule.minLength || value.length > rule.maxLength || !new RegExp(rule.pattern).test(value)) {
    return rule.message;
  }
  return undefined;
}

/** The values a stack name (and export names) are built from. */
export interface NameContext {
  prefix: string;
  environment: string;
  application?: string;
  repository?: string;
  /** Extra-service suffix or data-store name, for repeatable templates. */
  instance?: string;
}

/** What names an environment: its prefix and its name. */
export interface EnvironmentRef {
  prefix: string;
  environment: string;
}

/**
 * The environment's id, `x-dev`: what every stack and export name of the environment starts with,
 * its tag value and its lock's name. Two environments that differ only by prefix live side by side.
 */
export function environmentId(env: EnvironmentRef): string {
  return `${env.prefix}${env.environment}`;
}

/** The inverse of {@link environmentId}: a prefix ends with its only hyphen, a name has none. */
export function parseEnvironmentId(id: string): EnvironmentRef | undefined {
  const m = /^([^-]+-)([^-]+)$/.exec(id);
  if (!m || checkName('Prefix', m[1]!) || checkName('EnvironmentName', m[2]!)) return undefined;
  return { prefix: m[1]!, environment: m[2]! };
}

/**
 * The start of every stack name, export name and scoped resource name of a scope, as an `Fn::Sub`
 * pattern: the one rule (DESIGN.md, "Exports"). Environment: `${Prefix}${EnvironmentName}`;
 * application: `${Prefix}${EnvironmentName}-${ApplicationName}`; project (shared by environments,
 * so without them): `ecr-${RepositoryName}`.
 */
export function scopePrefix(scope: Scope): string {
  switch (scope) {
    case 'environment':
      return '${Prefix}${EnvironmentName}';
    case 'application':
      return '${Prefix}${EnvironmentName}-${ApplicationName}';
    case 'project':
      return 'ecr-${RepositoryName}';
  }
}

/** A name within a scope: `${scopePrefix}-${rest}`, or the prefix alone for an empty `rest`. */
export function scopedPattern(scope: Scope, rest: string): string {
  return rest ? `${scopePrefix(scope)}-${rest}` : scopePrefix(scope);
}

/**
 * A template's stack-name rule as an `Fn::Sub` pattern (shown in each template's metadata so a
 * console user names the stack the same way the deployer does): `${Prefix}${EnvironmentName}-network`,
 * `...-${ApplicationName}-${DataName}`, `ecr-${RepositoryName}`.
 */
export function stackNamePattern(template: { scope: Scope; stackSuffix: string }): string {
  return scopedPattern(template.scope, template.stackSuffix);
}

/** A concrete stack name: the template's rule with the stack's parameter values. */
export function stackName(
  template: { scope: Scope; stackSuffix: string },
  values: Record<string, string | undefined>,
): string {
  return resolvePattern(stackNamePattern(template), values);
}

/** The inverse of {@link stackName}: the parameter values a name was made from, or undefined. */
export function parseStackName(
  template: { scope: Scope; stackSuffix: string },
  name: string,
  known: Record<string, string | undefined> = {},
): Record<string, string> | undefined {
  return parsePattern(stackNamePattern(template), name, known);
}

/**
 * A pattern as people read it in metadata and descriptions: `{Prefix}{EnvironmentName}-network`
 * (a `${...}` outside `Fn::Sub` is an error to cfn-lint, E1029).
 */
export function displayPattern(pattern: string): string {
  return pattern.replace(/\$\{/g, '{');
}

/** Resolves a `${Name}` pattern against concrete values. Unknown names are an error, not a blank. */
export function resolvePattern(pattern: string, values: Record<string, string | undefined>): string {
  return pattern.replace(/\$\{([A-Za-z0-9]+)\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`pattern "${pattern}" needs a value for ${key}`);
    return v;
  });
}

/** The rule a name parameter's value keeps, where there is one. */
const RULE_OF: Record<string, PatternName> = {
  Prefix: 'Prefix',
  EnvironmentName: 'EnvironmentName',
  ApplicationName: 'ApplicationName',
  RepositoryName: 'RepositoryName',
  Suffix: 'ExtraSuffix',
  DataName: 'DataName',
};

/** A rule's pattern as a group inside a longer one: `^a$|^b$` becomes `(?:a|b)`. */
function unanchored(pattern: string): string {
  return `(?:${pattern.replace(/\$\|\^/g, '|').replace(/^\^|\$$/g, '')})`;
}

/**
 * The inverse of {@link resolvePattern}: the values of the pattern's `${Name}`s in `text`, each
 * valid by its rule, or undefined when `text` was not made from the pattern. `known` values are
 * matched literally; each unknown one by its rule. A name that still splits two ways (an app name
 * with hyphens before a suffix) is split with the earlier value longest.
 */
export function parsePattern(
  pattern: string,
  text: string,
  known: Record<string, string | undefined> = {},
): Record<string, string> | undefined {
  const names: string[] = [];
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = pattern
    .split(/(\$\{[A-Za-z0-9]+\})/)
    .map((part) => {
      const m = /^\$\{([A-Za-z0-9]+)\}$/.exec(part);
      if (!m) return escape(part);
      const value = known[m[1]!];
      if (value !== undefined) return escape(value);
      names.push(m[1]!);
      const rule = RULE_OF[m[1]!];
      return rule ? `(${unanchored(Patterns[rule].pattern)})` : '(.+)';
    })
    .join('');
  const match = new RegExp(`^${source}$`).exec(text);
  if (!match) return undefined;
  const values = Object.fromEntries(names.map((n, i) => [n, match[i + 1]!]));
  const valid = Object.entries(values).every(([n, v]) => !RULE_OF[n] || !checkName(RULE_OF[n], v));
  return valid ? { ...values } : undefined;
}

/** Pattern values for a name context, keyed by standard parameter name. */
export function patternValues(
  ctx: NameContext,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    Prefix: ctx.prefix,
    EnvironmentName: ctx.environment,
    ApplicationName: ctx.application,
    RepositoryName: ctx.repository,
    ...extra,
  };
}
