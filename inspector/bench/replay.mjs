// replay.mjs — `npm run bench -w inspector` (after a build): the replay of a generation.
//
// 1. Reverse step p50 for a replay 10 million instructions long: a loop-and-call program replayed
//    to position 10,000,000 (checkpoints kept on the way), then steps back by statement (over),
//    by instruction, and reverse-continues to a breakpoint, each timed; goal p50 ≤ 100 ms.
// 2. Speed beside the kernel's, in the same run, on lang/examples/bench.ph from one generation-0
//    store (`phc image`): the replay running forward (checkpoints included), the bare reference
//    interpreter, the kernel's VM hosted (phrun) and in the kernel under QEMU with the project's
//    accelerator decision; goal: the replay at ≥ 25% of the kernel's speed under TCG.
//
// Writes the "replay" section of docs/bench-inspector.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '@phantom/lang/common/compiler.js';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { Machine } from '@phantom/lang/common/interp/machine.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import { openStoreFile } from '@phantom/lang/node/store-file.js';
import { acceleratorLine, benchHeading } from '../../scripts/bench-header.mjs';
import { Replay } from '../dist/common/replay.js';
import { writeSection } from './doc.mjs';

const root = join(import.meta.dirname, '..', '..');
const { accelerator, kernelPath, phrunPath, runPhrun, runQemu } = await import(
  join(root, 'kernel-src', 'tests', 'bench', 'interp-runs.mjs')
);
const LENGTH = 10_000_000;
const BACK_STEPS = 40;
const SPEED_RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (ns) => Number(ns) / 1e6;
const mips = (x) => (x / 1e6).toFixed(1);
const load = loadavg().map((l) => l.toFixed(1));

// ── 1. reverse steps at 10 million instructions ──

const LOOP = `package .bench;
class cell { var v : int; };
class loop {
  int mix(var h : int, var i : int) {
    var x = h * 31 + i;
    return x % 1000003;
  }
  void run() {
    var c = new cell();
    var h = 17;
    for (var i = 0; i < 5000000; i++) {
      h = mix(h, i);
      c.v = h;
    }
  }
};
`;
const { program } = compile([{ file: '/bench/loop.ph', text: LOOP }]);
if (program === null) throw new Error('the loop program does not compile');
const loopSpace = buildSpace(program, { spaceBytes: 16 << 20, mainClasses: ['.bench.loop'] });
const replay = new Replay(loopSpace);
let t0 = process.hrtime.bigint();
replay.goto(LENGTH);
const forwardMs = ms(process.hrtime.bigint() - t0);
if (replay.position !== LENGTH) throw new Error(`the loop ended at ${replay.position}`);
const timed = (n, fn) => {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(ms(process.hrtime.bigint() - t));
  }
  return out;
};
const thread = replay.machine.rootSlot(L.ROOT_THREADS);
replay.step('over', thread);
const backOver = timed(BACK_STEPS, () => replay.stepBack('over', thread));
const backInstruction = timed(BACK_STEPS, () => replay.stepBack('instruction'));
replay.setBreakpoints([{ id: 1, method: methodNamed(replay, 'mix'), pc: 0 }]);
const backContinue = timed(10, () => replay.reverseContinue());
replay.setBreakpoints([]);
const runFrame = replay.frames(thread).find((f) => f.method === methodNamed(replay, 'run'));
replay.setWatches([{ id: 2, ref: replay.machine.space.slot(runFrame.frame, L.FRAME_LOCALS + 1), slot: 0 }]);
const backData = timed(10, () => {
  if (replay.reverseContinue().reason !== 'data') throw new Error('no data change found going back');
});
replay.setWatches([]);
const stats = replay.checkpointStats();

/** A method of the program by name. */
function methodNamed(r, name) {
  const found = r.programMethods().find((m) => m.name === name);
  if (!found) throw new Error(`no method ${name}`);
  return found.method;
}

// ── 2. speed on bench.ph beside the kernel ──

const work = mkdtempSync(join(tmpdir(), 'replay-bench-'));
const rows = [];
let qemuRate = null;
let replayRate = 0;
try {
  const img = join(work, 'bench.img');
  execFileSync(
    'node',
    [
      join(root, 'lang', 'bin', 'phc.mjs'),
      'image',
      join(root, 'lang', 'examples', 'bench.ph'),
      '--main',
      '.demo.bench',
      '-o',
      img,
    ],
    { stdio: 'inherit' },
  );
  const { store, close } = openStoreFile(img);
  const space = store.mount().space;
  close();
  const reference = [];
  const replays = [];
  const phruns = [];
  let steps = 0;
  for (let i = 0; i < SPEED_RUNS; i++) {
    const m = new Machine(space.slice(), { onOutput: () => {} });
    t0 = process.hrtime.bigint();
    steps = m.run({}).steps;
    reference.push(steps / (ms(process.hrtime.bigint() - t0) / 1000));
    const r = new Replay(space);
    t0 = process.hrtime.bigint();
    const stop = r.continue();
    if (stop.reason !== 'end' || r.position !== steps)
      throw new Error(`the replay stopped at ${r.position}: ${stop.reason}`);
    replays.push(steps / (ms(process.hrtime.bigint() - t0) / 1000));
    if (existsSync(phrunPath)) {
      const p = runPhrun(img);
      phruns.push(p.bytecodes / p.seconds);
    }
  }
  replayRate = median(replays);
  rows.push(
    `| replay (inspector/common/replay.ts: reference interpreter, probe off, checkpoints every 100,000) | Node ${process.version} | ${mips(replayRate)} |`,
  );
  rows.push(
    `| reference interpreter alone (lang/common/interp/machine.ts) | Node ${process.version} | ${mips(median(reference))} |`,
  );
  rows.push(
    phruns.length > 0
      ? `| kernel VM hosted (\`kernel-src/build/hosted/phrun\`, gcc -O2) | host | ${mips(median(phruns))} |`
      : '| kernel VM hosted | host | not measured (build/hosted/phrun not built: make -C kernel-src hosted) |',
  );
  const qemuSeconds = existsSync(kernelPath) ? await runQemu(img) : null;
  if (qemuSeconds !== null) qemuRate = steps / qemuSeconds;
  rows.push(
    qemuRate !== null
      ? `| kernel VM in the kernel | QEMU \`-accel ${accelerator.accel}\`, one run, host-timed | ${mips(qemuRate)} |`
      : `| kernel VM in the kernel | QEMU | not measured (${existsSync(kernelPath) ? 'the run did not finish' : 'build/phantom.elf not built'}) |`,
  );
  rows.unshift(
    `${steps.toLocaleString('en-US')} bytecodes a run; median of ${SPEED_RUNS} runs (QEMU: one).`,
    '',
    '| interpreter | where | M bytecodes/s |',
    '| --- | --- | --- |',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

const p50 = median(backOver);
const ratio = qemuRate === null ? null : replayRate / qemuRate;
const goalRow = (measure, value, goal, met) =>
  `| ${measure} | ${value} | ${goal} | ${met ? 'met' : 'missed'} |`;
const section = `${benchHeading('## Replay: reverse steps and speed beside the kernel', acceleratorLine(accelerator, 'the QEMU row only; the others run on the host'))}

Command: \`npm run bench -w inspector\` (\`bench/replay.mjs\`; Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,
${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared with other work; load average ${load.join(', ')} when it started)).

A loop of calls (\`mix\`) and field writes replayed to position ${LENGTH.toLocaleString('en-US')} (${forwardMs.toFixed(0)} ms there,
${stats.checkpoints} checkpoints holding ${stats.pages.toLocaleString('en-US')} distinct 4 KiB pages), then ${BACK_STEPS} steps back of each kind, each timed.

| measure | value | goal | result |
| --- | --- | --- | --- |
${goalRow('step back (over a statement) p50', `${p50.toFixed(1)} ms (min ${Math.min(...backOver).toFixed(1)}, max ${Math.max(...backOver).toFixed(1)})`, '≤ 100 ms', p50 <= 100)}
| step back (one instruction) p50 | ${median(backInstruction).toFixed(1)} ms |  |  |
| reverse continue to the previous breakpoint hit p50 | ${median(backContinue).toFixed(1)} ms |  |  |
| reverse continue to the previous change of a field (\`c.v\`, written every iteration) p50 | ${median(backData).toFixed(1)} ms |  |  |
${ratio === null ? '| replay / kernel under QEMU | not measured |  |  |' : goalRow(`replay / kernel under QEMU (\`-accel ${accelerator.accel}\`) on bench.ph`, `${(100 * ratio).toFixed(0)} %`, '≥ 25 %', ratio >= 0.25)}

Speed on \`lang/examples/bench.ph\`, one generation-0 store (\`phc image\`), the same run of this script:

${rows.join('\n')}
`;
writeSection('replay', section);
process.stdout.write(section);
