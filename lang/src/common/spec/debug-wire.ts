// Generated from lang/spec/debug.def by `npm run gen -w lang`; do not edit. A test checks it is current.

import { WireError, WireReader, WireWriter } from './wire.js';

/** First two bytes of every frame: 'P' 'D'. */
export const DBG_MAGIC = 0x4450;
/** Protocol version; HELLO tells both sides' versions, a mismatch gets ERROR BAD_VERSION. */
export const DBG_VERSION = 1;
/** Requests added to this version without changing any shape (1: RUN, 2: RESET, 3: the debugger's breakpoints, stops and steps, 4: SET_LOCAL, SET_FIELD, DIRTY_PAGES, NOW_PAGES and ROLLBACK, 5: STAGE_PAGE and BRANCH); HELLO reports it, a client checks it before sending a newer request. */
export const DBG_REVISION = 5;
/** Size of the frame header. */
export const DBG_HEADER_BYTES = 16;
/** Largest payload either side sends; longer frames get ERROR TOO_LARGE and are skipped. */
export const DBG_MAX_PAYLOAD = 0x10000;
/** Set in the type of a reply to the request type it answers. */
export const DBG_REPLY_BIT = 128;
/** Type of an error reply (payload: error_reply). */
export const DBG_ERROR_TYPE = 255;
/** Most objects one READ_OBJECTS or ENUMERATE request may name or return. */
export const DBG_MAX_BATCH = 1024;
/** Most frames THREADS reports per thread (innermost first). */
export const DBG_MAX_FRAMES = 64;
/** An unfinished frame whose bytes stop arriving for this long is dropped (ERROR BAD_FRAME); a sender never pauses inside a frame. */
export const DBG_FRAME_TIMEOUT_MS = 2000;
/** Bytes of a READ_PAGE reply: one object-space page (PAGE_SIZE). */
export const DBG_PAGE_BYTES = 4096;
/** The generation number READ_PAGE takes for the live object space. */
export const DBG_LIVE_GENERATION = 0xFFFFFFFF;
/** Bit of the flags STATS, PAUSE and RESUME report: the world is paused. */
export const DBG_FLAG_PAUSED = 1;
/** READ_OBJECTS status: the object, all of its payload. */
export const DBG_OBJECT_OK = 0;
/** READ_OBJECTS status: the address is not the start of an object. */
export const DBG_OBJECT_NONE = 1;
/** READ_OBJECTS status: the payload did not fit; ask for that object alone. */
export const DBG_OBJECT_TRUNCATED = 2;
/** Most breakpoints a machine holds at once. */
export const DBG_MAX_BREAKPOINTS = 64;
/** Most threads that may be stopped or stepping at once. */
export const DBG_MAX_DEBUGGED = 64;
/** Longest logpoint message in bytes. */
export const DBG_MAX_LOG_MESSAGE = 200;
/** Breakpoint flag: a logpoint; a hit sends EV_LOGPOINT and the thread goes on. */
export const DBG_BP_LOG = 1;
/** Breakpoint condition: none; every hit counts. */
export const DBG_COND_NONE = 0;
/** Breakpoint condition: local == value. */
export const DBG_COND_EQ = 1;
/** Breakpoint condition: local != value. */
export const DBG_COND_NE = 2;
/** Breakpoint condition: local < value. */
export const DBG_COND_LT = 3;
/** Breakpoint condition: local <= value. */
export const DBG_COND_LE = 4;
/** Breakpoint condition: local > value. */
export const DBG_COND_GT = 5;
/** Breakpoint condition: local >= value (a reference or null local never satisfies an ordering). */
export const DBG_COND_GE = 6;
/** STEP kind: one instruction, into a call if it is one. */
export const DBG_STEP_INSTRUCTION = 0;
/** STEP kind: to the next source line, into calls. */
export const DBG_STEP_INTO = 1;
/** STEP kind: to the next source line of this frame or its callers. */
export const DBG_STEP_OVER = 2;
/** STEP kind: until this frame has returned. */
export const DBG_STEP_OUT = 3;
/** EV_STOPPED reason: a breakpoint. */
export const DBG_STOP_BREAKPOINT = 1;
/** EV_STOPPED reason: a STEP ended. */
export const DBG_STOP_STEP = 2;
/** EV_STOPPED reason: PAUSE_THREAD. */
export const DBG_STOP_PAUSE = 3;
/** EV_STOPPED reason: an error was thrown (before any handler runs). */
export const DBG_STOP_EXCEPTION = 4;
/** EXCEPTION_STOPS mode: never stop for a throw. */
export const DBG_EXCEPTIONS_NONE = 0;
/** EXCEPTION_STOPS mode: stop where an error no handler catches is thrown. */
export const DBG_EXCEPTIONS_UNCAUGHT = 1;
/** EXCEPTION_STOPS mode: stop at every throw. */
export const DBG_EXCEPTIONS_ALL = 2;
/** A typed value's kind: a small integer. */
export const DBG_VALUE_INT = 0;
/** A typed value's kind: a reference (0: null). */
export const DBG_VALUE_REF = 1;
/** Most bytes of a DIRTY_PAGES bitmap: one bit for each page of the largest space (SPACE_SIZE_MAX / PAGE_SIZE / 8). */
export const DBG_MAX_DIRTY_BITMAP = 16384;
/** Most pages a NOW_PAGES reply carries (15 pages and their numbers fit in DBG_MAX_PAYLOAD). */
export const DBG_MAX_NOW_PAGES = 15;
/** Frame header field at this offset (2 bytes): DBG_MAGIC */
export const DF_MAGIC = 0;
/** Frame header field at this offset (1 bytes): DBG_VERSION */
export const DF_VERSION = 2;
/** Frame header field at this offset (1 bytes): message type */
export const DF_TYPE = 3;
/** Frame header field at this offset (4 bytes): request id, echoed by the reply; 0 in events */
export const DF_ID = 4;
/** Frame header field at this offset (4 bytes): payload bytes (<= DBG_MAX_PAYLOAD) */
export const DF_LENGTH = 8;
/** Frame header field at this offset (4 bytes): CRC-32C of header (this field 0) and payload */
export const DF_CRC = 12;
/** The frame's CRC or header is wrong, or it stopped arriving before its end (reply id is the frame's id when it could be read, else 0). */
export const DE_BAD_FRAME = 1;
/** The frame's protocol version is not DBG_VERSION. */
export const DE_BAD_VERSION = 2;
/** Unknown request type. */
export const DE_UNKNOWN = 3;
/** The payload does not have the request's shape (length, counts, reserved fields). */
export const DE_BAD_REQUEST = 4;
/** Payload longer than DBG_MAX_PAYLOAD; skipped. */
export const DE_TOO_LARGE = 5;
/** No such generation or object. */
export const DE_NOT_FOUND = 6;
/** The request cannot run now (e.g. a snapshot is being written); try again. */
export const DE_BUSY = 7;
/** The operation failed (message says why). */
export const DE_FAILED = 8;

/** Request types; the reply to one has its type | DBG_REPLY_BIT. */
export enum MessageType {
  /** Handshake; the first request after RESET. */
  HELLO = 0x01,
  /** Machine statistics. */
  STATS = 0x02,
  /** The root object and the heads the inspector starts from. */
  ROOTS = 0x03,
  /** Every thread with its frames, innermost first (at most DBG_MAX_FRAMES each). */
  THREADS = 0x04,
  /** Header and payload of each object. Fewer objects than asked when the reply is full; the client asks again for the rest. */
  READ_OBJECTS = 0x05,
  /** Objects at or after start (address order), of the class or of all classes when class is 0. */
  ENUMERATE = 0x06,
  /** Every class object (internal and program classes). */
  CLASSES = 0x07,
  /** The kept generations, oldest first, and the one the machine runs on. */
  GENERATIONS = 0x08,
  /** READ_OBJECTS as of a committed generation (read from the store). */
  READ_OBJECTS_AT = 0x09,
  /** Take a snapshot now; the reply comes when it is committed. */
  SNAPSHOT_NOW = 0x0A,
  /** Stop running threads (the agent keeps serving). */
  PAUSE = 0x0B,
  /** Let threads run again. */
  RESUME = 0x0C,
  /** Install or replace a class: the chunks carry one class blob (class_blob.def); the reply to the last chunk names the class object. Running frames keep their code; new calls use the new methods. */
  INSTALL_CLASS = 0x0D,
  /** One object-space page, live (generation DBG_LIVE_GENERATION: pause first for a consistent set) or as of a committed generation. */
  READ_PAGE = 0x0E,
  /** Start a new thread doing `new class().method()` (method empty: run), or class.method() for a static method; no arguments. The reply names the thread; EV_THREAD_END tells when it ends. */
  RUN = 0x0F,
  /** Start the channel afresh; a client's first request. A RESET frame (no payload) ends any unfinished frame it arrives inside, so no payload may contain one. */
  RESET = 0x10,
  /** Set a breakpoint (or logpoint) before the instruction at pc of a bytecode method; it is part of the machine's state. */
  SET_BREAKPOINT = 0x11,
  /** Remove a breakpoint. */
  CLEAR_BREAKPOINT = 0x12,
  /** Every breakpoint, with its hits. */
  LIST_BREAKPOINTS = 0x13,
  /** Stop a thread (0: every live thread) where it is, between two instructions; EV_STOPPED for each. */
  PAUSE_THREAD = 0x14,
  /** Let a stopped thread (0: every stopped thread) run on; EV_CONTINUED tells it. */
  CONTINUE_THREAD = 0x15,
  /** Let a stopped thread run one step (DBG_STEP_*); EV_STOPPED (reason DBG_STOP_STEP) when it is done. */
  STEP = 0x16,
  /** Frame N (0: innermost) of a stopped thread: method, pc, line, locals (arguments and this first) and operand stack as typed values. */
  FRAME = 0x17,
  /** When a throw stops its thread (DBG_EXCEPTIONS_*); part of the machine's state. */
  EXCEPTION_STOPS = 0x18,
  /** Every thread the debugger holds stopped (as EV_STOPPED told it), and the exception mode: what a client that connects later, or after a restart, needs. */
  STOPPED = 0x19,
  /** Write a local of frame N of a stopped thread (not this), when the value is of a kind the slot may hold. */
  SET_LOCAL = 0x1A,
  /** Write a field of a program object, or an element of a program's array, when the value is one it may hold; a system object's fields are read-only. */
  SET_FIELD = 0x1B,
  /** The pages that may differ from the committed generation the machine runs on: with the world paused, that generation (from the store disk) with these pages read live is the machine now. */
  DIRTY_PAGES = 0x20,
  /** DIRTY_PAGES and those pages' live bytes, all read at one safe point (no PAUSE needed) when there are at most DBG_MAX_NOW_PAGES; else none of them, and the client pauses and reads them itself. */
  NOW_PAGES = 0x21,
  /** Roll the running machine back to a kept generation without restarting it: the threads stop, the live space is dropped (with any generation still being written), the generation is mounted by the mount rule (a damaged one falls back to its parent, as at boot) and the threads resume from it. The next commit names the mounted generation as its parent, as after a boot with gen=N. */
  ROLLBACK = 0x28,
  /** Stage one page of an object space for BRANCH, in kernel memory beside the space (which it does not touch); first = 1 drops every page staged before. The reply counts the pages staged. */
  STAGE_PAGE = 0x29,
  /** Continue the running machine from a space: roll back in place to kept generation parent (as ROLLBACK), put the staged pages over it, check the space as a boot does, and commit it at once as a new generation whose parent is parent: a new branch. The staged pages are dropped either way. A space the check refuses gets FAILED and the machine goes back to the generation it ran on before, as a ROLLBACK to it. */
  BRANCH = 0x2A,
}

/** Types of the kernel's unsolicited messages. */
export enum EventType {
  /** A generation was committed. */
  EV_GENERATION = 0xC1,
  /** A thread ended (returned or failed). */
  EV_THREAD_END = 0xC2,
  /** A thread stopped (breakpoint, step, pause or throw); it stays stopped, across snapshots and restarts, until CONTINUE_THREAD or STEP. */
  EV_STOPPED = 0xC3,
  /** A stopped thread runs again. */
  EV_CONTINUED = 0xC4,
  /** A logpoint was hit; the thread went on. */
  EV_LOGPOINT = 0xC5,
}

/** The codes of an ERROR reply. */
export enum DebugErrorCode {
  /** The frame's CRC or header is wrong, or it stopped arriving before its end (reply id is the frame's id when it could be read, else 0). */
  DE_BAD_FRAME = 1,
  /** The frame's protocol version is not DBG_VERSION. */
  DE_BAD_VERSION = 2,
  /** Unknown request type. */
  DE_UNKNOWN = 3,
  /** The payload does not have the request's shape (length, counts, reserved fields). */
  DE_BAD_REQUEST = 4,
  /** Payload longer than DBG_MAX_PAYLOAD; skipped. */
  DE_TOO_LARGE = 5,
  /** No such generation or object. */
  DE_NOT_FOUND = 6,
  /** The request cannot run now (e.g. a snapshot is being written); try again. */
  DE_BUSY = 7,
  /** The operation failed (message says why). */
  DE_FAILED = 8,
}

export interface MessageSpec {
  name: string;
  type: number;
  /** The protocol revision that added it. */
  revision: number;
  /** The records of its payloads; null for an empty payload. */
  request: string | null;
  reply: string | null;
}
export const MESSAGES: readonly MessageSpec[] = [
  { name: 'HELLO', type: 0x01, revision: 0, request: 'hello_request', reply: 'hello_reply' },
  { name: 'STATS', type: 0x02, revision: 0, request: null, reply: 'stats_reply' },
  { name: 'ROOTS', type: 0x03, revision: 0, request: null, reply: 'roots_reply' },
  { name: 'THREADS', type: 0x04, revision: 0, request: null, reply: 'threads_reply' },
  { name: 'READ_OBJECTS', type: 0x05, revision: 0, request: 'read_objects_request', reply: 'objects_reply' },
  { name: 'ENUMERATE', type: 0x06, revision: 0, request: 'enumerate_request', reply: 'enumerate_reply' },
  { name: 'CLASSES', type: 0x07, revision: 0, request: null, reply: 'classes_reply' },
  { name: 'GENERATIONS', type: 0x08, revision: 0, request: null, reply: 'generations_reply' },
  { name: 'READ_OBJECTS_AT', type: 0x09, revision: 0, request: 'read_objects_at_request', reply: 'objects_reply' },
  { name: 'SNAPSHOT_NOW', type: 0x0A, revision: 0, request: null, reply: 'snapshot_reply' },
  { name: 'PAUSE', type: 0x0B, revision: 0, request: null, reply: 'flags_reply' },
  { name: 'RESUME', type: 0x0C, revision: 0, request: null, reply: 'flags_reply' },
  { name: 'INSTALL_CLASS', type: 0x0D, revision: 0, request: 'install_class_request', reply: 'install_class_reply' },
  { name: 'READ_PAGE', type: 0x0E, revision: 0, request: 'read_page_request', reply: 'read_page_reply' },
  { name: 'RUN', type: 0x0F, revision: 1, request: 'run_request', reply: 'run_reply' },
  { name: 'RESET', type: 0x10, revision: 2, request: null, reply: 'reset_reply' },
  { name: 'SET_BREAKPOINT', type: 0x11, revision: 3, request: 'set_breakpoint_request', reply: 'breakpoint_reply' },
  { name: 'CLEAR_BREAKPOINT', type: 0x12, revision: 3, request: 'breakpoint_request', reply: null },
  { name: 'LIST_BREAKPOINTS', type: 0x13, revision: 3, request: null, reply: 'breakpoints_reply' },
  { name: 'PAUSE_THREAD', type: 0x14, revision: 3, request: 'thread_request', reply: null },
  { name: 'CONTINUE_THREAD', type: 0x15, revision: 3, request: 'thread_request', reply: null },
  { name: 'STEP', type: 0x16, revision: 3, request: 'step_request', reply: null },
  { name: 'FRAME', type: 0x17, revision: 3, request: 'frame_request', reply: 'frame_reply' },
  { name: 'EXCEPTION_STOPS', type: 0x18, revision: 3, request: 'exception_stops_request', reply: null },
  { name: 'STOPPED', type: 0x19, revision: 3, request: null, reply: 'stopped_reply' },
  { name: 'SET_LOCAL', type: 0x1A, revision: 4, request: 'set_local_request', reply: null },
  { name: 'SET_FIELD', type: 0x1B, revision: 4, request: 'set_field_request', reply: null },
  { name: 'DIRTY_PAGES', type: 0x20, revision: 4, request: null, reply: 'dirty_pages_reply' },
  { name: 'NOW_PAGES', type: 0x21, revision: 4, request: null, reply: 'now_pages_reply' },
  { name: 'ROLLBACK', type: 0x28, revision: 4, request: 'rollback_request', reply: 'rollback_reply' },
  { name: 'STAGE_PAGE', type: 0x29, revision: 5, request: 'stage_page_request', reply: 'stage_page_reply' },
  { name: 'BRANCH', type: 0x2A, revision: 5, request: 'branch_request', reply: 'branch_reply' },
];

/** The revision that added each request after the first (absent: revision 0). */
export const REQUEST_REVISION: Partial<Record<MessageType, number>> = {
  [MessageType.RUN]: 1,
  [MessageType.RESET]: 2,
  [MessageType.SET_BREAKPOINT]: 3,
  [MessageType.CLEAR_BREAKPOINT]: 3,
  [MessageType.LIST_BREAKPOINTS]: 3,
  [MessageType.PAUSE_THREAD]: 3,
  [MessageType.CONTINUE_THREAD]: 3,
  [MessageType.STEP]: 3,
  [MessageType.FRAME]: 3,
  [MessageType.EXCEPTION_STOPS]: 3,
  [MessageType.STOPPED]: 3,
  [MessageType.SET_LOCAL]: 4,
  [MessageType.SET_FIELD]: 4,
  [MessageType.DIRTY_PAGES]: 4,
  [MessageType.NOW_PAGES]: 4,
  [MessageType.ROLLBACK]: 4,
  [MessageType.STAGE_PAGE]: 5,
  [MessageType.BRANCH]: 5,
};

/** The payload of an ERROR reply (type DBG_ERROR_TYPE). */
export interface ErrorReply {
  /** A DE_* code. */
  code: number;
  /** What went wrong, for people. */
  message: string;
}
export function encodeErrorReply(v: ErrorReply): Uint8Array {
  const w = new WireWriter('error_reply');
  writeErrorReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeErrorReply(p: Uint8Array): ErrorReply {
  const r = new WireReader(p, 'error_reply');
  const v = readErrorReply(r);
  r.end();
  return v;
}
function readErrorReply(r: WireReader): ErrorReply {
  const code_ = r.u16("error_reply.code");
  const message_ = r.str("error_reply.message");
  return { code: code_, message: message_ };
}
function writeErrorReply(w: WireWriter, v: ErrorReply): void {
  w.u16(v.code, "error_reply.code");
  w.str(v.message, "error_reply.message");
}

/** HELLO's request. */
export interface HelloRequest {
  /** The client's DBG_VERSION. */
  clientVersion: number;
}
export function encodeHelloRequest(v: HelloRequest): Uint8Array {
  const w = new WireWriter('hello_request');
  writeHelloRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeHelloRequest(p: Uint8Array): HelloRequest {
  const r = new WireReader(p, 'hello_request');
  const v = readHelloRequest(r);
  r.end();
  return v;
}
function readHelloRequest(r: WireReader): HelloRequest {
  const clientVersion_ = r.u16("hello_request.client_version");
  return { clientVersion: clientVersion_ };
}
function writeHelloRequest(w: WireWriter, v: HelloRequest): void {
  w.u16(v.clientVersion, "hello_request.client_version");
}

/** HELLO's reply: the kernel and its object space. */
export interface HelloReply {
  /** The kernel's DBG_VERSION. */
  protocolVersion: number;
  /** The kernel's DBG_REVISION (0 for kernels from before revisions). */
  revision: number;
  /** FORMAT_VERSION of the object space and the store. */
  formatVersion: number;
  /** SPACE_BASE. */
  spaceBase: number;
  /** Size of the object space in bytes. */
  spaceSize: number;
  /** DBG_MAX_PAYLOAD. */
  maxPayload: number;
  /** The kernel's name and version. */
  kernel: string;
}
export function encodeHelloReply(v: HelloReply): Uint8Array {
  const w = new WireWriter('hello_reply');
  writeHelloReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeHelloReply(p: Uint8Array): HelloReply {
  const r = new WireReader(p, 'hello_reply');
  const v = readHelloReply(r);
  r.end();
  return v;
}
function readHelloReply(r: WireReader): HelloReply {
  const protocolVersion_ = r.u16("hello_reply.protocol_version");
  const revision_ = r.u16("hello_reply.revision");
  const formatVersion_ = r.u32("hello_reply.format_version");
  const spaceBase_ = r.u32("hello_reply.space_base");
  const spaceSize_ = r.u32("hello_reply.space_size");
  const maxPayload_ = r.u32("hello_reply.max_payload");
  const kernel_ = r.str("hello_reply.kernel");
  return { protocolVersion: protocolVersion_, revision: revision_, formatVersion: formatVersion_, spaceBase: spaceBase_, spaceSize: spaceSize_, maxPayload: maxPayload_, kernel: kernel_ };
}
function writeHelloReply(w: WireWriter, v: HelloReply): void {
  w.u16(v.protocolVersion, "hello_reply.protocol_version");
  w.u16(v.revision, "hello_reply.revision");
  w.u32(v.formatVersion, "hello_reply.format_version");
  w.u32(v.spaceBase, "hello_reply.space_base");
  w.u32(v.spaceSize, "hello_reply.space_size");
  w.u32(v.maxPayload, "hello_reply.max_payload");
  w.str(v.kernel, "hello_reply.kernel");
}

/** STATS's reply. */
export interface StatsReply {
  /** Milliseconds since this boot. */
  uptimeMs: number;
  /** The persistent machine clock: milliseconds the machine has run over all its boots. */
  machineMs: number;
  /** Objects in the space. */
  objects: number;
  /** Bytes those objects take. */
  liveBytes: number;
  /** Address of the first byte never allocated. */
  spaceTop: number;
  /** The generation the machine runs on. */
  generation: number;
  /** Threads not ended. */
  threads: number;
  /** Collections since boot. */
  gcRuns: number;
  /** The last collection's pause. */
  gcPauseUs: number;
  /** Snapshots committed since boot. */
  snapshots: number;
  /** DBG_FLAG_PAUSED. */
  flags: number;
}
export function encodeStatsReply(v: StatsReply): Uint8Array {
  const w = new WireWriter('stats_reply');
  writeStatsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeStatsReply(p: Uint8Array): StatsReply {
  const r = new WireReader(p, 'stats_reply');
  const v = readStatsReply(r);
  r.end();
  return v;
}
function readStatsReply(r: WireReader): StatsReply {
  const uptimeMs_ = r.u64("stats_reply.uptime_ms");
  const machineMs_ = r.u64("stats_reply.machine_ms");
  const objects_ = r.u32("stats_reply.objects");
  const liveBytes_ = r.u32("stats_reply.live_bytes");
  const spaceTop_ = r.u32("stats_reply.space_top");
  const generation_ = r.u32("stats_reply.generation");
  const threads_ = r.u32("stats_reply.threads");
  const gcRuns_ = r.u32("stats_reply.gc_runs");
  const gcPauseUs_ = r.u32("stats_reply.gc_pause_us");
  const snapshots_ = r.u32("stats_reply.snapshots");
  const flags_ = r.u32("stats_reply.flags");
  return { uptimeMs: uptimeMs_, machineMs: machineMs_, objects: objects_, liveBytes: liveBytes_, spaceTop: spaceTop_, generation: generation_, threads: threads_, gcRuns: gcRuns_, gcPauseUs: gcPauseUs_, snapshots: snapshots_, flags: flags_ };
}
function writeStatsReply(w: WireWriter, v: StatsReply): void {
  w.u64(v.uptimeMs, "stats_reply.uptime_ms");
  w.u64(v.machineMs, "stats_reply.machine_ms");
  w.u32(v.objects, "stats_reply.objects");
  w.u32(v.liveBytes, "stats_reply.live_bytes");
  w.u32(v.spaceTop, "stats_reply.space_top");
  w.u32(v.generation, "stats_reply.generation");
  w.u32(v.threads, "stats_reply.threads");
  w.u32(v.gcRuns, "stats_reply.gc_runs");
  w.u32(v.gcPauseUs, "stats_reply.gc_pause_us");
  w.u32(v.snapshots, "stats_reply.snapshots");
  w.u32(v.flags, "stats_reply.flags");
}

/** ROOTS's reply; 0 for a head the space lacks. */
export interface RootsReply {
  /** The root object. */
  root: number;
  /** The root directory. */
  directory: number;
  /** The first thread of the thread list. */
  threads: number;
  /** The array of internal classes. */
  classes: number;
}
export function encodeRootsReply(v: RootsReply): Uint8Array {
  const w = new WireWriter('roots_reply');
  writeRootsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeRootsReply(p: Uint8Array): RootsReply {
  const r = new WireReader(p, 'roots_reply');
  const v = readRootsReply(r);
  r.end();
  return v;
}
function readRootsReply(r: WireReader): RootsReply {
  const root_ = r.u32("roots_reply.root");
  const directory_ = r.u32("roots_reply.directory");
  const threads_ = r.u32("roots_reply.threads");
  const classes_ = r.u32("roots_reply.classes");
  return { root: root_, directory: directory_, threads: threads_, classes: classes_ };
}
function writeRootsReply(w: WireWriter, v: RootsReply): void {
  w.u32(v.root, "roots_reply.root");
  w.u32(v.directory, "roots_reply.directory");
  w.u32(v.threads, "roots_reply.threads");
  w.u32(v.classes, "roots_reply.classes");
}

/** THREADS's reply; as many threads as fit. */
export interface ThreadsReply {
  /** Every thread, in list order. */
  threads: ThreadEntry[];
}
export function encodeThreadsReply(v: ThreadsReply): Uint8Array {
  const w = new WireWriter('threads_reply');
  writeThreadsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeThreadsReply(p: Uint8Array): ThreadsReply {
  const r = new WireReader(p, 'threads_reply');
  const v = readThreadsReply(r);
  r.end();
  return v;
}
function readThreadsReply(r: WireReader): ThreadsReply {
  const count_ = r.u32("threads_reply.count");
  const threads_: ThreadEntry[] = [];
  for (let i = 0; i < count_; i++) threads_.push(readThreadEntry(r));
  return { threads: threads_ };
}
function writeThreadsReply(w: WireWriter, v: ThreadsReply): void {
  w.u32(v.threads.length, "threads_reply.count");
  for (const e of v.threads) writeThreadEntry(w, e);
}

/** One thread in a THREADS reply. */
export interface ThreadEntry {
  /** The thread object. */
  thread: number;
  /** Its id. */
  id: number;
  /** A TS_* state. */
  state: number;
  /** Machine time a sleeping thread wakes at. */
  wakeAt: number;
  /** Its frames, innermost first. */
  frames: FrameEntry[];
}
export function encodeThreadEntry(v: ThreadEntry): Uint8Array {
  const w = new WireWriter('thread_entry');
  writeThreadEntry(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeThreadEntry(p: Uint8Array): ThreadEntry {
  const r = new WireReader(p, 'thread_entry');
  const v = readThreadEntry(r);
  r.end();
  return v;
}
function readThreadEntry(r: WireReader): ThreadEntry {
  const thread_ = r.u32("thread_entry.thread");
  const id_ = r.u32("thread_entry.id");
  const state_ = r.u8("thread_entry.state");
  const reserved_ = r.u8("thread_entry.reserved");
  r.expect(reserved_, 0, "thread_entry.reserved");
  const count_ = r.u16("thread_entry.count");
  r.atMost(count_, DBG_MAX_FRAMES, "thread_entry.count", "DBG_MAX_FRAMES");
  const wakeAt_ = r.u32("thread_entry.wake_at");
  const frames_: FrameEntry[] = [];
  for (let i = 0; i < count_; i++) frames_.push(readFrameEntry(r));
  return { thread: thread_, id: id_, state: state_, wakeAt: wakeAt_, frames: frames_ };
}
function writeThreadEntry(w: WireWriter, v: ThreadEntry): void {
  w.u32(v.thread, "thread_entry.thread");
  w.u32(v.id, "thread_entry.id");
  w.u8(v.state, "thread_entry.state");
  w.u8(0, "thread_entry.reserved");
  w.u16(w.atMost(v.frames.length, DBG_MAX_FRAMES, "thread_entry.count", "DBG_MAX_FRAMES"), "thread_entry.count");
  w.u32(v.wakeAt, "thread_entry.wake_at");
  for (const e of v.frames) writeFrameEntry(w, e);
}

/** One frame of a thread. */
export interface FrameEntry {
  /** The frame object. */
  frame: number;
  /** Its method. */
  method: number;
  /** Its pc. */
  pc: number;
}
export function encodeFrameEntry(v: FrameEntry): Uint8Array {
  const w = new WireWriter('frame_entry');
  writeFrameEntry(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeFrameEntry(p: Uint8Array): FrameEntry {
  const r = new WireReader(p, 'frame_entry');
  const v = readFrameEntry(r);
  r.end();
  return v;
}
function readFrameEntry(r: WireReader): FrameEntry {
  const frame_ = r.u32("frame_entry.frame");
  const method_ = r.u32("frame_entry.method");
  const pc_ = r.u32("frame_entry.pc");
  return { frame: frame_, method: method_, pc: pc_ };
}
function writeFrameEntry(w: WireWriter, v: FrameEntry): void {
  w.u32(v.frame, "frame_entry.frame");
  w.u32(v.method, "frame_entry.method");
  w.u32(v.pc, "frame_entry.pc");
}

/** READ_OBJECTS's request. */
export interface ReadObjectsRequest {
  /** Their addresses. */
  objects: number[];
}
export function encodeReadObjectsRequest(v: ReadObjectsRequest): Uint8Array {
  const w = new WireWriter('read_objects_request');
  writeReadObjectsRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeReadObjectsRequest(p: Uint8Array): ReadObjectsRequest {
  const r = new WireReader(p, 'read_objects_request');
  const v = readReadObjectsRequest(r);
  r.end();
  return v;
}
function readReadObjectsRequest(r: WireReader): ReadObjectsRequest {
  const count_ = r.u16("read_objects_request.count");
  r.atMost(count_, DBG_MAX_BATCH, "read_objects_request.count", "DBG_MAX_BATCH");
  const reserved_ = r.u16("read_objects_request.reserved");
  r.expect(reserved_, 0, "read_objects_request.reserved");
  const objects_: number[] = [];
  for (let i = 0; i < count_; i++) objects_.push(r.u32("read_objects_request.objects[]"));
  return { objects: objects_ };
}
function writeReadObjectsRequest(w: WireWriter, v: ReadObjectsRequest): void {
  w.u16(w.atMost(v.objects.length, DBG_MAX_BATCH, "read_objects_request.count", "DBG_MAX_BATCH"), "read_objects_request.count");
  w.u16(0, "read_objects_request.reserved");
  for (const e of v.objects) w.u32(e, "read_objects_request.objects[]");
}

/** READ_OBJECTS_AT's request. */
export interface ReadObjectsAtRequest {
  /** A committed generation. */
  generation: number;
  /** Their addresses. */
  objects: number[];
}
export function encodeReadObjectsAtRequest(v: ReadObjectsAtRequest): Uint8Array {
  const w = new WireWriter('read_objects_at_request');
  writeReadObjectsAtRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeReadObjectsAtRequest(p: Uint8Array): ReadObjectsAtRequest {
  const r = new WireReader(p, 'read_objects_at_request');
  const v = readReadObjectsAtRequest(r);
  r.end();
  return v;
}
function readReadObjectsAtRequest(r: WireReader): ReadObjectsAtRequest {
  const generation_ = r.u32("read_objects_at_request.generation");
  const count_ = r.u16("read_objects_at_request.count");
  r.atMost(count_, DBG_MAX_BATCH, "read_objects_at_request.count", "DBG_MAX_BATCH");
  const reserved_ = r.u16("read_objects_at_request.reserved");
  r.expect(reserved_, 0, "read_objects_at_request.reserved");
  const objects_: number[] = [];
  for (let i = 0; i < count_; i++) objects_.push(r.u32("read_objects_at_request.objects[]"));
  return { generation: generation_, objects: objects_ };
}
function writeReadObjectsAtRequest(w: WireWriter, v: ReadObjectsAtRequest): void {
  w.u32(v.generation, "read_objects_at_request.generation");
  w.u16(w.atMost(v.objects.length, DBG_MAX_BATCH, "read_objects_at_request.count", "DBG_MAX_BATCH"), "read_objects_at_request.count");
  w.u16(0, "read_objects_at_request.reserved");
  for (const e of v.objects) w.u32(e, "read_objects_at_request.objects[]");
}

/** The reply to READ_OBJECTS and READ_OBJECTS_AT: the objects asked for, in order, as many as fit. */
export interface ObjectsReply {
  objects: ObjectEntry[];
}
export function encodeObjectsReply(v: ObjectsReply): Uint8Array {
  const w = new WireWriter('objects_reply');
  writeObjectsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeObjectsReply(p: Uint8Array): ObjectsReply {
  const r = new WireReader(p, 'objects_reply');
  const v = readObjectsReply(r);
  r.end();
  return v;
}
function readObjectsReply(r: WireReader): ObjectsReply {
  const count_ = r.u16("objects_reply.count");
  r.atMost(count_, DBG_MAX_BATCH, "objects_reply.count", "DBG_MAX_BATCH");
  const reserved_ = r.u16("objects_reply.reserved");
  r.expect(reserved_, 0, "objects_reply.reserved");
  const objects_: ObjectEntry[] = [];
  for (let i = 0; i < count_; i++) objects_.push(readObjectEntry(r));
  return { objects: objects_ };
}
function writeObjectsReply(w: WireWriter, v: ObjectsReply): void {
  w.u16(w.atMost(v.objects.length, DBG_MAX_BATCH, "objects_reply.count", "DBG_MAX_BATCH"), "objects_reply.count");
  w.u16(0, "objects_reply.reserved");
  for (const e of v.objects) writeObjectEntry(w, e);
}

/** One object in a READ_OBJECTS reply; all zero but object and status when status is DBG_OBJECT_NONE. */
export interface ObjectEntry {
  /** The address asked for. */
  object: number;
  /** DBG_OBJECT_OK, DBG_OBJECT_NONE or DBG_OBJECT_TRUNCATED. */
  status: number;
  /** Its header's class word (the class's address + 1). */
  classWord: number;
  /** Its payload's size. */
  size: number;
  /** Its header's flags. */
  flags: number;
  /** The payload. */
  bytes: Uint8Array;
}
export function encodeObjectEntry(v: ObjectEntry): Uint8Array {
  const w = new WireWriter('object_entry');
  writeObjectEntry(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeObjectEntry(p: Uint8Array): ObjectEntry {
  const r = new WireReader(p, 'object_entry');
  const v = readObjectEntry(r);
  r.end();
  return v;
}
function readObjectEntry(r: WireReader): ObjectEntry {
  const object_ = r.u32("object_entry.object");
  const status_ = r.u8("object_entry.status");
  r.atMost(status_, DBG_OBJECT_TRUNCATED, "object_entry.status", "DBG_OBJECT_TRUNCATED");
  const reserved_ = r.u8("object_entry.reserved");
  r.expect(reserved_, 0, "object_entry.reserved");
  const reserved2_ = r.u16("object_entry.reserved2");
  r.expect(reserved2_, 0, "object_entry.reserved2");
  const classWord_ = r.u32("object_entry.class_word");
  const size_ = r.u32("object_entry.size");
  const flags_ = r.u32("object_entry.flags");
  const included_ = r.u32("object_entry.included");
  r.atMost(included_, size_, "object_entry.included", "size");
  const bytes_ = r.bytes(included_, "object_entry.bytes");
  r.pad(included_, 4, "object_entry.bytes");
  return { object: object_, status: status_, classWord: classWord_, size: size_, flags: flags_, bytes: bytes_ };
}
function writeObjectEntry(w: WireWriter, v: ObjectEntry): void {
  w.u32(v.object, "object_entry.object");
  w.u8(w.atMost(v.status, DBG_OBJECT_TRUNCATED, "object_entry.status", "DBG_OBJECT_TRUNCATED"), "object_entry.status");
  w.u8(0, "object_entry.reserved");
  w.u16(0, "object_entry.reserved2");
  w.u32(v.classWord, "object_entry.class_word");
  w.u32(v.size, "object_entry.size");
  w.u32(v.flags, "object_entry.flags");
  w.u32(w.atMost(v.bytes.length, v.size, "object_entry.included", "size"), "object_entry.included");
  w.raw(v.bytes);
  w.pad(v.bytes.length, 4);
}

/** ENUMERATE's request. */
export interface EnumerateRequest {
  /** Where to start (0: the first object). */
  start: number;
  /** Only objects of this class (0: of every class). */
  class: number;
  /** Most objects to return (more than DBG_MAX_BATCH counts as DBG_MAX_BATCH). */
  max: number;
}
export function encodeEnumerateRequest(v: EnumerateRequest): Uint8Array {
  const w = new WireWriter('enumerate_request');
  writeEnumerateRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeEnumerateRequest(p: Uint8Array): EnumerateRequest {
  const r = new WireReader(p, 'enumerate_request');
  const v = readEnumerateRequest(r);
  r.end();
  return v;
}
function readEnumerateRequest(r: WireReader): EnumerateRequest {
  const start_ = r.u32("enumerate_request.start");
  const class_ = r.u32("enumerate_request.class");
  const max_ = r.u16("enumerate_request.max");
  const reserved_ = r.u16("enumerate_request.reserved");
  r.expect(reserved_, 0, "enumerate_request.reserved");
  return { start: start_, class: class_, max: max_ };
}
function writeEnumerateRequest(w: WireWriter, v: EnumerateRequest): void {
  w.u32(v.start, "enumerate_request.start");
  w.u32(v.class, "enumerate_request.class");
  w.u16(v.max, "enumerate_request.max");
  w.u16(0, "enumerate_request.reserved");
}

/** ENUMERATE's reply. */
export interface EnumerateReply {
  /** Where to continue, 0 at the end. */
  next: number;
  objects: number[];
}
export function encodeEnumerateReply(v: EnumerateReply): Uint8Array {
  const w = new WireWriter('enumerate_reply');
  writeEnumerateReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeEnumerateReply(p: Uint8Array): EnumerateReply {
  const r = new WireReader(p, 'enumerate_reply');
  const v = readEnumerateReply(r);
  r.end();
  return v;
}
function readEnumerateReply(r: WireReader): EnumerateReply {
  const next_ = r.u32("enumerate_reply.next");
  const count_ = r.u16("enumerate_reply.count");
  r.atMost(count_, DBG_MAX_BATCH, "enumerate_reply.count", "DBG_MAX_BATCH");
  const reserved_ = r.u16("enumerate_reply.reserved");
  r.expect(reserved_, 0, "enumerate_reply.reserved");
  const objects_: number[] = [];
  for (let i = 0; i < count_; i++) objects_.push(r.u32("enumerate_reply.objects[]"));
  return { next: next_, objects: objects_ };
}
function writeEnumerateReply(w: WireWriter, v: EnumerateReply): void {
  w.u32(v.next, "enumerate_reply.next");
  w.u16(w.atMost(v.objects.length, DBG_MAX_BATCH, "enumerate_reply.count", "DBG_MAX_BATCH"), "enumerate_reply.count");
  w.u16(0, "enumerate_reply.reserved");
  for (const e of v.objects) w.u32(e, "enumerate_reply.objects[]");
}

/** CLASSES's reply. */
export interface ClassesReply {
  classes: number[];
}
export function encodeClassesReply(v: ClassesReply): Uint8Array {
  const w = new WireWriter('classes_reply');
  writeClassesReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeClassesReply(p: Uint8Array): ClassesReply {
  const r = new WireReader(p, 'classes_reply');
  const v = readClassesReply(r);
  r.end();
  return v;
}
function readClassesReply(r: WireReader): ClassesReply {
  const count_ = r.u32("classes_reply.count");
  const classes_: number[] = [];
  for (let i = 0; i < count_; i++) classes_.push(r.u32("classes_reply.classes[]"));
  return { classes: classes_ };
}
function writeClassesReply(w: WireWriter, v: ClassesReply): void {
  w.u32(v.classes.length, "classes_reply.count");
  for (const e of v.classes) w.u32(e, "classes_reply.classes[]");
}

/** GENERATIONS's reply. */
export interface GenerationsReply {
  /** The generation the machine runs on. */
  current: number;
  generations: Generation[];
}
export function encodeGenerationsReply(v: GenerationsReply): Uint8Array {
  const w = new WireWriter('generations_reply');
  writeGenerationsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeGenerationsReply(p: Uint8Array): GenerationsReply {
  const r = new WireReader(p, 'generations_reply');
  const v = readGenerationsReply(r);
  r.end();
  return v;
}
function readGenerationsReply(r: WireReader): GenerationsReply {
  const current_ = r.u32("generations_reply.current");
  const count_ = r.u32("generations_reply.count");
  const generations_: Generation[] = [];
  for (let i = 0; i < count_; i++) generations_.push(readGeneration(r));
  return { current: current_, generations: generations_ };
}
function writeGenerationsReply(w: WireWriter, v: GenerationsReply): void {
  w.u32(v.current, "generations_reply.current");
  w.u32(v.generations.length, "generations_reply.count");
  for (const e of v.generations) writeGeneration(w, e);
}

/** One kept generation, in GENERATIONS and EV_GENERATION. */
export interface Generation {
  /** Its number. */
  number: number;
  /** The generation it followed (NO_GENERATION for generation 0). */
  parent: number;
  /** Wall-clock time of its commit. */
  wallSeconds: number;
  /** Machine time of its freeze. */
  machineMs: number;
  /** How long the threads stopped for its freeze. */
  pauseUs: number;
  /** Pages copied on write while it was written. */
  pagesCow: number;
  /** Pages written to the store. */
  pagesWritten: number;
  /** Bytes written to the store. */
  bytesWritten: number;
  /** Time spent writing its pages. */
  writeUs: number;
  /** Time its commit took. */
  commitUs: number;
}
export function encodeGeneration(v: Generation): Uint8Array {
  const w = new WireWriter('generation');
  writeGeneration(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeGeneration(p: Uint8Array): Generation {
  const r = new WireReader(p, 'generation');
  const v = readGeneration(r);
  r.end();
  return v;
}
function readGeneration(r: WireReader): Generation {
  const number_ = r.u32("generation.number");
  const parent_ = r.u32("generation.parent");
  const wallSeconds_ = r.u64("generation.wall_seconds");
  const machineMs_ = r.u64("generation.machine_ms");
  const pauseUs_ = r.u32("generation.pause_us");
  const pagesCow_ = r.u32("generation.pages_cow");
  const pagesWritten_ = r.u32("generation.pages_written");
  const bytesWritten_ = r.u32("generation.bytes_written");
  const writeUs_ = r.u32("generation.write_us");
  const commitUs_ = r.u32("generation.commit_us");
  return { number: number_, parent: parent_, wallSeconds: wallSeconds_, machineMs: machineMs_, pauseUs: pauseUs_, pagesCow: pagesCow_, pagesWritten: pagesWritten_, bytesWritten: bytesWritten_, writeUs: writeUs_, commitUs: commitUs_ };
}
function writeGeneration(w: WireWriter, v: Generation): void {
  w.u32(v.number, "generation.number");
  w.u32(v.parent, "generation.parent");
  w.u64(v.wallSeconds, "generation.wall_seconds");
  w.u64(v.machineMs, "generation.machine_ms");
  w.u32(v.pauseUs, "generation.pause_us");
  w.u32(v.pagesCow, "generation.pages_cow");
  w.u32(v.pagesWritten, "generation.pages_written");
  w.u32(v.bytesWritten, "generation.bytes_written");
  w.u32(v.writeUs, "generation.write_us");
  w.u32(v.commitUs, "generation.commit_us");
}

/** SNAPSHOT_NOW's reply. */
export interface SnapshotReply {
  /** The generation committed. */
  generation: number;
}
export function encodeSnapshotReply(v: SnapshotReply): Uint8Array {
  const w = new WireWriter('snapshot_reply');
  writeSnapshotReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeSnapshotReply(p: Uint8Array): SnapshotReply {
  const r = new WireReader(p, 'snapshot_reply');
  const v = readSnapshotReply(r);
  r.end();
  return v;
}
function readSnapshotReply(r: WireReader): SnapshotReply {
  const generation_ = r.u32("snapshot_reply.generation");
  return { generation: generation_ };
}
function writeSnapshotReply(w: WireWriter, v: SnapshotReply): void {
  w.u32(v.generation, "snapshot_reply.generation");
}

/** ROLLBACK's request. */
export interface RollbackRequest {
  /** The kept generation to go back to. */
  generation: number;
}
export function encodeRollbackRequest(v: RollbackRequest): Uint8Array {
  const w = new WireWriter('rollback_request');
  writeRollbackRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeRollbackRequest(p: Uint8Array): RollbackRequest {
  const r = new WireReader(p, 'rollback_request');
  const v = readRollbackRequest(r);
  r.end();
  return v;
}
function readRollbackRequest(r: WireReader): RollbackRequest {
  const generation_ = r.u32("rollback_request.generation");
  return { generation: generation_ };
}
function writeRollbackRequest(w: WireWriter, v: RollbackRequest): void {
  w.u32(v.generation, "rollback_request.generation");
}

/** ROLLBACK's reply, sent once the machine runs on the mounted generation. */
export interface RollbackReply {
  /** The generation mounted: the one asked for, or the one the mount fell back to when it was damaged. */
  generation: number;
  /** The generation the machine ran on before. */
  previous: number;
  /** Pages of a generation that was being written and was dropped with the live space (0: none was). */
  abandoned: number;
  /** Pages of the mounted generation taken from memory (their block unchanged) instead of read from the disk. */
  pagesKept: number;
  /** Pages of the generation read from the disk and checked before threads resumed (the mount is lazy: the rest are read when first touched). */
  pagesRead: number;
  /** Time from the request to the threads resuming, kernel clock. */
  micros: number;
}
export function encodeRollbackReply(v: RollbackReply): Uint8Array {
  const w = new WireWriter('rollback_reply');
  writeRollbackReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeRollbackReply(p: Uint8Array): RollbackReply {
  const r = new WireReader(p, 'rollback_reply');
  const v = readRollbackReply(r);
  r.end();
  return v;
}
function readRollbackReply(r: WireReader): RollbackReply {
  const generation_ = r.u32("rollback_reply.generation");
  const previous_ = r.u32("rollback_reply.previous");
  const abandoned_ = r.u32("rollback_reply.abandoned");
  const pagesKept_ = r.u32("rollback_reply.pages_kept");
  const pagesRead_ = r.u32("rollback_reply.pages_read");
  const micros_ = r.u32("rollback_reply.micros");
  return { generation: generation_, previous: previous_, abandoned: abandoned_, pagesKept: pagesKept_, pagesRead: pagesRead_, micros: micros_ };
}
function writeRollbackReply(w: WireWriter, v: RollbackReply): void {
  w.u32(v.generation, "rollback_reply.generation");
  w.u32(v.previous, "rollback_reply.previous");
  w.u32(v.abandoned, "rollback_reply.abandoned");
  w.u32(v.pagesKept, "rollback_reply.pages_kept");
  w.u32(v.pagesRead, "rollback_reply.pages_read");
  w.u32(v.micros, "rollback_reply.micros");
}

/** STAGE_PAGE's request. */
export interface StagePageRequest {
  /** 1: drop every page staged before this one. */
  first: number;
  /** Page number inside the space. */
  page: number;
  /** The page's bytes. */
  bytes: Uint8Array;
}
export function encodeStagePageRequest(v: StagePageRequest): Uint8Array {
  const w = new WireWriter('stage_page_request');
  writeStagePageRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeStagePageRequest(p: Uint8Array): StagePageRequest {
  const r = new WireReader(p, 'stage_page_request');
  const v = readStagePageRequest(r);
  r.end();
  return v;
}
function readStagePageRequest(r: WireReader): StagePageRequest {
  const first_ = r.u32("stage_page_request.first");
  r.atMost(first_, 1, "stage_page_request.first", "1");
  const page_ = r.u32("stage_page_request.page");
  const bytes_ = r.bytes(DBG_PAGE_BYTES, "stage_page_request.bytes");
  return { first: first_, page: page_, bytes: bytes_ };
}
function writeStagePageRequest(w: WireWriter, v: StagePageRequest): void {
  w.u32(w.atMost(v.first, 1, "stage_page_request.first", "1"), "stage_page_request.first");
  w.u32(v.page, "stage_page_request.page");
  w.raw(w.exactly(v.bytes, DBG_PAGE_BYTES, "stage_page_request.bytes"));
}

/** STAGE_PAGE's reply. */
export interface StagePageReply {
  /** Pages staged now (a page staged twice counts once). */
  staged: number;
}
export function encodeStagePageReply(v: StagePageReply): Uint8Array {
  const w = new WireWriter('stage_page_reply');
  writeStagePageReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeStagePageReply(p: Uint8Array): StagePageReply {
  const r = new WireReader(p, 'stage_page_reply');
  const v = readStagePageReply(r);
  r.end();
  return v;
}
function readStagePageReply(r: WireReader): StagePageReply {
  const staged_ = r.u32("stage_page_reply.staged");
  return { staged: staged_ };
}
function writeStagePageReply(w: WireWriter, v: StagePageReply): void {
  w.u32(v.staged, "stage_page_reply.staged");
}

/** BRANCH's request. */
export interface BranchRequest {
  /** The kept generation the staged pages go over. */
  parent: number;
}
export function encodeBranchRequest(v: BranchRequest): Uint8Array {
  const w = new WireWriter('branch_request');
  writeBranchRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBranchRequest(p: Uint8Array): BranchRequest {
  const r = new WireReader(p, 'branch_request');
  const v = readBranchRequest(r);
  r.end();
  return v;
}
function readBranchRequest(r: WireReader): BranchRequest {
  const parent_ = r.u32("branch_request.parent");
  return { parent: parent_ };
}
function writeBranchRequest(w: WireWriter, v: BranchRequest): void {
  w.u32(v.parent, "branch_request.parent");
}

/** BRANCH's reply, sent once the machine runs on the new generation. */
export interface BranchReply {
  /** The generation committed: the space, on a new branch. */
  generation: number;
  /** The generation the machine ran on before. */
  previous: number;
  /** Staged pages put over the parent. */
  pages: number;
  /** Time from the request to the threads resuming, kernel clock. */
  micros: number;
}
export function encodeBranchReply(v: BranchReply): Uint8Array {
  const w = new WireWriter('branch_reply');
  writeBranchReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBranchReply(p: Uint8Array): BranchReply {
  const r = new WireReader(p, 'branch_reply');
  const v = readBranchReply(r);
  r.end();
  return v;
}
function readBranchReply(r: WireReader): BranchReply {
  const generation_ = r.u32("branch_reply.generation");
  const previous_ = r.u32("branch_reply.previous");
  const pages_ = r.u32("branch_reply.pages");
  const micros_ = r.u32("branch_reply.micros");
  return { generation: generation_, previous: previous_, pages: pages_, micros: micros_ };
}
function writeBranchReply(w: WireWriter, v: BranchReply): void {
  w.u32(v.generation, "branch_reply.generation");
  w.u32(v.previous, "branch_reply.previous");
  w.u32(v.pages, "branch_reply.pages");
  w.u32(v.micros, "branch_reply.micros");
}

/** PAUSE's and RESUME's reply. */
export interface FlagsReply {
  /** DBG_FLAG_PAUSED. */
  flags: number;
}
export function encodeFlagsReply(v: FlagsReply): Uint8Array {
  const w = new WireWriter('flags_reply');
  writeFlagsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeFlagsReply(p: Uint8Array): FlagsReply {
  const r = new WireReader(p, 'flags_reply');
  const v = readFlagsReply(r);
  r.end();
  return v;
}
function readFlagsReply(r: WireReader): FlagsReply {
  const flags_ = r.u32("flags_reply.flags");
  return { flags: flags_ };
}
function writeFlagsReply(w: WireWriter, v: FlagsReply): void {
  w.u32(v.flags, "flags_reply.flags");
}

/** INSTALL_CLASS's request: one chunk of a class blob; offset 0 starts a new blob, every later chunk starts where the previous ended. */
export interface InstallClassRequest {
  /** The blob's size (at most CLASS_BLOB_MAX). */
  total: number;
  /** Where this chunk starts in the blob. */
  offset: number;
  /** The chunk's bytes. */
  chunk: Uint8Array;
}
export function encodeInstallClassRequest(v: InstallClassRequest): Uint8Array {
  const w = new WireWriter('install_class_request');
  writeInstallClassRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeInstallClassRequest(p: Uint8Array): InstallClassRequest {
  const r = new WireReader(p, 'install_class_request');
  const v = readInstallClassRequest(r);
  r.end();
  return v;
}
function readInstallClassRequest(r: WireReader): InstallClassRequest {
  const total_ = r.u32("install_class_request.total");
  const offset_ = r.u32("install_class_request.offset");
  const chunk_ = r.rest("install_class_request.chunk");
  return { total: total_, offset: offset_, chunk: chunk_ };
}
function writeInstallClassRequest(w: WireWriter, v: InstallClassRequest): void {
  w.u32(v.total, "install_class_request.total");
  w.u32(v.offset, "install_class_request.offset");
  w.raw(v.chunk);
}

/** INSTALL_CLASS's reply. */
export interface InstallClassReply {
  /** Bytes of the blob the kernel holds. */
  received: number;
  /** The class object once the last chunk is installed, 0 before. */
  class: number;
}
export function encodeInstallClassReply(v: InstallClassReply): Uint8Array {
  const w = new WireWriter('install_class_reply');
  writeInstallClassReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeInstallClassReply(p: Uint8Array): InstallClassReply {
  const r = new WireReader(p, 'install_class_reply');
  const v = readInstallClassReply(r);
  r.end();
  return v;
}
function readInstallClassReply(r: WireReader): InstallClassReply {
  const received_ = r.u32("install_class_reply.received");
  const class_ = r.u32("install_class_reply.class");
  return { received: received_, class: class_ };
}
function writeInstallClassReply(w: WireWriter, v: InstallClassReply): void {
  w.u32(v.received, "install_class_reply.received");
  w.u32(v.class, "install_class_reply.class");
}

/** READ_PAGE's request. */
export interface ReadPageRequest {
  /** A committed generation, or DBG_LIVE_GENERATION. */
  generation: number;
  /** Page number inside the space. */
  page: number;
}
export function encodeReadPageRequest(v: ReadPageRequest): Uint8Array {
  const w = new WireWriter('read_page_request');
  writeReadPageRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeReadPageRequest(p: Uint8Array): ReadPageRequest {
  const r = new WireReader(p, 'read_page_request');
  const v = readReadPageRequest(r);
  r.end();
  return v;
}
function readReadPageRequest(r: WireReader): ReadPageRequest {
  const generation_ = r.u32("read_page_request.generation");
  const page_ = r.u32("read_page_request.page");
  return { generation: generation_, page: page_ };
}
function writeReadPageRequest(w: WireWriter, v: ReadPageRequest): void {
  w.u32(v.generation, "read_page_request.generation");
  w.u32(v.page, "read_page_request.page");
}

/** READ_PAGE's reply. */
export interface ReadPageReply {
  /** The page. */
  bytes: Uint8Array;
}
export function encodeReadPageReply(v: ReadPageReply): Uint8Array {
  const w = new WireWriter('read_page_reply');
  writeReadPageReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeReadPageReply(p: Uint8Array): ReadPageReply {
  const r = new WireReader(p, 'read_page_reply');
  const v = readReadPageReply(r);
  r.end();
  return v;
}
function readReadPageReply(r: WireReader): ReadPageReply {
  const bytes_ = r.bytes(DBG_PAGE_BYTES, "read_page_reply.bytes");
  return { bytes: bytes_ };
}
function writeReadPageReply(w: WireWriter, v: ReadPageReply): void {
  w.raw(w.exactly(v.bytes, DBG_PAGE_BYTES, "read_page_reply.bytes"));
}

/** RUN's request. */
export interface RunRequest {
  /** Full name of a program class. */
  className: string;
  /** A method without arguments; empty means run. */
  method: string;
}
export function encodeRunRequest(v: RunRequest): Uint8Array {
  const w = new WireWriter('run_request');
  writeRunRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeRunRequest(p: Uint8Array): RunRequest {
  const r = new WireReader(p, 'run_request');
  const v = readRunRequest(r);
  r.end();
  return v;
}
function readRunRequest(r: WireReader): RunRequest {
  const className_ = r.str("run_request.class_name", 1);
  const method_ = r.str("run_request.method");
  return { className: className_, method: method_ };
}
function writeRunRequest(w: WireWriter, v: RunRequest): void {
  w.str(v.className, "run_request.class_name", 1);
  w.str(v.method, "run_request.method");
}

/** RUN's reply. */
export interface RunReply {
  /** The new thread object. */
  thread: number;
  /** Its id, as THREADS and EV_THREAD_END give it. */
  id: number;
}
export function encodeRunReply(v: RunReply): Uint8Array {
  const w = new WireWriter('run_reply');
  writeRunReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeRunReply(p: Uint8Array): RunReply {
  const r = new WireReader(p, 'run_reply');
  const v = readRunReply(r);
  r.end();
  return v;
}
function readRunReply(r: WireReader): RunReply {
  const thread_ = r.u32("run_reply.thread");
  const id_ = r.u32("run_reply.id");
  return { thread: thread_, id: id_ };
}
function writeRunReply(w: WireWriter, v: RunReply): void {
  w.u32(v.thread, "run_reply.thread");
  w.u32(v.id, "run_reply.id");
}

/** RESET's reply. */
export interface ResetReply {
  /** Bytes the kernel dropped since it last answered a request. */
  discarded: number;
}
export function encodeResetReply(v: ResetReply): Uint8Array {
  const w = new WireWriter('reset_reply');
  writeResetReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeResetReply(p: Uint8Array): ResetReply {
  const r = new WireReader(p, 'reset_reply');
  const v = readResetReply(r);
  r.end();
  return v;
}
function readResetReply(r: WireReader): ResetReply {
  const discarded_ = r.u32("reset_reply.discarded");
  return { discarded: discarded_ };
}
function writeResetReply(w: WireWriter, v: ResetReply): void {
  w.u32(v.discarded, "reset_reply.discarded");
}

/** EV_THREAD_END's payload. */
export interface ThreadEndEvent {
  /** The thread object. */
  thread: number;
  /** Its id. */
  id: number;
  /** TS_DONE or TS_FAILED. */
  state: number;
}
export function encodeThreadEndEvent(v: ThreadEndEvent): Uint8Array {
  const w = new WireWriter('thread_end_event');
  writeThreadEndEvent(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeThreadEndEvent(p: Uint8Array): ThreadEndEvent {
  const r = new WireReader(p, 'thread_end_event');
  const v = readThreadEndEvent(r);
  r.end();
  return v;
}
function readThreadEndEvent(r: WireReader): ThreadEndEvent {
  const thread_ = r.u32("thread_end_event.thread");
  const id_ = r.u32("thread_end_event.id");
  const state_ = r.u8("thread_end_event.state");
  return { thread: thread_, id: id_, state: state_ };
}
function writeThreadEndEvent(w: WireWriter, v: ThreadEndEvent): void {
  w.u32(v.thread, "thread_end_event.thread");
  w.u32(v.id, "thread_end_event.id");
  w.u8(v.state, "thread_end_event.state");
}

/** SET_BREAKPOINT's request. A hit is counted when the thread reaches pc and the condition holds; it stops (or logs) from the hit_count-th counted hit on. */
export interface SetBreakpointRequest {
  /** A bytecode method. */
  method: number;
  /** The start of one of its instructions. */
  pc: number;
  /** DBG_BP_LOG for a logpoint. */
  flags: number;
  /** A DBG_COND_*: compares local with value. */
  condition: number;
  /** The local slot the condition reads (arguments first). */
  local: number;
  /** What the condition compares the local with. */
  value: number;
  /** Counted hits before it acts, the acting one included (0 and 1: every one). */
  hitCount: number;
  /** A logpoint's message (EV_LOGPOINT; at most DBG_MAX_LOG_MESSAGE bytes); empty for a breakpoint. */
  message: string;
}
export function encodeSetBreakpointRequest(v: SetBreakpointRequest): Uint8Array {
  const w = new WireWriter('set_breakpoint_request');
  writeSetBreakpointRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeSetBreakpointRequest(p: Uint8Array): SetBreakpointRequest {
  const r = new WireReader(p, 'set_breakpoint_request');
  const v = readSetBreakpointRequest(r);
  r.end();
  return v;
}
function readSetBreakpointRequest(r: WireReader): SetBreakpointRequest {
  const method_ = r.u32("set_breakpoint_request.method");
  const pc_ = r.u32("set_breakpoint_request.pc");
  const flags_ = r.u8("set_breakpoint_request.flags");
  r.atMost(flags_, DBG_BP_LOG, "set_breakpoint_request.flags", "DBG_BP_LOG");
  const condition_ = r.u8("set_breakpoint_request.condition");
  r.atMost(condition_, DBG_COND_GE, "set_breakpoint_request.condition", "DBG_COND_GE");
  const local_ = r.u8("set_breakpoint_request.local");
  const reserved_ = r.u8("set_breakpoint_request.reserved");
  r.expect(reserved_, 0, "set_breakpoint_request.reserved");
  const value_ = r.i32("set_breakpoint_request.value");
  const hitCount_ = r.u32("set_breakpoint_request.hit_count");
  const message_ = r.str("set_breakpoint_request.message");
  return { method: method_, pc: pc_, flags: flags_, condition: condition_, local: local_, value: value_, hitCount: hitCount_, message: message_ };
}
function writeSetBreakpointRequest(w: WireWriter, v: SetBreakpointRequest): void {
  w.u32(v.method, "set_breakpoint_request.method");
  w.u32(v.pc, "set_breakpoint_request.pc");
  w.u8(w.atMost(v.flags, DBG_BP_LOG, "set_breakpoint_request.flags", "DBG_BP_LOG"), "set_breakpoint_request.flags");
  w.u8(w.atMost(v.condition, DBG_COND_GE, "set_breakpoint_request.condition", "DBG_COND_GE"), "set_breakpoint_request.condition");
  w.u8(v.local, "set_breakpoint_request.local");
  w.u8(0, "set_breakpoint_request.reserved");
  w.i32(v.value, "set_breakpoint_request.value");
  w.u32(v.hitCount, "set_breakpoint_request.hit_count");
  w.str(v.message, "set_breakpoint_request.message");
}

/** SET_BREAKPOINT's reply. */
export interface BreakpointReply {
  /** The new breakpoint's id (never 0, never reused by this machine). */
  id: number;
}
export function encodeBreakpointReply(v: BreakpointReply): Uint8Array {
  const w = new WireWriter('breakpoint_reply');
  writeBreakpointReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBreakpointReply(p: Uint8Array): BreakpointReply {
  const r = new WireReader(p, 'breakpoint_reply');
  const v = readBreakpointReply(r);
  r.end();
  return v;
}
function readBreakpointReply(r: WireReader): BreakpointReply {
  const id_ = r.u32("breakpoint_reply.id");
  return { id: id_ };
}
function writeBreakpointReply(w: WireWriter, v: BreakpointReply): void {
  w.u32(v.id, "breakpoint_reply.id");
}

/** CLEAR_BREAKPOINT's request. */
export interface BreakpointRequest {
  /** A breakpoint's id. */
  id: number;
}
export function encodeBreakpointRequest(v: BreakpointRequest): Uint8Array {
  const w = new WireWriter('breakpoint_request');
  writeBreakpointRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBreakpointRequest(p: Uint8Array): BreakpointRequest {
  const r = new WireReader(p, 'breakpoint_request');
  const v = readBreakpointRequest(r);
  r.end();
  return v;
}
function readBreakpointRequest(r: WireReader): BreakpointRequest {
  const id_ = r.u32("breakpoint_request.id");
  return { id: id_ };
}
function writeBreakpointRequest(w: WireWriter, v: BreakpointRequest): void {
  w.u32(v.id, "breakpoint_request.id");
}

/** LIST_BREAKPOINTS's reply. */
export interface BreakpointsReply {
  /** In the order they were set. */
  breakpoints: BreakpointEntry[];
}
export function encodeBreakpointsReply(v: BreakpointsReply): Uint8Array {
  const w = new WireWriter('breakpoints_reply');
  writeBreakpointsReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBreakpointsReply(p: Uint8Array): BreakpointsReply {
  const r = new WireReader(p, 'breakpoints_reply');
  const v = readBreakpointsReply(r);
  r.end();
  return v;
}
function readBreakpointsReply(r: WireReader): BreakpointsReply {
  const count_ = r.u16("breakpoints_reply.count");
  r.atMost(count_, DBG_MAX_BREAKPOINTS, "breakpoints_reply.count", "DBG_MAX_BREAKPOINTS");
  const reserved_ = r.u16("breakpoints_reply.reserved");
  r.expect(reserved_, 0, "breakpoints_reply.reserved");
  const breakpoints_: BreakpointEntry[] = [];
  for (let i = 0; i < count_; i++) breakpoints_.push(readBreakpointEntry(r));
  return { breakpoints: breakpoints_ };
}
function writeBreakpointsReply(w: WireWriter, v: BreakpointsReply): void {
  w.u16(w.atMost(v.breakpoints.length, DBG_MAX_BREAKPOINTS, "breakpoints_reply.count", "DBG_MAX_BREAKPOINTS"), "breakpoints_reply.count");
  w.u16(0, "breakpoints_reply.reserved");
  for (const e of v.breakpoints) writeBreakpointEntry(w, e);
}

/** One breakpoint. */
export interface BreakpointEntry {
  /** Its id. */
  id: number;
  /** Its method. */
  method: number;
  /** Its pc. */
  pc: number;
  /** DBG_BP_LOG for a logpoint. */
  flags: number;
  /** Its DBG_COND_*. */
  condition: number;
  /** The local the condition reads. */
  local: number;
  /** The condition's value. */
  value: number;
  /** Counted hits before it acts. */
  hitCount: number;
  /** Counted hits so far. */
  hits: number;
  /** A logpoint's message. */
  message: string;
}
export function encodeBreakpointEntry(v: BreakpointEntry): Uint8Array {
  const w = new WireWriter('breakpoint_entry');
  writeBreakpointEntry(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBreakpointEntry(p: Uint8Array): BreakpointEntry {
  const r = new WireReader(p, 'breakpoint_entry');
  const v = readBreakpointEntry(r);
  r.end();
  return v;
}
function readBreakpointEntry(r: WireReader): BreakpointEntry {
  const id_ = r.u32("breakpoint_entry.id");
  const method_ = r.u32("breakpoint_entry.method");
  const pc_ = r.u32("breakpoint_entry.pc");
  const flags_ = r.u8("breakpoint_entry.flags");
  r.atMost(flags_, DBG_BP_LOG, "breakpoint_entry.flags", "DBG_BP_LOG");
  const condition_ = r.u8("breakpoint_entry.condition");
  r.atMost(condition_, DBG_COND_GE, "breakpoint_entry.condition", "DBG_COND_GE");
  const local_ = r.u8("breakpoint_entry.local");
  const reserved_ = r.u8("breakpoint_entry.reserved");
  r.expect(reserved_, 0, "breakpoint_entry.reserved");
  const value_ = r.i32("breakpoint_entry.value");
  const hitCount_ = r.u32("breakpoint_entry.hit_count");
  const hits_ = r.u32("breakpoint_entry.hits");
  const message_ = r.str("breakpoint_entry.message");
  return { id: id_, method: method_, pc: pc_, flags: flags_, condition: condition_, local: local_, value: value_, hitCount: hitCount_, hits: hits_, message: message_ };
}
function writeBreakpointEntry(w: WireWriter, v: BreakpointEntry): void {
  w.u32(v.id, "breakpoint_entry.id");
  w.u32(v.method, "breakpoint_entry.method");
  w.u32(v.pc, "breakpoint_entry.pc");
  w.u8(w.atMost(v.flags, DBG_BP_LOG, "breakpoint_entry.flags", "DBG_BP_LOG"), "breakpoint_entry.flags");
  w.u8(w.atMost(v.condition, DBG_COND_GE, "breakpoint_entry.condition", "DBG_COND_GE"), "breakpoint_entry.condition");
  w.u8(v.local, "breakpoint_entry.local");
  w.u8(0, "breakpoint_entry.reserved");
  w.i32(v.value, "breakpoint_entry.value");
  w.u32(v.hitCount, "breakpoint_entry.hit_count");
  w.u32(v.hits, "breakpoint_entry.hits");
  w.str(v.message, "breakpoint_entry.message");
}

/** PAUSE_THREAD's and CONTINUE_THREAD's request. */
export interface ThreadRequest {
  /** A thread object; 0 for all. */
  thread: number;
}
export function encodeThreadRequest(v: ThreadRequest): Uint8Array {
  const w = new WireWriter('thread_request');
  writeThreadRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeThreadRequest(p: Uint8Array): ThreadRequest {
  const r = new WireReader(p, 'thread_request');
  const v = readThreadRequest(r);
  r.end();
  return v;
}
function readThreadRequest(r: WireReader): ThreadRequest {
  const thread_ = r.u32("thread_request.thread");
  return { thread: thread_ };
}
function writeThreadRequest(w: WireWriter, v: ThreadRequest): void {
  w.u32(v.thread, "thread_request.thread");
}

/** STEP's request. */
export interface StepRequest {
  /** A stopped thread. */
  thread: number;
  /** A DBG_STEP_*. */
  kind: number;
}
export function encodeStepRequest(v: StepRequest): Uint8Array {
  const w = new WireWriter('step_request');
  writeStepRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeStepRequest(p: Uint8Array): StepRequest {
  const r = new WireReader(p, 'step_request');
  const v = readStepRequest(r);
  r.end();
  return v;
}
function readStepRequest(r: WireReader): StepRequest {
  const thread_ = r.u32("step_request.thread");
  const kind_ = r.u8("step_request.kind");
  r.atMost(kind_, DBG_STEP_OUT, "step_request.kind", "DBG_STEP_OUT");
  const reserved_ = r.u8("step_request.reserved");
  r.expect(reserved_, 0, "step_request.reserved");
  const reserved2_ = r.u16("step_request.reserved2");
  r.expect(reserved2_, 0, "step_request.reserved2");
  return { thread: thread_, kind: kind_ };
}
function writeStepRequest(w: WireWriter, v: StepRequest): void {
  w.u32(v.thread, "step_request.thread");
  w.u8(w.atMost(v.kind, DBG_STEP_OUT, "step_request.kind", "DBG_STEP_OUT"), "step_request.kind");
  w.u8(0, "step_request.reserved");
  w.u16(0, "step_request.reserved2");
}

/** FRAME's request. */
export interface FrameRequest {
  /** A stopped thread. */
  thread: number;
  /** 0 for the innermost frame, 1 for its caller, ... */
  depth: number;
}
export function encodeFrameRequest(v: FrameRequest): Uint8Array {
  const w = new WireWriter('frame_request');
  writeFrameRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeFrameRequest(p: Uint8Array): FrameRequest {
  const r = new WireReader(p, 'frame_request');
  const v = readFrameRequest(r);
  r.end();
  return v;
}
function readFrameRequest(r: WireReader): FrameRequest {
  const thread_ = r.u32("frame_request.thread");
  const depth_ = r.u16("frame_request.depth");
  r.atMost(depth_, DBG_MAX_FRAMES, "frame_request.depth", "DBG_MAX_FRAMES");
  const reserved_ = r.u16("frame_request.reserved");
  r.expect(reserved_, 0, "frame_request.reserved");
  return { thread: thread_, depth: depth_ };
}
function writeFrameRequest(w: WireWriter, v: FrameRequest): void {
  w.u32(v.thread, "frame_request.thread");
  w.u16(w.atMost(v.depth, DBG_MAX_FRAMES, "frame_request.depth", "DBG_MAX_FRAMES"), "frame_request.depth");
  w.u16(0, "frame_request.reserved");
}

/** FRAME's reply. */
export interface FrameReply {
  /** The frame object. */
  frame: number;
  /** Its method. */
  method: number;
  /** The next instruction it runs (for a caller: after its call). */
  pc: number;
  /** The source line of pc from the method's line table (of the call for a caller), -1 without one. */
  line: number;
  /** Argument slots at the start of locals, this included. */
  argc: number;
  /** The method's MF_* bits (MF_STATIC: no this). */
  methodFlags: number;
  /** How many of the values are locals: this (unless MF_STATIC), the arguments, the other locals. */
  localCount: number;
  /** The locals, then the operand stack, bottom first (as much of it as fits in a reply). */
  values: ValueEntry[];
}
export function encodeFrameReply(v: FrameReply): Uint8Array {
  const w = new WireWriter('frame_reply');
  writeFrameReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeFrameReply(p: Uint8Array): FrameReply {
  const r = new WireReader(p, 'frame_reply');
  const v = readFrameReply(r);
  r.end();
  return v;
}
function readFrameReply(r: WireReader): FrameReply {
  const frame_ = r.u32("frame_reply.frame");
  const method_ = r.u32("frame_reply.method");
  const pc_ = r.u32("frame_reply.pc");
  const line_ = r.i32("frame_reply.line");
  const argc_ = r.u8("frame_reply.argc");
  const methodFlags_ = r.u8("frame_reply.method_flags");
  const localCount_ = r.u16("frame_reply.local_count");
  const count_ = r.u16("frame_reply.count");
  const values_: ValueEntry[] = [];
  for (let i = 0; i < count_; i++) values_.push(readValueEntry(r));
  return { frame: frame_, method: method_, pc: pc_, line: line_, argc: argc_, methodFlags: methodFlags_, localCount: localCount_, values: values_ };
}
function writeFrameReply(w: WireWriter, v: FrameReply): void {
  w.u32(v.frame, "frame_reply.frame");
  w.u32(v.method, "frame_reply.method");
  w.u32(v.pc, "frame_reply.pc");
  w.i32(v.line, "frame_reply.line");
  w.u8(v.argc, "frame_reply.argc");
  w.u8(v.methodFlags, "frame_reply.method_flags");
  w.u16(v.localCount, "frame_reply.local_count");
  w.u16(v.values.length, "frame_reply.count");
  for (const e of v.values) writeValueEntry(w, e);
}

/** A typed value of a frame. */
export interface ValueEntry {
  /** DBG_VALUE_INT or DBG_VALUE_REF. */
  kind: number;
  /** The integer (two's complement) or the object's address (0: null). */
  bits: number;
}
export function encodeValueEntry(v: ValueEntry): Uint8Array {
  const w = new WireWriter('value_entry');
  writeValueEntry(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeValueEntry(p: Uint8Array): ValueEntry {
  const r = new WireReader(p, 'value_entry');
  const v = readValueEntry(r);
  r.end();
  return v;
}
function readValueEntry(r: WireReader): ValueEntry {
  const kind_ = r.u8("value_entry.kind");
  r.atMost(kind_, DBG_VALUE_REF, "value_entry.kind", "DBG_VALUE_REF");
  const reserved_ = r.u8("value_entry.reserved");
  r.expect(reserved_, 0, "value_entry.reserved");
  const reserved2_ = r.u16("value_entry.reserved2");
  r.expect(reserved2_, 0, "value_entry.reserved2");
  const bits_ = r.u32("value_entry.bits");
  return { kind: kind_, bits: bits_ };
}
function writeValueEntry(w: WireWriter, v: ValueEntry): void {
  w.u8(w.atMost(v.kind, DBG_VALUE_REF, "value_entry.kind", "DBG_VALUE_REF"), "value_entry.kind");
  w.u8(0, "value_entry.reserved");
  w.u16(0, "value_entry.reserved2");
  w.u32(v.bits, "value_entry.bits");
}

/** EXCEPTION_STOPS's request. */
export interface ExceptionStopsRequest {
  /** A DBG_EXCEPTIONS_*. */
  mode: number;
}
export function encodeExceptionStopsRequest(v: ExceptionStopsRequest): Uint8Array {
  const w = new WireWriter('exception_stops_request');
  writeExceptionStopsRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeExceptionStopsRequest(p: Uint8Array): ExceptionStopsRequest {
  const r = new WireReader(p, 'exception_stops_request');
  const v = readExceptionStopsRequest(r);
  r.end();
  return v;
}
function readExceptionStopsRequest(r: WireReader): ExceptionStopsRequest {
  const mode_ = r.u8("exception_stops_request.mode");
  r.atMost(mode_, DBG_EXCEPTIONS_ALL, "exception_stops_request.mode", "DBG_EXCEPTIONS_ALL");
  return { mode: mode_ };
}
function writeExceptionStopsRequest(w: WireWriter, v: ExceptionStopsRequest): void {
  w.u8(w.atMost(v.mode, DBG_EXCEPTIONS_ALL, "exception_stops_request.mode", "DBG_EXCEPTIONS_ALL"), "exception_stops_request.mode");
}

/** STOPPED's reply. */
export interface StoppedReply {
  /** The DBG_EXCEPTIONS_* mode in force. */
  exceptions: number;
  threads: StoppedEvent[];
}
export function encodeStoppedReply(v: StoppedReply): Uint8Array {
  const w = new WireWriter('stopped_reply');
  writeStoppedReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeStoppedReply(p: Uint8Array): StoppedReply {
  const r = new WireReader(p, 'stopped_reply');
  const v = readStoppedReply(r);
  r.end();
  return v;
}
function readStoppedReply(r: WireReader): StoppedReply {
  const exceptions_ = r.u8("stopped_reply.exceptions");
  r.atMost(exceptions_, DBG_EXCEPTIONS_ALL, "stopped_reply.exceptions", "DBG_EXCEPTIONS_ALL");
  const reserved_ = r.u8("stopped_reply.reserved");
  r.expect(reserved_, 0, "stopped_reply.reserved");
  const count_ = r.u16("stopped_reply.count");
  r.atMost(count_, DBG_MAX_DEBUGGED, "stopped_reply.count", "DBG_MAX_DEBUGGED");
  const threads_: StoppedEvent[] = [];
  for (let i = 0; i < count_; i++) threads_.push(readStoppedEvent(r));
  return { exceptions: exceptions_, threads: threads_ };
}
function writeStoppedReply(w: WireWriter, v: StoppedReply): void {
  w.u8(w.atMost(v.exceptions, DBG_EXCEPTIONS_ALL, "stopped_reply.exceptions", "DBG_EXCEPTIONS_ALL"), "stopped_reply.exceptions");
  w.u8(0, "stopped_reply.reserved");
  w.u16(w.atMost(v.threads.length, DBG_MAX_DEBUGGED, "stopped_reply.count", "DBG_MAX_DEBUGGED"), "stopped_reply.count");
  for (const e of v.threads) writeStoppedEvent(w, e);
}

/** EV_STOPPED's payload, and one stopped thread of STOPPED's reply. */
export interface StoppedEvent {
  /** The thread object. */
  thread: number;
  /** Its id. */
  id: number;
  /** A DBG_STOP_*. */
  reason: number;
  /** The breakpoint's id (reason DBG_STOP_BREAKPOINT), else 0. */
  breakpoint: number;
  /** The innermost frame's method. */
  method: number;
  /** Its pc: the instruction the thread runs next (for a throw, the throwing one). */
  pc: number;
  /** The source line of pc, -1 without one. */
  line: number;
  /** The thrown object (reason DBG_STOP_EXCEPTION), else 0. */
  exception: number;
}
export function encodeStoppedEvent(v: StoppedEvent): Uint8Array {
  const w = new WireWriter('stopped_event');
  writeStoppedEvent(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeStoppedEvent(p: Uint8Array): StoppedEvent {
  const r = new WireReader(p, 'stopped_event');
  const v = readStoppedEvent(r);
  r.end();
  return v;
}
function readStoppedEvent(r: WireReader): StoppedEvent {
  const thread_ = r.u32("stopped_event.thread");
  const id_ = r.u32("stopped_event.id");
  const reason_ = r.u8("stopped_event.reason");
  r.atMost(reason_, DBG_STOP_EXCEPTION, "stopped_event.reason", "DBG_STOP_EXCEPTION");
  const reserved_ = r.u8("stopped_event.reserved");
  r.expect(reserved_, 0, "stopped_event.reserved");
  const reserved2_ = r.u16("stopped_event.reserved2");
  r.expect(reserved2_, 0, "stopped_event.reserved2");
  const breakpoint_ = r.u32("stopped_event.breakpoint");
  const method_ = r.u32("stopped_event.method");
  const pc_ = r.u32("stopped_event.pc");
  const line_ = r.i32("stopped_event.line");
  const exception_ = r.u32("stopped_event.exception");
  return { thread: thread_, id: id_, reason: reason_, breakpoint: breakpoint_, method: method_, pc: pc_, line: line_, exception: exception_ };
}
function writeStoppedEvent(w: WireWriter, v: StoppedEvent): void {
  w.u32(v.thread, "stopped_event.thread");
  w.u32(v.id, "stopped_event.id");
  w.u8(w.atMost(v.reason, DBG_STOP_EXCEPTION, "stopped_event.reason", "DBG_STOP_EXCEPTION"), "stopped_event.reason");
  w.u8(0, "stopped_event.reserved");
  w.u16(0, "stopped_event.reserved2");
  w.u32(v.breakpoint, "stopped_event.breakpoint");
  w.u32(v.method, "stopped_event.method");
  w.u32(v.pc, "stopped_event.pc");
  w.i32(v.line, "stopped_event.line");
  w.u32(v.exception, "stopped_event.exception");
}

/** SET_LOCAL's request. */
export interface SetLocalRequest {
  /** A stopped thread. */
  thread: number;
  /** 0 for the innermost frame, 1 for its caller, ... */
  depth: number;
  /** The local slot (as FRAME numbers them: this, the arguments, the other locals). */
  slot: number;
  /** DBG_VALUE_INT or DBG_VALUE_REF. */
  kind: number;
  /** The integer (a small integer, two's complement) or an object's address (0: null). */
  bits: number;
}
export function encodeSetLocalRequest(v: SetLocalRequest): Uint8Array {
  const w = new WireWriter('set_local_request');
  writeSetLocalRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeSetLocalRequest(p: Uint8Array): SetLocalRequest {
  const r = new WireReader(p, 'set_local_request');
  const v = readSetLocalRequest(r);
  r.end();
  return v;
}
function readSetLocalRequest(r: WireReader): SetLocalRequest {
  const thread_ = r.u32("set_local_request.thread");
  const depth_ = r.u16("set_local_request.depth");
  r.atMost(depth_, DBG_MAX_FRAMES, "set_local_request.depth", "DBG_MAX_FRAMES");
  const slot_ = r.u16("set_local_request.slot");
  const kind_ = r.u8("set_local_request.kind");
  r.atMost(kind_, DBG_VALUE_REF, "set_local_request.kind", "DBG_VALUE_REF");
  const reserved_ = r.u8("set_local_request.reserved");
  r.expect(reserved_, 0, "set_local_request.reserved");
  const reserved2_ = r.u16("set_local_request.reserved2");
  r.expect(reserved2_, 0, "set_local_request.reserved2");
  const bits_ = r.u32("set_local_request.bits");
  return { thread: thread_, depth: depth_, slot: slot_, kind: kind_, bits: bits_ };
}
function writeSetLocalRequest(w: WireWriter, v: SetLocalRequest): void {
  w.u32(v.thread, "set_local_request.thread");
  w.u16(w.atMost(v.depth, DBG_MAX_FRAMES, "set_local_request.depth", "DBG_MAX_FRAMES"), "set_local_request.depth");
  w.u16(v.slot, "set_local_request.slot");
  w.u8(w.atMost(v.kind, DBG_VALUE_REF, "set_local_request.kind", "DBG_VALUE_REF"), "set_local_request.kind");
  w.u8(0, "set_local_request.reserved");
  w.u16(0, "set_local_request.reserved2");
  w.u32(v.bits, "set_local_request.bits");
}

/** SET_FIELD's request. */
export interface SetFieldRequest {
  /** An object of a program class, or an array a program made. */
  object: number;
  /** The field's slot (inherited fields first), or the array's index. */
  slot: number;
  /** DBG_VALUE_INT or DBG_VALUE_REF. */
  kind: number;
  /** The integer (a small integer, two's complement) or an object's address (0: null). */
  bits: number;
}
export function encodeSetFieldRequest(v: SetFieldRequest): Uint8Array {
  const w = new WireWriter('set_field_request');
  writeSetFieldRequest(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeSetFieldRequest(p: Uint8Array): SetFieldRequest {
  const r = new WireReader(p, 'set_field_request');
  const v = readSetFieldRequest(r);
  r.end();
  return v;
}
function readSetFieldRequest(r: WireReader): SetFieldRequest {
  const object_ = r.u32("set_field_request.object");
  const slot_ = r.u32("set_field_request.slot");
  const kind_ = r.u8("set_field_request.kind");
  r.atMost(kind_, DBG_VALUE_REF, "set_field_request.kind", "DBG_VALUE_REF");
  const reserved_ = r.u8("set_field_request.reserved");
  r.expect(reserved_, 0, "set_field_request.reserved");
  const reserved2_ = r.u16("set_field_request.reserved2");
  r.expect(reserved2_, 0, "set_field_request.reserved2");
  const bits_ = r.u32("set_field_request.bits");
  return { object: object_, slot: slot_, kind: kind_, bits: bits_ };
}
function writeSetFieldRequest(w: WireWriter, v: SetFieldRequest): void {
  w.u32(v.object, "set_field_request.object");
  w.u32(v.slot, "set_field_request.slot");
  w.u8(w.atMost(v.kind, DBG_VALUE_REF, "set_field_request.kind", "DBG_VALUE_REF"), "set_field_request.kind");
  w.u8(0, "set_field_request.reserved");
  w.u16(0, "set_field_request.reserved2");
  w.u32(v.bits, "set_field_request.bits");
}

/** EV_CONTINUED's payload. */
export interface ContinuedEvent {
  /** The thread object. */
  thread: number;
  /** Its id. */
  id: number;
}
export function encodeContinuedEvent(v: ContinuedEvent): Uint8Array {
  const w = new WireWriter('continued_event');
  writeContinuedEvent(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeContinuedEvent(p: Uint8Array): ContinuedEvent {
  const r = new WireReader(p, 'continued_event');
  const v = readContinuedEvent(r);
  r.end();
  return v;
}
function readContinuedEvent(r: WireReader): ContinuedEvent {
  const thread_ = r.u32("continued_event.thread");
  const id_ = r.u32("continued_event.id");
  return { thread: thread_, id: id_ };
}
function writeContinuedEvent(w: WireWriter, v: ContinuedEvent): void {
  w.u32(v.thread, "continued_event.thread");
  w.u32(v.id, "continued_event.id");
}

/** DIRTY_PAGES's reply: bit p (byte p / 8, bit p % 8) is set for page p of the space when it was written since that generation's freeze, or is frozen for a generation not committed yet. Every other page is that generation's. */
export interface DirtyPagesReply {
  /** The committed generation the bitmap is relative to (STATS's generation), NO_GENERATION before the first. */
  generation: number;
  /** Bits set in the bitmap. */
  dirty: number;
  /** The bitmap. */
  bitmap: Uint8Array;
}
export function encodeDirtyPagesReply(v: DirtyPagesReply): Uint8Array {
  const w = new WireWriter('dirty_pages_reply');
  writeDirtyPagesReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeDirtyPagesReply(p: Uint8Array): DirtyPagesReply {
  const r = new WireReader(p, 'dirty_pages_reply');
  const v = readDirtyPagesReply(r);
  r.end();
  return v;
}
function readDirtyPagesReply(r: WireReader): DirtyPagesReply {
  const generation_ = r.u32("dirty_pages_reply.generation");
  const dirty_ = r.u32("dirty_pages_reply.dirty");
  const bytes_ = r.u32("dirty_pages_reply.bytes");
  r.atMost(bytes_, DBG_MAX_DIRTY_BITMAP, "dirty_pages_reply.bytes", "DBG_MAX_DIRTY_BITMAP");
  const bitmap_ = r.bytes(bytes_, "dirty_pages_reply.bitmap");
  r.pad(bytes_, 4, "dirty_pages_reply.bitmap");
  return { generation: generation_, dirty: dirty_, bitmap: bitmap_ };
}
function writeDirtyPagesReply(w: WireWriter, v: DirtyPagesReply): void {
  w.u32(v.generation, "dirty_pages_reply.generation");
  w.u32(v.dirty, "dirty_pages_reply.dirty");
  w.u32(w.atMost(v.bitmap.length, DBG_MAX_DIRTY_BITMAP, "dirty_pages_reply.bytes", "DBG_MAX_DIRTY_BITMAP"), "dirty_pages_reply.bytes");
  w.raw(v.bitmap);
  w.pad(v.bitmap.length, 4);
}

/** NOW_PAGES's reply: that generation with these pages is the machine as it was at one safe point. */
export interface NowPagesReply {
  /** The committed generation the pages differ from (STATS's generation), NO_GENERATION before the first. */
  generation: number;
  /** Pages that may differ from it (as DIRTY_PAGES counts them). */
  dirty: number;
  /** Microseconds the threads waited while the kernel listed and copied them. */
  buildUs: number;
  /** In page order. */
  pages: NowPage[];
}
export function encodeNowPagesReply(v: NowPagesReply): Uint8Array {
  const w = new WireWriter('now_pages_reply');
  writeNowPagesReply(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeNowPagesReply(p: Uint8Array): NowPagesReply {
  const r = new WireReader(p, 'now_pages_reply');
  const v = readNowPagesReply(r);
  r.end();
  return v;
}
function readNowPagesReply(r: WireReader): NowPagesReply {
  const generation_ = r.u32("now_pages_reply.generation");
  const dirty_ = r.u32("now_pages_reply.dirty");
  const buildUs_ = r.u32("now_pages_reply.build_us");
  const count_ = r.u16("now_pages_reply.count");
  r.atMost(count_, DBG_MAX_NOW_PAGES, "now_pages_reply.count", "DBG_MAX_NOW_PAGES");
  const reserved_ = r.u16("now_pages_reply.reserved");
  r.expect(reserved_, 0, "now_pages_reply.reserved");
  const pages_: NowPage[] = [];
  for (let i = 0; i < count_; i++) pages_.push(readNowPage(r));
  return { generation: generation_, dirty: dirty_, buildUs: buildUs_, pages: pages_ };
}
function writeNowPagesReply(w: WireWriter, v: NowPagesReply): void {
  w.u32(v.generation, "now_pages_reply.generation");
  w.u32(v.dirty, "now_pages_reply.dirty");
  w.u32(v.buildUs, "now_pages_reply.build_us");
  w.u16(w.atMost(v.pages.length, DBG_MAX_NOW_PAGES, "now_pages_reply.count", "DBG_MAX_NOW_PAGES"), "now_pages_reply.count");
  w.u16(0, "now_pages_reply.reserved");
  for (const e of v.pages) writeNowPage(w, e);
}

/** One page of a NOW_PAGES reply. */
export interface NowPage {
  /** Its page number inside the space. */
  page: number;
  /** Its live bytes. */
  bytes: Uint8Array;
}
export function encodeNowPage(v: NowPage): Uint8Array {
  const w = new WireWriter('now_page');
  writeNowPage(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeNowPage(p: Uint8Array): NowPage {
  const r = new WireReader(p, 'now_page');
  const v = readNowPage(r);
  r.end();
  return v;
}
function readNowPage(r: WireReader): NowPage {
  const page_ = r.u32("now_page.page");
  const bytes_ = r.bytes(DBG_PAGE_BYTES, "now_page.bytes");
  return { page: page_, bytes: bytes_ };
}
function writeNowPage(w: WireWriter, v: NowPage): void {
  w.u32(v.page, "now_page.page");
  w.raw(w.exactly(v.bytes, DBG_PAGE_BYTES, "now_page.bytes"));
}

/** EV_LOGPOINT's payload. */
export interface LogpointEvent {
  /** The logpoint's id. */
  breakpoint: number;
  /** The thread that hit it. */
  thread: number;
  /** That thread's id. */
  id: number;
  /** Its counted hits, this one included. */
  hits: number;
  /** Its message. */
  message: string;
}
export function encodeLogpointEvent(v: LogpointEvent): Uint8Array {
  const w = new WireWriter('logpoint_event');
  writeLogpointEvent(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeLogpointEvent(p: Uint8Array): LogpointEvent {
  const r = new WireReader(p, 'logpoint_event');
  const v = readLogpointEvent(r);
  r.end();
  return v;
}
function readLogpointEvent(r: WireReader): LogpointEvent {
  const breakpoint_ = r.u32("logpoint_event.breakpoint");
  const thread_ = r.u32("logpoint_event.thread");
  const id_ = r.u32("logpoint_event.id");
  const hits_ = r.u32("logpoint_event.hits");
  const message_ = r.str("logpoint_event.message");
  return { breakpoint: breakpoint_, thread: thread_, id: id_, hits: hits_, message: message_ };
}
function writeLogpointEvent(w: WireWriter, v: LogpointEvent): void {
  w.u32(v.breakpoint, "logpoint_event.breakpoint");
  w.u32(v.thread, "logpoint_event.thread");
  w.u32(v.id, "logpoint_event.id");
  w.u32(v.hits, "logpoint_event.hits");
  w.str(v.message, "logpoint_event.message");
}
