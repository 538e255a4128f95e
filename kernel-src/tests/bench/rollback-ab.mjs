// rollback-ab.mjs — the in-place rollback (the debug channel's ROLLBACK) with two kernels, their
// runs interleaved (A, B, then B, A, …), one QEMU at a time, each booted afresh on a store of its
// own: a 64 MiB space running the dirtier of rollback.mjs (10% of its pages rewritten a round),
// rolled back to the parent of its newest generation. For a change to the in-place path, measured
// beside the kernel without it in the same run: rollback.mjs measures one kernel against the
// restarts, and the host's load moves its figures by more than such a change does.
// Prints the p50 of each figure per kernel (ms): request → the kernel's "rolled back" line (host
// clock), the kernel's own figure and its parts, from the kernel's lines.
// Run: node kernel-src/tests/bench/rollback-ab.mjs <A> <B> [rounds]   (default 12 rounds)
//   A and B: a kernel ELF, or rev:<git revision>, built from git by baseline-kernel.mjs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { acceleratorLine } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { GENERATION_LINE, rollBackInPlace } from '../lib/rollback-in-place.mjs';
import { accelerator, tempDir } from '../qemu.mjs';
import { baselineKernel } from './baseline-kernel.mjs';

const [a, b, roundsArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 12);
if (!a || !b || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: rollback-ab.mjs <kernel.elf|rev:REV> <kernel.elf|rev:REV> [rounds]');
  process.exit(2);
}
const SPACE_MIB = 64;
const LONG_MS = 600_000;

async function kernelOf(arg) {
  if (arg.startsWith('rev:')) return (await baselineKernel(arg.slice(4))).kernelPath;
  if (!existsSync(arg)) throw new Error(`no kernel at ${arg} (a revision is written rev:<rev>)`);
  return arg;
}

const kernels = { A: await kernelOf(a), B: await kernelOf(b) };
const temp = await tempDir();
const figures = () => ({ request: [], kernel: [], dropped: [], mount: [], check: [], disk: [], crcs: [] });
const results = { A: figures(), B: figures() };
try {
  const source = join(temp.dir, 'rollback.ph');
  await writeFile(source, dirtierSource(Math.round(((SPACE_MIB << 20) / 4096) * 0.1), { progress: true, by: 'kernel-src/tests/bench/rollback-ab.mjs' }));
  for (const k of ['A', 'B']) await buildStoreDisk(join(temp.dir, `${k}.img`), [source], ['.bench.dirtier'], { spaceBytes: SPACE_MIB << 20 });
  for (let i = 0; i < ROUNDS; i++) {
    for (const k of i % 2 ? ['B', 'A'] : ['A', 'B']) {
      const socket = join(temp.dir, `${k}.sock`);
      const machine = new Machine({
        disk: join(temp.dir, `${k}.img`),
        append: 'snap=1000 debug=snapshots',
        memory: '256M',
        kernel: kernels[k],
        debugSocket: socket,
        debugTransport: 'virtio',
      });
      try {
        await machine.waitForLine(/^round \d+$/, { deadlineMs: LONG_MS });
        const { client } = await DebugClient.connect(socket, LONG_MS);
        await machine.waitForLine(GENERATION_LINE, { from: machine.lines.length, deadlineMs: LONG_MS });
        const newest = await machine.waitForLine(GENERATION_LINE, { from: machine.lines.length, deadlineMs: LONG_MS });
        const { t0, rolled, ms } = await rollBackInPlace(machine, client, Number(newest.match[2]), LONG_MS);
        const r = results[k];
        r.request.push(rolled.at - t0);
        for (const [name, value] of Object.entries(ms)) r[name].push(value);
        client.close();
      } finally {
        await machine.kill();
      }
    }
    process.stderr.write(`rollback-ab: round ${i + 1}/${ROUNDS}\n`);
  }
} finally {
  await temp.cleanup();
}
console.log(acceleratorLine(accelerator));
console.log(`${ROUNDS} rollbacks per kernel, interleaved; p50 in ms (request: to the kernel's "rolled back" line, host clock):`);
for (const k of ['A', 'B']) {
  const p50s = Object.entries(results[k]).map(([name, values]) => `${name} ${percentile(values, 50).toFixed(1)}`);
  console.log(`${k} (${k === 'A' ? a : b}): ${p50s.join(', ')}`);
}
