/**
 * The renderer's entry point: lays out the workspace (machine bar, explorer, editor, console,
 * inspector, timeline, status bar) and fills in what the host reports. Panels mount into the
 * elements named by their data-panel attribute.
 */
import { connectApi } from './api-client.js';
import { showError } from './notifications.js';

async function main(): Promise<void> {
  const api = connectApi(showError);
  api.on('studio.error', (error) =>
    showError(error.title, Object.assign(new Error(error.message), { stack: error.details })),
  );
  try {
    const info = await api.call('studio.info', {});
    const version = document.querySelector<HTMLElement>('[data-testid="studio-version"]')!;
    version.textContent = `${info.name} ${info.version}`;
    document.querySelector<HTMLElement>('[data-testid="studio-mode"]')!.textContent =
      info.mode === 'browser' ? 'browser mode' : 'Electron';
    document.body.dataset.ready = 'true';
  } catch (err) {
    showError('Cannot reach the studio host', err);
  }
}

void main();
