/**
 * Whether a stack needs a change set at all. A stack whose template, parameters and tags are what
 * it already has is skipped without one: on AWS even an empty change set takes seconds to compute,
 * and a re-run of an unchanged environment should take well under a second.
 *
 * SSM-typed parameters (`AWS::SSM::Parameter::Value<...>`, e.g. the ECS-optimised AMI) are
 * compared as CloudFormation would resolve them: the name the stack was given (ParameterValue)
 * and the value it resolved to (ResolvedValue) against the SSM parameter's current value. When
 * the value behind the name moved (a new AMI), the stack goes through a change set.
 *
 * What a no-op costs on AWS, per stack: nothing when this machine deployed (or last checked) the
 * stack as it is now (see records.ts), else one GetTemplate; plus, for the run, the DescribeStacks
 * reads of the shared status board (one listing page for many stacks) and one SSM GetParameters
 * per ten SSM names. No change set, nothing written to the account. {@link UnchangedChecks} runs the checks of a
 * run's stacks all at once, so an unchanged stack's dependants never wait for its check.
 */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import { getTemplateBody, isThrottling, parametersOf, tagsOf } from './cloudformation';
import { deployRecords } from './records';
import { settleRestore } from './restore';
import { StackStatus } from './stack-status';
import { StatusBoard } from './status-board';
import { activeResources } from '../../stages/check';
import { referencesOf } from './exports';
import {
  givenParameters,
  parseTemplate,
  sameTemplate,
  ssmParameters,
  type SsmParameter,
  type TemplateDoc,
} from './template';
import type { StackSpec } from './types';

/** Current values of SSM parameters by name; a name left out could not be read. */
export type SsmReader = (names: string[]) => Promise<Map<string, string>>;

/** GetParameters allows this many names per call. */
const SSM_BATCH = 10;

/**
 * Reads SSM parameters in batches of ten. A read that fails (no permission, an unknown name)
 * leaves its names out, and the stack then goes through a change set, which decides.
 */
export function ssmReader(clients: AwsClients): SsmReader {
  return async (names) => {
    const values = new Map<string, string>();
    const unique = [...new Set(names)];
    if (!unique.length) return values;
    const { GetParametersCommand } = await import('@aws-sdk/client-ssm');
    for (let i = 0; i < unique.length; i += SSM_BATCH) {
      try {
        const out = await clients.ssm.send(new GetParametersCommand({ Names: unique.slice(i, i + SSM_BATCH) }));
        for (const p of out.Parameters ?? []) if (p.Name && p.Value !== undefined) values.set(p.Name, p.Value);
      } catch (err) {
        if (isThrottling(err)) throw err;
      }
    }
    return values;
  };
}

/**
 * True when template, parameters and tags are what the stack already has, so no change set is
 * needed. Cautious: NoEcho parameters (whose values cannot be read back), an SSM value that
 * cannot be read, and non-JSON templates always go through a change set, which then decides.
 */
export async function isUnchanged(
  cfn: CloudFormationClient,
  spec: StackSpec,
  stack: Stack,
  readSsm: SsmReader,
  readTemplate: (stackName: string) => Promise<string | undefined> = (name) => getTemplateBody(cfn, name),
): Promise<boolean> {
  if (!new StackStatus(stack.StackStatus ?? '').isStable) return false;
  if (!sameRecord(tagsOf(stack), spec.tags)) return false;
  const doc = parseTemplate(spec.templateBody);
  const desired = givenParameters(spec, doc);
  const current = parametersOf(stack);
  // Only the template's own parameters count: a parameter the new template dropped is a template change.
  if (!desired || !Object.entries(desired).every(([k, v]) => current[k] === v)) return false;
  // The template (unless this machine's record knows it) and the SSM values are read at the same time.
  const records = deployRecords();
  const known = records.knows(stack, spec.templateBody);
  const [deployed, resolvedAsNow] = await Promise.all([
    known ? spec.templateBody : readTemplate(spec.name),
    sameResolvedValues(stack, ssmParametersInUse(spec, doc), readSsm),
  ]);
  const sameBody = known || (deployed !== undefined && sameTemplate(deployed, spec.templateBody));
  if (sameBody && !known) records.remember(stack, spec.templateBody);
  return resolvedAsNow && sameBody;
}

/**
 * The SSM-typed parameters whose value can change something: those a resource the stack creates
 * with these parameters (its `Condition` holds), an output or a condition refers to. The
 * ECS-optimised AMI of a cluster without EC2 capacity is used by nothing: when AWS publishes a new
 * AMI, CloudFormation would find no change ("didn't contain changes") and keep the old
 * ResolvedValue, so comparing it would cost an empty change set on every run from then on.
 */
export function ssmParametersInUse(spec: StackSpec, doc: TemplateDoc | undefined): SsmParameter[] {
  const ssm = ssmParameters(spec, doc);
  if (!ssm.length || !doc) return ssm;
  let active: string[];
  try {
    active = activeResources(doc, spec.parameters);
  } catch {
    return ssm; // a condition this cannot evaluate here: count them all
  }
  const used = referencesOf([active.map((id) => doc.Resources?.[id]), doc.Outputs, doc.Conditions]);
  return ssm.filter((p) => used.has(p.key));
}

/** Each SSM-typed parameter resolved (at the last deploy) to what its SSM parameter holds now. */
async function sameResolvedValues(stack: Stack, ssm: SsmParameter[], readSsm: SsmReader): Promise<boolean> {
  if (!ssm.length) return true;
  const resolved = Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ResolvedValue]));
  const now = await readSsm(ssm.map((p) => p.name));
  return ssm.every((p) => now.has(p.name) && resolved[p.key] === now.get(p.name));
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** Checks at once: this many stacks' checks in flight at a time. */
const CHECKS_AT_ONCE = 16;

/**
 * The unchanged checks of one run's stacks, all started together and each done once: `plan` and
 * `deploy` (and deploy's preflight) ask for a stack's answer and find it ready, instead of each
 * stack checking only once its dependencies are done. The stacks' statuses come from one
 * status-board round (one DescribeStacks listing for many stacks), the SSM values the templates
 * name from one GetParameters batch.
 *
 * An answer holds for the spec it was computed for (same template, parameters and tags) until
 * the engine changes that stack ({@link UnchangedChecks.forget}).
 */
export class UnchangedChecks {
  private readonly answers = new Map<string, Answer>();
  private readonly templates = new Map<string, Promise<string | undefined>>();
  private readonly board: StatusBoard;
  private ssm: Promise<Map<string, string>> | undefined;
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly clients: AwsClients,
    private readonly specs: StackSpec[],
  ) {
    this.board = new StatusBoard(clients.cloudFormation);
  }

  /** Starts every stack's check now; answers are picked up with {@link UnchangedChecks.lookup}. */
  start(): this {
    for (const spec of this.specs) void this.lookup(spec).catch(() => undefined);
    return this;
  }

  /**
   * The stack as it is when it needs no change set (stable, same template, parameters and tags);
   * undefined when it may need one (or does not exist), and the full path decides.
   */
  async lookup(spec: StackSpec): Promise<Stack | undefined> {
    const { read, unchanged } = await this.answerFor(spec);
    return unchanged ? read : undefined;
  }

  /**
   * The stack as the check read it (undefined: it did not exist), for a caller that would read it
   * again right away (deploy's preflight plan). A deploy reads afresh: by its turn, minutes may
   * have passed.
   */
  async readOf(spec: StackSpec): Promise<Stack | undefined> {
    return (await this.answerFor(spec)).read;
  }

  private answerFor(spec: StackSpec): Promise<{ read: Stack | undefined; unchanged: boolean }> {
    const key = keyOf(spec);
    const known = this.answers.get(spec.name);
    if (known?.key === key) return known.answer;
    const answer = this.check(spec);
    this.answers.set(spec.name, { key, answer });
    return answer;
  }

  /**
   * The stack's deployed template, read once for the run's start: the check reads it, and so
   * does the account preflight, which counts what a changed template adds (see preflight.ts).
   */
  deployedTemplate(stackName: string): Promise<string | undefined> {
    let body = this.templates.get(stackName);
    if (!body) {
      body = getTemplateBody(this.clients.cloudFormation, stackName);
      this.templates.set(stackName, body);
    }
    return body;
  }

  /** Every stack of the account as the checks' listing read them (undefined: they read stacks one by one). */
  listedStacks(): readonly Stack[] | undefined {
    return this.board.listed;
  }

  /** The engine is about to change this stack: an earlier answer no longer holds. */
  forget(stackName: string): void {
    this.answers.delete(stackName);
    this.templates.delete(stackName);
  }

  private async check(spec: StackSpec): Promise<{ read: Stack | undefined; unchanged: boolean }> {
    // Not limited: the checks begun together share one status round.
    this.board.begin();
    const stack = await this.board.next(spec.name);
    if (!stack || !new StackStatus(stack.StackStatus ?? '').isStable) return { read: stack, unchanged: false };
    const settled = (await settleRestore(this.clients, spec, stack)).spec;
    // A template this machine's record knows is not read back, by the check nor by the preflight.
    if (!this.templates.has(spec.name) && deployRecords().knows(stack, settled.templateBody))
      this.templates.set(spec.name, Promise.resolve(settled.templateBody));
    const ssm = (names: string[]) => this.readSsm(names);
    const template = (name: string) => this.deployedTemplate(name);
    const unchanged = await this.limited(() => isUnchanged(this.clients.cloudFormation, settled, stack, ssm, template));
    return { read: stack, unchanged };
  }

  /** One GetParameters batch for the SSM names of every stack of the run; a name it lacks is read alone. */
  private async readSsm(names: string[]): Promise<Map<string, string>> {
    this.ssm ??= ssmReader(this.clients)(
      this.specs.flatMap((s) => ssmParametersInUse(s, parseTemplate(s.templateBody)).map((p) => p.name)),
    );
    const batch = await this.ssm;
    const missing = names.filter((n) => !batch.has(n));
    if (!missing.length) return batch;
    return new Map([...batch, ...(await ssmReader(this.clients)(missing))]);
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= CHECKS_AT_ONCE) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.queue.shift()?.();
    }
  }
}

/** One stack's check, for the spec it was made for. */
interface Answer {
  key: string;
  answer: Promise<{ read: Stack | undefined; unchanged: boolean }>;
}

function keyOf(spec: StackSpec): string {
  return JSON.stringify([spec.templateBody, spec.parameters, spec.tags]);
}
