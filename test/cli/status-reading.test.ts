/**
 * How `provision status` reads CloudFormation (readStacks in src/run/stacks.ts): one
 * DescribeStacks listing gives both the run's stacks and the environment's leftovers; with --only,
 * a read by name each; and a listing refused to a role that may describe only its own stacks falls
 * back to reads by name, with a warning that leftovers are not shown. That refusal is an IAM answer
 * the emulator does not give; the one-listing run itself is in test/e2e/status-listing.test.ts.
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../src/aws/clients';
import { readStacks } from '../../src/run/stacks';
import type { RunContext } from '../../src/run/context';
import { clientWithSend } from '../helpers/sdk-double';

const ENV_TAG = { Key: 'cfn-stages:environment', Value: 'x-dev' };

function stack(name: string, status = 'CREATE_COMPLETE', tags = [ENV_TAG]): Stack {
  return { StackName: name, StackStatus: status, CreationTime: new Date(0), Tags: tags } as Stack;
}

/** A context planning `x-dev-network` and `x-dev-ecs-cluster`, whose CloudFormation answers with `answer`. */
function context(answer: (input: { StackName?: string; NextToken?: string }) => object): {
  ctx: RunContext;
  asked: (string | undefined)[];
} {
  const asked: (string | undefined)[] = [];
  const cloudFormation = clientWithSend(CloudFormationClient, async (command: DescribeStacksCommand) => {
    expect(command).toBeInstanceOf(DescribeStacksCommand);
    asked.push(command.input.StackName);
    return answer(command.input);
  });
  const planned = [
    { name: 'x-dev-network', templateId: '11.env-network' },
    { name: 'x-dev-ecs-cluster', templateId: '13.env-ecs-cluster' },
  ];
  const ctx = {
    file: 'dev.yaml',
    params: { environment: 'dev', prefix: 'x-' },
    all: planned,
    stacks: planned,
    clients: { cloudFormation } as unknown as AwsClients,
  } as unknown as RunContext;
  return { ctx, asked };
}

let stderr: jest.SpyInstance;
beforeEach(() => {
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

test('one listing (every page) gives the run its stacks and the leftovers; a deleted stack is not deployed', async () => {
  const pages = [
    [
      stack('x-dev-network'),
      stack('x-dev-ecs-cluster', 'DELETE_COMPLETE'),
      stack('other-stack', 'CREATE_COMPLETE', []),
    ],
    [stack('x-dev-acme-db'), stack('x-prod-network', 'CREATE_COMPLETE', [{ ...ENV_TAG, Value: 'x-prod' }])],
  ];
  const { ctx, asked } = context((input) => {
    const i = Number(input.NextToken ?? 0);
    return { Stacks: pages[i], NextToken: i + 1 < pages.length ? String(i + 1) : undefined };
  });
  const read = await readStacks(ctx, undefined);
  expect(asked).toEqual([undefined, undefined]); // two pages of one listing, no read by name
  expect(read.stacks.map((s) => s?.StackName)).toEqual(['x-dev-network', undefined]);
  expect(read.leftovers).toEqual([{ name: 'x-dev-acme-db', status: 'CREATE_COMPLETE' }]);
});

test('with --only: a read by name for each stack of the run, no listing, no leftovers looked for', async () => {
  const { ctx, asked } = context((input) => ({ Stacks: [stack(input.StackName!)] }));
  const read = await readStacks(ctx, ['network', 'ecsCluster']);
  expect(asked.sort()).toEqual(['x-dev-ecs-cluster', 'x-dev-network']);
  expect(read.leftovers).toEqual([]);
});

test('a refused listing: reads by name, and a warning that leftovers are not shown (undefined, not none)', async () => {
  const { ctx, asked } = context((input) => {
    if (!input.StackName)
      throw Object.assign(new Error('not authorized to perform: cloudformation:DescribeStacks'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    return { Stacks: [stack(input.StackName)] };
  });
  const read = await readStacks(ctx, undefined);
  expect(asked[0]).toBeUndefined();
  expect(asked.slice(1).sort()).toEqual(['x-dev-ecs-cluster', 'x-dev-network']);
  expect(read.stacks.map((s) => s?.StackName)).toEqual(['x-dev-network', 'x-dev-ecs-cluster']);
  expect(read.leftovers).toBeUndefined();
  const warned = stderr.mock.calls.map((c) => String(c[0])).join('');
  expect(warned).toContain("listing the account's stacks was refused (AccessDenied)");
  expect(warned).toContain('no longer plans are not shown');
});

test('any other failure of the listing is the run’s failure (no second round of reads)', async () => {
  const { ctx, asked } = context(() => {
    throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
  });
  await expect(readStacks(ctx, undefined)).rejects.toThrow('Rate exceeded');
  expect(asked).toEqual([undefined]);
});
