// kernels-ab.mjs — two kernels side by side on issue 21's rollback and cold-resume figures, in one
// run, so a change in the host's load hits both alike (a by-hand check of a kernel change; the
// tables in docs/bench-rollback.md and docs/bench-coldstart.md compare paths, not kernels). The
// benchmarks' program (tests/lib/dirtier.mjs, 64 MiB space, 10% of its pages rewritten a round):
// - rollback in place: each kernel runs its own machine, both at once, and they take turns, each
//   rollback to the parent of the newest generation, from sending ROLLBACK to the program's next
//   line, and the kernel's own figure from the reply;
// - cold resume: one store cut (kill -9) after its first generation, resumed from a fresh copy by
//   each kernel in turn, QEMU spawn to the program's first line, and the kernel's mount figure.
// Usage: node kernel-src/tests/bench/kernels-ab.mjs LABEL=KERNEL.elf LABEL=KERNEL.elf [--rounds N]
// (N rollbacks and N resumes per kernel, default 10). Prints a Markdown table. A kernel may be given
// as a git revision instead, `--kernel-rev LABEL=REV` (before the files' kernels), which
// tests/bench/baseline-kernel.mjs builds once into kernel-src/build/ and boots as its kernel needs
// (an older one on SeaBIOS, its debug channel on serial port 2).
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { acceleratorLine } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { accelerator, tempDir } from '../qemu.mjs';
import { revisionKernels } from './baseline-kernel.mjs';

const LONG_MS = 600_000;
const APPEND = 'snap=1000 debug=snapshots';
const args = process.argv.slice(2);
const optionAt = (name) => args.flatMap((a, i) => (a === name ? [i] : []));
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 10;
const revAt = optionAt('--kernel-rev');
const fromRevisions = await revisionKernels(revAt.map((i) => args[i + 1] ?? ''));
const kernels = [
  ...(fromRevisions ?? [{}]),
  ...args
    .filter((a, i) => a.includes('=') && i !== roundsAt + 1 && !revAt.includes(i - 1))
    .map((a) => {
      const [label, path] = a.split('=');
      return { label, path };
    }),
].map((k, i) => ({ ...k, file: `kernel${i}` /* a label may hold a slash (a branch name) */, rollback: [], kernelMs: [], cold: [], mount: [] }));
if (!fromRevisions || kernels.length !== 2 || !Number.isInteger(ROUNDS) || ROUNDS < 2) {
  console.error(
    'usage: node kernel-src/tests/bench/kernels-ab.mjs [LABEL=KERNEL.elf | --kernel-rev LABEL=REV] [LABEL=KERNEL.elf | --kernel-rev LABEL=REV] [--rounds N]',
  );
  process.exit(2);
}
const GENERATION_LINE = /^snapshot: generation (\d+) \(parent (\d+)\)/;
const ROUND_LINE = /^round \d+$/;

/** A machine of `kernel`'s own running the program, with its debug channel connected. */
async function startMachine(kernel, source, dir) {
  const disk = join(dir, `${kernel.file}.img`);
  const socket = join(dir, `${kernel.file}.sock`);
  await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: 64 << 20 });
  kernel.machine = new Machine({ kernel: kernel.path, disk, append: APPEND, debugSocket: socket, debugTransport: 'virtio', ...kernel.boot });
  await kernel.machine.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
  ({ client: kernel.client } = await DebugClient.connect(socket, LONG_MS));
}

/** One rollback in place on `kernel`'s machine, to the parent of its newest generation. */
async function rollback(kernel) {
  const { machine, client } = kernel;
  await machine.waitForLine(GENERATION_LINE, { from: machine.lines.length, deadlineMs: LONG_MS });
  const newest = await machine.waitForLine(GENERATION_LINE, { from: machine.lines.length, deadlineMs: LONG_MS });
  const t0 = performance.now();
  const reply = await client.rollback(Number(newest.match[2]), LONG_MS);
  const rolled = await machine.waitForLine(/^store: rolled back in place/, { from: newest.index, deadlineMs: LONG_MS });
  const next = await machine.waitForLine(ROUND_LINE, { from: rolled.index + 1, deadlineMs: LONG_MS });
  kernel.rollback.push(next.at - t0);
  kernel.kernelMs.push(reply.micros / 1000);
}

const temp = await tempDir();
try {
  const loadBefore = loadavg()[0].toFixed(1);
  const source = join(temp.dir, 'dirtier.ph');
  await writeFile(source, dirtierSource(Math.round(((64 << 20) / 4096) * 0.1), { progress: true, by: 'kernel-src/tests/bench/kernels-ab.mjs' }));
  try {
    for (const kernel of kernels) await startMachine(kernel, source, temp.dir);
    for (let i = 0; i < ROUNDS; i++) for (const kernel of kernels) await rollback(kernel);
  } finally {
    for (const kernel of kernels) {
      kernel.client?.close();
      await kernel.machine?.kill();
    }
  }

  const cut = join(temp.dir, 'cut.img');
  await buildStoreDisk(cut, [source], ['.bench.dirtier'], { spaceBytes: 64 << 20 });
  const first = new Machine({ kernel: kernels[0].path, disk: cut, append: APPEND, ...kernels[0].boot });
  try {
    const ready = await first.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
    await first.waitForLine(/^snapshot: generation/, { from: ready.index, deadlineMs: LONG_MS });
  } finally {
    await first.kill();
  }
  const copy = join(temp.dir, 'resume.img');
  for (let i = 0; i < ROUNDS; i++)
    for (const kernel of kernels) {
      execFileSync('cp', ['--sparse=always', cut, copy]);
      const machine = new Machine({ kernel: kernel.path, disk: copy, append: 'snap=1000', ...kernel.boot });
      try {
        const program = await machine.waitForLine(ROUND_LINE, { deadlineMs: LONG_MS });
        const mounted = machine.lines.find((l) => /^store: mounted generation/.test(l.line));
        kernel.cold.push(program.at - machine.startedAt);
        kernel.mount.push(Number(/in (\d+) ms$/.exec(mounted?.line ?? '')?.[1]));
      } finally {
        await machine.kill();
      }
    }
  const p50 = (v) => percentile(v, 50).toFixed(0);
  const row = (name, key) => `| ${name} | ${kernels.map((k) => p50(k[key])).join(' | ')} |`;
  console.log(`${acceleratorLine(accelerator)}

Command: \`node kernel-src/tests/bench/kernels-ab.mjs ${args.join(' ')}\`; ${ROUNDS} rollbacks and ${ROUNDS} cold resumes per kernel, interleaved.
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (load average ${loadBefore} before, ${loadavg()[0].toFixed(1)} after).

| p50, ms | ${kernels.map((k) => k.label).join(' | ')} |
| --- | ${kernels.map(() => '---:').join(' | ')} |
${row('rollback in place: request → the program\'s next line', 'rollback')}
${row('rollback in place: the kernel\'s own figure', 'kernelMs')}
${row('cold resume: QEMU spawn → the program\'s first line', 'cold')}
${row('cold resume: the mount, the kernel\'s own figure', 'mount')}`);
} finally {
  await temp.cleanup();
}
