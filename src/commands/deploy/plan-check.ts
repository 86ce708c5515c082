/**
 * `provision deploy --plan FILE`: what is checked against the plan file before anything changes
 * (see src/run/plan-file.ts), and the check of each change set before it is executed.
 */
import * as fs from 'node:fs';
import type { ChangeSummary } from '../../deploy/types';
import type { EngineError } from '../../deploy/errors';
import { CliError } from '../../cli/errors';
import { toolVersion } from '../../package';
import { environmentOf, specsOf, type RunContext } from '../../run/context';
import {
  changesDiffer,
  comparePlan,
  deployedVersion,
  fileDigest,
  planInput,
  readDeployed,
  type PlanFile,
} from '../../run/plan-file';

/**
 * Refuses (exit 2, nothing changed) when the plan no longer stands for this run: another tool
 * version, another params file, account or region, a stack added, gone, changed or deployed since.
 */
export async function checkAgainstPlan(ctx: RunContext, plan: PlanFile, planFile: string): Promise<void> {
  const specs = specsOf(ctx);
  const { account, region, stacks } = await readDeployed(ctx);
  const problems = comparePlan(plan, {
    tool: toolVersion(),
    paramsDigest: fileDigest(fs.readFileSync(ctx.file)),
    environment: environmentOf(ctx),
    region,
    account,
    stacks: specs.map((s, i) => ({ name: s.name, input: planInput(s), deployed: deployedVersion(stacks[i]) })),
  });
  if (!problems.length) return;
  throw CliError.refused(
    `the plan in ${planFile} no longer stands for this deploy; nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    `run \`provision plan --params ${ctx.file} --out ${planFile}\` again, review it, then \`provision deploy --params ${ctx.file} --plan ${planFile}\``,
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
