/**
 * `phantom inspect <machine> …`: the inspector's commands (inspector/src/node/inspect-command.ts)
 * over a machine (inspector/src/node/machine-source.ts): committed generations from its store
 * disk; "now" (no --at) live through the machine's channel broker when it runs (so beside the
 * studio and any other client), else the newest committed generation.
 */
import { INSPECT_USAGE, runInspect } from '@phantom/inspector/node/inspect-command.js';
import { machineSource } from '@phantom/inspector/node/machine-source.js';
import type { Machines } from './machines.js';

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
  const source = machineSource({
    disk: machine.dir.disk,
    debugSocket: () => machine.channel.socket(),
    running: async () => {
      const { state } = await machine.status();
      return state === 'running' || state === 'paused';
    },
  });
  return runInspect(
    rest,
    source,
    (text) => io.out(`${text}\n`),
    (text) => io.err(`${text}\n`),
  );
}
