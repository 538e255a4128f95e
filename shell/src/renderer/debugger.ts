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
 */
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

export class Debugger {
  breakpoints = new BreakpointList();
  /** The adapter's answers, by file and line the user set. */
  private readonly statuses = new Map<string, Map<number, BreakpointStatus>>();
  state = DebugState.Inactive;
  threads: ThreadView[] = [];
  selectedThread: number | undefined;
  selectedFrame: DapStackFrame | undefined;
  watches: string[] = [];
  watchResults: WatchResult[] = [];
  output: string[] = [];
  /** One line for the panel: what the debugger is doing or waiting for. */
  status = 'Not debugging: F5 attaches to the picked machine';
  private session: Session | undefined;
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
      if (this.session?.machine === machine && !running) {
        this.lost(`machine '${machine}' is ${state}: the debugger attaches again when it runs`);
      } else if (this.waitingFor === machine && running && this.session === undefined) {
        void this.attach(machine).catch((err) => this.onError(`Cannot attach to ${machine}`, err));
      }
    });
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

  get machine(): string | undefined {
    return this.session?.machine;
  }

  get isActive(): boolean {
    return this.state !== DebugState.Inactive;
  }

  /** The adapter's answer for a breakpoint the user set; undefined while not debugging. */
  statusOf(file: string, line: number): BreakpointStatus | undefined {
    return this.statuses.get(file)?.get(line);
  }

  /** The "root/path" of a frame's source, when the studio can open it. */
  fileOf(frame: DapStackFrame | undefined): string | undefined {
    const path = frame?.source?.path;
    return path && this.session ? fileOfPath(path, this.session.roots) : undefined;
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

  /** Reads what the host kept; what the user changed before it came wins. */
  private async load(): Promise<void> {
    try {
      const saved = await this.api.call('debug.settings', {});
      if (this.breakpoints.files().length === 0)
        this.breakpoints = BreakpointList.fromRecord(saved.breakpoints);
      if (this.watches.length === 0) {
        this.watches = [...saved.watches];
        this.watchResults = this.watches.map((expression) => ({ expression, variablesReference: 0 }));
      }
    } catch (err) {
      this.onError('Cannot read the saved breakpoints', err);
      return;
    }
    this.emitBreakpoints();
    this.emit();
    const session = this.session;
    if (session) for (const file of this.breakpoints.files()) void this.sendBreakpoints(session, file);
  }

  private save(): void {
    this.api
      .call('debug.saveSettings', { breakpoints: this.breakpoints.toRecord(), watches: this.watches })
      .catch((err) => this.onError('Cannot keep the breakpoints', err));
  }

  private breakpointsChanged(file: string): void {
    this.save();
    this.emitBreakpoints();
    if (this.session) void this.sendBreakpoints(this.session, file);
  }

  private async sendBreakpoints(session: Session, file: string): Promise<void> {
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
      if (this.session === session) this.statuses.set(file, byLine);
    } catch (err) {
      if (this.session !== session || session.dap.isEnded) return;
      const byLine = new Map<number, BreakpointStatus>();
      for (const bp of wanted) byLine.set(bp.line, { verified: false, message: (err as Error).message });
      this.statuses.set(file, byLine);
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
    void this.evaluateWatches();
  }

  private async evaluateWatches(): Promise<void> {
    const frame = this.selectedFrame;
    const session = this.session;
    this.watchResults = await Promise.all(
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
    this.selectedThread = thread.id;
    this.selectedFrame = frame;
    for (const listener of this.stopListeners) listener(frame, this.fileOf(frame));
    this.emit();
    void this.evaluateWatches();
  }

  // ── actions (the toolbar, the keys) ──

  /** F5: continue the stopped thread; with no session, attach to the picked machine (booting it first). */
  async continueOrStart(): Promise<void> {
    if (!this.session) return this.start();
    const thread = this.stoppedThread();
    if (!thread) return;
    await this.dap().request('continue', { threadId: thread.id });
    if (thread.held) this.threadResumed(thread.id);
    else this.worldResumed();
  }

  async pause(): Promise<void> {
    const thread = this.threads.find((t) => t.id === this.selectedThread) ?? this.threads[0];
    await this.dap().request('pause', { threadId: thread?.id ?? 0 });
  }

  async step(kind: 'next' | 'stepIn' | 'stepOut'): Promise<void> {
    const thread = this.heldThread();
    if (!thread) throw new Error('no thread is stopped: steps start from a breakpoint, a step or an error');
    await this.dap().request(kind, { threadId: thread.id });
    this.threadResumed(thread.id);
  }

  /** Shift+F5: ends the session; its breakpoints leave the machine, its stopped threads run on. */
  async stop(): Promise<void> {
    const session = this.session;
    this.waitingFor = undefined;
    if (!session) {
      this.setStatus('Not debugging: F5 attaches to the picked machine');
      return;
    }
    session.leaving = true;
    this.setStatus(`Leaving ${session.machine}…`);
    try {
      await session.dap.request('disconnect', { terminateDebuggee: false });
    } finally {
      this.ended(session, `Not debugging: left ${session.machine}, which runs on`);
    }
  }

  /** Why an action cannot run now; undefined: it can. */
  unavailable(action: 'continue' | 'pause' | 'step' | 'stop'): string | undefined {
    if (action === 'continue')
      return this.session || this.picked() ? undefined : 'pick a machine in the machine bar first';
    if (!this.session) return 'not debugging: F5 attaches to the picked machine';
    if (action === 'step' && !this.heldThread())
      return 'no thread is stopped at a breakpoint, a step or an error (a paused machine does not step)';
    if (action === 'pause' && this.threads.length === 0) return 'the machine runs no thread';
    return undefined;
  }

  private async start(): Promise<void> {
    const machine = this.picked();
    if (!machine) throw new Error('Pick a machine in the machine bar first.');
    if (this.state !== DebugState.Inactive) return;
    this.state = DebugState.Starting;
    this.waitingFor = undefined;
    try {
      if (machine.state !== 'running' && machine.state !== 'paused') {
        this.setStatus(`Starting ${machine.name}…`);
        await this.api.call('machine.start', { machine: machine.name });
      }
      await this.attach(machine.name);
    } catch (err) {
      this.state = DebugState.Inactive;
      this.setStatus('Not debugging: F5 attaches to the picked machine');
      throw err;
    }
  }

  private async attach(machine: string): Promise<void> {
    const again = this.waitingFor === machine;
    this.state = DebugState.Starting;
    this.waitingFor = undefined;
    this.setStatus(`Attaching to ${machine}…`);
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
            if (this.session === opened && !opened.leaving)
              this.lost(`the debug session of '${machine}' ended (${reason}); attaching again when it runs`);
          },
        }),
      };
      session = opened;
      this.session = opened;
      dap.onEvent((e) => this.event(opened, e));
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
      await dap.request('attach', { machine });
      if (again) this.addOutput(`attached again to '${machine}'`);
      await Promise.all(this.breakpoints.files().map((file) => this.sendBreakpoints(opened, file)));
      await dap.request('setExceptionBreakpoints', { filters: [] });
      await dap.request('configurationDone');
      // A thread may have stopped while attaching (one stopped before a power cut): its stop says so.
      if (this.state === DebugState.Starting) {
        this.state = DebugState.Running;
        this.setStatus(`Debugging ${machine}`);
      }
      this.refreshThreads();
    } catch (err) {
      if (session) this.ended(session, 'Not debugging: F5 attaches to the picked machine');
      else this.state = DebugState.Inactive;
      this.emit();
      throw err;
    }
  }

  private event(session: Session, e: DapEvent): void {
    if (this.session !== session) return;
    const body = (e.body ?? {}) as Record<string, unknown>;
    switch (e.event) {
      case 'stopped':
        void this.threadStopped(session, body);
        break;
      case 'continued':
        if (body.allThreadsContinued === true) this.worldResumed();
        else if (typeof body.threadId === 'number') this.threadResumed(body.threadId);
        break;
      case 'thread':
        this.refreshThreads();
        break;
      case 'output':
        if (body.category !== 'stdout' && typeof body.output === 'string') this.addOutput(body.output);
        break;
      case 'terminated':
      case 'exited':
        if (!session.leaving)
          this.lost(`machine '${session.machine}' stopped: the debugger attaches again when it runs`);
        break;
    }
  }

  private async threadStopped(session: Session, body: Record<string, unknown>): Promise<void> {
    const id = typeof body.threadId === 'number' ? body.threadId : undefined;
    const reason = typeof body.reason === 'string' ? body.reason : 'pause';
    await this.readThreads(session);
    const thread = (id !== undefined && this.threads.find((t) => t.id === id)) || this.threads[0];
    if (!thread || this.session !== session) return;
    this.state = DebugState.Stopped;
    if (body.allThreadsStopped === true) {
      // The whole machine paused: every thread stands, and those the debugger holds keep their stop.
      for (const t of this.threads) t.stopped ??= reason;
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
    this.setStatus(
      `Stopped (${reason}) in thread ${thread.id}${thread.description ? `: ${thread.description}` : ''}`,
    );
    const top = thread.frames[0];
    if (top) this.selectFrame(thread, top);
    else {
      this.selectedThread = thread.id;
      this.emit();
    }
  }

  private threadResumed(id: number): void {
    const thread = this.threads.find((t) => t.id === id);
    if (thread) this.release(thread);
    this.settle();
  }

  /** The whole machine runs again: every thread but those the debugger holds. */
  private worldResumed(): void {
    for (const t of this.threads) if (!t.held) this.release(t);
    this.settle();
  }

  private release(thread: ThreadView): void {
    delete thread.stopped;
    delete thread.held;
    delete thread.description;
    thread.frames = [];
    if (this.selectedThread === thread.id) this.selectedFrame = undefined;
  }

  private settle(): void {
    if (this.session && !this.threads.some((t) => t.stopped)) {
      this.state = DebugState.Running;
      this.status = `Debugging ${this.session.machine}: running`;
    }
    // Values of a frame that runs again would be stale: the watch waits for the next stop.
    if (this.selectedFrame === undefined)
      this.watchResults = this.watches.map((expression) => ({ expression, variablesReference: 0 }));
    this.emit();
  }

  /** Threads come and go often: the list is read again once they settle. */
  private refreshThreads(): void {
    clearTimeout(this.threadsTimer);
    this.threadsTimer = setTimeout(() => {
      const session = this.session;
      if (session) void this.readThreads(session).then(() => this.emit());
    }, 100);
  }

  private async readThreads(session: Session): Promise<void> {
    try {
      const body = await session.dap.request<{ threads: { id: number; name: string }[] }>('threads');
      if (this.session !== session) return;
      const old = new Map(this.threads.map((t) => [t.id, t]));
      this.threads = body.threads.map((t) => old.get(t.id) ?? { id: t.id, name: t.name, frames: [] });
    } catch {
      // The next event reads them again; a request the user makes says what is wrong.
    }
  }

  private addOutput(text: string): void {
    this.output.push(...text.replace(/\n$/, '').split('\n'));
    if (this.output.length > OUTPUT_LINES) this.output.splice(0, this.output.length - OUTPUT_LINES);
    this.emit();
  }

  /** The session went away without being asked to: wait for its machine to run again. */
  private lost(why: string): void {
    const session = this.session;
    if (!session) return;
    this.ended(session, why);
    this.waitingFor = session.machine;
    this.addOutput(why);
  }

  private ended(session: Session, status: string): void {
    if (this.session !== session) return;
    this.session = undefined;
    session.leaving = true;
    session.dap.end('the debug session ended');
    session.stream.dispose();
    this.state = DebugState.Inactive;
    this.threads = [];
    this.selectedFrame = undefined;
    this.selectedThread = undefined;
    this.statuses.clear();
    this.watchResults = this.watches.map((expression) => ({ expression, variablesReference: 0 }));
    this.status = status;
    this.emitBreakpoints();
    this.emit();
  }

  private dap(): DapConnection {
    if (!this.session) throw new Error('not debugging: F5 attaches to the picked machine');
    return this.session.dap;
  }

  private setStatus(text: string): void {
    this.status = text;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.changeListeners) listener();
  }

  private emitBreakpoints(): void {
    for (const listener of this.breakpointListeners) listener();
  }
}
