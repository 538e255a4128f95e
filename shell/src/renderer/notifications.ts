/**
 * Notifications: every error from any layer ends up here as a readable message with its
 * details one click away (the host's stack for a failed operation; a refused request needs
 * none, its message says why), never as a dead UI or a silent console line, and never as an
 * internal code. Repeats of the same error are counted instead of stacked, and at most a few
 * stay on screen. A notification tied to a cause ("the checkpoint action of demo") goes once
 * that cause is over (`clearNotifications`); news that is no error (`showInfo`) goes by itself,
 * and may offer an action, such as undoing a deletion.
 */
import { ApiError, ErrorCode } from '../common/api.js';

/** More than this many at once would cover the workspace; the oldest go first. */
const MAX_VISIBLE = 4;
/** How long news stays (long enough to read two lines, and to press its button). */
export const INFO_MS = 8000;

const codeTitles: Record<ErrorCode, string> = {
  [ErrorCode.MalformedMessage]: 'malformed message',
  [ErrorCode.UnknownMethod]: 'unknown method',
  [ErrorCode.InvalidParams]: 'refused',
  [ErrorCode.Unavailable]: 'not available',
  [ErrorCode.Failed]: 'failed',
};

export interface NotifyOptions {
  /** What the notification is about: `clearNotifications(cause)` removes it once that is over. */
  cause?: string;
  /** A button beside the message, which also closes it. */
  action?: { label: string; run: () => void };
  /** Removed after this long; errors stay until dismissed or their cause is over. */
  timeoutMs?: number;
}

/** What a notification's Details show: how it failed inside (a stack), never a code. */
function detailsOf(error: unknown): string {
  if (error instanceof ApiError)
    return error.body.code === ErrorCode.InvalidParams ? '' : (error.body.details ?? '').trim();
  return error instanceof Error ? (error.stack ?? '') : '';
}

function area(): HTMLElement {
  return document.querySelector<HTMLElement>('[data-panel="notifications"]')!;
}

export function showError(title: string, error: unknown, options: NotifyOptions = {}): void {
  const message = error instanceof Error ? error.message : String(error);
  const note = notify('error', title, message, options);
  if (!note) return;
  note.setAttribute('role', 'alert');
  note.querySelector('.tag')!.textContent = error instanceof ApiError ? codeTitles[error.body.code] : '';
  const details = detailsOf(error);
  if (details) {
    const more = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Details';
    const pre = document.createElement('pre');
    pre.textContent = details;
    more.append(summary, pre);
    note.querySelector('.close')!.before(more);
  }
}

/** News that is not a failure: it says what happened, and goes by itself. */
export function showInfo(title: string, message: string, options: NotifyOptions = {}): void {
  notify('info', title, message, { timeoutMs: INFO_MS, ...options })?.setAttribute('role', 'status');
}

/** Removes the notifications tied to `cause`: what they were about is over. */
export function clearNotifications(cause: string): void {
  for (const note of area().querySelectorAll<HTMLElement>('.notification'))
    if (note.dataset.cause === cause) note.remove();
}

/** The notification element, or undefined when it only counted a repeat. */
function notify(
  kind: 'error' | 'info',
  title: string,
  message: string,
  options: NotifyOptions,
): HTMLElement | undefined {
  const key = `${kind}\u0000${title}\u0000${message}`;
  const repeat = [...area().querySelectorAll<HTMLElement>('.notification')].find(
    (n) => n.dataset.key === key,
  );
  if (repeat) {
    const count = Number(repeat.dataset.count ?? '1') + 1;
    repeat.dataset.count = String(count);
    repeat.querySelector('.count')!.textContent = `×${count}`;
    return undefined;
  }
  const note = document.createElement('div');
  note.className = `notification ${kind}`;
  note.dataset.key = key;
  if (options.cause) note.dataset.cause = options.cause;
  const heading = document.createElement('strong');
  heading.textContent = title;
  const count = document.createElement('span');
  count.className = 'count';
  const tag = document.createElement('span');
  tag.className = 'tag';
  const text = document.createElement('div');
  text.className = 'message';
  text.textContent = message;
  note.append(heading, count, tag, text);
  if (options.action) {
    const { label, run } = options.action;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'notification-action';
    button.textContent = label;
    button.addEventListener('click', () => {
      note.remove();
      run();
    });
    note.append(button);
  }
  const close = document.createElement('button');
  close.className = 'close';
  close.title = 'Dismiss';
  close.textContent = '×';
  close.addEventListener('click', () => note.remove());
  note.append(close);
  area().append(note);
  if (options.timeoutMs !== undefined) setTimeout(() => note.remove(), options.timeoutMs);
  const notes = area().querySelectorAll('.notification');
  for (let i = 0; i < notes.length - MAX_VISIBLE; i++) notes[i]!.remove();
  return note;
}
