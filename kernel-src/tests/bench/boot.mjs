// boot.mjs — benchmark: QEMU start to the kernel's first console line, to its machine set-up
// done (paging on), to the store disk found, and to the end of the boot (the object space
// mounted and checked, or the reason it could not be), over several boots in one run. Writes
// the table to kernel-src/docs/bench-kernel.md. Run: make -C kernel-src bench (or node this file).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, kernelDir, tempDir, writeStoreDisk } from '../qemu.mjs';
import { headerOnlySpace } from '../spaces.mjs';

const runs = Number(process.env.BOOT_RUNS ?? 10);
const spaceMiB = 64;

async function storeDisk(path) {
  const { writeGeneration0 } = await import('@phantom/lang/common/store/generation0.js');
  await writeStoreDisk(path, writeGeneration0(headerOnlySpace(spaceMiB << 20)));
}

/** Milliseconds from QEMU's start to the console line matching `pattern`, from a timed log. */
function at(marks, pattern) {
  const mark = marks.find((m) => pattern.test(m.line));
  return mark ? mark.ms : undefined;
}

/** QEMU's own start-up: from spawning it (stopped, -S) to its monitor prompt. */
function qemuStartMs() {
  return new Promise((resolve) => {
    const started = performance.now();
    const qemu = spawn('qemu-system-i386', ['-accel', 'tcg', '-m', '256M', '-display', 'none', '-S', '-monitor', 'stdio', '-serial', 'none'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const timer = setTimeout(() => qemu.kill('SIGKILL'), 60_000);
    let out = '';
    qemu.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('(qemu)')) {
        resolve(performance.now() - started);
        qemu.kill('SIGKILL');
      }
    });
    qemu.on('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

const percentile = (values, p) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (v) => (v === undefined ? 'n/a' : v.toFixed(0));

const temp = await tempDir();
try {
  const disk = join(temp.dir, 'store.img');
  await storeDisk(disk);
  const rows = { qemu: [], first: [], machine: [], disk: [], end: [] };
  let endLine = '';
  for (let i = 0; i < runs; i++) {
    rows.qemu.push(await qemuStartMs());
    const run = await boot({ disk, until: /^halted\r?$/m });
    rows.first.push(at(run.marks, /./));
    rows.machine.push(at(run.marks, /^paging:/));
    rows.disk.push(at(run.marks, /^virtio-blk: disk 0/));
    rows.end.push(at(run.marks, /^halted/));
    endLine = run.marks.filter((m) => /^(store|space|boot):/.test(m.line)).at(-1)?.line ?? '(none)';
  }
  const accel = process.env.QEMU_ACCEL_NAME ?? 'tcg';
  const table = [
    '| milestone (ms from QEMU start) | p50 | min | max |',
    '| --- | --- | --- | --- |',
    ...[
      ['QEMU alone: start to monitor prompt (baseline, no guest)', rows.qemu],
      ['first console line', rows.first],
      ['machine set up (paging on)', rows.machine],
      ['store disk found (virtio-blk)', rows.disk],
      ['boot finished (halted)', rows.end],
    ].map(([name, v]) => `| ${name} | ${fmt(percentile(v, 50))} | ${fmt(percentile(v, 0))} | ${fmt(percentile(v, 100))} |`),
  ].join('\n');
  const doc = `# Kernel benchmarks

## Boot time under QEMU ${accel.toUpperCase()}

Command: \`make -C kernel-src bench\` (runs \`node kernel-src/tests/bench/boot.mjs\`; \`BOOT_RUNS\` boots, default 10).
${runs} boots of \`build/phantom.elf\` in \`qemu-system-i386 -accel ${accel} -m 256M\` with a ${spaceMiB} MiB object
space as generation 0 of a store on a virtio disk (lang's generation-0 writer, a space with only its header).
Times are from spawning QEMU to the console line arriving on the host, so they include QEMU's own start.
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.env.BENCH_HOST ?? 'the development VM'} (2 cores shared with other work).

${table}

Last boot ended with: \`${endLine.trim()}\`
`;
  writeFileSync(join(kernelDir, 'docs', 'bench-kernel.md'), doc);
  console.log(doc);
} finally {
  await temp.cleanup();
}
