/**
 * The public surface of vm-manager as types and schemas, with no Node or DOM, so the studio's
 * host and renderer share it: machine configuration (validated with zod), states, status,
 * checkpoints, generations, console attachments and build progress. The implementation is
 * `Machines` in `../node/machines.ts`.
 */

import type { Disposable, Event } from '@phantom/inspector/common/events.js';
import { z } from 'zod';
import type { Diagnostic } from './diagnostics.js';
import {
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  diskMiBSchema,
  type ImageDefinition,
  imageNameSchema,
  kernelCommandLineSchema,
  snapshotIntervalMsSchema,
  spaceMiBSchema,
} from './image-definition.js';
import { MAX_MACHINE_NAME_LENGTH, machineNameProblem } from './machine-name.js';
import type { Accelerator, MachineState } from './machine-state.js';

export const DRIVER_NAMES = ['qemu', 'libvirt'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

/** libvirt's local system daemon: the only URI that needs no remote host. */
export const DEFAULT_LIBVIRT_URI = 'qemu:///system';

/** Enough for the kernel, its object space and the page cache of a small demo. */
export const DEFAULT_MEMORY_MIB = 64;

const programName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a program is the base name of a lang/examples file');

export const machineConfigSchema = z
  .object({
    driver: z.enum(DRIVER_NAMES).default('qemu'),
    uri: z.string().min(1).default(DEFAULT_LIBVIRT_URI),
    memoryMiB: z.number().int().min(16).max(4096).default(DEFAULT_MEMORY_MIB),
    /** Size of the kernel's object space (built into the image). */
    spaceMiB: spaceMiBSchema.default(16),
    /** The kernel's interval between generations (its `snap=` option). */
    snapshotIntervalMs: snapshotIntervalMsSchema.default(DEFAULT_SNAPSHOT_INTERVAL_MS),
    /** Size of the store disk the machine gets when it has no image to start from. */
    diskMiB: diskMiBSchema.default(64),
    /** The image definition (images/NAME.json) the machine was made from. */
    image: imageNameSchema.optional(),
    /** A lang/examples program the machine was made from, by machines made before images/ existed. */
    program: programName.optional(),
    /** Further kernel options from the image definition (`debug=snapshots`), after the studio's own. */
    kernelCommandLine: kernelCommandLineSchema.default(''),
    /** The kernel ELF (multiboot); without one the machine boots the firmware alone. */
    kernelPath: z.string().min(1).optional(),
    /** A raw or qcow2 store image (`phc image`) copied into the machine's disk when it is created. */
    imagePath: z.string().min(1).optional(),
  })
  .strict();

export type MachineConfig = z.infer<typeof machineConfigSchema>;
export type MachineConfigInput = z.input<typeof machineConfigSchema>;

export const machineNameSchema = z
  .string()
  .max(MAX_MACHINE_NAME_LENGTH)
  .superRefine((name, ctx) => {
    const problem = machineNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export { ACCELERATORS, type Accelerator, MACHINE_STATES, type MachineState } from './machine-state.js';

/** The accelerator a boot used and, in one line, why (see node/accelerator.ts). */
export interface AcceleratorUsed {
  name: Accelerator;
  why: string;
}

/** What a start did besides starting the machine. */
export interface StartResult {
  accelerator: AcceleratorUsed;
  /** What was changed on the host so that the machine could start, in a sentence each (an ACL granted). */
  notes: string[];
}

export interface MachineStatus {
  name: string;
  state: MachineState;
  driver: DriverName;
  /** The libvirt URI, for the libvirt driver. */
  uri?: string;
  /** When the machine entered `state` (ms since the epoch). */
  since: number;
  /**
   * Why the machine crashed (what the hypervisor saw, with the console's and QEMU's last lines)
   * or failed to start, when it did.
   */
  reason?: string;
  /** The accelerator the running (or paused) machine was booted with. */
  accelerator?: AcceleratorUsed;
}

export interface MachineStateChange {
  name: string;
  previous: MachineState;
  state: MachineState;
  reason?: string;
}

export const checkpointNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a checkpoint name is letters, digits, ".", "-" and "_"');

export interface Checkpoint {
  /** Its name, which a rename changes. */
  name: string;
  /**
   * The hypervisor's name for it (the snapshot tag), fixed when it was taken: neither QEMU nor
   * libvirt can rename a snapshot. Absent in records made before renames: then it is `name`.
   */
  tag?: string;
  description: string;
  /** ISO 8601. */
  createdAt: string;
  /** The checkpoint that was current when this one was taken (the tree's edge). */
  parent: string | null;
  /** The kernel generation current when it was taken, or null when it could not be known. */
  generation: number | null;
  /** The last lines of the console when it was taken. */
  consoleTail: string;
  /**
   * Whether the machine ran or was paused (the checkpoint holds its memory and disks; a revert
   * restores that state too), or was stopped (the checkpoint holds the disk alone, and a revert
   * leaves the machine stopped).
   */
  machineState: 'running' | 'paused' | 'stopped';
}

export interface CheckpointNode {
  checkpoint: Checkpoint;
  children: CheckpointNode[];
}

export interface CheckpointTree {
  roots: CheckpointNode[];
  /** The checkpoint the machine last came from (taken or reverted to): "you are here". */
  current: string | null;
}

export const REVERT_AUTO_CHECKPOINT = ['take', 'skip'] as const;
export interface RevertOptions {
  /** Take a checkpoint of the present state first, so a mistaken revert loses nothing. */
  autoCheckpoint: (typeof REVERT_AUTO_CHECKPOINT)[number];
}

export interface RevertResult {
  revertedTo: string;
  /** The name of the checkpoint taken of the state before the revert, if one was. */
  autoCheckpoint?: string;
  /** The machine's state afterwards: a checkpoint of a stopped machine leaves it stopped. */
  state: 'running' | 'paused' | 'stopped';
}

export interface RollbackResult {
  /** The generation asked for. */
  generation: number;
  /** The name of the checkpoint taken of the state before the rollback, if one was. */
  autoCheckpoint?: string;
  /**
   * How the machine went back: 'in-place' (the kernel's ROLLBACK: QEMU kept running, the kernel
   * mounted the generation) or 'restart' (QEMU started again with gen=N: the machine was not
   * running, or its kernel predates ROLLBACK or its channel did not answer).
   */
  path: 'in-place' | 'restart';
  /** Why the restart path was taken, when it was. */
  restartReason?: string;
  /**
   * The generation the machine runs on, when the kernel said (in place): the one asked for, or
   * its parent or older when the mount found it damaged and fell back, as at boot.
   */
  mounted?: number;
}

/** What continuing a machine from a replay's state did (Machine.continueFromSpace). */
export interface BranchResult {
  /** The new generation: the replay's state, committed on a new branch. */
  generation: number;
  /** Its parent: the generation the replay ran from. */
  parent: number;
  /** Pages of the space that differ from the parent's. */
  pagesWritten: number;
  /** The name of the checkpoint taken of the state before (a running machine's), if one was. */
  autoCheckpoint?: string;
  /**
   * 'in-place': the machine runs on, its kernel committed the generation (BRANCH: QEMU kept
   * running). 'restart': it was running but could not go on in place (paused, an older kernel,
   * no answer); it stopped, the generation was written, and it started again on it.
   * 'next-start': it was stopped, and boots the new generation (the newest) when started.
   */
  path: 'in-place' | 'restart' | 'next-start';
  /** Why not in place, when a running machine restarted. */
  restartReason?: string;
}

/** What deleting a checkpoint gave back. */
export interface DeleteResult {
  /**
   * The bytes of machine memory the checkpoint held in the disk image (qcow2's vm-state), now
   * free for reuse; 0 for a checkpoint of a stopped machine, null when the hypervisor had lost it.
   */
  freedBytes: number | null;
}

/** One committed kernel generation as read from the store disk. */
export interface Generation {
  number: number;
  parent: number | null;
  /** ISO 8601, when the store records it. */
  committedAt: string | null;
  /** What the kernel measured for this snapshot (null where the record is unreadable). */
  stats: GenerationStats | null;
  /** Why the kernel will never resume this generation, when a check found out (null: nothing found). */
  damage: GenerationDamage | null;
  /** The generation the kernel resumes from at its next boot, by the store's mount rule (at most one). */
  resumes: boolean;
}

/**
 * What is wrong with a generation (lang/docs/store-format.md, "Which generation a store mounts"):
 * its index entry (a number listed twice, a parent not older than it, ...), its record, a page-map
 * block, a page, or its object space's contents.
 */
export interface GenerationDamage {
  kind: 'entry' | 'record' | 'map' | 'page' | 'contents';
  reason: string;
}

/** A generation record's statistics (lang/spec/store.def, GEN_*). */
export interface GenerationStats {
  /** Machine time at the snapshot, ms. */
  machineMs: number;
  /** Stop-the-world pause, µs. */
  pauseUs: number;
  pagesCopiedOnWrite: number;
  pagesWritten: number;
  bytesWritten: number;
  writeUs: number;
  commitUs: number;
}

/** A live connection to a machine's serial console. */
export interface ConsoleAttachment extends Disposable {
  /** What the console printed before this attachment (the scroll-back ring, up to 1 MiB). */
  readonly scrollback: Uint8Array;
  /** Output in batches (about every 16 ms or 200 KB). */
  readonly onData: Event<Uint8Array>;
  /** Fires once when the console ends: the machine stopped or this attachment was disposed. */
  readonly onDidClose: Event<void>;
  /** Sends keystrokes to the guest. */
  write(data: Uint8Array | string): void;
  /**
   * Flow control: the consumer reports bytes it has shown. The stream pauses while more than
   * `CONSOLE_HIGH_WATER_BYTES` are unacknowledged. Consumers that never ack pass `ack: 'auto'`.
   */
  ack(bytes: number): void;
}

export interface ConsoleAttachOptions {
  ack: 'auto' | 'manual';
}

/** The machine's qcow2 disk is made from the image when the machine is created, not here. */
export const BUILD_STEPS = ['kernel', 'classes', 'image'] as const;
export type BuildStep = (typeof BUILD_STEPS)[number];

export type BuildEvent =
  | { kind: 'step-started'; step: BuildStep; percent: number }
  | { kind: 'step-finished'; step: BuildStep; percent: number; outcome: 'built' | 'up-to-date' }
  | { kind: 'step-failed'; step: BuildStep; percent: number; message: string }
  | { kind: 'log'; step: BuildStep; line: string }
  | { kind: 'diagnostic'; step: BuildStep; diagnostic: Diagnostic };

/** What to build: an image definition by name, or (for machines made before images/) a lang/examples program. */
export interface BuildOptions {
  /** An image definition in images/ by name (images/NAME.json). */
  image?: string;
  /** A lang/examples program by base name, built as the image `.demo.<program>` runs. */
  program?: string;
  /** The program's object space and disk; an image's come from its definition. */
  spaceMiB?: number;
  diskMiB?: number;
}

export interface BuildResult {
  kernelPath: string;
  /** The generation-0 store image (raw), when an image or a program was given. */
  imagePath: string | undefined;
  /** The definition the image was built from, when an image was named. */
  definition?: ImageDefinition;
  /** True when nothing needed rebuilding. */
  upToDate: boolean;
}
