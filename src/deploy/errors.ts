/**
 * Typed errors of the deploy engine: one class per condition, each with a stable `code` to match on
 * (never the message), the stack it concerns when there is one, and a `hint` telling a person what
 * to do (see ToolError in src/errors.ts). The CLI turns these into text and exit codes; nothing
 * here prints. Outcomes that are not errors ("no changes", "stack failed and rolled back") are
 * {@link DeployResult} values instead, see ./types.ts. The AWS client factory's errors (no
 * credentials, no region, an endpoint that does not answer, Ctrl-C) are src/aws/errors.ts's,
 * re-exported here because the engine meets them on every call.
 */
import { ToolError, type Outcome } from '../errors';

export {
  AbortedError,
  EndpointUnreachableError,
  NoAccountIdError,
  NoCredentialsError,
  NoRegionError,
  type UnreachableCall,
} from '../aws/errors';

/** Every condition the engine reports by throwing. */
export type EngineErrorCode =
  | 'StackNotFound'
  | 'StackState'
  | 'RecreateRefused'
  | 'RollbackFailed'
  | 'ChangeSetFailed'
  | 'TemplateTooLarge'
  | 'ArtifactBucketUnavailable'
  | 'ExportInUse'
  | 'CustomNameReplacement'
  | 'DataReplacement'
  | 'FixedSetting'
  | 'ExportMove'
  | 'TerminationProtected'
  | 'AdoptionBlocked'
  | 'GraphCycle'
  | 'RunLocked'
  | 'QuotaExceeded'
  | 'NotOffered'
  | 'ServiceLinkedRole'
  | 'DelegationPending'
  | 'HostedZoneUnusable'
  | 'HostedZoneAccessDenied'
  | 'PlanDrift';

/** Base of every error the engine throws on purpose. */
export class EngineError extends ToolError<EngineErrorCode> {
  constructor(
    code: EngineErrorCode,
    message: string,
    hint?: string,
    options?: { cause?: unknown; stackName?: string },
  ) {
    super(code, message, hint, options?.cause === undefined ? undefined : { cause: options.cause });
    this.stackName = options?.stackName;
  }

  /** The stack the error concerns, when it concerns one. */
  readonly stackName?: string;

  /**
   * True for a refusal: the engine stopped before changing anything, because of the input or of
   * a state the user must deal with first (the CLI's exit code 2). False for a failure (exit 1).
   */
  get refusal(): boolean {
    return REFUSALS.has(this.code);
  }

  override get outcome(): Outcome {
    return this.refusal ? 'refused' : 'failed';
  }
}

/** Conditions found before anything is changed: see {@link EngineError.refusal}. */
const REFUSALS: ReadonlySet<EngineErrorCode> = new Set<EngineErrorCode>([
  'ExportInUse',
  'CustomNameReplacement',
  'DataReplacement',
  'FixedSetting',
  'TerminationProtected',
  'RecreateRefused',
  'GraphCycle',
  'RunLocked',
  'DelegationPending',
  'QuotaExceeded',
  'NotOffered',
  'HostedZoneUnusable',
  'HostedZoneAccessDenied',
]);

/** The stack does not exist where one is needed (for callers such as `outputs`; deploy creates missing stacks). */
export class StackNotFoundError extends EngineError {
  constructor(stackName: string, cause?: unknown) {
    super('StackNotFound', `stack ${stackName} does not exist`, undefined, { cause, stackName });
  }
}

/** The stack is in a state the engine will not repair on its own (DELETE_FAILED, IMPORT_ROLLBACK_FAILED). */
export class StackStateError extends EngineError {
  constructor(
    stackName: string,
    readonly status: string,
    hint: string,
    readonly reason?: string,
  ) {
    super('StackState', `stack ${stackName} is ${status}${reason ? `: ${reason}` : ''}`, hint, { stackName });
  }
}

/** A failed create (ROLLBACK_COMPLETE and kin) must be deleted first, and the caller said no. */
export class RecreateRefusedError extends EngineError {
  constructor(
    stackName: string,
    readonly status: string,
  ) {
    super(
      'RecreateRefused',
      `stack ${stackName} is ${status} (its creation failed) and must be deleted before it can be created again`,
      'allow the delete when asked, or delete the stack in the CloudFormation console and run again',
      { stackName },
    );
  }
}

/** ContinueUpdateRollback did not bring the stack back to UPDATE_ROLLBACK_COMPLETE. */
export class RollbackFailedError extends EngineError {
  constructor(
    stackName: string,
    readonly status: string,
    readonly reason?: string,
  ) {
    super(
      'RollbackFailed',
      `stack ${stackName} could not finish rolling back (${status})${reason ? `: ${reason}` : ''}`,
      'fix the resource named above (or skip it with `aws cloudformation continue-update-rollback --resources-to-skip`), then run again',
      { stackName },
    );
  }
}

/** CloudFormation rejected the change set for a reason other than "no changes". */
export class ChangeSetFailedError extends EngineError {
  constructor(
    stackName: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super('ChangeSetFailed', `change set for ${stackName} failed: ${reason}`, undefined, { cause, stackName });
  }
}

/** Template over 51,200 bytes and no artifact bucket to send it through. */
export class TemplateTooLargeError extends EngineError {
  constructor(
    stackName: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      'TemplateTooLarge',
      `template for ${stackName} is ${bytes} bytes, over CloudFormation's ${limit}-byte limit for inline templates`,
      'give the deployer an artifact bucket so the template goes through S3',
      { stackName },
    );
  }
}

/** The artifact bucket exists but belongs to someone else (or we may not use it). */
export class ArtifactBucketUnavailableError extends EngineError {
  constructor(
    readonly bucket: string,
    cause?: unknown,
  ) {
    super(
      'ArtifactBucketUnavailable',
      `artifact bucket ${bucket} exists but cannot be used by these credentials`,
      'bucket names are global: name another bucket, or check the credentials can use this one',
      { cause },
    );
  }
}

/** One import that blocks a delete: `importer` reads `exportName` from the stack being deleted. */
export interface BlockingImport {
  exportName: string;
  importer: string;
}

/** destroy refuses while a stack outside the set imports an export of a stack inside it. */
export class ExportInUseError extends EngineError {
  constructor(
    stackName: string,
    readonly imports: BlockingImport[],
  ) {
    const list = imports.map((i) => `${i.importer} imports ${i.exportName}`).join('; ');
    super(
      'ExportInUse',
      `stack ${stackName} cannot be deleted while other stacks use its exports: ${list}`,
      'destroy the importing stacks first (or include them in this destroy)',
      {
        stackName,
      },
    );
  }
}

/**
 * A resource an earlier stack kept sits under the fixed name a new stack would create, and it
 * cannot be imported on its own (it refers to other resources of the template).
 */
export class AdoptionBlockedError extends EngineError {
  constructor(
    stackName: string,
    readonly resourceType: string,
    readonly physicalId: string,
    readonly refersTo: string[],
  ) {
    super(
      'AdoptionBlocked',
      `stack ${stackName} would create ${resourceType} ${physicalId}, which already exists (kept by an earlier stack, or the name is taken), and it cannot be adopted on its own (it refers to ${refersTo.join(', ')}); nothing was changed`,
      `rename it in the params file, or delete ${physicalId} once you no longer need what it holds, then deploy again`,
      { stackName },
    );
  }
}

/** One resource change of an update that is refused (see refusals.ts). */
export interface RefusedReplacement {
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** The properties whose change causes the replacement. */
  causes: string[];
  /** The template parameters whose new value causes it (what a params file sets). */
  parameters?: string[];
  /**
   * Why: CloudFormation refuses it (`custom-name`, the default), it holds data (`holds-data`), or a
   * secret would be generated again (`regenerates`).
   */
  refusedFor?: 'custom-name' | 'holds-data' | 'regenerates';
}

/** `Queue (url) AWS::SQS::Queue because of FifoQueue; ...` */
function refusedList(refused: RefusedReplacement[]): string {
  return refused
    .map(
      (r) =>
        `${r.logicalId}${r.physicalId ? ` (${r.physicalId})` : ''} ${r.resourceType}${r.causes.length ? ` because of ${r.causes.join(', ')}` : ''}`,
    )
    .join('; ');
}

/** What each kind of refusal says before its list. */
const REFUSAL_TEXT: Record<NonNullable<RefusedReplacement['refusedFor']>, string> = {
  'custom-name': 'CloudFormation refuses to replace a resource that keeps its custom name',
  'holds-data': 'replacing a resource that holds data would start it empty, its data left in the old one',
  regenerates: 'a secret would be generated again, and what uses it would keep the old value',
};

/** The way out: undo the change; then what else fits the kinds refused. */
function refusalHint(refused: RefusedReplacement[], kinds: Set<string>): string {
  const causes = [...new Set(refused.flatMap((r) => r.causes))];
  const undo = `nothing was changed. Undo the change${causes.length ? ` to ${causes.join(', ')}` : ''}`;
  const upgrade =
    'a change that comes with a new cfn-stages version: deploy this environment with the version it was deployed with, and report it';
  if (kinds.has('holds-data'))
    return `${undo}. For a new, empty one, add it beside the old one under another name and move the data over (then take the old one out of the params file); ${upgrade}`;
  if (kinds.has('custom-name'))
    return `${undo}; or give the resource a new name in the same change (the new one is created under it, the old one deleted), moving its data first where it holds any`;
  return `${undo}; ${upgrade}`;
}

/**
 * The update would change resources in a way that must not happen, so it is refused before
 * anything runs (code `CustomNameReplacement` when CloudFormation itself refuses one of them,
 * else `DataReplacement`):
 * - a custom-named resource replaced under its name: CloudFormation would refuse it ("cannot
 *   update a stack when a custom-named resource requires replacing") after the stacks before it
 *   had already changed;
 * - a resource that holds data replaced (a bucket, queue, cache, database...): CloudFormation
 *   would make a new, empty one and leave the data in the old one;
 * - a secret generated again (GenerateSecretString changed): what was created with the old
 *   value (a database's master password) would never get the new one.
 */
export class CustomNameReplacementError extends EngineError {
  constructor(
    stackName: string,
    readonly refused: RefusedReplacement[],
  ) {
    const kind = (r: RefusedReplacement) => r.refusedFor ?? 'custom-name';
    const kinds = new Set(refused.map(kind));
    const parts = (Object.keys(REFUSAL_TEXT) as (keyof typeof REFUSAL_TEXT)[])
      .filter((k) => kinds.has(k))
      .map((k) => `${REFUSAL_TEXT[k]}: ${refusedList(refused.filter((r) => kind(r) === k))}`);
    super(
      kinds.has('custom-name') ? 'CustomNameReplacement' : 'DataReplacement',
      `stack ${stackName}: ${parts.join('; and ')}`,
      refusalHint(refused, kinds),
      { stackName },
    );
  }
}

/** A parameter the template fixes after creation (its value is part of generated credentials). */
export class FixedSettingError extends EngineError {
  constructor(
    stackName: string,
    readonly changes: { parameter: string; current: string; wanted: string }[],
  ) {
    const list = changes.map((c) => `${c.parameter} is "${c.current}", the params file says "${c.wanted}"`).join('; ');
    super(
      'FixedSetting',
      `stack ${stackName}: ${changes.map((c) => c.parameter).join(', ')} cannot change after the stack is created (${list})`,
      `nothing was changed. Set ${changes.map((c) => `${c.parameter} back to "${c.current}"`).join(', ')} in the params file; a different value needs a new store (another name) and the data moved to it`,
      { stackName },
    );
  }
}

/** Termination protection is on and the caller did not ask to turn it off. */
export class TerminationProtectedError extends EngineError {
  constructor(stackName: string) {
    super(
      'TerminationProtected',
      `stack ${stackName} has termination protection on`,
      'turn it off explicitly (destroy asks for it) and run again',
      {
        stackName,
      },
    );
  }
}

/** Stacks depend on each other in a circle, so no order exists. */
export class GraphCycleError extends EngineError {
  constructor(readonly cycle: string[]) {
    super(
      'GraphCycle',
      `stacks depend on each other in a cycle: ${cycle.join(' -> ')}`,
      'remove one of the imports that close the cycle',
    );
  }
}

/** Who holds an environment's run lock (the lock's value, written by the holder). */
export interface LockHolder {
  command: string;
  host: string;
  user: string;
  pid: number;
  /** ISO time the run took the lock. */
  since: string;
  /** ISO time of the holder's last heartbeat. */
  heartbeat: string;
  runId: string;
}

/** Another run of the same environment holds its lock. */
export class RunLockedError extends EngineError {
  constructor(
    readonly environment: string,
    readonly holder: LockHolder | undefined,
    /** Why the lock looks abandoned, when it does (no heartbeat for long, or its process is gone). */
    readonly abandoned: string | undefined,
    unlockCommand: string,
  ) {
    const who = holder
      ? `\`${holder.command}\` since ${holder.since} (host ${holder.host}, user ${holder.user}, pid ${holder.pid}; last heartbeat ${holder.heartbeat})`
      : 'a run whose lock cannot be read';
    super(
      'RunLocked',
      `environment ${environment} is busy: ${who}${abandoned ? `; it looks abandoned: ${abandoned}` : ''}`,
      abandoned
        ? `if that run is really gone, remove its lock with \`${unlockCommand}\`, then run again`
        : `wait for it to finish and run again; if it crashed, \`${unlockCommand}\` removes the lock once its heartbeat is older than 5 minutes (--force sooner)`,
    );
  }
}
