/**
 * One-line text for values, shared by the CLI and the views: integers as numbers, null, and
 * references as `@0x… class "string preview"`.
 */
import type { ValueView } from './objects.js';

export function formatValue(v: ValueView): string {
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'null':
      return 'null';
    case 'dangling':
      return `${v.ref} (dangling)`;
    case 'ref':
      return v.preview !== undefined
        ? `${v.ref} ${v.className} ${JSON.stringify(v.preview)}`
        : `${v.ref} ${v.className}`;
  }
}
