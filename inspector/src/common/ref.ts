/**
 * An object reference as people read and type it: `@` and the object's address in the object
 * space in hex (`@0x1a40`). The CLI's `phantom inspect object <ref>`, the views and the JSON
 * output all use this one spelling.
 */
export type ObjectRef = number;

/** The object space is a 32-bit region: addresses fit in an unsigned 32-bit integer. */
const MAX_ADDRESS = 0xffff_ffff;

export function formatRef(ref: ObjectRef): string {
  return `@0x${ref.toString(16).padStart(8, '0')}`;
}

/** Accepts `@0x1a40`, `0x1a40` and `@1a40`; returns undefined for anything else. */
export function parseRef(text: string): ObjectRef | undefined {
  const m = /^@?(?:0x)?([0-9a-fA-F]{1,8})$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number.parseInt(m[1]!, 16);
  return value <= MAX_ADDRESS ? value : undefined;
}
