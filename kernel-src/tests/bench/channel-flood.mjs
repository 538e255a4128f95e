// channel-flood.mjs — the guest's throughput while the debug channel is flooded with requests,
// beside the same guest left alone, for one or more kernels in the same run (so that a kernel from
// before a change and one after it meet the same host load). The guest runs the counter (a
// sleeping thread: ticks every 100 ms of machine time) and tests/lib/spinner.ph (CPU-bound: a
// line per 100,000 rounds of a hash loop); their console lines are the throughput. For each kind
// of flood, STATS requests (a 52-byte reply each) and READ_PAGE requests (4 KiB each), a kernel
// gets a quiet window and then a flooded one, which keeps enough requests unanswered that the
// agent never runs dry; the replies still owed are drained before the next window. The host's
// other load moves the figures, so each flood is compared with the quiet window just before it,
// per second and per second of CPU time of QEMU's vCPU thread (what the guest had, whatever the
// host's other processes, QEMU's own I/O thread among them, took), and the kernels take turns
// over --rounds rounds.
// Usage: node kernel-src/tests/bench/channel-flood.mjs [--kernel [NAME=]PATH]... [--kernel-rev NAME=REV]...
// [--seconds S] [--rounds N] (default: this tree's build/phantom.elf, 10 s windows, 1 round).
// --kernel-rev: the kernel of a git revision, built once into kernel-src/build/ by
// tests/bench/baseline-kernel.mjs and booted as it needs (an older one on SeaBIOS, its channel on
// serial port 2), run before --kernel's; this tree's kernel runs when neither is given. Prints the
// accelerator line (scripts/bench-header.mjs) and a Markdown table, a row per kernel, flood and
// round, for the "## " section of kernel-src/docs/bench-channel.md.
import { copyFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as P from '@phantom/inspector/common/debug-protocol.js';
import { acceleratorLine } from '../../../scripts/bench-header.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { accelerator, kernelDir, kernelPath, tempDir } from '../qemu.mjs';
import { vcpuMs } from '../lib/cpu-time.mjs';
import { revisionKernels } from './baseline-kernel.mjs';

const { values } = parseArgs({
  options: {
    kernel: { type: 'string', multiple: true },
    'kernel-rev': { type: 'string', multiple: true, default: [] },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
  },
});
const windowMs = Number(values.seconds) * 1000;
const fromRevisions = await revisionKernels(values['kernel-rev']);
if (!fromRevisions) {
  console.error('usage: channel-flood.mjs [--kernel [NAME=]PATH]... [--kernel-rev NAME=REV]... [--seconds S] [--rounds N]');
  process.exit(2);
}
const kernels = [
  ...fromRevisions.map((k) => ({ name: k.label, path: k.path, boot: k.boot })),
  ...(values.kernel ?? (fromRevisions.length > 0 ? [] : [kernelPath])).map((spec) => {
    const at = spec.indexOf('=');
    return at > 0 ? { name: spec.slice(0, at), path: spec.slice(at + 1) } : { name: basename(spec), path: spec };
  }),
];

/** The floods: a request, and how many to keep unanswered (seconds of work for the agent). */
const FLOODS = [
  { name: 'STATS', type: P.MessageType.STATS, payload: () => new Uint8Array(0), inFlight: 500 },
  {
    name: 'READ_PAGE (4 KiB)',
    type: P.MessageType.READ_PAGE,
    payload: () => new P.PayloadWriter().u32(P.LIVE_GENERATION).u32(0).finish(),
    inFlight: 64,
  },
];
/** How long the replies still owed after a flood may take to come. */
const DRAIN_DEADLINE_MS = 300_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));


/** Console lines matching `pattern` that arrived in [from, to). */
function linesBetween(machine, pattern, from, to) {
  return machine.lines.filter((l) => l.at >= from && l.at < to && pattern.test(l.line)).length;
}

/** Marks the start of a window; its end() gives spins and ticks per second, and spins per CPU second. */
async function window(machine) {
  const from = performance.now();
  const cpuFrom = await vcpuMs(machine.pid);
  return {
    from,
    async end() {
      const to = performance.now();
      const cpuSeconds = ((await vcpuMs(machine.pid)) - cpuFrom) / 1000;
      const spins = linesBetween(machine, /^spin \d+$/, from, to);
      return {
        spins: spins / ((to - from) / 1000),
        spinsPerCpu: spins / cpuSeconds,
        ticks: linesBetween(machine, /^tick \d+$/, from, to) / ((to - from) / 1000),
      };
    },
  };
}

/** Floods the channel for windowMs, then waits for every reply; the window's rates and replies per second. */
async function flood(machine, socketPath, { type, payload, inFlight }) {
  const socket = connect(socketPath);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let sent = 0;
  let replies = 0;
  let flooding = true;
  const send = () => socket.write(P.encodeFrame(type, ++sent, payload()));
  const decoder = new P.FrameDecoder(() => {
    replies++;
    if (flooding) send();
  });
  socket.on('data', (chunk) => decoder.push(chunk));
  try {
    const flooded = await window(machine);
    for (let i = 0; i < inFlight; i++) send();
    await sleep(windowMs);
    flooding = false;
    const rates = await flooded.end();
    const during = replies;
    const drainUntil = performance.now() + DRAIN_DEADLINE_MS;
    while (replies < sent && performance.now() < drainUntil) await sleep(50);
    if (replies < sent) throw new Error(`${sent - replies} replies still owed ${DRAIN_DEADLINE_MS} ms after the flood`);
    return { ...rates, repliesPerSecond: during / ((performance.now() - flooded.from) / 1000) };
  } finally {
    socket.destroy();
  }
}

async function measure(dir, kernel) {
  const copy = join(dir, `${kernel.name}.elf`);
  await copyFile(kernel.path, copy);
  const disk = join(dir, `${kernel.name}.img`);
  const programs = [join(kernelDir, '..', 'lang', 'examples', 'counter.ph'), join(kernelDir, 'tests', 'lib', 'spinner.ph')];
  await buildStoreDisk(disk, programs, ['.demo.counter', '.test.spinner']);
  const socketPath = join(dir, `${kernel.name}.sock`);
  const machine = new Machine({
    disk,
    append: 'snap=0',
    debugSocket: socketPath,
    kernel: copy,
    extraArgs: ['-name', 'flood,debug-threads=on'],
    ...kernel.boot,
  });
  try {
    await machine.waitForLine(/^spin 3$/, { deadlineMs: 120_000 });
    const rows = [];
    for (const f of FLOODS) {
      process.stderr.write(`channel-flood: ${kernel.name}, ${f.name}\n`);
      const quietWindow = await window(machine);
      await sleep(windowMs);
      const quiet = await quietWindow.end();
      const { repliesPerSecond, ...flooded } = await flood(machine, socketPath, f);
      rows.push({ flood: f.name, quiet, flooded, repliesPerSecond });
    }
    return rows;
  } finally {
    await machine.kill();
  }
}

const temp = await tempDir();
try {
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    acceleratorLine(accelerator),
    '',
    `Command: \`node kernel-src/tests/bench/channel-flood.mjs ${process.argv.slice(2).join(' ')}\``,
    `(${started} UTC, ${values.seconds} s windows, host load average ${loadavg()[0].toFixed(1)} at the start).`,
    '',
    '| kernel | round | flood | spinner lines/s: quiet → flooded | flooded / quiet | per vCPU second: quiet → flooded | flooded / quiet | counter ticks/s: quiet → flooded | replies/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const kernel of kernels) {
      for (const { flood: name, quiet, flooded, repliesPerSecond } of await measure(temp.dir, kernel)) {
        const percent = (a, b) => `${Math.round((100 * a) / b)}%`;
        lines.push(
          `| ${kernel.name} | ${round} | ${name} | ${quiet.spins.toFixed(2)} → ${flooded.spins.toFixed(2)} | ${percent(flooded.spins, quiet.spins)} | ${quiet.spinsPerCpu.toFixed(2)} → ${flooded.spinsPerCpu.toFixed(2)} | ${percent(flooded.spinsPerCpu, quiet.spinsPerCpu)} | ${quiet.ticks.toFixed(1)} → ${flooded.ticks.toFixed(1)} | ${repliesPerSecond.toFixed(0)} |`,
        );
      }
    }
  }
  console.log(lines.join('\n'));
} finally {
  await temp.cleanup();
}
