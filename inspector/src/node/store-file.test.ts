import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeGeneration0 } from '@phantom/lang/common/store/generation0.js';
import { instancesOf } from '../common/graph.js';
import { ref, SpaceFixture } from '../common/heap-fixture.test.js';
import { DiskFormatError, openDiskFile } from './disk-file.js';
import { loadGeneration, openStoreFile } from './store-file.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-store-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeRawStore(path: string): void {
  const f = new SpaceFixture(1 << 20);
  f.rootClass(['notes']);
  f.defineClass('.demo.note', ['text', 'next']);
  const second = f.object('.demo.note', [ref(f.string('second')), 0]);
  const first = f.object('.demo.note', [ref(f.string('first')), ref(second)]);
  const image = writeGeneration0(f.finish(f.object('.internal.root', [ref(first)])), {
    wallSeconds: 1_700_000_000,
  });
  const fd = openSync(path, 'w');
  try {
    for (const [block, bytes] of image.blocks) writeSync(fd, bytes, 0, bytes.length, block * 4096);
  } finally {
    closeSync(fd);
  }
  execFileSync('truncate', ['-s', String(image.blockCount * 4096), path]);
}

test('a generation reads the same from a raw store and from the qcow2 image of it', () => {
  const raw = join(dir, 'store.raw');
  const qcow = join(dir, 'store.qcow2');
  writeRawStore(raw);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow]);
  const views = [raw, qcow].map((path) => {
    const opened = openStoreFile(path);
    try {
      assert.equal(opened.disk.format, path.endsWith('qcow2') ? 'qcow2' : 'raw');
      assert.deepEqual(
        opened.store.generations.map((g) => g.generation),
        [0],
      );
      const { generation, heap } = loadGeneration(opened, 0);
      assert.equal(generation, 0);
      const notes = instancesOf(heap, '.demo.note').map((n) =>
        heap.stringValue(heap.target(heap.slot(n, 0))),
      );
      return notes;
    } finally {
      opened.close();
    }
  });
  assert.deepEqual(views[0], ['second', 'first']);
  assert.deepEqual(views[1], views[0]);
});

test('a qcow2 with a backing file or a garbage header is refused with the reason', () => {
  const base = join(dir, 'base.qcow2');
  const overlay = join(dir, 'overlay.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', base, '1M']);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', overlay]);
  assert.throws(() => openDiskFile(overlay), /backing file/);
  const junk = join(dir, 'junk.qcow2');
  const header = Buffer.alloc(512);
  header.writeUInt32BE(0x514649fb, 0);
  header.writeUInt32BE(3, 4);
  header.writeUInt32BE(40, 20);
  writeFileSync(junk, header);
  assert.throws(() => openDiskFile(junk), DiskFormatError);
  const empty = join(dir, 'empty.raw');
  writeFileSync(empty, Buffer.alloc(8192));
  assert.throws(() => openStoreFile(empty), /superblock/i);
});
