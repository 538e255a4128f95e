/**
 * Writes an object space (a replay's state) as a new generation on a new branch of a stopped
 * machine's store disk, with the kernel's own store code: the hosted `phstore branch` (built from
 * kernel-src/core/store.c) commits it on a raw copy of the disk, and the blocks that commit changed
 * are written back into the qcow2 disk through QEMU's own block layer (`qemu-io write -s`), so the
 * disk's internal snapshots (the machine's checkpoints) stay as they are. Nothing here knows the
 * store's format beyond "blocks 0 and 1 are the superblocks" (lang/docs/store-format.md).
 *
 * The rule (kernel-src/docs/store.md, "Who writes a store"): while QEMU runs the disk, only the
 * running kernel writes the store (a running machine gets a branch through its debug channel,
 * MachineChannel.branchInPlace) — it holds reference counts and page-out holds the disk does not
 * show, and QEMU holds the qcow2's metadata and its write lock. So this runs on a stopped machine
 * only; qemu-io refuses a disk QEMU holds, which keeps the rule even against a caller that got it
 * wrong.
 *
 * Crash safety follows the store's commit order: every block but the superblocks is written and
 * flushed (one qemu-io run, which flushes as it closes) before the superblock (a second run). A
 * crash before the second run leaves the old superblock in force and the new blocks unreferenced.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeSpaceDump } from '@phantom/lang/node/space-file.js';
import { VmError } from '../common/errors.js';
import { SOURCE_ROOT } from './build.js';
import { runQemuImg } from './machine-dir.js';

const execFileAsync = promisify(execFile);

/** The store's block size (lang/spec/store.def BLOCK_SIZE). */
const BLOCK = 4096;
/** Blocks 0 and 1 hold the two superblock slots: written last, on their own. */
const SUPERBLOCK_BLOCKS = 2;
/** qemu-io commands per run: a long command line is still one process. */
const WRITES_PER_RUN = 256;
/** How much of the two copies is compared at a time. */
const COMPARE_CHUNK = 1 << 20;

export interface BranchWritten {
  /** The new generation's number. */
  readonly generation: number;
  /** Its parent: the generation the space was replayed from. */
  readonly parent: number;
  /** Pages of the space that differ from the parent's (the ones the commit wrote). */
  readonly pagesWritten: number;
  /** Disk blocks written back into the qcow2 (pages, page maps, record, index, superblock). */
  readonly blocksWritten: number;
}

/** `make` of the hosted phstore: up to date in a moment when nothing changed. */
async function phstorePath(): Promise<string> {
  const kernelDir = join(SOURCE_ROOT, 'kernel-src');
  try {
    await execFileAsync('make', ['-s', '-C', kernelDir, 'build/hosted/phstore']);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new VmError('build-failed', `cannot build phstore: ${(e.stderr ?? e.message).trim()}`);
  }
  return join(kernelDir, 'build', 'hosted', 'phstore');
}

/**
 * Commits `space` as a new generation with parent `parent` on the qcow2 disk `disk`, which no
 * hypervisor may have open. `scratch` is a folder on the disk's file system for the raw copies.
 * Refused with nothing written: a generation that is not kept, a space the kernel would not run,
 * a store too full to take it without dropping generations (VmError with phstore's reason).
 */
export async function writeBranch(
  disk: string,
  parent: number,
  space: Uint8Array,
  scratch: string,
): Promise<BranchWritten> {
  const phstore = await phstorePath();
  const work = await mkdtemp(join(scratch, 'branch-'));
  try {
    const before = join(work, 'before.raw');
    const after = join(work, 'after.raw');
    const dump = join(work, 'space.dump');
    await runQemuImg(['convert', '-f', 'qcow2', '-O', 'raw', disk, before]);
    await runQemuImg(['convert', '-f', 'raw', '-O', 'raw', before, after]);
    writeSpaceDump(dump, space);
    let out: string;
    try {
      out = (await execFileAsync(phstore, ['branch', after, '--parent', String(parent), dump])).stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      const said = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').pop() ?? e.message;
      throw new VmError('bad-input', `the store refused the branch: ${said.replace(`${after}: `, '')}`);
    }
    const committed = /^generation (\d+) committed \(parent (\d+)\): (\d+) pages written$/m.exec(out);
    if (!committed) throw new VmError('disk-problem', `phstore said something unexpected: ${out.trim()}`);
    const runs = await changedRuns(before, after);
    const body = runs.filter((r) => r.first >= SUPERBLOCK_BLOCKS);
    const superblocks = runs.filter((r) => r.first < SUPERBLOCK_BLOCKS);
    await writeRuns(disk, after, body, work);
    await writeRuns(disk, after, superblocks, work);
    return {
      generation: Number(committed[1]),
      parent: Number(committed[2]),
      pagesWritten: Number(committed[3]),
      blocksWritten: runs.reduce((n, r) => n + r.count, 0),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface Run {
  readonly first: number;
  readonly count: number;
}

/** The runs of blocks that differ between two raw copies; superblock blocks always start their own run. */
async function changedRuns(a: string, b: string): Promise<Run[]> {
  const fa = await open(a, 'r');
  const fb = await open(b, 'r');
  try {
    const size = (await fa.stat()).size;
    if ((await fb.stat()).size !== size) throw new VmError('disk-problem', 'the disk copy changed size');
    const runs: Run[] = [];
    const ba = Buffer.alloc(COMPARE_CHUNK);
    const bb = Buffer.alloc(COMPARE_CHUNK);
    let current: { first: number; count: number } | undefined;
    for (let at = 0; at < size; at += COMPARE_CHUNK) {
      const n = Math.min(COMPARE_CHUNK, size - at);
      await fa.read(ba, 0, n, at);
      await fb.read(bb, 0, n, at);
      for (let off = 0; off < n; off += BLOCK) {
        const block = (at + off) / BLOCK;
        const same = ba.subarray(off, off + BLOCK).equals(bb.subarray(off, off + BLOCK));
        const joins =
          current !== undefined && current.first + current.count === block && block !== SUPERBLOCK_BLOCKS;
        if (same) current = undefined;
        else if (joins && current !== undefined) current.count++;
        else {
          current = { first: block, count: 1 };
          runs.push(current);
        }
      }
    }
    return runs;
  } finally {
    await fa.close();
    await fb.close();
  }
}

/** Writes each run's blocks from `source` into the qcow2 disk, through qemu-io (which flushes as it closes). */
async function writeRuns(disk: string, source: string, runs: readonly Run[], work: string): Promise<void> {
  const from = await open(source, 'r');
  try {
    for (let i = 0; i < runs.length; i += WRITES_PER_RUN) {
      const commands: string[] = [];
      for (const [j, run] of runs.slice(i, i + WRITES_PER_RUN).entries()) {
        const bytes = Buffer.alloc(run.count * BLOCK);
        await from.read(bytes, 0, bytes.length, run.first * BLOCK);
        const file = join(work, `run-${i + j}`);
        await writeFile(file, bytes);
        commands.push('-c', `write -q -s ${file} ${run.first * BLOCK} ${bytes.length}`);
      }
      try {
        await execFileAsync('qemu-io', ['-f', 'qcow2', ...commands, disk]);
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
        if (e.code === 'ENOENT')
          throw new VmError('hypervisor-missing', 'qemu-io is not installed (Debian: qemu-utils)');
        throw new VmError('disk-problem', `qemu-io failed: ${(e.stderr || e.stdout || e.message).trim()}`);
      }
    }
  } finally {
    await from.close();
  }
}
