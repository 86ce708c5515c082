/**
 * The helpers every step of the wizard shares: the "keep / add another" list (which questions it
 * asks, in what order, with which ids and defaults, and what it keeps) and a new item's name
 * (free by default, refused when taken or not matching its pattern).
 */
import { askName, freeName, keepOrAdd, type Prompter } from '../../src/wizard/ask';

/** A Prompter whose confirm and input answers come from queues; records each question asked. */
function queued(confirms: boolean[], inputs: string[] = []) {
  const asked: { id: string; default: unknown }[] = [];
  const p: Prompter = {
    async confirm(q) {
      asked.push({ id: q.id, default: q.default });
      const a = confirms.shift();
      if (a === undefined) throw new Error(`no answer left for ${q.id}`);
      return a;
    },
    async input(q) {
      asked.push({ id: q.id, default: q.default });
      const value = inputs.shift() ?? q.default ?? '';
      const problem = q.validate?.(value);
      if (problem) throw new Error(`${q.id}: ${problem}`);
      return value;
    },
    select: async () => {
      throw new Error('unexpected select');
    },
    checkbox: async () => {
      throw new Error('unexpected checkbox');
    },
    note: () => undefined,
  };
  return { p, asked };
}

interface Item {
  name: string;
  again?: boolean;
}

function list(p: Prompter, current: Item[], addDefault = false) {
  return keepOrAdd<Item>(p, {
    id: 'things',
    current,
    keep: (item, i, kept) => ({ id: `things[${i}].keep`, message: `Keep ${item.name} (${kept.length} kept)?` }),
    again: async (item) => ({ ...item, again: true }),
    more: (kept) => ({ message: `Add another after ${kept.length}?`, default: addDefault }),
    add: async (kept) => ({ name: `new${kept.length}` }),
  });
}

describe('keepOrAdd', () => {
  test('asks to keep each current item (Enter keeps), asks kept ones again, drops the others', async () => {
    const { p, asked } = queued([true, false, true, false]);
    const items = await list(p, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    expect(items).toEqual([
      { name: 'a', again: true },
      { name: 'c', again: true },
    ]);
    expect(asked).toEqual([
      { id: 'things[0].keep', default: true },
      { id: 'things[1].keep', default: true },
      { id: 'things[2].keep', default: true },
      // Two kept: the add question's id says how many are in the list.
      { id: 'things.add[2]', default: false },
    ]);
  });

  test('adds while the user says so; the first add question has no index', async () => {
    const { p, asked } = queued([true, true, false], []);
    const items = await list(p, [], true);
    expect(items).toEqual([{ name: 'new0' }, { name: 'new1' }]);
    expect(asked.map((a) => a.id)).toEqual(['things.add', 'things.add[1]', 'things.add[2]']);
  });

  test('no current items and no wish to add: an empty list, one question', async () => {
    const { p, asked } = queued([false]);
    expect(await list(p, [])).toEqual([]);
    expect(asked).toHaveLength(1);
  });
});

describe('askName', () => {
  const q = {
    id: 'apps[1].name',
    message: 'App name',
    pattern: 'ApplicationName' as const,
    base: 'web',
    duplicate: 'is already an app of this environment',
  };

  test('offers a free name by default', async () => {
    expect(freeName('web', ['web', 'web2'])).toBe('web3');
    const { p, asked } = queued([], []);
    expect(await askName(p, { ...q, taken: ['web'] })).toBe('web2');
    expect(asked).toEqual([{ id: 'apps[1].name', default: 'web2' }]);
  });

  test('refuses a taken name and one that breaks the pattern, with the reason', async () => {
    await expect(askName(queued([], ['web']).p, { ...q, taken: ['web'] })).rejects.toThrow(
      'apps[1].name: "web" is already an app of this environment',
    );
    await expect(askName(queued([], ['Web']).p, { ...q, taken: [] })).rejects.toThrow(/an application name is 1 to 16/);
  });
});
