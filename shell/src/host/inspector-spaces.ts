/**
 * The bytes the inspector's views need: a machine's object space as of a generation, or "now"
 * when none is named and the machine runs. Committed generations come from the store disk (the
 * newest one the host follows is already in memory); "now" pauses the machine and reads over the
 * debug-channel connection the host keeps to it (machine-service.ts) the pages that differ from
 * its committed generation, which comes from memory or the disk (nowHeap). The views build their heap snapshot from these bytes in
 * the renderer, so the host sends each space once and answers no graph queries.
 */

import { parseLiteral, parseTarget, type WhenMode } from '@phantom/inspector/common/when.js';
import type { GenerationSummary } from '@phantom/inspector/node/inspect-command.js';
import { nowHeap } from '@phantom/inspector/node/live-source.js';
import type { ChannelConnection } from '@phantom/inspector/node/shared-channel.js';
import { committedSpaces, storeSource } from '@phantom/inspector/node/store-file.js';
import type { WhenOnDisk } from '@phantom/inspector/node/store-pages.js';
import { SH_TOP, SPACE_BASE } from '@phantom/lang/common/spec/generated.js';
import { ApiError, ErrorCode } from '../common/api.js';

/**
 * The part of a space in use: up to its SH_TOP. A space is as big as the machine's (16 MiB by
 * default) but a program uses a few hundred KiB of it, and a view that follows the machine is
 * sent a space every snapshot interval.
 */
export function usedPart(space: Uint8Array): Uint8Array {
  const top = new DataView(space.buffer, space.byteOffset, space.byteLength).getUint32(SH_TOP, true);
  const used = top - SPACE_BASE;
  return used > 0 && used < space.length ? space.subarray(0, used) : space;
}

/** What this needs of a machine (vm-manager's Machine has it). */
export interface InspectableMachine {
  readonly dir: { readonly disk: string };
  status(): Promise<{ state: string }>;
}

/** What this needs of the machine service: its machines and the channel it keeps to each. */
export interface MachineAccess {
  machine(name: string): Promise<InspectableMachine>;
  /** The newest followed generation's bytes, when it is `generation`. */
  followedGeneration(name: string, generation: number): Uint8Array | undefined;
  withDebugChannel<T>(name: string, action: (connection: ChannelConnection) => Promise<T>): Promise<T>;
}

export interface MachineSpace {
  generation: number;
  /** Whether this is the running machine now rather than a committed generation. */
  live: boolean;
  bytes: Uint8Array;
}

export class InspectorSpaces {
  /** "Now" reads in progress: a second asker shares the first's instead of pausing the machine again. */
  private readonly nowReads = new Map<string, Promise<MachineSpace>>();
  /** Per machine: committed spaces read from its disk, when the followed one is not the one "now" needs. */
  private readonly committed = new Map<string, (generation: number) => Uint8Array>();

  constructor(private readonly machines: MachineAccess) {}

  async generations(name: string): Promise<GenerationSummary[]> {
    const machine = await this.machines.machine(name);
    return storeSource(machine.dir.disk).generations();
  }

  /**
   * "When did this change?" over the machine's committed generations, read page by page from its
   * store disk: the machine runs on untouched.
   */
  async when(
    name: string,
    ref: number,
    targetText: string,
    options: { equals?: string; all?: boolean },
  ): Promise<WhenOnDisk> {
    const invalid = (message: string) => new ApiError({ code: ErrorCode.InvalidParams, message });
    const target = parseTarget(targetText);
    if (!target) throw invalid(`what to follow is .field, [index] or ["entry"], not ${targetText}`);
    if (options.equals !== undefined && options.all) throw invalid('equals and all do not go together');
    let mode: WhenMode = options.all ? { kind: 'all' } : { kind: 'last' };
    if (options.equals !== undefined) {
      const value = parseLiteral(options.equals);
      if (!value) throw invalid(`equals takes an integer, null, true, false or @0x…, not ${options.equals}`);
      mode = { kind: 'equals', value };
    }
    const machine = await this.machines.machine(name);
    try {
      return await storeSource(machine.dir.disk).when!(ref, target, mode);
    } catch (err) {
      throw new ApiError({ code: ErrorCode.Failed, message: (err as Error).message });
    }
  }

  async space(name: string, generation?: number): Promise<MachineSpace> {
    const space = await this.wholeSpace(name, generation);
    return { ...space, bytes: usedPart(space.bytes) };
  }

  private async wholeSpace(name: string, generation?: number): Promise<MachineSpace> {
    const machine = await this.machines.machine(name);
    if (generation === undefined && (await this.runs(machine))) return this.now(name);
    if (generation !== undefined) {
      const followed = this.machines.followedGeneration(name, generation);
      if (followed) return { generation, live: false, bytes: followed };
    }
    const { generation: g, heap } = await storeSource(machine.dir.disk).load(generation);
    return { generation: g, live: false, bytes: heap.space };
  }

  private async runs(machine: InspectableMachine): Promise<boolean> {
    const { state } = await machine.status();
    return state === 'running' || state === 'paused';
  }

  private async committedSpace(name: string, generation: number): Promise<Uint8Array> {
    const followed = this.machines.followedGeneration(name, generation);
    if (followed) return followed;
    let read = this.committed.get(name);
    if (!read) {
      read = committedSpaces((await this.machines.machine(name)).dir.disk);
      this.committed.set(name, read);
    }
    return read(generation);
  }

  private now(name: string): Promise<MachineSpace> {
    let read = this.nowReads.get(name);
    if (!read) {
      read = this.machines
        .withDebugChannel(name, async ({ client, hello }) => {
          try {
            const { generation, heap } = await nowHeap(client, hello, (g) => this.committedSpace(name, g));
            return { generation, live: true, bytes: heap.space };
          } catch (err) {
            throw new ApiError({
              code: ErrorCode.Failed,
              message: client.closed
                ? `machine '${name}' stopped while it was being read`
                : `could not read machine '${name}' now: ${(err as Error).message}`,
            });
          }
        })
        .finally(() => this.nowReads.delete(name));
      this.nowReads.set(name, read);
    }
    return read;
  }
}
