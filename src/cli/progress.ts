/**
 * Live progress of a multi-stack run, with listr2: one line per stack (its step, then its latest
 * resource event) in a terminal; plain lines without one (listr2's simple renderer); nothing with
 * --json. The engine emits events; this module only renders them (events flow one way).
 */
import { Listr, type ListrRendererFactory, type ListrTaskWrapper } from 'listr2';
import type { DestroyResult } from '../deploy/destroy';
import type {
  ChangeSummary,
  DeployEvent,
  DeployResult,
  DeployStep,
  GaveUp,
  ResourceChange,
  ServiceNotice,
} from '../deploy/types';
import { c } from './output';

type Task = ListrTaskWrapper<unknown, ListrRendererFactory, ListrRendererFactory>;

/** What a stack's line settles with: a deploy's or a destroy's result. */
export type RunResult = DeployResult | DestroyResult;

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const STEP_TEXT: Record<DeployStep, string> = {
  checking: 'checking its current state',
  waiting: 'waiting for an operation in progress to settle',
  'continuing-rollback': 'continuing a failed rollback',
  'deleting-failed-stack': 'deleting the failed first attempt',
  adopting: 'adopting what an earlier stack kept (resource import)',
  restoring: 'database created from its snapshot',
  'restored-cache': 'cache created from its snapshot',
  'cleaning-change-sets': 'removing stale change sets',
  'uploading-template': 'uploading the template to the artifact bucket',
  'creating-change-set': 'creating a change set',
  'planned-change-set': 'using the change set made when the run was planned',
  executing: 'executing the change set',
  cancelling: 'cancelling',
  'stopping-failed-service': "its service's new tasks keep failing: stopping the wait",
  'termination-protection': 'setting termination protection',
  'checking-imports': 'checking who imports its exports',
  deleting: 'deleting',
  'lifting-protections': 'lifting EC2 capacity protections that would block the delete',
  'retrying-delete': 'waiting for AWS to release what blocked the delete, then deleting again',
};

/** How a watchdog notice is labelled in progress lines. */
const NOTICE_LABEL: Record<ServiceNotice['kind'], string> = {
  'task-stopped': 'task stopped',
  'service-event': 'service',
  'target-health': 'target unhealthy',
};

/** One line per resource change: `+` add, `~` modify, `-` remove; replacements loud. */
export function changeLine(ch: ResourceChange): string {
  if (ch.action === 'Import')
    return `${c().cyan('=')} ${ch.logicalId} ${c().dim(ch.resourceType)} adopts the existing ${ch.physicalId ?? 'resource'} (kept by an earlier stack)`;
  const sign = ch.action === 'Add' ? c().green('+') : ch.action === 'Remove' ? c().red('-') : c().yellow('~');
  const repl =
    ch.replacement === 'always'
      ? c().red(c().bold(' REPLACED'))
      : ch.replacement === 'conditional'
        ? c().red(' may be REPLACED')
        : '';
  const causes = ch.action === 'Modify' && ch.causes.length ? c().dim(` (${ch.causes.join(', ')})`) : '';
  const by = (ch.refusedFor ?? 'custom-name') === 'custom-name' ? ' by CloudFormation' : '';
  const refused = ch.refused ? c().red(c().bold(` REFUSED${by}: ${ch.refused}`)) : '';
  return `${sign} ${ch.logicalId} ${c().dim(ch.resourceType)}${repl}${causes}${refused}`;
}

export function summariseChanges(plan: ChangeSummary): string {
  const n = (a: string) => plan.changes.filter((ch) => ch.action === a).length;
  const replaced = plan.changes.filter((ch) => ch.replacement !== 'never').length;
  const adopt = n('Import') ? `, ${n('Import')} to adopt` : '';
  return `${n('Add')} to add${adopt}, ${n('Modify')} to change, ${n('Remove')} to remove${replaced ? c().red(`, ${replaced} replaced or possibly replaced`) : ''}`;
}

export interface ProgressOptions {
  json?: boolean;
  /** Verb for the title ("deploy", "destroy"). */
  verb: string;
}

/**
 * Renders a run over named stacks. `start()` returns immediately; `event()` feeds engine events;
 * `done(name, result)` settles a stack's line; `finish()` waits for the renderer to close.
 */
export class Progress {
  private readonly tasks = new Map<string, Task>();
  private readonly results = new Map<string, Deferred<RunResult>>();
  private readonly ready = new Map<string, Deferred<Task>>();
  private listr?: Promise<unknown>;
  private promptLock: Promise<unknown> = Promise.resolve();
  /** Without a terminal, lines from parallel stacks interleave: each names its stack. */
  private readonly plain = !process.stdout.isTTY;

  constructor(
    private readonly stacks: { name: string; templateId: string; dependsOn: string[] }[],
    private readonly opts: ProgressOptions,
  ) {
    for (const s of stacks) {
      this.results.set(s.name, deferred());
      this.ready.set(s.name, deferred());
    }
  }

  start(): void {
    const list = new Listr(
      this.stacks.map((s) => ({
        title: `${s.name} ${c().dim(s.templateId)}`,
        task: async (_ctx: unknown, task: Task) => {
          this.tasks.set(s.name, task);
          this.ready.get(s.name)!.resolve(task);
          if (s.dependsOn.length) this.say(task, s.name, `waiting for ${s.dependsOn.join(', ')}`);
          const result = await this.results.get(s.name)!.promise;
          this.settle(task, s.name, result);
        },
        rendererOptions: { outputBar: 3, persistentOutput: false },
      })),
      {
        concurrent: true,
        exitOnError: false,
        renderer: this.opts.json ? 'silent' : 'default',
        fallbackRenderer: this.opts.json ? 'silent' : 'simple',
        rendererOptions: { collapseErrors: false, showErrorMessage: true },
        fallbackRendererOptions: { timestamp: undefined },
        registerSignalListeners: false,
      } as never,
    );
    this.listr = list.run().catch(() => undefined);
  }

  private say(task: Task, stackName: string, text: string): void {
    task.output = this.plain ? `${stackName}: ${text}` : text;
  }

  event(e: DeployEvent): void {
    const task = this.tasks.get(e.stackName);
    if (!task) return;
    if (e.type === 'step') this.say(task, e.stackName, STEP_TEXT[e.step] + (e.detail ? ` (${e.detail})` : ''));
    else if (e.type === 'plan')
      this.say(task, e.stackName, `${e.plan.type === 'create' ? 'new stack' : 'update'}: ${summariseChanges(e.plan)}`);
    else if (e.type === 'service')
      this.say(
        task,
        e.stackName,
        `${NOTICE_LABEL[e.notice.kind]} ${e.notice.logicalId}: ${e.notice.message.replace(/^task \S+ stopped: /, '')}`,
      );
    else if (!e.event.isStack) {
      const ev = e.event;
      const colour = /FAILED/.test(ev.status) ? c().red : /COMPLETE/.test(ev.status) ? c().green : c().cyan;
      this.say(
        task,
        e.stackName,
        `${colour(ev.status)} ${ev.logicalId} ${c().dim(ev.resourceType)}${ev.reason && /FAILED/.test(ev.status) ? `: ${ev.reason}` : ''}`,
      );
    }
  }

  done(name: string, result: RunResult): void {
    this.results.get(name)?.resolve(result);
  }

  /** Asks a yes/no question on behalf of a stack, one question at a time. */
  async confirm(name: string, message: string, lines: string[]): Promise<boolean> {
    const task = await this.ready.get(name)!.promise;
    const run = async (): Promise<boolean> => {
      const { ListrInquirerPromptAdapter } = await import('@listr2/prompt-adapter-inquirer');
      const { confirm } = await import('@inquirer/prompts');
      task.output = lines.join('\n');
      return task.prompt(ListrInquirerPromptAdapter).run(confirm, { message, default: false });
    };
    const answer = this.promptLock.then(run, run);
    this.promptLock = answer.catch(() => undefined);
    return answer;
  }

  async finish(): Promise<void> {
    for (const s of this.stacks)
      this.results.get(s.name)!.resolve({ kind: 'not-run', stackName: s.name, because: 'the run ended first' });
    await this.listr;
  }

  private settle(task: Task, name: string, r: RunResult): void {
    const base = `${name} ${c().dim(this.stacks.find((s) => s.name === name)!.templateId)}`;
    // A skip or failure message replaces the title in a terminal, so it names the stack there;
    // the plain renderer prints it after the title ("title [SKIPPED: message]"), so it does not.
    const about = this.plain ? '' : `${base} `;
    switch (r.kind) {
      case 'created':
      case 'updated':
        task.title = `${base} ${r.kind} (${r.changes.length} resource changes)`;
        return;
      case 'deleted':
        task.title = `${base} deleted${r.kept.length ? `, kept ${r.kept.length} resource${r.kept.length === 1 ? '' : 's'}` : ''}`;
        return;
      case 'skipped-unchanged':
        task.skip(`${about}unchanged`);
        return;
      case 'absent':
        task.skip(`${about}not deployed`);
        return;
      case 'declined':
        task.skip(`${about}not applied (declined)`);
        return;
      case 'not-run':
        task.skip(`${about}not run: ${r.because}`);
        return;
      default:
        throw new Error(`${about}${describeFailure(r)}`);
    }
  }
}

/** A stack the service watchdog stopped: the tasks' reason, what was done, and the fix when known. */
function gaveUpLine(status: string, g: GaveUp): string {
  const done =
    g.action === 'cancelled-update'
      ? 'cancelled the update (it rolled back)'
      : 'deleted the unfinished stack (a re-run creates it again)';
  return (
    `failed (${status}): ${g.logicalId} ${g.resourceType}: ${g.tasks} new task${g.tasks === 1 ? '' : 's'} stopped: ${g.reason}; ` +
    `gave up after ${g.seconds} s instead of waiting for the circuit breaker, and ${done}${g.hint ? `. Fix: ${g.hint}` : ''}`
  );
}

/** The one-line story of a result that is not a success. */
export function describeFailure(r: RunResult): string {
  switch (r.kind) {
    case 'failed':
      if ('gaveUp' in r && r.gaveUp) return gaveUpLine(r.status, r.gaveUp);
      return r.rootCause
        ? `failed (${r.status}): ${r.rootCause.logicalId} ${r.rootCause.resourceType} ${r.rootCause.status}: ${r.rootCause.reason}`
        : `failed (${r.status})${r.statusReason ? `: ${r.statusReason}` : ''}`;
    case 'error':
      return `could not run: ${r.error?.message ?? r.error}`;
    case 'cancelled':
      return `cancelled${r.status ? ` (${r.status})` : ''}`;
    case 'detached':
      return `detached while CloudFormation goes on (${r.status}); run the same command again to attach`;
    case 'not-run':
      return `not run: ${r.because}`;
    default:
      return r.kind;
  }
}
