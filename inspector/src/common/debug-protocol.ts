/**
 * The debug channel's wire format (kernel-src/include/debug.def, explained in
 * kernel-src/docs/debug-protocol.md): frame encoding, a streaming frame decoder that resyncs after
 * garbage, and the encoders and decoders of every message. Every decoder checks lengths before
 * reading and throws DebugProtocolError on a malformed payload, so hostile or corrupted bytes
 * from the channel never become wrong data or an exception of another kind.
 *
 * Not here: the transport and request matching (node/debug-client.ts).
 */
import { crc32c } from '@phantom/lang/common/store/crc32c.js';

// ── debug.def (a test re-reads the .def and checks every number here) ──
export const DBG_MAGIC = 0x4450;
export const DBG_VERSION = 1;
/** Requests added to version 1 without changing any shape; HELLO reports the kernel's (1: RUN, 2: RESET). */
export const DBG_REVISION = 2;
export const DBG_HEADER_BYTES = 16;
export const DBG_MAX_PAYLOAD = 65536;
export const DBG_REPLY_BIT = 0x80;
export const DBG_ERROR_TYPE = 0xff;
export const DBG_MAX_BATCH = 1024;
export const DBG_MAX_FRAMES = 64;
/** An unfinished frame whose bytes stop arriving for this long is dropped by the kernel. */
export const DBG_FRAME_TIMEOUT_MS = 2000;
export const DF_MAGIC = 0;
export const DF_VERSION = 2;
export const DF_TYPE = 3;
export const DF_ID = 4;
export const DF_LENGTH = 8;
export const DF_CRC = 12;

export enum MessageType {
  HELLO = 0x01,
  STATS = 0x02,
  ROOTS = 0x03,
  THREADS = 0x04,
  READ_OBJECTS = 0x05,
  ENUMERATE = 0x06,
  CLASSES = 0x07,
  GENERATIONS = 0x08,
  READ_OBJECTS_AT = 0x09,
  SNAPSHOT_NOW = 0x0a,
  PAUSE = 0x0b,
  RESUME = 0x0c,
  INSTALL_CLASS = 0x0d,
  READ_PAGE = 0x0e,
  RUN = 0x0f,
  RESET = 0x10,
}

/** The revision that added each request after the first (absent: revision 0). */
export const REQUEST_REVISION: Partial<Record<MessageType, number>> = {
  [MessageType.RUN]: 1,
  [MessageType.RESET]: 2,
};

export enum EventType {
  EV_GENERATION = 0xc1,
  EV_THREAD_END = 0xc2,
}

export enum DebugErrorCode {
  DE_BAD_FRAME = 1,
  DE_BAD_VERSION = 2,
  DE_UNKNOWN = 3,
  DE_BAD_REQUEST = 4,
  DE_TOO_LARGE = 5,
  DE_NOT_FOUND = 6,
  DE_BUSY = 7,
  DE_FAILED = 8,
}

/** Generation number meaning "the live object space" in READ_PAGE. */
export const LIVE_GENERATION = 0xffffffff;

export class DebugProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DebugProtocolError';
  }
}

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

/** Bounds-checked little-endian reader over a payload. */
export class PayloadReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    if (this.pos + n > this.bytes.length) {
      throw new DebugProtocolError(
        `${this.what}: payload ends at byte ${this.bytes.length}, needed ${this.pos + n}`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  u64(): number {
    const at = this.need(8);
    return this.view.getUint32(at, true) + this.view.getUint32(at + 4, true) * 2 ** 32;
  }
  bytesOf(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.slice(at, at + n);
  }
  str(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytesOf(this.u16()));
  }
  skip(n: number): void {
    this.need(n);
  }
  /** Checks that nothing is left over: a longer payload than its shape is malformed too. */
  end(): void {
    if (this.pos !== this.bytes.length) {
      throw new DebugProtocolError(`${this.what}: ${this.bytes.length - this.pos} unexpected trailing bytes`);
    }
  }
}

/** Little-endian payload builder. */
export class PayloadWriter {
  private bytes = new Uint8Array(64);
  private view = new DataView(this.bytes.buffer);
  private length = 0;

  /** Reserves n bytes and returns their offset; may replace bytes and view, so read those after. */
  private room(n: number): number {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(v: number): this {
    const at = this.room(1);
    this.view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v, true);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }
  u64(v: number): this {
    const at = this.room(8);
    this.view.setUint32(at, v % 2 ** 32, true);
    this.view.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
    return this;
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.bytes.set(b, at);
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length > 0xffff) throw new DebugProtocolError('string longer than 65535 bytes');
    return this.u16(b.length).raw(b);
  }
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

// ── Messages ──

export interface HelloReply {
  protocolVersion: number;
  /** Requests the kernel added within its version (REQUEST_REVISION); 0 for the first kernels. */
  revision: number;
  formatVersion: number;
  spaceBase: number;
  spaceSize: number;
  maxPayload: number;
  kernel: string;
}

/** A HELLO reply's payload, as the kernel's agent writes it (for peers that stand in for it). */
export function encodeHello(reply: HelloReply): Uint8Array {
  return new PayloadWriter()
    .u16(reply.protocolVersion)
    .u16(reply.revision)
    .u32(reply.formatVersion)
    .u32(reply.spaceBase)
    .u32(reply.spaceSize)
    .u32(reply.maxPayload)
    .str(reply.kernel)
    .finish();
}

export function decodeHello(p: Uint8Array): HelloReply {
  const r = new PayloadReader(p, 'HELLO reply');
  const protocolVersion = r.u16();
  const revision = r.u16();
  const reply = {
    protocolVersion,
    revision,
    formatVersion: r.u32(),
    spaceBase: r.u32(),
    spaceSize: r.u32(),
    maxPayload: r.u32(),
    kernel: r.str(),
  };
  r.end();
  return reply;
}

export interface Stats {
  uptimeMs: number;
  machineMs: number;
  objects: number;
  liveBytes: number;
  spaceTop: number;
  generation: number;
  threads: number;
  gcRuns: number;
  gcPauseUs: number;
  snapshots: number;
  paused: boolean;
}

export function decodeStats(p: Uint8Array): Stats {
  const r = new PayloadReader(p, 'STATS reply');
  const s: Stats = {
    uptimeMs: r.u64(),
    machineMs: r.u64(),
    objects: r.u32(),
    liveBytes: r.u32(),
    spaceTop: r.u32(),
    generation: r.u32(),
    threads: r.u32(),
    gcRuns: r.u32(),
    gcPauseUs: r.u32(),
    snapshots: r.u32(),
    paused: (r.u32() & 1) === 1,
  };
  r.end();
  return s;
}

export interface Roots {
  root: number;
  directory: number;
  threads: number;
  classes: number;
}

export function decodeRoots(p: Uint8Array): Roots {
  const r = new PayloadReader(p, 'ROOTS reply');
  const roots = { root: r.u32(), directory: r.u32(), threads: r.u32(), classes: r.u32() };
  r.end();
  return roots;
}

export interface ThreadInfo {
  ref: number;
  id: number;
  state: number;
  wakeAt: number;
  frames: { frame: number; method: number; pc: number }[];
}

export function decodeThreads(p: Uint8Array): ThreadInfo[] {
  const r = new PayloadReader(p, 'THREADS reply');
  const count = r.u32();
  const out: ThreadInfo[] = [];
  for (let i = 0; i < count; i++) {
    const ref = r.u32();
    const id = r.u32();
    const state = r.u8();
    r.skip(1);
    const nFrames = r.u16();
    if (nFrames > DBG_MAX_FRAMES)
      throw new DebugProtocolError(`THREADS reply: ${nFrames} frames > ${DBG_MAX_FRAMES}`);
    const wakeAt = r.u32();
    const frames = [];
    for (let f = 0; f < nFrames; f++) frames.push({ frame: r.u32(), method: r.u32(), pc: r.u32() });
    out.push({ ref, id, state, wakeAt, frames });
  }
  r.end();
  return out;
}

export function encodeReadObjects(refs: readonly number[], generation?: number): Uint8Array {
  if (refs.length > DBG_MAX_BATCH)
    throw new DebugProtocolError(`at most ${DBG_MAX_BATCH} objects per request`);
  const w = new PayloadWriter();
  if (generation !== undefined) w.u32(generation);
  w.u16(refs.length).u16(0);
  for (const ref of refs) w.u32(ref);
  return w.finish();
}

export enum ObjectStatus {
  Ok = 0,
  NotAnObject = 1,
  Truncated = 2,
}

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
  const r = new PayloadReader(p, 'READ_OBJECTS reply');
  const count = r.u16();
  r.skip(2);
  if (count > DBG_MAX_BATCH)
    throw new DebugProtocolError(`READ_OBJECTS reply: ${count} objects > ${DBG_MAX_BATCH}`);
  const out: RawObject[] = [];
  for (let i = 0; i < count; i++) {
    const ref = r.u32();
    const status = r.u8();
    r.skip(3);
    if (status > ObjectStatus.Truncated)
      throw new DebugProtocolError(`READ_OBJECTS reply: bad status ${status}`);
    const classWord = r.u32();
    const size = r.u32();
    const flags = r.u32();
    const included = r.u32();
    if (included > size)
      throw new DebugProtocolError(`READ_OBJECTS reply: ${included} bytes included of a ${size}-byte object`);
    const payload = r.bytesOf(included);
    r.skip((4 - (included & 3)) & 3);
    out.push({ ref, status, classWord, size, flags, payload });
  }
  r.end();
  return out;
}

export function encodeEnumerate(start: number, classRef: number, max: number): Uint8Array {
  return new PayloadWriter().u32(start).u32(classRef).u16(Math.min(max, DBG_MAX_BATCH)).u16(0).finish();
}

export function decodeEnumerate(p: Uint8Array): { next: number; objects: number[] } {
  const r = new PayloadReader(p, 'ENUMERATE reply');
  const next = r.u32();
  const count = r.u16();
  r.skip(2);
  if (count > DBG_MAX_BATCH)
    throw new DebugProtocolError(`ENUMERATE reply: ${count} objects > ${DBG_MAX_BATCH}`);
  const objects = [];
  for (let i = 0; i < count; i++) objects.push(r.u32());
  r.end();
  return { next, objects };
}

export function decodeClasses(p: Uint8Array): number[] {
  const r = new PayloadReader(p, 'CLASSES reply');
  const count = r.u32();
  if (count * 4 !== p.length - 4)
    throw new DebugProtocolError(`CLASSES reply: count ${count} does not match ${p.length} bytes`);
  const out = [];
  for (let i = 0; i < count; i++) out.push(r.u32());
  r.end();
  return out;
}

export interface GenerationInfo {
  number: number;
  parent: number;
  wallSeconds: number;
  machineMs: number;
  pauseUs: number;
  pagesCow: number;
  pagesWritten: number;
  bytesWritten: number;
  writeUs: number;
  commitUs: number;
}

function readGeneration(r: PayloadReader): GenerationInfo {
  return {
    number: r.u32(),
    parent: r.u32(),
    wallSeconds: r.u64(),
    machineMs: r.u64(),
    pauseUs: r.u32(),
    pagesCow: r.u32(),
    pagesWritten: r.u32(),
    bytesWritten: r.u32(),
    writeUs: r.u32(),
    commitUs: r.u32(),
  };
}

export function decodeGenerations(p: Uint8Array): { current: number; generations: GenerationInfo[] } {
  const r = new PayloadReader(p, 'GENERATIONS reply');
  const current = r.u32();
  const count = r.u32();
  if (count * 48 !== p.length - 8)
    throw new DebugProtocolError(`GENERATIONS reply: count ${count} does not match ${p.length} bytes`);
  const generations = [];
  for (let i = 0; i < count; i++) generations.push(readGeneration(r));
  r.end();
  return { current, generations };
}

export function decodeGenerationEvent(p: Uint8Array): GenerationInfo {
  const r = new PayloadReader(p, 'EV_GENERATION');
  const g = readGeneration(r);
  r.end();
  return g;
}

export function decodeThreadEnd(p: Uint8Array): { thread: number; id: number; state: number } {
  const r = new PayloadReader(p, 'EV_THREAD_END');
  const e = { thread: r.u32(), id: r.u32(), state: r.u8() };
  r.end();
  return e;
}

/** RUN: the class's full name and a method without arguments ('' means run). */
export function encodeRun(className: string, method: string): Uint8Array {
  if (className === '') throw new DebugProtocolError('RUN needs a class name');
  return new PayloadWriter().str(className).str(method).finish();
}

export interface RunReply {
  /** The new thread object. */
  thread: number;
  /** Its id, as THREADS and EV_THREAD_END give it. */
  id: number;
}

export function decodeRun(p: Uint8Array): RunReply {
  const r = new PayloadReader(p, 'RUN reply');
  const reply = { thread: r.u32(), id: r.u32() };
  r.end();
  return reply;
}

export function decodeU32Reply(p: Uint8Array, what: string): number {
  const r = new PayloadReader(p, what);
  const v = r.u32();
  r.end();
  return v;
}

export function decodeError(p: Uint8Array): { code: number; message: string } {
  const r = new PayloadReader(p, 'ERROR reply');
  const e = { code: r.u16(), message: r.str() };
  r.end();
  return e;
}

export function encodeError(code: DebugErrorCode, message: string): Uint8Array {
  return new PayloadWriter().u16(code).str(message).finish();
}
