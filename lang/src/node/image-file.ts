/**
 * `phc image`'s back end: builds generation 0 of a program (common/image) and writes it as a
 * store file (common/store) — sparse, so a 256 MiB disk with a few hundred KiB of objects takes
 * that much on disk. The file appears complete or not at all (written aside, then renamed).
 */
import { open, rename, rm } from 'node:fs/promises';
import type { CompiledProgram } from '../common/compiled.js';
import { buildSpace } from '../common/image/builder.js';
import { BLOCK_SIZE } from '../common/spec/generated.js';
import { writeGeneration0 } from '../common/store/generation0.js';

export async function buildImageFile(
  program: CompiledProgram,
  opts: { spaceBytes?: number; diskBytes?: number; mainClasses: string[] },
  outPath: string,
): Promise<void> {
  const space = buildSpace(program, {
    mainClasses: opts.mainClasses,
    ...(opts.spaceBytes === undefined ? {} : { spaceBytes: opts.spaceBytes }),
  });
  const image = writeGeneration0(space, opts.diskBytes === undefined ? {} : { diskBytes: opts.diskBytes });
  const partial = `${outPath}.partial-${process.pid}`;
  const file = await open(partial, 'w');
  try {
    for (const [block, bytes] of [...image.blocks].sort((a, b) => a[0] - b[0])) {
      await file.write(bytes, 0, bytes.length, block * BLOCK_SIZE);
    }
    await file.truncate(image.blockCount * BLOCK_SIZE);
    await file.sync();
    await file.close();
    await rename(partial, outPath);
  } catch (err) {
    await file.close().catch(() => {});
    await rm(partial, { force: true });
    throw err;
  }
}
