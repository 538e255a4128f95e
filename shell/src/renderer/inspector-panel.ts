/**
 * The inspector panel: mounts the inspector's views (inspector/src/browser) and feeds them the
 * chosen machine's object spaces through the studio's API (`inspector.space`,
 * `inspector.generations`), the same in browser mode and Electron. With no generation named the
 * host reads the running machine "now"; otherwise a committed generation from the store disk.
 */
import { type InspectorHandle, mountInspector } from '@phantom/inspector/browser/inspector.js';
import '@phantom/inspector/browser/inspector.css';
import type { ApiClient } from './api-client.js';

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function mountInspectorPanel(
  container: HTMLElement,
  api: ApiClient,
  currentMachine: () => string | undefined,
  onError: (err: unknown) => void,
): InspectorHandle {
  const machine = (): string => {
    const name = currentMachine();
    if (!name) throw new Error('Choose a machine in the machine bar first.');
    return name;
  };
  return mountInspector(container, {
    async loadSpace(generation) {
      const space = await api.call(
        'inspector.space',
        generation === undefined ? { machine: machine() } : { machine: machine(), generation },
      );
      return { generation: space.generation, live: space.live, bytes: fromBase64(space.bytes) };
    },
    generations: () => api.call('inspector.generations', { machine: machine() }),
    onError,
  });
}
