/**
 * Messages a first-week user meets, as the walk through the README found them: each says what it
 * means with the user's own file and in plain grammar.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { Progress } from '../../src/cli/progress';
import { captureOutput } from '../helpers/capture';

const io = captureOutput();
const stdout = io.stdout;
const stderr = io.stderr;

test.each([
  [[], 'provision deploy --params envs/dev.yaml --yes'],
  [['--json'], 'provision deploy --params envs/dev.yaml --yes --json'],
])('the wizard %j without a terminal gives the way out with the file it was given', async (flags, hint) => {
  expect(await main([...flags, 'wizard', '--params', 'envs/dev.yaml'])).toBe(2);
  expect(stderr()).toContain(hint);
});

test('synth says "1 resource" of a template with one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-words-'));
  try {
    expect(await main(['synth', '--out', dir])).toBe(0);
    expect(stdout()).toMatch(/21\.project-ecr-image-repo\.cf {2}1 resource, /);
    expect(stdout()).not.toMatch(/\b1 resources\b/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('destroy\'s progress says "kept 1 resource"', async () => {
  const progress = new Progress([{ name: 'x-dev-access-logs', templateId: '15.env-access-logs', dependsOn: [] }], {
    verb: 'destroy',
  });
  progress.start();
  progress.done('x-dev-access-logs', {
    kind: 'deleted',
    stackName: 'x-dev-access-logs',
    kept: [{ logicalId: 'AccessLogBucket', resourceType: 'AWS::S3::Bucket', policy: 'Retain' }],
  });
  await progress.finish();
  expect(stdout()).toContain('x-dev-access-logs 15.env-access-logs deleted, kept 1 resource\n');
});
