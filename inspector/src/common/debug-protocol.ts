/**
 * The debug channel's wire format on the host's side: frame encoding, a streaming frame decoder that
 * resyncs after garbage, and the typed encoders and decoders of every message. Every number and
 * payload shape comes from lang/spec/debug.def through the generated codecs
 * (@phantom/lang/common/spec/debug-wire.js, explained in kernel-src/docs/debug-protocol.md); this
 * file only gives them the shapes the client's callers use. Every decoder checks the whole payload
 * and throws DebugProtocolError on a malformed one, so hostile or corrupted bytes from the channel
 * never become wrong data or an exception of another kind.
 *
 * Not here: the transport and request matching (node/debug-client.ts).
 */
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import { ByteWriter, WireError } from '@phantom/lang/common/spec/wire.js';
import { crc32c } from '@phantom/lang/common/store/crc32c.js';

export {
  DBG_ERROR_TYPE,
  DBG_FRAME_TIMEOUT_MS,
  DBG_HEADER_BYTES,
  DBG_MAGIC,
  DBG_MAX_BATCH,
  DBG_MAX_FRAMES,
  DBG_MAX_PAYLOAD,
  DBG_PAGE_BYTES,
  DBG_REPLY_BIT,
  DBG_REVISION,
  DBG_VERSION,
  DebugErrorCode,
  DF_CRC,
  DF_ID,
  DF_LENGTH,
  DF_MAGIC,
  DF_TYPE,
  DF_VERSION,
  EventType,
  MessageType,
  REQUEST_REVISION,
} from '@phantom/lang/common/spec/debug-wire.js';

import {
  DBG_HEADER_BYTES,
  DBG_MAGIC,
  DBG_MAX_BATCH,
  DBG_MAX_PAYLOAD,
  DBG_VERSION,
  type DebugErrorCode,
  DF_CRC,
  DF_ID,
  DF_LENGTH,
  DF_MAGIC,
  DF_TYPE,
  DF_VERSION,
  MessageType,
} from '@phantom/lang/common/spec/debug-wire.js';

/** Generation number meaning "the live object space" in READ_PAGE. */
export const LIVE_GENERATION = W.DBG_LIVE_GENERATION;

/**
 * The name of the virtio-serial port that carries the debug channel when a machine has one (the
 * kernel serves it there, else on serial port 2; kernel-src/arch/debug_channel.c names it too).
 */
export const DEBUG_PORT_NAME = 'org.phantom.debug';

/** A payload or frame that does not have its shape (the generated codecs' WireError). */
export const DebugProtocolError = WireError;
export type DebugProtocolError = WireError;

export interface Frame {
  type: number;
  id: number;
  payload: Uint8Array;
}

export function encodeFrame(type: number, id: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > DBG_MAX_PAYLOAD)
    throw new DebugProtocolError(`payload of ${payload.length} bytes exceeds ${DBG_MAX_PAYLOAD}`);
  const frame = new Uint8Array(DBG_HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint16(DF_MAGIC, DBG_MAGIC, true);
  view.setUint8(DF_VERSION, DBG_VERSION);
  view.setUint8(DF_TYPE, type);
  view.setUint32(DF_ID, id >>> 0, true);
  view.setUint32(DF_LENGTH, payload.length, true);
  frame.set(payload, DBG_HEADER_BYTES);
  view.setUint32(DF_CRC, crc32c(frame), true);
  return frame;
}

/**
 * Where the first RESET frame (no payload, a good CRC, any id) starts in `bytes` at or after
 * `from`, or -1. The kernel takes one found inside an unfinished frame for a new client starting
 * (kernel-src/docs/debug-protocol.md), so no request may carry one inside it.
 */
export function findResetFrame(bytes: Uint8Array, from = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + DBG_HEADER_BYTES <= bytes.length; at++) {
    if (
      view.getUint16(at + DF_MAGIC, true) === DBG_MAGIC &&
      bytes[at + DF_VERSION] === DBG_VERSION &&
      bytes[at + DF_TYPE] === MessageType.RESET &&
      view.getUint32(at + DF_LENGTH, true) === 0 &&
      frameCrcHolds(bytes.subarray(at, at + DBG_HEADER_BYTES))
    )
      return at;
  }
  return -1;
}

/** Whether a whole frame's CRC field matches its bytes. */
function frameCrcHolds(frame: Uint8Array): boolean {
  const copy = frame.slice();
  const view = new DataView(copy.buffer);
  const crc = view.getUint32(DF_CRC, true);
  view.setUint32(DF_CRC, 0, true);
  return crc32c(copy) === crc;
}

/** What the decoder found that was not a good frame; the channel reports these and goes on. */
export type FrameProblem =
  | { kind: 'garbage'; bytes: number }
  | { kind: 'stale'; id: number; type: number }
  | { kind: 'bad-crc'; id: number; type: number }
  | { kind: 'bad-version'; id: number; version: number }
  | { kind: 'too-large'; id: number; length: number }
  | { kind: 'bad-payload'; id: number; type: number; message: string };

/**
 * Turns a byte stream into frames. Bytes before a magic are skipped (reported as garbage); a frame
 * whose CRC fails is dropped and scanning resumes one byte after its start, so one corrupted
 * frame cannot swallow the frames after it.
 *
 * After `syncTo(id)`, what comes before the first frame with that id is what an earlier client
 * left on the line: whole frames are dropped (reported as stale) and an unfinished one is given
 * up as soon as that frame has arrived after its start.
 */
export class FrameDecoder {
  private buffer = new Uint8Array(0);
  private syncId: number | undefined;

  constructor(
    private readonly onFrame: (frame: Frame) => void,
    private readonly onProblem: (problem: FrameProblem) => void = () => {},
  ) {}

  /** Drops everything until a frame with this id (a reply to the RESET sent with it). */
  syncTo(id: number): void {
    this.syncId = id;
  }

  push(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    let pos = 0;
    let garbage = 0;
    while (joined.length - pos >= 2) {
      if (joined[pos] !== (DBG_MAGIC & 0xff) || joined[pos + 1] !== DBG_MAGIC >> 8) {
        pos++;
        garbage++;
        continue;
      }
      if (joined.length - pos < DBG_HEADER_BYTES) break;
      const view = new DataView(joined.buffer, joined.byteOffset + pos, DBG_HEADER_BYTES);
      const version = view.getUint8(DF_VERSION);
      const id = view.getUint32(DF_ID, true);
      const length = view.getUint32(DF_LENGTH, true);
      if (length > DBG_MAX_PAYLOAD) {
        this.flushGarbage(garbage);
        garbage = 0;
        this.onProblem({ kind: 'too-large', id, length });
        pos += 2;
        continue;
      }
      if (joined.length - pos < DBG_HEADER_BYTES + length) {
        const synced = this.syncId === undefined ? -1 : findFrame(joined, pos + 1, this.syncId);
        if (synced < 0) break;
        garbage += synced - pos;
        pos = synced;
        continue;
      }
      const frame = joined.slice(pos, pos + DBG_HEADER_BYTES + length);
      const fv = new DataView(frame.buffer);
      const crc = fv.getUint32(DF_CRC, true);
      fv.setUint32(DF_CRC, 0, true);
      this.flushGarbage(garbage);
      garbage = 0;
      if (crc32c(frame) !== crc) {
        this.onProblem({ kind: 'bad-crc', id, type: fv.getUint8(DF_TYPE) });
        pos += 1;
        continue;
      }
      pos += frame.length;
      if (version !== DBG_VERSION) {
        this.onProblem({ kind: 'bad-version', id, version });
        continue;
      }
      if (this.syncId !== undefined && id !== this.syncId) {
        this.onProblem({ kind: 'stale', id, type: fv.getUint8(DF_TYPE) });
        continue;
      }
      this.syncId = undefined;
      this.onFrame({ type: fv.getUint8(DF_TYPE), id, payload: frame.subarray(DBG_HEADER_BYTES) });
    }
    this.flushGarbage(garbage);
    this.buffer = joined.slice(pos);
  }

  private flushGarbage(bytes: number): void {
    if (bytes > 0) this.onProblem({ kind: 'garbage', bytes });
  }
}

/** Where the first whole frame with this id and a good CRC starts at or after `from`, or -1. */
function findFrame(bytes: Uint8Array, from: number, id: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + DBG_HEADER_BYTES <= bytes.length; at++) {
    if (view.getUint16(at + DF_MAGIC, true) !== DBG_MAGIC || view.getUint32(at + DF_ID, true) !== id)
      continue;
    const end = at + DBG_HEADER_BYTES + view.getUint32(at + DF_LENGTH, true);
    if (
      bytes[at + DF_VERSION] === DBG_VERSION &&
      end <= bytes.length &&
      frameCrcHolds(bytes.subarray(at, end))
    )
      return at;
  }
  return -1;
}

/**
 * Little-endian payload builder, for test peers that send payloads of a wrong shape on purpose;
 * every message of the right shape is encoded by the functions below.
 */
export class PayloadWriter extends ByteWriter {
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length > 0xffff) throw new DebugProtocolError('string longer than 65535 bytes');
    return this.u16(b.length).raw(b);
  }
}

// ── Messages ──

export type HelloReply = W.HelloReply;

/** HELLO's request: this client's protocol version. */
export function encodeHelloRequest(): Uint8Array {
  return W.encodeHelloRequest({ clientVersion: DBG_VERSION });
}

/** A HELLO reply's payload, as the kernel's agent writes it (for peers that stand in for it). */
export function encodeHello(reply: HelloReply): Uint8Array {
  return W.encodeHelloReply(reply);
}

export function decodeHello(p: Uint8Array): HelloReply {
  return W.decodeHelloReply(p);
}

export interface Stats extends Omit<W.StatsReply, 'flags'> {
  paused: boolean;
}

export function decodeStats(p: Uint8Array): Stats {
  const { flags, ...rest } = W.decodeStatsReply(p);
  return { ...rest, paused: (flags & W.DBG_FLAG_PAUSED) !== 0 };
}

export type Roots = W.RootsReply;

export function decodeRoots(p: Uint8Array): Roots {
  return W.decodeRootsReply(p);
}

export interface ThreadInfo {
  ref: number;
  id: number;
  state: number;
  wakeAt: number;
  frames: W.FrameEntry[];
}

export function decodeThreads(p: Uint8Array): ThreadInfo[] {
  return W.decodeThreadsReply(p).threads.map(({ thread, ...t }) => ({ ref: thread, ...t }));
}

export function encodeReadObjects(refs: readonly number[], generation?: number): Uint8Array {
  const objects = [...refs];
  return generation === undefined
    ? W.encodeReadObjectsRequest({ objects })
    : W.encodeReadObjectsAtRequest({ generation, objects });
}

/** READ_OBJECTS statuses (DBG_OBJECT_*). */
export const ObjectStatus = {
  Ok: W.DBG_OBJECT_OK,
  NotAnObject: W.DBG_OBJECT_NONE,
  Truncated: W.DBG_OBJECT_TRUNCATED,
} as const;
export type ObjectStatus = (typeof ObjectStatus)[keyof typeof ObjectStatus];

export interface RawObject {
  ref: number;
  status: ObjectStatus;
  classWord: number;
  size: number;
  flags: number;
  /** The payload bytes the kernel included (all of them when status is Ok). */
  payload: Uint8Array;
}

export function decodeReadObjects(p: Uint8Array): RawObject[] {
  return W.decodeObjectsReply(p).objects.map((o) => ({
    ref: o.object,
    status: o.status as ObjectStatus,
    classWord: o.classWord,
    size: o.size,
    flags: o.flags,
    payload: o.bytes,
  }));
}

export function encodeEnumerate(start: number, classRef: number, max: number): Uint8Array {
  return W.encodeEnumerateRequest({ start, class: classRef, max: Math.min(max, DBG_MAX_BATCH) });
}

export function decodeEnumerate(p: Uint8Array): { next: number; objects: number[] } {
  return W.decodeEnumerateReply(p);
}

export function decodeClasses(p: Uint8Array): number[] {
  return W.decodeClassesReply(p).classes;
}

export type GenerationInfo = W.Generation;

export function decodeGenerations(p: Uint8Array): { current: number; generations: GenerationInfo[] } {
  return W.decodeGenerationsReply(p);
}

export function decodeGenerationEvent(p: Uint8Array): GenerationInfo {
  return W.decodeGeneration(p);
}

export function decodeThreadEnd(p: Uint8Array): { thread: number; id: number; state: number } {
  return W.decodeThreadEndEvent(p);
}

export function decodeSnapshot(p: Uint8Array): number {
  return W.decodeSnapshotReply(p).generation;
}

export type RollbackReply = W.RollbackReply;

export function encodeRollback(generation: number): Uint8Array {
  return W.encodeRollbackRequest({ generation });
}

export function decodeRollback(p: Uint8Array): RollbackReply {
  return W.decodeRollbackReply(p);
}

export type BranchReply = W.BranchReply;

export function encodeStagePage(first: boolean, page: number, bytes: Uint8Array): Uint8Array {
  return W.encodeStagePageRequest({ first: first ? 1 : 0, page, bytes });
}

export function decodeStagePage(p: Uint8Array): number {
  return W.decodeStagePageReply(p).staged;
}

export function encodeBranch(parent: number): Uint8Array {
  return W.encodeBranchRequest({ parent });
}

export function decodeBranch(p: Uint8Array): BranchReply {
  return W.decodeBranchReply(p);
}

/** RESET's reply: the bytes the kernel dropped before it. */
export function decodeReset(p: Uint8Array): number {
  return W.decodeResetReply(p).discarded;
}

export function encodeReadPage(generation: number, page: number): Uint8Array {
  return W.encodeReadPageRequest({ generation, page });
}

export function decodeReadPage(p: Uint8Array): Uint8Array {
  return W.decodeReadPageReply(p).bytes;
}

/** DIRTY_PAGES's reply: the committed generation the machine runs on, and the pages that may differ from it. */
export interface UncommittedPages {
  generation: number;
  /** Page numbers, ascending. */
  pages: number[];
}

export function decodeDirtyPages(p: Uint8Array): UncommittedPages {
  const { generation, dirty, bitmap } = W.decodeDirtyPagesReply(p);
  const pages: number[] = [];
  for (let byte = 0; byte < bitmap.length; byte++) {
    const bits = bitmap[byte]!;
    if (bits) for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) pages.push(byte * 8 + bit);
  }
  if (pages.length !== dirty) {
    throw new DebugProtocolError(`DIRTY_PAGES says ${dirty} pages but its bitmap has ${pages.length}`);
  }
  return { generation, pages };
}

/**
 * NOW_PAGES's reply: the pages that differ from the committed generation with their bytes, read at
 * one safe point, or (pages empty while dirty is not 0) none because there were too many.
 */
export type NowPages = W.NowPagesReply;

export function decodeNowPages(p: Uint8Array): NowPages {
  const reply = W.decodeNowPagesReply(p);
  if (reply.pages.length !== 0 && reply.pages.length !== reply.dirty) {
    throw new DebugProtocolError(
      `NOW_PAGES says ${reply.dirty} pages differ but carries ${reply.pages.length}`,
    );
  }
  return reply;
}

/** One INSTALL_CLASS chunk: `chunk` is the blob's bytes from `offset`. */
export function encodeInstallChunk(total: number, offset: number, chunk: Uint8Array): Uint8Array {
  return W.encodeInstallClassRequest({ total, offset, chunk });
}

export function decodeInstallChunk(p: Uint8Array): W.InstallClassReply {
  return W.decodeInstallClassReply(p);
}

/** RUN: the class's full name and a method without arguments ('' means run). */
export function encodeRun(className: string, method: string): Uint8Array {
  return W.encodeRunRequest({ className, method });
}

export type RunReply = W.RunReply;

export function decodeRun(p: Uint8Array): RunReply {
  return W.decodeRunReply(p);
}

export function decodeError(p: Uint8Array): { code: number; message: string } {
  return W.decodeErrorReply(p);
}

export function encodeError(code: DebugErrorCode, message: string): Uint8Array {
  return W.encodeErrorReply({ code, message });
}

/** The debugger's messages (revision 3): breakpoints, stops, steps and frames. */
export type BreakpointSpec = W.SetBreakpointRequest;
export type BreakpointInfo = W.BreakpointEntry;
export type StoppedInfo = W.StoppedEvent;
export type ContinuedInfo = W.ContinuedEvent;
export type LogpointInfo = W.LogpointEvent;
export type FrameInfo = W.FrameReply;
export type FrameValue = W.ValueEntry;

/** STEP kinds (DBG_STEP_*). */
export const StepKind = {
  Instruction: W.DBG_STEP_INSTRUCTION,
  Into: W.DBG_STEP_INTO,
  Over: W.DBG_STEP_OVER,
  Out: W.DBG_STEP_OUT,
} as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

/** Why a thread stopped (DBG_STOP_*). */
export const StopReason = {
  Breakpoint: W.DBG_STOP_BREAKPOINT,
  Step: W.DBG_STOP_STEP,
  Pause: W.DBG_STOP_PAUSE,
  Exception: W.DBG_STOP_EXCEPTION,
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** When a throw stops its thread (DBG_EXCEPTIONS_*). */
export const ExceptionStops = {
  None: W.DBG_EXCEPTIONS_NONE,
  Uncaught: W.DBG_EXCEPTIONS_UNCAUGHT,
  All: W.DBG_EXCEPTIONS_ALL,
} as const;
export type ExceptionStops = (typeof ExceptionStops)[keyof typeof ExceptionStops];

/** A breakpoint condition's comparison (DBG_COND_*). */
export const Condition = {
  None: W.DBG_COND_NONE,
  Eq: W.DBG_COND_EQ,
  Ne: W.DBG_COND_NE,
  Lt: W.DBG_COND_LT,
  Le: W.DBG_COND_LE,
  Gt: W.DBG_COND_GT,
  Ge: W.DBG_COND_GE,
} as const;
export type Condition = (typeof Condition)[keyof typeof Condition];

export const BREAKPOINT_LOG = W.DBG_BP_LOG;
export const VALUE_INT = W.DBG_VALUE_INT;
export const VALUE_REF = W.DBG_VALUE_REF;
export const MAX_LOG_MESSAGE = W.DBG_MAX_LOG_MESSAGE;
export const MAX_BREAKPOINTS = W.DBG_MAX_BREAKPOINTS;

export function encodeSetBreakpoint(spec: BreakpointSpec): Uint8Array {
  return W.encodeSetBreakpointRequest(spec);
}
export function decodeSetBreakpoint(p: Uint8Array): number {
  return W.decodeBreakpointReply(p).id;
}
export function encodeBreakpointId(id: number): Uint8Array {
  return W.encodeBreakpointRequest({ id });
}
export function decodeBreakpoints(p: Uint8Array): BreakpointInfo[] {
  return W.decodeBreakpointsReply(p).breakpoints;
}
export function encodeThread(thread: number): Uint8Array {
  return W.encodeThreadRequest({ thread });
}
export function encodeStep(thread: number, kind: StepKind): Uint8Array {
  return W.encodeStepRequest({ thread, kind });
}
/** A value SET_LOCAL and SET_FIELD write: a small integer, or an object's address (0: null). */
export type WriteValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ref'; readonly ref: number };
function valueBits(v: WriteValue): { kind: number; bits: number } {
  return v.kind === 'int'
    ? { kind: W.DBG_VALUE_INT, bits: v.value >>> 0 }
    : { kind: W.DBG_VALUE_REF, bits: v.ref };
}
export function encodeSetLocal(thread: number, depth: number, slot: number, value: WriteValue): Uint8Array {
  return W.encodeSetLocalRequest({ thread, depth, slot, ...valueBits(value) });
}
export function encodeSetField(object: number, slot: number, value: WriteValue): Uint8Array {
  return W.encodeSetFieldRequest({ object, slot, ...valueBits(value) });
}
export function encodeFrameRequest(thread: number, depth: number): Uint8Array {
  return W.encodeFrameRequest({ thread, depth });
}
export function decodeFrame(p: Uint8Array): FrameInfo {
  return W.decodeFrameReply(p);
}
export function encodeExceptionStops(mode: ExceptionStops): Uint8Array {
  return W.encodeExceptionStopsRequest({ mode });
}
export function decodeStopped(p: Uint8Array): { exceptions: number; threads: StoppedInfo[] } {
  return W.decodeStoppedReply(p);
}
export function decodeStoppedEvent(p: Uint8Array): StoppedInfo {
  return W.decodeStoppedEvent(p);
}
export function decodeContinuedEvent(p: Uint8Array): ContinuedInfo {
  return W.decodeContinuedEvent(p);
}
export function decodeLogpointEvent(p: Uint8Array): LogpointInfo {
  return W.decodeLogpointEvent(p);
}
/** The reply of a request whose reply carries nothing (`none` in debug.def). */
export function decodeEmpty(p: Uint8Array, type: MessageType): void {
  if (p.length !== 0)
    throw new DebugProtocolError(`${MessageType[type]} reply: ${p.length} bytes where none belong`);
}
