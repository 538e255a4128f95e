/**
 * Machine checkpoints: hypervisor snapshots (CPU, RAM and disk) with our own records beside
 * them in the machine's directory — name, description, parent, the kernel generation and the
 * console tail at that moment — so both drivers show the same tree with a "you are here" mark.
 * A stopped machine's checkpoint is a snapshot of its disk alone, made with qemu-img. Names and
 * descriptions are ours to change; the hypervisor keeps the tag a checkpoint was taken under.
 * Keeping the present before a revert or a rollback, and moving "you are here" after one, is
 * done here, so the CLI and the studio do it the same way.
 */
import {
  type Checkpoint,
  type CheckpointTree,
  checkpointNameSchema,
  type DeleteResult,
  type MachineState,
  type RevertOptions,
  type RevertResult,
} from '../common/api.js';
import {
  checkpointBefore,
  checkpointTag,
  checkpointTree,
  freeTag,
  renamedCheckpoints,
  withoutCheckpoint,
} from '../common/checkpoint-tree.js';
import { isVmError, VmError } from '../common/errors.js';
import { type OnMachineProgress, progressStep } from '../common/progress.js';
import type { Driver } from './driver.js';
import type { MachineDir } from './machine-dir.js';

/** Enough console to recognise the moment: about the last screenful. */
const CONSOLE_TAIL_BYTES = 2048;

/** Longest description kept (the studio's API allows as much). */
export const MAX_DESCRIPTION_CHARS = 1000;

export interface CheckpointHost {
  readonly dir: MachineDir;
  readonly driver: Driver;
  /** The machine's state, checked before each operation. */
  machineState(): Promise<MachineState>;
  /** Stops the machine cleanly (before a revert to a checkpoint of a stopped machine). */
  stop(): Promise<void>;
  consoleTail(bytes: number): Promise<string>;
  /** Marks an event in the machine's console (console-hub.ts). */
  markConsole(event: string): Promise<void>;
  currentGeneration(): Promise<number | null>;
}

/** The name of a checkpoint that keeps the present before a revert or a rollback. */
export function autoCheckpointName(now = new Date()): string {
  return `auto-${now.toISOString().replace(/[:.]/g, '-')}`;
}

export class Checkpoints {
  constructor(private readonly host: CheckpointHost) {}

  async list(): Promise<CheckpointTree> {
    const records = await this.host.dir.readCheckpoints();
    return checkpointTree(records.checkpoints, records.current);
  }

  async get(name: string): Promise<Checkpoint> {
    const records = await this.host.dir.readCheckpoints();
    const found = records.checkpoints.find((c) => c.name === name);
    if (!found) throw this.missing(name, records.checkpoints);
    return found;
  }

  /**
   * The machine memory each checkpoint holds in the disk image, by name, in bytes: what deleting
   * it frees. 0 for a stopped machine's (the disk alone), null for one the hypervisor has lost.
   */
  async sizes(): Promise<Map<string, number | null>> {
    const [records, snapshots] = await Promise.all([
      this.host.dir.readCheckpoints(),
      this.host.dir.diskSnapshots(),
    ]);
    const held = new Map(snapshots.map((s) => [s.tag, s.vmStateBytes]));
    return new Map(records.checkpoints.map((c) => [c.name, held.get(checkpointTag(c)) ?? null]));
  }

  async create(name: string, description = '', onProgress?: OnMachineProgress): Promise<Checkpoint> {
    return progressStep('checkpoint', 0, 100, onProgress, () => this.take(name, description));
  }

  private async take(name: string, description: string): Promise<Checkpoint> {
    this.checkName(name);
    this.checkDescription(description);
    const state = await this.host.machineState();
    if (state === 'starting' || state === 'stopping')
      throw new VmError(
        'bad-state',
        `machine '${this.host.dir.name}' is ${state}: take the checkpoint once it runs or has stopped`,
      );
    const records = await this.host.dir.readCheckpoints();
    if (records.checkpoints.some((c) => c.name === name))
      throw new VmError(
        'checkpoint-taken',
        `machine '${this.host.dir.name}' already has a checkpoint '${name}'`,
      );
    const tag = freeTag(records.checkpoints, name);
    const live = state === 'running' || state === 'paused';
    // The guest is stopped while the record is read and the snapshot taken, so that the console
    // tail and the generation are those of the snapshot: on a loaded host a running guest went
    // on for seconds between them. The checkpoint records the state it was asked in.
    if (state === 'running') await this.host.driver.pause();
    let generation: number | null;
    let consoleTail: string;
    try {
      [generation, consoleTail] = await Promise.all([
        this.host.currentGeneration(),
        this.host.consoleTail(CONSOLE_TAIL_BYTES),
      ]);
      if (live) await this.host.driver.saveSnapshot(tag);
      else await this.offline('take a checkpoint', () => this.host.dir.createDiskSnapshot(tag));
    } finally {
      if (state === 'running') await this.host.driver.resume();
    }
    const checkpoint: Checkpoint = {
      name,
      ...(tag === name ? {} : { tag }),
      description,
      createdAt: new Date().toISOString(),
      parent: records.current,
      generation,
      consoleTail,
      machineState: live ? state : 'stopped',
    };
    // Read again: the snapshot took a while, and another process may have written meanwhile.
    const now = await this.host.dir.readCheckpoints();
    await this.host.dir.writeCheckpoints({
      current: name,
      checkpoints: [...now.checkpoints, checkpoint],
    });
    return checkpoint;
  }

  /** Keeps the present as a new checkpoint (before a revert or a rollback); resolves to its name. */
  async keepPresent(description: string): Promise<string> {
    const name = autoCheckpointName();
    await this.take(name, description);
    return name;
  }

  /**
   * Progress: the automatic checkpoint (when taken) and the revert share the bar evenly; both
   * write or read all guest RAM.
   */
  async revert(name: string, options: RevertOptions, onProgress?: OnMachineProgress): Promise<RevertResult> {
    const target = await this.get(name);
    let autoCheckpoint: string | undefined;
    let revertFrom = 0;
    if (options.autoCheckpoint === 'take') {
      // A memory checkpoint needs a running hypervisor to load it: refuse before keeping anything.
      if (target.machineState !== 'stopped') await this.activeState('revert');
      autoCheckpoint = await progressStep('auto-checkpoint', 0, 50, onProgress, () =>
        this.keepPresent(`state before reverting to '${name}'`),
      );
      revertFrom = 50;
    }
    const state = await progressStep('revert', revertFrom, 100, onProgress, () =>
      target.machineState === 'stopped' ? this.applyDiskCheckpoint(target) : this.load(target),
    );
    return { revertedTo: name, ...(autoCheckpoint ? { autoCheckpoint } : {}), state };
  }

  private async load(target: Checkpoint): Promise<'running' | 'paused'> {
    const name = target.name;
    // No state check first: the load itself fails on a machine that is not running, and only
    // then is the state read to say so. A revert is on the studio's critical path.
    let after: 'running' | 'paused';
    try {
      after = await this.host.driver.loadSnapshot(checkpointTag(target));
    } catch (err) {
      await this.activeState('revert');
      if (isVmError(err, 'qmp-error') && /not found|doesn't exist|does not exist|no such/i.test(err.message))
        throw new VmError(
          'no-such-checkpoint',
          `the hypervisor no longer has checkpoint '${name}': ${err.message}`,
        );
      throw err;
    }
    // QEMU keeps the run state the machine had before the revert, libvirt restores the
    // checkpoint's; either way, end in the checkpoint's.
    if (target.machineState === 'running' && after === 'paused') await this.host.driver.resume();
    if (target.machineState === 'paused' && after === 'running') await this.host.driver.pause();
    await this.madeCurrent(name);
    await this.host.markConsole(`reverted to checkpoint '${name}'`);
    return target.machineState === 'paused' ? 'paused' : 'running';
  }

  /** A stopped machine's checkpoint: stop the machine (cleanly), then put its disk back. */
  private async applyDiskCheckpoint(target: Checkpoint): Promise<'stopped'> {
    const state = await this.host.machineState();
    if (state === 'running' || state === 'paused') await this.host.stop();
    const tag = checkpointTag(target);
    if (!(await this.host.dir.diskSnapshots()).some((s) => s.tag === tag))
      throw new VmError('no-such-checkpoint', `the disk no longer has checkpoint '${target.name}'`);
    await this.offline('revert to a checkpoint', () => this.host.dir.applyDiskSnapshot(tag));
    await this.madeCurrent(target.name);
    await this.host.markConsole(`reverted to checkpoint '${target.name}' (the machine stays stopped)`);
    return 'stopped';
  }

  /**
   * The machine restarted at kernel generation `generation` (a rollback): "you are here" moves
   * to the newest checkpoint that restarted state still descends from (checkpoint-tree.ts).
   */
  async restartedAt(generation: number): Promise<void> {
    const records = await this.host.dir.readCheckpoints();
    const current = checkpointBefore(records.checkpoints, records.current, generation);
    if (current !== records.current) await this.host.dir.writeCheckpoints({ ...records, current });
  }

  /** Renames a checkpoint; the hypervisor's snapshot keeps its tag. */
  async rename(from: string, to: string): Promise<Checkpoint> {
    this.checkName(to);
    const target = await this.get(from);
    if (from === to) return target;
    const records = await this.host.dir.readCheckpoints();
    if (records.checkpoints.some((c) => c.name === to))
      throw new VmError(
        'checkpoint-taken',
        `machine '${this.host.dir.name}' already has a checkpoint '${to}'`,
      );
    await this.host.dir.writeCheckpoints(renamedCheckpoints(records.checkpoints, records.current, from, to));
    return this.get(to);
  }

  /** Replaces a checkpoint's description. */
  async describe(name: string, description: string): Promise<Checkpoint> {
    this.checkDescription(description);
    await this.get(name);
    const records = await this.host.dir.readCheckpoints();
    await this.host.dir.writeCheckpoints({
      ...records,
      checkpoints: records.checkpoints.map((c) => (c.name === name ? { ...c, description } : c)),
    });
    return this.get(name);
  }

  /** Deletes a checkpoint, its children moving up to its parent; says what that freed. */
  async delete(name: string): Promise<DeleteResult> {
    const target = await this.get(name);
    const tag = checkpointTag(target);
    const held = (await this.host.dir.diskSnapshots()).find((s) => s.tag === tag);
    if (held) {
      // libvirt does not know the disk-only snapshots qemu-img made; they go the way they came.
      if (target.machineState === 'stopped' && this.host.driver.kind === 'libvirt')
        await this.offline('delete a checkpoint of the stopped machine', () =>
          this.host.dir.deleteDiskSnapshot(tag),
        );
      else if ((await this.host.driver.listSnapshots()).includes(tag))
        await this.host.driver.deleteSnapshot(tag);
    }
    const records = await this.host.dir.readCheckpoints();
    await this.host.dir.writeCheckpoints(withoutCheckpoint(records.checkpoints, records.current, name));
    return { freedBytes: held ? held.vmStateBytes : null };
  }

  private async madeCurrent(name: string): Promise<void> {
    const records = await this.host.dir.readCheckpoints();
    await this.host.dir.writeCheckpoints({ ...records, current: name });
  }

  /**
   * Runs a qemu-img change of the disk while the machine is off, holding its start lock so no
   * process starts it meanwhile.
   */
  private async offline(action: string, change: () => Promise<void>): Promise<void> {
    const release = await this.host.dir.acquireStartLock();
    try {
      const state = await this.host.machineState();
      if (state !== 'stopped' && state !== 'crashed')
        throw new VmError('bad-state', `machine '${this.host.dir.name}' is ${state}: stop it to ${action}`);
      await change();
    } finally {
      await release();
    }
  }

  private checkName(name: string): void {
    const parsed = checkpointNameSchema.safeParse(name);
    if (!parsed.success) throw new VmError('bad-input', parsed.error.issues[0]!.message);
  }

  private checkDescription(description: string): void {
    if (description.length > MAX_DESCRIPTION_CHARS)
      throw new VmError('bad-input', `a description is at most ${MAX_DESCRIPTION_CHARS} characters`);
  }

  private async activeState(action: string): Promise<'running' | 'paused'> {
    const state = await this.host.machineState();
    if (state !== 'running' && state !== 'paused')
      throw new VmError(
        'bad-state',
        `machine '${this.host.dir.name}' must be running or paused to ${action} to a checkpoint of a running machine (it is ${state})`,
      );
    return state;
  }

  private missing(name: string, checkpoints: Checkpoint[]): VmError {
    const known = checkpoints.map((c) => c.name);
    const hint = known.length > 0 ? `; it has: ${known.join(', ')}` : '; it has none';
    return new VmError(
      'no-such-checkpoint',
      `machine '${this.host.dir.name}' has no checkpoint '${name}'${hint}`,
    );
  }
}
