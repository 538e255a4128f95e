/**
 * A heap snapshot: every object of one object space (one kernel generation, or a paused "now"),
 * indexed densely so that graph queries over a million objects run on typed arrays rather than
 * on JavaScript objects. Built by walking the space from its first object to SH_TOP, exactly as
 * lang/docs/object-format.md lays it out.
 *
 * Not here: the queries (summary, retainers, paths, dominators, diff) — see graph.ts, diff.ts —
 * nor where the bytes come from (the store reader or the debug channel).
 */
import {
  CID_ARRAY,
  CID_STRING,
  CLASS_FIELD_NAMES,
  CLASS_INTERNAL_ID,
  CLASS_NAME,
  FLAG_KIND_MASK,
  FORMAT_VERSION,
  HDR_CLASS,
  HDR_FLAGS,
  HDR_SIZE,
  HEADER_BYTES,
  KIND_BYTES,
  KIND_FREE,
  KIND_SLOTS,
  SH_MAGIC,
  SH_ROOT,
  SH_SIZE,
  SH_TOP,
  SH_VERSION,
  SPACE_BASE,
  SPACE_HEADER_BYTES,
  SPACE_MAGIC,
} from '@phantom/lang/common/spec/generated.js';

/** A value word decoded: a small integer, null, or a reference to the object at `addr`. */
export type Value = { kind: 'int'; value: number } | { kind: 'null' } | { kind: 'ref'; addr: number };

export function decodeValue(word: number): Value {
  if (word === 0) return { kind: 'null' };
  if ((word & 1) === 1) return { kind: 'ref', addr: (word - 1) >>> 0 };
  return { kind: 'int', value: word >> 1 };
}

/** The space's bytes could not be read as an object space; says where and why. */
export class SpaceFormatError extends Error {
  constructor(
    message: string,
    readonly address?: number,
  ) {
    super(address === undefined ? message : `${message} at 0x${address.toString(16).padStart(8, '0')}`);
    this.name = 'SpaceFormatError';
  }
}

const align4 = (n: number) => (n + 3) & ~3;

export class HeapSnapshot {
  /** Number of objects (free blocks excluded). */
  readonly count: number;
  /** Address of each object, ascending. */
  readonly addr: Uint32Array;
  /** Node index of each object's class. */
  readonly classOf: Int32Array;
  /** Bytes each object occupies (header + aligned payload). */
  readonly shallow: Uint32Array;
  /** Outgoing references (payload words with the reference tag) as node indices, CSR-packed. */
  readonly edgeStart: Uint32Array;
  readonly edges: Uint32Array;
  /** Node index of the root object. */
  readonly root: number;
  /** Words whose reference pointed at no object (a corrupt or half-written space): count. */
  readonly danglingRefs: number;
  private readonly view: DataView;
  private readonly classNames = new Map<number, string>();
  private reverse?: { start: Uint32Array; from: Uint32Array };

  /** `space` holds the object space's bytes from SPACE_BASE (its length may exceed SH_TOP). */
  constructor(readonly space: Uint8Array) {
    if (space.byteLength < SPACE_HEADER_BYTES) throw new SpaceFormatError('space shorter than its header');
    const view = new DataView(space.buffer, space.byteOffset, space.byteLength);
    this.view = view;
    if (view.getUint32(SH_MAGIC, true) !== SPACE_MAGIC)
      throw new SpaceFormatError('not an object space (bad magic)');
    const version = view.getUint32(SH_VERSION, true);
    if (version !== FORMAT_VERSION)
      throw new SpaceFormatError(`format version ${version}, expected ${FORMAT_VERSION}`);
    const size = view.getUint32(SH_SIZE, true);
    const top = view.getUint32(SH_TOP, true);
    if (top < SPACE_BASE + SPACE_HEADER_BYTES || top - SPACE_BASE > Math.min(size, space.byteLength)) {
      throw new SpaceFormatError(`SH_TOP 0x${top.toString(16)} outside the space`);
    }
    const end = top - SPACE_BASE;

    // Pass 1: object addresses, sizes and kinds.
    const addrs: number[] = [];
    const sizes: number[] = [];
    for (let off = SPACE_HEADER_BYTES; off < end; ) {
      if (off + HEADER_BYTES > end)
        throw new SpaceFormatError('object header runs past SH_TOP', SPACE_BASE + off);
      const payload = view.getUint32(off + HDR_SIZE, true);
      const kind = view.getUint32(off + HDR_FLAGS, true) & FLAG_KIND_MASK;
      const occupied = HEADER_BYTES + align4(payload);
      if (payload > end - off - HEADER_BYTES)
        throw new SpaceFormatError('object runs past SH_TOP', SPACE_BASE + off);
      if (kind !== KIND_FREE) {
        if (kind !== KIND_SLOTS && kind !== KIND_BYTES)
          throw new SpaceFormatError(`bad kind ${kind}`, SPACE_BASE + off);
        addrs.push(SPACE_BASE + off);
        sizes.push(occupied);
      }
      off += occupied;
    }
    this.count = addrs.length;
    this.addr = Uint32Array.from(addrs);
    this.shallow = Uint32Array.from(sizes);
    this.classOf = new Int32Array(this.count);

    // Pass 2: classes and references, resolved to node indices by binary search.
    const edgeStart = new Uint32Array(this.count + 1);
    let edges = new Uint32Array(Math.max(16, this.count * 2));
    let edgeCount = 0;
    let dangling = 0;
    for (let i = 0; i < this.count; i++) {
      const off = this.addr[i]! - SPACE_BASE;
      const classWord = view.getUint32(off + HDR_CLASS, true);
      const cls = (classWord & 1) === 1 ? this.indexOf(classWord - 1) : -1;
      if (cls < 0) throw new SpaceFormatError('object without a valid class', this.addr[i]);
      this.classOf[i] = cls;
      edgeStart[i] = edgeCount;
      if ((view.getUint32(off + HDR_FLAGS, true) & FLAG_KIND_MASK) !== KIND_SLOTS) continue;
      const payload = view.getUint32(off + HDR_SIZE, true);
      for (let p = 0; p + 4 <= payload; p += 4) {
        const word = view.getUint32(off + HEADER_BYTES + p, true);
        if ((word & 1) === 0) continue;
        const target = this.indexOf(word - 1);
        if (target < 0) {
          dangling++;
          continue;
        }
        if (edgeCount === edges.length) {
          const grown = new Uint32Array(edges.length * 2);
          grown.set(edges);
          edges = grown;
        }
        edges[edgeCount++] = target;
      }
    }
    edgeStart[this.count] = edgeCount;
    this.edgeStart = edgeStart;
    this.edges = edges.slice(0, edgeCount);
    this.danglingRefs = dangling;
    const rootWord = view.getUint32(SH_ROOT, true);
    const root = (rootWord & 1) === 1 ? this.indexOf(rootWord - 1) : -1;
    if (root < 0) throw new SpaceFormatError('SH_ROOT does not point at an object');
    this.root = root;
  }

  /** Node index of the object starting at `address`, or -1. */
  indexOf(address: number): number {
    const a = this.addr;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === address) return mid;
      if (v < address) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Node indices that reference `node` (built once, on first use). */
  referrers(node: number): Uint32Array {
    const r = this.reverseEdges();
    return r.from.subarray(r.start[node]!, r.start[node + 1]!);
  }

  references(node: number): Uint32Array {
    return this.edges.subarray(this.edgeStart[node]!, this.edgeStart[node + 1]!);
  }

  kind(node: number): number {
    return this.view.getUint32(this.addr[node]! - SPACE_BASE + HDR_FLAGS, true) & FLAG_KIND_MASK;
  }

  payloadBytes(node: number): number {
    return this.view.getUint32(this.addr[node]! - SPACE_BASE + HDR_SIZE, true);
  }

  /** Payload word `slot` of a slots object; 0 (null) beyond its slots, so a corrupt class cannot read past it. */
  slot(node: number, slot: number): number {
    if (slot < 0 || slot >= this.slotCount(node)) return 0;
    return this.view.getUint32(this.addr[node]! - SPACE_BASE + HEADER_BYTES + 4 * slot, true);
  }

  slotCount(node: number): number {
    return this.kind(node) === KIND_SLOTS ? this.payloadBytes(node) >>> 2 : 0;
  }

  /** The payload bytes (a view, not a copy). */
  payload(node: number): Uint8Array {
    const off = this.addr[node]! - SPACE_BASE + HEADER_BYTES;
    return this.space.subarray(off, off + this.payloadBytes(node));
  }

  /** Node of the object a reference word points at, or -1 for null, integers and dangling words. */
  target(word: number): number {
    return (word & 1) === 1 ? this.indexOf(word - 1) : -1;
  }

  /** The text of a string object, or undefined when `node` is not one. */
  stringValue(node: number): string | undefined {
    if (node < 0 || this.internalId(this.classOf[node]!) !== CID_STRING) return undefined;
    return new TextDecoder().decode(this.payload(node));
  }

  /** CID_* of a class node (0 for program classes). */
  internalId(classNode: number): number {
    return this.slot(classNode, CLASS_INTERNAL_ID) >> 1;
  }

  /** Full name of a class node, e.g. `.ru.dz.demo.start`. */
  className(classNode: number): string {
    let name = this.classNames.get(classNode);
    if (name === undefined) {
      name =
        this.stringValue(this.target(this.slot(classNode, CLASS_NAME))) ?? `<class@${this.addr[classNode]}>`;
      this.classNames.set(classNode, name);
    }
    return name;
  }

  /** Field names of a class's instances, inherited first. */
  fieldNames(classNode: number): string[] {
    const names = this.target(this.slot(classNode, CLASS_FIELD_NAMES));
    if (names < 0 || this.internalId(this.classOf[names]!) !== CID_ARRAY) return [];
    const out: string[] = [];
    for (let i = 0; i < this.slotCount(names); i++)
      out.push(this.stringValue(this.target(this.slot(names, i))) ?? '?');
    return out;
  }

  private reverseEdges(): { start: Uint32Array; from: Uint32Array } {
    if (this.reverse) return this.reverse;
    const start = new Uint32Array(this.count + 1);
    for (let e = 0; e < this.edges.length; e++) start[this.edges[e]! + 1]!++;
    for (let i = 0; i < this.count; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, this.count);
    const from = new Uint32Array(this.edges.length);
    for (let i = 0; i < this.count; i++) {
      for (let e = this.edgeStart[i]!; e < this.edgeStart[i + 1]!; e++) from[fill[this.edges[e]!]!++] = i;
    }
    this.reverse = { start, from };
    return this.reverse;
  }
}
