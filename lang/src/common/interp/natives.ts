/**
 * The native methods of natives.def, as the reference interpreter runs them. Each runs to
 * completion between two instructions, reading its arguments (receiver first) and returning the
 * result word (ignored unless the method has MF_RETURNS). A native raises a VM error by throwing
 * Raise; sleep and yield end the running thread's turn.
 *
 * Decisions natives.def leaves open, taken here (the kernel must match): a null receiver raises
 * NullReference and a receiver or argument of the wrong kind raises BadCast; get/has/remove with
 * a null name find nothing; compareTo returns the difference of the first differing bytes, else of
 * the lengths; hash is 32-bit FNV-1a xor-folded to 30 bits ((h >>> 30) ^ h) & 0x3FFFFFFF; toInt
 * raises BadArgument for results outside the small-integer range; sleep of 0 or less ends the
 * turn; a directory grows its arrays to max(4, 2 x capacity). The root directory's `$debugger`
 * entry (the kernel's debugger state, kernel-src/core/debugger.h's DEBUGGER_NAME) is not the
 * programs': get, has, remove, size and keys act as if it were not there, and put of that name
 * raises BadArgument, in the root directory only.
 */
import { intOf, Space, smallInt } from '../image/space.js';
import * as L from '../spec/generated.js';
import type { Machine } from './machine.js';

/** A VM error a native (or the allocator) raises in the running thread. */
export class Raise {
  constructor(readonly code: number) {}
}

/** How the running thread's turn ended early: not at all, blocked (sleep, yield), or the thread ended. */
export type TurnEnd = 'none' | 'blocked' | 'ended';

const NEWLINE = Space.encode('\n');
/** The root directory's entry that holds the debugger's state (kernel-src/core/debugger.h, DEBUGGER_NAME). */
export const DEBUGGER_ENTRY = Space.encode('$debugger');

export function callNative(m: Machine, id: number, args: Int32Array): number {
  const s = m.space;
  const arg = (i: number): number => args[i]!;
  const object = (v: number): number => {
    if (v === 0) throw new Raise(L.ERR_NULL_REFERENCE);
    if ((v & 1) === 0) throw new Raise(L.ERR_BAD_CAST);
    return v;
  };
  const string = (v: number): Uint8Array => {
    if (!m.isString(object(v))) throw new Raise(L.ERR_BAD_CAST);
    return s.byteContents(v);
  };
  const array = (v: number): number => {
    if (!m.isArray(object(v))) throw new Raise(L.ERR_BAD_CAST);
    return v;
  };
  const length = (a: number): number => s.payloadBytes(a) >> 2;
  const directory = (v: number): number => {
    if (!m.instanceOf(object(v), m.internalClass(L.CID_DIRECTORY))) throw new Raise(L.ERR_BAD_CAST);
    return v;
  };
  const bool = (b: boolean): number => (b ? 2 : 0);

  switch (id) {
    case L.N_TTY_PRINT:
      m.write(m.displayBytes(arg(0)));
      return 0;
    case L.N_TTY_PRINTLN: {
      const text = m.displayBytes(arg(0));
      const line = new Uint8Array(text.length + 1);
      line.set(text);
      line.set(NEWLINE, text.length);
      m.write(line);
      return 0;
    }
    case L.N_TIME_UPTIME:
      return smallInt(m.machineMs);
    case L.N_TIME_SLEEP:
      m.sleep(intOf(arg(0)));
      return 0;
    case L.N_THREAD_START: {
      const target = object(arg(0));
      const run = findRun(m, target);
      if (run === 0) throw new Raise(L.ERR_NO_RUN);
      return m.startThread(run, target);
    }
    case L.N_THREAD_CURRENT:
      return m.currentThread;
    case L.N_THREAD_YIELD:
      m.turnEnd = 'blocked';
      return 0;
    case L.N_THREAD_ID:
      return s.slot(object(arg(0)), L.THREAD_ID);
    case L.N_THREAD_ALIVE: {
      const state = intOf(s.slot(object(arg(0)), L.THREAD_STATE));
      return bool(state === L.TS_RUNNABLE || state === L.TS_SLEEPING);
    }
    case L.N_DIR_ROOT:
      return m.rootSlot(L.ROOT_DIRECTORY);
    case L.N_DIR_GET: {
      const d = directory(arg(0));
      const i = arg(1) === 0 ? -1 : visibleKey(m, d, string(arg(1)));
      return i < 0 ? 0 : s.slot(s.slot(d, L.DIR_VALUES), i);
    }
    case L.N_DIR_HAS: {
      const d = directory(arg(0));
      return bool(arg(1) !== 0 && visibleKey(m, d, string(arg(1))) >= 0);
    }
    case L.N_DIR_PUT: {
      const d = directory(arg(0));
      const key = arg(1);
      if (isReserved(m, d, string(key))) throw new Raise(L.ERR_BAD_ARGUMENT);
      const i = findKey(m, d, string(key));
      if (i >= 0) {
        s.setSlot(s.slot(d, L.DIR_VALUES), i, arg(2));
        return 0;
      }
      const count = intOf(s.slot(d, L.DIR_COUNT));
      const keys = s.slot(d, L.DIR_KEYS);
      if (keys === 0 || count >= length(keys)) growDirectory(m, d, count);
      s.setSlot(s.slot(d, L.DIR_KEYS), count, key);
      s.setSlot(s.slot(d, L.DIR_VALUES), count, arg(2));
      s.setSlot(d, L.DIR_COUNT, smallInt(count + 1));
      return 0;
    }
    case L.N_DIR_REMOVE: {
      const d = directory(arg(0));
      const i = arg(1) === 0 ? -1 : visibleKey(m, d, string(arg(1)));
      if (i < 0) return bool(false);
      const count = intOf(s.slot(d, L.DIR_COUNT));
      for (const slot of [L.DIR_KEYS, L.DIR_VALUES]) {
        const a = s.slot(d, slot);
        const first = s.headerIndex(a) + L.HEADER_BYTES / 4;
        s.words.copyWithin(first + i, first + i + 1, first + count);
        s.setSlot(a, count - 1, 0);
      }
      s.setSlot(d, L.DIR_COUNT, smallInt(count - 1));
      return bool(true);
    }
    case L.N_DIR_SIZE: {
      const d = directory(arg(0));
      return smallInt(intOf(s.slot(d, L.DIR_COUNT)) - (hiddenIndex(m, d) >= 0 ? 1 : 0));
    }
    case L.N_DIR_KEYS: {
      const d = directory(arg(0));
      const count = intOf(s.slot(d, L.DIR_COUNT));
      const hidden = hiddenIndex(m, d);
      const result = m.newArray(m.stringArrayClass, count - (hidden >= 0 ? 1 : 0));
      for (let i = 0, j = 0; i < count; i++)
        if (i !== hidden) s.setSlot(result, j++, s.slot(s.slot(d, L.DIR_KEYS), i));
      return result;
    }
    case L.N_STR_LENGTH:
      return smallInt(string(arg(0)).length);
    case L.N_STR_CHAR_AT: {
      const bytes = string(arg(0));
      const i = intOf(arg(1));
      if (i < 0 || i >= bytes.length) throw new Raise(L.ERR_INDEX);
      return smallInt(bytes[i]!);
    }
    case L.N_STR_SUBSTRING: {
      const bytes = string(arg(0));
      const begin = intOf(arg(1));
      const end = intOf(arg(2));
      if (begin < 0 || begin > end || end > bytes.length) throw new Raise(L.ERR_INDEX);
      return m.newString(bytes.slice(begin, end));
    }
    case L.N_STR_INDEX_OF:
      return smallInt(indexOf(string(arg(0)), string(arg(1))));
    case L.N_STR_EQUALS: {
      const a = string(arg(0));
      const other = arg(1);
      if (other === 0 || !m.isString(other)) return bool(false);
      return bool(compareBytes(a, s.byteContents(other)) === 0);
    }
    case L.N_STR_COMPARE:
      return smallInt(compareBytes(string(arg(0)), string(arg(1))));
    case L.N_STR_HASH: {
      let h = 0x811c9dc5;
      for (const b of string(arg(0))) h = Math.imul(h ^ b, 0x01000193);
      h >>>= 0;
      return smallInt(((h >>> 30) ^ h) & 0x3fffffff);
    }
    case L.N_STR_TO_INT: {
      const text = new TextDecoder().decode(string(arg(0)));
      if (!/^-?[0-9]+$/.test(text)) throw new Raise(L.ERR_BAD_ARGUMENT);
      const n = Number(text);
      if (n < L.SMALLINT_MIN || n > L.SMALLINT_MAX) throw new Raise(L.ERR_BAD_ARGUMENT);
      return smallInt(n);
    }
    case L.N_STR_FROM_CHAR:
      return m.newString(Uint8Array.of(intOf(arg(0)) & 255));
    case L.N_ARR_COPY: {
      const src = array(arg(0));
      const srcPos = intOf(arg(1));
      const dst = array(arg(2));
      const dstPos = intOf(arg(3));
      const n = intOf(arg(4));
      if (n < 0 || srcPos < 0 || dstPos < 0 || srcPos + n > length(src) || dstPos + n > length(dst)) {
        throw new Raise(L.ERR_INDEX);
      }
      const from = s.headerIndex(src) + L.HEADER_BYTES / 4 + srcPos;
      // Check, then copy: one value dst's class does not admit and nothing is copied.
      const dstClass = m.classRefOf(dst);
      for (let i = 0; i < n; i++)
        if (!m.admits(dstClass, s.words[from + i]!)) throw new Raise(L.ERR_ARRAY_STORE);
      s.words.copyWithin(s.headerIndex(dst) + L.HEADER_BYTES / 4 + dstPos, from, from + n);
      return 0;
    }
    case L.N_ARR_RESIZE: {
      const src = array(arg(0));
      const n = intOf(arg(1));
      const result = m.newArray(m.classRefOf(src), n);
      const from = s.headerIndex(src) + L.HEADER_BYTES / 4;
      s.words.copyWithin(s.headerIndex(result) + L.HEADER_BYTES / 4, from, from + Math.min(n, length(src)));
      return result;
    }
    case L.N_OBJ_CLASS_NAME:
      return s.slot(m.classRefOf(object(arg(0))), L.CLASS_NAME);
    default:
      throw new Raise(L.ERR_BAD_ARGUMENT);
  }
}

/** The receiver class's virtual method named run taking only the receiver, or 0. */
function findRun(m: Machine, target: number): number {
  const s = m.space;
  const vtable = s.slot(m.classRefOf(target), L.CLASS_VTABLE);
  if (vtable === 0) return 0;
  for (let i = 0; i < s.payloadBytes(vtable) >> 2; i++) {
    const method = s.slot(vtable, i);
    if (s.text(s.slot(method, L.METHOD_NAME)) === 'run' && intOf(s.slot(method, L.METHOD_ARGC)) === 1)
      return method;
  }
  return 0;
}

/** Is key the reserved `$debugger` and d the root directory? */
function isReserved(m: Machine, d: number, key: Uint8Array): boolean {
  return d === m.rootSlot(L.ROOT_DIRECTORY) && compareBytes(key, DEBUGGER_ENTRY) === 0;
}

/** findKey, blind to the root directory's `$debugger`. */
function visibleKey(m: Machine, d: number, key: Uint8Array): number {
  return isReserved(m, d, key) ? -1 : findKey(m, d, key);
}

/** Where the root directory holds `$debugger`, or -1 (none, or d is another directory). */
function hiddenIndex(m: Machine, d: number): number {
  return d === m.rootSlot(L.ROOT_DIRECTORY) ? findKey(m, d, DEBUGGER_ENTRY) : -1;
}

function findKey(m: Machine, d: number, key: Uint8Array): number {
  const s = m.space;
  const keys = s.slot(d, L.DIR_KEYS);
  if (keys === 0) return -1;
  const count = Math.min(intOf(s.slot(d, L.DIR_COUNT)), s.payloadBytes(keys) >> 2);
  for (let i = 0; i < count; i++) {
    const k = s.slot(keys, i);
    if (k !== 0 && compareBytes(s.byteContents(k), key) === 0) return i;
  }
  return -1;
}

function growDirectory(m: Machine, d: number, count: number): void {
  const s = m.space;
  const oldKeys = s.slot(d, L.DIR_KEYS);
  const capacity = Math.max(4, 2 * (oldKeys === 0 ? 0 : s.payloadBytes(oldKeys) >> 2));
  const roots = m.heap.tempRoots;
  const keys = m.newArray(m.internalClass(L.CID_ARRAY), capacity);
  roots.push(keys);
  try {
    const values = m.newArray(m.internalClass(L.CID_ARRAY), capacity);
    for (const [slot, fresh] of [
      [L.DIR_KEYS, keys],
      [L.DIR_VALUES, values],
    ] as const) {
      const old = s.slot(d, slot);
      if (old !== 0) {
        const from = s.headerIndex(old) + L.HEADER_BYTES / 4;
        s.words.copyWithin(s.headerIndex(fresh) + L.HEADER_BYTES / 4, from, from + count);
      }
      s.setSlot(d, slot, fresh);
    }
  } finally {
    roots.pop();
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
