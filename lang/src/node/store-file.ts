/**
 * Opens a store kept in a file (as `phc image` writes it, or a machine's store disk) for the
 * offline reader in common/store: blocks are read on demand. The file is the disk: a store that
 * claims more blocks than the file holds is refused, as the kernel refuses it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BLOCK_SIZE } from '../common/spec/generated.js';
import { openStore, type Store } from '../common/store/reader.js';

export interface StoreFile {
  readonly store: Store;
  close(): void;
}

export function openStoreFile(path: string): StoreFile {
  const fd = openSync(path, 'r');
  try {
    const read = (block: number): Uint8Array => {
      const bytes = new Uint8Array(BLOCK_SIZE);
      let done = 0;
      while (done < BLOCK_SIZE) {
        const n = readSync(fd, bytes, done, BLOCK_SIZE - done, block * BLOCK_SIZE + done);
        if (n === 0) break;
        done += n;
      }
      return bytes;
    };
    const diskBlocks = Math.floor(fstatSync(fd).size / BLOCK_SIZE);
    return { store: openStore(read, diskBlocks), close: () => closeSync(fd) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
