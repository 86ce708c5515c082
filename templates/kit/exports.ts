/**
 * Typed export contracts: one object per cross-stack value. The producing template turns it into an
 * Output with `Export.Name`; a consuming template turns the same object into `Fn::ImportValue`.
 * Renaming or removing a contract breaks every consumer at compile time, and the deployer derives
 * the stage graph from the contracts each template imports (see `BuiltTemplate.imports`).
 *
 * Export names (DESIGN.md, "Exports"):
 * - environment: `${Prefix}${EnvironmentName}-<Key>`
 * - application: `${Prefix}${EnvironmentName}-${ApplicationName}-<Key>`
 *   (repeatable templates put their instance name first: `...-${ApplicationName}-<instance>-<Key>`)
 * - project (ECR): `ecr-${RepositoryName}-<Key>`
 */
import { Fn, IntrinsicFunction, sub } from './cf';
import { parsePattern, patternValues, resolvePattern, scopedPattern, type NameContext, type Scope } from './names';

/** `string` exports one value; `list` exports a comma-joined list that consumers split again. */
export type ExportKind = 'string' | 'list';

export interface ExportContract<S extends Scope = Scope, K extends ExportKind = ExportKind> {
  readonly scope: S;
  /** The last part of the export name (also the Output's logical id, without hyphens). */
  readonly key: string;
  readonly kind: K;
  readonly description: string;
  /**
   * For repeatable producers (extra services, data stores): the parameter holding the instance
   * name, which goes into the export name before the key.
   */
  readonly instanceParam?: string;
}

function define<S extends Scope>(scope: S) {
  return <K extends ExportKind = 'string'>(
    key: string,
    description: string,
    opts: { kind?: K; instanceParam?: string } = {},
  ): ExportContract<S, K> => ({
    scope,
    key,
    kind: (opts.kind ?? 'string') as K,
    description,
    ...(opts.instanceParam ? { instanceParam: opts.instanceParam } : {}),
  });
}

export const envExport = define('environment');
export const appExport = define('application');
export const projectExport = define('project');

/** The export name as an `Fn::Sub` pattern over the standard parameters. */
export function exportNamePattern(c: ExportContract, instance?: string): string {
  const inst = c.instanceParam ? `${instance ?? '${' + c.instanceParam + '}'}-` : '';
  return scopedPattern(c.scope, `${inst}${c.key}`);
}

/** The concrete export name for a deployed stack (what `ListExports` shows). */
export function exportName(c: ExportContract, ctx: NameContext): string {
  return resolvePattern(exportNamePattern(c, ctx.instance), patternValues(ctx));
}

/**
 * The inverse of {@link exportName}: the values an export name of this contract was made from
 * (`{ Prefix, EnvironmentName, ApplicationName, DataName }`), or undefined when it is not one.
 * `known` values match literally: give an environment's to find only its exports.
 */
export function parseExportName(
  c: ExportContract,
  name: string,
  known: Record<string, string | undefined> = {},
): Record<string, string> | undefined {
  return parsePattern(exportNamePattern(c), name, known);
}

/** The Output logical id for a contract: alphanumeric, as CloudFormation requires. */
export function outputId(c: ExportContract): string {
  return c.key.replace(/[^A-Za-z0-9]/g, '');
}

/** `Fn::ImportValue` for a contract; list exports come back as a list (`Fn::Split`). */
export function importValue(c: ExportContract, instance?: string): IntrinsicFunction {
  const value = Fn.ImportValue(sub(exportNamePattern(c, instance)));
  return c.kind === 'list' ? Fn.Split(',', value) : value;
}
