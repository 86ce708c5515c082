/** Poll pacing: quick first, slower while nothing changes, capped, quick again on progress. */
import { Pacer, sleep } from '../../src/deploy/poll';
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
