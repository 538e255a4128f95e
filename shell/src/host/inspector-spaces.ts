/**
 * The bytes the inspector's views need: a machine's object space as of a generation, or "now"
 * when none is named and the machine runs (inspector/src/node/machine-source.ts reads both).
 * The views build their heap snapshot from these bytes in the renderer, so the host sends each
 * space once and answers no graph queries.
 */
import type { GenerationSummary } from '@phantom/inspector/node/inspect-command.js';
import {
  type InspectableMachine as MachineOnDisk,
  machineSource,
} from '@phantom/inspector/node/machine-source.js';

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

/** Runs `use` in the machine's turn on its debug channel (MachineService.takeDebugTurn). */
export type DebugTurn = <T>(machine: string, use: () => Promise<T>) => Promise<T>;

export class InspectorSpaces {
  constructor(
    private readonly machine: (name: string) => Promise<InspectableMachine>,
    /** A live read shares the debug channel with snapshots and installs: it waits for its turn. */
    private readonly takeDebugTurn: DebugTurn = (_machine, use) => use(),
  ) {}

  async generations(name: string): Promise<GenerationSummary[]> {
    return (await this.source(name)).generations();
  }

  async space(name: string, generation?: number): Promise<MachineSpace> {
    const source = await this.source(name);
    const {
      generation: g,
      heap,
      live,
    } = generation === undefined
      ? await this.takeDebugTurn(name, () => source.load(undefined))
      : await source.load(generation);
    return { generation: g, live: live === true, bytes: heap.space };
  }

  private async source(name: string) {
    const m = await this.machine(name);
    const onDisk: MachineOnDisk = {
      disk: m.dir.disk,
      debugSocket: m.dir.debugSocket,
      running: async () => {
        const { state } = await m.status();
        return state === 'running' || state === 'paused';
      },
    };
    return machineSource(onDisk);
  }
}
