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
