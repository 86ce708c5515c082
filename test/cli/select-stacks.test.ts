/**
 * `--only` (src/run/context.ts `selectStacks`): a word names a stack by its stage key, its template
 * number, its full template id (the catalogue's own: 31 is `31.app-loadbalancer`) or its stack name;
 * anything else is a usage error listing what there is. The full example has two apps, so one
 * stage key or number picks a stack of each.
 */
import * as path from 'node:path';
import { loadParams } from '../../src/params/load';
import { selectStacks } from '../../src/run/context';
import { planEnvironment } from '../../stages/plan';
import { stages } from '../../stages/catalogue';

const all = planEnvironment(loadParams(path.join(__dirname, '..', '..', 'examples', 'full.yaml')));
const names = (only: string[]) => selectStacks(all, only).map((s) => s.name);
const loadBalancers = all.filter((s) => s.stage === stages.loadBalancer.key).map((s) => s.name);

test('a stage key, a template number and a full template id pick the same stacks', () => {
  expect(loadBalancers.length).toBeGreaterThan(0);
  expect(names(['loadBalancer'])).toEqual(loadBalancers);
  expect(names(['31'])).toEqual(loadBalancers);
  expect(names([stages.loadBalancer.templateId])).toEqual(loadBalancers);
});

test('a stack name picks that stack; words add up, in plan order', () => {
  const [first] = loadBalancers;
  expect(names([first!])).toEqual([first]);
  expect(names(['31', 'network'])).toEqual(
    all.filter((s) => s.stage === 'network' || s.stage === 'loadBalancer').map((s) => s.name),
  );
});

test('no --only: every stack; an unknown word (or a number no template has): a usage error naming it and the choices', () => {
  expect(selectStacks(all, undefined)).toBe(all);
  expect(() => selectStacks(all, ['31', '99', 'lb'])).toThrow(
    /--only 99, lb: no such stage or stack in this environment/,
  );
  try {
    selectStacks(all, ['031']);
  } catch (err) {
    expect((err as { hint?: string }).hint).toMatch(
      /use a stage \(network, .*loadBalancer.*\), a template number, or a stack name/,
    );
    return;
  }
  throw new Error('031 is not how template 31 is written: expected a usage error');
});

test('a misspelt stage or stack name is answered with the closest one', () => {
  expect(() => selectStacks(all, ['netwrok'])).toThrow(/--only netwrok: .*"netwrok": did you mean "network"\?/);
  const [first] = loadBalancers;
  const typo = first!.replace('loadbalancer', 'loadbalancr');
  expect(() => selectStacks(all, [typo])).toThrow(`did you mean "${first}"?`);
  // Nothing close: no guess.
  expect(() => selectStacks(all, ['zzzzzz'])).not.toThrow(/did you mean/);
  expect(() => selectStacks(all, ['zzzzzz'])).toThrow(/no such stage or stack/);
});

test('a short unknown word gets no far-fetched guess', () => {
  expect(() => selectStacks(all, ['99'])).not.toThrow(/did you mean/);
  expect(() => selectStacks(all, ['lb'])).not.toThrow(/did you mean/);
});
