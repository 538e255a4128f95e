/**
 * The `Machines` service: named machines under the state dir, each with a state machine
 * (stopped → starting → running ⇄ paused → stopping → stopped; a hypervisor that dies makes it
 * crashed and leaves its disks alone), its console, its checkpoints and its generations. The
 * studio's host and the `phantom` CLI both use it; the truth lives in the machine directory and
 * the hypervisor, so several processes can look at the same machine.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Disposable, Emitter, type Event } from '@phantom/inspector/common/events.js';
import {
  type AcceleratorUsed,
  type BranchResult,
  type ConsoleAttachment,
  type ConsoleAttachOptions,
  type MachineConfig,
  type MachineConfigInput,
  type MachineState,
  type MachineStateChange,
  type MachineStatus,
  machineConfigSchema,
  type RevertOptions,
  type RollbackResult,
  type StartResult,
} from '../common/api.js';
import { isVmError, VmError } from '../common/errors.js';
import { crashReason, lastMeaningfulLines } from '../common/log-lines.js';
import { machineNameProblem } from '../common/machine-name.js';
import { type OnMachineProgress, progressStep } from '../common/progress.js';
import { channelBrokerPaths, ensureChannelBroker } from './channel-broker.js';
import { Checkpoints } from './checkpoints.js';
import { ConsoleHub } from './console-hub.js';
import type { BootOptions, Driver, RuntimeState } from './driver.js';
import { readGenerations, type StoreGenerations } from './generations.js';
import { LibvirtDriver } from './libvirt-driver.js';
import { MachineChannel } from './machine-channel.js';
import { describeIssues, MachineDir, type PersistedState } from './machine-dir.js';
import { QemuDriver } from './qemu-driver.js';
import { generationSpace } from './replay-branch.js';
import { machinesDir } from './state-dir.js';
import { StateFolderWatcher } from './state-watch.js';
import { type BranchWritten, writeBranch } from './store-branch.js';

/** How long a clean stop may take before the plug is pulled. */
export const STOP_TIMEOUT_MS = 30_000;
/**
 * How often a watched machine is checked for changes made elsewhere (another process, the guest):
 * a guest that dies shows as crashed within about this, plus one check.
 */
export const WATCH_INTERVAL_MS = 1000;
/** The console's lines quoted in a crashed machine's reason. */
const REPORTED_CONSOLE_LINES = 3;
/** How much of the console's log is searched for them. */
const CONSOLE_TAIL_BYTES = 8 * 1024;

function createDriver(dir: MachineDir, config: MachineConfig): Driver {
  return config.driver === 'libvirt' ? new LibvirtDriver(dir, config.uri) : new QemuDriver(dir);
}

export class Machine {
  private readonly onDidChangeStateEmitter = new Emitter<MachineStateChange>();
  private readonly driver: Driver;
  private readonly hub: ConsoleHub;
  private queue: Promise<unknown> = Promise.resolve();
  private watchTimer: NodeJS.Timeout | undefined;
  private watchCheckPending = false;
  /**
   * The state this process last reported, or first saw. Changes are reported against it, so a
   * change another process made (and wrote to the state file) is reported here too.
   */
  private reported: MachineState | undefined;
  private debugChannel: MachineChannel | undefined;
  readonly checkpoints: Checkpoints;

  /** Fires on every state change this process sees; subscribing starts watching the machine. */
  readonly onDidChangeState: Event<MachineStateChange> = (listener) => {
    const subscription = this.onDidChangeStateEmitter.event(listener);
    this.watch();
    return {
      dispose: () => {
        subscription.dispose();
        if (this.onDidChangeStateEmitter.listenerCount === 0) this.unwatch();
      },
    };
  };

  constructor(
    readonly dir: MachineDir,
    readonly config: MachineConfig,
  ) {
    this.driver = createDriver(dir, config);
    this.hub = new ConsoleHub(
      dir.consoleLog,
      () => this.driver.openConsole(),
      async () => {
        const runtime = await this.driver.runtimeState().catch(() => 'off');
        return runtime === 'running' || runtime === 'paused';
      },
    );
    this.checkpoints = new Checkpoints({
      dir,
      driver: this.driver,
      machineState: async () => (await this.status()).state,
      stop: () => this.stop(),
      consoleTail: (bytes) => this.hub.tail(bytes),
      markConsole: (event) => this.hub.mark(event),
      currentGeneration: async () => {
        try {
          return readGenerations(dir.disk, 'listing').newest;
        } catch {
          return null;
        }
      },
    });
  }

  get name(): string {
    return this.dir.name;
  }

  /** The state as the hypervisor sees it now, reconciled with what was recorded. */
  status(): Promise<MachineStatus> {
    return this.serialize(() => this.reconcile());
  }

  /** Starts the machine; resolves with the accelerator and what was changed on the host to let it start. */
  start(boot: BootOptions = {}): Promise<StartResult> {
    return this.serialize(async () => {
      const socketProblem = this.dir.socketPathProblem();
      if (socketProblem) throw new VmError('bad-input', socketProblem);
      const release = await this.dir.acquireStartLock();
      try {
        const { state } = await this.reconcile();
        if (state !== 'stopped' && state !== 'crashed')
          throw new VmError('bad-state', `machine '${this.name}' is ${state}; stop it first`);
        await this.dir.checkDisk();
        await this.enter('starting');
        let started: StartResult;
        try {
          started = await this.driver.start(this.config, boot);
        } catch (err) {
          await this.enter('stopped', `start failed: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
        await this.enter('running', undefined, started.accelerator);
        for (const note of started.notes) await this.hub.mark(note);
        // Connect now so early output reaches the scroll-back even where the hypervisor keeps no
        // log of it in time (libvirt's pty drops output nobody reads; virtlogd writes later).
        await this.hub.connect().catch(() => undefined);
        return started;
      } finally {
        await release();
      }
    });
  }

  stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    return this.serialize(async () => {
      const { state } = await this.reconcile();
      if (state !== 'running' && state !== 'paused') return;
      await this.enter('stopping');
      await this.driver.stop(timeoutMs);
      this.hub.disconnect();
      await this.hub.mark('machine stopped');
      await this.enter('stopped');
    });
  }

  /** Pulls the plug, as a power cut would; the kernel's store must cope, and that is the point. */
  powerOff(): Promise<void> {
    return this.serialize(async () => {
      // Said first, so that another process watching sees a power cut, not a crash.
      const { state } = await this.dir.readState();
      if (state === 'running' || state === 'paused') await this.enter('stopping');
      await this.driver.powerOff();
      this.hub.disconnect();
      await this.hub.mark('power cut');
      await this.enter('stopped', 'powered off');
    });
  }

  pause(): Promise<void> {
    return this.serialize(async () => {
      const { state } = await this.reconcile();
      if (state === 'paused') return;
      if (state !== 'running')
        throw new VmError('bad-state', `machine '${this.name}' is ${state}, not running`);
      await this.guard(() => this.driver.pause());
      await this.enter('paused');
    });
  }

  resume(): Promise<void> {
    return this.serialize(async () => {
      const { state } = await this.reconcile();
      if (state === 'running') return;
      if (state !== 'paused')
        throw new VmError('bad-state', `machine '${this.name}' is ${state}, not paused`);
      await this.guard(() => this.driver.resume());
      await this.enter('running');
    });
  }

  async attachConsole(options: ConsoleAttachOptions = { ack: 'auto' }): Promise<ConsoleAttachment> {
    const { state } = await this.status();
    if (state !== 'running' && state !== 'paused')
      throw new VmError('bad-state', `machine '${this.name}' is ${state}; its console is in 'phantom logs'`);
    return this.hub.attach(options);
  }

  /** The console's recorded output (its log), last `bytes` of it. */
  consoleLog(bytes = 64 * 1024): Promise<string> {
    return this.hub.tail(bytes);
  }

  /** The folder of the records of which `phantom dap` set which breakpoints (dap-owners.ts). */
  get dapOwnersDir(): string {
    return this.dir.dapOwnersDir;
  }

  /** Path of the console's log on disk (everything the machine printed), which the studio pages through. */
  get consoleLogPath(): string {
    return this.dir.consoleLog;
  }

  /**
   * Path of QEMU's unix socket carrying the kernel's debug channel (the virtio-serial port a kernel
   * of this tree serves; serial port 2's socket is the fallback of older kernels). It serves one
   * client, the machine's channel broker once anyone uses `channel`; clients go through that.
   */
  get debugChannelPath(): string {
    return this.dir.debugPortSocket;
  }

  /**
   * The kernel's debug channel as this process uses it (one connection, taken in turns): snapshot
   * now, install classes, and the connection itself for the inspector's reads.
   */
  get channel(): MachineChannel {
    this.debugChannel ??= new MachineChannel(this, async () => {
      const { state } = await this.status();
      if (state !== 'running' && state !== 'paused')
        throw new VmError('bad-state', `machine '${this.name}' is ${state}: its debug channel is not served`);
      return ensureChannelBroker(channelBrokerPaths(this.dir), this.dir.channelBrokerLog);
    });
    return this.debugChannel;
  }

  /**
   * Kernel-generation rollback to generation `generation`. A running machine whose kernel can
   * goes back in place (the kernel's ROLLBACK: QEMU keeps running, the console keeper too);
   * otherwise the machine restarts from it (gen=N). Either way the kernel records the new
   * generations' parent, so the abandoned branch stays on the timeline. First the present is
   * kept as a checkpoint (unless skipped: a stopped machine's is its disk alone), and afterwards
   * "you are here" moves to the checkpoint the machine descends from — the same for the CLI and
   * the studio. The result says which path was taken.
   */
  async rollbackToGeneration(
    generation: number,
    options: RevertOptions = { autoCheckpoint: 'take' },
    onProgress?: OnMachineProgress,
  ): Promise<RollbackResult> {
    this.requireGeneration(generation);
    let autoCheckpoint: string | undefined;
    let from = 0;
    if (options.autoCheckpoint === 'take') {
      autoCheckpoint = await progressStep('auto-checkpoint', 0, 40, onProgress, () =>
        this.checkpoints.keepPresent(`state before rolling back to generation ${generation}`),
      );
      from = 40;
    }
    const kept = autoCheckpoint ? { autoCheckpoint } : {};
    const inPlace = await progressStep(
      'rollback-in-place',
      from,
      100,
      onProgress,
      () => this.channel.rollbackInPlace(generation),
      (result) =>
        typeof result === 'string' ? `${result}; restarting from generation ${generation}` : undefined,
    );
    if (typeof inPlace !== 'string') {
      await this.hub.mark(
        inPlace.generation === generation
          ? `rolled back to generation ${generation} in place`
          : `rolled back to generation ${inPlace.generation} in place (generation ${generation} is damaged)`,
      );
      await this.checkpoints.restartedAt(inPlace.generation);
      return { generation, ...kept, path: 'in-place', mounted: inPlace.generation };
    }
    await progressStep('stop', from, from + (100 - from) * 0.3, onProgress, () => this.stop());
    await this.hub.mark(`rolled back to generation ${generation}`);
    await progressStep('start', from + (100 - from) * 0.3, 100, onProgress, () => this.start({ generation }));
    await this.checkpoints.restartedAt(generation);
    return { generation, ...kept, path: 'restart', restartReason: inPlace };
  }

  /**
   * Continues the machine from `space` (a replay's state, run from kept generation `parent`): the
   * space becomes a new generation whose parent is `parent` — a new branch, as the first commit
   * after a rollback to `parent` is — and the machine goes on from it. Only the kernel writes a
   * store QEMU runs (kernel-src/docs/store.md, "Who writes a store"), so a running machine first
   * keeps its present as a checkpoint (unless skipped) and its kernel commits the space in place
   * (BRANCH); one that cannot stops, has the generation written by the kernel's own store code
   * (store-branch.ts), and starts again on it (gen=N, the rollback's restart path); a stopped one
   * boots it at its next start. A space the kernel would refuse or a store too full commits
   * nothing, and a running machine is left running.
   */
  async continueFromSpace(
    parent: number,
    space: Uint8Array,
    options: RevertOptions & { what?: string } = { autoCheckpoint: 'take' },
    onProgress?: OnMachineProgress,
  ): Promise<BranchResult> {
    this.requireGeneration(parent);
    const what = options.what ?? `a replay of generation ${parent}`;
    const { state } = await this.status();
    const wasRunning = state === 'running' || state === 'paused';
    if (state === 'starting' || state === 'stopping')
      throw new VmError('bad-state', `machine '${this.name}' is ${state}; try again when it is not`);
    let autoCheckpoint: string | undefined;
    if (wasRunning && options.autoCheckpoint === 'take')
      autoCheckpoint = await progressStep('auto-checkpoint', 0, 30, onProgress, () =>
        this.checkpoints.keepPresent(`state before continuing from ${what}`),
      );
    const kept = autoCheckpoint ? { autoCheckpoint } : {};
    let restartReason: string | undefined;
    if (wasRunning) {
      const inPlace = await progressStep('write-branch', 30, 100, onProgress, () =>
        this.channel.branchInPlace(parent, generationSpace(this, parent, 'disk-problem'), space),
      );
      if (typeof inPlace !== 'string') {
        await this.hub.mark(
          `continued from ${what} in place: generation ${inPlace.generation} (parent ${parent})`,
        );
        await this.checkpoints.restartedAt(inPlace.generation);
        return {
          generation: inPlace.generation,
          parent,
          pagesWritten: inPlace.pages,
          ...kept,
          path: 'in-place',
        };
      }
      restartReason = inPlace;
    }
    if (wasRunning) await progressStep('stop', 30, 50, onProgress, () => this.stop());
    let written: BranchWritten;
    try {
      written = await progressStep('write-branch', 50, 70, onProgress, async () => {
        const release = await this.dir.acquireStartLock();
        try {
          const now = await this.status();
          if (now.state !== 'stopped' && now.state !== 'crashed')
            throw new VmError(
              'bad-state',
              `machine '${this.name}' was started meanwhile; nothing was written`,
            );
          return await writeBranch(this.dir.disk, parent, space, this.dir.path);
        } finally {
          await release();
        }
      });
    } catch (err) {
      if (wasRunning) await this.start().catch(() => undefined);
      throw err;
    }
    await this.hub.mark(`continued from ${what}: generation ${written.generation} (parent ${parent})`);
    if (wasRunning)
      await progressStep('start', 70, 100, onProgress, () => this.start({ generation: written.generation }));
    await this.checkpoints.restartedAt(written.generation);
    return {
      generation: written.generation,
      parent,
      pagesWritten: written.pagesWritten,
      ...kept,
      ...(restartReason ? { restartReason } : {}),
      path: wasRunning ? 'restart' : 'next-start',
    };
  }

  /** Throws no-such-checkpoint unless the store keeps `generation`. */
  private requireGeneration(generation: number): void {
    const known = readGenerations(this.dir.disk, 'listing').generations.map((g) => g.number);
    if (!known.includes(generation))
      throw new VmError(
        'no-such-checkpoint',
        `machine '${this.name}' has no generation ${generation}; it keeps: ${known.join(', ') || 'none'}`,
      );
  }

  /** The kernel generations on the store disk, oldest first, damage and the resumed one marked. */
  async generations(): Promise<StoreGenerations['generations']> {
    return readGenerations(this.dir.disk).generations;
  }

  /** The kernel generations on the store disk, damage and the resumed one marked, with what the store says beyond them. */
  async storeGenerations(): Promise<StoreGenerations> {
    return readGenerations(this.dir.disk);
  }

  /** Removes the hypervisor's records and the machine's directory; the machine must be off. */
  async destroy(force: boolean): Promise<void> {
    await this.serialize(async () => {
      const { state } = await this.reconcile();
      if ((state === 'running' || state === 'paused') && !force)
        throw new VmError('bad-state', `machine '${this.name}' is ${state}; stop it first or force removal`);
      await this.driver.forget();
      this.hub.disconnect();
    });
    this.dispose();
    await rm(this.dir.path, { recursive: true, force: true });
  }

  dispose(): void {
    this.unwatch();
    this.debugChannel?.dispose();
    this.hub.disconnect();
    this.driver.dispose();
    this.onDidChangeStateEmitter.dispose();
  }

  private watch(): void {
    if (this.watchTimer) return;
    this.watchTimer = setInterval(() => {
      // A check can take longer than the interval (a remote hypervisor, a loaded host): checks
      // would then pile up in the queue ahead of real work, so one at a time.
      if (this.watchCheckPending) return;
      this.watchCheckPending = true;
      this.status()
        .catch(() => undefined)
        .finally(() => {
          this.watchCheckPending = false;
        });
    }, WATCH_INTERVAL_MS);
    this.watchTimer.unref();
  }

  private unwatch(): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** Runs a driver call; if the hypervisor died under it, the machine is marked crashed first. */
  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      await this.reconcile();
      throw err;
    }
  }

  private async reconcile(): Promise<MachineStatus> {
    // Read every time: another process (the CLI beside the studio) may have changed it.
    const recorded = await this.dir.readState();
    let runtime: RuntimeState;
    try {
      runtime = await this.driver.runtimeState();
    } catch (err) {
      if (isVmError(err, 'hypervisor-missing')) runtime = 'off';
      else if (isVmError(err, 'hypervisor-failed') || isVmError(err, 'timeout')) {
        // An unreachable hypervisor (libvirtd down, a remote host away) says nothing about the
        // machine: report what was recorded, and why it could not be checked.
        this.report(recorded.state, recorded.reason);
        return this.statusOf({ ...recorded, reason: `cannot reach the hypervisor: ${err.message}` });
      } else throw err;
    }
    const next = await this.nextState(recorded.state, runtime);
    let current = recorded;
    if (next && (next.state !== recorded.state || next.reason !== recorded.reason))
      current = await this.enter(next.state, next.reason);
    else this.report(current.state, current.reason);
    // Said first, cleaned up after: a dead guest's hypervisor can take a while to go.
    await next?.afterwards?.();
    return this.statusOf(current);
  }

  private statusOf(current: PersistedState): MachineStatus {
    return {
      name: this.name,
      state: current.state,
      driver: this.config.driver,
      ...(this.config.driver === 'libvirt' ? { uri: this.config.uri } : {}),
      since: current.since,
      ...(current.reason ? { reason: current.reason } : {}),
      ...(current.accelerator ? { accelerator: current.accelerator } : {}),
    };
  }

  private async nextState(
    recorded: MachineState,
    runtime: RuntimeState,
  ): Promise<{ state: MachineState; reason?: string; afterwards?: () => Promise<void> } | undefined> {
    switch (runtime) {
      case 'off': {
        // Read again: the record read before asking the hypervisor may predate another process's
        // stop, which says 'stopping' before it ends QEMU. Gone now, the record is final.
        const latest = (await this.dir.readState()).state;
        if (latest === 'stopped' || latest === 'crashed') return undefined;
        // A stop in progress (here or in another process) ends with the hypervisor gone.
        if (latest === 'stopping') return { state: 'stopped' };
        if (latest === 'starting' && (await this.dir.startLockHeld())) return undefined;
        return { state: 'crashed', reason: await this.crashReason() };
      }
      case 'running':
      case 'paused':
        if (recorded === 'starting' || recorded === 'stopping') return undefined;
        return { state: runtime };
      case 'shutdown':
      case 'failed': {
        // The guest is dead and its hypervisor idles: ask why, say so, then let the hypervisor go.
        const reason = await this.crashReason();
        this.hub.disconnect();
        return { state: 'crashed', reason, afterwards: () => this.driver.powerOff() };
      }
    }
  }

  /** What the hypervisor says of a dead guest, with the last lines the kernel and QEMU printed. */
  private async crashReason(): Promise<string> {
    const [report, console] = await Promise.all([
      this.driver.failureReport().catch((err: unknown) => ({
        cause: `the guest died (and the hypervisor could not say why: ${String(err)})`,
        lines: [],
      })),
      this.hub.tail(CONSOLE_TAIL_BYTES),
    ]);
    return crashReason(report.cause, lastMeaningfulLines(console, REPORTED_CONSOLE_LINES), report.lines);
  }

  private async enter(
    state: MachineState,
    reason?: string,
    accelerator?: AcceleratorUsed,
  ): Promise<PersistedState> {
    const previous = await this.dir.readState();
    // A running machine keeps the accelerator it was booted with until it stops.
    const keptAccelerator =
      accelerator ?? (state === 'running' || state === 'paused' ? previous.accelerator : undefined);
    const next: PersistedState = {
      state,
      since: Date.now(),
      ...(reason ? { reason } : {}),
      ...(keptAccelerator ? { accelerator: keptAccelerator } : {}),
    };
    await this.dir.writeState(next);
    this.report(state, reason, previous.state);
    return next;
  }

  /** Fires a state change when `state` differs from the last reported (or, first, the recorded). */
  private report(state: MachineState, reason?: string, recorded?: MachineState): void {
    const previous = this.reported ?? recorded;
    this.reported = state;
    if (previous === undefined || previous === state) return;
    this.onDidChangeStateEmitter.fire({ name: this.name, previous, state, ...(reason ? { reason } : {}) });
  }

  private serialize<T>(action: () => Promise<T>): Promise<T> {
    const run = this.queue.then(action, action);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

export interface MachinesOptions {
  /** Where machine directories live; default `machinesDir()` (XDG state dir). */
  root?: string;
}

export class Machines {
  private readonly root: string;
  /** Open machines by name, each with the identity of the folder it was opened from. */
  private readonly open = new Map<string, { machine: Machine; identity: string }>();
  private readonly onDidChangeStateEmitter = new Emitter<MachineStateChange>();
  /** State changes of the machines this process has opened, whoever made them. */
  readonly onDidChangeState = this.onDidChangeStateEmitter.event;
  private readonly onDidChangeMachinesEmitter = new Emitter<string[]>();
  /** While watched: machines were made or removed (by any process); the names there are now. */
  readonly onDidChangeMachines = this.onDidChangeMachinesEmitter.event;
  private readonly onDidChangeCheckpointsEmitter = new Emitter<string>();
  /** While watched: a machine's checkpoint records were written (by any process); its name. */
  readonly onDidChangeCheckpoints = this.onDidChangeCheckpointsEmitter.event;
  private watcher: StateFolderWatcher | undefined;
  private watchers = 0;

  constructor(options: MachinesOptions = {}) {
    this.root = options.root ?? machinesDir();
  }

  /**
   * Watches the machines folder (state-watch.ts) until the returned disposable is disposed: what
   * any process changes is reported at once — machines made or removed, a state file rewritten
   * (the machine's state is read again, and onDidChangeState fires), checkpoint records written.
   */
  watch(): Disposable & { ready: Promise<void> } {
    this.watcher ??= new StateFolderWatcher(this.root, {
      machines: (names) => {
        for (const [name, { machine }] of this.open)
          if (!names.includes(name)) {
            machine.dispose();
            this.open.delete(name);
          }
        this.onDidChangeMachinesEmitter.fire(names);
      },
      file: (name, file) => {
        if (file === 'checkpoints') this.onDidChangeCheckpointsEmitter.fire(name);
        else if (file === 'state')
          void this.get(name)
            .then((machine) => machine.status())
            .catch(() => undefined);
      },
    });
    this.watchers++;
    const watcher = this.watcher;
    let disposed = false;
    return {
      ready: watcher.ready,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        if (--this.watchers === 0) {
          watcher.dispose();
          this.watcher = undefined;
        }
      },
    };
  }

  async list(): Promise<MachineStatus[]> {
    let names: string[];
    try {
      names = (await readdir(this.root)).filter((n) => machineNameProblem(n) === undefined).sort();
    } catch {
      return [];
    }
    const out: MachineStatus[] = [];
    for (const name of names) {
      if (!(await new MachineDir(name, join(this.root, name)).exists())) continue;
      out.push(await (await this.get(name)).status());
    }
    return out;
  }

  async create(name: string, input: MachineConfigInput = {}): Promise<Machine> {
    const problem = machineNameProblem(name);
    if (problem) throw new VmError('bad-input', problem);
    const parsed = machineConfigSchema.safeParse(input);
    if (!parsed.success)
      throw new VmError('bad-input', `bad machine config: ${describeIssues(parsed.error)}`);
    const config = parsed.data;
    for (const [what, path] of [
      ['kernel', config.kernelPath],
      ['image', config.imagePath],
    ] as const) {
      if (path && !(await stat(path).catch(() => undefined))?.isFile())
        throw new VmError('bad-input', `the ${what} ${path} does not exist`);
    }
    await mkdir(this.root, { recursive: true, mode: 0o755 });
    const dir = new MachineDir(name, join(this.root, name));
    try {
      // Not recursive: of two processes creating the same name, exactly one succeeds.
      await mkdir(dir.path, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new VmError('name-taken', `a machine named '${name}' already exists`);
      throw err;
    }
    try {
      await dir.makeFolders();
      await dir.createDisk(config);
      await dir.writeState({ state: 'stopped', since: Date.now() });
      await dir.writeConfig(config);
    } catch (err) {
      await rm(dir.path, { recursive: true, force: true });
      throw err;
    }
    return this.get(name);
  }

  /**
   * The machine called `name`. An open one is checked against its folder first: a machine that
   * another process removed is gone here too, and one it made anew under the name is opened anew.
   */
  async get(name: string): Promise<Machine> {
    const problem = machineNameProblem(name);
    if (problem) throw new VmError('bad-input', problem);
    const dir = new MachineDir(name, join(this.root, name));
    const identity = await dir.identity();
    const cached = this.open.get(name);
    if (cached && cached.identity === identity) return cached.machine;
    if (cached) this.close(name);
    if (identity === undefined) throw new VmError('no-such-machine', `there is no machine named '${name}'`);
    const config = await dir.readConfig();
    // Another call may have opened it while the config was read.
    const raced = this.open.get(name);
    if (raced?.identity === identity) return raced.machine;
    const machine = new Machine(dir, config);
    machine.onDidChangeState((change) => this.onDidChangeStateEmitter.fire(change));
    this.open.set(name, { machine, identity });
    return machine;
  }

  async remove(name: string, options: { force: boolean } = { force: false }): Promise<void> {
    const machine = await this.get(name);
    await machine.destroy(options.force);
    this.open.delete(name);
  }

  private close(name: string): void {
    this.open.get(name)?.machine.dispose();
    this.open.delete(name);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    for (const { machine } of this.open.values()) machine.dispose();
    this.open.clear();
    this.onDidChangeStateEmitter.dispose();
    this.onDidChangeMachinesEmitter.dispose();
    this.onDidChangeCheckpointsEmitter.dispose();
  }
}
