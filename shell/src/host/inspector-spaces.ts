/**
 * The bytes the inspector's views need: a machine's object space as of a generation, read from
 * its store disk (committed generations never change, so this is safe beside a running machine),
 * or, when no generation is named and the machine runs, exactly "now" through its debug channel
 * (the world paused while the pages are read). The views build their heap snapshot from these
 * bytes in the renderer, so the host sends each space once and answers no graph queries.
 *
 * The debug channel admits one client at a time (QEMU's socket), so each live read connects and
 * disconnects again, leaving the channel free for `phantom inspect` in a terminal.
 */
import { existsSync } from 'node:fs';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import type { GenerationSummary } from '@phantom/inspector/node/inspect-command.js';
import { liveHeap } from '@phantom/inspector/node/live-source.js';
import { storeSource } from '@phantom/inspector/node/store-file.js';

/** What this needs of a machine (vm-manager's Machine has it). */
export interface InspectableMachine {
  readonly dir: { readonly disk: string; readonly debugSocket: string };
  status(): Promise<{ state: string }>;
}

export interface MachineSpace {
  generation: number;
  /** Whether this is the running machine now rather than a committed generation. */
  live: boolean;
  bytes: Uint8Array;
}

/** How long a live read may take: a whole space over the serial channel under TCG. */
const LIVE_TIMEOUT_MS = 60_000;

export class InspectorSpaces {
  constructor(private readonly machine: (name: string) => Promise<InspectableMachine>) {}

  async generations(name: string): Promise<GenerationSummary[]> {
    const m = await this.machine(name);
    return storeSource(m.dir.disk).generations();
  }

  async space(name: string, generation?: number): Promise<MachineSpace> {
    const m = await this.machine(name);
    if (generation === undefined && existsSync(m.dir.debugSocket)) {
      const { state } = await m.status();
      if (state === 'running' || state === 'paused') {
        const { client, hello } = await DebugClient.connect(m.dir.debugSocket, LIVE_TIMEOUT_MS);
        try {
          const now = await liveHeap(client, hello);
          return { generation: now.generation, live: true, bytes: now.heap.space };
        } finally {
          client.close();
        }
      }
    }
    const { generation: g, heap } = await storeSource(m.dir.disk).load(generation);
    return { generation: g, live: false, bytes: heap.space };
  }
}
