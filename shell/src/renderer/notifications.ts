/**
 * Notifications: every error from any layer ends up here as a readable message with its
 * details one click away, never as a dead UI or a silent console line.
 */
export function showError(title: string, error: unknown): void {
  const area = document.querySelector<HTMLElement>('[data-panel="notifications"]')!;
  const note = document.createElement('div');
  note.className = 'notification error';
  note.setAttribute('role', 'alert');
  const heading = document.createElement('strong');
  heading.textContent = title;
  const message = document.createElement('div');
  message.textContent = error instanceof Error ? error.message : String(error);
  note.append(heading, message);
  const details = error instanceof Error ? (error.stack ?? '') : '';
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
}
