/**
 * A client of the kernel's debug channel over a byte stream (QEMU exposes serial port 2 as a
 * unix socket): request/reply matching by id, a deadline per request, typed replies, events
 * as `onDidCommitGeneration` / `onDidEndThread` / `onDidStop` / `onDidContinue` / `onDidLog`, and errors from the kernel as DebugRequestError.
 * Frames that cannot be decoded are counted (`problems`) and never take the client down.
 *
 * A connection starts with RESET, then HELLO: whatever an earlier client left (an unfinished
 * frame in the kernel, the tail of a reply on the line) is dropped on both sides before the
 * first reply this client reads.
 *
 * Requests that only read (RESENDABLE) are sent again, with the same id, when their frame or their
 * reply may have been lost: a reply that arrives damaged (its CRC fails), bytes the decoder had to
 * drop while the request waited, the kernel's BAD_FRAME for the request (it arrived damaged), or no
 * reply within a share of the deadline (a frame a broker dropped whole). Whichever reply comes
 * first answers the request; a later one finds nothing waiting and is dropped. Requests that change
 * the machine are never resent: their loss is the caller's to see, as a timeout.
 */
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { encodeClassBlob } from '../common/class-blob.js';
import * as P from '../common/debug-protocol.js';
import type { Disposable } from '../common/events.js';

// shared-channel.ts takes Disposable from here; the one declaration is common/events.ts.
export type { Disposable } from '../common/events.js';

/** How long a request may wait for its reply: a snapshot under TCG can take seconds. */
const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * How long RESET and HELLO may wait by default. The agent answers them at once; silence means the
 * channel serves another client (QEMU's socket takes one at a time and leaves the next one
 * waiting), or the kernel is not serving it.
 */
const DEFAULT_HELLO_TIMEOUT_MS = 10_000;
/** Problems kept for diagnostics; a channel full of noise must not grow memory without bound. */
const MAX_PROBLEMS_KEPT = 1000;
/** Class-blob bytes per INSTALL_CLASS chunk: the payload limit less the total and offset words. */
/** Requests that only read the machine: sending one twice is the same as once. */
const RESENDABLE: ReadonlySet<number> = new Set([
  P.MessageType.HELLO,
  P.MessageType.STATS,
  P.MessageType.ROOTS,
  P.MessageType.THREADS,
  P.MessageType.READ_OBJECTS,
  P.MessageType.ENUMERATE,
  P.MessageType.CLASSES,
  P.MessageType.GENERATIONS,
  P.MessageType.READ_OBJECTS_AT,
  P.MessageType.READ_PAGE,
  P.MessageType.LIST_BREAKPOINTS,
  P.MessageType.FRAME,
  P.MessageType.STOPPED,
  P.MessageType.DIRTY_PAGES,
  P.MessageType.NOW_PAGES,
]);
/** Times one request is sent again at most: a channel that loses more is broken, and the deadline says so. */
const MAX_RESENDS = 3;
/** A resendable request without a reply is sent again after this share of its deadline. */
const RESEND_SHARE_OF_TIMEOUT = 4;
const INSTALL_CHUNK_BYTES = P.DBG_MAX_PAYLOAD - 8;

export class DebugRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${P.DebugErrorCode[code] ?? `error ${code}`}: ${message}`);
    this.name = 'DebugRequestError';
  }
}

/** A request whose reply did not come in time. */
export class NoReplyError extends Error {
  constructor(type: P.MessageType, timeoutMs: number) {
    super(`debug request ${P.MessageType[type]} got no reply within ${timeoutMs} ms`);
    this.name = 'NoReplyError';
  }
}

interface Pending {
  type: number;
  resolve: (payload: Uint8Array) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** The encoded request, kept for a resend when the type is RESENDABLE. */
  frame?: Uint8Array;
  resends: number;
  resendTimer?: NodeJS.Timeout;
}

export class DebugClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new EventEmitter();
  private readonly decoder: P.FrameDecoder;
  private closedError: Error | undefined;
  /** The kernel's protocol revision, from HELLO. */
  private revision = 0;
  /** Bytes received on the socket, which tell a silent channel from a kernel that does not answer. */
  private bytesReceived = 0;
  /** Frame problems seen on the channel (garbage, bad CRCs), for diagnostics. */
  readonly problems: P.FrameProblem[] = [];
  /** Requests sent again because their frame or reply may have been lost. */
  resent = 0;
  /**
   * Bytes the kernel dropped when this connection's RESET reached it (what an earlier client left
   * unfinished, noise); undefined when the kernel predates RESET (revision < 2).
   */
  discardedAtReset: number | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.decoder = new P.FrameDecoder(
      (frame) => this.onFrame(frame),
      (problem) => this.noteProblem(problem),
    );
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.decoder.push(chunk);
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('debug channel closed')));
  }

  /**
   * Connects to a unix socket path, resets the channel, says HELLO and checks the versions.
   * `timeoutMs` bounds each later request; `helloTimeoutMs` the RESET and HELLO, whose silence
   * says the channel is busy or the kernel is not serving it (the error says which it looks like).
   */
  static async connect(
    path: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    helloTimeoutMs = Math.min(timeoutMs, DEFAULT_HELLO_TIMEOUT_MS),
  ): Promise<{ client: DebugClient; hello: P.HelloReply }> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const client = new DebugClient(socket, timeoutMs);
    try {
      const hello = await client.handshake(helloTimeoutMs);
      if (hello.protocolVersion !== P.DBG_VERSION) {
        throw new Error(
          `kernel speaks debug protocol ${hello.protocolVersion}, this client ${P.DBG_VERSION}`,
        );
      }
      client.revision = hello.revision;
      return { client, hello };
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /**
   * RESET, with a random id no earlier client's reply can carry, then HELLO, sent together. The
   * decoder drops everything before the RESET's reply. A kernel before revision 2 answers RESET
   * UNKNOWN, and HELLO as ever.
   */
  private async handshake(timeoutMs: number): Promise<P.HelloReply> {
    const resetId = randomInt(1, 0xffffffff);
    this.decoder.syncTo(resetId);
    const reset = this.send(P.MessageType.RESET, resetId, undefined, timeoutMs).then(
      (payload) => {
        this.discardedAtReset = P.decodeReset(payload);
      },
      (err: Error) => {
        if (!(err instanceof DebugRequestError && err.code === P.DebugErrorCode.DE_UNKNOWN)) throw err;
      },
    );
    const hello = this.request(P.MessageType.HELLO, P.encodeHelloRequest(), timeoutMs);
    let payload: Uint8Array;
    try {
      await reset;
      payload = await hello;
    } catch (err) {
      hello.catch(() => {});
      throw err instanceof NoReplyError ? this.silenceError(timeoutMs) : err;
    }
    return P.decodeHello(payload);
  }

  /** Why RESET or HELLO went unanswered, from what did arrive meanwhile. */
  private silenceError(timeoutMs: number): Error {
    if (this.bytesReceived === 0) {
      return new Error(
        `the kernel's debug channel did not answer within ${timeoutMs} ms and sent nothing: another client (a studio, \`phantom inspect\`) may hold it (QEMU serves one connection at a time), or the kernel is not serving it (still booting, stopped or crashed)`,
      );
    }
    return new Error(
      `the kernel's debug channel sent ${this.bytesReceived} bytes within ${timeoutMs} ms but answered neither RESET nor HELLO: the kernel runs, but its agent is not reading requests; a kernel older than debug protocol revision 2 does this while it waits for the rest of a frame an earlier client left unfinished (restart the machine)`,
    );
  }

  close(): void {
    this.socket.destroy();
    this.fail(new Error('debug client closed'));
  }

  onDidCommitGeneration(listener: (g: P.GenerationInfo) => void): Disposable {
    return this.on('generation', listener);
  }

  /** Fires once when the channel closes (the machine stopped, or close() was called). */
  onDidClose(listener: (err: Error) => void): Disposable {
    if (this.closedError) {
      const err = this.closedError;
      queueMicrotask(() => listener(err));
      return { dispose: () => {} };
    }
    return this.on('close', listener);
  }

  /** Whether the channel has closed; every request then fails at once. */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  onDidEndThread(listener: (e: { thread: number; id: number; state: number }) => void): Disposable {
    return this.on('thread-end', listener);
  }

  /** A thread stopped (EV_STOPPED): a breakpoint, a step's end, a pause or a throw. */
  onDidStop(listener: (e: P.StoppedInfo) => void): Disposable {
    return this.on('stopped', listener);
  }

  /** A stopped thread runs again (EV_CONTINUED). */
  onDidContinue(listener: (e: P.ContinuedInfo) => void): Disposable {
    return this.on('continued', listener);
  }

  /** A logpoint was hit (EV_LOGPOINT); its thread went on. */
  onDidLog(listener: (e: P.LogpointInfo) => void): Disposable {
    return this.on('logpoint', listener);
  }

  async stats(): Promise<P.Stats> {
    return P.decodeStats(await this.request(P.MessageType.STATS));
  }
  async roots(): Promise<P.Roots> {
    return P.decodeRoots(await this.request(P.MessageType.ROOTS));
  }
  async threads(): Promise<P.ThreadInfo[]> {
    return P.decodeThreads(await this.request(P.MessageType.THREADS));
  }
  async classes(): Promise<number[]> {
    return P.decodeClasses(await this.request(P.MessageType.CLASSES));
  }
  async generations(): Promise<{ current: number; generations: P.GenerationInfo[] }> {
    return P.decodeGenerations(await this.request(P.MessageType.GENERATIONS));
  }
  /** Reads objects in batches; objects the kernel could not fit come back on the next round. */
  async readObjects(refs: readonly number[], generation?: number): Promise<P.RawObject[]> {
    const out: P.RawObject[] = [];
    let rest = refs.slice();
    while (rest.length > 0) {
      const batch = rest.slice(0, P.DBG_MAX_BATCH);
      const type = generation === undefined ? P.MessageType.READ_OBJECTS : P.MessageType.READ_OBJECTS_AT;
      const got = P.decodeReadObjects(await this.request(type, P.encodeReadObjects(batch, generation)));
      if (got.length === 0) throw new Error(`kernel returned no object for ${batch.length} asked`);
      out.push(...got);
      rest = rest.slice(got.length);
    }
    return out;
  }
  async enumerate(
    start: number,
    classRef = 0,
    max: number = P.DBG_MAX_BATCH,
  ): Promise<{ next: number; objects: number[] }> {
    return P.decodeEnumerate(
      await this.request(P.MessageType.ENUMERATE, P.encodeEnumerate(start, classRef, max)),
    );
  }
  async snapshotNow(): Promise<number> {
    return P.decodeSnapshot(await this.request(P.MessageType.SNAPSHOT_NOW));
  }
  /** Whether the kernel can roll back in place (ROLLBACK, revision 4). */
  get canRollBackInPlace(): boolean {
    return this.revision >= (P.REQUEST_REVISION[P.MessageType.ROLLBACK] ?? 0);
  }
  /**
   * Rolls the running machine back to kept generation `generation` without restarting it; the
   * reply names the generation mounted (its parent or older when it was damaged). Never resent.
   */
  async rollback(generation: number, timeoutMs = this.timeoutMs): Promise<P.RollbackReply> {
    return P.decodeRollback(
      await this.request(P.MessageType.ROLLBACK, P.encodeRollback(generation), timeoutMs),
    );
  }
  /** Whether the kernel can continue from a space in place (STAGE_PAGE and BRANCH, revision 5). */
  get canBranchInPlace(): boolean {
    return this.revision >= (P.REQUEST_REVISION[P.MessageType.BRANCH] ?? 0);
  }
  /**
   * Continues the running machine from a space in place: `pages` (page number and bytes, those
   * that differ from generation `parent`) are staged, then BRANCH rolls back to `parent`, puts them
   * over it and commits the result as a new generation on a new branch. Never resent. At least
   * one page: the first drops what an earlier, unfinished branch staged.
   */
  async branch(
    parent: number,
    pages: readonly { page: number; bytes: Uint8Array }[],
    timeoutMs = this.timeoutMs,
  ): Promise<P.BranchReply> {
    if (pages.length === 0) throw new RangeError('a branch stages at least one page');
    for (const [i, { page, bytes }] of pages.entries())
      P.decodeStagePage(
        await this.request(P.MessageType.STAGE_PAGE, P.encodeStagePage(i === 0, page, bytes)),
      );
    return P.decodeBranch(await this.request(P.MessageType.BRANCH, P.encodeBranch(parent), timeoutMs));
  }
  async pause(): Promise<void> {
    await this.request(P.MessageType.PAUSE);
  }
  async resume(): Promise<void> {
    await this.request(P.MessageType.RESUME);
  }
  async readPage(page: number, generation = P.LIVE_GENERATION): Promise<Uint8Array> {
    return P.decodeReadPage(await this.request(P.MessageType.READ_PAGE, P.encodeReadPage(generation, page)));
  }
  /** The pages that differ from the committed generation with their bytes, at one safe point, when few (revision 4). */
  async nowPages(): Promise<P.NowPages> {
    return P.decodeNowPages(await this.request(P.MessageType.NOW_PAGES));
  }
  /** The pages that may differ from the committed generation the machine runs on (revision 4). */
  async dirtyPages(): Promise<P.UncommittedPages> {
    return P.decodeDirtyPages(await this.request(P.MessageType.DIRTY_PAGES));
  }

  /**
   * Installs a class compiled by lang, or replaces the program class of the same name (running
   * frames keep their code; new calls use the new methods). Resolves with the class object's
   * address; a refusal (unknown names, a changed field layout, bad code) is a DebugRequestError
   * whose message says why.
   */
  async installClass(cls: CompiledClass): Promise<number> {
    const blob = encodeClassBlob(cls);
    let classRef = 0;
    for (let offset = 0; offset < blob.length; ) {
      let end = Math.min(offset + INSTALL_CHUNK_BYTES, blob.length);
      // A RESET frame inside a request would end it in the kernel: end the chunk in the middle of one.
      const reset = P.findResetFrame(blob.subarray(offset, end));
      if (reset >= 0) end = offset + reset + 1;
      const chunk = blob.subarray(offset, end);
      const reply = P.decodeInstallChunk(
        await this.request(P.MessageType.INSTALL_CLASS, P.encodeInstallChunk(blob.length, offset, chunk)),
      );
      const received = reply.received;
      classRef = reply.class;
      if (received !== end) {
        throw new P.DebugProtocolError(`INSTALL_CLASS: kernel holds ${received} bytes, sent ${end}`);
      }
      offset = end;
    }
    return classRef;
  }

  /**
   * Starts a new thread in the machine doing `new C().method()` (method '' is run), or `C.method()`
   * for a static method; no arguments — how a program is run again after an install. Resolves with
   * the thread when it has started; `onDidEndThread` tells when it ends. An unknown class or method
   * is a DebugRequestError NOT_FOUND, a method with arguments FAILED.
   */
  async run(className: string, method = ''): Promise<P.RunReply> {
    return P.decodeRun(await this.request(P.MessageType.RUN, P.encodeRun(className, method)));
  }

  /**
   * Sets a breakpoint (or, with BREAKPOINT_LOG, a logpoint) before the instruction at `pc` of a
   * bytecode method; resolves with its id. A pc inside an instruction, a method that is not
   * bytecode or a full table is a DebugRequestError saying so. The debugger's requests need a
   * kernel of revision 3; an older one is refused before anything is sent.
   */
  async setBreakpoint(spec: P.BreakpointSpec): Promise<number> {
    return P.decodeSetBreakpoint(
      await this.request(P.MessageType.SET_BREAKPOINT, P.encodeSetBreakpoint(spec)),
    );
  }
  async clearBreakpoint(id: number): Promise<void> {
    await this.requestEmpty(P.MessageType.CLEAR_BREAKPOINT, P.encodeBreakpointId(id));
  }
  async listBreakpoints(): Promise<P.BreakpointInfo[]> {
    return P.decodeBreakpoints(await this.request(P.MessageType.LIST_BREAKPOINTS));
  }
  /** Stops a thread (0: every live thread) between two instructions; onDidStop tells each. */
  async pauseThread(thread: number): Promise<void> {
    await this.requestEmpty(P.MessageType.PAUSE_THREAD, P.encodeThread(thread));
  }
  /** Lets a stopped thread (0: every stopped one) run on; onDidContinue tells each. */
  async continueThread(thread: number): Promise<void> {
    await this.requestEmpty(P.MessageType.CONTINUE_THREAD, P.encodeThread(thread));
  }
  /** Lets a stopped thread run one step; onDidStop (reason Step) tells when it is done. */
  async step(thread: number, kind: P.StepKind): Promise<void> {
    await this.requestEmpty(P.MessageType.STEP, P.encodeStep(thread, kind));
  }
  /** Frame `depth` (0: innermost) of a stopped thread, with its locals and operand stack typed. */
  async frame(thread: number, depth: number): Promise<P.FrameInfo> {
    return P.decodeFrame(await this.request(P.MessageType.FRAME, P.encodeFrameRequest(thread, depth)));
  }
  /**
   * Writes local `slot` of frame `depth` of a stopped thread (revision 4). The kernel refuses, saying
   * why, `this`, and a value of another kind than the slot holds (an int for an int, null or an
   * object of its object's class for a reference).
   */
  async setLocal(thread: number, depth: number, slot: number, value: P.WriteValue): Promise<void> {
    await this.requestEmpty(P.MessageType.SET_LOCAL, P.encodeSetLocal(thread, depth, slot, value));
  }
  /**
   * Writes field `slot` of a program object, or element `slot` of a program's array (revision 4);
   * a system object's fields, and a value the field or the array's type does not admit, are refused.
   */
  async setField(object: number, slot: number, value: P.WriteValue): Promise<void> {
    await this.requestEmpty(P.MessageType.SET_FIELD, P.encodeSetField(object, slot, value));
  }
  async setExceptionStops(mode: P.ExceptionStops): Promise<void> {
    await this.requestEmpty(P.MessageType.EXCEPTION_STOPS, P.encodeExceptionStops(mode));
  }
  /** The threads the debugger holds stopped, and the exception mode: what a late client needs. */
  async stopped(): Promise<{ exceptions: number; threads: P.StoppedInfo[] }> {
    return P.decodeStopped(await this.request(P.MessageType.STOPPED));
  }

  private async requestEmpty(type: P.MessageType, payload: Uint8Array): Promise<void> {
    P.decodeEmpty(await this.request(type, payload), type);
  }

  /**
   * Sends one request and resolves with its reply's payload. A request newer than the kernel's
   * protocol revision is refused here, saying so, rather than answered UNKNOWN.
   */
  request(type: P.MessageType, payload?: Uint8Array, timeoutMs = this.timeoutMs): Promise<Uint8Array> {
    if (this.closedError) return Promise.reject(this.closedError);
    const needs = P.REQUEST_REVISION[type] ?? 0;
    if (needs > this.revision) {
      return Promise.reject(
        new Error(
          `${P.MessageType[type]} needs debug protocol revision ${needs}; this kernel has ${this.revision} (rebuild it)`,
        ),
      );
    }
    const id = this.nextId;
    this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
    return this.send(type, id, payload, timeoutMs);
  }

  /** Writes one request frame with this id and waits for its reply. */
  private send(
    type: P.MessageType,
    id: number,
    payload: Uint8Array | undefined,
    timeoutMs: number,
  ): Promise<Uint8Array> {
    if (this.closedError) return Promise.reject(this.closedError);
    const frame = P.encodeFrame(type, id, payload);
    if (P.findResetFrame(frame, 1) >= 0) {
      return Promise.reject(
        new P.DebugProtocolError(
          `${P.MessageType[type]}: the request holds a RESET frame, which no request may carry`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const waiting = this.pending.get(id);
        clearTimeout(waiting?.resendTimer);
        this.pending.delete(id);
        reject(new NoReplyError(type, timeoutMs));
      }, timeoutMs);
      const pending: Pending = { type, resolve, reject, timer, resends: 0 };
      if (RESENDABLE.has(type)) {
        pending.frame = frame;
        const quietMs = Math.max(1, Math.floor(timeoutMs / RESEND_SHARE_OF_TIMEOUT));
        const resendWhenQuiet = () => {
          pending.resendTimer = setTimeout(() => {
            if (this.resend(id)) resendWhenQuiet();
          }, quietMs);
        };
        resendWhenQuiet();
      }
      this.pending.set(id, pending);
      this.socket.write(frame);
    });
  }

  /** Sends a waiting resendable request again, unless it was resent MAX_RESENDS times; whether it was. */
  private resend(id: number): boolean {
    const waiting = this.pending.get(id);
    if (!waiting?.frame || waiting.resends >= MAX_RESENDS || this.closedError) return false;
    waiting.resends++;
    this.resent++;
    this.socket.write(waiting.frame);
    return true;
  }

  private on<T>(name: string, listener: (value: T) => void): Disposable {
    this.events.on(name, listener);
    return { dispose: () => this.events.off(name, listener) };
  }

  private onFrame(frame: P.Frame): void {
    if (frame.id === 0) {
      try {
        if (frame.type === P.EventType.EV_GENERATION)
          this.events.emit('generation', P.decodeGenerationEvent(frame.payload));
        else if (frame.type === P.EventType.EV_THREAD_END)
          this.events.emit('thread-end', P.decodeThreadEnd(frame.payload));
        else if (frame.type === P.EventType.EV_STOPPED)
          this.events.emit('stopped', P.decodeStoppedEvent(frame.payload));
        else if (frame.type === P.EventType.EV_CONTINUED)
          this.events.emit('continued', P.decodeContinuedEvent(frame.payload));
        else if (frame.type === P.EventType.EV_LOGPOINT)
          this.events.emit('logpoint', P.decodeLogpointEvent(frame.payload));
      } catch (err) {
        this.noteProblem({ kind: 'bad-payload', id: 0, type: frame.type, message: String(err) });
      }
      return;
    }
    const waiting = this.pending.get(frame.id);
    if (!waiting) return;
    if (frame.type === P.DBG_ERROR_TYPE && this.isBadFrame(frame.payload) && this.resend(frame.id)) return;
    this.pending.delete(frame.id);
    clearTimeout(waiting.timer);
    clearTimeout(waiting.resendTimer);
    if (frame.type === P.DBG_ERROR_TYPE) {
      try {
        const e = P.decodeError(frame.payload);
        waiting.reject(new DebugRequestError(e.code, e.message));
      } catch (err) {
        waiting.reject(err as Error);
      }
    } else if (frame.type !== (waiting.type | P.DBG_REPLY_BIT)) {
      waiting.reject(
        new P.DebugProtocolError(`reply type 0x${frame.type.toString(16)} to ${P.MessageType[waiting.type]}`),
      );
    } else {
      waiting.resolve(frame.payload);
    }
  }

  /** Whether an error reply says the kernel got the request damaged (BAD_FRAME). */
  private isBadFrame(payload: Uint8Array): boolean {
    try {
      return P.decodeError(payload).code === P.DebugErrorCode.DE_BAD_FRAME;
    } catch {
      return false;
    }
  }

  /**
   * A frame the decoder dropped may have been a reply: when its id names a waiting request, that
   * request's; otherwise (the id itself damaged) any waiting request's. Stale frames (before this
   * connection's RESET reply) were nobody's; bytes dropped as garbage follow a dropped frame, or
   * held a frame whose header was lost, which the quiet timer resends.
   */
  private noteProblem(problem: P.FrameProblem): void {
    if (this.problems.length < MAX_PROBLEMS_KEPT) this.problems.push(problem);
    if (problem.kind !== 'bad-crc' && problem.kind !== 'bad-version' && problem.kind !== 'too-large') return;
    if (this.pending.has(problem.id)) this.resend(problem.id);
    else for (const id of this.pending.keys()) this.resend(id);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      clearTimeout(p.resendTimer);
      p.reject(err);
    }
    this.pending.clear();
    this.events.emit('close', err);
  }
}
