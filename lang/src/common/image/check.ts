/**
 * The check a space must pass before anything runs it: "A sound object space" in
 * docs/object-format.md. The kernel makes it at every mount (core/objspace.c space_validate,
 * through vm_try_start) and a generation that fails is not mounted; the store reader makes the
 * same checks in the same order, so both sides choose the same generation and name the same
 * first problem, in the same words.
 *
 * Like the kernel's, the check marks each header it walks with FLAG_MARK in the space itself and
 * takes a marked flags word as an object start, then clears the marks again: the two must treat
 * a forged reference into the middle of an object alike.
 *
 * Not here: what the reference interpreter checks before it runs a space (interp/machine.ts).
 */
import * as L from '../spec/generated.js';

const FIRST_OBJECT = L.SPACE_BASE + L.SPACE_HEADER_BYTES;
const FREE_BLOCK_MIN = L.HEADER_BYTES + 4;

const slotsOf = (cid: number): number => L.INTERNAL_CLASSES.find((c) => c.id === cid)!.slots;
const ROOT_SLOTS = slotsOf(L.CID_ROOT);
const CLASS_SLOTS = slotsOf(L.CID_CLASS);
const THREAD_SLOTS = slotsOf(L.CID_THREAD);

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const footprint = (size: number): number => L.HEADER_BYTES + ((size + 3) & ~3);

/** Thrown inside the check with the first problem; caught by checkSpace. */
class Unsound {
  constructor(readonly why: string) {}
}

const fail = (why: string): never => {
  throw new Unsound(why);
};
const failAt = (why: string, addr: number): never => fail(`${why} (object at 0x${hex8(addr)})`);

/**
 * Checks the space in `space` (index 0 is SPACE_BASE; its length is the space's size). Returns
 * undefined when it is sound, else the first problem. Leaves the bytes as it found them, but for
 * FLAG_MARK bits in walked headers, which it clears (a sound space has none set).
 */
export function checkSpace(space: Uint8Array): string | undefined {
  if (space.byteOffset % 4 !== 0 || space.length % 4 !== 0)
    throw new Error('checkSpace needs a 4-aligned space');
  const words = new Uint32Array(space.buffer, space.byteOffset, space.length / 4);
  /** The word at address `addr` (4-aligned, inside the space). */
  const at = (addr: number): number => words[(addr - L.SPACE_BASE) >>> 2]!;
  const size = at(L.SPACE_BASE + L.SH_SIZE);
  const top = at(L.SPACE_BASE + L.SH_TOP);
  let walkedEnd = FIRST_OBJECT;

  const inHeap = (addr: number): boolean => addr >= FIRST_OBJECT && addr < top && (addr & 3) === 0;
  const isRef = (w: number): boolean => (w & L.REF_TAG) !== 0;
  const flags = (addr: number): number => at(addr + L.HDR_FLAGS);
  const kind = (ref: number): number => flags(ref - 1) & L.FLAG_KIND_MASK;
  const classOf = (ref: number): number => at(ref - 1 + L.HDR_CLASS);
  const payload = (ref: number): number => at(ref - 1 + L.HDR_SIZE);
  const slot = (ref: number, i: number): number => at(ref - 1 + L.HEADER_BYTES + 4 * i);
  const isWalkedStart = (w: number): boolean =>
    isRef(w) && inHeap(w - 1) && top - (w - 1) >= L.HEADER_BYTES && (flags(w - 1) & L.FLAG_MARK) !== 0;
  const isWalkedObject = (w: number): boolean => isWalkedStart(w) && kind(w) !== L.KIND_FREE;
  const isWalkedSlots = (w: number, minSlots: number): boolean =>
    isWalkedObject(w) && kind(w) === L.KIND_SLOTS && payload(w) >>> 2 >= minSlots;

  const walkHeaders = (): void => {
    for (let addr = FIRST_OBJECT; addr < top; ) {
      if (top - addr < L.HEADER_BYTES) failAt('object header runs past SH_TOP', addr);
      const f = flags(addr);
      const k = f & L.FLAG_KIND_MASK;
      const bytes = at(addr + L.HDR_SIZE);
      const badKind =
        k === L.KIND_FREE ? at(addr + L.HDR_CLASS) !== 0 : k !== L.KIND_SLOTS && k !== L.KIND_BYTES;
      if (badKind) failAt('bad object kind or class word', addr);
      if (k === L.KIND_SLOTS && (bytes & 3) !== 0) failAt('slot object size not a multiple of 4', addr);
      if (bytes > top - addr || footprint(bytes) > top - addr) failAt('object runs past SH_TOP', addr);
      words[(addr + L.HDR_FLAGS - L.SPACE_BASE) >>> 2] = (f | L.FLAG_MARK) >>> 0;
      addr += footprint(bytes);
      walkedEnd = addr;
    }
  };

  const checkClasses = (): void => {
    const root = at(L.SPACE_BASE + L.SH_ROOT);
    if (!isWalkedSlots(root, ROOT_SLOTS)) fail("SH_ROOT is not an object with the root's slots");
    const classes = slot(root, L.ROOT_CLASSES);
    if (!isWalkedSlots(classes, L.CID_BOOT + 1)) fail('ROOT_CLASSES is not an array of the internal classes');
    const classClass = slot(classes, L.CID_CLASS);
    for (let cid = 1; cid <= L.CID_BOOT; cid++) {
      const c = slot(classes, cid);
      if (!isWalkedSlots(c, CLASS_SLOTS) || classOf(c) !== classClass)
        failAt('ROOT_CLASSES entry is not a class', isRef(c) ? c - 1 : 0);
      if (slot(c, L.CLASS_INTERNAL_ID) !== cid << 1)
        failAt('ROOT_CLASSES entry has the wrong internal id', c - 1);
    }
    if (classOf(root) !== slot(classes, L.CID_ROOT)) fail('the root object is not a .internal.root');
  };

  const walkReferences = (): void => {
    const classClass = slot(slot(at(L.SPACE_BASE + L.SH_ROOT), L.ROOT_CLASSES), L.CID_CLASS);
    for (let addr = FIRST_OBJECT; addr < top; ) {
      const ref = addr + 1;
      const k = kind(ref);
      const bytes = payload(ref);
      if (k === L.KIND_FREE) {
        const next = bytes >= 4 ? slot(ref, 0) : 0;
        const nextRef = (next + 1) >>> 0;
        if (next !== 0 && (!isWalkedStart(nextRef) || kind(nextRef) !== L.KIND_FREE))
          failAt('free block links to something that is not a free block', addr);
      } else {
        const cls = classOf(ref);
        if (!isWalkedSlots(cls, CLASS_SLOTS) || classOf(cls) !== classClass)
          failAt("object's class word is not a class", addr);
        if (k === L.KIND_SLOTS) {
          for (let i = 0; i < bytes >>> 2; i++) {
            const w = slot(ref, i);
            if (isRef(w) && !isWalkedObject(w)) failAt('slot holds a reference to no object', addr);
          }
        }
      }
      addr += footprint(bytes);
    }
  };

  const checkFreeList = (): void => {
    let limit = Math.floor((top - FIRST_OBJECT) / FREE_BLOCK_MIN) + 1;
    for (let block = at(L.SPACE_BASE + L.SH_FREE); block !== 0; block = slot(block + 1, 0)) {
      const ref = (block + 1) >>> 0;
      if (!isWalkedStart(ref) || kind(ref) !== L.KIND_FREE || payload(ref) < 4)
        failAt('SH_FREE list holds something that is not a free block', block);
      if (limit-- === 0) fail('SH_FREE list has a cycle');
    }
  };

  const checkThreads = (): void => {
    const root = at(L.SPACE_BASE + L.SH_ROOT);
    const threadClass = slot(slot(root, L.ROOT_CLASSES), L.CID_THREAD);
    let limit = Math.floor((top - FIRST_OBJECT) / L.HEADER_BYTES);
    for (let t = slot(root, L.ROOT_THREADS); t !== 0; t = slot(t, L.THREAD_NEXT)) {
      if (!isWalkedSlots(t, THREAD_SLOTS) || classOf(t) !== threadClass)
        failAt('ROOT_THREADS list holds something that is not a thread', isRef(t) ? t - 1 : 0);
      if (limit-- === 0) fail('ROOT_THREADS list has a cycle');
    }
  };

  const clearMarks = (): void => {
    for (let addr = FIRST_OBJECT; addr < walkedEnd; ) {
      const i = (addr + L.HDR_FLAGS - L.SPACE_BASE) >>> 2;
      words[i] = (words[i]! & ~L.FLAG_MARK) >>> 0;
      addr += footprint(at(addr + L.HDR_SIZE));
    }
  };

  if (space.length < L.SPACE_HEADER_BYTES) return 'not an object space (bad SH_MAGIC)';
  if (at(L.SPACE_BASE + L.SH_MAGIC) !== L.SPACE_MAGIC) return 'not an object space (bad SH_MAGIC)';
  if (at(L.SPACE_BASE + L.SH_VERSION) !== L.FORMAT_VERSION)
    return 'object space has an unknown format version';
  if (size < L.SPACE_SIZE_MIN || size > L.SPACE_SIZE_MAX || size % L.PAGE_SIZE !== 0)
    return 'SH_SIZE out of range';
  if (size > space.length) return 'SH_SIZE is larger than the mapped region';
  if (top < FIRST_OBJECT || top > L.SPACE_BASE + size || (top & 3) !== 0) return 'SH_TOP out of range';
  let why: string | undefined;
  try {
    walkHeaders();
    checkClasses();
    walkReferences();
    checkFreeList();
    checkThreads();
  } catch (err) {
    if (!(err instanceof Unsound)) throw err;
    why = err.why;
  } finally {
    clearMarks();
  }
  if (why === undefined && size !== space.length) why = 'SH_SIZE is not the size of the space';
  return why;
}
