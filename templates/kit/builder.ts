/**
 * `TemplateBuilder`: the composition root of every numbered template. It owns the standard
 * parameters of the template's scope, the console metadata (parameter groups, labels, the stack
 * name to use), the standard tags, and the bookkeeping of which export contracts the template
 * imports and exports, so the deployer can derive the stage graph without anyone writing it down.
 */
import {
  Fn,
  IntrinsicFunction,
  ResourceTag,
  sub,
  type CfnResource,
  type Condition,
  type Output,
  type Parameter,
  type Template,
  type Value,
} from './cf';
import { exportNamePattern, importValue, outputId, type ExportContract } from './exports';
import type { TemplateId } from './ids';
import { displayPattern, Patterns, scopePrefix, scopedPattern, stackNamePattern, StdParam, type Scope } from './names';

/** Which scopes a template of each scope may import from. */
export interface ImportableFrom {
  environment: 'environment';
  project: never;
  application: 'environment' | 'project' | 'application';
}

/** One import a template makes: the contract, and the instance name for repeatable producers. */
export interface ImportRef {
  contract: ExportContract;
  instance?: string;
}

/** A parameter plus where it shows in the console. */
export interface ParamSpec extends Parameter {
  Description: string;
  /** Console label; defaults to the parameter name. */
  label?: string;
  /** Console parameter group; defaults to the template's own group. */
  group?: string;
  /**
   * The value cannot change once the stack exists (deploy refuses it before any change): for
   * values that generated data depends on, such as a database name in generated credentials.
   * Listed in the template's `cfn-stages` metadata as `FixedAfterCreation`.
   */
  fixedAfterCreation?: boolean;
}

/** What a builder returns: the template plus what the deployer needs to know about it. */
export type CfnTemplate = Omit<Template, 'Resources'> & {
  Rules?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
};

export interface BuiltTemplate {
  id: TemplateId;
  scope: Scope;
  template: CfnTemplate;
  /** The exports this template consumes (its dependencies). */
  imports: ImportRef[];
  /** The exports this template produces. */
  exports: ExportContract[];
  /** The stack-name rule, as a `${Param}` pattern over the template's parameters. */
  stackNamePattern: string;
}

/**
 * Who a template is: its id, its scope and its stack-name rule. Each template module exports its
 * own (e.g. `NetworkTemplate`) so that its catalogue row and its builder share one declaration.
 */
export interface TemplateIdentity<S extends Scope = Scope> {
  readonly id: TemplateId;
  readonly scope: S;
  /** The stack-name suffix: `network` gives `${Prefix}${EnvironmentName}-network`. */
  readonly stackSuffix: string;
}

export interface TemplateSpec<S extends Scope> extends TemplateIdentity<S> {
  description: string;
  /** Console group for this template's own parameters. */
  group: string;
}

const STD_LABELS: Record<string, string> = {
  Prefix: 'Prefix (same in every stage, e.g. "x-")',
  EnvironmentName: 'Environment name (same in every stage, e.g. "dev")',
  ApplicationName: 'Application name (e.g. "acme")',
  RepositoryName: 'Image repository name (e.g. "acme-web")',
  ContactEmail: 'Contact email',
  CostCode: 'Cost code',
};

function stdParameter(name: keyof typeof StdParam): Parameter {
  const rule = Patterns[name === 'Prefix' ? 'Prefix' : name];
  const descriptions: Record<string, string> = {
    Prefix:
      "Short prefix that namespaces this environment's stack and export names. Use the same value in every stage of the environment.",
    EnvironmentName:
      'Name of the environment (dev, test, prod...). Use the same value in every stage of the environment.',
    ApplicationName:
      'Name of the application within the environment. Use the same value in every stage of the application.',
    RepositoryName:
      'Name of the ECR image repository, shared by all environments (e.g. the Git repository name with "/" replaced by "-").',
    ContactEmail: 'Who to contact about these resources; added as a tag to every resource.',
    CostCode: 'Billing code added as a tag to every resource, for cost allocation.',
  };
  return {
    Type: 'String',
    Description: descriptions[name]!,
    AllowedPattern: rule.pattern,
    MinLength: rule.minLength,
    MaxLength: rule.maxLength,
    ConstraintDescription: rule.message,
    ...(name === 'CostCode' ? { Default: 'unassigned' } : {}),
  };
}

/** The standard parameters each scope's templates take (set by the deployer, not as stage options). */
export const STD_BY_SCOPE: Record<Scope, (keyof typeof StdParam)[]> = {
  environment: ['Prefix', 'EnvironmentName', 'ContactEmail', 'CostCode'],
  application: ['Prefix', 'EnvironmentName', 'ApplicationName', 'ContactEmail', 'CostCode'],
  project: ['RepositoryName', 'ContactEmail', 'CostCode'],
};

/**
 * The keys of the tags every resource carries; the deployer reads them back from stacks (which
 * environment a stack serves), so they are named once here.
 */
export const TagKey = {
  environment: 'cfn-stages:environment',
  application: 'cfn-stages:application',
  repository: 'cfn-stages:repository',
  template: 'cfn-stages:template',
} as const;

/** A resource added to a builder: its logical id with `Ref` / `GetAtt` shortcuts. */
export interface Handle {
  id: string;
  ref: IntrinsicFunction;
  att(attribute: string): IntrinsicFunction;
}

export class TemplateBuilder<S extends Scope> {
  private readonly parameters: Record<string, Parameter> = {};
  private readonly groups = new Map<string, string[]>();
  private readonly labels: Record<string, { default: string }> = {};
  private readonly conditions: Record<string, Condition> = {};
  private readonly resources: Record<string, CfnResource> = {};
  private readonly outputs: Record<string, Output> = {};
  private readonly imports: ImportRef[] = [];
  private readonly exported: ExportContract[] = [];
  private readonly rules: Record<string, unknown> = {};
  private readonly fixed: string[] = [];

  constructor(readonly spec: TemplateSpec<S>) {
    for (const name of STD_BY_SCOPE[spec.scope]) {
      this.param(name, {
        ...stdParameter(name),
        Description: stdParameter(name).Description!,
        label: STD_LABELS[name],
        group: 'Environment',
      });
    }
  }

  /** Adds a parameter (with its console label and group) and returns its `Ref`. */
  param(name: string, spec: ParamSpec): IntrinsicFunction {
    if (this.parameters[name]) throw new Error(`${this.spec.id}: parameter ${name} defined twice`);
    const { label, group, fixedAfterCreation, ...parameter } = spec;
    this.parameters[name] = parameter;
    if (fixedAfterCreation) this.fixed.push(name);
    const g = group ?? this.spec.group;
    this.groups.set(g, [...(this.groups.get(g) ?? []), name]);
    this.labels[name] = { default: label ?? name };
    return Fn.Ref(name);
  }

  /** True when the builder already declares the parameter. */
  hasParam(name: string): boolean {
    return name in this.parameters;
  }

  condition(name: string, condition: Condition): string {
    if (this.conditions[name]) throw new Error(`${this.spec.id}: condition ${name} defined twice`);
    this.conditions[name] = condition;
    return name;
  }

  /** A template-level `Rules` entry (checked by CloudFormation before any resource is touched). */
  rule(name: string, rule: unknown): void {
    this.rules[name] = rule;
  }

  /** Adds a resource under a logical id and returns a handle to it. */
  add(id: string, resource: CfnResource): Handle {
    if (!/^[A-Za-z0-9]+$/.test(id)) throw new Error(`${this.spec.id}: logical id ${id} must be alphanumeric`);
    if (this.resources[id]) throw new Error(`${this.spec.id}: resource ${id} defined twice`);
    this.resources[id] = resource;
    return { id, ref: Fn.Ref(id), att: (a: string) => Fn.GetAtt(id, a) };
  }

  /** Imports a value another stage exports; recorded so the deployer knows this stage's dependencies. */
  import<C extends ExportContract<ImportableFrom[S]>>(contract: C, instance?: string): IntrinsicFunction {
    if (contract.instanceParam && !instance && !this.hasParam(contract.instanceParam)) {
      throw new Error(
        `${this.spec.id}: importing ${contract.key} needs an instance name or a ${contract.instanceParam} parameter`,
      );
    }
    if (contract.scope === 'project' && !this.hasParam(StdParam.RepositoryName)) {
      throw new Error(`${this.spec.id}: importing ${contract.key} needs a RepositoryName parameter`);
    }
    if (!this.imports.some((i) => i.contract === contract && i.instance === instance)) {
      this.imports.push({ contract, ...(instance ? { instance } : {}) });
    }
    return importValue(contract, instance);
  }

  /** Exports a value under its contract's name (lists are joined with commas). */
  export(contract: ExportContract<S>, value: Value<unknown> | Value<unknown>[], condition?: string): void {
    const id = outputId(contract);
    if (this.outputs[id]) throw new Error(`${this.spec.id}: output ${id} defined twice`);
    this.outputs[id] = {
      Description: contract.description,
      Value: contract.kind === 'list' ? Fn.Join(',', value as Value<string>[]) : value,
      Export: { Name: sub(exportNamePattern(contract)) },
      ...(condition ? { Condition: condition } : {}),
    };
    this.exported.push(contract);
  }

  /** An output for people (shown by `provision outputs`), not exported. */
  output(id: string, description: string, value: unknown, condition?: string): void {
    if (this.outputs[id]) throw new Error(`${this.spec.id}: output ${id} defined twice`);
    this.outputs[id] = { Description: description, Value: value, ...(condition ? { Condition: condition } : {}) };
  }

  /** The standard tags for every taggable resource (keys: {@link TagKey}), plus any extra ones (e.g. `Name`). */
  tags(extra: Record<string, Value<string>> = {}): ResourceTag[] {
    const std: Record<string, Value<string>> = {};
    if (this.spec.scope !== 'project') std[TagKey.environment] = sub(scopePrefix('environment'));
    if (this.spec.scope === 'application') std[TagKey.application] = Fn.Ref(StdParam.ApplicationName);
    if (this.spec.scope === 'project') std[TagKey.repository] = Fn.Ref(StdParam.RepositoryName);
    std[TagKey.template] = this.spec.id;
    std.ContactEmail = Fn.Ref(StdParam.ContactEmail);
    std.CostCode = Fn.Ref(StdParam.CostCode);
    return Object.entries({ ...std, ...extra }).map(([k, v]) => new ResourceTag(k, v));
  }

  /** The same tags as a key/value map, for the resource types that take tags that way. */
  tagMap(extra: Record<string, Value<string>> = {}): Record<string, Value<string>> {
    return Object.fromEntries(this.tags(extra).map((t) => [t.Key as string, t.Value]));
  }

  /**
   * A `Name` tag value within this template's scope, by the same rule as its stack and export
   * names: `x-dev-<suffix>`, `x-dev-acme-<suffix>`, `ecr-<repository>-<suffix>`.
   */
  scopedName(suffix: string): IntrinsicFunction {
    return sub(scopedPattern(this.spec.scope, suffix));
  }

  /** The stack-name pattern shown in the console metadata and used by the deployer. */
  stackNamePattern(): string {
    return stackNamePattern(this.spec);
  }

  build(): BuiltTemplate {
    const display = displayPattern;
    const groupOrder = ['Environment', ...[...this.groups.keys()].filter((g) => g !== 'Environment')];
    const template: CfnTemplate = {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `${this.spec.description} (cfn-stages ${this.spec.id}; stack name: ${display(this.stackNamePattern())})`,
      Metadata: {
        'AWS::CloudFormation::Interface': {
          ParameterGroups: groupOrder
            .filter((g) => this.groups.has(g))
            .map((g) => ({ Label: { default: g }, Parameters: this.groups.get(g)! })),
          ParameterLabels: this.labels,
        },
        'cfn-stages': {
          Template: this.spec.id,
          Scope: this.spec.scope,
          StackName: display(this.stackNamePattern()),
          Imports: this.imports.map((i) => display(exportNamePattern(i.contract, i.instance))),
          ...(this.fixed.length ? { FixedAfterCreation: [...this.fixed] } : {}),
        },
      },
      Parameters: this.parameters,
      ...(Object.keys(this.rules).length ? { Rules: this.rules } : {}),
      ...(Object.keys(this.conditions).length ? { Conditions: this.conditions } : {}),
      Resources: this.resources,
      ...(Object.keys(this.outputs).length ? { Outputs: this.outputs } : {}),
    };
    return {
      id: this.spec.id,
      scope: this.spec.scope,
      template,
      imports: [...this.imports],
      exports: [...this.exported],
      stackNamePattern: this.stackNamePattern(),
    };
  }
}
