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

/**
 * Stack-name rules, as CloudFormation `Fn::Sub` patterns (shown in each template's metadata so a
 * console user names the stack the same way the deployer does). The prefix is part of every
 * environment and application stack name: two environments that differ only by prefix live side by
 * side in one account, exactly as their exports do.
 */
export const StackNamePattern = {
  environment: (stage: string) => `\${Prefix}\${EnvironmentName}-${stage}`,
  application: (stage: string) => `\${Prefix}\${EnvironmentName}-\${ApplicationName}-${stage}`,
  /** Repeatable application stacks (extra services, data stores): `stage` holds `${Suffix}` etc. */
  project: (stage: string) => `ecr-\${RepositoryName}${stage ? '-' + stage : ''}`,
} as const;

/** Resolves a `${Name}` pattern against concrete values. Unknown names are an error, not a blank. */
export function resolvePattern(pattern: string, values: Record<string, string | undefined>): string {
  return pattern.replace(/\$\{([A-Za-z0-9]+)\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`pattern "${pattern}" needs a value for ${key}`);
    return v;
  });
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
