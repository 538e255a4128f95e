/**
 * The data of the timeline's chart of snapshot pause and dirty pages, with no DOM: one row per
 * generation in time order (seconds since the epoch, as uPlot's time axis takes them), and an
 * empty row wherever the machine was off, so that no line is drawn across a gap nobody measured.
 * `shell/src/renderer/stats-chart.ts` draws it with uPlot.
 */
import type { TimelineLayout } from './timeline-layout.js';

/**
 * Generations further apart in time than this are not joined: the kernel commits one about every
 * second while it runs, so a longer gap is time the machine was off.
 */
export const CHART_GAP_MS = 30_000;

/** Columns as uPlot aligns them: x (seconds), then each series, null where nothing was recorded. */
export interface StatsChartData {
  seconds: number[];
  pauseMs: (number | null)[];
  dirtyPages: (number | null)[];
}

export function statsChartData(
  layout: Pick<TimelineLayout, 'times' | 'pauseMs' | 'dirtyPages'>,
): StatsChartData {
  const out: StatsChartData = { seconds: [], pauseMs: [], dirtyPages: [] };
  const { times, pauseMs, dirtyPages } = layout;
  for (let i = 0; i < times.length; i++) {
    const time = times[i]!;
    if (i > 0 && time - times[i - 1]! > CHART_GAP_MS) {
      // Halfway through the gap: a row of nulls breaks both lines there.
      out.seconds.push((time + times[i - 1]!) / 2000);
      out.pauseMs.push(null);
      out.dirtyPages.push(null);
    }
    out.seconds.push(time / 1000);
    out.pauseMs.push(Number.isNaN(pauseMs[i]!) ? null : pauseMs[i]!);
    out.dirtyPages.push(Number.isNaN(dirtyPages[i]!) ? null : dirtyPages[i]!);
  }
  return out;
}
