/**
 * The engine's vocabulary: what a stack to deploy is, what happened to it, and what the engine
 * reports while it works. Plain data, no SDK imports, so the CLI can use these types without
 * loading the AWS SDK.
 */
export * from './errors';

/** One stack to deploy: a template plus its parameters and tags, and the stacks it needs first. */
export interface StackSpec {
  /** CloudFormation stack name (unique in the account and region). */
  name: string;
  /** Which catalogue template this is (e.g. `11.env-network`), for display only. */
  templateId: string;
  /** The template as CloudFormation will receive it (JSON). */
  templateBody: string;
  /** Every parameter value; parameters left out take the template's default. */
  parameters: Record<string, string>;
  /** Stack tags; CloudFormation copies them onto every taggable resource. */
  tags: Record<string, string>;
  /** Names of stacks this one imports from; names outside the current run are taken as already deployed. */
  dependsOn: string[];
  /** e.g. `CAPABILITY_IAM`, `CAPABILITY_NAMED_IAM`. */
  capabilities: string[];
  /** Set it (on or off) after a successful deploy; left undefined, the stack keeps what it has. */
  terminationProtection?: boolean;
}

/** What a replacement means for a resource: `always` = CloudFormation will replace it. */
export type Replacement = 'never' | 'conditional' | 'always';

/** One resource line of a plan, as `+` add, `~` modify, `-` remove. */
export interface ResourceChange {
  action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic';
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** `always`/`conditional` must be shown loudly: the resource (and its data) may be recreated. */
  replacement: Replacement;
  /** Top-level properties (or `Tags`, `Metadata`...) whose change causes this line. */
  causes: string[];
  /** Template parameters whose new value causes it (the change set's ParameterReference details). */
  parameters?: string[];
  /** The properties whose change requires recreating the resource (always or conditionally). */
  replacedBy?: string[];
  /** The template parameters among {@link parameters} behind those properties. */
  replacingParameters?: string[];
  /** Set when this change will be refused (a custom-named resource, or one holding data, replaced): why. */
  refused?: string;
  /**
   * Who refuses it: CloudFormation (`custom-name`), or this tool, where CloudFormation would go
   * ahead: the replacement would start the resource empty (`holds-data`), or a secret would get a
   * new generated value its users never get (`regenerates`).
   */
  refusedFor?: 'custom-name' | 'holds-data' | 'regenerates';
}

/** The change set of one stack, summarised. */
export interface ChangeSummary {
  stackName: string;
  /** `create`: the stack does not exist yet (every resource is an Add). */
  type: 'create' | 'update';
  changes: ResourceChange[];
}

/** The resource event that explains a failure. */
export interface ResourceFailure {
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  status: string;
  /** CloudFormation's reason, with NoEcho parameter values masked. */
  reason: string;
  timestamp: Date;
}

/** One DescribeStackEvents entry, secrets masked. Newer events come later in every list we emit. */
export interface StackEvent {
  eventId: string;
  stackName: string;
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  status: string;
  reason?: string;
  timestamp: Date;
  /** True for the stack's own lines (its LogicalResourceId is the stack name). */
  isStack: boolean;
  /** The token of the operation that produced it (every event of one operation carries the same). */
  clientRequestToken?: string;
}

/** Something ECS said about a service while the stack was waiting for it. */
export interface ServiceNotice {
  logicalId: string;
  kind: 'task-stopped' | 'service-event' | 'target-health';
  message: string;
  at?: Date;
}

/** Why the watchdog stopped waiting. */
export interface WatchdogVerdict {
  logicalId: string;
  resourceType: 'AWS::ECS::Service';
  /** The service ARN. */
  service: string;
  /** The tasks' common stop reason, e.g. "exit 1: mkdir /var/cache/nginx: read-only file system". */
  reason: string;
  /** What to do about it, when the reason is a known one. */
  hint?: string;
  /** How many tasks of the new deployment stopped with this reason. */
  tasks: number;
  /** Seconds from the start of the stack operation to the verdict. */
  seconds: number;
}

/**
 * The watchdog's verdict and what the engine did about it: an update is cancelled (it rolls back);
 * a create, which cannot be cancelled, is deleted (a re-run creates it afresh).
 */
export interface GaveUp extends WatchdogVerdict {
  action: 'cancelled-update' | 'deleted-create';
}

/** Coarse steps of one stack's deploy or delete, for a progress line. */
export type DeployStep =
  | 'checking'
  | 'waiting'
  | 'continuing-rollback'
  | 'deleting-failed-stack'
  | 'adopting'
  | 'restoring'
  | 'restored-cache'
  | 'cleaning-change-sets'
  | 'uploading-template'
  | 'creating-change-set'
  /** The plan's change set for this update is executed (see planned.ts): none is created. */
  | 'planned-change-set'
  | 'executing'
  | 'cancelling'
  | 'stopping-failed-service'
  | 'termination-protection'
  | 'checking-imports'
  | 'deleting'
  | 'retrying-delete'
  | 'lifting-protections';

/** What the engine reports while it works; the CLI renders these (one way: engine → renderer). */
export type DeployEvent =
  | { type: 'step'; stackName: string; step: DeployStep; detail?: string }
  | { type: 'plan'; stackName: string; plan: ChangeSummary }
  | { type: 'resource'; stackName: string; event: StackEvent }
  /** The service watchdog's view of ECS while the stack waits for a service (see watchdog.ts). */
  | { type: 'service'; stackName: string; notice: ServiceNotice };

/** Stack outputs by key (non-secret by construction: CloudFormation has no NoEcho outputs). */
export type Outputs = Record<string, string>;

/**
 * How one stack's deploy ended. Only `created`, `updated` and `skipped-unchanged` let dependents
 * start (and `declined` when the stack already exists: its exports are still there); see
 * {@link satisfiesDependents}.
 */
export type DeployResult =
  | { kind: 'skipped-unchanged'; stackName: string; outputs: Outputs }
  | { kind: 'created' | 'updated'; stackName: string; changes: ResourceChange[]; outputs: Outputs }
  /** CloudFormation ran the change and it failed; the stack is now `status` (rolled back or stuck). */
  | {
      kind: 'failed';
      stackName: string;
      status: string;
      rootCause?: ResourceFailure;
      statusReason?: string;
      gaveUp?: GaveUp;
    }
  /** `confirm` answered no; the change set was deleted. */
  | { kind: 'declined'; stackName: string; plan: ChangeSummary; stackExists: boolean }
  /** Interrupted: an update was cancelled (rolling back), or nothing had been executed yet. */
  | { kind: 'cancelled'; stackName: string; status?: string }
  /** Interrupted during a create: CloudFormation goes on without us; a re-run attaches and converges. */
  | { kind: 'detached'; stackName: string; status: string }
  /** Never started: a dependency did not succeed, or the run stopped before this stack's turn. */
  | { kind: 'not-run'; stackName: string; because: string }
  /** Could not be attempted: a typed engine error (refused recreate, change set rejected...) or an SDK error. */
  | { kind: 'error'; stackName: string; error: Error };

export type DeployResultKind = DeployResult['kind'];

/** Whether a stack's dependents may start after this result. */
export function satisfiesDependents(result: DeployResult): boolean {
  switch (result.kind) {
    case 'created':
    case 'updated':
    case 'skipped-unchanged':
      return true;
    case 'declined':
      return result.stackExists;
    default:
      return false;
  }
}

/**
 * Poll pacing: quick at first, slower while nothing changes (or the API throttles), capped.
 * Throttling retries themselves belong to the SDK's retry strategy (see createClients).
 * The defaults are DEFAULT_POLL's (deploy/poll.ts), where the choice is explained.
 */
export interface PollOptions {
  /** The quick pace: the first wait, and the wait after progress. @default 250 */
  initialMs?: number;
  /** The cap: a finished operation is noticed within this long. @default 5000 */
  maxMs?: number;
  /** Growth per quiet poll. @default 1.5 */
  factor?: number;
}
