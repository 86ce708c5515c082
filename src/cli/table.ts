import { stripVTControlCharacters } from 'node:util';

/** Plain aligned columns (ANSI colour codes do not count towards the width). */

export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0]
    ? all[0].map((_, i) => Math.max(...all.map((r) => stripVTControlCharacters(r[i] ?? '').length)))
    : [];
  const line = (r: string[]) =>
    r
      .map((cell, i) =>
        i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - stripVTControlCharacters(cell).length),
      )
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n');
}
