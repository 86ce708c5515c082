/**
 * `provision plan --out FILE`: the plan file `deploy --plan` deploys (see src/run/plan-file.ts).
 * The deployed stacks' versions are read before the stacks are planned, so a change made while
 * planning shows as a moved version at deploy time, never as a plan that looks current.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toolVersion } from '../../package';
import { environmentOf, specsOf, type RunContext } from '../../run/context';
import type { EnvironmentPlan } from '../../run/plan';
import { CliError } from '../../cli/errors';
import {
  PLAN_FORMAT,
  PLAN_FORMAT_VERSION,
  fileDigest,
  stackEntry,
  writePlanFile,
  type DeployedState,
  type PlanFile,
} from '../../run/plan-file';

/**
 * Refuses, before any AWS call, an --out whose folder does not exist, that names a folder, or that
 * cannot be written: found out by opening it for appending (which changes nothing in a file that is
 * there), and removing it again when the open made it, rather than after the whole plan has run.
 */
export function checkOut(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw CliError.usage(`--out ${file}: folder ${dir} does not exist`, 'create it, or write the plan file elsewhere');
  if (fs.existsSync(file) && fs.statSync(file).isDirectory())
    throw CliError.usage(`--out ${file}: is a folder`, 'give the path of a file, e.g. plan.json');
  const existed = fs.existsSync(file);
  try {
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  } catch (err) {
    throw CliError.usage(
      `--out ${file}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'write the plan file to a folder you can write to',
    );
  }
  if (!existed) fs.rmSync(file, { force: true });
}

/** Writes the plan file for the plans just made; returns its path. */
export function writePlan(
  ctx: RunContext,
  file: string,
  only: string[] | undefined,
  deployed: DeployedState,
  env: EnvironmentPlan,
): string {
  const specs = specsOf(ctx);
  const plan: PlanFile = {
    format: PLAN_FORMAT,
    formatVersion: PLAN_FORMAT_VERSION,
    tool: toolVersion(),
    createdAt: new Date().toISOString(),
    params: { file: ctx.file, sha256: fileDigest(fs.readFileSync(ctx.file)) },
    environment: environmentOf(ctx),
    region: deployed.region,
    account: deployed.account,
    only: only?.length ? only : null,
    stacks: specs.map((spec, i) => stackEntry(spec, deployed.stacks[i], env.plans[i]!)),
  };
  writePlanFile(file, plan);
  return file;
}
