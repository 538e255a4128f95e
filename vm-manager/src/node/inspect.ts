/**
 * `phantom inspect <machine> …`: the inspector's commands (inspector/src/node/inspect-command.ts)
 * over a machine. Committed generations come from its store disk; "now" (no --at) comes live
 * through the debug channel when the machine runs, read with the world paused, and from the
 * newest committed generation when it does not.
 */
import { existsSync } from 'node:fs';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { INSPECT_USAGE, type InspectSource, runInspect } from '@phantom/inspector/node/inspect-command.js';
import { liveHeap } from '@phantom/inspector/node/live-source.js';
import { storeSource } from '@phantom/inspector/node/store-file.js';
import type { Machines } from './machines.js';

/** A live read of a whole space over the serial channel under TCG can take a while. */
const LIVE_TIMEOUT_MS = 60_000;

export async function inspectMachine(
  machines: Machines,
  args: readonly string[],
  io: { out(text: string): void; err(text: string): void },
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-')) {
    io.err(`phantom inspect: a machine name comes first\n${INSPECT_USAGE}\n`);
    return 2;
  }
  const machine = await machines.get(name);
  const store = storeSource(machine.dir.disk);
  const { state } = await machine.status();
  const live = (state === 'running' || state === 'paused') && existsSync(machine.dir.debugSocket);
  let client: DebugClient | undefined;
  const source: InspectSource = {
    generations: () => store.generations(),
    load: async (n) => {
      if (n !== undefined || !live) return store.load(n);
      if (!client) {
        const connected = await DebugClient.connect(machine.dir.debugSocket, LIVE_TIMEOUT_MS);
        client = connected.client;
        return liveHeap(client, connected.hello);
      }
      throw new Error('the live machine is read once per command');
    },
  };
  try {
    return await runInspect(
      rest,
      source,
      (text) => io.out(`${text}\n`),
      (text) => io.err(`${text}\n`),
    );
  } finally {
    client?.close();
  }
}
