/**
 * Errors of reading a params file: it cannot be read, or it breaks the schema or a cross-field
 * rule (every problem at once, with its line and field). Both are refusals: nothing was changed.
 * Typed as src/errors.ts says; src/cli/errors.ts turns them into text and exit code 2.
 */
import { ToolError, type Outcome } from '../errors';

/** One problem of a params file: where it is, what is wrong, and what to do about it. */
export interface ParamsProblem {
  /** `apps[0].service.cpu` */
  field: string;
  line?: number;
  /** What is wrong: the text people see, one line per problem. */
  message: string;
  /**
   * What to do about it, for `--json` (people read the fix in the message). The loader gives every
   * problem one: its own fix where it knows it, else what the field is for, from the schema.
   */
  hint?: string;
}

/** The file breaks the schema or a rule: every problem is listed. */
export class ParamsError extends ToolError<'ParamsInvalid'> {
  constructor(
    readonly file: string,
    readonly problems: ParamsProblem[],
  ) {
    super(
      'ParamsInvalid',
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems
          .map((p) => `  ${p.line ? `line ${p.line}: ` : ''}${p.field || '(top level)'}: ${p.message}`)
          .join('\n'),
      'fix the fields above and run again (the JSON Schema in published/params.schema.json lets an editor check as you type)',
    );
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}

/** The file cannot be read (missing, a folder, no permission). */
export class ParamsUnreadableError extends ToolError<'ParamsUnreadable'> {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      'ParamsUnreadable',
      `cannot read params file ${file}: ${reason}`,
      'pass an existing file with --params (see examples/)',
    );
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}
