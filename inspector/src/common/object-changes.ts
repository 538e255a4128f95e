/**
 * What a live view shows changing in one object from one generation to the next: the object
 * panes keep showing the same objects (by address) as the machine moves on, and mark the values
 * that changed. Plain data, no DOM, so the rule is tested on its own.
 */
import type { HeapSnapshot } from './heap.js';
import { type ObjectView, objectView, type ValueView } from './objects.js';
import { identityAcross } from './when.js';

export type ObjectChange =
  /** No object starts at that address any more (collected, or the space was rolled back). */
  | { kind: 'gone' }
  /** Another object now lives at the address (freed and reused): a different class, or a birth stamp after `before`. */
  | { kind: 'replaced'; before: string; after: string }
  /** The same object: `changed` names what shows a different value now. */
  | { kind: 'same'; changed: string[] };

/** The key a shown value is marked by: a field's name, `text`, `length` or an element's `[i]`. */
export function elementKey(index: number): string {
  return `[${index}]`;
}

function sameValue(a: ValueView | undefined, b: ValueView | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'int':
      return a.value === (b as typeof a).value;
    case 'null':
      return true;
    case 'dangling':
      return a.ref === (b as typeof a).ref;
    case 'ref': {
      const other = b as typeof a;
      return a.ref === other.ref && a.className === other.className && a.preview === other.preview;
    }
  }
}

/** The keys whose shown values differ between two views of one object. */
export function changedKeys(before: ObjectView, after: ObjectView): string[] {
  const changed: string[] = [];
  const beforeFields = new Map(before.fields.map((f) => [f.name, f.value]));
  for (const f of after.fields) if (!sameValue(beforeFields.get(f.name), f.value)) changed.push(f.name);
  if (before.text !== after.text) changed.push('text');
  if (before.elements || after.elements) {
    if (before.elements?.length !== after.elements?.length) changed.push('length');
    const old = before.elements?.values ?? [];
    const now = after.elements?.values ?? [];
    const offset = after.elements?.offset ?? 0;
    now.forEach((v, i) => {
      if (!sameValue(old[i], v)) changed.push(elementKey(offset + i));
    });
  }
  return changed;
}

/**
 * How the object at `address` changed from `before` to `after`, over its fields, text and the
 * first `elementLimit` elements (what a pane shows).
 */
export function objectChange(
  before: HeapSnapshot,
  after: HeapSnapshot,
  address: number,
  elementLimit: number,
): ObjectChange {
  const now = after.indexOf(address);
  if (now < 0) return { kind: 'gone' };
  const then = before.indexOf(address);
  const afterView = objectView(after, now, 0, elementLimit);
  if (then < 0) return { kind: 'same', changed: [] };
  const beforeView = objectView(before, then, 0, elementLimit);
  if (
    beforeView.className !== afterView.className ||
    identityAcross(before.space, after.space, address) === 'new'
  )
    return { kind: 'replaced', before: beforeView.className, after: afterView.className };
  return { kind: 'same', changed: changedKeys(beforeView, afterView) };
}
