/**
 * The studio's debugger: a client of the debug adapter the host runs ('debug.adapter', the same
 * adapter `phantom dap` serves to VS Code and Neovim), as an editor is one. It keeps the user's
 * breakpoints (kept by the host, so they outlive a reload and a restart of the studio) and sends them to the
 * adapter, follows its events (stopped, continued, threads, output, the machine gone) and holds
 * what the views show: threads and frames, the selected frame, watch expressions. The views
 * (debug-panel.ts, editor-breakpoints.ts) draw it and call its actions.
 *
 * A session ends when the user stops it, and when the machine stops, is cut off or rolls back
 * (the adapter says so, or the machine bar's state does): then the debugger waits for the same
 * machine to run again and attaches anew, sending the breakpoints again.
 *
 * A replay of a kept generation (the adapter's replay target, `"replay": N`) is a second session
 * of the same adapter, shown in front of the live one while it is open: the panes show the
 * replay's threads and frames, the steps act on it, it also steps back and continues backwards,
 * and the gutter's breakpoints apply to it as to the machine. The live session goes on behind it
 * untouched, and is what the panes show again when the replay ends.
 */
import type { ContinuedMachine } from '@phantom/inspector/common/dap-target.js';
import type { Disposable } from '@phantom/inspector/common/events.js';
import type { FileRoot, MachineSummary } from '../common/api.js';
import {
  BreakpointList,
  type BreakpointOptions,
  fileOfPath,
  pathOfFile,
  type UserBreakpoint,
} from '../common/breakpoints.js';
import { DapConnection, type DapEvent } from '../common/dap-connection.js';
import type { ApiClient } from './api-client.js';

/** Lines of the adapter's console output (logpoints, its notes) the panel keeps. */
const OUTPUT_LINES = 200;
/** Elements of an array the variables pane asks for at once (the adapter's page). */
export const VARIABLES_PAGE = 100;

export enum DebugState {
  /** No session. */
  Inactive = 'inactive',
  /** Opening a session, or booting the machine for one. */
  Starting = 'starting',
  /** Attached; no thread stopped. */
  Running = 'running',
  /** Attached, with at least one thread stopped. */
  Stopped = 'stopped',
}

export interface DapSource {
  name?: string;
  path?: string;
}

export interface DapStackFrame {
  id: number;
  name: string;
  line: number;
  column: number;
  source?: DapSource;
  presentationHint?: string;
}

export interface DapVariable {
  name: string;
  value: string;
  type?: string;
  variablesReference: number;
  indexedVariables?: number;
  namedVariables?: number;
  memoryReference?: string;
}

export interface DapScope {
  name: string;
  variablesReference: number;
}

export interface ThreadView {
  id: number;
  name: string;
  /** Why it stopped ('breakpoint', 'step', 'pause', 'exception'), while it is stopped. */
  stopped?: string;
  /**
   * The kernel's debugger holds it (a breakpoint, a step, an error): only its own continue or step
   * lets it go. A pause of the whole machine (the inspector's "Now", another client) and the
   * resume after it leave it where it is.
   */
  held?: boolean;
  /** What the adapter says of the stop (an error's message). */
  description?: string;
  frames: DapStackFrame[];
}

/** The adapter's answer for one breakpoint the user set. */
export interface BreakpointStatus {
  verified: boolean;
  /** Why it is not verified, or that it was moved. */
  message?: string;
  /** The line the adapter placed it on, when another. */
  line?: number;
}

export interface WatchResult {
  expression: string;
  value?: string;
  error?: string;
  variablesReference: number;
}

interface Session {
  machine: string;
  dap: DapConnection;
  stream: Disposable;
  roots: Record<FileRoot, string>;
  /** The user asked it to end (Shift+F5): no re-attach. */
  leaving: boolean;
}

/** What a replay session replays: a kept generation of a machine's store, not the machine itself. */
export interface ReplayOf {
  machine: string;
  generation: number;
}

/**
 * What the panes show of one session (or of none): the live machine's, and while a replay is
 * open, the replay's in front of it. Each session's events change its own view only, so the live
 * machine's stops during a replay are there when the replay ends.
 */
interface SessionView {
  session: Session | undefined;
  /** Set for a replay's view. */
  replay: ReplayOf | undefined;
  state: DebugState;
  threads: ThreadView[];
  selectedThread: number | undefined;
  selectedFrame: DapStackFrame | undefined;
  status: string;
  /** The adapter's answers, by file and line the user set. */
  statuses: Map<string, Map<number, BreakpointStatus>>;
  watchResults: WatchResult[];
  /** Counts the adapter's 'stopped' events; `lastStop` has the count at each thread's newest one. */
  stops: number;
  lastStop: Map<number, number>;
}

const NOT_DEBUGGING = 'Not debugging: F5 attaches to the picked machine';

export class Debugger {
  breakpoints = new BreakpointList();
  watches: string[] = [];
  output: string[] = [];
  private readonly live: SessionView = this.newView(undefined, NOT_DEBUGGING);
  /** The replay in front of the live view, while one is open. */
  private replayView: SessionView | undefined;
  /** A machine whose session ended by itself: attach again when it runs. */
  private waitingFor: string | undefined;
  private readonly changeListeners = new Set<() => void>();
  private readonly breakpointListeners = new Set<() => void>();
  private readonly stopListeners = new Set<(frame: DapStackFrame, file: string | undefined) => void>();
  private threadsTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly picked: () => MachineSummary | undefined,
    private readonly onError: (title: string, err: unknown) => void,
  ) {
    void this.load();
    api.on('machine.state', ({ machine, state }) => {
      const running = state === 'running' || state === 'paused';
      // A replay reads committed generations only: the machine stopping does not end it.
      if (this.live.session?.machine === machine && !running) {
        this.lost(this.live, `machine '${machine}' is ${state}: the debugger attaches again when it runs`);
      } else if (this.waitingFor === machine && running && this.live.session === undefined) {
        void this.attach(machine).catch((err) => this.onError(`Cannot attach to ${machine}`, err));
      }
    });
  }

  private newView(replay: ReplayOf | undefined, status: string): SessionView {
    return {
      session: undefined,
      replay,
      state: DebugState.Inactive,
      threads: [],
      selectedThread: undefined,
      selectedFrame: undefined,
      status,
      statuses: new Map(),
      watchResults: [],
      stops: 0,
      lastStop: new Map(),
    };
  }

  /** The view the panes show: the replay's while one is open, else the live machine's. */
  private get view(): SessionView {
    return this.replayView ?? this.live;
  }

  get state(): DebugState {
    return this.view.state;
  }

  get threads(): ThreadView[] {
    return this.view.threads;
  }

  get selectedThread(): number | undefined {
    return this.view.selectedThread;
  }

  get selectedFrame(): DapStackFrame | undefined {
    return this.view.selectedFrame;
  }

  /** One line for the panel: what the debugger is doing or waiting for. */
  get status(): string {
    return this.view.status;
  }

  get watchResults(): WatchResult[] {
    return this.view.watchResults;
  }

  /** The replay the panes show, if one is open: what they show is not the live machine. */
  get replaying(): ReplayOf | undefined {
    return this.replayView?.replay;
  }

  // ── what the views follow ──

  onDidChange(listener: () => void): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  onDidChangeBreakpoints(listener: () => void): Disposable {
    this.breakpointListeners.add(listener);
    return { dispose: () => this.breakpointListeners.delete(listener) };
  }

  /** A frame was selected (a stop, or a click in the call stack): `file` is its "root/path", if known. */
  onDidSelectFrame(listener: (frame: DapStackFrame, file: string | undefined) => void): Disposable {
    this.stopListeners.add(listener);
    return { dispose: () => this.stopListeners.delete(listener) };
  }

  /** The machine the panes show a session of (live or replayed). */
  get machine(): string | undefined {
    return this.view.session?.machine;
  }

  get isActive(): boolean {
    return this.state !== DebugState.Inactive;
  }

  /** The adapter's answer for a breakpoint the user set; undefined while not debugging. */
  statusOf(file: string, line: number): BreakpointStatus | undefined {
    return this.view.statuses.get(file)?.get(line);
  }

  /** The "root/path" of a frame's source, when the studio can open it. */
  fileOf(frame: DapStackFrame | undefined): string | undefined {
    const path = frame?.source?.path;
    const session = this.view.session;
    return path && session ? fileOfPath(path, session.roots) : undefined;
  }

  /** The stopped thread F5 continues: the selected one, else one the debugger holds, else any. */
  stoppedThread(): ThreadView | undefined {
    return (
      this.threads.find((t) => t.id === this.selectedThread && t.stopped) ??
      this.threads.find((t) => t.held) ??
      this.threads.find((t) => t.stopped)
    );
  }

  /** The thread the steps act on: one the debugger holds, the selected one first. */
  heldThread(): ThreadView | undefined {
    return (
      this.threads.find((t) => t.id === this.selectedThread && t.held) ?? this.threads.find((t) => t.held)
    );
  }

  // ── breakpoints ──

  toggleBreakpoint(file: string, line: number): void {
    this.breakpoints.toggle(file, line);
    this.breakpointsChanged(file);
  }

  configureBreakpoint(file: string, line: number, options: BreakpointOptions): void {
    this.breakpoints.configure(file, line, options);
    this.breakpointsChanged(file);
  }

  setBreakpointEnabled(file: string, line: number, enabled: boolean): void {
    this.breakpoints.setEnabled(file, line, enabled);
    this.breakpointsChanged(file);
  }

  removeBreakpoint(file: string, line: number): void {
    this.breakpoints.remove(file, line);
    this.breakpointsChanged(file);
  }

  breakpointAt(file: string, line: number): UserBreakpoint | undefined {
    return this.breakpoints.at(file, line);
  }

  /** The views with a session: the live machine's and the replay's, each with its own adapter. */
  private attachedViews(): SessionView[] {
    return [this.live, ...(this.replayView ? [this.replayView] : [])].filter((v) => v.session);
  }

  /** Reads what the host kept; what the user changed before it came wins. */
  private async load(): Promise<void> {
    try {
      const saved = await this.api.call('debug.settings', {});
      if (this.breakpoints.files().length === 0)
        this.breakpoints = BreakpointList.fromRecord(saved.breakpoints);
      if (this.watches.length === 0) {
        this.watches = [...saved.watches];
        for (const view of [this.live, ...(this.replayView ? [this.replayView] : [])])
          view.watchResults = this.unevaluated();
      }
    } catch (err) {
      this.onError('Cannot read the saved breakpoints', err);
      return;
    }
    this.emitBreakpoints();
    this.emit();
    for (const view of this.attachedViews())
      for (const file of this.breakpoints.files()) void this.sendBreakpoints(view, file);
  }

  private save(): void {
    this.api
      .call('debug.saveSettings', { breakpoints: this.breakpoints.toRecord(), watches: this.watches })
      .catch((err) => this.onError('Cannot keep the breakpoints', err));
  }

  /** The gutter's breakpoints are the user's: they apply to the live machine and to a replay alike. */
  private breakpointsChanged(file: string): void {
    this.save();
    this.emitBreakpoints();
    for (const view of this.attachedViews()) void this.sendBreakpoints(view, file);
  }

  private async sendBreakpoints(view: SessionView, file: string): Promise<void> {
    const session = view.session;
    if (!session) return;
    const path = pathOfFile(file, session.roots);
    if (path === undefined) return;
    const wanted = this.breakpoints.toDap(file);
    try {
      const body = await session.dap.request<{
        breakpoints: { verified: boolean; message?: string; line?: number }[];
      }>('setBreakpoints', {
        source: { path, name: file.split('/').pop() },
        breakpoints: wanted,
        lines: wanted.map((b) => b.line),
      });
      // Answers come in the order the breakpoints were sent; a newer request may have changed the list.
      const byLine = new Map<number, BreakpointStatus>();
      wanted.forEach((bp, i) => {
        const answer = body.breakpoints[i];
        if (answer === undefined) return;
        byLine.set(bp.line, {
          verified: answer.verified,
          ...(answer.message ? { message: answer.message } : {}),
          ...(answer.line !== undefined && answer.line !== bp.line ? { line: answer.line } : {}),
        });
      });
      if (view.session === session) view.statuses.set(file, byLine);
    } catch (err) {
      if (view.session !== session || session.dap.isEnded) return;
      const byLine = new Map<number, BreakpointStatus>();
      for (const bp of wanted) byLine.set(bp.line, { verified: false, message: (err as Error).message });
      view.statuses.set(file, byLine);
    }
    this.emitBreakpoints();
  }

  // ── watch expressions ──

  addWatch(expression: string): void {
    const text = expression.trim();
    if (text === '' || this.watches.includes(text)) return;
    this.watches.push(text);
    this.watchesChanged();
  }

  removeWatch(expression: string): void {
    this.watches = this.watches.filter((w) => w !== expression);
    this.watchesChanged();
  }

  private watchesChanged(): void {
    this.save();
    void this.evaluateWatches(this.view);
  }

  private unevaluated(): WatchResult[] {
    return this.watches.map((expression) => ({ expression, variablesReference: 0 }));
  }

  private async evaluateWatches(view: SessionView): Promise<void> {
    const frame = view.selectedFrame;
    const session = view.session;
    view.watchResults = await Promise.all(
      this.watches.map(async (expression): Promise<WatchResult> => {
        if (!session || !frame) return { expression, variablesReference: 0 };
        try {
          const body = await session.dap.request<{ result: string; variablesReference: number }>('evaluate', {
            expression,
            frameId: frame.id,
            context: 'watch',
          });
          return { expression, value: body.result, variablesReference: body.variablesReference };
        } catch (err) {
          return { expression, error: (err as Error).message, variablesReference: 0 };
        }
      }),
    );
    this.emit();
  }

  // ── reads for the panes ──

  async scopes(frame: DapStackFrame): Promise<DapScope[]> {
    const body = await this.dap().request<{ scopes: DapScope[] }>('scopes', { frameId: frame.id });
    return body.scopes;
  }

  async variables(variablesReference: number, start?: number, count?: number): Promise<DapVariable[]> {
    const body = await this.dap().request<{ variables: DapVariable[] }>('variables', {
      variablesReference,
      ...(start !== undefined ? { start, filter: 'indexed' } : {}),
      ...(count !== undefined ? { count } : {}),
    });
    return body.variables;
  }

  selectFrame(thread: ThreadView, frame: DapStackFrame): void {
    this.select(this.view, thread, frame);
  }

  private select(view: SessionView, thread: ThreadView, frame: DapStackFrame): void {
    view.selectedThread = thread.id;
    view.selectedFrame = frame;
    if (view === this.view) for (const listener of this.stopListeners) listener(frame, this.fileOf(frame));
    this.emit();
    void this.evaluateWatches(view);
  }

  // ── actions (the toolbar, the keys) ──

  /** F5: continue the stopped thread; with no session, attach to the picked machine (booting it first). */
  async continueOrStart(): Promise<void> {
    const view = this.view;
    if (!view.session) return this.start();
    const thread = this.stoppedThread();
    if (!thread) return;
    const since = view.stops;
    await this.dap().request('continue', { threadId: thread.id });
    if (thread.held) this.threadResumed(view, thread.id, since);
    else this.worldResumed(view, since);
  }

  async pause(): Promise<void> {
    const thread = this.threads.find((t) => t.id === this.selectedThread) ?? this.threads[0];
    await this.dap().request('pause', { threadId: thread?.id ?? 0 });
  }

  async step(kind: 'next' | 'stepIn' | 'stepOut'): Promise<void> {
    const view = this.view;
    const thread = this.heldThread();
    if (!thread) throw new Error('no thread is stopped: steps start from a breakpoint, a step or an error');
    const since = view.stops;
    await this.dap().request(kind, { threadId: thread.id });
    this.threadResumed(view, thread.id, since);
  }

  /** A replay's step back (a statement) of the stopped thread. */
  async stepBack(): Promise<void> {
    const why = this.unavailable('stepBack');
    if (why) throw new Error(why);
    const view = this.view;
    const thread = this.heldThread()!;
    const since = view.stops;
    await this.dap().request('stepBack', { threadId: thread.id });
    this.threadResumed(view, thread.id, since);
  }

  /** A replay's run backwards to the last breakpoint hit (or data change) before where it stands. */
  async reverseContinue(): Promise<void> {
    const why = this.unavailable('reverseContinue');
    if (why) throw new Error(why);
    const view = this.view;
    const thread = this.stoppedThread()!;
    await this.dap().request('reverseContinue', { threadId: thread.id });
    for (const t of view.threads) this.release(view, t);
    this.settle(view);
  }

  /** Shift+F5: ends the replay shown, else the live session (its breakpoints leave the machine, its stopped threads run on). */
  async stop(): Promise<void> {
    if (this.replayView) return this.endReplay();
    const session = this.live.session;
    this.waitingFor = undefined;
    if (!session) {
      this.setStatus(this.live, NOT_DEBUGGING);
      return;
    }
    session.leaving = true;
    this.setStatus(this.live, `Leaving ${session.machine}…`);
    try {
      await session.dap.request('disconnect', { terminateDebuggee: false });
    } finally {
      this.ended(this.live, session, `Not debugging: left ${session.machine}, which runs on`);
    }
  }

  /**
   * Opens a replay of kept generation `generation` of `machine` (the adapter's replay target: the
   * generation run on the reference interpreter, never the machine itself) in front of the live
   * session, which goes on behind it. A replay already open ends first. Fails, with nothing
   * changed, when the generation cannot be replayed (gone from the store, a disk it cannot read).
   */
  async replay(machine: string, generation: number): Promise<void> {
    if (!Number.isSafeInteger(generation) || generation < 0)
      throw new Error(`${generation} is not a generation number`);
    if (this.replayView) await this.endReplay();
    const replay = { machine, generation };
    const view = this.newView(replay, `Opening a replay of generation ${generation} of ${machine}…`);
    view.state = DebugState.Starting;
    view.watchResults = this.unevaluated();
    this.replayView = view;
    this.emit();
    try {
      await this.open(view, machine, { machine, replay: generation });
    } catch (err) {
      if (this.replayView === view) this.replayView = undefined;
      this.showLive();
      throw err;
    }
    this.addOutput(`replaying generation ${generation} of '${machine}' (not the live machine)`);
  }

  /**
   * Makes the replay's state where it stands the machine's: a new generation on a new branch from
   * the replayed one, which the machine then runs (in place when it runs; the adapter keeps the
   * present as a checkpoint first, so nothing of it is lost). The replay ends: what it showed is the
   * machine's present now. Returns the adapter's account of it.
   */
  async continueMachineFromHere(): Promise<ContinuedMachine> {
    const why = this.unavailable('continueMachine');
    if (why) throw new Error(why);
    const { machine } = this.replayView!.replay!;
    const done = await this.dap().request<ContinuedMachine>('continueMachineFromHere', {});
    const how =
      done.path === 'in-place'
        ? 'in place'
        : done.path === 'restart'
          ? 'after a restart'
          : 'when it is next started';
    this.addOutput(
      `'${machine}' continues ${how} from generation ${done.generation}: a new branch from generation ${done.parent}, the replay's state at position ${done.position}`,
    );
    await this.endReplay();
    return done;
  }

  /** Ends the replay shown: the panes show the live session again, as it stands now. */
  async endReplay(): Promise<void> {
    const view = this.replayView;
    if (!view) return;
    const session = view.session;
    const { machine, generation } = view.replay!;
    this.replayView = undefined;
    if (session) {
      session.leaving = true;
      await session.dap.request('disconnect', {}).catch(() => undefined);
      this.ended(view, session, '');
    }
    this.addOutput(`ended the replay of generation ${generation} of '${machine}'`);
    this.showLive();
  }

  /** The live view is in front again: its stopped frame (if any) is marked anew, its threads read again. */
  private showLive(): void {
    const live = this.live;
    const thread = live.threads.find((t) => t.id === live.selectedThread);
    if (thread && live.selectedFrame) this.select(live, thread, live.selectedFrame);
    else this.emit();
    this.emitBreakpoints();
    if (live.session) this.refreshThreads();
  }

  /** Why an action cannot run now; undefined: it can. */
  unavailable(
    action:
      | 'continue'
      | 'pause'
      | 'step'
      | 'stop'
      | 'stepBack'
      | 'reverseContinue'
      | 'endReplay'
      | 'continueMachine',
  ): string | undefined {
    const replaying = this.replayView !== undefined;
    if (action === 'endReplay') return replaying ? undefined : 'no replay is open';
    if (action === 'continueMachine') {
      if (!replaying)
        return 'only a replay continues the machine: open one from a generation on the timeline';
      if (!this.view.session) return 'the replay is opening';
      return this.stoppedThread() ? undefined : 'the replay runs: pause it first';
    }
    if (action === 'continue')
      return this.view.session || this.picked() ? undefined : 'pick a machine in the machine bar first';
    if ((action === 'stepBack' || action === 'reverseContinue') && !replaying)
      return 'only a replay goes back: open one from a generation on the timeline (its menu, or "Replay")';
    if (!this.view.session)
      return replaying ? 'the replay is opening' : 'not debugging: F5 attaches to the picked machine';
    if ((action === 'step' || action === 'stepBack') && !this.heldThread())
      return 'no thread is stopped at a breakpoint, a step or an error (a paused machine does not step)';
    if (action === 'reverseContinue' && !this.stoppedThread()) return 'the replay runs: pause it first';
    if (action === 'pause' && this.threads.length === 0) return 'the machine runs no thread';
    return undefined;
  }

  private async start(): Promise<void> {
    const machine = this.picked();
    if (!machine) throw new Error('Pick a machine in the machine bar first.');
    if (this.live.state !== DebugState.Inactive) return;
    this.live.state = DebugState.Starting;
    this.waitingFor = undefined;
    try {
      if (machine.state !== 'running' && machine.state !== 'paused') {
        this.setStatus(this.live, `Starting ${machine.name}…`);
        await this.api.call('machine.start', { machine: machine.name });
      }
      await this.attach(machine.name);
    } catch (err) {
      this.live.state = DebugState.Inactive;
      this.setStatus(this.live, NOT_DEBUGGING);
      throw err;
    }
  }

  private async attach(machine: string): Promise<void> {
    const again = this.waitingFor === machine;
    this.live.state = DebugState.Starting;
    this.waitingFor = undefined;
    this.setStatus(this.live, `Attaching to ${machine}…`);
    await this.open(this.live, machine, { machine });
    if (again) this.addOutput(`attached again to '${machine}'`);
  }

  /** Opens an adapter session for `view` and attaches it as `attach` says (a machine, or a replay of it). */
  private async open(
    view: SessionView,
    machine: string,
    attach: { machine: string; replay?: number },
  ): Promise<void> {
    let session: Session | undefined;
    try {
      const { stream, roots } = await this.api.call('debug.adapter', {});
      const dap = new DapConnection(
        (json) =>
          void this.api
            .call('stream.input', { stream, data: json })
            .catch((err) => dap.end((err as Error).message)),
        (problem) => this.onError('The debugger could not read the adapter', new Error(problem)),
      );
      const opened: Session = {
        machine,
        dap,
        roots,
        leaving: false,
        stream: this.api.consume(stream, {
          onData: (data, shown) => {
            dap.receive(data);
            shown();
          },
          onEnd: (reason) => {
            dap.end(reason);
            if (view.session === opened && !opened.leaving)
              this.lost(
                view,
                `the debug session of '${machine}' ended (${reason})${view.replay ? '' : '; attaching again when it runs'}`,
              );
          },
        }),
      };
      session = opened;
      view.session = opened;
      dap.onEvent((e) => this.event(view, opened, e));
      await dap.request('initialize', {
        clientID: 'phantom-studio',
        clientName: 'Phantom Studio',
        adapterID: 'phantom',
        pathFormat: 'path',
        linesStartAt1: true,
        columnsStartAt1: true,
        supportsVariablePaging: true,
        supportsVariableType: true,
      });
      await dap.request('attach', attach);
      await Promise.all(this.breakpoints.files().map((file) => this.sendBreakpoints(view, file)));
      await dap.request('setExceptionBreakpoints', { filters: [] });
      await dap.request('configurationDone');
      // A thread may have stopped while attaching (one stopped before a power cut, a replay at its start): its stop says so.
      if (view.state === DebugState.Starting) {
        view.state = DebugState.Running;
        this.setStatus(view, `Debugging ${this.title(view)}`);
      }
      this.refreshThreads();
    } catch (err) {
      if (session) this.ended(view, session, NOT_DEBUGGING);
      else view.state = DebugState.Inactive;
      this.emit();
      throw err;
    }
  }

  /** How the status line names what a view debugs. */
  private title(view: SessionView): string {
    const machine = view.session?.machine ?? '';
    return view.replay ? `a replay of generation ${view.replay.generation} of ${machine}` : machine;
  }

  private event(view: SessionView, session: Session, e: DapEvent): void {
    if (view.session !== session) return;
    const body = (e.body ?? {}) as Record<string, unknown>;
    switch (e.event) {
      case 'stopped':
        view.stops++;
        if (typeof body.threadId === 'number') view.lastStop.set(body.threadId, view.stops);
        void this.threadStopped(view, session, body);
        break;
      case 'continued':
        if (body.allThreadsContinued === true) this.worldResumed(view);
        else if (typeof body.threadId === 'number') this.threadResumed(view, body.threadId);
        break;
      case 'thread':
        this.refreshThreads();
        break;
      case 'output':
        if (typeof body.output !== 'string') break;
        // The live machine's console has its own panel; a replay's output is shown here, as the
        // place where it diverges from the machine's ('important') is.
        if (body.category === 'important') this.addOutput(`⚠ ${body.output}`);
        else if (body.category !== 'stdout' || view.replay) this.addOutput(body.output);
        break;
      case 'terminated':
      case 'exited':
        if (!session.leaving)
          this.lost(
            view,
            view.replay
              ? 'the adapter ended it'
              : `machine '${session.machine}' stopped: the debugger attaches again when it runs`,
          );
        break;
    }
  }

  private async threadStopped(
    view: SessionView,
    session: Session,
    body: Record<string, unknown>,
  ): Promise<void> {
    const id = typeof body.threadId === 'number' ? body.threadId : undefined;
    const reason = typeof body.reason === 'string' ? body.reason : 'pause';
    await this.readThreads(view, session);
    const thread = (id !== undefined && view.threads.find((t) => t.id === id)) || view.threads[0];
    if (!thread || view.session !== session) return;
    view.state = DebugState.Stopped;
    if (body.allThreadsStopped === true) {
      // The whole machine paused: every thread stands, and those the debugger holds keep their stop.
      for (const t of view.threads) t.stopped ??= reason;
      if (thread.held) return this.emit();
    } else {
      thread.held = true;
      thread.stopped = reason;
    }
    if (typeof body.description === 'string') thread.description = body.description;
    try {
      const trace = await session.dap.request<{ stackFrames: DapStackFrame[] }>('stackTrace', {
        threadId: thread.id,
        startFrame: 0,
        levels: 50,
      });
      thread.frames = trace.stackFrames;
    } catch (err) {
      thread.frames = [];
      this.addOutput(`cannot read the stack of thread ${thread.id}: ${(err as Error).message}\n`);
    }
    view.status = `Stopped (${reason}) in thread ${thread.id}${thread.description ? `: ${thread.description}` : ''}`;
    const top = thread.frames[0];
    if (top) this.select(view, thread, top);
    else {
      view.selectedThread = thread.id;
      this.emit();
    }
  }

  /**
   * Thread `id` runs again. `since`: the stop count when the request that let it go was sent; a
   * thread that stopped after that (a continue's thread back at its breakpoint, a step's end, both
   * of which can come before the request's answer) keeps its new stop.
   */
  private threadResumed(view: SessionView, id: number, since?: number): void {
    const thread = view.threads.find((t) => t.id === id);
    if (thread && !this.stoppedSince(view, id, since)) this.release(view, thread);
    this.settle(view);
  }

  /** The whole machine runs again: every thread but those the debugger holds (and those stopped since). */
  private worldResumed(view: SessionView, since?: number): void {
    for (const t of view.threads) if (!t.held && !this.stoppedSince(view, t.id, since)) this.release(view, t);
    this.settle(view);
  }

  private stoppedSince(view: SessionView, id: number, since: number | undefined): boolean {
    return since !== undefined && (view.lastStop.get(id) ?? 0) > since;
  }

  private release(view: SessionView, thread: ThreadView): void {
    delete thread.stopped;
    delete thread.held;
    delete thread.description;
    thread.frames = [];
    if (view.selectedThread === thread.id) view.selectedFrame = undefined;
  }

  private settle(view: SessionView): void {
    if (view.session && !view.threads.some((t) => t.stopped)) {
      view.state = DebugState.Running;
      view.status = `Debugging ${this.title(view)}: running`;
    }
    // Values of a frame that runs again would be stale: the watch waits for the next stop.
    if (view.selectedFrame === undefined) view.watchResults = this.unevaluated();
    this.emit();
  }

  /** Threads come and go often: the list is read again once they settle. */
  private refreshThreads(): void {
    clearTimeout(this.threadsTimer);
    this.threadsTimer = setTimeout(() => {
      for (const view of this.attachedViews())
        void this.readThreads(view, view.session!).then(() => this.emit());
    }, 100);
  }

  private async readThreads(view: SessionView, session: Session): Promise<void> {
    try {
      const body = await session.dap.request<{ threads: { id: number; name: string }[] }>('threads');
      if (view.session !== session) return;
      const old = new Map(view.threads.map((t) => [t.id, t]));
      view.threads = body.threads.map((t) => old.get(t.id) ?? { id: t.id, name: t.name, frames: [] });
    } catch {
      // The next event reads them again; a request the user makes says what is wrong.
    }
  }

  private addOutput(text: string): void {
    this.output.push(...text.replace(/\n$/, '').split('\n'));
    if (this.output.length > OUTPUT_LINES) this.output.splice(0, this.output.length - OUTPUT_LINES);
    this.emit();
  }

  /**
   * The session went away without being asked to. The live one waits for its machine to run
   * again; a replay has nothing to wait for: it ends, and the live view is shown.
   */
  private lost(view: SessionView, why: string): void {
    const session = view.session;
    if (!session) return;
    if (view.replay) {
      const { generation, machine } = view.replay;
      this.ended(view, session, '');
      if (this.replayView === view) this.replayView = undefined;
      this.addOutput(`the replay of generation ${generation} of '${machine}' ended: ${why}`);
      this.showLive();
      return;
    }
    this.ended(view, session, why);
    this.waitingFor = session.machine;
    this.addOutput(why);
  }

  private ended(view: SessionView, session: Session, status: string): void {
    if (view.session !== session) return;
    view.session = undefined;
    session.leaving = true;
    session.dap.end('the debug session ended');
    session.stream.dispose();
    view.state = DebugState.Inactive;
    view.threads = [];
    view.selectedFrame = undefined;
    view.selectedThread = undefined;
    view.statuses.clear();
    view.watchResults = this.unevaluated();
    view.status = status;
    this.emitBreakpoints();
    this.emit();
  }

  private dap(): DapConnection {
    const session = this.view.session;
    if (!session) throw new Error('not debugging: F5 attaches to the picked machine');
    return session.dap;
  }

  private setStatus(view: SessionView, text: string): void {
    view.status = text;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.changeListeners) listener();
  }

  private emitBreakpoints(): void {
    for (const listener of this.breakpointListeners) listener();
  }
}
