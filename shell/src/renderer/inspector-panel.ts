/**
 * The inspector panel: mounts the inspector's views (inspector/src/browser) and feeds them the
 * chosen machine's object spaces through the studio's API (`inspector.space`,
 * `inspector.generations`), the same in browser mode and Electron.
 *
 * By default the panel follows the machine: each generation the host announces
 * (`machine.generation`, read from the store disk when the kernel commits it) is shown in place,
 * the open panes staying on their objects. This costs the machine nothing. "Follow" off pins the
 * view; choosing a generation (toolbar, timeline) or "Now (pause machine)" also pins it, since
 * the next generation would otherwise replace what the user asked to see. "Now" is the only
 * read that pauses the machine (over its debug channel).
 *
 * "When did this change?" on a field of a pane asks the host (`inspector.when`, a bisection over
 * the store disk's committed generations), shows the two generations around the change compared,
 * and tells the timeline to show them.
 *
 * The views are a chunk of their own: they are fetched and mounted by `load`, which the
 * workspace calls once it is interactive, or by the first thing shown in them.
 */
import type { InspectorHandle } from '@phantom/inspector/browser/inspector.js';
import '@phantom/inspector/browser/inspector.css';
// The inspector's charts are uPlot's: its stylesheet lays out their plot and legend.
import 'uplot/dist/uPlot.min.css';
import type { ApiClient } from './api-client.js';

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface InspectorPanelElements {
  /** Where the views mount. */
  mount: HTMLElement;
  /** The Follow toggle (aria-pressed says whether the view follows the machine). */
  follow: HTMLButtonElement;
}

export class InspectorPanel {
  private handle: Promise<InspectorHandle> | undefined;
  private following = true;

  constructor(
    private readonly elements: InspectorPanelElements,
    private readonly api: ApiClient,
    private readonly currentMachine: () => string | undefined,
    private readonly onError: (err: unknown) => void,
    /** An answer to "when did this change?" names these two generations: the timeline shows them. */
    private readonly onDidFindChange: (before: number, after: number) => void = () => {},
  ) {
    elements.follow.addEventListener('click', () => this.setFollowing(!this.following));
    this.showFollowing();
    api.on('machine.generation', ({ machine, generation }) => {
      if (this.following && machine === this.currentMachine())
        void this.loaded().then((h) => h?.follow(generation));
    });
  }

  /** Fetches the views' chunk and mounts them, once. */
  load(): Promise<InspectorHandle> {
    this.handle ??= import('@phantom/inspector/browser/inspector.js').then(({ mountInspector }) =>
      mountInspector(this.elements.mount, {
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
        onPick: () => this.setFollowing(false),
        whenChanged: async (address, key) => {
          const answer = await this.api.call('inspector.when', {
            machine: this.machine(),
            ref: address,
            target: key.startsWith('[') ? key : `.${key}`,
          });
          if (answer.change) this.onDidFindChange(answer.change.before, answer.change.after);
          return answer;
        },
      }),
    );
    return this.handle;
  }

  /**
   * A machine was picked, or the picked one started: follow it again from its newest committed
   * generation (without pausing it).
   */
  async machineChanged(): Promise<void> {
    this.following = true;
    this.showFollowing();
    const newest = await this.newestGeneration();
    if (newest !== undefined) await (await this.loaded())?.showGeneration(newest);
  }

  /** Shows generation n of the chosen machine; this pins the view there. */
  async showGeneration(n: number): Promise<void> {
    this.setFollowing(false);
    await (await this.loaded())?.showGeneration(n);
  }

  /** Pauses the machine and reads it as it is now (over its debug channel); this pins the view. */
  async showNow(): Promise<void> {
    this.setFollowing(false);
    await (await this.loaded())?.showGeneration();
  }

  /**
   * Reads the machine now (pausing it a moment) and opens the object at `address` in a pane: the
   * debugger's way to show a stopped frame's object. This pins the view.
   */
  async showObjectNow(address: number): Promise<void> {
    this.setFollowing(false);
    const handle = await this.loaded();
    if (!handle) return;
    await handle.showGeneration();
    await handle.showObject(address);
  }

  /** Compares two generations of the chosen machine; this pins the view. */
  async compare(a: number, b: number): Promise<void> {
    this.setFollowing(false);
    await (await this.loaded())?.compare(a, b);
  }

  private setFollowing(on: boolean): void {
    this.following = on;
    this.showFollowing();
    if (on) void this.followNewest();
    // The views' header says "(following)" only while they do.
    else void this.handle?.then((h) => h.pin());
  }

  private showFollowing(): void {
    this.elements.follow.setAttribute('aria-pressed', String(this.following));
    this.elements.follow.title = this.following
      ? 'Following the machine: each generation it commits is shown as it comes (click to pin this one)'
      : 'Pinned: click to follow the machine again';
  }

  /** Catches up with the newest committed generation, if the machine has one yet. */
  private async followNewest(): Promise<void> {
    const newest = await this.newestGeneration();
    if (newest !== undefined && this.following) await (await this.loaded())?.follow(newest);
  }

  /** The newest committed generation of the picked machine (undefined: none yet, or no machine). */
  private async newestGeneration(): Promise<number | undefined> {
    if (!this.currentMachine()) return undefined;
    try {
      return (await this.api.call('inspector.generations', { machine: this.machine() })).at(-1)?.generation;
    } catch (err) {
      this.onError(err);
      return undefined;
    }
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
