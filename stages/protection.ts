/**
 * The environment's one protection switch. `protected:` in a params file decides, for every stack
 * of the environment at once, the three protections that stop a production environment from being
 * deleted by accident:
 * - stack termination protection (DeleteStack refused);
 * - every template parameter named `DeletionProtection`: the databases (41, 42) and the load
 *   balancer (31), and any later template that declares it.
 *
 * `protected: true` turns all of them on, `protected: false` all of them off (an environment to tear
 * down freely); without the field each template keeps its own default (databases protected, load
 * balancer and stacks not). A stage that sets `deletionProtection` itself keeps its own value: that
 * is how one store is let go on purpose while the rest of the environment stays protected.
 */
import type { BuiltTemplate } from '../templates/kit/builder';
import { optionName } from './options';

/** The parameter name every template uses for its resources' deletion protection. */
export const DELETION_PROTECTION_PARAM = 'DeletionProtection';

/** What the switch decides for one stack. */
export interface StackProtection {
  terminationProtection: boolean;
  /** Parameter values to set over the template's defaults (empty when the switch leaves them). */
  parameters: Record<string, string>;
}

/**
 * The protections of one stack from the environment's switch and the stage's own options.
 * @param protectedEnv the params file's `protected` (undefined when absent)
 * @param options the stage's options as written in the params file (camelCase)
 */
export function stackProtection(
  protectedEnv: boolean | undefined,
  built: BuiltTemplate,
  options: Record<string, unknown>,
): StackProtection {
  const declares = DELETION_PROTECTION_PARAM in (built.template.Parameters ?? {});
  const ownValue = options[optionName(DELETION_PROTECTION_PARAM)] !== undefined;
  const parameters: Record<string, string> =
    protectedEnv !== undefined && declares && !ownValue ? { [DELETION_PROTECTION_PARAM]: String(protectedEnv) } : {};
  return { terminationProtection: Boolean(protectedEnv), parameters };
}
