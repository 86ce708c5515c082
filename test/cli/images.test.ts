/**
 * The pure parts of "an image before a service": which planned stacks run an ECR image, the push
 * commands, and the `--only` hint naming the stacks that can go first. (The ECR look-ups and the
 * deploy around them are tested end to end in test/e2e/images.test.ts.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planEnvironment } from '../../stages/plan';
import { otherStages } from '../../src/run/image-gate';
import type { RunContext } from '../../src/run/context';
import { imageNeeds, missingImageLines, pushInstructions } from '../../src/ops/images';
import { loadParams } from '../../src/params/load';

const ROOT = path.resolve(__dirname, '..', '..');
const full = () => planEnvironment(loadParams(path.join(ROOT, 'examples', 'full.yaml')));

function withPublicExtra(): ReturnType<typeof planEnvironment> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-'));
  try {
    const file = path.join(dir, 'p.yaml');
    const text = fs
      .readFileSync(path.join(ROOT, 'examples', 'full.yaml'), 'utf8')
      .replace(/(suffix: admin[\s\S]*?)repositoryName: acme-web\n\s*imageTag: initial/, '$1publicImage: nginx:1.27');
    fs.writeFileSync(file, text);
    return planEnvironment(loadParams(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the service and every extra service that runs an ECR image need it; a public image needs none', () => {
  const needs = imageNeeds(full());
  expect(Object.fromEntries(needs.map((n) => [n.stack, `${n.stage} ${n.app} ${n.repository}:${n.tag}`]))).toEqual({
    'x-demo-acme-service': 'service acme acme-web:initial',
    'x-demo-acme-admin': 'extra acme acme-web:initial',
    'x-demo-acme-api2': 'extra acme acme-web:initial',
  });
  expect(
    imageNeeds(withPublicExtra())
      .map((n) => n.stack)
      .sort(),
  ).toEqual(['x-demo-acme-api2', 'x-demo-acme-service']);
});

test("push commands log in to the repository's registry, tag the local image and push it", () => {
  const p = pushInstructions(
    'acme-web',
    'initial',
    'eu-west-1',
    '111122223333.dkr.ecr.eu-west-1.amazonaws.com/acme-web',
  );
  expect(p.commands).toEqual([
    'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com',
    'docker tag LOCAL_IMAGE 111122223333.dkr.ecr.eu-west-1.amazonaws.com/acme-web:initial',
    'docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/acme-web:initial',
  ]);
  // Before the repository exists, the account is a placeholder and the domain follows the partition.
  expect(pushInstructions('acme-web', 'v1', 'cn-north-1').uri).toBe(
    'ACCOUNT_ID.dkr.ecr.cn-north-1.amazonaws.com.cn/acme-web',
  );
});

test('--only names the stages that neither need a missing image nor wait for one', () => {
  const stacks = full();
  const ctx = { stacks, all: stacks, file: 'f.yaml' } as unknown as RunContext;
  const waiting = new Set(['x-demo-acme-service', 'x-demo-acme-admin', 'x-demo-acme-api2']);
  const others = otherStages(ctx, waiting);
  expect(others).toEqual(
    expect.arrayContaining([
      'network',
      'ecsCluster',
      'repository',
      'loadBalancer',
      'postgres',
      'redis',
      's3',
      'sqs',
      'sns',
    ]),
  );
  expect(others).not.toContain('service');
  expect(others).not.toContain('extra');
  // Only one of the extras waits: the other is named by its stack, not by the shared stage.
  const one = otherStages(ctx, new Set(['x-demo-acme-admin']));
  expect(one).toContain('x-demo-acme-api2');
  expect(one).not.toContain('extra');
});

test('the explanation names each waiting stack, the commands, and both alternatives', () => {
  const needs = imageNeeds(full());
  const lines = missingImageLines(needs, [pushInstructions('acme-web', 'initial', 'us-east-1')], {
    file: 'envs/demo.yaml',
    otherStages: ['network', 'repository'],
  });
  expect(lines[0]).toBe(
    `${needs.map((n) => n.stack).join(', ')} run acme-web:initial, which is not in ECR yet. Push it (LOCAL_IMAGE: your image, e.g. from \`docker build -t LOCAL_IMAGE .\`):`,
  );
  expect(lines.slice(1, 4).every((l) => l.startsWith('  '))).toBe(true);
  expect(lines.at(-1)).toBe(
    'then run the same command again. Or set publicImage on the service in envs/demo.yaml to run a public image instead, or deploy the other stacks first: --only network repository',
  );
});
