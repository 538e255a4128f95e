// boot.test.mjs — the kernel booted in QEMU (TCG, or KVM when its probe passed): reads serial 1
// and checks the boot, the command line, the panic report, the disk driver and the pager.
// Builds nothing: `npm test` runs `make -C kernel-src` first. Every console log is attached to
// a failing assertion and written to artifacts/kernel-boot/.
import assert from 'node:assert/strict';
import { mkdirSync, openSync, closeSync, readFileSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as S from '@phantom/lang/common/spec/generated.js';
import { buildStoreDisk } from './lib/machine.mjs';
import { StoreDisk } from '@phantom/lang/common/store/forge.js';
import { boot, haltExitCode, kernelDir, patternDisk, tempDir, writeStoreDisk } from './qemu.mjs';
import { headerOnlySpace } from './spaces.mjs';

const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');
let temp;
let disk;

before(async () => {
  temp = await tempDir();
  disk = join(temp.dir, 'disk.img');
  await patternDisk(disk, 2048); // 8 MiB: the pager self-test's space (the disk test writes only its last blocks)
});
after(() => temp?.cleanup());

/** Asserts `pattern` is in the log; on failure the message carries the whole console log. */
function expectLine(run, pattern, name) {
  if (pattern.test(run.log)) return;
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${name}.log`), run.log);
  assert.fail(`console does not match ${pattern}\n--- console (${name}) ---\n${run.log}--- end ---`);
}

function expectExit(run, status, name) {
  if (run.code === haltExitCode(status)) return;
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${name}.log`), run.log);
  assert.fail(
    `expected the kernel to halt with status ${status} (QEMU exit ${haltExitCode(status)}), got exit ${run.code}` +
      `${run.timedOut ? ' (deadline passed)' : ''}\n--- console (${name}) ---\n${run.log}--- end ---`,
  );
}

test('boots, initialises the machine, warns about bad options, and stops cleanly without a store', async () => {
  const name = 'blank-disk';
  const blank = join(temp.dir, 'blank.img');
  await patternDisk(blank, 1024, 0);
  const run = await boot({ append: 'snap=250 colour=blue gen=-1', disk: blank });
  expectLine(run, /^Phantom kernel \(i386, multiboot\)\r$/m, name);
  expectLine(run, /cmdline: warning: unknown option 'colour=blue' ignored/, name);
  expectLine(run, /cmdline: warning: bad value in 'gen=-1' ignored/, name);
  expectLine(run, /timer: TSC \d+\.\d{3} MHz \(calibrated on the PIT\), wake-up tick at 1000 Hz/, name);
  expectLine(run, /rtc: 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC/, name);
  expectLine(run, /pmm: \d+ MiB free/, name);
  expectLine(run, /paging: identity map/, name);
  expectLine(run, /virtio-blk: disk 0 at .* 1024 blocks \(4 MiB\)/, name);
  expectLine(run, /store: cannot mount the store on virtio0: STORE_ENOSTORE/, name);
  expectLine(run, /boot: cannot continue\r\nhalted/, name);
  expectExit(run, 2, name);
});

test('without a disk it says so and halts', async () => {
  const name = 'no-disk';
  const run = await boot({ append: 'store=virtio0' });
  expectLine(run, /virtio-blk: no disk 0/, name);
  expectExit(run, 2, name);
});

test('an unknown store device is reported', async () => {
  const name = 'bad-store';
  const run = await boot({ append: 'store=floppy', disk });
  expectLine(run, /store: unknown store device 'floppy'/, name);
  expectExit(run, 2, name);
});

test('a page fault in the kernel gives a panic report with registers, fault address and a symbolic trace', async () => {
  const name = 'panic-test';
  const run = await boot({ append: 'debug=panic-test' });
  expectLine(run, /PANIC: page fault \(vector 14, error code 0x2\)/, name);
  expectLine(run, /fault address dead0000 \(page not present, write, data\)/, name);
  expectLine(run, /eax [0-9a-f]{8} ebx [0-9a-f]{8} ecx [0-9a-f]{8} edx [0-9a-f]{8}/, name);
  expectLine(run, /eip [0-9a-f]{8} cs 0008 eflags [0-9a-f]{8}/, name);
  expectLine(run, /cr2 dead0000/, name);
  expectLine(run, /stack trace:\r\n {2}#0 {2}0x[0-9a-f]{8} panic_test_fault[.\w]*\+0x[0-9a-f]+\r\n/, name);
  expectLine(run, /#\d+ +0x[0-9a-f]{8} kmain\+0x[0-9a-f]+/, name);
  expectLine(run, /halted/, name);
  expectExit(run, 1, name);
});

test('a kernel stack overflow hits the guard page and the double-fault task reports it', async () => {
  const name = 'stack-test';
  const run = await boot({ append: 'debug=stack-test' });
  expectLine(run, /PANIC: double fault: kernel stack overflow \(the stack reached its guard page\)/, name);
  expectLine(run, /esi [0-9a-f]{8} edi [0-9a-f]{8} ebp [0-9a-f]{8} esp [0-9a-f]{8}/, name);
  expectLine(run, /#0 {2}0x[0-9a-f]{8} stack_test_recurse[.\w]*\+0x[0-9a-f]+/, name);
  expectLine(run, /\.\.\. the same frame \d+ more times\r\n/, name);
  expectLine(run, /#\d+ +0x[0-9a-f]{8} kmain\+0x[0-9a-f]+/, name);
  expectExit(run, 1, name);
});

test('the virtio-blk driver reads, writes, flushes and rejects out-of-range blocks', async () => {
  const name = 'disk-test';
  const run = await boot({ append: 'debug=disk-test', disk });
  expectLine(run, /selftest disk-test: ok/, name);
  expectExit(run, 0, name);
});

test('the pager maps pages on demand, shares the zero page, tracks dirty pages and copies frozen pages on write', async () => {
  const name = 'pager-test';
  const run = await boot({ append: 'debug=pager-test', disk });
  expectLine(run, /pager: object space 40000000\.\.40800000 \(8 MiB\)/, name);
  expectLine(run, /selftest pager-test: ok/, name);
  expectExit(run, 0, name);
});

test('a space larger than RAM: clean pages are evicted and read again, dirty and frozen ones written out and back', async () => {
  const name = 'evict-test';
  const patterned = join(temp.dir, 'patterned.img');
  await patternDisk(patterned, 6144, 2048); /* the 8 MiB test space, then twice as much for pages and copies written out */
  const run = await boot({ append: 'debug=evict-test', disk: patterned, memory: '8M' });
  expectLine(run, /selftest evict-test: \d+ evictions, \d+ reads/, name);
  expectLine(run, /selftest evict-test: \d+ pages written out, \d+ read back, \d+ copies/, name);
  expectLine(run, /selftest evict-test: ok/, name);
  expectExit(run, 0, name);
});

test('mounts generation 0 of a 64 MiB store, pages the space in from it and runs it', async () => {
  const name = 'store-mount';
  const store = join(temp.dir, 'store.img');
  const source = join(temp.dir, 'hello.ph');
  writeFileSync(source, 'package .test;\nimport .internal.io.tty;\nclass hello {\n  void run() { tty.println("hello from the store"); }\n};\n');
  await buildStoreDisk(store, [source], ['.test.hello']);
  const run = await boot({ append: 'gen=9', disk: store, until: /vm: every thread has ended/ });
  expectLine(run, /store: generation 9 is not kept on the store; booting the newest instead/, name);
  expectLine(run, /pager: object space 40000000\.\.44000000 \(64 MiB\)/, name);
  expectLine(run, new RegExp(`space: generation 0: magic 534f4850 version ${S.FORMAT_VERSION} size 67108864 root [0-9a-f]{8} top [0-9a-f]{8}`), name);
  expectLine(run, /store: mounted generation 0 of \d+ blocks, object space 64 MiB, \d+ pages kept for the pager/, name);
  expectLine(run, /hello from the store/, name);
});

/** A counter store (4 MiB space) as `phc image` writes it, held in memory to be changed. */
async function counterStore(path) {
  await buildStoreDisk(path, [join(kernelDir, '..', 'lang', 'examples', 'counter.ph')], ['.demo.counter'], {
    spaceBytes: 4 << 20,
  });
  return new StoreDisk(new Uint8Array(readFileSync(path)));
}

test('a newest generation whose checksums verify but whose root dangles is not booted: its parent is, saying why', async () => {
  const name = 'unsound-newest';
  const store = join(temp.dir, 'unsound.img');
  const disk = await counterStore(store);
  const header = disk.space(disk.entry(0).recordBlock).slice(0, 4096);
  // The root now refers to the space's last page, past SH_TOP: no object is there.
  new DataView(header.buffer).setUint32(S.SH_ROOT, S.SPACE_BASE + (4 << 20) - 4096 + S.REF_TAG, true);
  disk.appendGeneration(0, new Map([[0, header]]));
  writeFileSync(store, disk.bytes);
  const run = await boot({ disk: store, until: /tick 2\r?$/m });
  expectLine(
    run,
    /store: generation 1 is damaged: its object space is not sound: SH_ROOT is not an object with the root's slots; it will not be used/,
    name,
  );
  expectLine(run, /store: using generation 0 instead of generation 1/, name);
  expectLine(run, /store: mounted generation 0 of/, name);
  expectLine(run, /tick 2/, name);
});

test('a store with no generation number left stops the machine with a reason instead of running without persistence', async () => {
  const name = 'no-number-left';
  const store = join(temp.dir, 'exhausted.img');
  const disk = await counterStore(store);
  disk.set32(S.SB_BLOCK_A, S.SB_NEWEST_GEN, 0xfffffffe);
  disk.sealSuperblock(S.SB_BLOCK_A);
  writeFileSync(store, disk.bytes);
  const run = await boot({ append: 'snap=200', disk: store });
  expectLine(run, /store: mounted generation 0 of/, name);
  expectLine(
    run,
    /snapshot: the store cannot take another generation: no generation number is left \(STORE_ENONUMBER\)\r\nsnapshot: stopping the machine rather than run without persistence/,
    name,
  );
  expectExit(run, 4, name);
  assert.doesNotMatch(run.log, /tick 1/, 'no thread ran');
});

test('a page that fails its checksum is found at mount: the generation is reported damaged, and with no older one the boot stops', async () => {
  const name = 'damaged-page';
  const { writeGeneration0 } = await import('@phantom/lang/common/store/generation0.js');
  const store = join(temp.dir, 'damaged.img');
  await writeStoreDisk(store, writeGeneration0(headerOnlySpace(64 << 20)));
  // Generation 0's layout (store-format.md): blocks 0-3 metadata, then 32 map blocks for 64 MiB,
  // then the non-zero pages in page order: block 36 holds page 0, the space header.
  const fd = openSync(store, 'r+');
  writeSync(fd, Buffer.from([0xff]), 0, 1, 36 * 4096 + 100);
  closeSync(fd);
  const run = await boot({ disk: store });
  expectLine(run, /store: generation 0 is damaged: a page fails its checksum \(block 36\); it will not be used/, name);
  expectLine(run, /store: cannot mount the store on virtio0: STORE_ENOVALID/, name);
  expectExit(run, 2, name);
});
