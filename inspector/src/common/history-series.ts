/**
 * What the chart of an object's history plots, with no DOM: each number the object holds (its
 * integer fields, an array's or a string's length) at each generation where it changed, held
 * until the next change and carried to the last generation looked at, so the chart's steps show
 * how long each value lasted. A generation where the object does not exist is a gap.
 */
import type { HistoryEntry } from './diff.js';

export interface HistorySeries {
  /** Generation numbers, ascending: the x column. */
  generations: number[];
  /** One column per number the object holds, parallel to `generations`. */
  series: { name: string; values: (number | null)[] }[];
}

/** The numbers one version of an object holds, by name. */
function numbersOf(value: HistoryEntry['value']): Map<string, number> {
  const out = new Map<string, number>();
  if (!value) return out;
  if (value.text !== undefined) out.set('length', value.text.length);
  if (value.elements) out.set('length', value.elements.length);
  for (const field of value.fields) if (field.value.kind === 'int') out.set(field.name, field.value.value);
  return out;
}

/**
 * The history's numbers as chart columns; `lastGeneration` (the newest looked at) extends the
 * last value to the chart's right edge.
 */
export function historySeries(entries: readonly HistoryEntry[], lastGeneration?: number): HistorySeries {
  const versions = [...entries].sort((a, b) => a.generation - b.generation);
  const last = versions.at(-1);
  if (last && lastGeneration !== undefined && lastGeneration > last.generation)
    versions.push({ generation: lastGeneration, value: last.value });
  const numbers = versions.map((e) => numbersOf(e.value));
  const names: string[] = [];
  for (const n of numbers) for (const name of n.keys()) if (!names.includes(name)) names.push(name);
  return {
    generations: versions.map((e) => e.generation),
    series: names.map((name) => ({ name, values: numbers.map((n) => n.get(name) ?? null) })),
  };
}
