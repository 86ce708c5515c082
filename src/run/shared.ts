/**
 * Project stacks (the ECR repositories) are shared by every environment that names them. A deploy
 * from one environment's params file that would change such a stack's parameters (or, from another
 * cfn-stages version, its resources) while stacks of other environments import it changes it for
 * them too: `plan` says so (which stacks, which
 * settings), and `deploy` asks first in a terminal; with --yes it is refused (exit 2, nothing
 * changed) unless --update-shared says the change is meant for every environment.
 */
import type { PlannedStack } from '../../stages/plan';
import { TagKey } from '../../templates/kit/builder';
import { CliError } from '../cli/errors';
import { ToolError, type Outcome } from '../errors';
import { canonical, parseTemplate } from '../deploy/template';
import type { UnchangedChecks } from '../deploy/unchanged';
import { specsOf, type RunContext } from './context';

/** Project stacks are shared between environments (see the file comment). */
export function isSharedStack(s: PlannedStack): boolean {
  return s.built.scope === 'project';
}

/** One shared stack this run would change under other environments' feet. */
export interface SharedChange {
  stack: string;
  /** Stacks outside this environment that import its exports, with their environment when tagged. */
  importers: string[];
  /** Parameter: deployed value → this file's value. */
  changes: { key: string; from: string; to: string }[];
}

/**
 * The shared stacks of this run whose parameters or resources would change while other
 * environments import them. Resources change under the same parameters when the environments are
 * deployed with different cfn-stages versions: each deploy would put its own version's template
 * back. With the run's unchanged checks, a shared stack they find as deployed costs no call.
 */
export async function sharedChanges(ctx: RunContext, unchanged?: UnchangedChecks): Promise<SharedChange[]> {
  const shared = ctx.stacks.filter(isSharedStack);
  if (shared.length === 0) return [];
  const { describeStack, getTemplateBody, parametersOf, tagsOf } = await import('../deploy/cloudformation');
  const ours = new Set(ctx.all.map((s) => s.name));
  const specs = new Map(specsOf(ctx).map((spec) => [spec.name, spec]));
  const out: SharedChange[] = [];
  for (const s of shared) {
    const spec = specs.get(s.name)!;
    if (unchanged && (await unchanged.lookup(spec).catch(() => undefined))) continue;
    const stack = unchanged ? await unchanged.readOf(spec) : await describeStack(ctx.clients.cloudFormation, s.name);
    if (!stack) continue;
    let changes = parameterChanges(parametersOf(stack), s);
    if (changes.length === 0) {
      const deployed = unchanged
        ? await unchanged.deployedTemplate(s.name)
        : await getTemplateBody(ctx.clients.cloudFormation, s.name);
      changes = resourceChanges(deployed, spec.templateBody);
    }
    if (changes.length === 0) continue;
    // Only a shared stack that changes needs its importers.
    const { importsOf } = await import('../deploy/destroy');
    const outside = [...new Set((await importsOf(ctx.clients.cloudFormation, stack)).map((i) => i.importer))].filter(
      (n) => !ours.has(n),
    );
    if (outside.length === 0) continue;
    const importers: string[] = [];
    for (const name of outside) {
      const importer = await describeStack(ctx.clients.cloudFormation, name);
      const env = importer ? tagsOf(importer)[TagKey.environment] : undefined;
      importers.push(env ? `${name} (environment ${env})` : name);
    }
    out.push({ stack: s.name, importers, changes });
  }
  return out;
}

function parameterChanges(deployed: Record<string, string>, planned: PlannedStack): SharedChange['changes'] {
  return Object.entries(planned.parameters)
    .filter(([key, to]) => key in deployed && deployed[key] !== to)
    .map(([key, to]) => ({ key, from: deployed[key]!, to }));
}

/**
 * The resources (and outputs) written differently in the deployed template than in this run's:
 * the same parameters give the same template within one cfn-stages version, so this is another
 * version's (or a change from outside). Descriptions and metadata change no resource: not counted.
 */
function resourceChanges(deployed: string | undefined, planned: string): SharedChange['changes'] {
  const [was, now] = [parseTemplate(deployed ?? ''), parseTemplate(planned)];
  if (!was || !now) return [];
  const sections = ['Resources', 'Outputs', 'Conditions'] as const;
  const differs = (section: (typeof sections)[number], key: string) =>
    canonical(was[section]?.[key]) !== canonical(now[section]?.[key]);
  const names = sections.flatMap((section) =>
    [...new Set([...Object.keys(was[section] ?? {}), ...Object.keys(now[section] ?? {})])].filter((k) =>
      differs(section, k),
    ),
  );
  if (names.length === 0) return [];
  return [{ key: `template (${names.join(', ')})`, from: 'as deployed', to: "this cfn-stages version's" }];
}

/** Lines describing the changes, for plan and for the confirmation. */
export function describeSharedChanges(changes: SharedChange[]): string[] {
  return changes.flatMap((c) => [
    `${c.stack} is shared: ${c.importers.join(', ')} use${c.importers.length === 1 ? 's' : ''} it; this deploy would change it for them too:`,
    ...c.changes.map((ch) => `  ${ch.key}: ${ch.from} → ${ch.to}`),
  ]);
}

/**
 * Refuses or asks before a deploy changes a shared stack under other environments. `ask` is the
 * terminal's yes/no (undefined with --yes).
 */
export async function confirmSharedChanges(
  ctx: RunContext,
  opts: {
    updateShared?: boolean;
    ask?: (message: string) => Promise<boolean>;
    /** The run's {@link sharedChanges}, when already being read. @default read here */
    changes?: Promise<SharedChange[]>;
  },
): Promise<void> {
  if (opts.updateShared) return;
  const changes = await (opts.changes ?? sharedChanges(ctx));
  if (changes.length === 0) return;
  const lines = describeSharedChanges(changes).join('\n');
  if (opts.ask) {
    process.stderr.write(`${lines}\n`);
    if (await opts.ask('Change the shared stacks for every environment that uses them?')) return;
    throw CliError.refused(
      'deploy cancelled: the shared stacks were left as they are; nothing was changed',
      `to keep them, give them the deployed values in ${ctx.file}`,
    );
  }
  throw new SharedChangeError(
    `${lines}\nnothing was changed`,
    `to change them for every environment, run again with --update-shared; to leave them as they are, give them the deployed values in ${ctx.file} (or deploy with --only the other stages)`,
    changes,
  );
}

/**
 * Refused without a terminal to ask (exit 2, nothing changed): shared stacks would change under
 * other environments. `problems` gives `--json` each stack, its importers and changed settings.
 */
export class SharedChangeError extends ToolError<'SharedChange'> {
  constructor(
    message: string,
    hint: string,
    readonly problems: SharedChange[],
  ) {
    super('SharedChange', message, hint);
  }

  override get outcome(): Outcome {
    return 'refused';
  }
}
