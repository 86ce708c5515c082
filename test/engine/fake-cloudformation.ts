/**
 * A stateful fake CloudFormation for the engine tests, plugged in as the SDK's request handler:
 * the real SDK clients serialise each call (Query protocol), sign it, retry it with their own
 * strategy, and parse the fake's XML answers. Its behaviour is written down in
 * fake-cloudformation.md; keep the two in step.
 *
 * Time is a counter: every CloudFormation request is one tick (one second of fake time) and
 * advances every running operation (stack operations and change set computations) by one step,
 * so a test is deterministic however fast the engine polls.
 */
import { Readable } from 'node:stream';
import { FakeS3, type FakeHttpRequest } from './fake-s3';

// Parsed request parameters and template fragments are loosely shaped by nature.
type Json = any;

interface Config {
  templateBody: string;
  template: Json;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  capabilities: string[];
}

interface FakeResource {
  logicalId: string;
  type: string;
  physicalId: string;
  props: Json;
}

interface FakeEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  Timestamp: Date;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ClientRequestToken?: string;
}

interface PlannedChange {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  type: string;
  replacement?: 'True' | 'False' | 'Conditional';
  causes: string[];
  props?: Json;
}

interface FakeChangeSet {
  id: string;
  name: string;
  type: 'CREATE' | 'UPDATE';
  token?: string;
  status: 'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'FAILED' | 'DELETE_COMPLETE';
  executionStatus: string;
  statusReason?: string;
  config: Config;
  changes: PlannedChange[];
  imports: string[];
  created: Date;
}

/** What an update changed, kept so a rollback (or a later ContinueUpdateRollback) can undo it. */
interface RollbackState {
  previous: Config;
  previousResources: Map<string, FakeResource>;
  remaining: PlannedChange[];
}

export interface FakeStack {
  id: string;
  name: string;
  status: string;
  statusReason?: string;
  config: Config;
  resources: Map<string, FakeResource>;
  outputs: Array<{ OutputKey: string; OutputValue: string; ExportName?: string }>;
  imports: string[];
  events: FakeEvent[];
  changeSets: Map<string, FakeChangeSet>;
  terminationProtection: boolean;
  created: Date;
  lastUpdated?: Date;
  op?: Generator<void, void, void>;
  opToken?: string;
  rollback?: RollbackState;
  /** Changes of the running update that have started (for CancelUpdateStack). */
  touched?: PlannedChange[];
}

export interface FailureInjection {
  stack: string;
  logicalId: string;
  on: 'create' | 'update' | 'delete' | 'rollback';
  reason: string;
  /** How many times it fires before it is used up. @default 1 */
  times?: number;
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const INLINE_LIMIT = 51_200;
const CANCEL_REASON = { create: 'Resource creation cancelled', update: 'Resource update cancelled' };

/**
 * Properties whose change replaces the resource: a small sample of CloudFormation's per-property
 * rules, enough to exercise the plan's replacement flags.
 */
const REPLACING: Record<string, Record<string, 'True' | 'Conditional'>> = {
  'AWS::S3::Bucket': { BucketName: 'True' },
  'AWS::SQS::Queue': { QueueName: 'True', FifoQueue: 'True' },
  'AWS::SNS::Topic': { TopicName: 'True' },
  'AWS::EC2::VPC': { CidrBlock: 'True' },
  'AWS::Logs::LogGroup': { LogGroupName: 'True' },
  'AWS::EC2::Instance': { ImageId: 'True', InstanceType: 'Conditional' },
  'AWS::RDS::DBInstance': { DBSnapshotIdentifier: 'Conditional', Engine: 'True' },
};

export interface FakeCloudFormationOptions {
  region?: string;
  account?: string;
  /** DescribeStackEvents page size (AWS: 100); small values exercise pagination. @default 4 */
  eventPageSize?: number;
  /** DescribeChangeSet page size. @default 3 */
  changePageSize?: number;
}

export class FakeCloudFormation {
  readonly s3: FakeS3;
  readonly region: string;
  readonly account: string;
  /** Every CloudFormation request, in order (throttled attempts included). */
  readonly calls: Array<{ action: string; params: Json }> = [];
  /** The most stack operations that ran at once. */
  peakConcurrentOperations = 0;
  /** The SDK `requestHandler` to give createClients. */
  readonly handler = { handle: async (request: FakeHttpRequest) => ({ response: this.respond(request) }) };

  private readonly stacks = new Map<string, FakeStack>();
  private readonly deleted: FakeStack[] = [];
  private readonly failures: FailureInjection[] = [];
  private readonly throttles = new Map<string, number>();
  private readonly pageSize: { events: number; changes: number };
  private clock = Date.UTC(2024, 0, 1, 12, 0, 0);
  private counter = 0;

  constructor(opts: FakeCloudFormationOptions = {}) {
    this.region = opts.region ?? 'eu-west-1';
    this.account = opts.account ?? '123456789012';
    this.s3 = new FakeS3(this.account);
    this.pageSize = { events: opts.eventPageSize ?? 4, changes: opts.changePageSize ?? 3 };
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Makes a resource fail on its next create/update/delete/rollback, with CloudFormation's reason. */
  failResource(injection: FailureInjection): void {
    this.failures.push({ times: 1, ...injection });
  }

  /** The next `times` calls of `action` answer HTTP 400 Throttling ("Rate exceeded"). */
  throttle(action: string, times: number): void {
    this.throttles.set(action, times);
  }

  /** A live stack by name (not deleted). */
  stack(name: string): FakeStack | undefined {
    return this.stacks.get(name);
  }

  callsOf(action: string): Json[] {
    return this.calls.filter((c) => c.action === action).map((c) => c.params);
  }

  // ---- transport ------------------------------------------------------------------------------

  private respond(req: FakeHttpRequest): { statusCode: number; headers: Record<string, string>; body: Readable } {
    const isQuery = typeof req.body === 'string' && /(^|&)Action=/.test(req.body);
    const out = isQuery ? this.query(req.body as string) : this.s3.handle(req);
    return { statusCode: out.statusCode, headers: out.headers, body: Readable.from([Buffer.from(out.body)]) };
  }

  private query(body: string): { statusCode: number; headers: Record<string, string>; body: string } {
    const params = parseQuery(body);
    const action = String(params.Action);
    this.calls.push({ action, params });
    // A continuation page is part of the same look, not a new moment.
    if (!params.NextToken) this.tick();
    const left = this.throttles.get(action) ?? 0;
    try {
      if (left > 0) {
        this.throttles.set(action, left - 1);
        throw new ApiError('Throttling', 'Rate exceeded');
      }
      const result = this.dispatch(action, params);
      return { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: resultXml(action, result) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return { statusCode: err.status, headers: { 'content-type': 'text/xml' }, body: errorXml(err.code, err.message) };
    }
  }

  private dispatch(action: string, p: Json): Json {
    switch (action) {
      case 'DescribeStacks':
        return { Stacks: this.describeStacks(p.StackName) };
      case 'DescribeStackEvents':
        return this.describeStackEvents(p.StackName, p.NextToken);
      case 'GetTemplate':
        return { TemplateBody: this.find(p.StackName).config.templateBody };
      case 'CreateChangeSet':
        return this.createChangeSet(p);
      case 'DescribeChangeSet':
        return this.describeChangeSet(p);
      case 'ExecuteChangeSet':
        return this.executeChangeSet(p);
      case 'DeleteChangeSet':
        return this.deleteChangeSet(p);
      case 'ListChangeSets':
        return {
          Summaries: [...this.find(p.StackName).changeSets.values()].map((cs) =>
            this.changeSetSummary(this.find(p.StackName), cs),
          ),
        };
      case 'DeleteStack':
        return this.deleteStack(p);
      case 'ContinueUpdateRollback':
        return this.continueUpdateRollback(p);
      case 'CancelUpdateStack':
        return this.cancelUpdateStack(p);
      case 'UpdateTerminationProtection':
        return this.updateTerminationProtection(p);
      case 'ListImports':
        return this.listImports(p.ExportName);
      case 'ListStackResources':
        return {
          StackResourceSummaries: [...this.find(p.StackName).resources.values()].map((r) => ({
            LogicalResourceId: r.logicalId,
            PhysicalResourceId: r.physicalId,
            ResourceType: r.type,
            ResourceStatus: 'CREATE_COMPLETE',
            LastUpdatedTimestamp: this.now(),
          })),
        };
      default:
        throw new ApiError('InvalidAction', `fake CloudFormation does not implement ${action}`);
    }
  }

  // ---- time -----------------------------------------------------------------------------------

  private now(): Date {
    return new Date(this.clock);
  }

  /** One second passes: every running change set and stack operation takes one step. */
  private tick(): void {
    this.clock += 1000;
    for (const stack of this.stacks.values())
      for (const cs of stack.changeSets.values()) this.advanceChangeSet(stack, cs);
    const running = [...this.stacks.values()].filter((s) => s.op);
    this.peakConcurrentOperations = Math.max(this.peakConcurrentOperations, running.length);
    for (const stack of running) this.step(stack);
  }

  private step(stack: FakeStack): void {
    if (stack.op?.next().done) {
      stack.op = undefined;
      stack.opToken = undefined;
    }
  }

  /** Starts an operation; its first step happens at once, as the status changes on the call. */
  private start(stack: FakeStack, token: string | undefined, op: Generator<void, void, void>): void {
    stack.opToken = token;
    stack.op = op;
    this.step(stack);
  }

  // ---- stacks ---------------------------------------------------------------------------------

  private find(nameOrId: string): FakeStack {
    const stack = this.stacks.get(nameOrId) ?? [...this.stacks.values()].find((s) => s.id === nameOrId);
    if (!stack) throw new ApiError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  private describeStacks(nameOrId: string | undefined): Json[] {
    if (!nameOrId) return [...this.stacks.values()].map((s) => this.stackView(s));
    const gone = this.deleted.find((s) => s.id === nameOrId);
    return [this.stackView(gone ?? this.find(nameOrId))];
  }

  private stackView(s: FakeStack): Json {
    const noEcho = new Set(
      Object.entries(s.config.template.Parameters ?? {})
        .filter(([, d]: [string, Json]) => String(d.NoEcho) === 'true')
        .map(([k]) => k),
    );
    return {
      StackId: s.id,
      StackName: s.name,
      CreationTime: s.created,
      LastUpdatedTime: s.lastUpdated,
      StackStatus: s.status,
      StackStatusReason: s.statusReason,
      Parameters: Object.entries(s.config.parameters).map(([k, v]) => ({
        ParameterKey: k,
        ParameterValue: noEcho.has(k) ? '****' : v,
      })),
      Capabilities: s.config.capabilities,
      Outputs: s.status === 'REVIEW_IN_PROGRESS' ? [] : s.outputs,
      Tags: Object.entries(s.config.tags).map(([Key, Value]) => ({ Key, Value })),
      EnableTerminationProtection: s.terminationProtection,
    };
  }

  private describeStackEvents(nameOrId: string, nextToken?: string): Json {
    const stack = this.deleted.find((s) => s.id === nameOrId) ?? this.find(nameOrId);
    const newestFirst = [...stack.events].reverse();
    // The token is a cursor (the last event returned), so events added between pages cannot
    // shift a page onto events already returned.
    const start = nextToken ? newestFirst.findIndex((e) => e.EventId === nextToken) + 1 : 0;
    const page = newestFirst.slice(start, start + this.pageSize.events);
    const more = start + page.length < newestFirst.length;
    return { StackEvents: page, NextToken: more ? page[page.length - 1].EventId : undefined };
  }

  private event(stack: FakeStack, e: Omit<FakeEvent, 'EventId' | 'StackId' | 'StackName' | 'Timestamp'>): void {
    stack.events.push({
      EventId: `ev-${++this.counter}`,
      StackId: stack.id,
      StackName: stack.name,
      Timestamp: this.now(),
      ClientRequestToken: stack.opToken,
      ...e,
    });
  }

  private stackEvent(stack: FakeStack, status: string, reason?: string): void {
    stack.status = status;
    stack.statusReason = reason;
    this.event(stack, {
      LogicalResourceId: stack.name,
      PhysicalResourceId: stack.id,
      ResourceType: 'AWS::CloudFormation::Stack',
      ResourceStatus: status,
      ResourceStatusReason: reason,
    });
  }

  private resourceEvent(
    stack: FakeStack,
    logicalId: string,
    type: string,
    status: string,
    reason?: string,
    physicalId?: string,
  ): void {
    this.event(stack, {
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId ?? stack.resources.get(logicalId)?.physicalId ?? '',
      ResourceType: type,
      ResourceStatus: status,
      ResourceStatusReason: reason,
    });
  }

  private takeFailure(stack: FakeStack, logicalId: string, on: FailureInjection['on']): FailureInjection | undefined {
    const f = this.failures.find(
      (x) => x.stack === stack.name && x.logicalId === logicalId && x.on === on && (x.times ?? 1) > 0,
    );
    if (f) f.times = (f.times ?? 1) - 1;
    return f;
  }

  private newStack(name: string, config: Config): FakeStack {
    const stack: FakeStack = {
      id: `arn:aws:cloudformation:${this.region}:${this.account}:stack/${name}/${(++this.counter).toString(16).padStart(8, '0')}-fake`,
      name,
      status: 'REVIEW_IN_PROGRESS',
      config,
      resources: new Map(),
      outputs: [],
      imports: [],
      events: [],
      changeSets: new Map(),
      terminationProtection: false,
      created: this.now(),
    };
    this.stacks.set(name, stack);
    return stack;
  }

  // ---- change sets ----------------------------------------------------------------------------

  private createChangeSet(p: Json): Json {
    const type: 'CREATE' | 'UPDATE' = p.ChangeSetType ?? 'UPDATE';
    const existing = this.stacks.get(p.StackName);
    const sameToken =
      existing && [...existing.changeSets.values()].find((cs) => p.ClientToken && cs.token === p.ClientToken);
    if (existing && sameToken) return { Id: sameToken.id, StackId: existing.id };
    const templateBody = this.templateFrom(p);
    const template = parseTemplateBody(templateBody);
    this.checkCapabilities(template, list(p.Capabilities));
    if (type === 'UPDATE') this.checkUpdatable(p.StackName, existing);
    if (type === 'CREATE' && existing && existing.status !== 'REVIEW_IN_PROGRESS') {
      throw new ApiError(
        'ValidationError',
        `Stack [${p.StackName}] already exists and cannot be created again with the changeSet [${p.ChangeSetName}].`,
      );
    }
    const previous = existing?.status === 'REVIEW_IN_PROGRESS' ? undefined : existing?.config;
    const config: Config = {
      templateBody,
      template,
      parameters: resolveParameters(template, list(p.Parameters), previous?.parameters),
      tags: Object.fromEntries(list(p.Tags).map((t: Json) => [t.Key, t.Value])),
      capabilities: list(p.Capabilities),
    };
    const stack = existing ?? this.newStack(p.StackName, config);
    if (!existing || existing.status === 'REVIEW_IN_PROGRESS') {
      stack.config = config;
      if (!existing) this.stackEvent(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    }
    if (stack.changeSets.has(p.ChangeSetName))
      throw new ApiError('AlreadyExistsException', `ChangeSet ${p.ChangeSetName} already exists`);
    const cs: FakeChangeSet = {
      id: `${stack.id.replace(':stack/', ':changeSet/')}/${p.ChangeSetName}`,
      name: p.ChangeSetName,
      type,
      token: p.ClientToken,
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      config,
      changes: [],
      imports: [],
      created: this.now(),
    };
    stack.changeSets.set(cs.name, cs);
    return { Id: cs.id, StackId: stack.id };
  }

  private templateFrom(p: Json): string {
    if (p.TemplateURL) {
      const body = this.s3.objectAtUrl(p.TemplateURL);
      if (body === undefined)
        throw new ApiError('ValidationError', `S3 error: Access Denied (no object at ${p.TemplateURL})`);
      return body;
    }
    const body = String(p.TemplateBody ?? '');
    if (Buffer.byteLength(body) > INLINE_LIMIT) {
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${INLINE_LIMIT}`,
      );
    }
    return body;
  }

  private checkCapabilities(template: Json, given: string[]): void {
    const iam = Object.values<Json>(template.Resources ?? {}).filter((r) => String(r.Type).startsWith('AWS::IAM::'));
    const named = iam.some((r) => r.Properties?.RoleName || r.Properties?.ManagedPolicyName || r.Properties?.UserName);
    const need = named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM';
    const ok = given.includes('CAPABILITY_NAMED_IAM') || (!named && given.includes('CAPABILITY_IAM'));
    if (iam.length > 0 && !ok)
      throw new ApiError('InsufficientCapabilitiesException', `Requires capabilities : [${need}]`);
  }

  private checkUpdatable(name: string, stack: FakeStack | undefined): void {
    if (!stack) throw new ApiError('ValidationError', `Stack [${name}] does not exist`);
    const updatable = [
      'CREATE_COMPLETE',
      'UPDATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
      'IMPORT_COMPLETE',
      'IMPORT_ROLLBACK_COMPLETE',
      'UPDATE_FAILED',
      'CREATE_FAILED',
    ];
    if (!updatable.includes(stack.status))
      throw new ApiError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
  }

  /** Pending → in progress → computed, one step per tick. */
  private advanceChangeSet(stack: FakeStack, cs: FakeChangeSet): void {
    if (cs.status === 'CREATE_PENDING') {
      cs.status = 'CREATE_IN_PROGRESS';
      return;
    }
    if (cs.status !== 'CREATE_IN_PROGRESS') return;
    try {
      const { resources, imports } = this.resolveResources(stack, cs.config);
      cs.imports = imports;
      cs.changes = this.diff(stack, cs, resources);
    } catch (err) {
      if (!(err instanceof MissingExport)) throw err;
      cs.status = 'FAILED';
      cs.statusReason = `No export named ${err.exportName} found. Rollback requested by user.`;
      return;
    }
    // Outputs and imports count too: a change set that only changes outputs (or what they
    // export), or only what the stack imports (an import written as its literal value), has no
    // resource changes, but is CREATE_COMPLETE and must be executed to apply them.
    const sameOutputsAndImports =
      sameJson(cs.config.template.Outputs ?? {}, stack.config.template.Outputs ?? {}) &&
      sameJson([...cs.imports].sort(), [...stack.imports].sort());
    const sameSettings =
      cs.type === 'UPDATE' &&
      sameOutputsAndImports &&
      sameJson(cs.config.parameters, stack.config.parameters) &&
      sameJson(cs.config.tags, stack.config.tags);
    if (cs.changes.length === 0 && sameSettings) {
      cs.status = 'FAILED';
      cs.statusReason =
        "The submitted information didn't contain changes. Submit different information to create a change set.";
      return;
    }
    cs.status = 'CREATE_COMPLETE';
    cs.executionStatus = 'AVAILABLE';
  }

  private resolveResources(stack: FakeStack, config: Config): { resources: Map<string, Json>; imports: string[] } {
    const imports: string[] = [];
    const ctx: ResolveContext = {
      parameters: config.parameters,
      pseudo: {
        'AWS::StackName': stack.name,
        'AWS::Region': this.region,
        'AWS::AccountId': this.account,
        'AWS::StackId': stack.id,
      },
      physicalId: (id) => stack.resources.get(id)?.physicalId ?? `${stack.name}-${id}`,
      importValue: (name) => {
        imports.push(name);
        const value = this.exportValue(name);
        if (value === undefined) throw new MissingExport(name);
        return value;
      },
    };
    const resources = new Map<string, Json>();
    for (const [id, r] of Object.entries<Json>(config.template.Resources ?? {})) {
      resources.set(id, {
        Type: r.Type,
        DeletionPolicy: r.DeletionPolicy,
        Properties: resolve(r.Properties ?? {}, ctx),
      });
    }
    return { resources, imports };
  }

  private diff(stack: FakeStack, cs: FakeChangeSet, desired: Map<string, Json>): PlannedChange[] {
    const changes: PlannedChange[] = [];
    const tagsChanged = cs.type === 'UPDATE' && !sameJson(cs.config.tags, stack.config.tags);
    for (const [id, r] of desired) {
      const current = stack.resources.get(id);
      if (!current) {
        changes.push({ action: 'Add', logicalId: id, type: r.Type, causes: [], props: r.Properties });
        continue;
      }
      const causes = Object.keys({ ...current.props, ...r.Properties }).filter(
        (k) => !sameJson(current.props[k], r.Properties[k]),
      );
      if (causes.length === 0 && !tagsChanged && current.type === r.Type) continue;
      const rules = REPLACING[r.Type] ?? {};
      const flags = causes.map((c) => rules[c]).filter(Boolean);
      const replacement =
        current.type !== r.Type || flags.includes('True')
          ? 'True'
          : flags.includes('Conditional')
            ? 'Conditional'
            : 'False';
      changes.push({
        action: 'Modify',
        logicalId: id,
        type: r.Type,
        replacement,
        causes: causes.length ? causes : ['Tags'],
        props: r.Properties,
      });
    }
    for (const [id, r] of stack.resources)
      if (!desired.has(id)) changes.push({ action: 'Remove', logicalId: id, type: r.type, causes: [] });
    return changes;
  }

  private findChangeSet(p: Json): { stack: FakeStack; cs: FakeChangeSet } {
    const name = String(p.ChangeSetName);
    const stacks = p.StackName ? [this.findOrNotFound(p.StackName)] : [...this.stacks.values()];
    for (const stack of stacks) {
      const cs = stack.changeSets.get(name) ?? [...stack.changeSets.values()].find((c) => c.id === name);
      if (cs) return { stack, cs };
    }
    throw new ApiError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
  }

  private findOrNotFound(nameOrId: string): FakeStack {
    try {
      return this.find(nameOrId);
    } catch {
      throw new ApiError('ChangeSetNotFound', `ChangeSet does not exist: stack ${nameOrId} not found`, 404);
    }
  }

  private describeChangeSet(p: Json): Json {
    const { stack, cs } = this.findChangeSet(p);
    const start = Number(p.NextToken ?? 0);
    const end = start + this.pageSize.changes;
    return {
      ChangeSetName: cs.name,
      ChangeSetId: cs.id,
      StackId: stack.id,
      StackName: stack.name,
      Status: cs.status,
      StatusReason: cs.statusReason,
      ExecutionStatus: cs.executionStatus,
      CreationTime: cs.created,
      Capabilities: cs.config.capabilities,
      Parameters: Object.entries(cs.config.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Tags: Object.entries(cs.config.tags).map(([Key, Value]) => ({ Key, Value })),
      Changes: cs.changes.slice(start, end).map((c) => changeView(c, stack)),
      NextToken: end < cs.changes.length ? String(end) : undefined,
    };
  }

  private changeSetSummary(stack: FakeStack, cs: FakeChangeSet): Json {
    return {
      StackId: stack.id,
      StackName: stack.name,
      ChangeSetId: cs.id,
      ChangeSetName: cs.name,
      Status: cs.status,
      ExecutionStatus: cs.executionStatus,
      CreationTime: cs.created,
    };
  }

  private deleteChangeSet(p: Json): Json {
    const { stack, cs } = this.findChangeSet(p);
    stack.changeSets.delete(cs.name);
    return {};
  }

  private executeChangeSet(p: Json): Json {
    const { stack, cs } = this.findChangeSet(p);
    if (cs.status !== 'CREATE_COMPLETE' || cs.executionStatus !== 'AVAILABLE') {
      throw new ApiError(
        'InvalidChangeSetStatus',
        `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`,
      );
    }
    // CloudFormation drops every change set of the stack once one is executed.
    stack.changeSets.clear();
    this.start(stack, p.ClientRequestToken, cs.type === 'CREATE' ? this.createOp(stack, cs) : this.updateOp(stack, cs));
    return {};
  }

  // ---- operations (each `yield` ends one tick) -------------------------------------------------

  private *createOp(stack: FakeStack, cs: FakeChangeSet): Generator<void, void, void> {
    stack.config = cs.config;
    this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    yield;
    const pending = cs.changes.filter((c) => c.action === 'Add');
    for (const c of pending) this.resourceEvent(stack, c.logicalId, c.type, 'CREATE_IN_PROGRESS', undefined, '');
    yield;
    while (pending.length > 0) {
      const c = pending.shift() as PlannedChange;
      const failure = this.takeFailure(stack, c.logicalId, 'create');
      if (failure) {
        // Siblings still in progress are cancelled in the same second; CloudFormation's order
        // within one second is not guaranteed, and the fake lists the cancellations first.
        for (const other of pending)
          this.resourceEvent(stack, other.logicalId, other.type, 'CREATE_FAILED', CANCEL_REASON.create, '');
        this.resourceEvent(stack, c.logicalId, c.type, 'CREATE_FAILED', failure.reason, '');
        const failed = [c, ...pending].map((x) => x.logicalId).sort();
        this.stackEvent(
          stack,
          'ROLLBACK_IN_PROGRESS',
          `The following resource(s) failed to create: [${failed.join(', ')}]. Rollback requested by user.`,
        );
        yield;
        yield* this.rollbackCreate(stack);
        return;
      }
      stack.resources.set(c.logicalId, {
        logicalId: c.logicalId,
        type: c.type,
        physicalId: this.physicalId(stack, c),
        props: c.props,
      });
      this.resourceEvent(stack, c.logicalId, c.type, 'CREATE_COMPLETE');
      yield;
    }
    this.commit(stack, cs);
    this.stackEvent(stack, 'CREATE_COMPLETE');
  }

  private *rollbackCreate(stack: FakeStack): Generator<void, void, void> {
    for (const r of [...stack.resources.values()].reverse()) {
      const failure = this.takeFailure(stack, r.logicalId, 'rollback');
      this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_IN_PROGRESS');
      if (failure) {
        this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_FAILED', failure.reason);
        this.stackEvent(stack, 'ROLLBACK_FAILED', `The following resource(s) failed to delete: [${r.logicalId}]. `);
        return;
      }
      stack.resources.delete(r.logicalId);
      this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_COMPLETE', undefined, r.physicalId);
      yield;
    }
    this.stackEvent(stack, 'ROLLBACK_COMPLETE');
  }

  private *updateOp(stack: FakeStack, cs: FakeChangeSet): Generator<void, void, void> {
    const state: RollbackState = { previous: stack.config, previousResources: new Map(stack.resources), remaining: [] };
    stack.rollback = state;
    stack.config = cs.config;
    stack.lastUpdated = this.now();
    stack.touched = [];
    this.stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    yield;
    const pending = cs.changes.filter((c) => c.action !== 'Remove');
    for (const c of pending) this.startChange(stack, c);
    yield;
    while (pending.length > 0) {
      const c = pending.shift() as PlannedChange;
      const failure = this.takeFailure(stack, c.logicalId, c.action === 'Add' ? 'create' : 'update');
      if (failure) {
        for (const other of pending)
          this.resourceEvent(
            stack,
            other.logicalId,
            other.type,
            other.action === 'Add' ? 'CREATE_FAILED' : 'UPDATE_FAILED',
            other.action === 'Add' ? CANCEL_REASON.create : CANCEL_REASON.update,
          );
        this.resourceEvent(
          stack,
          c.logicalId,
          c.type,
          c.action === 'Add' ? 'CREATE_FAILED' : 'UPDATE_FAILED',
          failure.reason,
        );
        this.stackEvent(
          stack,
          'UPDATE_ROLLBACK_IN_PROGRESS',
          `The following resource(s) failed to ${c.action === 'Add' ? 'create' : 'update'}: [${c.logicalId}]. `,
        );
        yield;
        yield* this.rollbackUpdate(stack, state, [...(stack.touched ?? [])]);
        return;
      }
      this.finishChange(stack, c);
      yield;
    }
    const inUse = this.exportInUse(stack, cs);
    if (inUse) {
      this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', inUse);
      yield;
      yield* this.rollbackUpdate(stack, state, [...(stack.touched ?? [])]);
      return;
    }
    this.stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    yield;
    yield* this.cleanup(stack, cs.changes, state);
    this.commit(stack, cs);
    stack.rollback = undefined;
    this.stackEvent(stack, 'UPDATE_COMPLETE');
  }

  private startChange(stack: FakeStack, c: PlannedChange): void {
    stack.touched?.push(c);
    if (c.action === 'Add') return this.resourceEvent(stack, c.logicalId, c.type, 'CREATE_IN_PROGRESS', undefined, '');
    if (c.replacement === 'True') {
      this.resourceEvent(
        stack,
        c.logicalId,
        c.type,
        'UPDATE_IN_PROGRESS',
        'Requested update requires the creation of a new physical resource; hence creating one.',
      );
    } else {
      this.resourceEvent(stack, c.logicalId, c.type, 'UPDATE_IN_PROGRESS');
    }
  }

  private finishChange(stack: FakeStack, c: PlannedChange): void {
    const current = stack.resources.get(c.logicalId);
    const physicalId = !current || c.replacement === 'True' ? this.physicalId(stack, c) : current.physicalId;
    stack.resources.set(c.logicalId, { logicalId: c.logicalId, type: c.type, physicalId, props: c.props });
    this.resourceEvent(stack, c.logicalId, c.type, c.action === 'Add' ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE');
  }

  /** Removed resources and the old copies of replaced ones go in the cleanup phase. */
  private *cleanup(stack: FakeStack, changes: PlannedChange[], state: RollbackState): Generator<void, void, void> {
    for (const c of changes) {
      const old = state.previousResources.get(c.logicalId);
      if (!old || !(c.action === 'Remove' || c.replacement === 'True')) continue;
      const retain = ['Retain', 'RetainExceptOnCreate'].includes(
        state.previous.template.Resources?.[c.logicalId]?.DeletionPolicy,
      );
      if (c.action === 'Remove') stack.resources.delete(c.logicalId);
      this.resourceEvent(
        stack,
        c.logicalId,
        old.type,
        retain ? 'DELETE_SKIPPED' : 'DELETE_COMPLETE',
        undefined,
        old.physicalId,
      );
      yield;
    }
  }

  private *rollbackUpdate(
    stack: FakeStack,
    state: RollbackState,
    remaining: PlannedChange[],
  ): Generator<void, void, void> {
    while (remaining.length > 0) {
      const c = remaining[remaining.length - 1];
      const failure = this.takeFailure(stack, c.logicalId, 'rollback');
      if (failure) {
        this.resourceEvent(stack, c.logicalId, c.type, 'UPDATE_FAILED', failure.reason);
        state.remaining = remaining;
        this.stackEvent(
          stack,
          'UPDATE_ROLLBACK_FAILED',
          `The following resource(s) failed to update: [${c.logicalId}]. `,
        );
        return;
      }
      remaining.pop();
      const old = state.previousResources.get(c.logicalId);
      if (old) {
        stack.resources.set(c.logicalId, old);
        this.resourceEvent(stack, c.logicalId, c.type, 'UPDATE_COMPLETE');
      } else {
        stack.resources.delete(c.logicalId);
        this.resourceEvent(stack, c.logicalId, c.type, 'DELETE_COMPLETE');
      }
      yield;
    }
    this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    yield;
    stack.config = state.previous;
    stack.resources = new Map(state.previousResources);
    stack.rollback = undefined;
    this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }

  private continueUpdateRollback(p: Json): Json {
    const stack = this.find(p.StackName);
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED' || !stack.rollback) {
      throw new ApiError(
        'ValidationError',
        `Stack ${stack.id} is in ${stack.status} state and can not continue rollback.`,
      );
    }
    const state = stack.rollback;
    const op = (function* (fake: FakeCloudFormation) {
      fake.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', 'User Initiated');
      yield;
      yield* fake.rollbackUpdate(stack, state, [...state.remaining]);
    })(this);
    this.start(stack, p.ClientRequestToken, op);
    return {};
  }

  private cancelUpdateStack(p: Json): Json {
    const stack = this.find(p.StackName);
    if (stack.status !== 'UPDATE_IN_PROGRESS' || !stack.rollback) {
      throw new ApiError(
        'ValidationError',
        `CancelUpdateStack cannot be called from current stack status ${stack.status}.`,
      );
    }
    const state = stack.rollback;
    const touched = [...(stack.touched ?? [])];
    const op = (function* (fake: FakeCloudFormation) {
      for (const c of touched) fake.resourceEvent(stack, c.logicalId, c.type, 'UPDATE_FAILED', CANCEL_REASON.update);
      fake.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', 'Stack update cancelled');
      yield;
      yield* fake.rollbackUpdate(stack, state, touched);
    })(this);
    this.start(stack, p.ClientRequestToken, op);
    return {};
  }

  private deleteStack(p: Json): Json {
    const stack = this.stacks.get(p.StackName) ?? [...this.stacks.values()].find((s) => s.id === p.StackName);
    if (!stack) return {}; // deleting a stack that is gone succeeds
    if (stack.terminationProtection) {
      throw new ApiError(
        'ValidationError',
        `Stack [${stack.name}] cannot be deleted while TerminationProtection is enabled`,
      );
    }
    if (stack.op && stack.status.startsWith('DELETE')) return {};
    if (stack.op)
      throw new ApiError(
        'ValidationError',
        `Stack [${stack.name}] is in ${stack.status} state and can not be deleted.`,
      );
    this.start(stack, p.ClientRequestToken, this.deleteOp(stack, list(p.RetainResources)));
    return {};
  }

  private *deleteOp(stack: FakeStack, retain: string[]): Generator<void, void, void> {
    this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    yield;
    const inUse = stack.outputs
      .filter((o) => o.ExportName)
      .flatMap((o) => this.importersOf(o.ExportName as string).map((i) => [o.ExportName, i]));
    if (inUse.length > 0) {
      this.stackEvent(
        stack,
        'DELETE_FAILED',
        `Export ${inUse[0][0]} cannot be deleted as it is in use by ${inUse[0][1]}`,
      );
      return;
    }
    for (const r of [...stack.resources.values()].reverse()) {
      const policy = stack.config.template.Resources?.[r.logicalId]?.DeletionPolicy;
      if (policy === 'Retain' || policy === 'RetainExceptOnCreate' || retain.includes(r.logicalId)) {
        this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_SKIPPED');
        stack.resources.delete(r.logicalId);
        continue;
      }
      this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_IN_PROGRESS');
      const failure = this.takeFailure(stack, r.logicalId, 'delete');
      if (failure) {
        this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_FAILED', failure.reason);
        this.stackEvent(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${r.logicalId}]. `);
        return;
      }
      stack.resources.delete(r.logicalId);
      this.resourceEvent(stack, r.logicalId, r.type, 'DELETE_COMPLETE', undefined, r.physicalId);
      yield;
    }
    this.stackEvent(stack, 'DELETE_COMPLETE');
    this.stacks.delete(stack.name);
    this.deleted.push(stack);
  }

  private updateTerminationProtection(p: Json): Json {
    const stack = this.find(p.StackName);
    stack.terminationProtection = String(p.EnableTerminationProtection) === 'true';
    return { StackId: stack.id };
  }

  // ---- exports --------------------------------------------------------------------------------

  /** A finished operation fixes the stack's outputs, exports and imports. */
  private commit(stack: FakeStack, cs: FakeChangeSet): void {
    stack.outputs = this.resolvedOutputs(stack, cs);
    stack.imports = cs.imports;
  }

  private resolvedOutputs(stack: FakeStack, cs: FakeChangeSet): FakeStack['outputs'] {
    const ctx: ResolveContext = {
      parameters: cs.config.parameters,
      pseudo: {
        'AWS::StackName': stack.name,
        'AWS::Region': this.region,
        'AWS::AccountId': this.account,
        'AWS::StackId': stack.id,
      },
      physicalId: (id) => stack.resources.get(id)?.physicalId ?? id,
      importValue: (name) => this.exportValue(name) ?? '',
    };
    return Object.entries<Json>(cs.config.template.Outputs ?? {}).map(([key, o]) => ({
      OutputKey: key,
      OutputValue: String(resolve(o.Value, ctx)),
      ExportName: o.Export?.Name === undefined ? undefined : String(resolve(o.Export.Name, ctx)),
    }));
  }

  /** The reason an update fails when it would change or withdraw an export another stack imports. */
  private exportInUse(stack: FakeStack, cs: FakeChangeSet): string | undefined {
    const next = this.resolvedOutputs(stack, cs);
    for (const o of stack.outputs.filter((x) => x.ExportName)) {
      const users = this.importersOf(o.ExportName!).filter((name) => name !== stack.name);
      const now = next.find((x) => x.ExportName === o.ExportName);
      if (!users.length || now?.OutputValue === o.OutputValue) continue;
      return now
        ? `Cannot update export ${o.ExportName} as it is in use by ${users[0]}`
        : `Export ${o.ExportName} cannot be deleted as it is in use by ${users[0]}`;
    }
    return undefined;
  }

  private exportValue(name: string): string | undefined {
    for (const s of this.stacks.values()) {
      const o = s.outputs.find((x) => x.ExportName === name);
      if (o) return o.OutputValue;
    }
    return undefined;
  }

  private importersOf(exportName: string): string[] {
    return [...this.stacks.values()].filter((s) => s.imports.includes(exportName)).map((s) => s.name);
  }

  private listImports(exportName: string): Json {
    const importers = this.importersOf(exportName);
    if (importers.length === 0)
      throw new ApiError('ValidationError', `Export '${exportName}' is not imported by any stack.`);
    return { Imports: importers };
  }

  private physicalId(stack: FakeStack, c: PlannedChange): string {
    const named = c.props?.BucketName ?? c.props?.QueueName ?? c.props?.TopicName ?? c.props?.LogGroupName;
    return typeof named === 'string'
      ? named
      : `${stack.name}-${c.logicalId}-${(++this.counter).toString(36).toUpperCase()}`;
  }
}

// ---- helpers ----------------------------------------------------------------------------------

class MissingExport extends Error {
  constructor(readonly exportName: string) {
    super(`No export named ${exportName} found`);
  }
}

interface ResolveContext {
  parameters: Record<string, string>;
  pseudo: Record<string, string>;
  physicalId: (logicalId: string) => string;
  importValue: (name: string) => string;
}

/** The intrinsic functions the fake evaluates: Ref, Fn::Sub, Fn::Join, Fn::GetAtt, Fn::ImportValue, Fn::Select. */
function resolve(value: Json, ctx: ResolveContext): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx));
  if (!value || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    const ref = (name: string): string => ctx.parameters[name] ?? ctx.pseudo[name] ?? ctx.physicalId(name);
    switch (fn) {
      case 'Ref':
        return ref(arg);
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? [arg[0], resolve(arg[1] ?? {}, ctx)] : [arg, {}];
        return String(text).replace(/\$\{([^}]+)\}/g, (_m: string, name: string) =>
          name in vars
            ? String(vars[name])
            : name.includes('.')
              ? `${ctx.physicalId(name.split('.')[0])}.${name.split('.')[1]}`
              : ref(name),
        );
      }
      case 'Fn::Join':
        return (resolve(arg[1], ctx) as Json[]).join(arg[0]);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
        return `${ctx.physicalId(id)}.${attr}`;
      }
      case 'Fn::ImportValue':
        return ctx.importValue(String(resolve(arg, ctx)));
      case 'Fn::Select':
        return (resolve(arg[1], ctx) as Json[])[Number(resolve(arg[0], ctx))];
      default:
        break;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(value[k], ctx)]));
}

function resolveParameters(
  template: Json,
  given: Json[],
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const declared = template.Parameters ?? {};
  const unknown = given.filter((p) => !(p.ParameterKey in declared)).map((p) => p.ParameterKey);
  if (unknown.length > 0)
    throw new ApiError('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, d] of Object.entries<Json>(declared)) {
    const g = given.find((p) => p.ParameterKey === name);
    const value =
      String(g?.UsePreviousValue) === 'true'
        ? previous?.[name]
        : (g?.ParameterValue ?? (d.Default === undefined ? undefined : String(d.Default)));
    if (value === undefined) missing.push(name);
    else out[name] = value;
  }
  if (missing.length > 0) throw new ApiError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
  return out;
}

function parseTemplateBody(body: string): Json {
  try {
    const doc = JSON.parse(body);
    if (!doc.Resources || Object.keys(doc.Resources).length === 0) throw new Error('no resources');
    return doc;
  } catch (err) {
    throw new ApiError('ValidationError', `Template format error: ${(err as Error).message}`);
  }
}

function changeView(c: PlannedChange, stack: FakeStack): Json {
  return {
    Type: 'Resource',
    ResourceChange: {
      Action: c.action,
      LogicalResourceId: c.logicalId,
      PhysicalResourceId: stack.resources.get(c.logicalId)?.physicalId,
      ResourceType: c.type,
      Replacement: c.action === 'Modify' ? c.replacement : undefined,
      Scope: c.action === 'Modify' ? [c.causes.includes('Tags') ? 'Tags' : 'Properties'] : [],
      Details: c.causes.map((name) => ({
        Target: {
          Attribute: name === 'Tags' ? 'Tags' : 'Properties',
          Name: name === 'Tags' ? undefined : name,
          RequiresRecreation:
            REPLACING[c.type]?.[name] === 'True'
              ? 'Always'
              : REPLACING[c.type]?.[name] === 'Conditional'
                ? 'Conditionally'
                : 'Never',
        },
        Evaluation: 'Static',
        ChangeSource: 'DirectModification',
      })),
    },
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value : [];
}

/** `Tags.member.1.Key=k` → `{ Tags: [{ Key: 'k' }] }`: the Query protocol's flattening undone. */
export function parseQuery(body: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = node[part] = typeof node[part] === 'object' ? node[part] : {};
    });
  }
  return listify(root);
}

function listify(node: Json): Json {
  if (!node || typeof node !== 'object') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') {
    return Object.entries<Json>(node.member)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => listify(v));
  }
  return Object.fromEntries(keys.map((k) => [k, listify(node[k])]));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function resultXml(action: string, result: Json): string {
  const inner = Object.entries<unknown>(result ?? {})
    .map(([k, v]) => toXml(k, v))
    .join('');
  return `<${action}Response xmlns="${XMLNS}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></${action}Response>`;
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`;
}
