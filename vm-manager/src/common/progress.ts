/**
 * Progress of the long machine steps (starting until the console talks, checkpoints, reverts,
 * rollbacks) as typed events beside the build's, and the pure function that turns one event
 * into the line a progress bar shows. No Node, no DOM: the CLI draws these lines on a
 * terminal, and the studio's renderer can draw the same events its own way.
 */
import type { BuildEvent, BuildStep } from './api.js';

export const MACHINE_STEPS = [
  'start',
  'first-console-line',
  'auto-checkpoint',
  'checkpoint',
  'revert',
  'rollback-in-place',
  'write-branch',
  'stop',
] as const;
export type MachineStep = (typeof MACHINE_STEPS)[number];

/** `percent` is where the bar stands: each emitter gives its steps their share of 0–100. */
export type MachineProgressEvent =
  | { kind: 'step-started'; step: MachineStep; percent: number }
  | { kind: 'step-finished'; step: MachineStep; percent: number }
  | { kind: 'step-failed'; step: MachineStep; percent: number }
  /** The step could not do its work and the emitter takes another way; `reason` says why. */
  | { kind: 'step-fell-back'; step: MachineStep; percent: number; reason: string };

export type ProgressEvent = BuildEvent | MachineProgressEvent;

export type OnMachineProgress = (event: MachineProgressEvent) => void;

/** Fits an 80-column terminal with the longest label and the time. */
export const PROGRESS_BAR_WIDTH = 24;

const STEP_WORDS: Record<BuildStep | MachineStep, { doing: string; done: string }> = {
  kernel: { doing: 'building the kernel', done: 'kernel built' },
  classes: { doing: 'compiling the classes', done: 'classes compiled' },
  image: { doing: 'building the image', done: 'image built' },
  start: { doing: 'starting the machine', done: 'machine started' },
  'first-console-line': { doing: 'waiting for the console', done: 'console is talking' },
  'auto-checkpoint': { doing: 'keeping the present as a checkpoint', done: 'present kept' },
  checkpoint: { doing: 'saving the checkpoint', done: 'checkpoint saved' },
  revert: { doing: 'reverting', done: 'reverted' },
  'rollback-in-place': { doing: 'rolling back in place', done: 'rolled back in place' },
  stop: { doing: 'stopping the machine', done: 'machine stopped' },
  'write-branch': { doing: 'writing the new generation', done: 'generation written' },
};

function bar(percent: number, width: number): string {
  const clamped = Number.isFinite(percent) ? Math.min(100, Math.max(0, Math.round(percent))) : 0;
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(clamped).padStart(3)}%`;
}

function seconds(elapsedMs: number): string {
  return `${(Math.max(0, elapsedMs) / 1000).toFixed(1)} s`;
}

/**
 * The bar's line for `event`, `elapsedMs` after its step started, or undefined for events that
 * are no progress (build logs and diagnostics, which are printed as they are).
 */
export function progressLine(
  event: ProgressEvent,
  elapsedMs: number,
  width = PROGRESS_BAR_WIDTH,
): string | undefined {
  if (
    event.kind !== 'step-started' &&
    event.kind !== 'step-finished' &&
    event.kind !== 'step-failed' &&
    event.kind !== 'step-fell-back'
  )
    return undefined;
  const words = STEP_WORDS[event.step];
  switch (event.kind) {
    case 'step-started':
      return `${bar(event.percent, width)} ${words.doing}… ${seconds(elapsedMs)}`;
    case 'step-finished': {
      const done =
        'outcome' in event && event.outcome === 'up-to-date' ? `${event.step} up to date` : words.done;
      return `${bar(event.percent, width)} ${done} (${seconds(elapsedMs)})`;
    }
    // The error itself is printed by whoever catches it; the bar only says where it stopped.
    case 'step-failed':
      return `${bar(event.percent, width)} ${words.doing} failed (${seconds(elapsedMs)})`;
    case 'step-fell-back':
      return `${bar(event.percent, width)} ${words.doing} not possible, falling back: ${event.reason} (${seconds(elapsedMs)})`;
  }
}

/**
 * Runs `action` as one step of a progress bar from `from` to `to` percent. `fellBack`, when
 * given, reads the action's result: a reason means the step did not do its work and the caller
 * goes another way, reported as 'step-fell-back' at `from` instead of finished.
 */
export async function progressStep<T>(
  name: MachineStep,
  from: number,
  to: number,
  onProgress: OnMachineProgress | undefined,
  action: () => Promise<T>,
  fellBack?: (value: T) => string | undefined,
): Promise<T> {
  onProgress?.({ kind: 'step-started', step: name, percent: from });
  try {
    const value = await action();
    const reason = fellBack?.(value);
    onProgress?.(
      reason === undefined
        ? { kind: 'step-finished', step: name, percent: to }
        : { kind: 'step-fell-back', step: name, percent: from, reason },
    );
    return value;
  } catch (err) {
    onProgress?.({ kind: 'step-failed', step: name, percent: from });
    throw err;
  }
}
