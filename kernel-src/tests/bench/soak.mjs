// soak.mjs — the soak benchmark (`make -C kernel-src bench`, or `node kernel-src/tests/bench/soak.mjs`):
// boots the kernel under QEMU on tests/bench/soak.ph, a program that allocates without end and
// drops what it allocated, for SOAK_SECONDS (default 600), then reads the heap's size over time
// from the generations the kernel snapshotted to its store disk (the space header of each:
// SH_TOP, SH_LIVE_BYTES, SH_OBJECTS). Writes kernel-src/docs/bench-soak.md and fails if the
// object space grew past SOAK_BOUND_BYTES or the program stopped printing.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceleratorLine, benchHeading } from '../../../scripts/bench-header.mjs';
import { accelerator, kernelDir, kernelPath, MACHINE_ARGS } from '../qemu.mjs';

const langDir = join(kernelDir, '..', 'lang');
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
/** The heap must stay below this: the collector's budget is 4 MiB past the live data (a few KiB here). */
const SOAK_BOUND_BYTES = Number(process.env.SOAK_BOUND_BYTES ?? 12 << 20);
const SPACE_BYTES = 64 << 20;

const S = await import(join(langDir, 'dist', 'common', 'spec', 'generated.js'));
const { openStoreFile } = await import(join(langDir, 'dist', 'node', 'store-file.js'));

const work = mkdtempSync(join(tmpdir(), 'vm-soak-'));
try {
  const disk = join(work, 'soak.img');
  execFileSync('node', [join(langDir, 'bin', 'phc.mjs'), 'image', join(kernelDir, 'tests', 'bench', 'soak.ph'),
    '--main', '.bench.soak', '--space-bytes', String(SPACE_BYTES), '-o', disk], { stdio: 'inherit' });

  const qemu = spawn('qemu-system-i386', [...MACHINE_ARGS, '-accel', accelerator.accel, '-m', '256M', '-kernel', kernelPath,
    '-append', 'snap=1000', '-display', 'none', '-serial', 'stdio', '-no-reboot',
    '-drive', `file=${disk},if=virtio,format=raw`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const started = Date.now();
  const progress = []; // [seconds since start, rounds]
  let log = '';
  qemu.stdout.on('data', (chunk) => {
    log += chunk.toString('latin1');
    for (const m of log.matchAll(/rounds (\d+)\r?\n/g)) {
      const rounds = Number(m[1]);
      if (!progress.length || progress[progress.length - 1][1] < rounds) progress.push([(Date.now() - started) / 1000, rounds]);
    }
    log = log.slice(-4096);
  });
  await new Promise((resolve) => setTimeout(resolve, SOAK_SECONDS * 1000));
  qemu.kill('SIGKILL');
  await new Promise((resolve) => qemu.on('exit', resolve));

  const { store, close } = openStoreFile(disk);
  const rows = [];
  try {
    for (const g of store.generations) {
      try {
        const record = store.readRecord(g);
        const header = new DataView(store.readGenerationPages(g.generation).buffer, 0, S.SPACE_HEADER_BYTES);
        rows.push({
          generation: g.generation,
          machineSeconds: record.uptimeMs / 1000,
          top: header.getUint32(S.SH_TOP, true) - S.SPACE_BASE,
          live: header.getUint32(S.SH_LIVE_BYTES, true),
          objects: header.getUint32(S.SH_OBJECTS, true),
        });
      } catch (err) {
        rows.push({ generation: g.generation, error: err.message });
      }
    }
  } finally {
    close();
  }
  const good = rows.filter((r) => r.error === undefined);
  const maxTop = Math.max(...good.map((r) => r.top));
  const lastProgress = progress[progress.length - 1] ?? [0, 0];
  const kib = (n) => (n / 1024).toFixed(0);
  const table = rows
    .map((r) =>
      r.error
        ? `| ${r.generation} | unreadable: ${r.error} | | | |`
        : `| ${r.generation} | ${r.machineSeconds.toFixed(1)} | ${kib(r.top)} | ${kib(r.live)} | ${r.objects} |`,
    )
    .join('\n');
  const verdict =
    good.length > 1 && maxTop <= SOAK_BOUND_BYTES && lastProgress[0] > SOAK_SECONDS * 0.8 ? 'passed' : 'FAILED';
  const doc = `${benchHeading(`# Kernel soak: a program that allocates and drops, for ${SOAK_SECONDS} s`, acceleratorLine(accelerator))}

Command: \`make -C kernel-src bench\` (runs \`node kernel-src/tests/bench/soak.mjs\`; \`SOAK_SECONDS\`, default
600). Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, QEMU \`-accel ${accelerator.accel}\`, 64 MiB object
space, snapshots every second (\`snap=1000\`). The program is \`tests/bench/soak.ph\`.

Verdict: **${verdict}** — the largest heap (SH_TOP) in any kept generation is ${kib(maxTop)} KiB (bound
${kib(SOAK_BOUND_BYTES)} KiB); the program printed round ${lastProgress[1]} at ${lastProgress[0].toFixed(0)} s.

Heap size over machine time, from the space header of every generation the store kept (the
store's retention keeps every generation of the last minute and one a minute before that).
SH_LIVE_BYTES and SH_OBJECTS count what the last collection kept plus what was allocated since.

| generation | machine time (s) | heap: SH_TOP (KiB) | SH_LIVE_BYTES (KiB) | SH_OBJECTS |
| --- | --- | --- | --- | --- |
${table}
`;
  writeFileSync(join(kernelDir, 'docs', 'bench-soak.md'), doc);
  process.stdout.write(doc);
  if (verdict !== 'passed') process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
