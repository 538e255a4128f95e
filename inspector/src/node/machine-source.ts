/**
 * An InspectSource over one machine, as the CLI and the studio both read it: committed
 * generations from its store disk (safe beside a running machine: they never change), and "now"
 * (no generation named) live through its debug channel while it runs, read with the world
 * paused: only the pages that differ from the committed generation, which comes from the disk
 * (nowHeap; every page from a kernel before revision 4). Each live read connects and disconnects again: QEMU's own socket admits one client at a
 * time, and a machine's channel broker (vm-manager's) serves any number but costs a connection each.
 */
import { existsSync } from 'node:fs';
import { DebugClient } from './debug-client.js';
import type { InspectSource } from './inspect-command.js';
import { nowHeap } from './live-source.js';
import { committedSpaces, storeSource } from './store-file.js';

/** How long a live read may take: a whole space over the serial channel under TCG (an older kernel's). */
const LIVE_TIMEOUT_MS = 60_000;

export interface InspectableMachine {
  /** The store disk (raw or qcow2). */
  readonly disk: string;
  /**
   * The debug channel's unix socket, or a function that finds it (vm-manager's starts the
   * machine's channel broker when none serves); asked only while the machine runs.
   */
  readonly debugSocket: string | (() => Promise<string>);
  /** Whether the machine runs (or is paused) now. */
  running(): Promise<boolean>;
}

export function machineSource(machine: InspectableMachine): InspectSource {
  const store = storeSource(machine.disk);
  const committed = committedSpaces(machine.disk);
  return {
    generations: () => store.generations(),
    // Committed generations only, from the disk: asking never stops or slows the machine.
    when: (...args) => store.when!(...args),
    load: async (n) => {
      const { debugSocket } = machine;
      const reachable = typeof debugSocket === 'function' || existsSync(debugSocket);
      if (n === undefined && reachable && (await machine.running())) {
        const path = typeof debugSocket === 'function' ? await debugSocket() : debugSocket;
        const { client, hello } = await DebugClient.connect(path, LIVE_TIMEOUT_MS);
        try {
          const { generation, heap } = await nowHeap(client, hello, committed);
          return { generation, heap, live: true };
        } finally {
          client.close();
        }
      }
      return store.load(n);
    },
  };
}
