/**
 * The contract every hypervisor driver keeps, so `Machine` and its checkpoints work the same on
 * QEMU directly and through libvirt. The contract test suite (`driver.contract.test.ts`) runs
 * against each implementation.
 */
import type { MachineConfig } from '../common/api.js';
import type { Event } from '../common/events.js';

/** What the hypervisor says about the guest; `off` means no hypervisor process is running it. */
export type RuntimeState = 'running' | 'paused' | 'shutdown' | 'failed' | 'off';

/** A byte stream to and from the guest's first serial port. */
export interface ConsoleSource {
  readonly onData: Event<Uint8Array>;
  readonly onDidClose: Event<void>;
  write(data: Uint8Array | string): void;
  /** Flow control: stop reading (the hypervisor then holds or drops output) until `resume`. */
  pause(): void;
  resume(): void;
  close(): void;
}

/** What one boot differs in from the machine's config. */
export interface BootOptions {
  /** Boot this kernel generation instead of the newest (a rollback). */
  generation?: number;
}

export interface Driver {
  readonly kind: MachineConfig['driver'];
  /** Starts the hypervisor; resolves once the guest runs. */
  start(config: MachineConfig, boot: BootOptions): Promise<void>;
  runtimeState(): Promise<RuntimeState>;
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
