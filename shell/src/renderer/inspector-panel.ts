/**
 * The inspector panel: mounts the inspector's views (inspector/src/browser) and feeds them the
 * chosen machine's object spaces from the host (`GET /api/space`, `GET /api/generations`, same
 * origin, the session cookie). With no generation named the host reads the running machine
 * "now"; otherwise a committed generation from the store disk.
 */
import { type InspectorHandle, mountInspector } from '@phantom/inspector/browser/inspector.js';
import '@phantom/inspector/browser/inspector.css';

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok)
    throw new Error(`${response.status} ${(await response.text()).trim() || response.statusText}`);
  return response;
}

export function mountInspectorPanel(
  container: HTMLElement,
  currentMachine: () => string | undefined,
  onError: (err: unknown) => void,
): InspectorHandle {
  const machine = (): string => {
    const name = currentMachine();
    if (!name) throw new Error('Choose a machine in the machine bar first.');
    return encodeURIComponent(name);
  };
  return mountInspector(container, {
    async loadSpace(generation) {
      const gen = generation === undefined ? '' : `&gen=${generation}`;
      const response = await fetchOk(`/api/space?machine=${machine()}${gen}`);
      return {
        generation: Number(response.headers.get('X-Generation')),
        live: response.headers.get('X-Live') === 'true',
        bytes: new Uint8Array(await response.arrayBuffer()),
      };
    },
    async generations() {
      return (await fetchOk(`/api/generations?machine=${machine()}`)).json();
    },
    onError,
  });
}
