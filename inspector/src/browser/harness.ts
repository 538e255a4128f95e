/**
 * A page that mounts the inspector alone, for developing the views and for their end-to-end
 * tests and benchmark: it reads generations from the serving origin (`GET /generations` →
 * [{generation, parent}], `GET /space?gen=N` → the space bytes up to SH_TOP, with the generation
 * in `X-Generation`). The handle is exposed as `window.phantomInspector` for the tests.
 */
import { mountInspector } from './inspector.js';

const app = document.getElementById('app');
const errors = document.getElementById('errors');
if (!app || !errors) throw new Error('harness page lacks #app or #errors');

const handle = mountInspector(app, {
  async loadSpace(generation) {
    const response = await fetch(generation === undefined ? '/space' : `/space?gen=${generation}`);
    if (!response.ok) throw new Error(`GET /space: ${response.status} ${await response.text()}`);
    return {
      generation: Number(response.headers.get('X-Generation')),
      bytes: new Uint8Array(await response.arrayBuffer()),
    };
  },
  async generations() {
    const response = await fetch('/generations');
    if (!response.ok) throw new Error(`GET /generations: ${response.status}`);
    return response.json();
  },
  onError(err) {
    errors.textContent = err instanceof Error ? err.message : String(err);
  },
});
Object.assign(window, { phantomInspector: handle });
void handle.showGeneration();
