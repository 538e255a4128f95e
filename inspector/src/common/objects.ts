/**
 * Objects, threads and frames as a person reads them: an object's class, its fields by name and
 * their values (references as `@0x…`, strings inline), an array's elements, a thread's state
 * and its frames with method, pc, source line and locals. Plain JSON-able data: the CLI prints
 * it, `--json` emits it, the views render it.
 */
import {
  CID_ARRAY,
  CID_CODE,
  CID_STRING,
  FRAME_CALLER,
  FRAME_LOCALS,
  FRAME_METHOD,
  FRAME_PC,
  FRAME_SP,
  KIND_BYTES,
  METHOD_LINES,
  METHOD_LOCALS,
  METHOD_NAME,
  METHOD_OWNER,
  ROOT_THREADS,
  THREAD_ERROR,
  THREAD_FRAME,
  THREAD_ID,
  THREAD_NEXT,
  THREAD_STATE,
  THREAD_WAKE_AT,
  TS_DONE,
  TS_FAILED,
  TS_RUNNABLE,
  TS_SLEEPING,
} from '@phantom/lang/common/spec/generated.js';
import { decodeValue, type HeapSnapshot } from './heap.js';
import { formatRef } from './ref.js';

/** A field's or element's value: an integer, null, or a reference with a short preview. */
export type ValueView =
  | { kind: 'int'; value: number }
  | { kind: 'null' }
  | { kind: 'ref'; ref: string; className: string; preview?: string }
  | { kind: 'dangling'; ref: string };

export interface ObjectView {
  ref: string;
  className: string;
  /** Bytes the object occupies (header + payload). */
  size: number;
  fields: { name: string; value: ValueView }[];
  /** For strings: the text. */
  text?: string;
  /** For arrays: length and the elements from `offset` (at most `limit`). */
  elements?: { length: number; offset: number; values: ValueView[] };
  /** For other byte objects (code): the byte count. */
  bytes?: number;
}

/** Longest string preview inside a value view. */
const PREVIEW_CHARS = 60;

export function valueView(heap: HeapSnapshot, word: number): ValueView {
  const v = decodeValue(word);
  if (v.kind !== 'ref') return v;
  const node = heap.indexOf(v.addr);
  if (node < 0) return { kind: 'dangling', ref: formatRef(v.addr) };
  const text = heap.stringValue(node);
  const view: ValueView = {
    kind: 'ref',
    ref: formatRef(v.addr),
    className: heap.className(heap.classOf[node]!),
  };
  if (text !== undefined)
    view.preview = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
  return view;
}

export function objectView(heap: HeapSnapshot, node: number, offset = 0, limit = 100): ObjectView {
  const cls = heap.classOf[node]!;
  const id = heap.internalId(cls);
  const view: ObjectView = {
    ref: formatRef(heap.addr[node]!),
    className: heap.className(cls),
    size: heap.shallow[node]!,
    fields: [],
  };
  if (id === CID_STRING) {
    view.text = heap.stringValue(node)!;
  } else if (id === CID_ARRAY) {
    const length = heap.slotCount(node);
    const values: ValueView[] = [];
    for (let i = offset; i < Math.min(length, offset + limit); i++)
      values.push(valueView(heap, heap.slot(node, i)));
    view.elements = { length, offset, values };
  } else if (id === CID_CODE || heap.kind(node) === KIND_BYTES) {
    view.bytes = heap.payloadBytes(node);
  } else {
    const name = slotNamer(heap, node);
    for (let i = 0; i < heap.slotCount(node); i++) {
      view.fields.push({ name: name(i), value: valueView(heap, heap.slot(node, i)) });
    }
  }
  return view;
}

/**
 * How a person names slot i of `node`: an array's `[i]`, a field's name, or `slot<i>` where the
 * class names none (frames). The views, the CLI's paths and the retainers all say it this way.
 */
export function slotNamer(heap: HeapSnapshot, node: number): (slot: number) => string {
  if (heap.internalId(heap.classOf[node]!) === CID_ARRAY) return (i) => `[${i}]`;
  const names = heap.fieldNames(heap.classOf[node]!);
  return (i) => names[i] ?? `slot${i}`;
}

/** The names of the slots of `from` that refer to `to` (several when it holds it twice). */
export function referenceNames(heap: HeapSnapshot, from: number, to: number): string[] {
  const name = slotNamer(heap, from);
  const word = heap.addr[to]! + 1;
  const out: string[] = [];
  for (let i = 0; i < heap.slotCount(from); i++) if (heap.slot(from, i) === word) out.push(name(i));
  return out;
}

export interface FrameView {
  ref: string;
  method: string;
  pc: number;
  /** Source line of the pc, from the method's line table, when it has one. */
  line?: number;
  locals: ValueView[];
  stackDepth: number;
}

export interface ThreadView {
  ref: string;
  id: number;
  state: 'runnable' | 'sleeping' | 'done' | 'failed' | 'unknown';
  wakeAt?: number;
  error?: ValueView;
  /** Innermost first. */
  frames: FrameView[];
}

const STATES: Record<number, ThreadView['state']> = {
  [TS_RUNNABLE]: 'runnable',
  [TS_SLEEPING]: 'sleeping',
  [TS_DONE]: 'done',
  [TS_FAILED]: 'failed',
};

/** Deepest frame chain walked: a corrupt caller cycle must not loop forever. */
const MAX_FRAMES = 10_000;

export function threads(heap: HeapSnapshot): ThreadView[] {
  const out: ThreadView[] = [];
  const seen = new Set<number>();
  for (
    let t = heap.target(heap.slot(heap.root, ROOT_THREADS));
    t >= 0 && !seen.has(t);
    t = heap.target(heap.slot(t, THREAD_NEXT))
  ) {
    seen.add(t);
    const state = STATES[heap.slot(t, THREAD_STATE) >> 1] ?? 'unknown';
    const view: ThreadView = {
      ref: formatRef(heap.addr[t]!),
      id: heap.slot(t, THREAD_ID) >> 1,
      state,
      frames: [],
    };
    if (state === 'sleeping') view.wakeAt = heap.slot(t, THREAD_WAKE_AT) >> 1;
    if (heap.slot(t, THREAD_ERROR) !== 0) view.error = valueView(heap, heap.slot(t, THREAD_ERROR));
    let f = heap.target(heap.slot(t, THREAD_FRAME));
    for (let depth = 0; f >= 0 && depth < MAX_FRAMES; depth++, f = heap.target(heap.slot(f, FRAME_CALLER))) {
      view.frames.push(frameView(heap, f));
    }
    out.push(view);
  }
  return out;
}

function frameView(heap: HeapSnapshot, frame: number): FrameView {
  const method = heap.target(heap.slot(frame, FRAME_METHOD));
  const pc = heap.slot(frame, FRAME_PC) >> 1;
  const nLocals = method >= 0 ? heap.slot(method, METHOD_LOCALS) >> 1 : 0;
  const locals: ValueView[] = [];
  for (let i = 0; i < nLocals && FRAME_LOCALS + i < heap.slotCount(frame); i++) {
    locals.push(valueView(heap, heap.slot(frame, FRAME_LOCALS + i)));
  }
  const view: FrameView = {
    ref: formatRef(heap.addr[frame]!),
    method: method >= 0 ? methodName(heap, method) : '?',
    pc,
    locals,
    stackDepth: heap.slot(frame, FRAME_SP) >> 1,
  };
  const line = method >= 0 ? lineOf(heap, method, pc) : undefined;
  if (line !== undefined) view.line = line;
  return view;
}

/** `.pkg.Class.method` */
export function methodName(heap: HeapSnapshot, method: number): string {
  const owner = heap.target(heap.slot(method, METHOD_OWNER));
  const name = heap.stringValue(heap.target(heap.slot(method, METHOD_NAME))) ?? '?';
  return `${owner >= 0 ? heap.className(owner) : '?'}.${name}`;
}

function lineOf(heap: HeapSnapshot, method: number, pc: number): number | undefined {
  const table = heap.target(heap.slot(method, METHOD_LINES));
  if (table < 0) return undefined;
  let line: number | undefined;
  for (let i = 0; i + 1 < heap.slotCount(table); i += 2) {
    if (heap.slot(table, i) >> 1 > pc) break;
    line = heap.slot(table, i + 1) >> 1;
  }
  return line;
}
