/**
 * The plan file's own logic (src/run/plan-file.ts): what deploy --plan compares before changing
 * anything, how a malformed or foreign file is named, and that no secret goes into the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PlanResult } from '../../src/deploy/stack';
import { CliError } from '../../src/cli/errors';
import type { StackSpec } from '../../src/deploy/types';
import {
  ABSENT,
  changesDiffer,
  comparePlan,
  problemLine,
  planInput,
  readPlanFile,
  stackEntry,
  type CurrentState,
  type PlanFile,
  type PlannedChange,
} from '../../src/run/plan-file';

const SECRET = 'pa55-w0rd-never-written';

const spec: StackSpec = {
  name: 'x-dev-db',
  templateId: '41.data-postgres',
  templateBody: JSON.stringify({
    Parameters: { Size: { Type: 'String' }, Password: { Type: 'String', NoEcho: true } },
    Resources: { Q: { Type: 'AWS::SQS::Queue' } },
  }),
  parameters: { Size: 'small', Password: SECRET },
  tags: { env: 'dev' },
  dependsOn: [],
  capabilities: [],
};

const plan: PlanFile = {
  format: 'cfn-stages-plan',
  formatVersion: 1,
  tool: '0.1.0',
  createdAt: '2026-11-30T08:00:00.000Z',
  params: { file: 'envs/dev.yaml', sha256: 'a'.repeat(64) },
  environment: 'x-dev',
  region: 'eu-west-1',
  account: '123456789012',
  only: null,
  stacks: [
    {
      name: 'x-dev-network',
      template: '11.env-network',
      input: 'in-net',
      deployed: 'id-net@T1',
      plan: { kind: 'unchanged' },
    },
    {
      name: 'x-dev-db',
      template: '41.data-postgres',
      input: 'in-db',
      deployed: ABSENT,
      plan: { kind: 'changes', type: 'create', changes: [] },
    },
  ],
};

const now = (over: Partial<CurrentState> = {}): CurrentState => ({
  tool: '0.1.0',
  paramsFile: 'envs/dev.yaml',
  paramsDigest: 'a'.repeat(64),
  environment: 'x-dev',
  region: 'eu-west-1',
  account: '123456789012',
  stacks: [
    { name: 'x-dev-network', input: 'in-net', deployed: 'id-net@T1' },
    { name: 'x-dev-db', input: 'in-db', deployed: ABSENT },
  ],
  ...over,
});

/** comparePlan's problems as the lines people read. */
const lines = (state: CurrentState) => comparePlan(plan, state).map(problemLine);

describe('comparePlan', () => {
  it('finds nothing when everything is as planned', () => {
    expect(comparePlan(plan, now())).toEqual([]);
  });

  it('names each field that moved', () => {
    expect(
      lines(now({ tool: '0.2.0', paramsDigest: 'b'.repeat(64), region: 'us-east-1', account: '999999999999' })),
    ).toEqual([
      'tool version: planned with 0.1.0, now 0.2.0',
      'params file envs/dev.yaml: changed since the plan',
      'region: planned with eu-west-1, now us-east-1',
      'account: planned with 123456789012, now 999999999999',
    ]);
  });

  it('names each stack that moved, and how', () => {
    const stacks = [
      { name: 'x-dev-network', input: 'other', deployed: 'id-net@T2' },
      { name: 'x-dev-db', input: 'in-db', deployed: 'id-db@T3' },
      { name: 'x-dev-cache', input: 'in-cache', deployed: ABSENT },
    ];
    expect(lines(now({ stacks }))).toEqual([
      "x-dev-network: its template, parameters or tags differ from the plan's",
      'x-dev-network: changed since the plan (last change T1, now T2)',
      'x-dev-db: created since the plan (by another run, or by a deploy of this plan that stopped part way: a plan file is used once)',
      'x-dev-cache: part of this run, not of the plan',
    ]);
  });

  it('tells a stack deleted, or deleted and created again, from one gone from the run', () => {
    expect(lines(now({ stacks: [{ name: 'x-dev-network', input: 'in-net', deployed: ABSENT }] }))).toEqual([
      'x-dev-network: deleted since the plan',
      'x-dev-db: planned, but not part of this run',
    ]);
    expect(
      lines(now({ stacks: [{ name: 'x-dev-network', input: 'in-net', deployed: 'id-new@T1' }, now().stacks[1]!] })),
    ).toEqual(['x-dev-network: deleted and created again since the plan']);
  });

  it('names the field or the stack of each problem, for --json', () => {
    const stacks = [{ name: 'x-dev-network', input: 'other', deployed: 'id-net@T1' }, now().stacks[1]!];
    expect(comparePlan(plan, now({ region: 'us-east-1', stacks }))).toEqual([
      { field: 'region', message: 'region: planned with eu-west-1, now us-east-1' },
      { stack: 'x-dev-network', message: "its template, parameters or tags differ from the plan's" },
    ]);
  });

  it('tells another params file from the same one edited', () => {
    const moved = { paramsDigest: 'b'.repeat(64) };
    expect(lines(now({ ...moved, paramsFile: './envs/../envs/dev.yaml' }))).toEqual([
      'params file envs/dev.yaml: changed since the plan',
    ]);
    expect(lines(now({ ...moved, paramsFile: 'envs/prod.yaml' }))).toEqual([
      'params file: planned with envs/dev.yaml, now envs/prod.yaml, whose content differs',
    ]);
  });
});

describe('changesDiffer', () => {
  const add: PlannedChange = { action: 'Add', logicalId: 'A', resourceType: 'AWS::SQS::Queue', replacement: 'never' };
  it('is quiet for the same changes in another order, and names what was added, gone or replaced', () => {
    const planned = { kind: 'changes' as const, type: 'update' as const, changes: [add, { ...add, logicalId: 'B' }] };
    const actual = (changes: PlannedChange[]) => ({
      stackName: 's',
      type: 'update' as const,
      changes: changes.map((c) => ({ ...c, causes: [] })),
    });
    expect(changesDiffer(planned, actual([{ ...add, logicalId: 'B' }, add]))).toBeUndefined();
    expect(changesDiffer(planned, actual([add, { ...add, logicalId: 'B', replacement: 'always' }]))).toBe(
      '+ Add B AWS::SQS::Queue (replacement: always); - Add B AWS::SQS::Queue',
    );
    expect(changesDiffer({ kind: 'unchanged' }, actual([add]))).toBe('+ Add A AWS::SQS::Queue');
  });
});

describe('no secret in a plan file', () => {
  it("leaves NoEcho values out of a stack's input digest, and writes no parameter value", () => {
    const changed = planInput({ ...spec, parameters: { ...spec.parameters, Password: 'another' } });
    expect(changed).toBe(planInput(spec));
    expect(planInput({ ...spec, parameters: { ...spec.parameters, Size: 'large' } })).not.toBe(planInput(spec));
    const result: PlanResult = { kind: 'changes', plan: { stackName: spec.name, type: 'create', changes: [] } };
    const written = JSON.stringify(stackEntry(spec, undefined, result));
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain('small');
  });
});

describe('readPlanFile', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-file-unit-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (doc: unknown) => {
    const file = path.join(tmp, 'p.json');
    fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  };

  it('reads back what was written', () => {
    expect(readPlanFile(write(plan))).toEqual(plan);
  });

  it.each([
    [{ ...plan, formatVersion: 2 }, 'written in plan format 2 (by cfn-stages 0.1.0); this version reads format 1'],
    [{ ...plan, stacks: [{ ...plan.stacks[0], deployed: undefined }] }, 'field "stacks[0].deployed" is missing'],
    [{ ...plan, params: { file: 'x', sha256: 'nope' } }, 'field "params.sha256" is not valid'],
    [{ terraform_version: '1.9.0' }, 'not a plan file of this tool'],
    ['{', 'not a plan file (not JSON)'],
  ])('names what is wrong: %#', (doc, message) => {
    expect(() => readPlanFile(write(doc))).toThrow(message);
    try {
      readPlanFile(write(doc));
    } catch (err) {
      expect(CliError.from(err).exitCode).toBe(2);
      expect((err as { code: string }).code).toBe('PlanFileInvalid');
    }
  });

  it('gives --json the code and the field at fault', () => {
    const err = (() => {
      try {
        readPlanFile(write({ ...plan, stacks: [{ ...plan.stacks[0], input: 7 }] }));
      } catch (e) {
        return e as { code: string; problems: unknown[] };
      }
    })();
    expect(err).toMatchObject({
      code: 'PlanFileInvalid',
      problems: [{ field: 'stacks[0].input', message: 'field "stacks[0].input" is not valid' }],
    });
    expect(() => readPlanFile(path.join(tmp, 'absent.json'))).toThrow(
      expect.objectContaining({ code: 'PlanFileUnreadable' }),
    );
  });
});
