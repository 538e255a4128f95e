/**
 * The renderer's entry point: lays out the workspace (machine bar, explorer, editor, console,
 * inspector, timeline, status bar) and connects each panel to the API. Panels mount into the
 * elements named by their data-panel attribute.
 */
import { connectApi } from './api-client.js';
import { ConsolePanel } from './console-panel.js';
import { EditorPanel } from './editor-panel.js';
import { Explorer } from './explorer.js';
import { showError } from './notifications.js';

function panel(name: string): HTMLElement {
  return document.querySelector<HTMLElement>(`[data-panel="${name}"]`)!;
}

function byTestId(id: string): HTMLElement {
  return document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
}

async function main(): Promise<void> {
  const api = connectApi(showError);
  api.on('studio.error', (error) =>
    showError(error.title, Object.assign(new Error(error.message), { stack: error.details })),
  );
  const editor = new EditorPanel(panel('editor'), api);
  editor.onStatus((text) => {
    byTestId('editor-status').textContent = text;
  });
  const explorer = new Explorer(panel('explorer'), api, (entry) => void editor.open(entry));
  new ConsolePanel(panel('console'), api);
  try {
    const info = await api.call('studio.info', {});
    byTestId('studio-version').textContent = `${info.name} ${info.version}`;
    byTestId('studio-mode').textContent = info.mode === 'browser' ? 'browser mode' : 'Electron';
    await explorer.refresh();
    document.body.dataset.ready = 'true';
  } catch (err) {
    showError('Cannot reach the studio host', err);
  }
}

void main();
