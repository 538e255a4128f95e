// vm.mjs — the VM benchmarks (`make -C kernel-src bench`): bytecodes/s of lang/examples/bench.ph on
// the kernel's VM hosted (build/hosted/phrun) beside lang's reference interpreter in the same run,
// and the collector's pause with one million live objects (tests/bench/gcpause.ph). Both programs
// are built with `phc image`, so both interpreters run the same generation-0 bytes. Writes its
// table to kernel-src/docs/bench-vm.md. Needs lang built (npx tsc -b lang) and the hosted tools.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceleratorLine, benchHeading, HOST_ONLY } from '../../../scripts/bench-header.mjs';
import { kernelDir, kernelPath as kernelElf } from '../qemu.mjs';
import { accelerator, runPhrun, runQemu } from './interp-runs.mjs';

const langDir = join(kernelDir, '..', 'lang');
const phc = join(langDir, 'bin', 'phc.mjs');
/** Runs of each measurement; the table gives the median (the machine is shared, so outliers happen). */
const RUNS = Number(process.env.VM_BENCH_RUNS ?? 5);

const { Machine } = await import(join(langDir, 'dist', 'common', 'interp', 'machine.js'));
const { openStoreFile } = await import(join(langDir, 'dist', 'node', 'store-file.js'));

const work = mkdtempSync(join(tmpdir(), 'vm-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mips = (x) => (x / 1e6).toFixed(1);

function image(source, main) {
  const out = join(work, `${main}.img`);
  execFileSync('node', [phc, 'image', source, '--main', main, '-o', out], { stdio: 'inherit' });
  return out;
}

/** The reference interpreter in this process, timed around run() only (load excluded, as for phrun). */
function runReference(img) {
  const { store, close } = openStoreFile(img);
  const mounted = store.mount();
  close();
  const machine = new Machine(mounted.space, { onOutput: () => {} });
  const start = process.hrtime.bigint();
  const result = machine.run({});
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { bytecodes: result.steps, seconds };
}

try {
  const benchImage = image(join(langDir, 'examples', 'bench.ph'), '.demo.bench');
  const ours = [];
  const reference = [];
  let bytecodes = 0;
  let referenceBytecodes = 0;
  for (let i = 0; i < RUNS; i++) {
    const p = runPhrun(benchImage);
    bytecodes = p.bytecodes;
    ours.push(p.bytecodes / p.seconds);
    const r = runReference(benchImage);
    referenceBytecodes = r.bytecodes;
    reference.push(r.bytecodes / r.seconds);
  }
  const qemuSeconds = existsSync(kernelElf) ? await runQemu(benchImage) : null;
  const qemuRow =
    qemuSeconds === null
      ? `| kernel VM in the kernel | QEMU | not measured (${existsSync(kernelElf) ? 'the run did not finish' : 'build/phantom.elf not built: run make'}) | | |`
      : `| kernel VM in the kernel | QEMU (\`-accel ${accelerator.accel}\`), one run, host-timed | ${mips(bytecodes / qemuSeconds)} | | |`;
  const gcImage = image(join(kernelDir, 'tests', 'bench', 'gcpause.ph'), '.bench.gcpause');
  const gcRuns = [];
  for (let i = 0; i < Math.max(1, Math.ceil(RUNS / 2)); i++) gcRuns.push(runPhrun(gcImage));
  const gc = gcRuns.sort((a, b) => a.gc_max_pause_us - b.gc_max_pause_us)[Math.floor(gcRuns.length / 2)];

  const ourRate = median(ours);
  const referenceRate = median(reference);
  const doc = `# Kernel VM benchmarks

Command: \`make -C kernel-src bench\` (runs \`node kernel-src/tests/bench/vm.mjs\`; \`VM_BENCH_RUNS\`
runs of each, default 5, median shown). Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC
on the development VM (2 cores shared with other work, so figures move between runs).

${benchHeading('## Interpreter speed: lang/examples/bench.ph', acceleratorLine(accelerator, 'the QEMU row only, the others run on the host'))}

Both interpreters run the same generation-0 store from \`phc image\`, in the same run of this
script, timed around the run only (loading the store excluded). ${bytecodes} bytecodes on the kernel's VM,
${referenceBytecodes} on the reference (which counts a native call as one step, as the kernel does).

| interpreter | where | M bytecodes/s (median of ${RUNS}) | min | max |
| --- | --- | --- | --- | --- |
| kernel VM (core/interp.c), gcc -O2 | hosted: \`build/hosted/phrun\` | ${mips(ourRate)} | ${mips(Math.min(...ours))} | ${mips(Math.max(...ours))} |
| lang reference (TypeScript) | Node ${process.version} | ${mips(referenceRate)} | ${mips(Math.min(...reference))} | ${mips(Math.max(...reference))} |
${qemuRow}
| ratio kernel hosted / reference | same run | ${(ourRate / referenceRate).toFixed(1)}x | | |

The QEMU row times the same bytecodes from the console line \`space: generation N: magic ...\` to
\`vm: every thread has ended\` as the host receives them, so it includes the page faults that
read the space from the store disk.

${benchHeading('## Collector pause with one million live objects: tests/bench/gcpause.ph', HOST_ONLY)}

A list of 1,000,000 live objects, then 6,000,000 short-lived arrays in a 64 MiB space, so every
collection marks the whole list. Hosted (\`phrun --stats\`), median run of ${gcRuns.length}.

| collections | live objects after the last | live bytes | longest pause (ms) |
| --- | --- | --- | --- |
| ${gc.gc_collections} | ${gc.gc_live_objects} | ${gc.gc_live_bytes} | ${(gc.gc_max_pause_us / 1000).toFixed(1)} |
`;
  writeFileSync(join(kernelDir, 'docs', 'bench-vm.md'), doc);
  process.stdout.write(doc);
} finally {
  rmSync(work, { recursive: true, force: true });
}
