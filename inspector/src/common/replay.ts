/**
 * A replay of one kept generation: its object space run on the reference interpreter (lang's
 * Machine, the kernel's twin), with the virtual clock, so every run from the generation is the same
 * run. A position is the number of instructions run since the generation; the replay can stand at
 * any position, go forward by instruction, by statement (into, over, out), to the next breakpoint
 * hit or data change, and backward the same ways.
 *
 * Going back re-runs from the generation: every CHECKPOINT_EVERY instructions the forward run keeps
 * a checkpoint (the machine's state and its space up to SH_TOP, page by page, sharing each page
 * with the checkpoint before when it did not change), so reaching position p restores the last checkpoint at
 * or before p and runs the rest. Reverse steps and reverse-continue scan the checkpoint intervals
 * before the position, newest first, for the last stop a forward run would have made.
 *
 * Stops come from the interpreter's probe (a byte map of the space marking statement starts and
 * breakpoints; a probe stop keeps the turn, so a paused run is the unpaused run) and, for data
 * breakpoints, from comparing the watched words after each WATCH_CHUNK instructions and finding
 * the changing instruction by going back to the chunk's start and stepping.
 *
 * References here are machine words (tagged, as Space takes them). Not here: the debug protocol
 * the adapter speaks (replay-client.ts), opening store disks (node side).
 */

import type { Space } from '@phantom/lang/common/image/space.js';
import {
  Machine,
  type MachineState,
  type StopReason,
  type ThrowInfo,
} from '@phantom/lang/common/interp/machine.js';
import * as L from '@phantom/lang/common/spec/generated.js';

/** Instructions between checkpoints: a backward move re-runs at most this many (a few ms). */
export const CHECKPOINT_EVERY = 100_000;
/** Instructions between looks at the watched words of data breakpoints. */
const WATCH_CHUNK = 4096;
/** Bytes of a checkpoint page: pages that did not change are shared with the checkpoint before. */
const PAGE = 4096;

const HW = L.HEADER_BYTES / 4;
/** Probe bits: a statement starts here; a breakpoint is here; a step out returns here. */
const PROBE_STATEMENT = 1;
const PROBE_BREAKPOINT = 2;
const PROBE_RETURN = 4;

export type StepKind = 'instruction' | 'into' | 'over' | 'out';
export type ConditionOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A breakpoint at one instruction; `condition` compares an int local, `hitCount` counts from the generation. */
export interface ReplayBreakpoint {
  readonly id: number;
  readonly method: number;
  readonly pc: number;
  readonly condition?: { readonly local: number; readonly op: ConditionOp; readonly value: number };
  /** Act from the Nth hit (whose condition held) since the generation on; 0 or 1: every hit. */
  readonly hitCount?: number;
  /** A logpoint: says this and goes on. */
  readonly log?: string;
}

/** A data breakpoint: stop after an instruction changes slot `slot` of object `ref`. */
export interface ReplayWatch {
  readonly id: number;
  readonly ref: number;
  readonly slot: number;
}

/** 'pause': a run reached the limit it was given, 'start': going back reached the generation. */
export type ReplayStopReason = 'step' | 'breakpoint' | 'data' | 'exception' | 'end' | 'start' | 'pause';

/** Which throws stop a forward run (and a reverse continue): as the kernel's EXCEPTION_STOPS. */
export type ReplayExceptionStops = 'none' | 'uncaught' | 'all';

/** The throw an exception stop stands before. */
export interface ReplayThrow {
  /** The thrown object, when it exists where the replay stands (a THROW's); 0 for a VM error, made by the throw. */
  readonly thrown: number;
  readonly className: string;
  readonly message: string;
  readonly caught: boolean;
}

export interface ReplayStop {
  readonly reason: ReplayStopReason;
  readonly position: number;
  /** The thread that runs the next instruction (or ran the last one), 0 when none is left. */
  readonly thread: number;
  readonly breakpoint?: number;
  readonly watch?: { readonly id: number; readonly before: number; readonly after: number };
  readonly exception?: ReplayThrow;
}

export class ReplayError extends Error {}

/** What a forward run's onThrow throws to abandon the run at a throw it stops for. */
class ThrowSeen {
  constructor(readonly info: ThrowInfo) {}
}

export interface ReplayOptions {
  /** Console output the first time the replay runs past it, in order (re-runs say nothing). */
  readonly onOutput?: (bytes: Uint8Array, index: number) => void;
  /** A logpoint's message, each time a forward run passes it. */
  readonly onLog?: (message: string, position: number) => void;
  readonly checkpointEvery?: number;
}

interface Checkpoint {
  readonly state: MachineState;
  readonly pages: readonly Uint8Array[];
  readonly outputs: number;
  readonly ended: boolean;
}

/** Where a probe stopped the run: the running thread's innermost frame. */
interface Hit {
  readonly position: number;
  readonly thread: number;
  readonly frame: number;
  readonly depth: number;
  readonly address: number;
}

/** A statement start (or a line-table entry where a method has no statement table). */
interface Statement {
  readonly method: number;
  readonly pc: number;
  readonly line: number;
}

/** A step as it began: its thread, that thread's depth then, and (out) where the caller resumes. */
export interface StepPlan {
  readonly kind: StepKind;
  readonly thread: number;
  readonly depth: number;
  readonly returnAddress: number;
}

/** A stop a forward run may make at a probe hit or a data change; null goes on. */
type Accept = (hit: Hit) => ReplayStop | null;

export class Replay {
  readonly machine: Machine;
  private readonly space: Space;
  private readonly bytes: Uint8Array;
  private readonly every: number;
  private readonly checkpoints: (Checkpoint | undefined)[] = [];
  private readonly statements = new Map<number, Statement>();
  /** Statement starts and breakpoints (PROBE_* bits); `bpProbe` only breakpoints. */
  private readonly lineProbe: Uint8Array;
  private readonly bpProbe: Uint8Array;
  private readonly breakpointsAt = new Map<number, ReplayBreakpoint[]>();
  private watches: { watch: ReplayWatch; word: number }[] = [];
  private exceptionStops: ReplayExceptionStops = 'none';
  /** Hits (condition held) of breakpoints with a hit count: positions, complete below `known`. */
  private readonly hitLog = new Map<number, { hits: number[]; known: number }>();
  private readonly outputs: Uint8Array[] = [];
  private outputCount = 0;
  private endedHere = false;
  /** Re-runs (going back, moving the position) say no logpoints. */
  private quiet = false;
  private readonly onOutput: (bytes: Uint8Array, index: number) => void;
  private readonly onLog: (message: string, position: number) => void;

  constructor(space: Uint8Array, options: ReplayOptions = {}) {
    this.bytes = space.slice();
    this.onOutput = options.onOutput ?? (() => {});
    this.onLog = options.onLog ?? (() => {});
    this.every = options.checkpointEvery ?? CHECKPOINT_EVERY;
    try {
      this.machine = new Machine(this.bytes, { onOutput: (b) => this.output(b) });
    } catch (err) {
      throw new ReplayError(`the generation cannot be replayed: ${(err as Error).message}`);
    }
    this.space = this.machine.space;
    this.lineProbe = new Uint8Array(this.bytes.length);
    this.bpProbe = new Uint8Array(this.bytes.length);
    this.indexStatements();
    this.checkpoints[0] = this.capture(undefined);
  }

  get position(): number {
    return this.machine.steps;
  }

  /**
   * The machine's whole state here, as a copy of its space: threads, frames, operand stacks and
   * the clock all live in it (the interpreter writes them back whenever a run returns), so this is
   * an object space the kernel can mount (continuing the machine from a replay).
   */
  spaceHere(): Uint8Array {
    return this.bytes.slice();
  }

  /** Has every thread ended at this position (but those the machine's debugger held: heldThreads)? */
  get ended(): boolean {
    return this.endedHere;
  }

  /**
   * Threads the kernel's debugger held stopped at the generation. They stay held, as they did in
   * the machine until a client continued them: the replay ends when only they are left.
   */
  get heldThreads(): number {
    return this.machine.threadsHeldByDebugger;
  }

  /** What a run's stop means here: the end, when every thread left has ended or is held. */
  private ran(reason: StopReason): void {
    if (reason === 'all-ended' || reason === 'debugger-stopped') this.endedHere = true;
  }

  /** The console output of the furthest run so far, chunk by chunk. */
  get consoleOutput(): readonly Uint8Array[] {
    return this.outputs;
  }

  private output(bytes: Uint8Array): void {
    const index = this.outputCount++;
    if (index < this.outputs.length) return;
    this.outputs.push(bytes);
    this.onOutput(bytes, index);
  }

  /** The thread that runs next, or that ran last, here. */
  get thread(): number {
    return this.machine.pausedThread || this.machine.currentThread;
  }

  // ── source positions ──

  private indexStatements(): void {
    const s = this.space;
    const w = s.words;
    const methodClass = this.machine.internalClass(L.CID_METHOD);
    const top = s.headerField(L.SH_TOP);
    for (let addr = L.SPACE_BASE + L.SPACE_HEADER_BYTES; addr < top; ) {
      const h = (addr - L.SPACE_BASE) >> 2;
      const size = w[h + 1]!;
      if (size < 0 || (w[h + 2]! & L.FLAG_KIND_MASK) === L.KIND_FREE) {
        addr += L.HEADER_BYTES + ((Math.max(0, size) + 3) & ~3);
        continue;
      }
      const ref = addr + 1;
      if (w[h] === methodClass && size >= 4 * (L.METHOD_LINES + 1)) this.indexMethod(ref);
      addr += L.HEADER_BYTES + ((size + 3) & ~3);
    }
  }

  private indexMethod(method: number): void {
    const s = this.space;
    const code = s.slot(method, L.METHOD_CODE);
    if (!s.isValidRef(code) || s.kindOf(code) !== L.KIND_BYTES) return;
    const base = s.payloadOffset(code);
    const length = s.payloadBytes(code);
    const ints = (array: number): number[] => {
      if (!s.isValidRef(array) || s.kindOf(array) !== L.KIND_SLOTS) return [];
      const out = [];
      for (let i = 0; i < s.payloadBytes(array) >> 2; i++) out.push(s.slot(array, i) >> 1);
      return out;
    };
    let table: { pc: number; line: number }[] = [];
    const debug = s.payloadBytes(method) > 4 * L.METHOD_DEBUG ? s.slot(method, L.METHOD_DEBUG) : 0;
    if (debug !== 0 && s.isValidRef(debug) && s.payloadBytes(debug) >= 8) {
      const t = ints(s.slot(debug, 1));
      for (let i = 0; i + 2 < t.length; i += 3) table.push({ pc: t[i]!, line: t[i + 1]! });
    }
    if (table.length === 0) {
      const t = ints(s.slot(method, L.METHOD_LINES));
      for (let i = 0; i + 1 < t.length; i += 2) table.push({ pc: t[i]!, line: t[i + 1]! });
    }
    table = table.filter((e) => e.pc >= 0 && e.pc < length);
    for (const e of table) {
      this.statements.set(base + e.pc, { method, pc: e.pc, line: e.line });
      this.lineProbe[base + e.pc]! |= PROBE_STATEMENT;
    }
  }

  /** The program's methods (those of ROOT_PROGRAM_CLASSES), each with its name and its class's. */
  programMethods(): { method: number; name: string; owner: string }[] {
    const s = this.space;
    const classes = this.machine.rootSlot(L.ROOT_PROGRAM_CLASSES);
    const out = [];
    for (let i = 0; i < s.payloadBytes(classes) >> 2; i++) {
      const c = s.slot(classes, i);
      const owner = s.text(s.slot(c, L.CLASS_NAME));
      const methods = s.slot(c, L.CLASS_METHODS);
      for (let j = 0; j < s.payloadBytes(methods) >> 2; j++) {
        const method = s.slot(methods, j);
        out.push({ method, name: s.text(s.slot(method, L.METHOD_NAME)), owner });
      }
    }
    return out;
  }

  /** The statement starting at `pc` of `method`, if one does. */
  statementAt(method: number, pc: number): Statement | undefined {
    const code = this.space.slot(method, L.METHOD_CODE);
    return this.statements.get(this.space.payloadOffset(code) + pc);
  }

  /** The line of the statement `pc` of `method` is in (the last one starting at or before it), or -1. */
  lineAt(method: number, pc: number): number {
    const base = this.space.payloadOffset(this.space.slot(method, L.METHOD_CODE));
    for (let at = pc; at >= 0; at--) {
      const statement = this.statements.get(base + at);
      if (statement !== undefined) return statement.line;
    }
    return -1;
  }

  /** The frames of `thread`, innermost first: frame, method, pc (the next instruction). */
  frames(thread: number): { frame: number; method: number; pc: number }[] {
    const s = this.space;
    const out = [];
    for (let f = s.slot(thread, L.THREAD_FRAME); f !== 0 && out.length <= L.MAX_FRAME_DEPTH; ) {
      out.push({ frame: f, method: s.slot(f, L.FRAME_METHOD), pc: s.slot(f, L.FRAME_PC) >> 1 });
      f = s.slot(f, L.FRAME_CALLER);
    }
    return out;
  }

  private hitHere(): Hit | null {
    const thread = this.machine.pausedThread;
    if (thread === 0) return null;
    const s = this.space;
    const frame = s.slot(thread, L.THREAD_FRAME);
    if (frame === 0) return null;
    const method = s.slot(frame, L.FRAME_METHOD);
    const address = s.payloadOffset(s.slot(method, L.METHOD_CODE)) + (s.slot(frame, L.FRAME_PC) >> 1);
    let depth = 0;
    for (let f = frame; f !== 0 && depth <= L.MAX_FRAME_DEPTH; f = s.slot(f, L.FRAME_CALLER)) depth++;
    return { position: this.position, thread, frame, depth, address };
  }

  // ── breakpoints ──

  /** Replaces every breakpoint; a bad one is refused (ReplayError) before any changes. */
  setBreakpoints(list: readonly ReplayBreakpoint[]): void {
    const placed = list.map((bp) => ({ bp, address: this.codeAddress(bp.method, bp.pc) }));
    for (const address of this.breakpointsAt.keys()) {
      this.lineProbe[address]! &= ~PROBE_BREAKPOINT;
      this.bpProbe[address] = 0;
    }
    this.breakpointsAt.clear();
    this.hitLog.clear();
    for (const { bp, address } of placed) {
      this.breakpointsAt.set(address, [...(this.breakpointsAt.get(address) ?? []), bp]);
      this.lineProbe[address]! |= PROBE_BREAKPOINT;
      this.bpProbe[address] = PROBE_BREAKPOINT;
    }
    // Hit counts count from the generation: learn the hits before here once, by a re-run.
    const counted = list.filter((bp) => (bp.hitCount ?? 0) > 1);
    if (counted.length > 0) {
      for (const bp of counted) this.hitLog.set(bp.id, { hits: [], known: 0 });
      const here = this.position;
      this.restore(0);
      this.moveTo(here);
    }
  }

  private codeAddress(method: number, pc: number): number {
    const s = this.space;
    const methodClass = this.machine.internalClass(L.CID_METHOD);
    if (!s.isValidRef(method) || s.classOf(method) !== methodClass)
      throw new ReplayError(`0x${(method - 1).toString(16)} is not a method`);
    const code = s.slot(method, L.METHOD_CODE);
    if (!s.isValidRef(code) || s.kindOf(code) !== L.KIND_BYTES)
      throw new ReplayError(`0x${(method - 1).toString(16)} is a native method`);
    if (!Number.isSafeInteger(pc) || pc < 0 || pc >= s.payloadBytes(code))
      throw new ReplayError(`pc ${pc} is outside the method's ${s.payloadBytes(code)} bytes of code`);
    return s.payloadOffset(code) + pc;
  }

  /** Replaces every data breakpoint; a bad one is refused before any changes. */
  setWatches(list: readonly ReplayWatch[]): void {
    const s = this.space;
    this.watches = list.map((watch) => {
      if (!s.isValidRef(watch.ref) || s.kindOf(watch.ref) !== L.KIND_SLOTS)
        throw new ReplayError(`0x${(watch.ref - 1).toString(16)} is not an object with slots`);
      if (!Number.isSafeInteger(watch.slot) || watch.slot < 0 || 4 * watch.slot >= s.payloadBytes(watch.ref))
        throw new ReplayError(`the object has no slot ${watch.slot}`);
      return { watch, word: s.headerIndex(watch.ref) + HW + watch.slot };
    });
  }

  /** Which throws stop forward runs and reverse continues from now on. */
  setExceptionStops(mode: ReplayExceptionStops): void {
    this.exceptionStops = mode;
  }

  /** Counts a hit of the breakpoints with a hit count here whose condition holds (once a position). */
  private countHit(hit: Hit): void {
    for (const bp of this.breakpointsAt.get(hit.address) ?? []) {
      const log = this.hitLog.get(bp.id);
      if (log === undefined || hit.position < log.known || !this.conditionHolds(bp, hit.frame)) continue;
      log.hits.push(hit.position);
      log.known = hit.position + 1;
    }
  }

  /** Which breakpoint acts at this hit, if any: its condition holds and its hit count is reached. */
  private breakpointActing(hit: Hit): ReplayBreakpoint | undefined {
    let acting: ReplayBreakpoint | undefined;
    for (const bp of this.breakpointsAt.get(hit.address) ?? []) {
      if (!this.conditionHolds(bp, hit.frame)) continue;
      const log = this.hitLog.get(bp.id);
      if (log !== undefined && countAtOrBelow(log.hits, hit.position) < (bp.hitCount ?? 0)) continue;
      if (bp.log === undefined) acting ??= bp;
      else if (!this.quiet) this.onLog(bp.log, hit.position);
    }
    return acting;
  }

  private conditionHolds(bp: ReplayBreakpoint, frame: number): boolean {
    const c = bp.condition;
    if (c === undefined) return true;
    const word = this.space.slot(frame, L.FRAME_LOCALS + c.local);
    if ((word & 1) !== 0) return false;
    const v = word >> 1;
    switch (c.op) {
      case '==':
        return v === c.value;
      case '!=':
        return v !== c.value;
      case '<':
        return v < c.value;
      case '<=':
        return v <= c.value;
      case '>':
        return v > c.value;
      case '>=':
        return v >= c.value;
    }
  }

  // ── checkpoints ──

  /**
   * A checkpoint: the machine's state, and its space's pages up to SH_TOP. Bytes above SH_TOP are
   * never read before they are written (the bump allocator zero-fills what it hands out), so a
   * restore leaves them as they are: a checkpoint costs the space in use, not the space's size.
   */
  private capture(before: Checkpoint | undefined): Checkpoint {
    const pages: Uint8Array[] = [];
    const words = this.space.words;
    const used = Math.min(this.bytes.length, this.space.headerField(L.SH_TOP) - L.SPACE_BASE);
    for (let at = 0; at < used; at += PAGE) {
      const old = before?.pages[at / PAGE];
      if (old !== undefined && samePage(words, at >> 2, old)) pages.push(old);
      else pages.push(this.bytes.slice(at, at + PAGE));
    }
    return { state: this.machine.saveState(), pages, outputs: this.outputCount, ended: this.endedHere };
  }

  /** Puts the machine at the last checkpoint at or before `position`. */
  private restore(position: number): void {
    let k = Math.min(Math.floor(position / this.every), this.checkpoints.length - 1);
    while (this.checkpoints[k] === undefined) k--;
    const c = this.checkpoints[k]!;
    for (const [i, page] of c.pages.entries()) this.bytes.set(page, i * PAGE);
    this.machine.restoreState(c.state);
    this.outputCount = c.outputs;
    this.endedHere = c.ended;
  }

  /** Checkpoints kept so far, and the pages they hold between them (pages shared count once). */
  checkpointStats(): { checkpoints: number; pages: number } {
    const seen = new Set<Uint8Array>();
    let n = 0;
    for (const c of this.checkpoints) {
      if (c === undefined) continue;
      n++;
      for (const p of c.pages) seen.add(p);
    }
    return { checkpoints: n, pages: seen.size };
  }

  // ── running forward ──

  /**
   * Runs toward `until` (or the end), stopping at the first probe hit `accept` takes, when
   * `watching` the first change of a watched word, and when `throws` at the first throw the
   * exception stops take (after the start: the throw of the instruction the replay stands before
   * is where it stands). Takes checkpoints as it passes their positions; breakpoint hits it passes are
   * counted (and say their logpoints unless quiet).
   */
  private forward(
    until: number,
    accept: Accept,
    probe: Uint8Array | null,
    watching: boolean,
    throws = watching,
  ): ReplayStop | null {
    const start = this.position;
    const mode = this.exceptionStops;
    if (mode === 'none' || !throws) return this.forwardLegs(start, until, accept, probe, watching);
    let legStart = start;
    let before: number[] = [];
    // A throw abandons the run in the middle of its instruction: the replay goes back to just before it.
    this.machine.onThrow = (e) => {
      if (e.position > start && e.position < until && (mode === 'all' || !e.caught)) throw new ThrowSeen(e);
    };
    try {
      return this.forwardLegs(start, until, accept, probe, watching, (at, values) => {
        legStart = at;
        before = values;
      });
    } catch (err) {
      if (!(err instanceof ThrowSeen)) throw err;
      this.machine.onThrow = undefined;
      const e = err.info;
      this.restore(e.position);
      this.moveTo(e.position);
      // A watched word that changed in the leg before the throw stops there first.
      if (this.watches.some((w, i) => this.space.words[w.word] !== before[i]))
        return this.findChange(legStart, e.position, before, start, accept, this.probeFor(probe));
      const thrown = e.raised ? 0 : e.thrown;
      return {
        reason: 'exception',
        position: e.position,
        thread: e.thread,
        exception: { thrown, className: e.className, message: e.message, caught: e.caught },
      };
    } finally {
      this.machine.onThrow = undefined;
    }
  }

  /** The probe a forward run uses: a breakpoint with a hit count is seen by every run, even one that only moves the position. */
  private probeFor(probe: Uint8Array | null): Uint8Array | null {
    return probe ?? (this.hitLog.size > 0 ? this.bpProbe : null);
  }

  /** forward's legs; `onLeg` is told where each leg starts and the watched words there. */
  private forwardLegs(
    start: number,
    until: number,
    accept: Accept,
    probe: Uint8Array | null,
    watching: boolean,
    onLeg?: (at: number, values: number[]) => void,
  ): ReplayStop | null {
    const used = this.probeFor(probe);
    const watched = watching && this.watches.length > 0;
    while (this.position < until && !this.endedHere) {
      const k = Math.floor(this.position / this.every) + 1;
      let leg = Math.min(until, k * this.every);
      if (watched) leg = Math.min(leg, this.position + WATCH_CHUNK);
      const legStart = this.position;
      const before = this.watches.map((w) => this.space.words[w.word]!);
      onLeg?.(legStart, before);
      const r = this.machine.run({ pauseAtStep: leg, ...(used !== null ? { probe: used } : {}) });
      this.ran(r.reason);
      if (watched && this.watches.some((w, i) => this.space.words[w.word] !== before[i]))
        return this.findChange(legStart, this.position, before, start, accept, used);
      if (this.position === k * this.every && this.checkpoints[k] === undefined)
        this.checkpoints[k] = this.capture(this.checkpoints[k - 1]);
      if (r.reason === 'probe') {
        const stop = this.offer(start, accept);
        if (stop !== null) return stop;
      }
    }
    return this.endedHere ? this.endStop() : null;
  }

  /** A probe stopped the run here: the hit goes to `accept` (past the run's start) or is only counted. */
  private offer(start: number, accept: Accept): ReplayStop | null {
    const hit = this.hitHere();
    if (hit === null) return null;
    this.countHit(hit);
    return hit.position > start ? accept(hit) : null;
  }

  /**
   * A watched word changed between `legStart` and `legEnd`: back to the leg's start, then one
   * instruction at a time to the change, offering the probe hits on the way to `accept` first.
   */
  private findChange(
    legStart: number,
    legEnd: number,
    before: number[],
    start: number,
    accept: Accept,
    probe: Uint8Array | null,
  ): ReplayStop | null {
    this.moveTo(legStart);
    while (this.position < legEnd && !this.endedHere) {
      const here = this.hitHere();
      if (here !== null && probe !== null && probe[here.address] !== 0) {
        this.countHit(here);
        const stop = here.position > start ? accept(here) : null;
        if (stop !== null) return stop;
      }
      this.ran(this.machine.run({ pauseAtStep: this.position + 1 }).reason);
      const changed = this.watches.findIndex((w, i) => this.space.words[w.word] !== before[i]);
      if (changed >= 0) {
        const w = this.watches[changed]!;
        return {
          reason: 'data',
          position: this.position,
          thread: this.thread,
          watch: { id: w.watch.id, before: before[changed]!, after: this.space.words[w.word]! },
        };
      }
    }
    return this.endedHere ? this.endStop() : null;
  }

  /** Puts the replay at exactly `position` (the end, when the machine ends before it), quietly. */
  private moveTo(position: number): void {
    if (position < this.position || (this.endedHere && position !== this.position)) this.restore(position);
    const quiet = this.quiet;
    this.quiet = true;
    try {
      this.forward(position, () => null, null, false);
    } finally {
      this.quiet = quiet;
    }
  }

  /** Puts the replay at exactly `position` (the end, when the machine ends before it). */
  goto(position: number): ReplayStop {
    if (!Number.isSafeInteger(position) || position < 0)
      throw new ReplayError(`position ${position} is not a whole number of instructions`);
    this.moveTo(position);
    return this.endedHere ? this.endStop() : { reason: 'step', position: this.position, thread: this.thread };
  }

  /** Runs to the next breakpoint that acts, data change, or the end (or pauses at `until`). */
  continue(until = Number.POSITIVE_INFINITY): ReplayStop {
    const accept: Accept = (hit) => this.stopFor(hit, () => false);
    return this.forward(until, accept, this.bpProbe, true) ?? this.pauseStop();
  }

  /**
   * One step of `thread` ('instruction': one instruction of the machine, whichever thread runs
   * it); a breakpoint acting or a data change on the way stops it first.
   */
  step(kind: StepKind, thread = this.thread, until = Number.POSITIVE_INFINITY): ReplayStop {
    return this.runStep(this.planStep(kind, thread), until);
  }

  /** What a step is to do, fixed where it starts (a step paused at a limit goes on with it). */
  planStep(kind: StepKind, thread = this.thread): StepPlan {
    const frames = this.frames(thread);
    const caller = kind === 'out' ? frames[1] : undefined;
    return {
      kind,
      thread,
      depth: frames.length,
      returnAddress: caller === undefined ? -1 : this.codeAddress(caller.method, caller.pc),
    };
  }

  runStep(plan: StepPlan, until = Number.POSITIVE_INFINITY): ReplayStop {
    if (this.endedHere) return this.endStop();
    if (plan.kind === 'instruction') {
      const stop = this.forward(this.position + 1, () => null, null, true);
      return stop ?? { reason: 'step', position: this.position, thread: this.thread };
    }
    const wanted = this.stepTest(plan.kind, plan.thread, plan.depth, false);
    const at = plan.returnAddress;
    if (at >= 0) this.lineProbe[at]! |= PROBE_RETURN;
    try {
      const accept: Accept = (hit) => this.stopFor(hit, wanted);
      return this.forward(until, accept, this.lineProbe, true) ?? this.pauseStop();
    } finally {
      if (at >= 0) this.lineProbe[at]! &= ~PROBE_RETURN;
    }
  }

  /** Back one step: where the last stop of a forward step of this kind before here was. */
  stepBack(kind: StepKind, thread = this.thread): ReplayStop {
    if (kind === 'instruction') {
      if (this.position === 0) return this.startStop();
      return this.goto(this.position - 1);
    }
    const wanted = this.stepTest(kind, thread, this.depthOf(thread), true);
    return this.scanBack((hit) => this.stopFor(hit, wanted));
  }

  /** Back to the last breakpoint that acted, or data change, before here (or to the generation). */
  reverseContinue(): ReplayStop {
    return this.scanBack((hit) => this.stopFor(hit, () => false));
  }

  /** Is `hit` a stop: a breakpoint acting, or the step's own test? */
  private stopFor(hit: Hit, wanted: (hit: Hit) => boolean): ReplayStop | null {
    const bp = this.breakpointActing(hit);
    if (bp !== undefined)
      return { reason: 'breakpoint', position: hit.position, thread: hit.thread, breakpoint: bp.id };
    if (wanted(hit)) return { reason: 'step', position: hit.position, thread: hit.thread };
    return null;
  }

  /**
   * Does a hit of `thread` end a step of `kind` begun at `depth`: into, any statement start; over,
   * one in this frame or a caller; out, the first instruction back in a caller (going back: the
   * last statement start in one).
   */
  private stepTest(kind: StepKind, thread: number, depth: number, backward: boolean): (hit: Hit) => boolean {
    return (hit) => {
      if (hit.thread !== thread) return false;
      const statement = this.statements.has(hit.address);
      if (kind === 'into') return statement;
      if (kind === 'over') return statement && hit.depth <= depth;
      return hit.depth < depth && (statement || !backward);
    };
  }

  private depthOf(thread: number): number {
    return thread === 0 ? 0 : this.frames(thread).length;
  }

  /**
   * The last stop `accept` takes before here, or the last change of a watched word, found by
   * re-running each checkpoint interval before here (newest first); the replay then stands there,
   * or at the generation when there is none.
   */
  private scanBack(accept: Accept): ReplayStop {
    const from = this.position;
    const quiet = this.quiet;
    this.quiet = true;
    try {
      let upTo = from;
      for (let k = Math.floor(Math.max(0, from - 1) / this.every); k >= 0; k--) {
        const start = k * this.every;
        if (this.checkpoints[k] === undefined || start >= upTo) continue;
        const last = this.lastStop(start, upTo, from, accept);
        const change = this.watches.length > 0 ? this.lastChange(start, upTo, from) : null;
        const best = change !== null && (last === null || change.position > last.position) ? change : last;
        if (best !== null) {
          this.moveTo(best.position);
          return best;
        }
        upTo = start;
      }
      this.moveTo(0);
      return this.startStop();
    } finally {
      this.quiet = quiet;
    }
  }

  /** The last probe stop `accept` takes in [start, end) (and before `from`). */
  private lastStop(start: number, end: number, from: number, accept: Accept): ReplayStop | null {
    this.restore(start);
    let last: ReplayStop | null = null;
    for (;;) {
      const stop = this.forward(end, accept, this.lineProbe, false, true);
      if (stop === null || stop.reason === 'end' || stop.position >= from) return last;
      last = stop;
    }
  }

  /**
   * The last change of a watched word in [start, end) before `from`: the legs of WATCH_CHUNK
   * instructions are compared at their ends, then the last legs that changed are stepped through.
   */
  private lastChange(start: number, end: number, from: number): ReplayStop | null {
    const values = () => this.watches.map((w) => this.space.words[w.word]!);
    this.moveTo(start);
    const changed: { at: number; before: number[] }[] = [];
    while (this.position < end && !this.endedHere) {
      const at = this.position;
      const before = values();
      const r = this.machine.run({ pauseAtStep: Math.min(end, at + WATCH_CHUNK) });
      this.ran(r.reason);
      if (values().some((v, i) => v !== before[i])) changed.push({ at, before });
    }
    for (let i = changed.length - 1; i >= 0; i--) {
      const leg = changed[i]!;
      this.moveTo(leg.at);
      let seen = leg.before;
      let found: ReplayStop | null = null;
      const legEnd = Math.min(end, leg.at + WATCH_CHUNK);
      while (this.position < legEnd && !this.endedHere) {
        this.ran(this.machine.run({ pauseAtStep: this.position + 1 }).reason);
        const now = values();
        const w = now.findIndex((v, j) => v !== seen[j]);
        if (w >= 0 && this.position < from)
          found = {
            reason: 'data',
            position: this.position,
            thread: this.thread,
            watch: { id: this.watches[w]!.watch.id, before: seen[w]!, after: now[w]! },
          };
        seen = now;
      }
      if (found !== null) return found;
    }
    return null;
  }

  private startStop(): ReplayStop {
    return { reason: 'start', position: 0, thread: this.thread };
  }

  private pauseStop(): ReplayStop {
    return this.endedHere
      ? this.endStop()
      : { reason: 'pause', position: this.position, thread: this.thread };
  }

  private endStop(): ReplayStop {
    return { reason: 'end', position: this.position, thread: 0 };
  }
}

function samePage(words: Int32Array, firstWord: number, page: Uint8Array): boolean {
  const old = new Int32Array(page.buffer, page.byteOffset, page.byteLength >> 2);
  for (let i = 0; i < old.length; i++) if (words[firstWord + i] !== old[i]) return false;
  return true;
}

/** How many of the sorted `hits` are at or below `position`. */
function countAtOrBelow(hits: readonly number[], position: number): number {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hits[mid]! <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
