/**
 * The timeline's chart of each generation's snapshot pause (ms, left axis) and dirty pages (right
 * axis) over time, on the inspector's uPlot chart: values under the pointer, zoom by drag, wheel
 * or keys. It shows the span the timeline shows until the user zooms the chart itself. The rows
 * come from common/stats-chart-data.ts; this module (and uPlot with it) is a chunk of its own,
 * loaded once the timeline has something to plot.
 */
import { Chart } from '@phantom/inspector/browser/chart.js';
import { type StatsChartData, statsChartData } from '../common/stats-chart-data.js';
import type { TimelineLayout } from '../common/timeline-layout.js';

export class StatsChart {
  private readonly chart: Chart;
  private shownSpan: [number, number] | undefined;

  constructor(host: HTMLElement, height: number) {
    this.chart = new Chart({
      testId: 'timeline-stats-chart',
      title: 'Snapshot pause and dirty pages of each generation',
      x: { time: true },
      series: [
        { label: 'snapshot pause', unit: 'ms', colour: '#7dcfff', side: 'left', digits: 2 },
        { label: 'dirty pages', unit: 'pages', colour: '#bb9af7', side: 'right' },
      ],
      axisLabels: { left: 'pause (ms)', right: 'dirty pages' },
      height,
    });
    host.append(this.chart.element);
  }

  setTimeline(layout: TimelineLayout): void {
    const data: StatsChartData = statsChartData(layout);
    this.chart.setData([data.seconds, data.pauseMs, data.dirtyPages]);
  }

  /** The timeline's visible span (ms since the epoch). */
  showSpan([start, end]: [number, number]): void {
    if (this.shownSpan?.[0] === start && this.shownSpan[1] === end) return;
    this.shownSpan = [start, end];
    this.chart.showRange({ min: start / 1000, max: end / 1000 });
  }
}
