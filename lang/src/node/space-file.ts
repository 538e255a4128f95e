/**
 * Raw object-space dumps in files, as `phrun --dump-space` and `run-image --dump-space` write them
 * and phrun loads them: the space's bytes from SPACE_BASE, SH_SIZE long, written up to SH_TOP and
 * left sparse above it (nothing there is part of the machine, so it is not read back either).
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import * as L from '../common/spec/generated.js';

export function writeSpaceDump(path: string, space: Uint8Array): void {
  const top = new DataView(space.buffer, space.byteOffset).getUint32(L.SH_TOP, true) - L.SPACE_BASE;
  const fd = openSync(path, 'w');
  try {
    const used = space.subarray(0, Math.min(Math.max(top, L.SPACE_HEADER_BYTES), space.length));
    for (let done = 0; done < used.length; ) done += writeSync(fd, used, done);
    ftruncateSync(fd, space.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A dump's bytes, 4-aligned for the Int32Array views of the interpreter: the file's length, read up
 * to its SH_TOP (the rest is zero). `into`, when its length is the file's, is zeroed and filled
 * instead of new memory: a tool reading thousands of dumps saves a page fault per page.
 */
export function readSpaceDump(path: string, into?: Uint8Array): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = into?.length === size ? into.fill(0) : new Uint8Array(size);
    const fill = (from: number, to: number) => {
      for (let at = from; at < to; ) {
        const n = readSync(fd, bytes, at, to - at, at);
        if (n === 0) break;
        at += n;
      }
    };
    fill(0, Math.min(L.SPACE_HEADER_BYTES, bytes.length));
    const top = new DataView(bytes.buffer).getUint32(L.SH_TOP, true) - L.SPACE_BASE;
    fill(L.SPACE_HEADER_BYTES, top >= L.SPACE_HEADER_BYTES && top <= bytes.length ? top : bytes.length);
    return bytes;
  } finally {
    closeSync(fd);
  }
}
