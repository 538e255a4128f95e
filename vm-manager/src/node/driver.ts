/**
 * The contract every hypervisor driver keeps, so `Machine` and its checkpoints work the same on
 * QEMU directly and through libvirt. The contract test suite (`driver.contract.test.ts`) runs
 * against each implementation.
 */

import type { Event } from '@phantom/inspector/common/events.js';
import type { MachineConfig, StartResult } from '../common/api.js';

/**
 * What the hypervisor says about the guest; `off` means no hypervisor process is running it.
 * `failed`: the guest is dead but its hypervisor lives on (a kernel panic or halt announced on
 * the pvpanic device, an emulation error such as "KVM internal error"). `shutdown`: the guest
 * reset or powered itself off, which a Phantom kernel never does (machines run with resets
 * turned into shutdowns, so a triple fault ends here instead of in a reboot loop).
 */
export type RuntimeState = 'running' | 'paused' | 'shutdown' | 'failed' | 'off';

/** What the hypervisor can tell about a guest that died, for the machine's `crashed` reason. */
export interface FailureReport {
  /** What happened, in the hypervisor's terms made plain ("the CPU triple-faulted"). */
  cause: string;
  /** The hypervisor's last lines worth showing (its log, without register dumps). */
  lines: string[];
}

/** A byte stream to and from the guest's first serial port. */
export interface ConsoleSource {
  /**
   * Where in the console log this source's stream starts (bytes before it are in the log, bytes
   * from it on come as `onData`), when the source knows (the QEMU driver's console keeper says);
   * undefined when it does not (libvirt's `virsh console`).
   */
  readonly logOffset?: number;
  /** Output from `logOffset` on (the console keeper's source holds it until someone listens). */
  readonly onData: Event<Uint8Array>;
  readonly onDidClose: Event<void>;
  write(data: Uint8Array | string): void;
  /**
   * No pause: a serial port's output cannot be held up without loss (QEMU drops it after a few
   * retries), so a source is always read; slow readers are handled per attachment by the hub.
   */
  close(): void;
}

/** What one boot differs in from the machine's config. */
export interface BootOptions {
  /** Boot this kernel generation instead of the newest (a rollback). */
  generation?: number;
}

export interface Driver {
  readonly kind: MachineConfig['driver'];
  /** Starts the hypervisor; resolves once the guest runs, with the accelerator it runs under. */
  start(config: MachineConfig, boot: BootOptions): Promise<StartResult>;
  runtimeState(): Promise<RuntimeState>;
  /** Why the guest is `failed`, `shutdown` or unexpectedly `off`; asked before it is powered off. */
  failureReport(): Promise<FailureReport>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** A clean stop: the guest's disk writes are flushed and the hypervisor exits. */
  stop(timeoutMs: number): Promise<void>;
  /** Pulls the plug: no flush, like a power cut. */
  powerOff(): Promise<void>;
  saveSnapshot(tag: string): Promise<void>;
  /** Restores CPU, RAM and disk of a live guest; resolves to whether it runs afterwards. */
  loadSnapshot(tag: string): Promise<'running' | 'paused'>;
  deleteSnapshot(tag: string): Promise<void>;
  /** The snapshot tags the hypervisor holds for this machine. */
  listSnapshots(): Promise<string[]>;
  openConsole(): Promise<ConsoleSource>;
  /** Removes whatever the hypervisor keeps about the machine besides its directory. */
  forget(): Promise<void>;
  /** Closes connections this process holds; the machine runs on. */
  dispose(): void;
}
