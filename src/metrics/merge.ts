// One exposition from several workers' families: a series (a sample line's name and labels)
// that several workers wrote becomes one line whose value is their sum, or their largest value
// for families declared `max` (exposition.ts). Histograms merge bucket by bucket, because each
// bucket line is a series of its own and every worker uses the same bounds.

import { type Family, formatValue } from './exposition.ts';

/** Families in the order the first worker declared them; a family only others have follows. */
export function mergeFamilies(
  sets: ReadonlyArray<ReadonlyMap<string, Family>>,
): Map<string, Family> {
  const merged = new Map<string, { family: Family; values: Map<string, number> }>();
  for (const families of sets) {
    for (const [name, family] of families) {
      let entry = merged.get(name);
      if (entry === undefined) {
        entry = { family: { ...family, lines: [] }, values: new Map() };
        merged.set(name, entry);
      }
      const combine = entry.family.merge === 'max' ? Math.max : add;
      for (const line of family.lines) {
        const space = line.lastIndexOf(' ');
        const series = line.slice(0, space);
        const value = parseValue(line.slice(space + 1));
        const seen = entry.values.get(series);
        entry.values.set(series, seen === undefined ? value : combine(seen, value));
      }
    }
  }
  const out = new Map<string, Family>();
  for (const [name, { family, values }] of merged) {
    const lines = [...values].map(([series, value]) => `${series} ${formatValue(value)}`);
    out.set(name, { ...family, lines });
  }
  return out;
}

function add(a: number, b: number): number {
  return a + b;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
