/**
 * The reference interpreter: runs a generation-0 (or any snapshotted) object space exactly as
 * bytecode.md and object-format.md say, with every thread, frame and operand stack inside the
 * space, so `space.bytes` after `run()` returns is a valid snapshot of the machine. It is the
 * oracle the kernel's C interpreter is diffed against: same program, same console bytes.
 *
 * Scheduling: round-robin from ROOT_CURRENT, TIME_SLICE instructions a turn (a native call counts
 * as one instruction); sleep and yield end a turn. Machine time is a virtual clock: every
 * VIRTUAL_MS_STEPS instructions make a millisecond, and when every live thread sleeps it jumps to
 * the earliest wake time, so runs are deterministic and sleeps instant.
 *
 * Allocation, frames, collection, the error paths and the clock follow the kernel's VM step by
 * step (kernel-src/docs/vm.md, "One model, two VMs"), so that a run here leaves the same space
 * as the same run on the kernel's VM: the same objects at the same addresses.
 *
 * Decisions the spec leaves open, taken here (the kernel must match):
 * - a non-reference, non-zero word where an object is needed raises BadField for field access
 *   and BadCast for arrays and calls; a vtable index beyond the receiver's vtable raises BadField;
 * - the line in an uncaught-error report is that of the last METHOD_LINES entry whose pc is at or
 *   below the pc of the throwing instruction (for a caller frame: of its call instruction);
 * - a call that would make the thread's depth reach MAX_FRAME_DEPTH raises StackOverflow;
 * - when several sleepers wake at the same time, the round-robin order from ROOT_CURRENT decides.
 * Malformed code (unknown opcode, wrong argc, constant index out of range) or a damaged space is
 * not a language error: it stops run() with a MachineFault naming the thread, method or pc.
 */
import { intOf, Space, smallInt } from '../image/space.js';
import * as L from '../spec/generated.js';
import { Heap } from './heap.js';
import { callNative, Raise, type TurnEnd } from './natives.js';

const BASE = L.SPACE_BASE;
const HW = L.HEADER_BYTES / 4;
/** Bytes of a CALL_VIRT / CALL_STATIC instruction: a caller's saved pc minus this is its call. */
const CALL_BYTES = 4;
const ERROR_MESSAGES = new Map(L.ERRORS.map((e) => [e.code, e.message]));
/** Superclass chains longer than this are damaged (the kernel's MAX_CLASS_DEPTH). */
const MAX_CLASS_DEPTH = 1024;
/** More threads than could fit in the largest space: a longer list must be a cycle. */
const MAX_THREADS = L.SPACE_SIZE_MAX / (L.HEADER_BYTES + 4 * 7);

/** Is `ref` a reference to an allocated object (below `top`) of payload `kind`? */
function isObjectOf(w: Int32Array, ref: number, kind: number, top: number): boolean {
  if ((ref & 3) !== 1) return false;
  const addr = (ref - 1) >>> 0;
  if (addr < BASE + L.SPACE_HEADER_BYTES || addr + L.HEADER_BYTES > top) return false;
  return (w[((addr - BASE) >> 2) + 2]! & L.FLAG_KIND_MASK) === kind;
}

/** The image or its code is broken in a way no program can cause; run() stops. */
export class MachineFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineFault';
  }
}

export interface MachineOptions {
  /** Console output (serial port 1), in the bytes the program wrote. */
  readonly onOutput?: (bytes: Uint8Array) => void;
}

/**
 * A throw as it happens, before any handler runs (Machine.onThrow): `position` is the instructions
 * run before the throwing one (so a run paused at it stands before the throw), `thrown` the error
 * object (0 when the space had no room for it), `caught` whether a handler of the thread's frames
 * takes it.
 */
export interface ThrowInfo {
  readonly position: number;
  readonly thread: number;
  readonly thrown: number;
  readonly caught: boolean;
  /** The machine raised it (a VM error, made at the throw), not a THROW of an object the program had. */
  readonly raised: boolean;
  readonly className: string;
  readonly message: string;
}

export interface RunLimits {
  /** Stop after about this many instructions in total (checked between turns and inside them). */
  readonly maxSteps?: number;
  /** Stop when every thread sleeps past this machine time (ms). */
  readonly maxMachineMs?: number;
  /**
   * Pause once `steps` (the machine's total) reaches this. Unlike maxSteps, a pause keeps the
   * turn it falls in (its thread, what is left of its slice, its frame cache, the clock's
   * pending steps): the next run() resumes it, so a run paused anywhere, any number of times,
   * is instruction for instruction the run that never paused. A replay's debugger stands here.
   */
  readonly pauseAtStep?: number;
  /**
   * Pause, the same way, before running an instruction whose first byte is marked (non-zero) in
   * this map of the space's bytes (index: offset in the space): breakpoints and statement starts.
   * A run resuming a turn the probe paused does not probe the instruction it paused before, so it
   * goes on; a run resuming from any other pause probes it.
   */
  readonly probe?: Uint8Array;
}

/**
 * Why run returned: every thread ended; the step or time limit; every thread left is one the
 * kernel's debugger holds stopped (the kernel would idle until a client continues it); or a pause
 * asked for (pauseAtStep, the probe).
 */
export type StopReason = 'all-ended' | 'max-steps' | 'max-time' | 'debugger-stopped' | 'paused' | 'probe';

/** Everything of a machine besides its space, as saveState takes it; restoreState puts it back. */
export interface MachineState {
  readonly steps: number;
  readonly clock: number;
  readonly clockSteps: number;
  readonly collections: number;
  /** Whether the next allocation opens a new epoch (Heap.epochPending). */
  readonly epochPending: boolean;
  readonly frameCache: readonly number[];
  readonly frameCacheEpoch: number;
  readonly suspended: SuspendedTurn | null;
  readonly currentThread: number;
}

/** A turn a pause cut: its thread, what is left of its slice, the steps it has run, whether the probe cut it. */
interface SuspendedTurn {
  readonly thread: number;
  readonly sliceLeft: number;
  readonly ran: number;
  readonly probed: boolean;
}

export interface RunResult {
  readonly reason: StopReason;
  /** Instructions run by this call. */
  readonly steps: number;
  readonly machineMs: number;
}

export class Machine {
  readonly space: Space;
  readonly heap: Heap;
  /** Instructions run since the machine was loaded. */
  steps = 0;
  private readonly w: Int32Array;
  private readonly u8: Uint8Array;
  private readonly root: number;
  private readonly onOutput: (bytes: Uint8Array) => void;
  /** Threads the kernel's debugger holds stopped in this space (readStoppedByDebugger). */
  private readonly stoppedByDebugger: Set<number>;
  /** Machine time in ms (unbounded here; stored wrapped to 31 bits in ROOT_CLOCK). */
  private clock: number;
  /** How the running thread's turn ended early, set by natives and thread end. */
  turnEnd: TurnEnd = 'none';
  /** The running thread and its call depth. */
  currentThread = 0;
  private depth = 0;
  /** Instructions run since the clock last moved by a millisecond (< VIRTUAL_MS_STEPS). */
  private clockSteps = 0;
  /**
   * Frames dropped in this turn, kept for the next call of the same size (0: an empty entry); the
   * kernel's frame cache. Emptied into the free list at the end of every turn, forgotten by a
   * collection (which freed them).
   */
  private readonly frameCache = new Array<number>(L.FRAME_CACHE_SIZE).fill(0);
  private frameCacheEpoch = 0;
  /** The turn a pause cut, which the next run() resumes; null between turns. */
  private suspended: SuspendedTurn | null = null;
  /** Set by runTurn when the probe stopped it before an instruction. */
  private probed = false;
  /**
   * Told of every throw before its handler runs (a replay's exception stops). It may throw to
   * abandon the run; the machine is then in the middle of an instruction, fit only for restoreState.
   */
  onThrow: ((e: ThrowInfo) => void) | undefined;
  /** The running turn's budget, and what was left of it at its last call or throw (for onThrow's position). */
  private turnBudget = 0;
  private turnLeft = 0;
  private readonly methodClass: number;
  /** Bytecode methods checkMethod has accepted, valid until the collection count changes. */
  private readonly checkedMethods = new Set<number>();
  private checkedAt = 0;
  private readonly stringClass: number;
  private readonly frameClass: number;
  /** The class of the arrays directory.keys returns (every image has it). */
  readonly stringArrayClass: number;

  constructor(bytes: Uint8Array, options: MachineOptions = {}) {
    this.space = new Space(bytes);
    this.w = this.space.words;
    this.u8 = bytes;
    this.heap = new Heap(this.space);
    this.onOutput = options.onOutput ?? (() => {});
    const h = (off: number) => this.space.headerField(off);
    const fail = (why: string): never => {
      throw new MachineFault(`not a loadable object space: ${why}`);
    };
    if (h(L.SH_MAGIC) !== L.SPACE_MAGIC) fail(`magic 0x${h(L.SH_MAGIC).toString(16)}`);
    if (h(L.SH_VERSION) !== L.FORMAT_VERSION)
      fail(`format version ${h(L.SH_VERSION)}, expected ${L.FORMAT_VERSION}`);
    if (h(L.SH_SIZE) !== bytes.length) fail(`header says ${h(L.SH_SIZE)} bytes, space has ${bytes.length}`);
    const top = h(L.SH_TOP);
    if (top < BASE + L.SPACE_HEADER_BYTES || top > BASE + bytes.length)
      fail(`SH_TOP 0x${top.toString(16)} is outside the space`);
    this.root = this.w[L.SH_ROOT >> 2]!;
    if (!this.space.isValidRef(this.root)) fail('SH_ROOT does not refer to an object');
    if (this.classRefOf(this.root) !== this.internalClass(L.CID_ROOT))
      fail('SH_ROOT is not a .internal.root');
    this.clock = intOf(this.space.slot(this.root, L.ROOT_CLOCK));
    this.methodClass = this.internalClass(L.CID_METHOD);
    this.stringClass = this.internalClass(L.CID_STRING);
    this.frameClass = this.internalClass(L.CID_FRAME);
    this.stringArrayClass = this.findArrayClass(this.stringClass);
    this.stoppedByDebugger = this.readStoppedByDebugger();
  }

  /** The array class in ROOT_ARRAY_CLASSES whose elements are instances of `element`. */
  private findArrayClass(element: number): number {
    const classes = this.space.slot(this.root, L.ROOT_ARRAY_CLASSES);
    const n = this.space.isValidRef(classes) ? this.space.payloadBytes(classes) >> 2 : 0;
    for (let i = 0; i < n; i++) {
      const c = this.space.slot(classes, i);
      if (this.space.isValidRef(c) && this.space.slot(c, L.CLASS_ELEMENT) === element) return c;
    }
    throw new MachineFault('not a loadable object space: ROOT_ARRAY_CLASSES has no .internal.string[]');
  }

  // ── object-space helpers ──

  /** The class object for an internal class id (ROOT_CLASSES[cid]). */
  internalClass(cid: number): number {
    const classes = this.space.slot(this.root, L.ROOT_CLASSES);
    if (!this.space.isValidRef(classes) || cid * 4 >= this.space.payloadBytes(classes)) {
      throw new MachineFault(`ROOT_CLASSES has no class ${cid}`);
    }
    return this.space.slot(classes, cid);
  }

  rootSlot(i: number): number {
    return this.space.slot(this.root, i);
  }

  setRootSlot(i: number, v: number): void {
    this.space.setSlot(this.root, i, v);
  }

  classRefOf(ref: number): number {
    return this.w[(ref - 1 - BASE) >> 2]!;
  }

  /** Is `v` a reference to an instance of class `cls` or of a subclass? */
  instanceOf(v: number, cls: number): boolean {
    if ((v & 1) === 0) return false;
    let guard = 0;
    for (
      let k = this.classRefOf(v);
      k !== 0 && guard < 10000;
      k = this.space.slot(k, L.CLASS_SUPER), guard++
    ) {
      if (k === cls) return true;
    }
    return false;
  }

  /** Allocates or raises OutOfMemory (via Raise). */
  allocate(cid: number, kind: number, payloadBytes: number): number {
    const ref = this.heap.allocate(this.internalClass(cid), kind, payloadBytes);
    if (ref === 0) throw new Raise(L.ERR_OUT_OF_MEMORY);
    return ref;
  }

  allocateInstance(cls: number): number {
    const count = intOf(this.space.slot(cls, L.CLASS_FIELD_COUNT));
    const kind = intOf(this.space.slot(cls, L.CLASS_KIND));
    const ref = this.heap.allocate(
      cls,
      kind === L.KIND_BYTES ? L.KIND_BYTES : L.KIND_SLOTS,
      kind === L.KIND_BYTES ? 0 : 4 * count,
    );
    if (ref === 0) throw new Raise(L.ERR_OUT_OF_MEMORY);
    return ref;
  }

  newString(bytes: Uint8Array): number {
    const ref = this.allocate(L.CID_STRING, L.KIND_BYTES, bytes.length);
    this.u8.set(bytes, this.space.payloadOffset(ref));
    return ref;
  }

  /** A new array of class `cls` (an array class, or .internal.array for the VM's own arrays). */
  newArray(cls: number, length: number): number {
    if (length < 0) throw new Raise(L.ERR_BAD_ARGUMENT);
    const ref = this.heap.allocate(cls, L.KIND_SLOTS, 4 * length);
    if (ref === 0) throw new Raise(L.ERR_OUT_OF_MEMORY);
    return ref;
  }

  /** Is `v` an array: a slots object whose class is an array class (or .internal.array)? */
  isArray(v: number): boolean {
    return (
      (v & 1) === 1 &&
      this.space.kindOf(v) === L.KIND_SLOTS &&
      this.space.slot(this.classRefOf(v), L.CLASS_INTERNAL_ID) === smallInt(L.CID_ARRAY)
    );
  }

  /** May an array of class `cls` hold `v` (ASTORE, array.copy)? Never for the VM's own arrays. */
  admits(cls: number, v: number): boolean {
    const element = this.space.slot(cls, L.CLASS_ELEMENT);
    if (element === smallInt(L.ELEM_INT)) return (v & 1) === 0;
    if (element === smallInt(L.ELEM_BOOLEAN)) return v === 0 || v === smallInt(1);
    if ((element & 1) === 0) return false;
    return v === 0 || this.instanceOf(v, element);
  }

  /**
   * May `method` write slot `slot` of object `o`? Not when a system class declares that field
   * (every slot of an instance of a system class, array classes included; the inherited fields of
   * a program class extending one), unless `method` is that class's own (error's constructor).
   */
  fieldWritable(o: number, slot: number, method: number): boolean {
    const s = this.space;
    const cls = this.classRefOf(o);
    let system = cls;
    for (let guard = 0; system !== 0 && s.slot(system, L.CLASS_INTERNAL_ID) === 0; guard++) {
      if (guard > MAX_CLASS_DEPTH) return false;
      system = s.slot(system, L.CLASS_SUPER);
    }
    if (system === 0) return false;
    const declared = system === cls ? Number.POSITIVE_INFINITY : intOf(s.slot(system, L.CLASS_FIELD_COUNT));
    return slot >= declared || s.slot(method, L.METHOD_OWNER) === system;
  }

  isString(v: number): boolean {
    return (v & 1) === 1 && this.classRefOf(v) === this.stringClass;
  }

  /** The bytes O2S shows for a value: a string's bytes, "null", "<class>", or an integer's digits. */
  displayBytes(v: number): Uint8Array {
    if (v === 0) return Space.encode('null');
    if ((v & 1) === 0) return Space.encode(String(intOf(v)));
    if (this.isString(v)) return this.space.byteContents(v);
    return Space.encode(`<${this.space.text(this.space.slot(this.classRefOf(v), L.CLASS_NAME))}>`);
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.onOutput(bytes.slice());
  }

  get machineMs(): number {
    return this.clock;
  }

  /** ms until `wakeWord` (a THREAD_WAKE_AT word), by wrapping 31-bit subtraction. */
  private untilWake(wakeWord: number): number {
    return (wakeWord - smallInt(this.clock)) >> 1;
  }

  /** Puts the running thread to sleep for `ms` (0 or less: just ends its turn). */
  sleep(ms: number): void {
    const t = this.currentThread;
    this.space.setSlot(t, L.THREAD_WAKE_AT, smallInt(this.clock + Math.max(0, ms)));
    this.space.setSlot(t, L.THREAD_STATE, smallInt(L.TS_SLEEPING));
    this.turnEnd = 'blocked';
  }

  // ── scheduler ──

  run(limits: RunLimits = {}): RunResult {
    const maxSteps = limits.maxSteps ?? Number.POSITIVE_INFINITY;
    const pauseAt = limits.pauseAtStep ?? Number.POSITIVE_INFINITY;
    const probe = limits.probe ?? null;
    const startSteps = this.steps;
    const result = (reason: StopReason): RunResult => {
      this.setRootSlot(L.ROOT_CLOCK, smallInt(this.clock));
      return { reason, steps: this.steps - startSteps, machineMs: this.clock };
    };
    for (;;) {
      if (this.suspended === null) {
        if (limits.maxMachineMs !== undefined && this.clock > limits.maxMachineMs) return result('max-time');
      }
      const remaining = maxSteps - (this.steps - startSteps);
      if (remaining <= 0) return result('max-steps');
      if (this.steps >= pauseAt) return result('paused');
      const resumed = this.suspended;
      this.suspended = null;
      let thread: number;
      if (resumed !== null) thread = resumed.thread;
      else {
        thread = this.pickRunnable();
        if (thread === 0) {
          const wait = this.earliestWake();
          if (wait === null)
            return result(this.stoppedByDebugger.size > 0 ? 'debugger-stopped' : 'all-ended');
          // Every thread sleeps past the limit: the machine stops with its clock at the limit.
          if (limits.maxMachineMs !== undefined && this.clock + wait > limits.maxMachineMs) {
            this.clock = limits.maxMachineMs;
            return result('max-time');
          }
          this.clock += wait;
          continue;
        }
      }
      const slice = resumed?.sliceLeft ?? L.TIME_SLICE;
      const untilPause = pauseAt - this.steps;
      const before = this.steps;
      this.probed = false;
      try {
        this.runTurn(thread, Math.min(slice, remaining, untilPause), probe, resumed?.probed === true);
      } catch (err) {
        // Only a space no valid program produces (e.g. a damaged image whose code rewrote a
        // method or frame after it was checked) gets a TypeError or RangeError here; report it
        // like any other fault. Errors of the output callback pass through unchanged.
        if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
        const id = intOf(this.space.slot(thread, L.THREAD_ID));
        throw new MachineFault(`thread ${id}: the space is damaged (${(err as Error).message})`);
      }
      const ran = this.steps - before;
      const turnRan = (resumed?.ran ?? 0) + ran;
      // A pause (or the probe) inside the slice keeps the turn: nothing of its end happens yet.
      if (this.turnEnd === 'none' && ran < slice && (this.probed || this.steps >= pauseAt)) {
        this.suspended = { thread, sliceLeft: slice - ran, ran: turnRan, probed: this.probed };
        return result(this.probed ? 'probe' : 'paused');
      }
      try {
        this.releaseFrameCache();
      } catch (err) {
        if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
        throw new MachineFault(`the space is damaged (${(err as Error).message})`);
      }
      // A turn cut short by maxSteps (not by its slice, sleep, yield or end) stays current, so a
      // run resumed from this snapshot starts with the same thread an uninterrupted run would.
      const cutShort = remaining < slice && ran === remaining && this.turnEnd === 'none';
      this.clockSteps += turnRan;
      if (this.clockSteps >= L.VIRTUAL_MS_STEPS) {
        this.clock += Math.floor(this.clockSteps / L.VIRTUAL_MS_STEPS);
        this.clockSteps %= L.VIRTUAL_MS_STEPS;
      }
      if (!cutShort) {
        const next = this.space.slot(thread, L.THREAD_NEXT);
        this.setRootSlot(L.ROOT_CURRENT, next !== 0 ? next : this.rootSlot(L.ROOT_THREADS));
      }
      this.setRootSlot(L.ROOT_CLOCK, smallInt(this.clock));
    }
  }

  /** The thread that runs the next instruction when a pause cut its turn, else 0. */
  get pausedThread(): number {
    return this.suspended?.thread ?? 0;
  }

  /** What besides the space makes this machine's future: with a copy of the space, a checkpoint. */
  saveState(): MachineState {
    return {
      steps: this.steps,
      clock: this.clock,
      clockSteps: this.clockSteps,
      collections: this.heap.collections,
      epochPending: this.heap.epochPending,
      frameCache: [...this.frameCache],
      frameCacheEpoch: this.frameCacheEpoch,
      suspended: this.suspended,
      currentThread: this.currentThread,
    };
  }

  /** Puts back a saved state; the caller puts back the space bytes saved with it. */
  restoreState(state: MachineState): void {
    this.steps = state.steps;
    this.clock = state.clock;
    this.clockSteps = state.clockSteps;
    this.heap.collections = state.collections;
    this.heap.epochPending = state.epochPending;
    for (let i = 0; i < L.FRAME_CACHE_SIZE; i++) this.frameCache[i] = state.frameCache[i] ?? 0;
    this.frameCacheEpoch = state.frameCacheEpoch;
    this.suspended = state.suspended;
    this.currentThread = state.currentThread;
    this.checkedMethods.clear();
    this.turnEnd = 'none';
  }

  /** The first thread from ROOT_CURRENT on (wrapping) that can run now; wakes it. 0 if none. */
  private pickRunnable(): number {
    const head = this.rootSlot(L.ROOT_THREADS);
    const start = this.rootSlot(L.ROOT_CURRENT) || head;
    let t = start;
    if (t === 0) return 0;
    let guard = 0;
    do {
      if (++guard > MAX_THREADS) throw new MachineFault('the thread list forms a cycle');
      const state = this.stoppedByDebugger.has(t) ? -1 : intOf(this.space.slot(t, L.THREAD_STATE));
      if (state === L.TS_RUNNABLE) return t;
      if (state === L.TS_SLEEPING && this.untilWake(this.space.slot(t, L.THREAD_WAKE_AT)) <= 0) {
        this.space.setSlot(t, L.THREAD_STATE, smallInt(L.TS_RUNNABLE));
        return t;
      }
      t = this.space.slot(t, L.THREAD_NEXT) || head;
    } while (t !== start);
    return 0;
  }

  /**
   * The threads the kernel's debugger holds stopped in this space (its state under `$debugger` in
   * the root directory, layout.def's DEBUGGER_*): they stay stopped here too, as they would in the
   * kernel until a client continued them. The interpreter has no debugger, so the set never changes.
   */
  private readStoppedByDebugger(): Set<number> {
    const s = this.space;
    const stopped = new Set<number>();
    const dir = this.rootSlot(L.ROOT_DIRECTORY);
    const keys = dir === 0 ? 0 : s.slot(dir, L.DIR_KEYS);
    const values = dir === 0 ? 0 : s.slot(dir, L.DIR_VALUES);
    if (keys === 0 || values === 0) return stopped;
    const count = Math.min(
      intOf(s.slot(dir, L.DIR_COUNT)),
      s.payloadBytes(keys) >> 2,
      s.payloadBytes(values) >> 2,
    );
    for (let i = 0; i < count; i++) {
      const key = s.slot(keys, i);
      if (key === 0 || !this.isString(key) || s.text(key) !== '$debugger') continue;
      const state = s.slot(values, i);
      if (
        !s.isValidRef(state) ||
        s.payloadBytes(state) !== 4 * L.DEBUGGER_STATE_SLOTS ||
        s.slot(state, L.DEBUGGER_STATE_VERSION) !== smallInt(L.DEBUGGER_STATE_V1)
      )
        break;
      for (
        let row = L.DEBUGGER_THREAD_ROWS;
        row + L.DEBUGGER_ROW_SLOTS <= L.DEBUGGER_STATE_SLOTS;
        row += L.DEBUGGER_ROW_SLOTS
      ) {
        const thread = s.slot(state, row + L.DEBUGGER_ROW_THREAD);
        if (thread !== 0 && s.slot(state, row + L.DEBUGGER_ROW_MODE) === smallInt(L.DEBUGGER_MODE_STOPPED))
          stopped.add(thread);
      }
      break;
    }
    return stopped;
  }

  /** How many threads the kernel's debugger holds stopped in this space (they never run here). */
  get threadsHeldByDebugger(): number {
    return this.stoppedByDebugger.size;
  }

  /** ms until the earliest sleeping thread wakes, or null when no thread sleeps. */
  private earliestWake(): number | null {
    let best: number | null = null;
    let guard = 0;
    for (let t = this.rootSlot(L.ROOT_THREADS); t !== 0; t = this.space.slot(t, L.THREAD_NEXT)) {
      if (++guard > MAX_THREADS) throw new MachineFault('the thread list forms a cycle');
      if (intOf(this.space.slot(t, L.THREAD_STATE)) !== L.TS_SLEEPING || this.stoppedByDebugger.has(t))
        continue;
      const wait = Math.max(0, this.untilWake(this.space.slot(t, L.THREAD_WAKE_AT)));
      if (best === null || wait < best) best = wait;
    }
    return best;
  }

  // ── threads ──

  /** Creates a thread whose first frame runs `method` with `receiver` in local 0; appends it to the list. */
  startThread(method: number, receiver: number): number {
    const roots = this.heap.tempRoots;
    roots.push(receiver);
    try {
      const frame = this.newFrame(method);
      roots.push(frame);
      this.space.setSlot(frame, L.FRAME_LOCALS, receiver);
      const thread = this.allocate(L.CID_THREAD, L.KIND_SLOTS, 4 * 7);
      const id = intOf(this.rootSlot(L.ROOT_NEXT_THREAD_ID));
      this.setRootSlot(L.ROOT_NEXT_THREAD_ID, smallInt(id + 1));
      this.space.setSlot(thread, L.THREAD_FRAME, frame);
      this.space.setSlot(thread, L.THREAD_STATE, smallInt(L.TS_RUNNABLE));
      this.space.setSlot(thread, L.THREAD_ID, smallInt(id));
      this.space.setSlot(thread, L.THREAD_TARGET, receiver);
      let last = this.rootSlot(L.ROOT_THREADS);
      if (last === 0) {
        this.setRootSlot(L.ROOT_THREADS, thread);
        this.setRootSlot(L.ROOT_CURRENT, thread);
      } else {
        for (let guard = 0; this.space.slot(last, L.THREAD_NEXT) !== 0; guard++) {
          if (guard > MAX_THREADS) throw new MachineFault('the thread list forms a cycle');
          last = this.space.slot(last, L.THREAD_NEXT);
        }
        this.space.setSlot(last, L.THREAD_NEXT, thread);
      }
      return thread;
    } finally {
      roots.length = 0;
    }
  }

  /** A frame for `method` (pc 0, locals zero, no caller): a cached one of the same size, or a new one. */
  private newFrame(method: number): number {
    const w = this.w;
    const m = ((method - 1 - BASE) >> 2) + HW;
    const slots = L.FRAME_LOCALS + (w[m + L.METHOD_LOCALS]! >> 1) + (w[m + L.METHOD_MAX_STACK]! >> 1);
    const cache = this.frameCache;
    if (this.frameCacheEpoch !== this.heap.collections) this.forgetFrameCache();
    let frame = 0;
    // Calls are the hot path: plain loops over the few words beat method calls and fill().
    for (let i = 0; i < L.FRAME_CACHE_SIZE; i++) {
      const f = cache[i]!;
      if (f !== 0 && w[((f - 1 - BASE) >> 2) + 1] === 4 * slots) {
        cache[i] = 0;
        const first = ((f - 1 - BASE) >> 2) + HW;
        for (let k = first + slots - 1; k >= first; k--) w[k] = 0;
        this.heap.stamp(f); // a new frame in an old one's place: not the same object
        frame = f;
        break;
      }
    }
    if (frame === 0) frame = this.heap.allocate(this.frameClass, L.KIND_SLOTS, 4 * slots);
    if (frame === 0) throw new Raise(L.ERR_OUT_OF_MEMORY);
    w[((frame - 1 - BASE) >> 2) + HW + L.FRAME_METHOD] = method;
    return frame;
  }

  /** A frame nothing references any more (returned from, or unwound): cached, or freed when the cache is full. */
  private dropFrame(frame: number): void {
    if (this.frameCacheEpoch !== this.heap.collections) this.forgetFrameCache();
    this.w[((frame - 1 - BASE) >> 2) + HW + L.FRAME_CALLER] = 0; // its caller may be freed first
    const cache = this.frameCache;
    for (let i = 0; i < L.FRAME_CACHE_SIZE; i++) {
      if (cache[i] === 0) {
        cache[i] = frame;
        return;
      }
    }
    this.heap.free(frame);
  }

  /** A collection freed the cached frames with the rest of the garbage: forget them. */
  private forgetFrameCache(): void {
    this.frameCache.fill(0);
    this.frameCacheEpoch = this.heap.collections;
  }

  /** The end of a turn: the frames still cached go back to the free list, in cache order. */
  private releaseFrameCache(): void {
    if (this.frameCacheEpoch !== this.heap.collections) this.forgetFrameCache();
    const cache = this.frameCache;
    for (let i = 0; i < L.FRAME_CACHE_SIZE; i++) {
      if (cache[i] !== 0) this.heap.free(cache[i]!);
      cache[i] = 0;
    }
  }

  private endThread(thread: number, state: number, error: number): void {
    this.space.setSlot(thread, L.THREAD_FRAME, 0);
    this.space.setSlot(thread, L.THREAD_STATE, smallInt(state));
    this.space.setSlot(thread, L.THREAD_ERROR, error);
    this.turnEnd = 'ended';
  }

  private methodName(method: number): string {
    const owner = this.space.slot(method, L.METHOD_OWNER);
    return `${this.space.text(this.space.slot(owner, L.CLASS_NAME))}.${this.space.text(this.space.slot(method, L.METHOD_NAME))}`;
  }

  /** Source line of `pc` in `method` from METHOD_LINES, or null. */
  private lineAt(method: number, pc: number): number | null {
    const lines = this.space.slot(method, L.METHOD_LINES);
    if (lines === 0) return null;
    const n = this.space.payloadBytes(lines) >> 2;
    let line: number | null = null;
    for (let i = 0; i + 1 < n; i += 2) {
      if (intOf(this.space.slot(lines, i)) > pc) break;
      line = intOf(this.space.slot(lines, i + 1));
    }
    return line;
  }

  /** Allocates the .internal.error for a VM error code (or null when even that fails). */
  private vmError(code: number): number {
    const roots = this.heap.tempRoots;
    try {
      const message = this.newString(Space.encode(ERROR_MESSAGES.get(code)!));
      roots.push(message);
      const error = this.allocateInstance(this.internalClass(L.CID_ERROR));
      this.space.setSlot(error, L.ERROR_MESSAGE, message);
      return error;
    } catch (e) {
      if (e instanceof Raise) return 0;
      throw e;
    } finally {
      roots.length = 0;
    }
  }

  /**
   * Throws `thrown` in the running thread at `pc` of its innermost frame: unwinds to the nearest
   * matching handler, or ends the thread with the console report. With `thrown` 0 (the space had
   * no room for the error object) no handler runs: every frame is dropped and the thread ends.
   */
  private throwInThread(thrown: number, pc: number, raised = false): void {
    const thread = this.currentThread;
    const firstFrame = this.space.slot(thread, L.THREAD_FRAME);
    const firstMethod = this.space.slot(firstFrame, L.FRAME_METHOD);
    const catcher = this.catcher(thrown, pc);
    if (this.onThrow !== undefined) {
      const position = this.steps + (this.turnBudget - this.turnLeft) - 1;
      const { className, message } = this.errorText(thrown);
      this.onThrow({
        position,
        thread,
        thrown,
        caught: catcher !== undefined,
        raised,
        className,
        message: new TextDecoder().decode(message),
      });
    }
    // The frames above the one that catches it (every frame, when none does) are dropped.
    for (let frame = firstFrame; frame !== (catcher?.frame ?? 0); ) {
      const caller = this.space.slot(frame, L.FRAME_CALLER);
      this.dropFrame(frame);
      frame = caller;
      this.depth--;
    }
    if (catcher !== undefined) {
      const { frame, handler } = catcher;
      const locals = intOf(this.space.slot(this.space.slot(frame, L.FRAME_METHOD), L.METHOD_LOCALS));
      this.space.setSlot(frame, L.FRAME_LOCALS + locals, thrown);
      this.space.setSlot(frame, L.FRAME_SP, smallInt(1));
      this.space.setSlot(frame, L.FRAME_PC, smallInt(handler));
      this.space.setSlot(thread, L.THREAD_FRAME, frame);
      return;
    }
    const { className, message } = this.errorText(thrown);
    const line = this.lineAt(firstMethod, pc);
    const where = line === null ? '' : ` (at ${this.methodName(firstMethod)} line ${line})`;
    const id = intOf(this.space.slot(thread, L.THREAD_ID));
    const head = Space.encode(`*** thread ${id}: uncaught ${className}: `);
    const tail = Space.encode(`${where}\n`);
    const report = new Uint8Array(head.length + message.length + tail.length);
    report.set(head);
    report.set(message, head.length);
    report.set(tail, head.length + message.length);
    this.write(report);
    this.endThread(thread, L.TS_FAILED, thrown);
  }

  /** What the report of an uncaught `thrown` names: its class, and its message's bytes as they are. */
  private errorText(thrown: number): { className: string; message: Uint8Array } {
    // Without an error object (the space was too full for it) the report names what stopped the raise.
    if (thrown === 0)
      return {
        className: '.internal.error',
        message: Space.encode(ERROR_MESSAGES.get(L.ERR_OUT_OF_MEMORY)!),
      };
    const className = this.space.text(this.space.slot(this.classRefOf(thrown), L.CLASS_NAME));
    const errorClass = this.internalClass(L.CID_ERROR);
    const m = this.instanceOf(thrown, errorClass) ? this.space.slot(thrown, L.ERROR_MESSAGE) : thrown;
    // The bytes as they are, as the kernel writes them (UTF-8 or not).
    return { className, message: this.displayBytes(m) };
  }

  /**
   * The innermost frame of the running thread with a handler for `thrown` (thrown at `pc` of the
   * innermost frame; a caller's pc is its call's), and the handler's pc; undefined when none takes
   * it, or `thrown` is 0 (no error object: no handler runs).
   */
  private catcher(thrown: number, pc: number): { frame: number; handler: number } | undefined {
    if (thrown === 0) return undefined;
    let framePc = pc;
    for (let frame = this.space.slot(this.currentThread, L.THREAD_FRAME); frame !== 0; ) {
      const handler = this.findHandler(this.space.slot(frame, L.FRAME_METHOD), framePc, thrown);
      if (handler >= 0) return { frame, handler };
      frame = this.space.slot(frame, L.FRAME_CALLER);
      if (frame !== 0) framePc = intOf(this.space.slot(frame, L.FRAME_PC)) - CALL_BYTES;
    }
    return undefined;
  }

  private findHandler(method: number, pc: number, thrown: number): number {
    const handlers = this.space.slot(method, L.METHOD_HANDLERS);
    if (handlers === 0) return -1;
    const n = this.space.payloadBytes(handlers) >> 2;
    const consts = this.space.slot(method, L.METHOD_CONSTS);
    for (let i = 0; i + 3 < n; i += 4) {
      const start = intOf(this.space.slot(handlers, i));
      const end = intOf(this.space.slot(handlers, i + 1));
      if (pc < start || pc >= end) continue;
      const classConst = intOf(this.space.slot(handlers, i + 3));
      if (classConst === -1 || this.instanceOf(thrown, this.space.slot(consts, classConst))) {
        return intOf(this.space.slot(handlers, i + 2));
      }
    }
    return -1;
  }

  /** Raises VM error `code` in the running thread at `pc`. */
  private raise(code: number, pc: number): void {
    this.throwInThread(this.vmError(code), pc, true);
  }

  /**
   * Calls `method` with the `argc` values on top of the running thread's innermost frame (whose
   * pc and sp are saved, pc past the call). Natives run here; bytecode gets a new frame.
   */
  private invoke(
    method: number,
    argc: number,
    callPc: number,
    caller: number,
    callerSb: number,
    callerSp: number,
  ): void {
    const s = this.space;
    const w = this.w;
    if ((method & 1) === 0 || s.classOf(method) !== this.methodClass) {
      throw new MachineFault(
        `${this.methodName(s.slot(caller, L.FRAME_METHOD))} pc ${callPc}: call target is not a method`,
      );
    }
    if (intOf(s.slot(method, L.METHOD_ARGC)) !== argc) {
      throw new MachineFault(
        `${this.methodName(s.slot(caller, L.FRAME_METHOD))} pc ${callPc}: ${this.methodName(method)} takes ${intOf(s.slot(method, L.METHOD_ARGC))} argument slots, called with ${argc}`,
      );
    }
    const argBase = callerSb + callerSp - argc;
    const native = intOf(s.slot(method, L.METHOD_NATIVE));
    const flags = intOf(s.slot(method, L.METHOD_FLAGS));
    if (native !== 0) {
      let result: number;
      try {
        result = callNative(this, native, w.slice(argBase, argBase + argc));
      } catch (e) {
        if (e instanceof Raise) {
          this.raise(e.code, callPc);
          return;
        }
        throw e;
      }
      let sp = callerSp - argc;
      if (flags & L.MF_RETURNS) w[callerSb + sp++] = result;
      s.setSlot(caller, L.FRAME_SP, smallInt(sp));
      return;
    }
    this.checkMethod(method);
    if (this.depth + 1 >= L.MAX_FRAME_DEPTH) {
      this.raise(L.ERR_STACK_OVERFLOW, callPc);
      return;
    }
    let frame: number;
    try {
      frame = this.newFrame(method);
    } catch (e) {
      if (e instanceof Raise) {
        this.raise(e.code, callPc);
        return;
      }
      throw e;
    }
    const lb = s.headerIndex(frame) + HW + L.FRAME_LOCALS;
    w.copyWithin(lb, argBase, argBase + argc);
    s.setSlot(caller, L.FRAME_SP, smallInt(callerSp - argc));
    s.setSlot(frame, L.FRAME_CALLER, caller);
    s.setSlot(this.currentThread, L.THREAD_FRAME, frame);
    this.depth++;
  }

  /** Pops the innermost frame; pushes `result` on the caller (when `hasResult`), or ends the thread. */
  private returnFrom(frame: number, result: number, hasResult: boolean): void {
    const s = this.space;
    const caller = s.slot(frame, L.FRAME_CALLER);
    this.dropFrame(frame);
    if (caller === 0) {
      this.endThread(this.currentThread, L.TS_DONE, 0);
      return;
    }
    s.setSlot(this.currentThread, L.THREAD_FRAME, caller);
    this.depth--;
    if (hasResult) {
      const m = s.slot(caller, L.FRAME_METHOD);
      const sp = intOf(s.slot(caller, L.FRAME_SP));
      s.setSlot(caller, L.FRAME_LOCALS + intOf(s.slot(m, L.METHOD_LOCALS)) + sp, result);
      s.setSlot(caller, L.FRAME_SP, smallInt(sp + 1));
    }
  }

  // ── the interpreter loop ──

  /**
   * Checks that `frame` and its method can be run without reading or writing outside the space
   * (a damaged snapshot can hold anything); returns the method. Frames are checked when a turn
   * starts (every frame of the thread); frames the interpreter creates are right by construction.
   */
  private checkFrame(frame: number): number {
    const s = this.space;
    const w = this.w;
    const top = s.headerField(L.SH_TOP);
    if (!isObjectOf(w, frame, L.KIND_SLOTS, top) || s.payloadBytes(frame) < 4 * L.FRAME_LOCALS) {
      this.badFrame('frame is not an object');
    }
    const method = s.slot(frame, L.FRAME_METHOD);
    if (!isObjectOf(w, method, L.KIND_SLOTS, top) || s.classOf(method) !== this.methodClass) {
      this.badFrame('frame does not run a method');
    }
    this.checkMethod(method);
    const locals = intOf(s.slot(method, L.METHOD_LOCALS));
    const maxStack = intOf(s.slot(method, L.METHOD_MAX_STACK));
    const pc = intOf(s.slot(frame, L.FRAME_PC));
    const sp = intOf(s.slot(frame, L.FRAME_SP));
    if (s.payloadBytes(frame) < 4 * (L.FRAME_LOCALS + locals + maxStack)) {
      this.badFrame(
        `${this.methodName(method)}: frame too small for ${locals} locals and ${maxStack} stack slots`,
      );
    }
    if (pc < 0 || pc >= s.payloadBytes(s.slot(method, L.METHOD_CODE)) || sp < 0 || sp > maxStack) {
      this.badFrame(`${this.methodName(method)}: pc ${pc} or sp ${sp} out of range`);
    }
    return method;
  }

  /**
   * Checks a bytecode method's code, constants and sizes once (methods do not change; the cache
   * is dropped after a collection in case a damaged image let one be freed).
   */
  private checkMethod(method: number): void {
    if (this.checkedAt !== this.heap.collections) {
      this.checkedMethods.clear();
      this.checkedAt = this.heap.collections;
    }
    if (this.checkedMethods.has(method)) return;
    const s = this.space;
    const w = this.w;
    const top = s.headerField(L.SH_TOP);
    const code = s.slot(method, L.METHOD_CODE);
    const consts = s.slot(method, L.METHOD_CONSTS);
    const locals = intOf(s.slot(method, L.METHOD_LOCALS));
    const maxStack = intOf(s.slot(method, L.METHOD_MAX_STACK));
    if (
      !isObjectOf(w, code, L.KIND_BYTES, top) ||
      s.payloadBytes(code) <= 0 ||
      s.payloadOffset(code) + s.payloadBytes(code) > s.size
    ) {
      this.badFrame(`${this.methodName(method)} has no code`);
    }
    if (consts !== 0 && !isObjectOf(w, consts, L.KIND_SLOTS, top)) {
      this.badFrame(`${this.methodName(method)}: constants are not an array`);
    }
    if (locals < 0 || locals > L.MAX_LOCALS || maxStack < 0 || maxStack > 0xffff) {
      this.badFrame(
        `${this.methodName(method)}: ${locals} locals and ${maxStack} stack slots are out of range`,
      );
    }
    this.checkedMethods.add(method);
  }

  private badFrame(why: string): never {
    throw new MachineFault(`thread ${intOf(this.space.slot(this.currentThread, L.THREAD_ID))}: ${why}`);
  }

  private fault(method: number, pc: number, why: string): never {
    throw new MachineFault(`${this.methodName(method)} pc ${pc}: ${why}`);
  }

  /**
   * Runs `thread` for at most `budget` instructions. The innermost frame's registers live in
   * locals (no closures capture them, so they stay in machine registers); every call, return,
   * throw and error writes pc and sp back to the frame, acts on the heap, and reloads.
   */
  private runTurn(thread: number, budget: number, probe: Uint8Array | null, skipFirstProbe: boolean): void {
    this.currentThread = thread;
    this.turnBudget = budget;
    this.turnEnd = 'none';
    this.depth = 0;
    for (let f = this.space.slot(thread, L.THREAD_FRAME); f !== 0; f = this.space.slot(f, L.FRAME_CALLER)) {
      this.depth++;
      if (this.depth > L.MAX_FRAME_DEPTH + 1) throw new MachineFault('thread frames form a cycle');
      this.checkFrame(f);
    }
    if (this.depth === 0) {
      this.endThread(thread, L.TS_DONE, 0);
      return;
    }
    const s = this.space;
    const w = this.w;
    const u8 = this.u8;
    const stringClass = this.stringClass;
    let left = budget;
    let skipProbe = skipFirstProbe;
    for (;;) {
      const frame = s.slot(thread, L.THREAD_FRAME);
      const fw = s.headerIndex(frame) + HW;
      const method = w[fw + L.FRAME_METHOD]!;
      const code = s.slot(method, L.METHOD_CODE);
      const consts = s.slot(method, L.METHOD_CONSTS);
      const codeBase = s.payloadOffset(code);
      const codeLength = s.payloadBytes(code);
      const cw = consts === 0 ? 0 : s.headerIndex(consts) + HW;
      const constCount = consts === 0 ? 0 : s.payloadBytes(consts) >> 2;
      const lb = fw + L.FRAME_LOCALS;
      const sb = lb + intOf(s.slot(method, L.METHOD_LOCALS));
      let sp = sb + intOf(w[fw + L.FRAME_SP]!);
      let ip = codeBase + intOf(w[fw + L.FRAME_PC]!);
      /** VM error to raise at ip (the failing instruction), or 0. */
      let error = 0;
      /** The frame changed (call, return, throw): reload the registers. */
      let reload = false;
      run: while (left > 0) {
        if (probe !== null) {
          if (probe[ip] !== 0 && !skipProbe) {
            this.probed = true;
            break;
          }
          skipProbe = false;
        }
        left--;
        // One unsigned compare catches both ends: running off the code and a jump before its start.
        if ((ip - codeBase) >>> 0 >= codeLength) this.fault(method, ip - codeBase, 'pc is outside the code');
        const op = u8[ip]!;
        // Case labels are literal opcode values (named in the comment) because V8 compiles a
        // switch over literals to a jump table, about twice as fast as comparing against imported
        // constants; machine.test.ts checks them against opcodes.def.
        switch (op) {
          case 0x00: // NOP
            ip++;
            break;
          case 0x01: // PUSH_NULL
            w[sp++] = 0;
            ip++;
            break;
          case 0x02: // PUSH_INT
            w[sp++] = (u8[ip + 1]! | (u8[ip + 2]! << 8) | (u8[ip + 3]! << 16) | (u8[ip + 4]! << 24)) << 1;
            ip += 5;
            break;
          case 0x03: {
            // PUSH_CONST
            const index = u8[ip + 1]! | (u8[ip + 2]! << 8);
            if (index >= constCount) this.fault(method, ip - codeBase, `constant ${index} out of range`);
            w[sp++] = w[cw + index]!;
            ip += 3;
            break;
          }
          case 0x04: // POP
            sp--;
            ip++;
            break;
          case 0x05: // DUP
            w[sp] = w[sp - 1]!;
            sp++;
            ip++;
            break;
          case 0x06: // DUP2
            w[sp] = w[sp - 2]!;
            w[sp + 1] = w[sp - 1]!;
            sp += 2;
            ip++;
            break;
          case 0x07: // LOAD
            w[sp++] = w[lb + u8[ip + 1]!]!;
            ip += 2;
            break;
          case 0x08: // STORE
            w[lb + u8[ip + 1]!] = w[--sp]!;
            ip += 2;
            break;
          case 0x09: {
            // GET_FIELD
            const o = w[sp - 1]!;
            const slot = u8[ip + 1]! | (u8[ip + 2]! << 8);
            const h = (o - 1 - BASE) >> 2;
            if (o === 0) error = L.ERR_NULL_REFERENCE;
            else if (
              (o & 1) === 0 ||
              (w[h + 2]! & L.FLAG_KIND_MASK) !== L.KIND_SLOTS ||
              slot * 4 >= w[h + 1]!
            ) {
              error = L.ERR_BAD_FIELD;
            }
            if (error !== 0) break run;
            w[sp - 1] = w[h + HW + slot]!;
            ip += 3;
            break;
          }
          case 0x0a: {
            // PUT_FIELD
            const o = w[sp - 2]!;
            const slot = u8[ip + 1]! | (u8[ip + 2]! << 8);
            const h = (o - 1 - BASE) >> 2;
            if (o === 0) error = L.ERR_NULL_REFERENCE;
            else if (
              (o & 1) === 0 ||
              (w[h + 2]! & L.FLAG_KIND_MASK) !== L.KIND_SLOTS ||
              slot * 4 >= w[h + 1]! ||
              !this.fieldWritable(o, slot, method)
            ) {
              error = L.ERR_BAD_FIELD;
            }
            if (error !== 0) break run;
            w[h + HW + slot] = w[sp - 1]!;
            sp -= 2;
            ip += 3;
            break;
          }
          case 0x0b: {
            // NEW
            const index = u8[ip + 1]! | (u8[ip + 2]! << 8);
            if (index >= constCount) this.fault(method, ip - codeBase, `constant ${index} out of range`);
            error = this.tryNew(w[cw + index]!, sp);
            if (error !== 0) break run;
            sp++;
            ip += 3;
            break;
          }
          case 0x0c: {
            // NEW_ARRAY
            const index = u8[ip + 1]! | (u8[ip + 2]! << 8);
            if (index >= constCount) this.fault(method, ip - codeBase, `constant ${index} out of range`);
            const cls = w[cw + index]!;
            if (!this.isArrayClass(cls))
              this.fault(method, ip - codeBase, 'NEW_ARRAY of something that is not an array class');
            error = this.tryNewArray(cls, sp - 1);
            if (error !== 0) break run;
            ip += 3;
            break;
          }
          case 0x0d: {
            // ALOAD
            const a = w[sp - 2]!;
            const h = (a - 1 - BASE) >> 2;
            if (a === 0) error = L.ERR_NULL_REFERENCE;
            else if (!this.isArray(a) || (w[sp - 1]! & 1) !== 0) error = L.ERR_BAD_CAST;
            else if (w[sp - 1]! >>> 1 >= w[h + 1]! >>> 2) error = L.ERR_INDEX;
            if (error !== 0) break run;
            sp--;
            w[sp - 1] = w[h + HW + (w[sp]! >> 1)]!;
            ip++;
            break;
          }
          case 0x0e: {
            // ASTORE
            const a = w[sp - 3]!;
            const h = (a - 1 - BASE) >> 2;
            if (a === 0) error = L.ERR_NULL_REFERENCE;
            else if (!this.isArray(a) || (w[sp - 2]! & 1) !== 0) error = L.ERR_BAD_CAST;
            else if (w[sp - 2]! >>> 1 >= w[h + 1]! >>> 2) error = L.ERR_INDEX;
            else if (!this.admits(w[h]!, w[sp - 1]!)) error = L.ERR_ARRAY_STORE;
            if (error !== 0) break run;
            w[h + HW + (w[sp - 2]! >> 1)] = w[sp - 1]!;
            sp -= 3;
            ip++;
            break;
          }
          case 0x0f: {
            // ALEN
            const a = w[sp - 1]!;
            const h = (a - 1 - BASE) >> 2;
            if (a === 0) error = L.ERR_NULL_REFERENCE;
            else if (!this.isArray(a)) error = L.ERR_BAD_CAST;
            if (error !== 0) break run;
            w[sp - 1] = (w[h + 1]! >> 2) << 1;
            ip++;
            break;
          }
          case 0x10: // ADD
            sp--;
            w[sp - 1] = (w[sp - 1]! + w[sp]!) | 0;
            ip++;
            break;
          case 0x11: // SUB
            sp--;
            w[sp - 1] = (w[sp - 1]! - w[sp]!) | 0;
            ip++;
            break;
          case 0x12: // MUL
            sp--;
            w[sp - 1] = Math.imul(w[sp - 1]! >> 1, w[sp]!);
            ip++;
            break;
          case 0x13: // DIV
          case 0x14: {
            // MOD
            const b = w[sp - 1]! >> 1;
            if (b === 0) {
              error = L.ERR_DIVIDE_BY_ZERO;
              break run;
            }
            const a = w[sp - 2]! >> 1;
            sp--;
            w[sp - 1] = (op === L.OP_DIV ? (a / b) | 0 : a % b) << 1;
            ip++;
            break;
          }
          case 0x15: // NEG
            w[sp - 1] = -w[sp - 1]! | 0;
            ip++;
            break;
          case 0x16: // BAND
            sp--;
            w[sp - 1] = w[sp - 1]! & w[sp]!;
            ip++;
            break;
          case 0x17: // BOR
            sp--;
            w[sp - 1] = w[sp - 1]! | w[sp]!;
            ip++;
            break;
          case 0x18: // BXOR
            sp--;
            w[sp - 1] = w[sp - 1]! ^ w[sp]!;
            ip++;
            break;
          case 0x19: // BNOT
            w[sp - 1] = ~w[sp - 1]! & ~1;
            ip++;
            break;
          case 0x1a: // SHL
            sp--;
            w[sp - 1] = w[sp - 1]! << ((w[sp]! >> 1) & 31);
            ip++;
            break;
          case 0x1b: // SHR
            sp--;
            w[sp - 1] = (w[sp - 1]! >> ((w[sp]! >> 1) & 31)) & ~1;
            ip++;
            break;
          case 0x1c: // EQ
            sp--;
            w[sp - 1] = w[sp - 1] === w[sp] ? 2 : 0;
            ip++;
            break;
          case 0x1d: // NE
            sp--;
            w[sp - 1] = w[sp - 1] !== w[sp] ? 2 : 0;
            ip++;
            break;
          case 0x1e: // LT
            sp--;
            w[sp - 1] = w[sp - 1]! < w[sp]! ? 2 : 0;
            ip++;
            break;
          case 0x1f: // LE
            sp--;
            w[sp - 1] = w[sp - 1]! <= w[sp]! ? 2 : 0;
            ip++;
            break;
          case 0x20: // GT
            sp--;
            w[sp - 1] = w[sp - 1]! > w[sp]! ? 2 : 0;
            ip++;
            break;
          case 0x21: // GE
            sp--;
            w[sp - 1] = w[sp - 1]! >= w[sp]! ? 2 : 0;
            ip++;
            break;
          case 0x22: // NOT
            w[sp - 1] = w[sp - 1] === 0 ? 2 : 0;
            ip++;
            break;
          case 0x23: // JMP
            ip += 3 + (((u8[ip + 1]! | (u8[ip + 2]! << 8)) << 16) >> 16);
            break;
          case 0x24: // JMP_FALSE
            ip += w[--sp] === 0 ? 3 + (((u8[ip + 1]! | (u8[ip + 2]! << 8)) << 16) >> 16) : 3;
            break;
          case 0x25: // JMP_TRUE
            ip += w[--sp] !== 0 ? 3 + (((u8[ip + 1]! | (u8[ip + 2]! << 8)) << 16) >> 16) : 3;
            break;
          case 0x26: // CALL_VIRT
          case 0x27: {
            // CALL_STATIC
            const index = u8[ip + 1]! | (u8[ip + 2]! << 8);
            const argc = u8[ip + 3]!;
            let callee: number;
            if (op === L.OP_CALL_STATIC) {
              if (index >= constCount) this.fault(method, ip - codeBase, `constant ${index} out of range`);
              callee = w[cw + index]!;
            } else {
              if (argc === 0) this.fault(method, ip - codeBase, 'CALL_VIRT without a receiver');
              const receiver = w[sp - argc]!;
              if (receiver === 0) error = L.ERR_NULL_REFERENCE;
              else if ((receiver & 1) === 0) error = L.ERR_BAD_CAST;
              if (error !== 0) break run;
              const vtable = s.slot(w[(receiver - 1 - BASE) >> 2]!, L.CLASS_VTABLE);
              if (vtable === 0 || index * 4 >= s.payloadBytes(vtable)) {
                error = L.ERR_BAD_FIELD;
                break run;
              }
              callee = s.slot(vtable, index);
            }
            w[fw + L.FRAME_PC] = (ip + CALL_BYTES - codeBase) << 1;
            w[fw + L.FRAME_SP] = (sp - sb) << 1;
            this.turnLeft = left;
            this.invoke(callee, argc, ip - codeBase, frame, sb, sp - sb);
            reload = true;
            break run;
          }
          case 0x28: // RET
          case 0x29: // RET_VOID
            this.returnFrom(frame, op === L.OP_RET ? w[sp - 1]! : 0, op === L.OP_RET);
            reload = true;
            break run;
          case 0x2a: {
            // THROW
            const thrown = w[sp - 1]!;
            if (thrown === 0) error = L.ERR_NULL_REFERENCE;
            else if ((thrown & 1) === 0) error = L.ERR_BAD_CAST;
            if (error !== 0) break run;
            w[fw + L.FRAME_PC] = (ip - codeBase) << 1;
            w[fw + L.FRAME_SP] = (sp - sb) << 1;
            this.turnLeft = left;
            this.throwInThread(thrown, ip - codeBase);
            reload = true;
            break run;
          }
          case 0x2b: // CONCAT
          case 0x2c: // I2S
          case 0x2d: // B2S
          case 0x2e: {
            // O2S
            const v = w[sp - 1]!;
            if (op === L.OP_O2S && (v & 1) === 1 && w[(v - 1 - BASE) >> 2] === stringClass) {
              ip++;
              break;
            }
            error = this.tryToString(op, sp);
            if (error !== 0) break run;
            if (op === L.OP_CONCAT) sp--;
            ip++;
            break;
          }
          case 0x2f: // CHECKCAST
          case 0x30: {
            // INSTANCEOF
            const index = u8[ip + 1]! | (u8[ip + 2]! << 8);
            if (index >= constCount) this.fault(method, ip - codeBase, `constant ${index} out of range`);
            const v = w[sp - 1]!;
            const is = v !== 0 && this.instanceOf(v, w[cw + index]!);
            if (op === L.OP_INSTANCEOF) {
              w[sp - 1] = is ? 2 : 0;
            } else if (v !== 0 && !is) {
              error = L.ERR_BAD_CAST;
              break run;
            }
            ip += 3;
            break;
          }
          default:
            this.fault(method, ip - codeBase, `unknown opcode 0x${(op ?? 0).toString(16)}`);
        }
      }
      if (error !== 0) {
        w[fw + L.FRAME_PC] = (ip - codeBase) << 1;
        w[fw + L.FRAME_SP] = (sp - sb) << 1;
        this.turnLeft = left;
        this.raise(error, ip - codeBase);
        reload = true;
      }
      if (!reload) {
        w[fw + L.FRAME_PC] = (ip - codeBase) << 1;
        w[fw + L.FRAME_SP] = (sp - sb) << 1;
        break;
      }
      if (this.turnEnd !== 'none' || this.probed) break;
    }
    this.steps += budget - left;
  }

  /** NEW: allocates an instance of `cls` into stack word `at`; returns a VM error code or 0. */
  private tryNew(cls: number, at: number): number {
    try {
      this.w[at] = this.allocateInstance(cls);
      return 0;
    } catch (e) {
      if (e instanceof Raise) return e.code;
      throw e;
    }
  }

  /** Is `cls` a class whose instances are arrays (CLASS_INTERNAL_ID = CID_ARRAY)? */
  private isArrayClass(cls: number): boolean {
    return (
      (cls & 1) === 1 &&
      this.classRefOf(cls) === this.internalClass(L.CID_CLASS) &&
      this.space.slot(cls, L.CLASS_INTERNAL_ID) === smallInt(L.CID_ARRAY)
    );
  }

  /** NEW_ARRAY: replaces the length in stack word `at` with a new array of class `cls`; returns a VM error code or 0. */
  private tryNewArray(cls: number, at: number): number {
    try {
      this.w[at] = this.newArray(cls, this.w[at]! >> 1);
      return 0;
    } catch (e) {
      if (e instanceof Raise) return e.code;
      throw e;
    }
  }

  /** CONCAT, I2S, B2S, O2S with the operand(s) ending below `sp`; the result replaces the first operand. */
  private tryToString(op: number, sp: number): number {
    const w = this.w;
    const v = w[sp - 1]!;
    try {
      if (op === L.OP_CONCAT) {
        const left = this.displayBytes(w[sp - 2]!);
        const right = this.displayBytes(v);
        if (left.length + right.length > L.SPACE_SIZE_MAX) throw new Raise(L.ERR_OUT_OF_MEMORY);
        const joined = new Uint8Array(left.length + right.length);
        joined.set(left);
        joined.set(right, left.length);
        w[sp - 2] = this.newString(joined);
      } else if (op === L.OP_I2S) {
        w[sp - 1] = this.newString(Space.encode(String(v >> 1)));
      } else if (op === L.OP_B2S) {
        w[sp - 1] = this.newString(Space.encode(v !== 0 ? 'true' : 'false'));
      } else {
        w[sp - 1] = this.newString(this.displayBytes(v));
      }
      return 0;
    } catch (e) {
      if (e instanceof Raise) return e.code;
      throw e;
    }
  }
}
