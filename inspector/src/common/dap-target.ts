/**
 * What the debug adapter (node/dap/session.ts) asks of what it debugs: a target. A live machine's
 * DebugClient is one (the kernel's debug protocol over the channel); a replay of a generation on
 * the reference interpreter (replay-target.ts) is another, and adds running backwards and data
 * breakpoints (DapReverse). Addresses, ids and stop reasons are the debug protocol's in both.
 *
 * Not here: the protocol's codecs (debug-protocol.ts), how a target is found (the adapter's host).
 */
import type * as P from './debug-protocol.js';
import type { Disposable } from './events.js';

export interface DapTarget {
  threads(): Promise<P.ThreadInfo[]>;
  stats(): Promise<P.Stats>;
  classes(): Promise<number[]>;
  readObjects(refs: readonly number[]): Promise<P.RawObject[]>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  setBreakpoint(spec: P.BreakpointSpec): Promise<number>;
  clearBreakpoint(id: number): Promise<void>;
  listBreakpoints(): Promise<P.BreakpointInfo[]>;
  pauseThread(thread: number): Promise<void>;
  /** Writes a local of a stopped frame (SET_LOCAL) or a slot of an object (SET_FIELD), checked by the target. */
  setLocal(thread: number, depth: number, slot: number, value: P.WriteValue): Promise<void>;
  setField(object: number, slot: number, value: P.WriteValue): Promise<void>;
  continueThread(thread: number): Promise<void>;
  step(thread: number, kind: P.StepKind): Promise<void>;
  frame(thread: number, depth: number): Promise<P.FrameInfo>;
  setExceptionStops(mode: P.ExceptionStops): Promise<void>;
  stopped(): Promise<{ exceptions: number; threads: P.StoppedInfo[] }>;
  onDidEndThread(listener: (e: { thread: number; id: number; state: number }) => void): Disposable;
  onDidStop(listener: (e: P.StoppedInfo) => void): Disposable;
  onDidContinue(listener: (e: P.ContinuedInfo) => void): Disposable;
  onDidLog(listener: (e: P.LogpointInfo) => void): Disposable;
}

/** A data breakpoint's target: a slot (field or element) of an object, by address. */
export interface DataSlot {
  readonly object: number;
  readonly slot: number;
}

/** What a target that can go back adds; its stops come as onDidStop events, as forward ones do. */
export interface DapReverse {
  /** Back one step of `kind` for stopped thread `thread` (its address). */
  stepBack(thread: number, kind: P.StepKind): Promise<void>;
  /** Back to the last breakpoint hit or data change. */
  reverseContinue(): Promise<void>;
  /** Replaces the data breakpoints; returns their ids, in order. */
  setDataBreakpoints(slots: readonly DataSlot[]): Promise<number[]>;
  /** The instructions run since the generation, where the target stands. */
  position(): number;
  /** The throw the target stands before, when its last stop was an exception stop. */
  thrownHere():
    | { readonly className: string; readonly message: string; readonly caught: boolean }
    | undefined;
  /** How the editor should name the last stop (DAP's reason, and a description with the position). */
  describeStop(): { readonly reason: string; readonly description: string };
  /** What the editor should see marked (the first line where the replay's output parts from the machine's). */
  readonly onNotice: (listener: (text: string) => void) => Disposable;
}

/** What continueMachineFromHere answers: the generation made, and how the machine goes on. */
export interface ContinuedMachine {
  readonly generation: number;
  readonly parent: number;
  /** The replay's position (instructions since `parent`) the state was taken at. */
  readonly position: number;
  readonly pagesWritten: number;
  /**
   * 'in-place': the running machine's kernel committed it and runs on from it; 'restart': the
   * running machine restarted on it; 'next-start': a stopped one boots it when started.
   */
  readonly path: 'in-place' | 'restart' | 'next-start';
  readonly restartReason?: string;
  readonly autoCheckpoint?: string;
}
