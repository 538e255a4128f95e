/**
 * The machine bar's and timeline's side of the host: vm-manager's `Machines` service behind
 * the UI's API. It turns vm-manager's build events into progress events, its consoles into
 * stream sources, and its generations and checkpoints into the timeline; state changes and
 * new generations are pushed to every connected renderer. While anyone watches, each running
 * machine is followed (live-machine.ts): the kernel announces each generation it commits on the
 * debug channel, the host reads it from the store disk and pushes it. Snapshot now, installs and
 * the inspector's "now" are vm-manager's (`Machine.channel`, as the CLI's `phantom snapshot` and
 * `phantom install` use it), on the same connection.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DapHost } from '@phantom/inspector/node/dap/session.js';
import type { ChannelConnection } from '@phantom/inspector/node/shared-channel.js';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import type { BuildOptions } from '@phantom/vm-manager/common/api.js';
import { type ImageDefinition, imageMachineConfig } from '@phantom/vm-manager/common/image-definition.js';
import { chooseAccelerator } from '@phantom/vm-manager/node/accelerator.js';
import { build, SOURCE_ROOT } from '@phantom/vm-manager/node/build.js';
import { machinesDapHost } from '@phantom/vm-manager/node/dap.js';
import { readGenerations } from '@phantom/vm-manager/node/generations.js';
import { defaultKernelPath } from '@phantom/vm-manager/node/host-report.js';
import { builtImagePath, imagesDir, listImages, readImage } from '@phantom/vm-manager/node/images.js';
import {
  type ConsoleAttachment,
  type Disposable,
  type Machine,
  type MachineStatus,
  Machines,
  machineNameProblem,
  type RevertResult,
  type RollbackResult,
  VmError,
} from '@phantom/vm-manager/node/index.js';
import type { InstallResult } from '@phantom/vm-manager/node/machine-channel.js';
import {
  ApiError,
  ErrorCode,
  type EventData,
  type EventMessage,
  type EventName,
  type HostAccelerator,
  type ImageSummary,
  type MachineSummary,
  type Timeline,
} from '../common/api.js';
import { DelayedDeletes } from './delayed-deletes.js';
import { LiveMachine } from './live-machine.js';
import type { StreamSource } from './stream-hub.js';
import { GenerationHistory } from './timeline-history.js';

/** The timeline's record of every generation seen, in the machine's folder (timeline-history.ts). */
const HISTORY_FILE = 'studio-timeline.jsonl';

/**
 * How often machines are checked while anyone is watching: one that runs without being followed
 * yet (started by the CLI, or the channel was busy) is followed, and the timeline of one whose
 * channel cannot be reached is refreshed from its store disk.
 */
const GENERATION_POLL_MS = 2000;

/** How long a deleted checkpoint can be taken back (GNOME Boxes gives its undo about as long). */
export const CHECKPOINT_UNDO_MS = 10_000;

type Listener = (message: EventMessage) => void;

/** vm-manager's errors that are the caller's mistake, not a failure. */
const badInput = new Set([
  'bad-input',
  'bad-state',
  'name-taken',
  'no-such-machine',
  'no-such-checkpoint',
  'checkpoint-taken',
]);

function translate(err: unknown): never {
  if (err instanceof VmError)
    throw new ApiError({
      code: badInput.has(err.code) ? ErrorCode.InvalidParams : ErrorCode.Failed,
      message: err.message,
      details: err.stack,
    });
  throw err;
}

function summary(status: MachineStatus, made: { image?: string; program?: string }): MachineSummary {
  return {
    name: status.name,
    state: status.state,
    driver: status.driver,
    ...(made.image ? { image: made.image } : {}),
    ...(made.program ? { program: made.program } : {}),
    ...(status.reason ? { reason: status.reason } : {}),
  };
}

/** A machine's serial console as a stream source; vm-manager's own flow control follows ours. */
class ConsoleSource implements StreamSource {
  private readonly decoder = new TextDecoder();
  private paused = false;
  private unackedBytes = 0;
  private disposed = false;

  constructor(private readonly attachment: ConsoleAttachment) {}

  onData(listener: (text: string) => void): void {
    if (this.attachment.scrollback.length > 0)
      queueMicrotask(() => listener(this.decoder.decode(this.attachment.scrollback, { stream: true })));
    this.attachment.onData((bytes) => {
      listener(this.decoder.decode(bytes, { stream: true }));
      if (this.paused) this.unackedBytes += bytes.length;
      else this.attachment.ack(bytes.length);
    });
  }

  onEnd(listener: (reason: string) => void): void {
    this.attachment.onDidClose(() => {
      if (!this.disposed) listener('the machine stopped');
    });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.unackedBytes > 0) this.attachment.ack(this.unackedBytes);
    this.unackedBytes = 0;
  }

  write(text: string): void {
    this.attachment.write(text);
  }

  dispose(): void {
    this.disposed = true;
    this.attachment.dispose();
  }
}

/** How much of a stopped machine's console log its console tab shows. */
const RECORDED_CONSOLE_BYTES = 64 * 1024;

/** A console that is no longer live: its recorded text once, then the end. */
class RecordedConsole implements StreamSource {
  private ended = false;

  constructor(
    private readonly text: string,
    private readonly reason: string,
  ) {}

  onData(listener: (text: string) => void): void {
    if (this.text) queueMicrotask(() => this.ended || listener(this.text));
  }

  onEnd(listener: (reason: string) => void): void {
    queueMicrotask(() => this.ended || listener(this.reason));
  }

  pause(): void {}

  resume(): void {}

  dispose(): void {
    this.ended = true;
  }
}

/**
 * What a packaged studio carries instead of a build: the kernel, and the image definitions with
 * each one's built image beside it (`<name>.img`), made by `npm run dist` (electron-builder.yml's
 * extraResources). A package has no kernel sources, compiler or `node` to build with.
 */
export interface PrebuiltMachineFiles {
  kernelPath: string;
  /** The package's images/ folder: `<name>.json` and `<name>.img` for each image. */
  imagesDir: string;
}

/** What a machine is built from: the image it names, or the program of a machine made before images/. */
function buildTarget(made: { image?: string; program?: string }): BuildOptions {
  if (made.image) return { image: made.image };
  if (made.program) return { program: made.program };
  return {};
}

export class MachineService {
  private readonly machines: Machines;
  private readonly listeners = new Set<Listener>();
  private readonly newest = new Map<string, number | null>();
  private readonly live = new Map<string, LiveMachine>();
  private poll: ReturnType<typeof setInterval> | undefined;
  private readonly histories = new Map<string, { file: string; history: Promise<GenerationHistory> }>();
  /** Checkpoints deleted in the studio whose undo time is not up (delayed-deletes.ts). */
  private readonly pendingDeletes = new DelayedDeletes(CHECKPOINT_UNDO_MS, (name, checkpoint) =>
    this.deleteNow(name, checkpoint),
  );
  /** The watch of the machines folder, while anyone listens: what the CLI does shows at once. */
  private watching: Disposable | undefined;

  constructor(
    machinesRoot?: string,
    private readonly prebuilt?: PrebuiltMachineFiles,
  ) {
    this.machines = new Machines(machinesRoot ? { root: machinesRoot } : {});
    this.machines.onDidChangeState(({ name, state, reason }) => {
      this.emit('machine.state', { machine: name, state, ...(reason ? { detail: reason } : {}) });
      this.emit('machine.timeline', { machine: name });
      if (state === 'running' && this.listeners.size > 0) void this.follow(name);
    });
    this.machines.onDidChangeMachines(() => this.emit('machines.changed', {}));
    this.machines.onDidChangeCheckpoints((name) => this.emit('machine.timeline', { machine: name }));
  }

  /** The vm-manager machine itself, for services that read its disks and channels (the inspector). */
  machine(name: string): Promise<Machine> {
    return this.machines.get(name);
  }

  /**
   * The machines as the debug adapter reaches them (vm-manager's, as `phantom dap` does);
   * `ended` is told when a session is over.
   */
  debugHost(ended: () => void): DapHost {
    return machinesDapHost(this.machines, ended);
  }

  /** Subscribes to the service's events; the returned function unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.poll) {
      this.poll = setInterval(() => void this.checkGenerations(), GENERATION_POLL_MS);
      void this.checkGenerations();
    }
    this.watching ??= this.machines.watch();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.poll);
        this.poll = undefined;
        this.watching?.dispose();
        this.watching = undefined;
        this.stopFollowing();
      }
    };
  }

  /**
   * The newest generation machine `name` committed since the host began following it, as read
   * from its store disk, if it is the one asked for.
   */
  followedGeneration(name: string, generation: number): Uint8Array | undefined {
    const latest = this.live.get(name)?.latest;
    return latest?.generation === generation ? latest.bytes : undefined;
  }

  /**
   * Runs `action` on machine `name`'s debug channel in its turn (vm-manager's `Machine.channel`),
   * or an API error that says why the channel cannot be reached.
   */
  async withDebugChannel<T>(name: string, action: (connection: ChannelConnection) => Promise<T>): Promise<T> {
    return (await this.get(name)).channel.use(action).catch(translate);
  }

  async list(): Promise<MachineSummary[]> {
    const statuses = await this.machines.list().catch(translate);
    return Promise.all(statuses.map(async (s) => summary(s, (await this.machines.get(s.name)).config)));
  }

  /** The image definitions machines can be made from (a broken one with its problem). */
  async images(): Promise<ImageSummary[]> {
    return listImages(this.imagesDir).catch(translate);
  }

  /** Builds image `image` (unless the package carries it) and creates machine `name` from it. */
  async create(name: string, image: string | undefined): Promise<MachineSummary> {
    // Refuse a bad name before the build, which can take minutes.
    const problem = machineNameProblem(name);
    if (problem) translate(new VmError('bad-input', problem));
    const built = await this.build(name, image === undefined ? {} : { image });
    const machine = await this.machines
      .create(name, {
        kernelPath: built.kernelPath,
        ...(built.imagePath ? { imagePath: built.imagePath } : {}),
        ...(built.definition ? imageMachineConfig(built.definition) : {}),
      })
      .catch(translate);
    // Watching a machine is what makes vm-manager report its state changes.
    machine.onDidChangeState(() => undefined);
    return summary(await machine.status(), machine.config);
  }

  async rebuild(name: string): Promise<void> {
    const machine = await this.get(name);
    await this.build(name, buildTarget(machine.config));
  }

  /** The accelerator machines get here, for the status bar: the one the kernel machines boot decides. */
  async accelerator(): Promise<HostAccelerator> {
    try {
      const choice = await chooseAccelerator({
        kernelPath: this.prebuilt?.kernelPath ?? defaultKernelPath(),
      });
      return { name: choice.accel, why: choice.why };
    } catch (err) {
      return { name: null, why: (err as Error).message };
    }
  }

  async start(name: string): Promise<void> {
    const machine = await this.get(name);
    this.progress(name, 'boot', 'starting QEMU', 10, false);
    let notes: string[] = [];
    try {
      notes = (await machine.start()).notes;
    } catch (err) {
      this.progress(name, 'boot', 'start failed', 100, true);
      translate(err);
    }
    this.progress(name, 'boot', ['running', ...notes].join('; '), 100, true);
  }

  async stop(name: string): Promise<void> {
    await (await this.get(name)).stop().catch(translate);
  }

  async powerCut(name: string): Promise<void> {
    await (await this.get(name)).powerOff().catch(translate);
  }

  async checkpoint(name: string, checkpoint: string, description: string): Promise<void> {
    this.progress(name, 'checkpoint', `saving ${checkpoint}`, null, false);
    try {
      // A name whose deletion is still undoable is taken back by the new checkpoint.
      await this.pendingDeletes.now(name, checkpoint);
      await (await this.get(name)).checkpoints.create(checkpoint, description);
    } catch (err) {
      this.progress(name, 'checkpoint', 'failed', 100, true);
      translate(err);
    }
    this.progress(name, 'checkpoint', `saved ${checkpoint}`, 100, true);
    this.emit('machine.timeline', { machine: name });
  }

  async renameCheckpoint(name: string, checkpoint: string, newName: string): Promise<void> {
    await this.pendingDeletes.now(name, newName);
    await (await this.get(name)).checkpoints.rename(checkpoint, newName).catch(translate);
  }

  async describeCheckpoint(name: string, checkpoint: string, description: string): Promise<void> {
    await (await this.get(name)).checkpoints.describe(checkpoint, description).catch(translate);
  }

  /**
   * Deletes a checkpoint once `CHECKPOINT_UNDO_MS` have passed without `restoreCheckpoint`; the
   * timeline leaves it out meanwhile. A host that ends first leaves the checkpoint in place.
   */
  async deleteCheckpoint(
    name: string,
    checkpoint: string,
  ): Promise<{ freedBytes: number | null; undoMs: number }> {
    const machine = await this.get(name);
    await machine.checkpoints.get(checkpoint).catch(translate);
    const sizes = await machine.checkpoints.sizes().catch(() => new Map<string, number | null>());
    this.pendingDeletes.schedule(name, checkpoint);
    this.emit('machine.timeline', { machine: name });
    return { freedBytes: sizes.get(checkpoint) ?? null, undoMs: CHECKPOINT_UNDO_MS };
  }

  /** Takes back a deletion whose time is not up. */
  async restoreCheckpoint(name: string, checkpoint: string): Promise<void> {
    if (!this.pendingDeletes.cancel(name, checkpoint))
      throw new ApiError({
        code: ErrorCode.InvalidParams,
        message: `checkpoint '${checkpoint}' of '${name}' is not waiting to be deleted (its undo time is over)`,
      });
    this.emit('machine.timeline', { machine: name });
  }

  async checkpointSizes(name: string): Promise<{ name: string; bytes: number | null }[]> {
    const sizes = await (await this.get(name)).checkpoints.sizes().catch(translate);
    return [...sizes].map(([checkpoint, bytes]) => ({ name: checkpoint, bytes }));
  }

  /** Carries out a pending deletion (its time is up, or its name is wanted again). */
  private async deleteNow(name: string, checkpoint: string): Promise<void> {
    try {
      await (await this.get(name)).checkpoints.delete(checkpoint);
    } catch (err) {
      this.emit('studio.error', {
        title: `Checkpoint "${checkpoint}" of ${name} could not be deleted`,
        message: `${(err as Error).message}; it is still there`,
      });
    } finally {
      this.emit('machine.timeline', { machine: name });
    }
  }

  /** Asks the kernel for a generation now, over its debug channel; resolves to its number. */
  async snapshotNow(name: string): Promise<number> {
    const generation = await (await this.get(name)).channel.snapshotNow().catch(translate);
    this.emit('machine.timeline', { machine: name });
    return generation;
  }

  /** Installs classes into the running machine (vm-manager's `MachineChannel.installClasses`). */
  async installClasses(
    name: string,
    classes: readonly CompiledClass[],
    runClass?: string,
  ): Promise<InstallResult> {
    return (await this.get(name)).channel.installClasses(classes, runClass).catch(translate);
  }

  /** Restarts from a generation, keeping the present as a checkpoint first (vm-manager's rollback). */
  async rollback(
    name: string,
    generation: number,
  ): Promise<{ autoCheckpoint?: string; path: RollbackResult['path'] }> {
    this.progress(name, 'rollback', `rolling back to generation ${generation}`, null, false);
    let result: RollbackResult;
    try {
      result = await (await this.get(name)).rollbackToGeneration(
        generation,
        { autoCheckpoint: 'take' },
        (event) => {
          if (event.kind === 'step-fell-back') {
            this.progress(
              name,
              'rollback',
              `cannot roll back in place: ${event.reason}`,
              event.percent,
              false,
            );
            return;
          }
          if (event.kind !== 'step-started') return;
          const step =
            event.step === 'auto-checkpoint'
              ? 'keeping the present as a checkpoint'
              : event.step === 'rollback-in-place'
                ? `rolling back in place to generation ${generation}`
                : `restarting from generation ${generation}`;
          this.progress(name, 'rollback', step, event.percent, false);
        },
      );
    } catch (err) {
      this.progress(name, 'rollback', 'failed', 100, true);
      translate(err);
    }
    const how = result.path === 'in-place' ? 'rolled back in place' : 'restarted';
    this.progress(
      name,
      'rollback',
      `running from generation ${result.mounted ?? generation} (${how})`,
      100,
      true,
    );
    this.emit('machine.timeline', { machine: name });
    return { ...(result.autoCheckpoint ? { autoCheckpoint: result.autoCheckpoint } : {}), path: result.path };
  }

  /**
   * Reverts to a checkpoint, taking one of the present state first. The store disk goes back
   * with the machine, so the generations after the checkpoint leave the disk; the timeline keeps
   * them (timeline-history.ts) as an abandoned branch.
   */
  async revert(name: string, checkpoint: string): Promise<RevertResult> {
    this.progress(name, 'rollback', `reverting to checkpoint ${checkpoint}`, null, false);
    let result: RevertResult;
    try {
      // The generations of the branch being left are recorded before the disk forgets them.
      await this.timeline(name).catch(() => undefined);
      result = await (await this.get(name)).checkpoints.revert(
        checkpoint,
        { autoCheckpoint: 'take' },
        (event) => {
          if (event.kind !== 'step-started') return;
          const step =
            event.step === 'auto-checkpoint'
              ? 'keeping the present as a checkpoint'
              : `reverting to checkpoint ${checkpoint}`;
          this.progress(name, 'rollback', step, event.percent, false);
        },
      );
    } catch (err) {
      this.progress(name, 'rollback', 'failed', 100, true);
      translate(err);
    }
    this.progress(
      name,
      'rollback',
      result.state === 'stopped'
        ? `stopped at checkpoint ${checkpoint}`
        : `running from checkpoint ${checkpoint}`,
      100,
      true,
    );
    this.emit('machine.timeline', { machine: name });
    return result;
  }

  async timeline(name: string): Promise<Timeline> {
    const machine = await this.get(name);
    const [store, tree, history] = await Promise.all([
      Promise.resolve()
        .then(() => readGenerations(machine.dir.disk))
        .catch(translate),
      machine.checkpoints.list().catch(translate),
      this.history(name, machine),
    ]);
    const merged = await history.merge(store);
    const checkpoints: Timeline['checkpoints'] = [];
    const walk = (nodes: typeof tree.roots) => {
      for (const node of nodes) {
        const c = node.checkpoint;
        // One being deleted is left out; its children stay.
        if (!this.pendingDeletes.has(name, c.name))
          checkpoints.push({
            name: c.name,
            description: c.description,
            time: Date.parse(c.createdAt),
            generation: c.generation,
            parent: c.parent,
            withMemory: c.machineState !== 'stopped',
          });
        walk(node.children);
      }
    };
    walk(tree.roots);
    return { generations: merged.generations, checkpoints, current: merged.current };
  }

  /** The machine's generation history, loaded once; a new one if its folder was made anew. */
  private async history(name: string, machine: Machine): Promise<GenerationHistory> {
    const file = join(machine.dir.path, HISTORY_FILE);
    const known = this.histories.get(name);
    if (known?.file === file) {
      const history = await known.history;
      if (history.size === 0 || existsSync(file)) return history;
    }
    const history = GenerationHistory.open(file).catch((err: Error) => {
      // Unreadable as a whole (a bad line is only skipped): the timeline goes on from the disk
      // alone, and says why once.
      this.emit('studio.error', {
        title: `Cannot read the timeline history of ${name}`,
        message: `${err.message}; the timeline shows only the generations on the store disk`,
      });
      return GenerationHistory.inMemory();
    });
    this.histories.set(name, { file, history });
    return history;
  }

  /**
   * The machine's console: live while it runs; otherwise what it printed last (a crashed
   * machine's panic, the lines before a power cut), then the end, saying the machine's state.
   */
  async attachConsole(name: string): Promise<StreamSource> {
    const machine = await this.get(name);
    const { state } = await machine.status().catch(translate);
    if (state === 'running' || state === 'paused')
      return new ConsoleSource(await machine.attachConsole({ ack: 'manual' }).catch(translate));
    return new RecordedConsole(await machine.consoleLog(RECORDED_CONSOLE_BYTES), `the machine is ${state}`);
  }

  dispose(): void {
    clearInterval(this.poll);
    this.watching?.dispose();
    this.pendingDeletes.dispose();
    this.stopFollowing();
    this.machines.dispose();
  }

  private async get(name: string): Promise<Machine> {
    const machine = await this.machines.get(name).catch(translate);
    machine.onDidChangeState(() => undefined);
    return machine;
  }

  /** Where image definitions are read: the package's images/, else the checkout's. */
  private get imagesDir(): string {
    return this.prebuilt?.imagesDir ?? imagesDir(SOURCE_ROOT);
  }

  private async build(name: string, target: BuildOptions) {
    if (this.prebuilt) return this.prebuiltFiles(name, target, this.prebuilt);
    this.progress(name, 'build', 'starting', 0, false);
    try {
      const result = await build(target, (event) => {
        if (event.kind === 'step-started' || event.kind === 'step-finished')
          this.progress(name, 'build', event.step, event.percent, false);
      });
      this.progress(name, 'build', result.upToDate ? 'up to date' : 'built', 100, true);
      return result;
    } catch (err) {
      this.progress(name, 'build', 'failed', 100, true);
      return translate(err);
    }
  }

  /**
   * The package's kernel and the built image of `target`: an image it carries, or for a machine
   * made before images/, the image named like its program.
   */
  private async prebuiltFiles(name: string, target: BuildOptions, prebuilt: PrebuiltMachineFiles) {
    if (!existsSync(prebuilt.kernelPath))
      translate(new VmError('build-failed', `this package has no kernel (${prebuilt.kernelPath})`));
    let imagePath: string | undefined;
    let definition: ImageDefinition | undefined;
    const image = target.image ?? target.program;
    if (image !== undefined) {
      definition = await readImage(prebuilt.imagesDir, image).catch(translate);
      imagePath = builtImagePath(prebuilt.imagesDir, image);
      if (!existsSync(imagePath))
        translate(new VmError('bad-input', `this package has no built image for '${image}' (${imagePath})`));
    }
    this.progress(name, 'build', 'prebuilt', 100, true);
    return {
      kernelPath: prebuilt.kernelPath,
      ...(imagePath ? { imagePath } : {}),
      ...(definition && target.image !== undefined ? { definition } : {}),
      upToDate: true,
    };
  }

  /** The followed side of machine `name` (created on first use; connected only when asked). */
  private liveMachine(name: string, machine: Machine): LiveMachine {
    let live = this.live.get(name);
    if (!live) {
      live = new LiveMachine(machine.channel.shared, machine.dir.disk, {
        onGeneration: ({ generation, objects }) => {
          this.newest.set(name, generation);
          this.emit('machine.generation', { machine: name, generation, objects });
          this.emit('machine.timeline', { machine: name });
        },
        onProblem: (err) =>
          this.emit('studio.error', {
            title: `The studio cannot follow machine '${name}' live`,
            message: err.message,
            ...(err.stack ? { details: err.stack } : {}),
          }),
      });
      this.live.set(name, live);
    }
    return live;
  }

  private async follow(name: string): Promise<void> {
    const machine = await this.machines.get(name).catch(() => undefined);
    if (!machine) return;
    const { state } = await machine.status().catch(() => ({ state: 'stopped' }));
    // A machine that stopped meanwhile is not followed; connecting would only time out.
    if (state === 'running' && this.listeners.size > 0) await this.liveMachine(name, machine).follow();
  }

  private stopFollowing(): void {
    for (const live of this.live.values()) live.dispose();
    this.live.clear();
  }

  private async checkGenerations(): Promise<void> {
    const statuses = await this.machines.list().catch(() => []);
    for (const status of statuses) {
      if (status.state !== 'running') continue;
      const machine = await this.machines.get(status.name).catch(() => undefined);
      if (!machine) continue;
      // A followed machine's generations arrive as the kernel announces them.
      if (this.live.get(status.name)?.channel.connected) continue;
      void this.follow(status.name);
      let newest: number | null = null;
      try {
        newest = readGenerations(machine.dir.disk, 'listing').newest;
      } catch {
        continue;
      }
      if (this.newest.get(status.name) !== newest) {
        this.newest.set(status.name, newest);
        this.emit('machine.timeline', { machine: status.name });
      }
    }
  }

  private progress(
    machine: string,
    operation: EventData<'operation.progress'>['operation'],
    step: string,
    percent: number | null,
    done: boolean,
  ): void {
    this.emit('operation.progress', { machine, operation, step, percent, done });
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const listener of this.listeners) listener({ event, data } as EventMessage);
  }
}
