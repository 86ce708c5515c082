/**
 * Deploy's run-level refusals, each one error for the whole run with a `problems` list, so that
 * `--json` can be matched on (`code`, and per stack `problems[]`) rather than read: stacks that
 * cannot take their change (see ./preflight.ts), each with its own code, way out and the
 * params-file fields behind it ({@link fieldsOf}, which plan's REFUSED lines use too), and imports
 * nothing provides.
 */
import { ToolError, type Outcome } from '../errors';
import { CustomNameReplacementError, FixedSettingError, type EngineError } from '../deploy/errors';
import { optionName } from '../../stages/options';
import type { RunContext } from './context';

/** One stack's refusal: the engine's error as data, and the params-file fields behind it when known. */
export interface StackRefusal {
  stack: string;
  /** The engine's code (DataReplacement, CustomNameReplacement, FixedSetting...). */
  code: string;
  message: string;
  /** The way out. */
  hint?: string;
  /** The params-file fields behind the change (`apps[0].data[1].fifo`), when known. */
  fields?: string[];
  /** The same for people: `in envs/dev.yaml: fifo (SQS queue, app acme)`. */
  where?: string;
}

/** Stacks of the run cannot take their change: exit 2, nothing was changed. */
export class ChangesRefusedError extends ToolError<'ChangesRefused'> {
  /** Each stack's refusal as `--json` shows it (the `where` line is in the message). */
  readonly problems: Omit<StackRefusal, 'where'>[];

  constructor(refusals: StackRefusal[]) {
    const n = refusals.length;
    super(
      'ChangesRefused',
      `${n} stack${n === 1 ? '' : 's'} cannot take ${n === 1 ? 'its' : 'their'} change; nothing was changed:\n` +
        refusals
          .map((p) => `  ${p.message}${p.where ? `\n    ${p.where}` : ''}\n    way out: ${p.hint ?? ''}`)
          .join('\n'),
      'take each way out above, then run again',
    );
    this.problems = refusals.map((p) => {
      const { where, ...shown } = p;
      void where;
      return shown;
    });
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}

/** Imports that neither the run nor the account provides: exit 2, nothing was changed. */
export class ImportsMissingError extends ToolError<'ImportsMissing'> {
  constructor(readonly problems: { stack: string; exportName: string; hint: string }[]) {
    const n = problems.length;
    super(
      'ImportsMissing',
      `${n} import${n === 1 ? '' : 's'} cannot be satisfied:\n` +
        problems.map((m) => `  ${m.stack} imports ${m.exportName}, which no stack exports: ${m.hint}`).join('\n'),
      'nothing was changed',
    );
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}

/**
 * Where a refused change lives in the params file: the options (template parameters) behind it,
 * and the stage they belong to: the field paths for `--json`, a line for people. A fixed setting
 * names its parameter; a refused replacement the parameters the change set gives as its cause, or
 * else those behind the resource that the deploy changes (see withParametersBehind).
 */
export function fieldsOf(
  ctx: Pick<RunContext, 'file' | 'stacks'>,
  err: EngineError,
): { fields?: string[]; where?: string } {
  const parameters =
    err instanceof FixedSettingError
      ? err.changes.map((c) => c.parameter)
      : err instanceof CustomNameReplacementError
        ? [...new Set(err.refused.flatMap((r) => r.parameters ?? []))]
        : [];
  if (!parameters.length) return {};
  const planned = ctx.stacks.find((s) => s.name === err.stackName);
  const where = planned ? ` (${planned.title}${planned.app ? `, app ${planned.app}` : ''})` : '';
  const fields = parameters.flatMap((p) => planned?.fields[p] ?? []);
  return {
    ...(fields.length ? { fields } : {}),
    where: `in ${ctx.file}: ${parameters.map((p) => optionName(p)).join(', ')}${where}`,
  };
}
