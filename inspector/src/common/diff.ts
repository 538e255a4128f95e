/**
 * What changed between two heap snapshots (two generations), and the history of one object
 * across many. Objects are identified by address: the allocator never moves objects, so the
 * same address with the same class in both snapshots is taken as the same object. (An object
 * freed and another of the same class allocated at the same address between the two
 * generations reads as "changed"; the kernel's collector only reuses addresses after a
 * collection, so between nearby generations this is rare. Said here so nobody is surprised.)
 */
import { reachableFrom } from './graph.js';
import type { HeapSnapshot } from './heap.js';
import { type ObjectView, objectView } from './objects.js';
import { formatRef } from './ref.js';
import { identityAcross } from './when.js';

export interface ClassDiff {
  className: string;
  added: string[];
  removed: string[];
  changed: string[];
  /** Net change in bytes for this class. */
  bytesDelta: number;
}

export interface HeapDiff {
  added: number;
  removed: number;
  changed: number;
  byClass: ClassDiff[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface DiffOptions {
  /**
   * Compare only what the object at this address reaches in each generation (the root for the
   * live objects, garbage left out; the root directory for the programs' data). Default: every
   * object in the space, garbage the collector has not yet freed included. 'root' is each
   * generation's own root.
   */
  reachableFrom?: number | 'root';
}

/** Objects added, removed and changed from `before` to `after`, grouped by class (most changes first). */
export function diffHeaps(before: HeapSnapshot, after: HeapSnapshot, options: DiffOptions = {}): HeapDiff {
  const scope = (heap: HeapSnapshot) =>
    options.reachableFrom === undefined
      ? undefined
      : reachableFrom(
          heap,
          options.reachableFrom === 'root' ? heap.root : heap.indexOf(options.reachableFrom),
        );
  const inA = scope(before);
  const inB = scope(after);
  const rows = new Map<string, ClassDiff>();
  const row = (name: string): ClassDiff => {
    let r = rows.get(name);
    if (!r) {
      r = { className: name, added: [], removed: [], changed: [], bytesDelta: 0 };
      rows.set(name, r);
    }
    return r;
  };
  const nameA = (v: number) => before.className(before.classOf[v]!);
  const nameB = (v: number) => after.className(after.classOf[v]!);
  let i = 0;
  let j = 0;
  // Both address lists are ascending: one merge pass.
  while (i < before.count || j < after.count) {
    if (inA && i < before.count && inA[i] === 0) {
      i++;
      continue;
    }
    if (inB && j < after.count && inB[j] === 0) {
      j++;
      continue;
    }
    const a = i < before.count ? before.addr[i]! : Number.POSITIVE_INFINITY;
    const b = j < after.count ? after.addr[j]! : Number.POSITIVE_INFINITY;
    if (a === b && nameA(i) === nameB(j)) {
      if (!sameBytes(before.payload(i), after.payload(j))) {
        const r = row(nameB(j));
        r.changed.push(formatRef(b));
        r.bytesDelta += after.shallow[j]! - before.shallow[i]!;
      }
      i++;
      j++;
    } else if (a <= b) {
      const r = row(nameA(i));
      r.removed.push(formatRef(a));
      r.bytesDelta -= before.shallow[i]!;
      i++;
    } else {
      const r = row(nameB(j));
      r.added.push(formatRef(b));
      r.bytesDelta += after.shallow[j]!;
      j++;
    }
  }
  const byClass = [...rows.values()].sort(
    (x, y) =>
      y.added.length +
      y.removed.length +
      y.changed.length -
      (x.added.length + x.removed.length + x.changed.length),
  );
  const sum = (f: (r: ClassDiff) => number) => byClass.reduce((n, r) => n + f(r), 0);
  return {
    added: sum((r) => r.added.length),
    removed: sum((r) => r.removed.length),
    changed: sum((r) => r.changed.length),
    byClass,
  };
}

export interface HistoryEntry {
  generation: number;
  /** The object as of that generation, or null where it does not exist (yet, or any more). */
  value: ObjectView | null;
  /** Another object than the one listed before it, at the same address (its birth stamp says so). */
  newObject?: true;
}

/**
 * The object at `address` in each snapshot, oldest first, keeping only the generations where it
 * changed (appeared, changed its payload, or disappeared) or another object took the address (its
 * birth stamp is after the generation before: lang/docs/object-format.md, "Identity across
 * generations"), even one of the same class with the same bytes.
 */
export function objectHistory(
  address: number,
  snapshots: readonly { generation: number; heap: HeapSnapshot }[],
): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let last: { heap: HeapSnapshot; node: number } | null | undefined;
  for (const { generation, heap } of snapshots) {
    const node = heap.indexOf(address);
    const present = node >= 0 ? { heap, node } : null;
    const reborn =
      last != null && present !== null && identityAcross(last.heap.space, heap.space, address) === 'new';
    const changed =
      reborn ||
      last === undefined ||
      (last === null) !== (present === null) ||
      (last !== null &&
        present !== null &&
        (last.heap.className(last.heap.classOf[last.node]!) !== heap.className(heap.classOf[node]!) ||
          !sameBytes(last.heap.payload(last.node), heap.payload(node))));
    if (changed)
      out.push({
        generation,
        value: present ? objectView(heap, node) : null,
        ...(reborn ? { newObject: true } : {}),
      });
    last = present;
  }
  return out;
}
