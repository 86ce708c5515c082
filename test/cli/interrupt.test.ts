/** Ctrl-C: the first press aborts and, if the command does not end in time, leaves with 130; the second leaves at once. */
import { holdInterrupts, trapInterrupt } from '../../src/cli/interrupt';

afterEach(() => jest.useRealTimers());

function trap(graceMs = 1500) {
  const exits: number[] = [];
  const written: string[] = [];
  const t = trapInterrupt({
    message: 'stopping.',
    leaving: 'left early.',
    graceMs,
    write: (s) => written.push(s),
    exit: (c) => exits.push(c),
  });
  return { t, exits, written };
}

it('aborts on the first Ctrl-C and leaves with 130 when the grace period runs out', () => {
  jest.useFakeTimers();
  const { t, exits, written } = trap();

  process.emit('SIGINT');
  expect(t.signal.aborted).toBe(true);
  expect(written.join('')).toContain('interrupted: stopping. Ctrl-C again to leave now.');
  jest.advanceTimersByTime(1499);
  expect(exits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(exits).toEqual([130]);
  expect(written.join('')).toContain('left early.');
  t.dispose();
});

it('leaves at once on the second Ctrl-C; a command that ends in time is not cut short', () => {
  jest.useFakeTimers();
  const a = trap();
  process.emit('SIGINT');
  process.emit('SIGINT');
  expect(a.exits).toEqual([130]);
  a.t.dispose();

  const b = trap();
  process.emit('SIGINT');
  b.t.dispose(); // the command ended on its own
  jest.advanceTimersByTime(5000);
  expect(b.exits).toEqual([]);
});

it('ignores Ctrl-C while a child owns the terminal (an editor)', () => {
  const { t, exits } = trap();
  const release = holdInterrupts();
  process.emit('SIGINT');
  expect(t.signal.aborted).toBe(false);
  release();
  process.emit('SIGINT');
  expect(t.signal.aborted).toBe(true);
  t.dispose();
  expect(exits).toEqual([]);
});
