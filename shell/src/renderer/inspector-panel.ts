/**
 * The inspector panel: mounts the inspector's views (inspector/src/browser) and feeds them the
 * chosen machine's object spaces through the studio's API (`inspector.space`,
 * `inspector.generations`), the same in browser mode and Electron. With no generation named the
 * host reads the running machine "now"; otherwise a committed generation from the store disk.
 *
 * The views are a chunk of their own: they are fetched and mounted by `load`, which the
 * workspace calls once it is interactive, or by the first thing shown in them.
 */
import type { InspectorHandle } from '@phantom/inspector/browser/inspector.js';
import '@phantom/inspector/browser/inspector.css';
import type { ApiClient } from './api-client.js';

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class InspectorPanel {
  private handle: Promise<InspectorHandle> | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly currentMachine: () => string | undefined,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Fetches the views' chunk and mounts them, once. */
  load(): Promise<InspectorHandle> {
    this.handle ??= import('@phantom/inspector/browser/inspector.js').then(({ mountInspector }) =>
      mountInspector(this.container, {
        loadSpace: async (generation) => {
          const machine = this.machine();
          const space = await this.api.call(
            'inspector.space',
            generation === undefined ? { machine } : { machine, generation },
          );
          return { generation: space.generation, live: space.live, bytes: fromBase64(space.bytes) };
        },
        generations: () => this.api.call('inspector.generations', { machine: this.machine() }),
        onError: this.onError,
      }),
    );
    return this.handle;
  }

  /** Shows generation n of the chosen machine (default: the machine now). */
  async showGeneration(n?: number): Promise<void> {
    await (await this.loaded())?.showGeneration(n);
  }

  /** Compares two generations of the chosen machine. */
  async compare(a: number, b: number): Promise<void> {
    await (await this.loaded())?.compare(a, b);
  }

  /** The mounted views, or undefined (and the error reported) when their chunk did not load. */
  private async loaded(): Promise<InspectorHandle | undefined> {
    try {
      return await this.load();
    } catch (err) {
      this.handle = undefined;
      this.onError(err);
      return undefined;
    }
  }

  private machine(): string {
    const name = this.currentMachine();
    if (!name) throw new Error('Choose a machine in the machine bar first.');
    return name;
  }
}
