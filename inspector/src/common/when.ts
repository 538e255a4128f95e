/**
 * "When did this change?": the generation in which a field or element of an object, or a
 * directory's entry, last changed (or first took a value, or every change), found by bisection
 * over the kept generations of the current branch. It reads pages, not generations: each probe
 * reads the page of the object's header and of the slot it asks about (and, when it cannot be told
 * otherwise, the space header for the generation's epoch), through a PageReader that caches pages
 * by generation and counts what it read. Plain data, no DOM and no Node: the CLI and the studio's
 * host give it a reader over a store disk (node/store-pages.ts).
 *
 * Identity (lang/docs/object-format.md, "Identity across generations"): the object at address A in
 * the newest generation b was born in epoch t (its birth stamp, SH_EPOCH mod STAMP_EPOCHS, made
 * whole with b's SH_EPOCH). It is the same object as the one at A in an older generation g of the
 * same branch exactly when t <= SH_EPOCH of g: an object born by then existed when g was captured,
 * and objects never move. Nothing about A in g is trusted, so a freed and reused address, or bytes
 * that happen to look like a header, are never taken for the object. When b's epoch has wrapped the
 * stamp (65,536 epochs or more) and g is older than the newest candidate birth, the answer is
 * "cannot tell", never "same".
 *
 * Bisection finds a boundary between a generation where a predicate is false and the next where it
 * is true: for "last changed" (the value equals the newest's) that is where the current value
 * began, provided it did not hold it before and leave it; `all` splits every interval whose ends
 * differ, so it finds each change visible at the generations it reads (a value that left and came
 * back between two equal ends is not seen).
 */
import * as L from '@phantom/lang/common/spec/generated.js';
import { formatRef } from './ref.js';

/** Pages of committed generations, as a store holds them; the reader counts and caches. */
export interface PageReader {
  /** The 4096 bytes of page `page` (from SPACE_BASE) of `generation`; throws when it cannot be read. */
  page(generation: number, page: number): Uint8Array;
}

/** What to follow in the object: a field by name, an element by index, or a directory's entry by key. */
export type WhenTarget =
  | { kind: 'field'; name: string }
  | { kind: 'element'; index: number }
  | { kind: 'entry'; key: string }
  /** Whether the object is reachable from the root (what the collector keeps). */
  | { kind: 'reachable' };

export type WhenMode = { kind: 'last' } | { kind: 'equals'; value: WhenLiteral } | { kind: 'all' };

/** A value to look for: an integer, null, true/false (booleans are the integers 1 and 0) or a reference. */
export type WhenLiteral = { kind: 'int'; value: number } | { kind: 'null' } | { kind: 'ref'; ref: number };

/** A value as found at one generation. */
export type WhenValue =
  | { kind: 'int'; value: number }
  | { kind: 'null' }
  | { kind: 'ref'; ref: string; className: string }
  /** For the target `reachable`: whether the root reached the object. */
  | { kind: 'reachable'; value: boolean }
  /** The object did not exist yet: its address held nothing, or another object. */
  | { kind: 'absent' }
  /** The directory had no such entry. */
  | { kind: 'missing' }
  /** The object's identity cannot be followed this far back (its stamp wrapped). */
  | { kind: 'unknown' };

export interface WhenChange {
  /** The generation before the change, and the first generation showing it. */
  before: number;
  after: number;
  from: WhenValue;
  to: WhenValue;
}

export interface WhenAnswer {
  ref: string;
  target: string;
  className: string;
  /** Generations of the current branch searched, oldest first: their count, oldest and newest. */
  generations: number;
  oldest: number;
  newest: number;
  now: WhenValue;
  /** The change found (last, or where the value was first taken); absent when none was. */
  change?: WhenChange;
  /** --all: every change found, oldest first. */
  changes?: WhenChange[];
  /** Why no change is given: the value held in every generation searched, or was never taken. */
  note?: string;
  /** Generations probed. */
  probes: number;
}

export class WhenError extends Error {
  override name = 'WhenError';
}

const BASE = L.SPACE_BASE;
const PAGE = L.PAGE_SIZE;

/** One generation's words, read page by page through the reader. */
class GenerationWords {
  constructor(
    private readonly reader: PageReader,
    readonly generation: number,
    private readonly spaceSize: number,
  ) {}

  word(addr: number): number {
    const offset = addr - BASE;
    if (offset < 0 || offset + 4 > this.spaceSize || (offset & 3) !== 0)
      throw new WhenError(`address 0x${(addr >>> 0).toString(16)} is outside the object space`);
    const page = this.reader.page(this.generation, Math.floor(offset / PAGE));
    const at = offset % PAGE;
    return (page[at]! | (page[at + 1]! << 8) | (page[at + 2]! << 16) | (page[at + 3]! << 24)) >>> 0;
  }

  bytes(addr: number, count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const offset = addr + i - BASE;
      if (offset < 0 || offset >= this.spaceSize)
        throw new WhenError('a string runs outside the object space');
      out[i] = this.reader.page(this.generation, Math.floor(offset / PAGE))[offset % PAGE]!;
    }
    return out;
  }

  epoch(): number {
    return this.word(BASE + L.SH_EPOCH);
  }

  top(): number {
    return this.word(BASE + L.SH_TOP);
  }
}

interface Header {
  addr: number;
  classRef: number;
  size: number;
  kind: number;
  stamp: number;
}

const isRef = (w: number): boolean => (w & 1) === 1;

function header(g: GenerationWords, addr: number): Header | undefined {
  if (addr < BASE + L.SPACE_HEADER_BYTES || addr % L.OBJECT_ALIGN !== 0 || addr + L.HEADER_BYTES > g.top())
    return undefined;
  const flags = g.word(addr + L.HDR_FLAGS);
  const kind = flags & L.FLAG_KIND_MASK;
  if (kind !== L.KIND_SLOTS && kind !== L.KIND_BYTES) return undefined;
  const size = g.word(addr + L.HDR_SIZE);
  if (addr + L.HEADER_BYTES + size > g.top()) return undefined;
  return { addr, classRef: g.word(addr + L.HDR_CLASS), size, kind, stamp: flags >>> L.STAMP_SHIFT };
}

const slotAddr = (addr: number, slot: number): number => addr + L.HEADER_BYTES + 4 * slot;

/** A header whose class word refers to a class (an object whose class is the class of classes). */
function classHeader(g: GenerationWords, obj: Header): Header | undefined {
  if (!isRef(obj.classRef)) return undefined;
  const cls = header(g, obj.classRef - 1);
  if (!cls || cls.kind !== L.KIND_SLOTS || cls.size < 4 * (L.CLASS_INTERNAL_ID + 1)) return undefined;
  const meta = isRef(cls.classRef) ? header(g, cls.classRef - 1) : undefined;
  if (!meta || meta.classRef !== cls.classRef) return undefined;
  return cls;
}

function stringAt(g: GenerationWords, ref: number): string | undefined {
  if (!isRef(ref)) return undefined;
  const h = header(g, ref - 1);
  if (!h || h.kind !== L.KIND_BYTES || h.size > 1 << 16) return undefined;
  return new TextDecoder().decode(g.bytes(h.addr + L.HEADER_BYTES, h.size));
}

function className(g: GenerationWords, obj: Header): string {
  const cls = classHeader(g, obj);
  return (cls && stringAt(g, g.word(slotAddr(cls.addr, L.CLASS_NAME)))) ?? '?';
}

/** The birth epoch of the object at the newest generation, whole (undefined values: wrapped). */
function wholeStamp(stamp: number, epoch: number): number | undefined {
  const back = (epoch - stamp) & (L.STAMP_EPOCHS - 1);
  return epoch - back >= 0 ? epoch - back : undefined;
}

/**
 * Is the object at `address` in the space `after` the one at that address in `before`, both
 * whole spaces (from SPACE_BASE)? 'new' is certain whatever the generations' order: the object
 * was born after `before` was captured, so `before` cannot hold it. 'same' holds when `before` is
 * an ancestor of `after` (consecutive generations of one branch); across branches it only says
 * the stamps do not tell them apart. 'unknown' when a wrapped stamp leaves it open.
 */
export function identityAcross(
  before: Uint8Array,
  after: Uint8Array,
  address: number,
): 'same' | 'new' | 'unknown' {
  const word = (space: Uint8Array, at: number) =>
    new DataView(space.buffer, space.byteOffset, space.byteLength).getUint32(at, true);
  const offset = address - BASE + L.HDR_FLAGS;
  if (offset < 0 || offset + 4 > after.byteLength) return 'unknown';
  const epochAfter = word(after, L.SH_EPOCH);
  const epochBefore = word(before, L.SH_EPOCH);
  const born = wholeStamp(word(after, offset) >>> L.STAMP_SHIFT, epochAfter);
  if (born === undefined) return 'unknown';
  if (born <= epochBefore) return 'same';
  // Born after `before` was captured — unless the stamp wrapped and it is 65,536 epochs older.
  return born < L.STAMP_EPOCHS ? 'new' : 'unknown';
}

/** Text for a target, as the CLI spells it. */
export function formatTarget(target: WhenTarget): string {
  if (target.kind === 'field') return `.${target.name}`;
  if (target.kind === 'element') return `[${target.index}]`;
  if (target.kind === 'reachable') return 'reachable';
  return `[${JSON.stringify(target.key)}]`;
}

/**
 * Parses `.name`, `name`, `[3]`, `["key"]` (a directory entry) or `reachable` (from the root; a
 * field of that name is `.reachable`).
 */
export function parseTarget(text: string): WhenTarget | undefined {
  if (text === 'reachable') return { kind: 'reachable' };
  const element = /^\[(\d+)\]$/.exec(text);
  if (element) return { kind: 'element', index: Number(element[1]) };
  const entry = /^\[("(?:[^"\\]|\\.)*")\]$/.exec(text);
  if (entry) {
    try {
      return { kind: 'entry', key: JSON.parse(entry[1]!) as string };
    } catch {
      return undefined;
    }
  }
  const field = /^\.?([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return field ? { kind: 'field', name: field[1]! } : undefined;
}

/** Parses an --equals value: an integer, null, true, false or an object reference (@0x…). */
export function parseLiteral(text: string): WhenLiteral | undefined {
  if (text === 'null') return { kind: 'null' };
  if (text === 'true' || text === 'false') return { kind: 'int', value: text === 'true' ? 1 : 0 };
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    return value >= L.SMALLINT_MIN && value <= L.SMALLINT_MAX ? { kind: 'int', value } : undefined;
  }
  const ref = /^@(?:0x)?([0-9a-fA-F]{1,8})$/.exec(text);
  return ref ? { kind: 'ref', ref: Number.parseInt(ref[1]!, 16) } : undefined;
}

/** The state compared between generations: absent/unknown, or the slot's word (refs with their referent's identity). */
interface Probe {
  state: 'absent' | 'unknown' | 'missing' | 'value';
  word: number;
  /** For a reference: whether its referent is the object the newest generation's word refers to. */
  sameReferent: boolean;
}

/**
 * Answers "when did this change?" for the object at `ref` over `path` (kept generations of the
 * current branch, oldest first; the last is the newest, where the object is looked up).
 */
export function whenChanged(
  reader: PageReader,
  spaceSize: number,
  path: readonly number[],
  ref: number,
  target: WhenTarget,
  mode: WhenMode,
): WhenAnswer {
  if (path.length === 0) throw new WhenError('the store keeps no generation that verifies');
  const newestGen = path.at(-1)!;
  const words = new Map<number, GenerationWords>();
  const at = (i: number): GenerationWords => {
    const gen = path[i]!;
    let w = words.get(gen);
    if (!w) {
      w = new GenerationWords(reader, gen, spaceSize);
      words.set(gen, w);
    }
    return w;
  };
  const newest = at(path.length - 1);
  const obj = header(newest, ref);
  const cls = obj && classHeader(newest, obj);
  if (!obj || !cls)
    throw new WhenError(`no object starts at ${formatRef(ref)} in generation ${newestGen} (the newest kept)`);
  const newestEpoch = newest.epoch();
  if (newestEpoch === 0 && path.length > 1 && newest.generation !== 0)
    throw new WhenError(
      'this store carries no birth stamps (SH_EPOCH is 0: written before identity stamps): an object cannot be told from a reused address',
    );
  const birth = wholeStamp(obj.stamp, newestEpoch);
  if (birth === undefined)
    throw new WhenError(`${formatRef(ref)} is not an object start in generation ${newestGen}`);
  const wrapped = newestEpoch >= L.STAMP_EPOCHS;
  const objClass = className(newest, obj);

  // The slot the target names, fixed for the object (objects never change class or size).
  let slot = -1;
  if (target.kind === 'field') {
    if (obj.kind !== L.KIND_SLOTS)
      throw new WhenError(`${formatRef(ref)} is a ${objClass}: it has no fields`);
    const names = newest.word(slotAddr(cls.addr, L.CLASS_FIELD_NAMES));
    const namesHeader = isRef(names) ? header(newest, names - 1) : undefined;
    const count = namesHeader ? namesHeader.size / 4 : 0;
    const known: string[] = [];
    for (let i = 0; i < count && i < obj.size / 4; i++) {
      const name = stringAt(newest, newest.word(slotAddr(namesHeader!.addr, i)));
      known.push(name ?? '?');
      if (name === target.name) slot = i;
    }
    if (slot < 0)
      throw new WhenError(
        `${objClass} has no field ${target.name}${known.length ? ` (fields: ${known.join(', ')})` : ''}`,
      );
  } else if (target.kind === 'element') {
    if (obj.kind !== L.KIND_SLOTS) throw new WhenError(`${formatRef(ref)} is a ${objClass}, not an array`);
    if (target.index >= obj.size / 4)
      throw new WhenError(`${formatRef(ref)} has ${obj.size / 4} elements: no [${target.index}]`);
    slot = target.index;
  } else if (target.kind === 'entry') {
    const internal = newest.word(slotAddr(cls.addr, L.CLASS_INTERNAL_ID));
    if (internal !== L.CID_DIRECTORY << 1)
      throw new WhenError(`${formatRef(ref)} is a ${objClass}, not a directory: it has no entries`);
  }

  const epochs = new Map<number, number>();
  /** SH_EPOCH at path index i, read only when the bounds of known epochs cannot decide. */
  const epochAt = (i: number): number => {
    let e = epochs.get(i);
    if (e === undefined) {
      e = i === path.length - 1 ? newestEpoch : at(i).epoch();
      epochs.set(i, e);
    }
    return e;
  };
  /** Is the newest generation's object at `addr`, born in `born`, already there at path index i? */
  const existedAt = (i: number, born: number | undefined): boolean | 'unknown' => {
    if (born === undefined) return 'unknown';
    // Known epochs bound the unknown ones: SH_EPOCH never decreases along a branch.
    for (const [j, e] of epochs) if (j <= i && e >= born) return true;
    for (const [j, e] of epochs) if (j >= i && e < born) return wrapped ? 'unknown' : false;
    const e = epochAt(i);
    if (e >= born) return true;
    return wrapped ? 'unknown' : false;
  };

  /** The directory entry's value word at generation g, or undefined when it has no such key. */
  const entryWord = (g: GenerationWords): number | undefined => {
    const count = g.word(slotAddr(ref, L.DIR_COUNT)) >> 1;
    const keys = g.word(slotAddr(ref, L.DIR_KEYS));
    const values = g.word(slotAddr(ref, L.DIR_VALUES));
    if (!isRef(keys) || !isRef(values)) return undefined;
    for (let i = 0; i < count; i++) {
      if (target.kind === 'entry' && stringAt(g, g.word(slotAddr(keys - 1, i))) === target.key)
        return g.word(slotAddr(values - 1, i));
    }
    return undefined;
  };
  /** Whether the root reaches the object at `ref` in g: a walk over slot objects, page by page. */
  const reachableIn = (g: GenerationWords): boolean => {
    const seen = new Set<number>();
    const stack = [g.word(BASE + L.SH_ROOT)];
    while (stack.length > 0) {
      const w = stack.pop()!;
      if (!isRef(w) || seen.has(w)) continue;
      seen.add(w);
      if (w - 1 === ref) return true;
      const h = header(g, w - 1);
      if (!h || h.kind !== L.KIND_SLOTS) continue;
      for (let i = 0; i < h.size / 4; i++) {
        const v = g.word(slotAddr(h.addr, i));
        if (isRef(v) && !seen.has(v)) stack.push(v);
      }
    }
    return false;
  };
  const slotWord = (g: GenerationWords): number | undefined => {
    if (target.kind === 'reachable') return reachableIn(g) ? 2 : 0;
    return slot >= 0 ? g.word(slotAddr(ref, slot)) : entryWord(g);
  };

  // The newest value, and the birth of what it refers to (to tell a reused referent address).
  const newestWord = slotWord(newest);
  const referentBirth = (g: GenerationWords, word: number | undefined): number | undefined => {
    if (word === undefined || !isRef(word)) return undefined;
    const h = header(g, word - 1);
    return h ? wholeStamp(h.stamp, g === newest ? newestEpoch : g.epoch()) : undefined;
  };
  const newestReferentBirth = referentBirth(newest, newestWord);
  const zeroIsNull =
    (newestWord !== undefined && isRef(newestWord)) || (mode.kind === 'equals' && mode.value.kind !== 'int');

  const probes = new Map<number, Probe>();
  const probe = (i: number): Probe => {
    const hit = probes.get(i);
    if (hit) return hit;
    let p: Probe;
    const exists = i === path.length - 1 ? true : existedAt(i, birth);
    if (exists !== true)
      p = { state: exists === 'unknown' ? 'unknown' : 'absent', word: 0, sameReferent: false };
    else {
      const w = slotWord(at(i));
      if (w === undefined) p = { state: 'missing', word: 0, sameReferent: false };
      else {
        const sameReferent =
          isRef(w) && w === newestWord && newestReferentBirth !== undefined
            ? existedAt(i, newestReferentBirth) === true
            : false;
        p = { state: 'value', word: w, sameReferent };
      }
    }
    probes.set(i, p);
    return p;
  };
  const sameState = (a: Probe, b: Probe): boolean => {
    if (a.state !== b.state) return false;
    if (a.state !== 'value') return true;
    if (a.word !== b.word) return false;
    if (!isRef(a.word)) return true;
    // Two references to one address: the same referent only if it was born by the older one.
    return a.sameReferent === b.sameReferent;
  };
  const valueAt = (i: number): WhenValue => {
    const p = probe(i);
    if (p.state !== 'value') return { kind: p.state };
    if (target.kind === 'reachable') return { kind: 'reachable', value: p.word !== 0 };
    // The word 0 is both null and the integer 0: it reads as the kind the newest value has.
    if (p.word === L.NULL_REF) return zeroIsNull ? { kind: 'null' } : { kind: 'int', value: 0 };
    if (!isRef(p.word)) return { kind: 'int', value: p.word >> 1 };
    const g = at(i);
    const h = header(g, p.word - 1);
    return { kind: 'ref', ref: formatRef(p.word - 1), className: h ? className(g, h) : '?' };
  };
  const change = (i: number): WhenChange => ({
    before: path[i - 1]!,
    after: path[i]!,
    from: valueAt(i - 1),
    to: valueAt(i),
  });
  /** Smallest index in (lo, hi] where pred holds, pred(hi) true and pred(lo) false (lo may be -1). */
  const bisect = (lo: number, hi: number, pred: (i: number) => boolean): number => {
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (pred(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  const last = path.length - 1;
  const answer: WhenAnswer = {
    ref: formatRef(ref),
    target: formatTarget(target),
    className: objClass,
    generations: path.length,
    oldest: path[0]!,
    newest: newestGen,
    now: valueAt(last),
    probes: 0,
  };
  if (mode.kind === 'last') {
    const now = probe(last);
    const i = bisect(-1, last, (k) => sameState(probe(k), now));
    if (i === 0) answer.note = `unchanged in every kept generation of this branch since ${path[0]}`;
    else answer.change = change(i);
  } else if (mode.kind === 'equals') {
    const wanted = mode.value;
    const matches = (k: number): boolean => {
      const p = probe(k);
      if (p.state !== 'value') return false;
      if (wanted.kind === 'null') return p.word === L.NULL_REF;
      if (wanted.kind === 'ref') return p.word === wanted.ref + 1;
      return !isRef(p.word) && p.word >> 1 === wanted.value;
    };
    // Integers are searched for as a crossing (the first generation at or past the value, from
    // the side the object's first value is on), so a counter that counts past it is found too.
    const exists = (k: number): boolean => {
      const state = probe(k).state;
      return state === 'value' || state === 'missing';
    };
    const born = bisect(-1, last, exists);
    const first = probe(born);
    const firstInt = first.state === 'value' && !isRef(first.word) ? first.word >> 1 : undefined;
    let pred = matches;
    if (wanted.kind === 'int' && firstInt !== undefined && firstInt !== wanted.value) {
      const up = wanted.value > firstInt;
      pred = (k) => {
        const p = probe(k);
        if (p.state !== 'value' || isRef(p.word)) return false;
        const v = p.word >> 1;
        return up ? v >= wanted.value : v <= wanted.value;
      };
    }
    if (pred(born))
      answer.note =
        born === 0
          ? `held it already in generation ${path[0]}, the oldest kept of this branch`
          : `held it from its first kept generation ${path[born]} on`;
    else if (!pred(last)) answer.note = 'never took it in the kept generations of this branch';
    else {
      const i = bisect(born, last, pred);
      answer.change = change(i);
      if (!matches(i)) answer.note = 'went past the value without taking it';
    }
  } else {
    const changes: number[] = [];
    const split = (lo: number, hi: number): void => {
      if (sameState(probe(lo), probe(hi))) return;
      if (hi - lo === 1) {
        changes.push(hi);
        return;
      }
      const mid = lo + Math.floor((hi - lo) / 2);
      split(lo, mid);
      split(mid, hi);
    };
    split(0, last);
    answer.changes = changes.map(change);
    if (changes.length === 0)
      answer.note = `unchanged in every kept generation of this branch since ${path[0]}`;
  }
  answer.probes = probes.size;
  return answer;
}

/** The value as one line of text. */
export function formatWhenValue(v: WhenValue): string {
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'null':
      return 'null';
    case 'ref':
      return `${v.ref} ${v.className}`;
    case 'reachable':
      return v.value ? 'reachable' : 'unreachable (garbage)';
    case 'absent':
      return '(the object did not exist yet)';
    case 'missing':
      return '(no such entry)';
    case 'unknown':
      return '(identity cannot be followed: birth stamp wrapped)';
  }
}

/** The kept generations of the branch `newest` is on, oldest first, by the rule the timeline and retention draw branches by. */
export function branchPath(
  generations: readonly { generation: number; parent: number | null; error?: string }[],
  newest?: number,
): number[] {
  const sorted = [...generations].sort((a, b) => a.generation - b.generation);
  const byNumber = new Map(sorted.map((g, i) => [g.generation, i]));
  let i = newest === undefined ? -1 : (byNumber.get(newest) ?? -1);
  if (newest === undefined)
    for (let k = sorted.length - 1; k >= 0 && i < 0; k--) if (!sorted[k]!.error) i = k;
  const path: number[] = [];
  while (i >= 0) {
    const g = sorted[i]!;
    if (!g.error) path.push(g.generation);
    if (g.parent === null) break;
    const parent = byNumber.get(g.parent);
    if (parent !== undefined) i = parent;
    // A parent the store no longer keeps: retention keeps every branch's start and fork, so the
    // kept generation before this one by number is on its branch, unless this one starts a branch.
    else if (i > 0 && g.parent > sorted[i - 1]!.generation) i -= 1;
    else break;
  }
  return path.reverse();
}
