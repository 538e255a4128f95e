/**
 * Machine checkpoints: hypervisor snapshots (CPU, RAM and disk) with our own records beside
 * them in the machine's directory — name, description, parent, the kernel generation and the
 * console tail at that moment — so both drivers show the same tree with a "you are here" mark.
 */
import {
  type Checkpoint,
  type CheckpointTree,
  checkpointNameSchema,
  type RevertOptions,
  type RevertResult,
} from '../common/api.js';
import { checkpointTree } from '../common/checkpoint-tree.js';
import { isVmError, VmError } from '../common/errors.js';
import { type OnMachineProgress, progressStep } from '../common/progress.js';
import type { Driver } from './driver.js';
import type { MachineDir } from './machine-dir.js';

/** Enough console to recognise the moment: about the last screenful. */
const CONSOLE_TAIL_BYTES = 2048;

export interface CheckpointHost {
  readonly dir: MachineDir;
  readonly driver: Driver;
  /** The machine's state, checked before each operation. */
  runningState(): Promise<'running' | 'paused' | 'inactive'>;
  consoleTail(bytes: number): Promise<string>;
  /** Marks an event in the machine's console (console-hub.ts). */
  markConsole(event: string): Promise<void>;
  currentGeneration(): Promise<number | null>;
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

  async create(name: string, description = '', onProgress?: OnMachineProgress): Promise<Checkpoint> {
    return progressStep('checkpoint', 0, 100, onProgress, () => this.take(name, description));
  }

  private async take(name: string, description: string): Promise<Checkpoint> {
    const parsed = checkpointNameSchema.safeParse(name);
    if (!parsed.success) throw new VmError('bad-input', parsed.error.issues[0]!.message);
    const state = await this.activeState('take a checkpoint');
    const records = await this.host.dir.readCheckpoints();
    if (records.checkpoints.some((c) => c.name === name))
      throw new VmError(
        'checkpoint-taken',
        `machine '${this.host.dir.name}' already has a checkpoint '${name}'`,
      );
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
      await this.host.driver.saveSnapshot(name);
    } finally {
      if (state === 'running') await this.host.driver.resume();
    }
    const checkpoint: Checkpoint = {
      name,
      description,
      createdAt: new Date().toISOString(),
      parent: records.current,
      generation,
      consoleTail,
      machineState: state,
    };
    await this.host.dir.writeCheckpoints({
      current: name,
      checkpoints: [...records.checkpoints, checkpoint],
    });
    return checkpoint;
  }

  /**
   * Progress: the automatic checkpoint (when taken) and the revert share the bar evenly; both
   * write or read all guest RAM.
   */
  async revert(name: string, options: RevertOptions, onProgress?: OnMachineProgress): Promise<RevertResult> {
    const target = await this.get(name);
    const result: RevertResult = { revertedTo: name };
    let revertFrom = 0;
    if (options.autoCheckpoint === 'take') {
      const auto = `auto-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await progressStep('auto-checkpoint', 0, 50, onProgress, () =>
        this.take(auto, `state before reverting to '${name}'`),
      );
      result.autoCheckpoint = auto;
      revertFrom = 50;
    }
    await progressStep('revert', revertFrom, 100, onProgress, () => this.load(target));
    return result;
  }

  private async load(target: Checkpoint): Promise<void> {
    const name = target.name;
    // No state check first: the load itself fails on a machine that is not running, and only
    // then is the state read to say so. A revert is on the studio's critical path.
    let after: 'running' | 'paused';
    try {
      after = await this.host.driver.loadSnapshot(name);
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
    const records = await this.host.dir.readCheckpoints();
    await this.host.dir.writeCheckpoints({ ...records, current: name });
    await this.host.markConsole(`reverted to checkpoint '${name}'`);
  }

  async delete(name: string): Promise<void> {
    const target = await this.get(name);
    const tags = await this.host.driver.listSnapshots();
    if (tags.includes(name)) await this.host.driver.deleteSnapshot(name);
    const records = await this.host.dir.readCheckpoints();
    await this.host.dir.writeCheckpoints({
      current: records.current === name ? target.parent : records.current,
      checkpoints: records.checkpoints
        .filter((c) => c.name !== name)
        .map((c) => (c.parent === name ? { ...c, parent: target.parent } : c)),
    });
  }

  private async activeState(action: string): Promise<'running' | 'paused'> {
    const state = await this.host.runningState();
    if (state === 'inactive')
      throw new VmError(
        'bad-state',
        `machine '${this.host.dir.name}' must be running or paused to ${action}`,
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
