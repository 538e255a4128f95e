/**
 * A replay as a debug-adapter target (dap-target.ts): the requests a live machine's DebugClient
 * answers over the kernel's debug protocol (threads, frames, objects, breakpoints, steps, continue,
 * pause, and their STOPPED / CONTINUED / LOGPOINT events), answered from a Replay of one generation,
 * plus what only a replay can do (DapReverse): step back, reverse continue, data breakpoints.
 *
 * Forward runs go in slices of RUN_SLICE instructions with the host's event loop between them, so
 * pause and other requests are served while a replay runs. A run's stop is always told as an event
 * after the request that started it is answered, as the kernel's are.
 *
 * When the machine's console for the interval after the generation is known (`recorded`), the
 * replay's output is compared with it line by line, and the first line where they differ is said
 * once on `onNotice`: the replay is only as true as the interpreter is to the kernel.
 */
import * as L from '@phantom/lang/common/spec/generated.js';
import type { DapReverse, DapTarget, DataSlot } from './dap-target.js';
import * as P from './debug-protocol.js';
import { type Disposable, Emitter } from './events.js';
import {
  type ConditionOp,
  Replay,
  type ReplayBreakpoint,
  ReplayError,
  type ReplayExceptionStops,
  type ReplayStop,
  type ReplayThrow,
  type StepKind,
  type StepPlan,
} from './replay.js';

/** Most instructions a forward run takes between two looks at the host's other work. */
const RUN_SLICE = 2_000_000;
/** Fewest: a slice that printed more than OUTPUT_SLICE bytes halves the next one, down to this. */
const MIN_RUN_SLICE = 4096;
/** Console bytes a slice should print at most, so the editor (and a pause) is not flooded. */
const OUTPUT_SLICE = 64 * 1024;
/** Longest line quoted in a divergence notice. */
const QUOTED = 120;

const CONDITIONS = new Map<number, ConditionOp>([
  [P.Condition.Eq, '=='],
  [P.Condition.Ne, '!='],
  [P.Condition.Lt, '<'],
  [P.Condition.Le, '<='],
  [P.Condition.Gt, '>'],
  [P.Condition.Ge, '>='],
]);

const EXCEPTION_STOPS = new Map<number, ReplayExceptionStops>([
  [P.ExceptionStops.None, 'none'],
  [P.ExceptionStops.Uncaught, 'uncaught'],
  [P.ExceptionStops.All, 'all'],
]);

const STEP_KINDS = new Map<number, StepKind>([
  [P.StepKind.Instruction, 'instruction'],
  [P.StepKind.Into, 'into'],
  [P.StepKind.Over, 'over'],
  [P.StepKind.Out, 'out'],
]);

export interface ReplayTargetOptions {
  /** The generation's number, for what the target says. */
  readonly generation: number;
  /** Lets the host's event loop run (between slices of a forward run). */
  readonly yieldToHost: () => Promise<void>;
  /** The machine's console output after the generation, when it is known. */
  readonly recorded?: string;
  readonly checkpointEvery?: number;
}

/** How the editor should name where a replay stopped. */
export interface ReplayStopDescription {
  readonly reason: string;
  readonly description: string;
}

export class ReplayTarget implements DapTarget, DapReverse {
  readonly replay: Replay;
  private readonly stops = new Emitter<P.StoppedInfo>();
  private readonly continues = new Emitter<P.ContinuedInfo>();
  private readonly ends = new Emitter<{ thread: number; id: number; state: number }>();
  private readonly logs = new Emitter<P.LogpointInfo>();
  private readonly consoleText = new Emitter<string>();
  private readonly notices = new Emitter<string>();
  private readonly breakpoints = new Map<number, ReplayBreakpoint>();
  private nextId = 1;
  private last: ReplayStop;
  private running: { cancelled: boolean } | undefined;
  private disposed = false;
  private readonly decoder = new TextDecoder();
  /** The recorded console's whole lines, the replay's lines compared with them, its unfinished line. */
  private readonly recordedLines: readonly string[] | undefined;
  private compared = 0;
  private partial = '';
  /** Output of the running slice, told once per slice. */
  private pending = '';
  private diverged = false;
  private exceptions: P.ExceptionStops = P.ExceptionStops.None;

  constructor(
    space: Uint8Array,
    private readonly options: ReplayTargetOptions,
  ) {
    this.replay = new Replay(space, {
      onOutput: (bytes) => this.output(bytes),
      onLog: (message) => {
        const thread = this.replay.thread;
        this.logs.fire({ breakpoint: 0, thread: thread - 1, id: this.threadId(thread), hits: 0, message });
      },
      ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
    });
    this.last = { reason: 'start', position: 0, thread: this.replay.thread || this.firstThread() };
    this.recordedLines = options.recorded?.split('\n').slice(0, -1);
  }

  readonly onConsole = this.consoleText.event;
  /** Divergences from the recorded console, once each. */
  readonly onNotice = this.notices.event;

  onDidEndThread(listener: (e: { thread: number; id: number; state: number }) => void): Disposable {
    return this.ends.event(listener);
  }
  onDidStop(listener: (e: P.StoppedInfo) => void): Disposable {
    return this.stops.event(listener);
  }
  onDidContinue(listener: (e: P.ContinuedInfo) => void): Disposable {
    return this.continues.event(listener);
  }
  onDidLog(listener: (e: P.LogpointInfo) => void): Disposable {
    return this.logs.event(listener);
  }

  private output(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true });
    this.pending += text;
    const recorded = this.recordedLines;
    if (recorded === undefined || this.diverged || this.compared >= recorded.length) return;
    // Whole lines only, each once; a line the recorded console does not reach is no divergence.
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const mine of lines) {
      if (this.compared >= recorded.length) return;
      const theirs = recorded[this.compared++]!;
      if (mine === theirs) continue;
      this.diverged = true;
      const quote = (s: string) => JSON.stringify(s.length > QUOTED ? `${s.slice(0, QUOTED)}…` : s);
      this.notices.fire(
        `replay diverges from the machine's console at line ${this.compared} after generation ${this.options.generation} (position ${this.replay.position}): the machine printed ${quote(theirs)}, the replay ${quote(mine)}\n`,
      );
      return;
    }
  }

  // ── what the live machine's debug protocol answers ──

  private threadRefs(): number[] {
    const s = this.replay.machine.space;
    const out = [];
    let t = this.replay.machine.rootSlot(L.ROOT_THREADS);
    while (t !== 0 && out.length < 100_000) {
      out.push(t);
      t = s.slot(t, L.THREAD_NEXT);
    }
    return out;
  }

  private firstThread(): number {
    return this.threadRefs()[0] ?? 0;
  }

  private threadId(thread: number): number {
    return thread === 0 ? 0 : this.replay.machine.space.slot(thread, L.THREAD_ID) >> 1;
  }

  async threads(): Promise<P.ThreadInfo[]> {
    const s = this.replay.machine.space;
    return this.threadRefs().map((t) => ({
      ref: t - 1,
      id: s.slot(t, L.THREAD_ID) >> 1,
      state: s.slot(t, L.THREAD_STATE) >> 1,
      wakeAt: s.slot(t, L.THREAD_WAKE_AT) >> 1,
      frames: this.replay.frames(t).map((f) => ({ frame: f.frame - 1, method: f.method - 1, pc: f.pc })),
    }));
  }

  async stats(): Promise<P.Stats> {
    const s = this.replay.machine.space;
    const live = (await this.threads()).filter((t) => t.state !== L.TS_DONE && t.state !== L.TS_FAILED);
    return {
      uptimeMs: this.replay.machine.machineMs,
      machineMs: this.replay.machine.machineMs,
      objects: s.headerField(L.SH_OBJECTS),
      liveBytes: s.headerField(L.SH_LIVE_BYTES),
      spaceTop: s.headerField(L.SH_TOP),
      generation: this.options.generation,
      threads: live.length,
      gcRuns: this.replay.machine.heap.collections,
      gcPauseUs: 0,
      snapshots: 0,
      // Between runs the replay stands still, its thread held as a debugger stop (stopped()).
      paused: false,
    };
  }

  async classes(): Promise<number[]> {
    const s = this.replay.machine.space;
    const out = new Set<number>();
    for (const root of [L.ROOT_CLASSES, L.ROOT_PROGRAM_CLASSES]) {
      const array = this.replay.machine.rootSlot(root);
      if (!s.isValidRef(array)) continue;
      for (let i = 0; i < s.payloadBytes(array) >> 2; i++) {
        const c = s.slot(array, i);
        if (s.isValidRef(c)) out.add(c - 1);
      }
    }
    return [...out];
  }

  async readObjects(refs: readonly number[]): Promise<P.RawObject[]> {
    const s = this.replay.machine.space;
    return refs.map((ref) => {
      const word = ref + 1;
      if (!s.isValidRef(word) || s.kindOf(word) === L.KIND_FREE)
        return {
          ref,
          status: P.ObjectStatus.NotAnObject,
          classWord: 0,
          size: 0,
          flags: 0,
          payload: new Uint8Array(0),
        };
      const h = s.headerIndex(word);
      const size = s.payloadBytes(word);
      const at = s.payloadOffset(word);
      return {
        ref,
        status: P.ObjectStatus.Ok,
        classWord: s.words[h]!,
        size,
        flags: s.words[h + 2]!,
        payload: s.bytes.slice(at, at + size),
      };
    });
  }

  async frame(thread: number, depth: number): Promise<P.FrameInfo> {
    const s = this.replay.machine.space;
    const f = this.replay.frames(thread + 1)[depth];
    if (f === undefined) throw new ReplayError(`thread 0x${thread.toString(16)} has no frame ${depth}`);
    const locals = s.slot(f.method, L.METHOD_LOCALS) >> 1;
    const values = [];
    for (let i = 0; i < locals; i++) {
      const w = s.slot(f.frame, L.FRAME_LOCALS + i);
      // The interpreter's words say int or reference by their tag; 0 is shown as the int 0.
      values.push((w & 1) === 1 ? { kind: P.VALUE_REF, bits: w - 1 } : { kind: P.VALUE_INT, bits: w >> 1 });
    }
    return {
      frame: f.frame - 1,
      method: f.method - 1,
      pc: f.pc,
      line: this.replay.statementAt(f.method, f.pc)?.line ?? -1,
      argc: s.slot(f.method, L.METHOD_ARGC) >> 1,
      methodFlags: s.slot(f.method, L.METHOD_FLAGS) >> 1,
      localCount: locals,
      values,
    };
  }

  async stopped(): Promise<{ exceptions: number; threads: P.StoppedInfo[] }> {
    const info = this.running === undefined ? this.stoppedInfo(this.last) : undefined;
    return { exceptions: this.exceptions, threads: info === undefined ? [] : [info] };
  }

  async setExceptionStops(mode: P.ExceptionStops): Promise<void> {
    const stops = EXCEPTION_STOPS.get(mode);
    if (stops === undefined) throw new ReplayError(`unknown exception stop mode ${mode}`);
    this.replay.setExceptionStops(stops);
    this.exceptions = mode;
  }

  /** The throw the replay stands before, when it stopped at one. */
  thrownHere(): ReplayThrow | undefined {
    return this.running === undefined ? this.last.exception : undefined;
  }

  async setBreakpoint(spec: P.BreakpointSpec): Promise<number> {
    const id = this.nextId++;
    const condition = CONDITIONS.get(spec.condition);
    const bp: ReplayBreakpoint = {
      id,
      method: spec.method + 1,
      pc: spec.pc,
      ...(condition !== undefined
        ? { condition: { local: spec.local, op: condition, value: spec.value } }
        : {}),
      ...(spec.hitCount > 1 ? { hitCount: spec.hitCount } : {}),
      ...((spec.flags & P.BREAKPOINT_LOG) !== 0 ? { log: spec.message } : {}),
    };
    // Also while the replay runs, as in a machine: it runs in slices with the host's turns
    // between them, and the next slice stops at the breakpoint.
    this.replay.setBreakpoints([...this.breakpoints.values(), bp]);
    this.breakpoints.set(id, bp);
    return id;
  }

  async clearBreakpoint(id: number): Promise<void> {
    if (!this.breakpoints.has(id)) throw new ReplayError(`no breakpoint ${id}`);
    this.breakpoints.delete(id);
    this.replay.setBreakpoints([...this.breakpoints.values()]);
  }

  async pause(): Promise<void> {
    if (this.running !== undefined) this.running.cancelled = true;
  }

  /** A replay holds only this session's breakpoints: none of another client is ever left in it. */
  async listBreakpoints(): Promise<P.BreakpointInfo[]> {
    return [];
  }

  /** A replay runs as a whole (one interpreter): pausing one of its threads pauses it all. */
  async pauseThread(_thread: number): Promise<void> {
    await this.pause();
  }

  async setLocal(): Promise<void> {
    throw new ReplayError('a replay shows what the machine did; its variables cannot be changed');
  }

  async setField(): Promise<void> {
    throw new ReplayError('a replay shows what the machine did; its objects cannot be changed');
  }

  /** Lets the replay run: after a continue of its stopped threads it runs already, and that is it. */
  async resume(): Promise<void> {
    if (this.running === undefined) await this.continueThread(0);
  }

  async continueThread(_thread: number): Promise<void> {
    this.idle('continue');
    this.start((until) => this.replay.continue(until));
  }

  async step(thread: number, kind: P.StepKind): Promise<void> {
    const k = STEP_KINDS.get(kind);
    if (k === undefined) throw new ReplayError(`unknown step kind ${kind}`);
    this.idle('step');
    const plan: StepPlan = this.replay.planStep(k, thread + 1);
    this.start((until) => this.replay.runStep(plan, until));
  }

  // ── what only a replay does ──

  position(): number {
    return this.replay.position;
  }

  async stepBack(thread: number, kind: P.StepKind): Promise<void> {
    const k = STEP_KINDS.get(kind);
    if (k === undefined) throw new ReplayError(`unknown step kind ${kind}`);
    this.idle('step back');
    this.startBack(() => this.replay.stepBack(k, thread + 1));
  }

  async reverseContinue(): Promise<void> {
    this.idle('reverse-continue');
    this.startBack(() => this.replay.reverseContinue());
  }

  async setDataBreakpoints(slots: readonly DataSlot[]): Promise<number[]> {
    this.idle('set data breakpoints');
    const watches = slots.map((d) => ({ id: this.nextId++, ref: d.object + 1, slot: d.slot }));
    this.replay.setWatches(watches);
    return watches.map((w) => w.id);
  }

  /** How the editor should name the last stop: its reason, position and what changed. */
  describeStop(): ReplayStopDescription {
    const stop = this.last;
    const at = `position ${stop.position} of the replay of generation ${this.options.generation}`;
    switch (stop.reason) {
      case 'data': {
        const w = stop.watch;
        const show = (v: number) => ((v & 1) === 1 ? `@0x${(v - 1).toString(16)}` : String(v >> 1));
        return {
          reason: 'data breakpoint',
          description: w ? `data changed ${show(w.before)} → ${show(w.after)} (${at})` : at,
        };
      }
      case 'breakpoint':
        return { reason: 'breakpoint', description: `breakpoint (${at})` };
      case 'exception': {
        const e = stop.exception;
        const what =
          e === undefined ? 'an error' : e.message === '' ? e.className : `${e.className}: ${e.message}`;
        return {
          reason: 'exception',
          description: `Error thrown: ${what}${e?.caught === false ? ' (uncaught)' : ''} (${at})`,
        };
      }
      case 'start':
        return { reason: 'entry', description: `at the generation (${at})` };
      case 'end': {
        const held = this.replay.heldThreads;
        // Held threads: the machine's debugger had them stopped at the generation; they stay so.
        const ended =
          held === 0
            ? 'every thread has ended'
            : `every thread has ended but ${held} the machine's debugger held stopped at the generation (they stay held)`;
        return { reason: 'pause', description: `${ended} (${at}): step back or reverse-continue` };
      }
      case 'pause':
        return { reason: 'pause', description: `paused (${at})` };
      case 'step':
        return { reason: 'step', description: at };
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.running !== undefined) this.running.cancelled = true;
    for (const e of [this.stops, this.continues, this.ends, this.logs, this.consoleText, this.notices])
      e.dispose();
  }

  /**
   * The replay's state where it stands (continuing the machine from here): the generation it runs
   * from, its position, and its space. Refused while it runs, since the space changes under it.
   */
  stateHere(): { generation: number; position: number; space: Uint8Array } {
    this.idle('take its state');
    if (this.disposed) throw new ReplayError('the replay has ended');
    return {
      generation: this.options.generation,
      position: this.replay.position,
      space: this.replay.spaceHere(),
    };
  }

  // ── running ──

  private idle(what: string): void {
    if (this.running !== undefined)
      throw new ReplayError(`cannot ${what} while the replay runs: pause it first`);
  }

  /** Runs forward in slices until a stop, a pause or the end, then tells the stop. */
  private start(run: (until: number) => ReplayStop): void {
    const running = { cancelled: false };
    this.running = running;
    const before = this.liveThreads();
    const thread = this.last.thread;
    this.continues.fire({ thread: thread - 1, id: this.threadId(thread) });
    void (async () => {
      let stop: ReplayStop;
      let slice = MIN_RUN_SLICE * 16;
      try {
        do {
          await this.options.yieldToHost();
          if (this.disposed) return;
          stop = run(this.replay.position + slice);
          const printed = this.pending.length;
          this.flush();
          if (printed > OUTPUT_SLICE) slice = Math.max(MIN_RUN_SLICE, slice >> 1);
          else if (printed < OUTPUT_SLICE / 4) slice = Math.min(RUN_SLICE, slice * 2);
        } while (stop.reason === 'pause' && !running.cancelled);
      } catch (err) {
        this.notices.fire(`the replay stopped: ${(err as Error).message}\n`);
        stop = { reason: 'pause', position: this.replay.position, thread: this.replay.thread };
      }
      this.running = undefined;
      this.finish(stop, before);
    })();
  }

  /** Goes back (bounded by the position, so in one piece), then tells the stop. */
  private startBack(run: () => ReplayStop): void {
    const running = { cancelled: false };
    this.running = running;
    const before = this.liveThreads();
    void (async () => {
      await this.options.yieldToHost();
      if (this.disposed) return;
      let stop: ReplayStop;
      try {
        stop = run();
      } catch (err) {
        this.notices.fire(`the replay could not go back: ${(err as Error).message}\n`);
        stop = { reason: 'pause', position: this.replay.position, thread: this.replay.thread };
      }
      this.running = undefined;
      this.finish(stop, before);
    })();
  }

  private liveThreads(): Map<number, number> {
    const s = this.replay.machine.space;
    const out = new Map<number, number>();
    for (const t of this.threadRefs()) {
      const state = s.slot(t, L.THREAD_STATE) >> 1;
      if (state !== L.TS_DONE && state !== L.TS_FAILED) out.set(t, state);
    }
    return out;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.consoleText.fire(text);
  }

  private finish(stop: ReplayStop, before: Map<number, number>): void {
    if (this.disposed) return;
    this.flush();
    const s = this.replay.machine.space;
    const now = this.liveThreads();
    for (const t of before.keys())
      if (!now.has(t))
        this.ends.fire({ thread: t - 1, id: this.threadId(t), state: s.slot(t, L.THREAD_STATE) >> 1 });
    const thread = stop.thread || this.replay.machine.currentThread || this.firstThread();
    this.last = { ...stop, thread };
    const info = this.stoppedInfo(this.last);
    if (info !== undefined) this.stops.fire(info);
  }

  private stoppedInfo(stop: ReplayStop): P.StoppedInfo | undefined {
    const thread = stop.thread;
    if (thread === 0) return undefined;
    const top = this.replay.frames(thread)[0];
    const reason =
      stop.reason === 'breakpoint'
        ? P.StopReason.Breakpoint
        : stop.reason === 'exception'
          ? P.StopReason.Exception
          : stop.reason === 'pause' || stop.reason === 'end'
            ? P.StopReason.Pause
            : P.StopReason.Step;
    return {
      thread: thread - 1,
      id: this.threadId(thread),
      reason,
      breakpoint: stop.breakpoint ?? 0,
      method: top === undefined ? 0 : top.method - 1,
      pc: top?.pc ?? 0,
      line: top === undefined ? -1 : this.replay.lineAt(top.method, top.pc),
      exception: stop.exception?.thrown ? stop.exception.thrown - 1 : 0,
    };
  }
}
