/**
 * `--json` problems in a data store (an item of `apps[].data`, whose fields depend on its `kind`):
 * an unknown field gets the closest field of that kind, and a bad value what the field is for, as
 * top-level fields do. In-process: the params file is read before any AWS call.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-problems-data-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a data store's misspelt field and bad value: the closest field of its kind, and what the field is for", async () => {
  const file = path.join(dir, 'dev.yaml');
  fs.writeFileSync(
    file,
    [
      'environment: dev',
      'prefix: x-',
      'region: us-east-1',
      'tags: { contactEmail: ops@example.com }',
      'apps:',
      '  - name: acme',
      '    data:',
      '      - { kind: postgres, name: main, instanceClas: db.r6g.large }',
      '      - { kind: sqs, name: jobs, visibilityTimout: 30, fifo: yes }',
      '',
    ].join('\n'),
  );

  expect(await main(['--json', 'plan', '--params', file])).toBe(2);

  const problems = JSON.parse(io.stdout()).problems as { field: string; message: string; hint: string }[];
  const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
  // Each kind's own fields: Postgres's instance class, the queue's visibility timeout.
  expect(byField['apps[0].data[0].instanceClas']).toMatchObject({
    message: 'unknown field (did you mean "instanceClass"?)',
    hint: 'rename it to "instanceClass"',
  });
  expect(byField['apps[0].data[1].visibilityTimout']).toMatchObject({
    message: 'unknown field (did you mean "visibilityTimeout"?)',
    hint: 'rename it to "visibilityTimeout"',
  });
  // A value refused: what the queue's `fifo` is for, not a pointer to the schema file.
  expect(byField['apps[0].data[1].fifo']!.hint).toMatch(/^fifo: \S.*/);
  expect(byField['apps[0].data[1].fifo']!.hint).not.toContain('params.schema.json');
});
