/**
 * Notifications: every error from any layer ends up here as a readable message with its
 * details one click away (the host's stack for a failed call, the error code for a refused
 * one), never as a dead UI or a silent console line. Repeats of the same error are counted
 * instead of stacked, and at most a few stay on screen.
 */
import { ApiError, ErrorCode } from '../common/api.js';

/** More than this many at once would cover the workspace; the oldest go first. */
const MAX_VISIBLE = 4;

const codeTitles: Record<ErrorCode, string> = {
  [ErrorCode.MalformedMessage]: 'malformed message',
  [ErrorCode.UnknownMethod]: 'unknown method',
  [ErrorCode.InvalidParams]: 'refused',
  [ErrorCode.Unavailable]: 'not available',
  [ErrorCode.Failed]: 'failed',
};

function detailsOf(error: unknown): string {
  if (error instanceof ApiError)
    return [`code: ${error.body.code}`, error.body.details ?? ''].join('\n').trim();
  return error instanceof Error ? (error.stack ?? '') : '';
}

export function showError(title: string, error: unknown): void {
  const area = document.querySelector<HTMLElement>('[data-panel="notifications"]')!;
  const message = error instanceof Error ? error.message : String(error);
  const key = `${title}\u0000${message}`;
  const repeat = [...area.querySelectorAll<HTMLElement>('.notification')].find((n) => n.dataset.key === key);
  if (repeat) {
    const count = Number(repeat.dataset.count ?? '1') + 1;
    repeat.dataset.count = String(count);
    repeat.querySelector('.count')!.textContent = `×${count}`;
    return;
  }
  const note = document.createElement('div');
  note.className = 'notification error';
  note.setAttribute('role', 'alert');
  note.dataset.key = key;
  const heading = document.createElement('strong');
  heading.textContent = title;
  const count = document.createElement('span');
  count.className = 'count';
  const tag = document.createElement('span');
  tag.className = 'tag';
  tag.textContent = error instanceof ApiError ? codeTitles[error.body.code] : '';
  const text = document.createElement('div');
  text.className = 'message';
  text.textContent = message;
  note.append(heading, count, tag, text);
  const details = detailsOf(error);
  if (details) {
    const more = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Details';
    const pre = document.createElement('pre');
    pre.textContent = details;
    more.append(summary, pre);
    note.append(more);
  }
  const close = document.createElement('button');
  close.className = 'close';
  close.title = 'Dismiss';
  close.textContent = '×';
  close.addEventListener('click', () => note.remove());
  note.append(close);
  area.append(note);
  const notes = area.querySelectorAll('.notification');
  for (let i = 0; i < notes.length - MAX_VISIBLE; i++) notes[i]!.remove();
}
