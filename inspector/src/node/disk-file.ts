/**
 * Reads blocks of a machine's store disk from the host, whether the disk is a raw file or a
 * qcow2 image (machines use qcow2 so hypervisor checkpoints work). The qcow2 reader is
 * read-only and follows the active L1/L2 tables: unallocated and zero clusters read as zeros;
 * backing files, encryption and compressed clusters are refused with a clear error (our disks
 * never use them).
 *
 * Reading while QEMU runs is safe for committed generations: the kernel flushes before it
 * commits, QEMU writes its qcow2 metadata on flush, and committed blocks are never rewritten.
 * A DiskFile caches L2 tables: it is a view as of when it was opened; open again to see newer
 * generations.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const BLOCK = 4096;
const QCOW_MAGIC = 0x514649fb;
/** Bits 9..55 of an L1/L2 entry: the host offset. */
const OFFSET_MASK = 0x00fffffffffffe00n;
const L2_COMPRESSED = 1n << 62n;
const L2_ZERO = 1n;

export class DiskFormatError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'DiskFormatError';
  }
}

export interface DiskFile {
  readonly format: 'raw' | 'qcow2';
  /** Virtual size in bytes. */
  readonly size: number;
  /** The 4096 bytes of block `n` (zeros for unallocated parts and past the end). */
  readBlock(n: number): Uint8Array;
  close(): void;
}

export function openDiskFile(path: string): DiskFile {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(104);
    readSync(fd, head, 0, head.length, 0);
    if (head.readUInt32BE(0) === QCOW_MAGIC) return new Qcow2File(path, fd, head);
    return new RawFile(fd, fstatSync(fd).size);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

class RawFile implements DiskFile {
  readonly format = 'raw';
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  readBlock(n: number): Uint8Array {
    const buf = new Uint8Array(BLOCK);
    readSync(this.fd, buf, 0, BLOCK, n * BLOCK);
    return buf;
  }
  close(): void {
    closeSync(this.fd);
  }
}

class Qcow2File implements DiskFile {
  readonly format = 'qcow2';
  readonly size: number;
  private readonly clusterBits: number;
  private readonly clusterSize: number;
  private readonly l1: BigUint64Array;
  private readonly l2Cache = new Map<number, BigUint64Array>();

  constructor(
    private readonly path: string,
    private readonly fd: number,
    head: Buffer,
  ) {
    const version = head.readUInt32BE(4);
    if (version !== 2 && version !== 3)
      throw new DiskFormatError(path, `qcow2 version ${version} is not supported`);
    if (head.readBigUInt64BE(8) !== 0n)
      throw new DiskFormatError(path, 'qcow2 images with a backing file are not supported');
    this.clusterBits = head.readUInt32BE(20);
    if (this.clusterBits < 12 || this.clusterBits > 21)
      throw new DiskFormatError(path, `bad cluster_bits ${this.clusterBits}`);
    this.clusterSize = 1 << this.clusterBits;
    this.size = Number(head.readBigUInt64BE(24));
    if (head.readUInt32BE(32) !== 0)
      throw new DiskFormatError(path, 'encrypted qcow2 images are not supported');
    const l1Size = head.readUInt32BE(36);
    const l1Offset = Number(head.readBigUInt64BE(40));
    const l2Entries = this.clusterSize / 8;
    if (l1Size > Math.ceil(this.size / (l2Entries * this.clusterSize)) + 1 || l1Size > 1 << 24) {
      throw new DiskFormatError(path, `L1 table of ${l1Size} entries does not fit the disk size`);
    }
    const raw = Buffer.alloc(l1Size * 8);
    readSync(fd, raw, 0, raw.length, l1Offset);
    this.l1 = new BigUint64Array(l1Size);
    for (let i = 0; i < l1Size; i++) this.l1[i] = raw.readBigUInt64BE(i * 8);
  }

  readBlock(n: number): Uint8Array {
    const out = new Uint8Array(BLOCK);
    const offset = n * BLOCK;
    if (offset >= this.size) return out;
    const cluster = Math.floor(offset / this.clusterSize);
    const within = offset % this.clusterSize;
    const l2Entries = this.clusterSize / 8;
    const l1Index = Math.floor(cluster / l2Entries);
    const l2 = this.l2Table(l1Index);
    if (!l2) return out;
    const entry = l2[cluster % l2Entries]!;
    if (entry & L2_COMPRESSED)
      throw new DiskFormatError(this.path, `compressed cluster ${cluster} is not supported`);
    const host = Number(entry & OFFSET_MASK);
    if (host === 0 || entry & L2_ZERO) return out;
    readSync(this.fd, out, 0, BLOCK, host + within);
    return out;
  }

  private l2Table(l1Index: number): BigUint64Array | undefined {
    if (l1Index >= this.l1.length) return undefined;
    const offset = Number(this.l1[l1Index]! & OFFSET_MASK);
    if (offset === 0) return undefined;
    let table = this.l2Cache.get(l1Index);
    if (!table) {
      const raw = Buffer.alloc(this.clusterSize);
      readSync(this.fd, raw, 0, raw.length, offset);
      table = new BigUint64Array(this.clusterSize / 8);
      for (let i = 0; i < table.length; i++) table[i] = raw.readBigUInt64BE(i * 8);
      this.l2Cache.set(l1Index, table);
    }
    return table;
  }

  close(): void {
    closeSync(this.fd);
  }
}
