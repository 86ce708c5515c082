/**
 * `provision deploy --plan FILE`: what is checked against the plan file before anything changes
 * (see src/run/plan-file.ts), and the check of each change set before it is executed.
 */
import * as fs from 'node:fs';
import type { ChangeSummary } from '../../deploy/types';
import type { EngineError } from '../../deploy/errors';
import { toolVersion } from '../../package';
import { environmentOf, nextCommand, specsOf, type RunContext } from '../../run/context';
import {
  changesDiffer,
  comparePlan,
  deployedVersion,
  fileDigest,
  planInput,
  readDeployed,
  PlanStaleError,
  type PlanFile,
} from '../../run/plan-file';

/**
 * Refuses, before the lock or any AWS call, a plan made for another environment (another params
 * file): the fix is that environment's own deploy, or a plan of this one in a file of its own, never
 * this plan file written over with another environment's plan.
 */
export function refuseOtherEnvironment(ctx: RunContext, plan: PlanFile, planFile: string): void {
  const environment = environmentOf(ctx);
  if (plan.environment === environment) return;
  throw new PlanStaleError(
    planFile,
    [
      {
        field: 'environment',
        message: `environment: planned with ${plan.environment} (from ${plan.params.file}), now ${environment} (from ${ctx.file})`,
      },
    ],
    `deploy that plan with its own params file (\`${nextCommand({ ...ctx, file: plan.params.file }, 'deploy', '--plan', planFile)}\`), or plan ${environment} into a file of its own (\`${nextCommand(ctx, 'plan', '--out', `${environment}.plan.json`)}\`)`,
  );
}

/**
 * Refuses (exit 2, nothing changed) when the plan no longer stands for this run: another tool
 * version, another params file, account or region, a stack added, gone, changed or deployed since.
 */
export async function checkAgainstPlan(ctx: RunContext, plan: PlanFile, planFile: string): Promise<void> {
  refuseOtherEnvironment(ctx, plan, planFile);
  const specs = specsOf(ctx);
  const { account, region, stacks } = await readDeployed(ctx);
  const problems = comparePlan(plan, {
    tool: toolVersion(),
    paramsFile: ctx.file,
    paramsDigest: fileDigest(fs.readFileSync(ctx.file)),
    environment: environmentOf(ctx),
    region,
    account,
    stacks: specs.map((s, i) => ({ name: s.name, input: planInput(s), deployed: deployedVersion(stacks[i]) })),
  });
  if (!problems.length) return;
  throw new PlanStaleError(
    planFile,
    problems,
    `run \`${nextCommand(ctx, 'plan', '--out', planFile)}\` again, review it, then \`${nextCommand(ctx, 'deploy', '--plan', planFile)}\``,
  );
}

/** Each stack's change set held against its planned changes (see DeployOptions.matches). */
export async function planMatcher(
  plan: PlanFile,
  planFile: string,
): Promise<(stackName: string, actual: ChangeSummary) => EngineError | undefined> {
  const { PlanDriftError } = await import('../../deploy/planned');
  const byName = new Map(plan.stacks.map((s) => [s.name, s]));
  return (stackName, actual) => {
    const planned = byName.get(stackName);
    const difference = planned ? changesDiffer(planned.plan, actual) : 'not in the plan';
    return difference ? new PlanDriftError(stackName, difference, planFile) : undefined;
  };
}

/**
 * What to do after a deploy of a plan that did not finish (a failure, an image not pushed yet,
 * Ctrl-C): the stacks it changed have moved since the plan, so the same `deploy --plan` is refused
 * now, whatever the progress lines say about running the same command again.
 */
export function replanHint(ctx: RunContext, planFile: string): string {
  return `the plan in ${planFile} is used (a plan file is used once, and its deploy did not finish), so the same command is refused now: to deploy what is left, run \`${nextCommand(ctx, 'plan', '--out', planFile)}\`, review it, then \`${nextCommand(ctx, 'deploy', '--plan', planFile)}\``;
}
