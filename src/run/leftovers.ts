/**
 * Telling the user, after plan or deploy, about the environment's stacks its params file no longer
 * plans (see deploy/leftovers.ts): one warning naming them, and the command that deletes them.
 */
import { output } from '../cli/output';
import { describeLeftovers, leftoversDestroyCommand, type LeftoverStack } from '../deploy/leftovers';

/** The warning and the delete command on stderr; nothing when there are none. */
export function warnLeftovers(file: string, leftovers: LeftoverStack[]): void {
  if (!leftovers.length) return;
  output.warn(describeLeftovers(leftovers, file));
  process.stderr.write(`  delete with: ${leftoversDestroyCommand(leftovers, file)}\n`);
}
