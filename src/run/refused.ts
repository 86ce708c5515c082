/**
 * The run-level refusal of stacks that cannot take their change (see ./preflight.ts): one error for
 * the whole run, listing each stack's own refusal with its code and way out, so that `--json` can
 * be matched on (`code`, and per stack `problems[].code`) rather than read.
 */
import { ToolError, type Outcome } from '../errors';

/** One stack's refusal: the engine's error as data, and the params-file fields behind it when known. */
export interface StackRefusal {
  stack: string;
  /** The engine's code (DataReplacement, CustomNameReplacement, FixedSetting...). */
  code: string;
  message: string;
  /** The way out. */
  hint?: string;
  /** Where the change lives in the params file (`in envs/dev.yaml: databaseName (...)`), when known. */
  field?: string;
}

/** Stacks of the run cannot take their change: exit 2, nothing was changed. */
export class ChangesRefusedError extends ToolError<'ChangesRefused'> {
  constructor(readonly problems: StackRefusal[]) {
    const n = problems.length;
    super(
      'ChangesRefused',
      `${n} stack${n === 1 ? '' : 's'} cannot take ${n === 1 ? 'its' : 'their'} change; nothing was changed:\n` +
        problems
          .map((p) => `  ${p.message}${p.field ? `\n    ${p.field}` : ''}\n    way out: ${p.hint ?? ''}`)
          .join('\n'),
      'take each way out above, then run again',
    );
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}
