/**
 * The catalogue rows: one per template, each template once, in number order, every row's
 * identity the same as what its builder builds, and every up-front question an option the
 * template really has.
 */
import { catalogue, DATA_KINDS, publishedTemplate, rowOfTemplate, stages } from '../../stages/catalogue';
import { optionName, stageParameters } from '../../stages/options';
import { LINK_ACCESS } from '../../templates/links';
import { templateNumber } from '../../templates/kit/ids';

test('every key and every template id is in exactly one row', () => {
  const keys = catalogue.map((r) => r.key);
  const ids = catalogue.map((r) => r.templateId);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(ids).size).toBe(ids.length);
  expect(Object.keys(stages)).toEqual(keys);
});

test('rows are in template-number order (the order synth publishes)', () => {
  const numbers = catalogue.map((r) => templateNumber(r.templateId));
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
});

test.each(catalogue.map((r) => [r.key, r] as const))('%s: the row says what its builder builds', (_key, row) => {
  const built = publishedTemplate(row);
  expect({ id: built.id, scope: built.scope }).toEqual({ id: row.templateId, scope: row.template.scope });
  expect(rowOfTemplate(built.id)).toBe(row);
  const options = stageParameters(built, row.structural).map(([name]) => optionName(name));
  expect(row.questions.filter((q) => !options.includes(q))).toEqual([]);
  for (const p of row.structural) expect(Object.keys(built.template.Parameters ?? {})).toContain(p);
});

test('the data kinds are the rows shared by kind, and each has link rules', () => {
  expect(DATA_KINDS).toEqual(['postgres', 'documentdb', 'redis', 's3', 'sqs', 'sns']);
  expect([...DATA_KINDS].sort()).toEqual(Object.keys(LINK_ACCESS).sort());
  for (const k of DATA_KINDS) expect(stages[k].defaultName).toMatch(/^[a-z][a-z0-9]{0,11}$/);
});
