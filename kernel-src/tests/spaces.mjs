// spaces.mjs — object spaces for the boot tests, built in memory: today only a space holding
// just its header (no root: a store of it does not mount, the kernel finds its contents unsound,
// but its pages are checked first, which is what the damaged-page test needs).
import * as S from '@phantom/lang/common/spec/generated.js';

/** A space of `size` bytes: the header (magic, version, size, no root, bump pointer at the first object). */
export function headerOnlySpace(size) {
  const space = new Uint8Array(size);
  const header = new DataView(space.buffer);
  header.setUint32(S.SH_MAGIC, S.SPACE_MAGIC, true);
  header.setUint32(S.SH_VERSION, S.FORMAT_VERSION, true);
  header.setUint32(S.SH_SIZE, size, true);
  header.setUint32(S.SH_TOP, S.SPACE_BASE + S.SPACE_HEADER_BYTES, true);
  return space;
}
