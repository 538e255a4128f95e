/**
 * Whether a generation on the timeline can be replayed (the debugger's replay target runs a kept
 * generation of the store disk on the reference interpreter), and if not, why, in words the
 * studio shows as they are. Pure, on the timeline's layout; the debugger does the replaying.
 */
import { generationLabel } from './snapshot-tree.js';
import type { TimelineLayout } from './timeline-layout.js';

export type ReplayChoice =
  | { readonly generation: number; readonly label: string }
  | { readonly problem: string };

/** What replaying the generation at `index` of `layout` would replay, or why it cannot be. */
export function replayChoice(layout: TimelineLayout, index: number): ReplayChoice {
  const chosen = layout.generations[index];
  if (chosen === undefined) return { problem: 'select a generation on the timeline first' };
  const label = generationLabel(layout, index);
  if (!chosen.onDisk)
    return {
      problem: `${label} is no longer on the store disk (only its record remains), so it cannot be replayed: choose a filled dot`,
    };
  if (chosen.damage !== null)
    return { problem: `${label} is damaged on the store disk (${chosen.damage}), so it cannot be replayed` };
  // The store names a generation by its number, and a later branch may number one the same:
  // the number then reads the later one, not this.
  for (let i = index + 1; i < layout.generations.length; i++) {
    const later = layout.generations[i]!;
    if (later.number === chosen.number && later.onDisk)
      return {
        problem: `${label}'s number now names ${generationLabel(layout, i)} on the store disk, so it cannot be replayed apart from it`,
      };
  }
  return { generation: chosen.number, label };
}
