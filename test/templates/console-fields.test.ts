/**
 * The README's console table says, per published template, exactly what a console user must fill
 * in. It is generated from the templates (src/publish/console.ts); this test fails when the README
 * and the templates disagree, and checks the generator against the published files themselves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { consoleFields, consoleTable } from '../../src/publish/console';
import { catalogue } from '../../stages/catalogue';

const ROOT = path.resolve(__dirname, '..', '..');

test('the README shows the table the templates make', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- console-fields:start[^>]*-->\n([\s\S]*?)\n<!-- console-fields:end -->/.exec(readme);
  expect(m).not.toBeNull();
  expect(m![1]).toBe(consoleTable());
});

test('every published parameter without a default is in its row, and nothing else is', () => {
  const version = fs.readdirSync(path.join(ROOT, 'published')).find((d) => /^\d+\.\d+\.\d+$/.test(d))!;
  for (const entry of catalogue) {
    const published = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'published', version, `${entry.templateId}.cf`), 'utf8'),
    ) as {
      Parameters: Record<string, { Default?: unknown }>;
    };
    const noDefault = Object.entries(published.Parameters)
      .filter(([, p]) => p.Default === undefined)
      .map(([n]) => n);
    expect([entry.templateId, consoleFields(entry.build()).required]).toEqual([entry.templateId, noDefault]);
  }
});

test('the services say an image must be given: their ImageIsGiven rule fails on defaults', () => {
  const rows = Object.fromEntries(catalogue.map((e) => [e.templateId, consoleFields(e.build())]));
  expect(rows['32.app-ecs-service']!.rules).toEqual([expect.stringMatching(/RepositoryName .* or PublicImage/)]);
  expect(rows['91.extra-service']!.required).toEqual(expect.arrayContaining(['Suffix', 'PathPrefix', 'ContactEmail']));
  expect(rows['11.env-network']!.rules).toEqual([]);
});
