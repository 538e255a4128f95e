import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeGeneration0 } from '@phantom/lang/common/store/generation0.js';
import type { GenerationInfo } from '../common/debug-protocol.js';
import { instancesOf } from '../common/graph.js';
import { ref, SpaceFixture } from '../common/heap-fixture.test.js';
import { DiskFormatError, openDiskFile } from './disk-file.js';
import { type CommittedView, followCommitted } from './live-view.js';
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

test('followCommitted spaces its reads of the disk: a burst of announcements, a view at most every interval', async () => {
  const raw = join(dir, 'followed.raw');
  writeRawStore(raw);
  const listeners: ((g: GenerationInfo) => void)[] = [];
  const announcer = {
    onDidCommitGeneration(listener: (g: GenerationInfo) => void) {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
  };
  const INTERVAL_MS = 150;
  const views: { at: number; view: CommittedView }[] = [];
  const errors: Error[] = [];
  const following = followCommitted(
    announcer,
    raw,
    (view) => views.push({ at: performance.now(), view }),
    (err) => errors.push(err),
    INTERVAL_MS,
  );
  // A machine committing every 5 ms for 600 ms (the store holds generation 0: each announces it).
  const start = performance.now();
  let announcements = 0;
  let lastAnnounced = 0;
  while (performance.now() - start < 600) {
    lastAnnounced = performance.now();
    for (const l of listeners) l({ number: 0 } as GenerationInfo);
    announcements++;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const deadline = performance.now() + 10_000;
  while ((views.at(-1)?.view.announcedAt ?? 0) < lastAnnounced && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  following.dispose();
  assert.deepEqual(errors, []);
  assert.ok(announcements > 10, `${announcements} announcements`);
  assert.ok(
    (views.at(-1)?.view.announcedAt ?? 0) >= lastAnnounced,
    'the last announcement is read: none is lost',
  );
  assert.ok(views.length >= 2 && views.length <= 2 + 600 / INTERVAL_MS, `${views.length} views`);
  assert.equal(
    views[0]!.view.announcedAt - start < INTERVAL_MS,
    true,
    'the first announcement is read at once',
  );
  for (let i = 1; i < views.length; i++)
    assert.ok(
      views[i]!.at - views[i - 1]!.at >= INTERVAL_MS - 2,
      `views ${i - 1} and ${i} apart by at least the interval`,
    );
  assert.equal(listeners.length, 0, 'disposed: no longer listening');
});

test('followCommitted skips a generation gone from the disk before its turn, and reports a disk it cannot read', async () => {
  const raw = join(dir, 'gone.raw');
  writeRawStore(raw);
  const listeners: ((g: GenerationInfo) => void)[] = [];
  const announce = (number: number) => {
    for (const l of listeners) l({ number } as GenerationInfo);
  };
  const announcer = {
    onDidCommitGeneration(listener: (g: GenerationInfo) => void) {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
  };
  const seen: number[] = [];
  const errors: Error[] = [];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  const following = followCommitted(
    announcer,
    raw,
    (view) => seen.push(view.generation),
    (err) => errors.push(err),
  );
  announce(7); // reclaimed by retention, or a revert put the disk back: not kept any more
  await settle();
  announce(0);
  await settle();
  assert.equal(errors.length, 0, errors.join('; '));
  assert.deepEqual(seen, [0]);
  writeFileSync(raw, Buffer.alloc(8192)); // a disk that cannot be read at all is worth a word
  announce(0);
  await settle();
  following.dispose();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /superblock/i);
});
