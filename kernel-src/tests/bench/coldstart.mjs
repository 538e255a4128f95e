// coldstart.mjs — benchmark (issue 21): cold resume after a power cut, from spawning QEMU to the
// program's first line, 64 MiB object space, on three paths with boots interleaved in one run:
// as when issue 21 was filed (the kernel of main then, baseline-kernel.mjs's ISSUE_21_FILED, on
// QEMU's machine of then: plain `pc`, SeaBIOS), this kernel on QEMU's defaults (SeaBIOS on plain
// `pc`) and this kernel on the machine and firmware everything now boots with (vm-manager's choice,
// tests/qemu.mjs's MACHINE_ARGS: qboot and the trimmed PC). Each boot starts from a fresh copy of
// the store the power cut left (the kernel as filed, a store of its own, cut by itself), so every
// boot of a path resumes the same generation. The milestones are the console lines' host arrival times (QEMU, its
// firmware and the kernel's load up to the kernel's first line; the machine set up; the store disk
// found; the store mounted, whose own figure the kernel prints; the program's first line), split by
// the machine's own clock: the kernel reads the TSC first thing, which QEMU starts at zero when the
// machine starts, so the firmware's time is measured inside the guest and QEMU's own start is what
// remains of the kernel's first line. Writes kernel-src/docs/bench-coldstart.md.
// Run: npm run bench, make -C kernel-src bench, or node this file (COLDSTART_BOOTS: boots per path, default 30).
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { acceleratorLine, benchHeading } from '../../../scripts/bench-header.mjs';
import { cpuMs } from '../lib/cpu-time.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { accelerator, firmware, kernelDir, kernelPath, MACHINE_ARGS, tempDir } from '../qemu.mjs';
import { baselineKernel, ISSUE_21_FILED, ISSUE_21_MACHINE_ARGS } from './baseline-kernel.mjs';
import { replaceSections } from './doc-sections.mjs';

/** The peer: a kernel that prints a line and powers off at once (tests/bench/poweroff.S, built by make). */
const POWEROFF_KERNEL = join(kernelDir, 'build', 'poweroff.elf');
const POWEROFF_LINE = /^poweroff: entered/;

const BOOTS = Number(process.env.COLDSTART_BOOTS ?? 30);
const SPACE_MIB = 64;
const PAGE = 4096;
const MEMORY = '256M';
const LONG_MS = 600_000;
const HEADING = '## Cold resume after a power cut';
const PREAMBLE = `# Cold start benchmarks

Written by \`kernel-src/tests/bench/coldstart.mjs\` (issue 21): where the time from QEMU's start to a
resumed program's first line goes, on three paths: as when issue 21 was filed (the kernel of main
then, ${ISSUE_21_FILED}, built from git by \`tests/bench/baseline-kernel.mjs\` into \`kernel-src/build/\`,
on QEMU's machine of then, \`${ISSUE_21_MACHINE_ARGS.join(' ')}\` with SeaBIOS, as vm-manager started
machines at ${ISSUE_21_FILED}; its own store, cut by itself), this kernel on QEMU's defaults (SeaBIOS
on plain \`pc\`, the firmware before issue 21), and this kernel on the machine and firmware
everything that starts a guest now takes from \`vm-manager/src/node/firmware.ts\` (the qemu and
libvirt drivers, \`kernel-src/tests/qemu.mjs\` and so the kernel's tests and benchmarks): qboot,
where QEMU has it, on a PC without ACPI, HPET, VMware port or SMBus. The kernel as filed prints
neither its entry time nor its mount's page figures, so those rows have none for it.

The mount is not lazy. Before any thread runs it reads every non-zero page of the generation and
checks its CRC, then lets the VM check the whole space, because the mount rule
(lang/docs/store-format.md, "Which generation a store mounts", 4.3 and 4.4) makes a generation
usable only once both passed, and falls back to its parent otherwise; \`store-agree.test.mjs\`
checks that the kernel, \`phstore\` and lang's reader choose alike. A lazy mount would have to let
programs run on a generation not yet known to be sound: their output and any generation committed
on top of it would have to be withheld until the check ends, and undone (a restart from the
parent) when it fails, a change to the documented rule and to all three readers. And the VM's
check reads every page that holds an object anyway: deferring the page reads would help only with
that check made lazy too (the kernel's mount figure below holds the reads, the CRCs and the check).
`;
const out = join(kernelDir, 'docs', 'bench-coldstart.md');
const MOUNTED_LINE = /^store: mounted generation (\d+) .*, (\d+) pages kept for the pager, in (\d+) ms$/;
const PROGRAM_LINE = /^round \d+$/;
const PAGES_LINE = /^store: the mount's pages: (\d+) read in (\d+) requests and (\d+) waits, waiting for the disk (\d+) us, CRCs (\d+) us, kept copies (\d+) us; contents check (\d+) us$/;
const ENTERED_LINE = /^timer: kernel entered at (\d+\.\d{3}) ms of machine time/;

if (firmware.kind !== 'qboot') {
  console.error(`coldstart: ${firmware.why}; nothing to compare with`);
  process.exit(1);
}
const filed = await baselineKernel(ISSUE_21_FILED);
/** The stores the paths resume: each cut by its kernel on that kernel's own machine. */
const STORES = {
  today: { file: 'cut.img', kernel: kernelPath, machine: MACHINE_ARGS },
  filed: { file: 'cut-filed.img', kernel: filed.kernelPath, machine: ISSUE_21_MACHINE_ARGS },
};
/** The paths, in the order each round boots them: the kernel, Machine's `machine` option, the store. */
const PATHS = [
  {
    name: `as filed: ${ISSUE_21_FILED}'s kernel, \`${ISSUE_21_MACHINE_ARGS.join(' ')}\` (SeaBIOS)`,
    kernel: filed.kernelPath,
    machine: ISSUE_21_MACHINE_ARGS,
    store: STORES.filed,
  },
  { name: 'this kernel, QEMU\'s defaults (SeaBIOS, plain `pc`), before', kernel: kernelPath, machine: [], store: STORES.today },
  { name: `this kernel, \`${MACHINE_ARGS.join(' ')}\`, everything's now`, kernel: kernelPath, machine: MACHINE_ARGS, store: STORES.today },
];
const [AS_FILED, SEABIOS, NOW] = [0, 1, 2];

/** A store (STORES' entry) whose program has committed generations, cut (kill -9) while it runs on. */
async function cutStore(dir, { file, kernel, machine }) {
  const source = join(dir, 'coldstart.ph');
  await writeFile(source, dirtierSource(Math.round(((SPACE_MIB << 20) / PAGE) * 0.1), { progress: true, by: 'kernel-src/tests/bench/coldstart.mjs' }));
  const disk = join(dir, file);
  await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: SPACE_MIB << 20 });
  const first = new Machine({ disk, append: 'snap=1000 debug=snapshots', memory: MEMORY, kernel, machine });
  try {
    const ready = await first.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
    await first.waitForLine(/^snapshot: generation/, { from: ready.index, deadlineMs: LONG_MS });
  } finally {
    await first.kill();
  }
  return disk;
}

/** One cold resume of a copy of `cut` by `kernel` on the machine `machine`: the milestones in ms from spawning QEMU. */
async function resume(cut, copy, kernel, machineArgs) {
  execFileSync('cp', ['--sparse=always', cut, copy]);
  const machine = new Machine({ disk: copy, append: 'snap=1000', memory: MEMORY, machine: machineArgs, kernel });
  try {
    const program = await machine.waitForLine(PROGRAM_LINE, { deadlineMs: LONG_MS });
    const cpu = cpuMs(machine.pid);
    const at = (pattern) => {
      const line = machine.lines.find((l) => pattern.test(l.line));
      return line ? line.at - machine.startedAt : undefined;
    };
    const mounted = MOUNTED_LINE.exec(machine.lines.find((l) => MOUNTED_LINE.test(l.line))?.line ?? '');
    const pages = PAGES_LINE.exec(machine.lines.find((l) => PAGES_LINE.test(l.line))?.line ?? '');
    const entered = ENTERED_LINE.exec(machine.lines.find((l) => ENTERED_LINE.test(l.line))?.line ?? '');
    const kernel = at(/^Phantom kernel/);
    const firmwareMs = entered ? Number(entered[1]) : undefined;
    return {
      qemu: kernel === undefined || firmwareMs === undefined ? undefined : kernel - firmwareMs,
      firmware: firmwareMs,
      kernel,
      paging: at(/^paging:/),
      disk: at(/^virtio-blk: disk 0/),
      mounted: at(MOUNTED_LINE),
      program: program.at - machine.startedAt,
      cpu,
      mountMs: mounted ? Number(mounted[3]) : undefined,
      waits: pages ? Number(pages[3]) : undefined,
      diskMs: pages ? Number(pages[4]) / 1000 : undefined,
      crcMs: pages ? Number(pages[5]) / 1000 : undefined,
      keepMs: pages ? Number(pages[6]) / 1000 : undefined,
      checkMs: pages ? Number(pages[7]) / 1000 : undefined,
      generation: mounted ? Number(mounted[1]) : undefined,
      pagesKept: mounted ? Number(mounted[2]) : undefined,
    };
  } finally {
    await machine.kill();
  }
}

/**
 * QEMU's floor on this host: the same command line (machine, firmware, memory, disk) with a kernel
 * that prints one line and powers off at once. Its line is what QEMU, the firmware and the load
 * cost before any of our code runs; its exit, QEMU's whole life around nothing.
 */
async function floor(cut, copy, machineArgs) {
  execFileSync('cp', ['--sparse=always', cut, copy]);
  const machine = new Machine({ disk: copy, append: 'snap=1000', memory: MEMORY, machine: machineArgs, kernel: POWEROFF_KERNEL });
  try {
    const line = await machine.waitForLine(POWEROFF_LINE, { deadlineMs: LONG_MS });
    const code = await machine.exited();
    if (code !== 1) throw new Error(`the power-off kernel ended QEMU with ${code}, not 1:\n${machine.log}`);
    return { floorLine: line.at - machine.startedAt, floorExit: performance.now() - machine.startedAt };
  } finally {
    await machine.kill();
  }
}

const percentile = (values, p) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const fmt = (v) => (v === undefined ? 'n/a' : v.toFixed(0));

const temp = await tempDir();
try {
  const loadBefore = loadavg()[0].toFixed(1);
  const cuts = new Map();
  for (const store of Object.values(STORES)) cuts.set(store, await cutStore(temp.dir, store));
  const copy = join(temp.dir, 'resume.img');
  const results = PATHS.map(() => ({ boots: [] }));
  for (let i = 0; i < BOOTS; i++) {
    for (const [p, path] of PATHS.entries()) {
      const cut = cuts.get(path.store);
      const boot = await resume(cut, copy, path.kernel, path.machine);
      results[p].boots.push({ ...boot, ...(await floor(cut, copy, path.machine)) });
      process.stderr.write(`coldstart: boot ${i + 1}/${BOOTS} path ${p + 1}: ${fmt(results[p].boots.at(-1).program)} ms\n`);
    }
  }
  const loadAfter = loadavg()[0].toFixed(1);
  const sample = results[NOW].boots[0];
  const filedSample = results[AS_FILED].boots[0];
  for (const store of cuts.keys()) {
    const ofCut = results.filter((_, p) => PATHS[p].store === store);
    const resumed = new Set(ofCut.flatMap((r) => r.boots.map((b) => `${b.generation}/${b.pagesKept}`)));
    if (resumed.size !== 1) throw new Error(`the boots of one store resumed different generations: ${[...resumed].join(', ')}`);
  }
  const column = (r, key) => r.boots.map((b) => b[key]);
  const rows = [
    ['QEMU\'s own start, to the machine running (the next row less the one after)', (r) => column(r, 'qemu')],
    ['the firmware and the kernel\'s load, on the machine\'s clock (TSC at the kernel\'s entry)', (r) => column(r, 'firmware')],
    ['→ kernel\'s first line (QEMU, firmware, multiboot load)', (r) => column(r, 'kernel')],
    ['QEMU\'s floor, the peer: → first line of a kernel that powers off at once (same command line)', (r) => column(r, 'floorLine')],
    ['QEMU\'s floor, the peer: → that QEMU exited', (r) => column(r, 'floorExit')],
    ['→ machine set up (paging on)', (r) => column(r, 'paging')],
    ['→ store disk found (virtio-blk)', (r) => column(r, 'disk')],
    ['→ store mounted (pages checked, space validated)', (r) => column(r, 'mounted')],
    ['**→ program\'s first line**', (r) => column(r, 'program')],
    ['ours: the program\'s first line less the peer\'s line, boot by boot', (r) => r.boots.map((b) => b.program - b.floorLine)],
    ['mount, the kernel\'s own figure', (r) => column(r, 'mountMs')],
    ['… of which waiting for the disk (pages 64 at a time, one wait each wherever their blocks lie)', (r) => column(r, 'diskMs')],
    ['… of which the pages\' CRCs', (r) => column(r, 'crcMs')],
    ['… of which copying the checked pages into frames kept for the pager', (r) => column(r, 'keepMs')],
    ['… of which the contents check (`vm_try_start`)', (r) => column(r, 'checkMs')],
    ['waits for the disk for those pages', (r) => column(r, 'waits')],
    ['QEMU\'s CPU time (user + system) up to the program\'s first line', (r) => column(r, 'cpu')],
  ];
  const header = `| ms from spawning QEMU | ${PATHS.map((p) => `${p.name} p50 | p99`).join(' | ')} |`;
  const table = [
    header,
    `| --- | ${PATHS.map(() => '---: | ---:').join(' | ')} |`,
    ...rows.map(([name, pick]) => `| ${name} | ${results.map((r) => `${fmt(percentile(pick(r), 50))} | ${fmt(percentile(pick(r), 99))}`).join(' | ')} |`),
  ].join('\n');
  const p50 = (r) => percentile(column(r, 'program'), 50);
  const ratio = (r, key, of = results[SEABIOS]) => (percentile(column(r, key), 50) / percentile(column(of, key), 50)).toFixed(2);
  const section = `${benchHeading(HEADING, acceleratorLine(accelerator))}

Command: \`${process.env.COLDSTART_BOOTS ? `COLDSTART_BOOTS=${BOOTS} ` : ''}node kernel-src/tests/bench/coldstart.mjs\` (also run by \`make -C kernel-src bench\` and \`npm run bench\`; \`COLDSTART_BOOTS\` boots per path, default 30).
A ${SPACE_MIB} MiB space running a program that rewrites 10% of its pages every round (\`tests/lib/dirtier.mjs\`), killed
(kill -9, the power cut) right after its first generation since it allocated; then ${BOOTS} cold resumes on each
path, interleaved, each from a fresh copy of that store: \`qemu-system-i386 -accel ${accelerator.accel} -m ${MEMORY} -nodefaults
-kernel build/phantom.elf -append snap=1000\` and the store as a raw virtio disk, plus each path's arguments
(as filed: \`-kernel kernel-src/build/baseline-${filed.commit.slice(0, 12)}/kernel-src/build/phantom.elf\`, built from git at ${ISSUE_21_FILED} on the first run).
This kernel resumed generation ${sample.generation ?? 'n/a'} (${sample.pagesKept ?? 'n/a'} non-zero pages checked at mount and kept for the pager) every time;
the kernel as filed, generation ${filedSample.generation ?? 'n/a'} of its own store (${filedSample.pagesKept ?? 'n/a'} pages) every time.
Times are host arrival times of the console lines, from spawning QEMU${BOOTS < 100 ? `; with ${BOOTS} boots the p99 is the slowest of them` : ''}.
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.env.BENCH_HOST ?? 'the development VM'} (2 cores shared with other work; load average ${loadBefore} before, ${loadAfter} after).

${table}

Ratios of the new path's p50s (the last column) to this kernel's on SeaBIOS: program's first line ${ratio(results[NOW], 'program')}; kernel's first line ${ratio(results[NOW], 'kernel')}; the firmware and the kernel's load ${ratio(results[NOW], 'firmware')}; QEMU's own start ${ratio(results[NOW], 'qemu')}; QEMU's CPU time ${ratio(results[NOW], 'cpu')}.
To the path as filed: program's first line ${ratio(results[NOW], 'program', results[AS_FILED])}; kernel's first line ${ratio(results[NOW], 'kernel', results[AS_FILED])}; the store mounted ${ratio(results[NOW], 'mounted', results[AS_FILED])}; ours (less the peer's line) ${(percentile(results[NOW].boots.map((b) => b.program - b.floorLine), 50) / percentile(results[AS_FILED].boots.map((b) => b.program - b.floorLine), 50)).toFixed(2)}; QEMU's CPU time ${ratio(results[NOW], 'cpu', results[AS_FILED])}.
Goal (issue 21): p50 ≤ 300 ms at ${SPACE_MIB} MiB on the new path (the last column); measured ${fmt(p50(results[NOW]))} ms${p50(results[NOW]) <= 300 ? ' (met)' : ' (not met in this run)'}.
QEMU's own floor on the new path in the same run (the peer kernel's line): p50 ${fmt(percentile(column(results[NOW], 'floorLine'), 50))} ms${percentile(column(results[NOW], 'floorLine'), 50) > 300 ? ', above the goal by itself: no kernel can meet it on this host' : ''}; what is ours on top of it, p50 ${fmt(percentile(results[NOW].boots.map((b) => b.program - b.floorLine), 50))} ms.

Reading it, row by row. The first two rows split the third: QEMU's own start is the process
starting (loading its libraries, building the machine) up to the machine's first instruction,
which no firmware changes; the firmware's row is the machine time before the kernel's first
instruction, its work and its load of the kernel, the part qboot shortens, read from the kernel's
TSC, which QEMU starts at zero when the machine starts running under TCG (the kernel prints its
first line right after). From the third row on each is host time from spawning QEMU, so each
includes the rows above it: to paging on is the kernel's own set-up, mostly calibrating the TSC
on the PIT (about 10 ms of guest time); to the disk is the PCI scan and virtio set-up; to mounted
is the mount, whose own figure (the kernel's TSC) has its row: the superblocks, index, records and page maps
(read ahead, up to 64 map blocks a wait), then every non-zero page of the generation read 64 at a
time with one wait for the disk wherever their blocks lie and checked against its CRC, then the VM's check of the whole space (\`vm_try_start\`), which the documented mount rule
(lang/docs/store-format.md, "Which generation a store mounts", steps 4.3 and 4.4) requires before
a generation may be used; then the first scheduler turns up to the program's line, which
includes what was left of the program's 50 ms sleep as of the generation (its machine time is
its freeze's). The peer rows boot, right after each resume and with the same command line,
\`build/poweroff.elf\` (\`tests/bench/poweroff.S\`): a kernel that prints one line and powers
off at once, so its line is QEMU's own floor on this host, which no kernel can go below; "ours"
is each resume's time less the peer boot's beside it. On a loaded
host every row stretches with the time QEMU waits for a core; QEMU's CPU time (read when the
program's line arrives, in 10 ms ticks) is the work it did, which the load changes far less. The
ratios of the columns, measured interleaved, are what to compare.
`;
  const before = await readFile(out, 'utf8').catch(() => '');
  await writeFile(out, replaceSections(before, PREAMBLE, [{ key: HEADING, text: section }]));
  console.log(section);
} finally {
  await temp.cleanup();
}
