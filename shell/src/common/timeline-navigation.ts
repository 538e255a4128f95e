/**
 * Moving along the timeline by keyboard, with no DOM: from a selected generation to the one
 * before or after it on its branch, to the nearest in time on the branch drawn above or below,
 * to the first or last of its branch, or to "you are here". Pure over timeline-layout.ts's model,
 * so the keys behave the same whatever is drawn.
 */
import { nearestGeneration, type TimelineLayout } from './timeline-layout.js';

export type TimelineMove = 'previous' | 'next' | 'up' | 'down' | 'first' | 'last' | 'here';

/**
 * The generation `move` leads to from `from` (an index into the layout's generations; -1 when
 * nothing is selected, which starts from "you are here", else the newest), or `from` itself when
 * there is nowhere to go.
 */
export function moveSelection(layout: TimelineLayout, from: number, move: TimelineMove): number {
  const { lanes, times, laneCount } = layout;
  const count = times.length;
  if (count === 0) return -1;
  const start = from >= 0 && from < count ? from : layout.currentIndex >= 0 ? layout.currentIndex : count - 1;
  if (from < 0 && move !== 'first' && move !== 'last') return start;
  const lane = lanes[start]!;
  switch (move) {
    case 'here':
      return layout.currentIndex >= 0 ? layout.currentIndex : start;
    case 'previous':
      for (let i = start - 1; i >= 0; i--) if (lanes[i] === lane) return i;
      return start;
    case 'next':
      for (let i = start + 1; i < count; i++) if (lanes[i] === lane) return i;
      return start;
    case 'first':
      for (let i = 0; i < count; i++) if (lanes[i] === lane) return i;
      return start;
    case 'last':
      for (let i = count - 1; i >= 0; i--) if (lanes[i] === lane) return i;
      return start;
    case 'up':
    case 'down': {
      const step = move === 'up' ? -1 : 1;
      // The next lane that has generations at all, nearest in time to where the selection is.
      for (let other = lane + step; other >= 0 && other < laneCount; other += step) {
        const found = nearestGeneration(layout, times[start]!, other, Number.POSITIVE_INFINITY);
        if (found >= 0) return found;
      }
      return start;
    }
  }
}
