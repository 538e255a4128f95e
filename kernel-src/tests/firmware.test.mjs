// firmware.test.mjs — the kernel under both firmwares a machine may get (vm-manager/src/node/firmware.ts):
// qboot with the trimmed PC, the fast path every boot here and every machine takes where QEMU has
// qboot, and QEMU's defaults (SeaBIOS, plain `pc`), the fallback where it does not. qboot assigns
// no PCI I/O ports and leaves the local APIC's LINT0 masked, both of which SeaBIOS does for the
// kernel: under qboot the kernel must give the disk its ports (pci_assign_io_bar) and let the
// 8259's interrupts through (pic.c) itself, and qboot writes a wrong interrupt line into the disk's
// PCI header, so the kernel reads the chipset's routing (pci.c). Checks the timer's interrupts, the disk driver and its
// interrupt, and a resume after a power cut, and that the kernel says when it started on the
// machine's clock. The qboot runs are skipped, saying so, where this QEMU installation has no qboot.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildStoreDisk, Machine } from './lib/machine.mjs';
import { boot, firmware, haltExitCode, kernelDir, MACHINE_ARGS, patternDisk, tempDir } from './qemu.mjs';

const VARIANTS = [
  { name: 'qboot', machine: MACHINE_ARGS, skip: firmware.kind === 'qboot' ? false : firmware.why },
  { name: "QEMU's default firmware", machine: [], skip: false },
];
for (const { name, skip } of VARIANTS) if (skip) console.log(`# firmware tests (${name}) skipped: ${skip}`);

let temp;
before(async () => {
  temp = await tempDir();
});
after(() => temp?.cleanup());

const explain = (run) => `\n--- console ---\n${run.log}--- end ---`;

for (const { name, machine, skip } of VARIANTS) {
  test(`under ${name} the timer interrupts arrive (the accelerator probe halts on them)`, { skip }, async () => {
    const run = await boot({ append: 'debug=accel-probe', machine });
    assert.match(run.log, /selftest accel-probe: ok/, explain(run));
    // The TSC counts from the machine's start, so the kernel cannot have started later than the
    // host saw the line that says so.
    const entered = run.marks.find((m) => /^timer: kernel entered at \d+\.\d{3} ms of machine time/.test(m.line));
    assert.ok(entered, explain(run));
    const ms = Number(/at (\d+\.\d{3}) ms/.exec(entered.line)[1]);
    assert.ok(ms > 0 && ms < entered.ms, `${entered.line}, seen ${entered.ms.toFixed(0)} ms after spawning QEMU${explain(run)}`);
    assert.equal(run.code, haltExitCode(0), explain(run));
  });

  test(`under ${name} the disk gets I/O ports and reads, writes and flushes`, { skip }, async () => {
    const disk = join(temp.dir, `pattern-${machine.length}.img`);
    await patternDisk(disk, 2048);
    const run = await boot({ append: 'debug=disk-test', disk, machine });
    // Slot 2's INTA is PIRQ B, which both firmwares route to IRQ 10 (qboot's header says 11).
    assert.match(run.log, /virtio-blk: disk 0 at 00:02\.0 io c[0-9a-f]{3} irq 10,/, explain(run));
    assert.match(run.log, /selftest disk-test: ok/, explain(run));
    assert.equal(run.code, haltExitCode(0), explain(run));
  });

  test(`under ${name} a machine cut off after a generation resumes from it`, { skip, timeout: 240_000 }, async () => {
    const disk = join(temp.dir, `counter-${machine.length}.img`);
    await buildStoreDisk(disk, [join(kernelDir, '..', 'lang', 'examples', 'counter.ph')], ['.demo.counter'], {
      spaceBytes: 4 << 20,
    });
    const first = new Machine({ disk, append: 'snap=200 debug=snapshots', machine });
    let committed;
    try {
      const generation = await first.waitForLine(/^snapshot: generation (\d+) /);
      // The tick the generation holds is at least the last one printed before its freeze.
      const froze = first.lines.findIndex((l) => l.line.includes(` pages of generation ${generation.match[1]} in `));
      const ticks = first.lines.slice(0, froze).map((l) => /^tick (\d+)$/.exec(l.line)).filter(Boolean);
      committed = { number: Number(generation.match[1]), tick: ticks.length ? Number(ticks.at(-1)[1]) : 0 };
    } finally {
      await first.kill();
    }
    const again = new Machine({ disk, append: 'snap=0', machine });
    try {
      const mounted = await again.waitForLine(/^store: mounted generation (\d+) /);
      assert.ok(Number(mounted.match[1]) >= committed.number, `mounted ${mounted.match[1]}, committed ${committed.number}`);
      const tick = await again.waitForLine(/^tick (\d+)$/);
      assert.ok(Number(tick.match[1]) > committed.tick, `resumed at tick ${tick.match[1]}, the generation held ${committed.tick}\n${again.log}`);
    } finally {
      await again.kill();
    }
  });
}
