/**
 * `--json` with a params file that has problems: every command that reads one prints one document
 * whose `problems` list each problem as `field`, `line`, `message` and `hint` (what to do), beside
 * the human text on stderr, which stays as it was. The params file is read before any AWS call,
 * so these run in-process without an emulator.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();

let dir: string;
let file: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-problems-'));
  file = path.join(dir, 'dev.yaml');
  fs.writeFileSync(
    file,
    [
      'environment: dev',
      'prefix: x-',
      'region: us-east-1',
      'tags: { contactEmail: ops@example.com }',
      'netwrk: {}',
      'network: { azCount: 7 }',
      'ecsCluster: {}',
      'apps:',
      '  - name: acme',
      '    data: [{ kind: sqs, name: jobs }]',
      '    service: { links: [{ name: nodb }] }',
      '  - name: acme',
      '',
    ].join('\n'),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Problem {
  field: string;
  line?: number;
  message: string;
  hint: string;
}

/** The document and stderr of `provision --json ...args`, which must be refused (exit 2). */
async function refused(args: string[]): Promise<{ doc: { code?: string; problems?: Problem[] }; stderr: string }> {
  expect(await main(['--json', ...args])).toBe(2);
  return { doc: JSON.parse(io.stdout()), stderr: io.stderr() };
}

const EXPECTED: Problem[] = [
  { field: 'netwrk', line: 5, message: 'unknown field (did you mean "network"?)', hint: 'rename it to "network"' },
  {
    field: 'network.azCount',
    line: 6,
    message: 'must be one of "2", "3"',
    hint: expect.stringMatching(/^azCount: How many availability zones/),
  },
  {
    field: 'apps[0].service.links[0].name',
    line: 11,
    message: 'app "acme" has no data store named "nodb" (it has: jobs)',
    hint: 'link one of its data stores (jobs), or add "nodb" under apps[0].data',
  },
  {
    field: 'apps[1].name',
    line: 12,
    message: '"acme" is used twice; each must be unique',
    hint: 'give each item of apps a name of its own',
  },
];

test.each([
  ['plan'],
  ['deploy', '--yes'],
  ['status'],
  ['outputs'],
  ['destroy', '--yes'],
  ['unlock'],
  ['publish', '--bucket', 'acme-templates'],
  ['config', 'get', '--app', 'acme'],
  ['config', 'history', '--app', 'acme'],
  ['release', '--app', 'acme', '--version', 'v1', '--yes'],
  ['logs', '--app', 'acme'],
  ['exec', '--app', 'acme'],
  ['tunnel', '--app', 'acme', '--data', 'jobs'],
])('%s: one document with each problem’s field, line, message and hint', async (...command) => {
  const { doc, stderr } = await refused([...command, '--params', file]);
  expect(doc.code).toBe('ParamsInvalid');
  expect(doc.problems).toEqual(EXPECTED);
  // The human text is the one it always was: a line per problem, the fix in the message.
  expect(stderr).toContain(
    `provision: ${file}: 4 problems\n  line 5: netwrk: unknown field (did you mean "network"?)\n`,
  );
  expect(stderr).not.toContain('rename it to');
});

test('a problem with no fix of its own gets what its field is for; a missing field says what to add', async () => {
  const bad = path.join(dir, 'missing.yaml');
  fs.writeFileSync(bad, 'environment: dev\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n');
  const { doc } = await refused(['plan', '--params', bad]);
  expect(doc.problems).toEqual([
    { field: 'prefix', line: 1, message: 'is required', hint: expect.stringMatching(/^add prefix \(.+\)$/) },
  ]);
});

test('YAML that does not parse: its line, and how to fix it', async () => {
  const bad = path.join(dir, 'broken.yaml');
  fs.writeFileSync(bad, 'environment: dev\nprefix: [x-\n');
  const { doc } = await refused(['status', '--params', bad]);
  expect(doc.problems![0]).toEqual({
    field: '',
    line: expect.any(Number),
    message: expect.stringMatching(/^YAML: /),
    hint: 'fix the YAML syntax at this line (indentation, or a quote or bracket left open)',
  });
});

test('init, which validates the file it would write: the same problems, named by field', async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const { doc } = await refused(['init', '--env', 'dev', '--prefix', 'toolong-', '--region', 'us-east-1']);
    expect(doc.code).toBe('ParamsInvalid');
    expect(doc.problems).toEqual([expect.objectContaining({ field: 'prefix', hint: expect.any(String) })]);
    expect(fs.existsSync(path.join(dir, 'envs'))).toBe(false);
  } finally {
    process.chdir(cwd);
  }
});
