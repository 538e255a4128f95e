/**
 * Draws progress events as one bar on a terminal: the line is redrawn in place (carriage
 * return, erase line) as steps start and finish, and ticks while a step runs so a slow
 * snapshot under TCG visibly lives. Only for a terminal: the CLI uses it when stderr is a TTY
 * and no --json was asked for. The line itself comes from `progressLine`.
 */
import { type ProgressEvent, progressLine } from '../common/progress.js';

/** Often enough for the seconds to move smoothly, rarely enough to cost nothing. */
const REDRAW_MS = 100;

const ERASE_LINE = '\r\x1b[2K';

export class TerminalProgress {
  /** The event on the line; `finishedAt` freezes its time once the step is over. */
  private step: { event: ProgressEvent; startedAt: number; finishedAt?: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lineOpen = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  readonly handle = (event: ProgressEvent): void => {
    if (event.kind === 'diagnostic') {
      const d = event.diagnostic;
      this.write(
        `${this.lineOpen ? ERASE_LINE : ''}${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n`,
      );
      this.lineOpen = false;
      this.redraw();
      return;
    }
    if (event.kind === 'log') return;
    const now = this.now();
    if (event.kind === 'step-started') {
      this.step = { event, startedAt: now };
      this.timer ??= setInterval(() => this.redraw(), REDRAW_MS);
      this.timer.unref();
      this.redraw();
      return;
    }
    this.step = { event, startedAt: this.step?.startedAt ?? now, finishedAt: now };
    clearInterval(this.timer);
    this.timer = undefined;
    this.redraw();
    if (event.kind === 'step-failed' || event.percent >= 100) this.end();
  };

  /** Ends the line (a bar left mid-way stays visible) and stops redrawing. */
  end(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.step = undefined;
    if (this.lineOpen) this.write('\n');
    this.lineOpen = false;
  }

  private redraw(): void {
    if (!this.step) return;
    const line = progressLine(this.step.event, (this.step.finishedAt ?? this.now()) - this.step.startedAt);
    if (line === undefined) return;
    this.write(`${ERASE_LINE}${line}`);
    this.lineOpen = true;
  }
}
