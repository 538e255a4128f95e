/**
 * An InspectSource over one machine, as the CLI and the studio both read it: committed
 * generations from its store disk (safe beside a running machine: they never change), and "now"
 * (no generation named) live through its debug channel while it runs, read with the world
 * paused. The channel admits one client at a time (QEMU's socket), so each live read connects
 * and disconnects again.
 */
import { existsSync } from 'node:fs';
import { DebugClient } from './debug-client.js';
import type { InspectSource } from './inspect-command.js';
import { liveHeap } from './live-source.js';
import { storeSource } from './store-file.js';

/** How long a live read may take: a whole space over the serial channel under TCG. */
const LIVE_TIMEOUT_MS = 60_000;

export interface InspectableMachine {
  /** The store disk (raw or qcow2). */
  readonly disk: string;
  /** The debug channel's unix socket. */
  readonly debugSocket: string;
  /** Whether the machine runs (or is paused) now. */
  running(): Promise<boolean>;
}

export function machineSource(machine: InspectableMachine): InspectSource {
  const store = storeSource(machine.disk);
  return {
    generations: () => store.generations(),
    load: async (n) => {
      if (n === undefined && existsSync(machine.debugSocket) && (await machine.running())) {
        const { client, hello } = await DebugClient.connect(machine.debugSocket, LIVE_TIMEOUT_MS);
        try {
          return { ...(await liveHeap(client, hello)), live: true };
        } finally {
          client.close();
        }
      }
      return store.load(n);
    },
  };
}
