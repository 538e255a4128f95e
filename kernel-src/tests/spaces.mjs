// spaces.mjs — object spaces for the boot tests and benchmarks, built in memory: today only a
// space holding just its header (what a store needs to mount; nothing runs in it).
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
