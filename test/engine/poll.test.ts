/** Poll pacing: quick first, slower while nothing changes, capped, quick again on progress. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Pacer, sleep } from '../../src/deploy/poll';
import { StatusBoard } from '../../src/deploy/status-board';
import { AbortedError } from '../../src/deploy/types';

afterEach(() => jest.useRealTimers());

it('backs off while quiet, up to the cap, and returns to the quick pace on progress', async () => {
  jest.useFakeTimers();
  const pacer = new Pacer({ initialMs: 1000, maxMs: 4000, factor: 2 });
  const delays: number[] = [];
  for (const progressed of [true, false, false, false, false, true]) {
    const wait = pacer.wait(progressed);
    delays.push(pacer.currentMs);
    await jest.advanceTimersByTimeAsync(pacer.currentMs);
    await wait;
  }
  expect(delays).toEqual([1000, 2000, 4000, 4000, 4000, 1000]);
});

it('stops waiting as soon as the signal fires', async () => {
  const ctrl = new AbortController();
  const wait = sleep(60_000, ctrl.signal);
  ctrl.abort();
  await expect(wait).rejects.toBeInstanceOf(AbortedError);
  await expect(sleep(10, ctrl.signal)).rejects.toBeInstanceOf(AbortedError);
});

it('waits the quick pace first: the back-off grows only after a quiet poll', async () => {
  jest.useFakeTimers();
  const pacer = new Pacer({ initialMs: 250, maxMs: 1000, factor: 2 });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const wait = pacer.wait(false);
    delays.push(pacer.currentMs);
    await jest.advanceTimersByTimeAsync(pacer.currentMs);
    await wait;
  }
  expect(delays).toEqual([250, 500, 1000, 1000]);
});

describe('the status board', () => {
  /** A CloudFormation client whose DescribeStacks answers one complete stack, counting the reads. */
  function oneStack(): { cfn: CloudFormationClient; reads: () => number } {
    const send = jest.fn(async () => ({ Stacks: [{ StackName: 'a', StackStatus: 'CREATE_COMPLETE' }] }));
    return { cfn: { send } as unknown as CloudFormationClient, reads: () => send.mock.calls.length };
  }

  /** True once the promise has settled, without waiting for it. */
  function settled(p: Promise<unknown>): () => boolean {
    let done = false;
    void p.then(() => (done = true));
    return () => done;
  }

  it('reads at once when a watch begins, instead of sleeping first', async () => {
    jest.useFakeTimers();
    const { cfn, reads } = oneStack();
    const board = new StatusBoard(cfn, { initialMs: 5000, maxMs: 5000 });
    board.begin();
    const done = settled(board.next('a'));
    await jest.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
    expect(reads()).toBe(1);
  });

  it('without a new watch, waits its pace; a watch that begins meanwhile brings the round forward', async () => {
    jest.useFakeTimers();
    const { cfn, reads } = oneStack();
    const board = new StatusBoard(cfn, { initialMs: 1000, maxMs: 8000, factor: 2 });
    const first = settled(board.next('a'));
    await jest.advanceTimersByTimeAsync(999);
    expect(first()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(first()).toBe(true);
    // Quiet: the next round is 2 s away, until another stack's operation starts.
    const second = settled(board.next('a'));
    await jest.advanceTimersByTimeAsync(500);
    expect(second()).toBe(false);
    board.begin();
    await jest.advanceTimersByTimeAsync(0);
    expect(second()).toBe(true);
    expect(reads()).toBe(2);
  });
});

it('takes a name a listing lacks as not there, and still reads an id alone (a deleted stack by id)', async () => {
  const deletedId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/x-dev-gone/1';
  const sent: (string | undefined)[] = [];
  const send = jest.fn(async (command: { input: { StackName?: string } }) => {
    sent.push(command.input.StackName);
    if (command.input.StackName === deletedId)
      return { Stacks: [{ StackName: 'x-dev-gone', StackId: deletedId, StackStatus: 'DELETE_COMPLETE' }] };
    return { Stacks: [{ StackName: 'x-dev-a', StackStatus: 'CREATE_COMPLETE' }] };
  });
  // A real client (the SDK's paginator wants one) whose send is the stub.
  const cfn = new CloudFormationClient({ region: 'us-east-1' });
  cfn.send = send as unknown as CloudFormationClient['send'];
  const board = new StatusBoard(cfn);
  board.begin();
  const [a, missing, gone] = await Promise.all([board.next('x-dev-a'), board.next('x-dev-new'), board.next(deletedId)]);
  expect([a?.StackStatus, missing, gone?.StackStatus]).toEqual(['CREATE_COMPLETE', undefined, 'DELETE_COMPLETE']);
  expect(sent).toEqual([undefined, deletedId]); // one listing, then the id alone; no read of x-dev-new
});
