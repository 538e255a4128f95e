// debugger.mjs — what the debugger costs (kernel-src/docs/bench-debugger.md). Two figures, from one
// machine running tests/lib/caller.ph (a loop of calls) and tests/lib/spinner.ph (a loop without
// calls), with the counter example compiled in but never started:
//
// 1. The guest's throughput with breakpoints set in code that never runs (every instruction of
//    the counter's tick() and run(), DBG_MAX_BREAKPOINTS at most) against none set: windows of
//    --seconds each, taking turns (none, set; then set, none; ...) for --rounds rounds in one run,
//    each rate per second of CPU time of QEMU's vCPU thread (what the guest had, whatever the
//    host's other load took) and per wall second. The ratio is of the sums over all rounds.
//    With --baseline PATH, a second machine runs the same programs on that kernel (one from before
//    the debugger), and its windows (nothing set: it has no debugger) take turns with the others;
//    while one machine's window runs, the other is held by PAUSE, so they do not compete.
// 2. A step's round trip on each transport of the channel, the virtio-serial port and COM2 (a
//    machine of the same programs on each, taking turns: the one not measured is held by PAUSE):
//    from writing a STEP request (one instruction, and one line: over) for the stopped caller to
//    reading its EV_STOPPED, --steps times each, with the spinner running beside it and with the
//    spinner stopped too (an idle machine); p50 and p90. --steps-only: only these.
// 3. With --phrun-baseline PATH: the dispatch loop with nothing set, hosted, without any noise:
//    host instructions (valgrind's cachegrind count, exact) that this tree's build/hosted/phrun and
//    PATH (a phrun from before the debugger) execute for 20,000,000 bytecodes of caller.ph and
//    spinner.ph on the virtual clock, the store's load included (the same for both).
//    And the same count for caller.ph with breakpoints at every instruction of the counter's
//    tick() and run() (phrun --breakpoints), against none. --hosted-only: only these counts.
// 4. The guest's throughput with a debugger attached and idle against no client connected, under
//    TCG with `-icount shift=--icount` (machine time counts guest instructions, so the host's load
//    cannot move the figure): caller.ph, spinner.ph and tests/lib/clock.ph (a line of the machine's
//    uptime every 100 ms of machine time), snapshots at the kernel's default interval (1 s). In
//    the attached windows a DebugClient (inspector/src/node/debug-client.ts) connects over the
//    virtio-serial port and makes the requests `phantom dap` makes when it attaches (RESET, HELLO,
//    STOPPED, LIST_BREAKPOINTS, EXCEPTION_STOPS none, THREADS, STATS), then only listens to events
//    (EV_GENERATION of every snapshot); then it disconnects, and a window with no client follows
//    (ABBA, --attached-rounds rounds, --attached-seconds wall seconds each). A window's rate: the
//    lines of each program between its first and last clock line, per machine second between them.
//    --attached-only: only this.
// --baseline-rev REV: both baselines from that git revision (its kernel and its build/hosted/phrun,
// built once into kernel-src/build/ by tests/bench/baseline-kernel.mjs), unless given as paths.
// Usage: node kernel-src/tests/bench/debugger.mjs [--seconds S] [--rounds N] [--steps N] [--baseline PATH]
//   [--phrun-baseline PATH] [--baseline-rev REV] [--hosted-only] [--steps-only] [--attached-only] [--attached-seconds S]
//   [--attached-rounds N] [--icount SHIFT]
// Prints the accelerator line and the Markdown tables for the "## " section of the doc.
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import { spawnSync } from 'node:child_process';
import * as P from '@phantom/inspector/common/debug-protocol.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { acceleratorLine, HOST_ONLY } from '../../../scripts/bench-header.mjs';
import { Channel, setBreakpoint } from '../lib/debugger-channel.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { accelerator, DEBUG_TRANSPORTS, icountClock, kernelDir, tempDir } from '../qemu.mjs';
import { baselineKernel } from './baseline-kernel.mjs';

/** The hosted VM, as a Makefile target (and path) inside kernel-src. */
const PHRUN = 'build/hosted/phrun';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '100' },
    baseline: { type: 'string' },
    'phrun-baseline': { type: 'string' },
    'baseline-rev': { type: 'string' },
    'hosted-only': { type: 'boolean', default: false },
    'steps-only': { type: 'boolean', default: false },
    'attached-only': { type: 'boolean', default: false },
    'attached-seconds': { type: 'string', default: '20' },
    'attached-rounds': { type: 'string', default: '4' },
    icount: { type: 'string', default: '2' },
  },
});
/** Machine's options for the baseline kernel when it is --baseline-rev's (an older one boots on SeaBIOS). */
let baselineBoot = {};
if (values['baseline-rev']) {
  const built = await baselineKernel(values['baseline-rev'], { targets: [PHRUN] });
  if (values.baseline === undefined) {
    values.baseline = built.kernelPath;
    baselineBoot = built.boot;
  }
  values['phrun-baseline'] ??= join(built.kernelSrc, PHRUN);
}
const windowMs = Number(values.seconds) * 1000;
const M = W.MessageType;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_S = 100;

/** CPU time (ms) of QEMU's vCPU threads so far (named "CPU N/TCG" with -name debug-threads=on). */
async function vcpuMs(pid) {
  let ticks = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => '');
    if (!/\(CPU \d+\/[A-Z]+\)/.test(stat)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

/** Lines of each program and the vCPU and wall seconds of one window. */
async function window(machine) {
  const from = performance.now();
  const cpuFrom = await vcpuMs(machine.pid);
  await sleep(windowMs);
  const to = performance.now();
  const count = (pattern) => machine.lines.filter((l) => l.at >= from && l.at < to && pattern.test(l.line)).length;
  return {
    calls: count(/^call \d+$/),
    spins: count(/^spin \d+$/),
    cpu: ((await vcpuMs(machine.pid)) - cpuFrom) / 1000,
    wall: (to - from) / 1000,
  };
}

/** Every instruction start of a method, from its code (the opcode sizes of lang's table). */
async function instructionStarts(ch, method) {
  const L = await import('@phantom/lang/common/spec/generated.js');
  const { slotRef } = await import('../lib/debugger-channel.mjs');
  const m = await ch.readObject(method.addr);
  const code = (await ch.readObject(slotRef(m, L.METHOD_CODE))).payload;
  const sizes = new Map(L.OPCODES.map((o) => [o.code, 1 + o.operandBytes]));
  const starts = [];
  for (let pc = 0; pc < code.length; pc += sizes.get(code[pc])) starts.push(pc);
  return starts;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Round trips (ms) of `steps` STEP requests of this kind for the stopped thread. */
async function stepTrips(ch, thread, kind, steps) {
  const trips = [];
  for (let i = 0; i < steps; i++) {
    const from = ch.events.length;
    const sent = performance.now();
    const reply = ch.request(M.STEP, W.encodeStepRequest({ thread, kind }));
    const { at } = await ch.waitStopped((e) => e.thread === thread, { from });
    await reply;
    trips.push(at - sent);
  }
  return trips.sort((a, b) => a - b);
}

/** Bytecodes one hosted run executes for the instruction counts. */
const HOSTED_STEPS = 20_000_000;

/** Host instructions one phrun run executes (cachegrind's count: exact, whatever the host's load). */
function phrunInstructions(phrun, store, extra = []) {
  const run = spawnSync(
    'valgrind',
    ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', phrun, ...extra, '--virtual-clock', '--max-steps', String(HOSTED_STEPS), store],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr ?? '');
  if (run.status !== 0 || !refs) throw new Error(`valgrind ${phrun} failed: ${run.error ?? run.stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

/** The hosted table: host instructions per bytecode of this tree's phrun and of the baseline's, nothing set. */
async function hostedTable(dir) {
  const ours = join(kernelDir, 'build', 'hosted', 'phrun');
  const rows = [];
  for (const [file, main] of [
    ['tests/lib/caller.ph', '.test.caller'],
    ['tests/lib/spinner.ph', '.test.spinner'],
  ]) {
    const store = join(dir, `${main}.img`);
    await buildStoreDisk(store, [join(kernelDir, file)], [main]);
    const a = phrunInstructions(ours, store);
    const b = phrunInstructions(values['phrun-baseline'], store);
    rows.push(`| ${file} | ${(a / HOSTED_STEPS).toFixed(2)} | ${(b / HOSTED_STEPS).toFixed(2)} | ${((100 * a) / b).toFixed(2)}% |`);
  }
  // Breakpoints in code that never runs: every instruction of the counter's tick() and run(), compiled in beside the caller.
  const store = join(dir, 'caller-counter.img');
  await buildStoreDisk(store, ['tests/lib/caller.ph', '../lang/examples/counter.ph'].map((f) => join(kernelDir, f)), ['.test.caller']);
  const none = phrunInstructions(ours, store);
  const set = phrunInstructions(ours, store, ['--breakpoints', '.demo.counter.tick', '--breakpoints', '.demo.counter.run']);
  return [
    HOST_ONLY,
    '',
    '| program | this phrun: host instructions / bytecode | baseline phrun | this / baseline |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Breakpoints at every instruction of the counter\'s tick() and run() (never run) beside caller.ph, this phrun:',
    '',
    '| program | none set: host instructions / bytecode | set | set / none (instructions) | throughput set / none |',
    '| --- | --- | --- | --- | --- |',
    `| tests/lib/caller.ph | ${(none / HOSTED_STEPS).toFixed(2)} | ${(set / HOSTED_STEPS).toFixed(2)} | ${((100 * set) / none).toFixed(2)}% | ${((100 * none) / set).toFixed(1)}% |`,
  ].join('\n');
}

if (values['hosted-only']) {
  if (!values['phrun-baseline']) throw new Error('--hosted-only needs --phrun-baseline');
  const dir = await tempDir();
  try {
    console.log(`Command: \`node kernel-src/tests/bench/debugger.mjs ${process.argv.slice(2).join(' ')}\`\n\n${await hostedTable(dir.dir)}`);
  } finally {
    await dir.cleanup();
  }
  process.exit(0);
}

/** The caller's and the spinner's threads of a machine running them. */
async function programThreads(ch) {
  const callerMethods = [(await ch.findMethod('.test.caller', 'step')).addr, (await ch.findMethod('.test.caller', 'run')).addr];
  const threads = W.decodeThreadsReply(await ch.request(M.THREADS)).threads;
  const caller = threads.find((t) => t.frames.some((f) => callerMethods.includes(f.method))).thread;
  const spinner = threads.find((t) => t.thread !== caller && (t.state === 0 || t.state === 1)).thread;
  return { caller, spinner };
}

async function stopThread(ch, thread) {
  const from = ch.events.length;
  await ch.request(M.PAUSE_THREAD, W.encodeThreadRequest({ thread }));
  await ch.waitStopped((e) => e.thread === thread, { from });
}

/**
 * Step round trips on a machine per transport, the same programs on each; the transports take
 * turns for each kind of step, the machine not measured held by PAUSE (so they do not compete).
 */
async function stepTable(programs) {
  const rigs = [];
  try {
    for (const transport of DEBUG_TRANSPORTS) {
      const disk = join(temp.dir, `steps-${transport}.img`);
      await buildStoreDisk(disk, programs, ['.test.caller', '.test.spinner']);
      const socket = join(temp.dir, `steps-${transport}.sock`);
      const m = new Machine({ disk, append: 'snap=0', debugSocket: socket, debugTransport: transport, extraArgs: ['-name', `steps-${transport},debug-threads=on`] });
      rigs.push({ transport, machine: m });
      await m.waitForLine(/^spin 2$/, { deadlineMs: 120_000 });
      const rig = rigs[rigs.length - 1];
      rig.ch = await Channel.open(socket);
      Object.assign(rig, await programThreads(rig.ch));
      await stopThread(rig.ch, rig.caller);
      await rig.ch.request(M.PAUSE);
    }
    const steps = Number(values.steps);
    const trips = [];
    for (const [beside, stopSpinner] of [['spinner running', false], ['spinner stopped (idle machine)', true]]) {
      for (const [kind, kindName] of [[W.DBG_STEP_INSTRUCTION, 'instruction'], [W.DBG_STEP_OVER, 'over (a line)']]) {
        for (const rig of rigs) {
          if (stopSpinner && !rig.spinnerStopped) {
            await stopThread(rig.ch, rig.spinner);
            rig.spinnerStopped = true;
          }
          await rig.ch.request(M.RESUME);
          process.stderr.write(`debugger bench: steps ${kindName}, ${beside}, ${rig.transport}\n`);
          trips.push({ transport: rig.transport, beside, kindName, t: await stepTrips(rig.ch, rig.caller, kind, steps) });
          await rig.ch.request(M.PAUSE);
        }
      }
    }
    return trips;
  } finally {
    for (const rig of rigs) {
      rig.ch?.close();
      await rig.machine.kill();
    }
  }
}

/** What the transports are called in the table. */
const TRANSPORT_NAMES = { virtio: 'virtio-serial port', serial: 'COM2' };

function stepRows(trips) {
  const steps = Number(values.steps);
  return [
    `A step's round trip, STEP request written to EV_STOPPED read (${steps} steps each; the transports take turns, the machine not measured held by PAUSE):`,
    '',
    '| channel | beside the stopped caller | step | p50 ms | p90 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...trips.map(
      ({ transport, beside, kindName, t }) =>
        `| ${TRANSPORT_NAMES[transport] ?? transport} | ${beside} | ${kindName} | ${percentile(t, 50).toFixed(1)} | ${percentile(t, 90).toFixed(1)} | ${t[t.length - 1].toFixed(1)} |`,
    ),
  ];
}

const CLOCK_LINE = /^clock (\d+)$/;

/**
 * One window of the machine under -icount: its console lines for --attached-seconds, and of them
 * the lines of each program between the first and the last clock line, over the machine time
 * between those two (the clock's uptimes, exact under -icount).
 */
async function machineWindow(machine, seconds) {
  const from = machine.lines.length;
  await sleep(seconds * 1000);
  const lines = machine.lines.slice(from).map((l) => l.line);
  const clocks = lines.flatMap((line, i) => {
    const m = CLOCK_LINE.exec(line);
    return m ? [{ i, ms: Number(m[1]) }] : [];
  });
  if (clocks.length < 2) throw new Error(`fewer than two clock lines in a ${seconds} s window: the machine did not run`);
  const first = clocks[0];
  const last = clocks[clocks.length - 1];
  const between = lines.slice(first.i, last.i);
  return {
    calls: between.filter((l) => /^call \d+$/.test(l)).length,
    spins: between.filter((l) => /^spin \d+$/.test(l)).length,
    machine: (last.ms - first.ms) / 1000,
  };
}

/**
 * The attached-and-idle part (4. above): one machine under TCG with -icount, its windows with no
 * client and with a DebugClient attached as `phantom dap` attaches and then idle, taking turns.
 */
async function attachedTable(programs) {
  const shift = Number(values.icount);
  const seconds = Number(values['attached-seconds']);
  const rounds = Number(values['attached-rounds']);
  if (!(Number.isInteger(shift) && shift >= 0 && shift <= 10) || !(seconds > 0) || !(Number.isInteger(rounds) && rounds > 0))
    throw new Error('--icount must be 0..10, --attached-seconds positive, --attached-rounds a positive integer');
  const used = icountClock(shift);
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const load = loadavg()[0].toFixed(1);
  const disk = join(temp.dir, 'attached.img');
  const files = [...programs, join(kernelDir, 'tests', 'lib', 'clock.ph')];
  await buildStoreDisk(disk, files, ['.test.caller', '.test.spinner', '.test.clock']);
  const socket = join(temp.dir, 'attached.sock');
  const machine = new Machine({
    disk,
    debugSocket: socket,
    accel: used.accel,
    extraArgs: [...used.extraArgs, '-name', 'attached,debug-threads=on'],
  });
  const rows = [];
  try {
    await machine.waitForLine(/^spin 2$/, { deadlineMs: 300_000 });
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? ['none', 'attached'] : ['attached', 'none']; /* ABBA */
      for (const config of order) {
        process.stderr.write(`debugger bench: attached and idle, round ${round}, ${config}\n`);
        if (config === 'none') {
          rows.push({ round, config, generations: undefined, ...(await machineWindow(machine, seconds)) });
          continue;
        }
        // What `phantom dap` asks when it attaches (inspector/src/node/dap/session.ts), then only events.
        const { client } = await DebugClient.connect(socket);
        let generations = 0;
        const watch = client.onDidCommitGeneration(() => generations++);
        try {
          await client.stopped();
          await client.listBreakpoints();
          await client.setExceptionStops(P.ExceptionStops.None);
          await client.threads();
          await client.stats();
          const w = await machineWindow(machine, seconds);
          rows.push({ round, config, generations, ...w });
        } finally {
          watch.dispose();
          client.close();
        }
      }
    }
  } finally {
    await machine.kill();
  }
  const sum = (config, k) => rows.filter((r) => r.config === config).reduce((a, r) => a + r[k], 0);
  const rate = (n, s) => (n / s).toFixed(3);
  const pct = (what) =>
    `${((100 * (sum('attached', what) / sum('attached', 'machine'))) / (sum('none', what) / sum('none', 'machine'))).toFixed(1)}%`;
  const both = (config) => sum(config, 'calls') / sum('none', 'calls') + sum(config, 'spins') / sum('none', 'spins');
  const bothPct = `${((100 * (both('attached') / sum('attached', 'machine'))) / (both('none') / sum('none', 'machine'))).toFixed(1)}%`;
  return [
    acceleratorLine(used),
    '',
    `Command: \`node kernel-src/tests/bench/debugger.mjs ${process.argv.slice(2).join(' ')}\``,
    `(${started} UTC, host load average ${load} at the start; -icount shift=${shift}: a machine second is ${1e9 / 2 ** shift} guest instructions; ${seconds} s wall windows, ${rounds} rounds ABBA on one machine, snapshots every 1 s).`,
    '',
    '| round | debug client | machine s | caller lines | spinner lines | caller lines / machine s | spinner lines / machine s | EV_GENERATION received |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.round} | ${r.config === 'none' ? 'none connected' : 'attached, idle'} | ${r.machine.toFixed(3)} | ${r.calls} | ${r.spins} | ${rate(r.calls, r.machine)} | ${rate(r.spins, r.machine)} | ${r.generations ?? ''} |`,
    ),
    `| all | attached / none | ${sum('attached', 'machine').toFixed(3)} / ${sum('none', 'machine').toFixed(3)} | ${sum('attached', 'calls')} / ${sum('none', 'calls')} | ${sum('attached', 'spins')} / ${sum('none', 'spins')} | ${pct('calls')} | ${pct('spins')} | |`,
    '',
    `Both programs' lines together (each weighted by its rate with no client): attached / none ${bothPct}.`,
  ].join('\n');
}

const temp = await tempDir();
const programs = ['tests/lib/caller.ph', 'tests/lib/spinner.ph', '../lang/examples/counter.ph'].map((p) => join(kernelDir, p));
if (values['attached-only']) {
  try {
    console.log(await attachedTable(programs));
  } finally {
    await temp.cleanup();
  }
  process.exit(0);
}
if (values['steps-only']) {
  try {
    const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const load = loadavg()[0].toFixed(1);
    const trips = await stepTable(programs);
    console.log(
      [
        acceleratorLine(accelerator),
        '',
        `Command: \`node kernel-src/tests/bench/debugger.mjs ${process.argv.slice(2).join(' ')}\``,
        `(${started} UTC, host load average ${load} at the start).`,
        '',
        ...stepRows(trips),
      ].join('\n'),
    );
  } finally {
    await temp.cleanup();
  }
  process.exit(0);
}
let machine;
let baseline;
try {
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const disk = join(temp.dir, 'debugger.img');
  await buildStoreDisk(disk, programs, ['.test.caller', '.test.spinner']);
  const socket = join(temp.dir, 'debugger.sock');
  machine = new Machine({ disk, append: 'snap=0', debugSocket: socket, extraArgs: ['-name', 'debugger,debug-threads=on'] });
  await machine.waitForLine(/^spin 2$/, { deadlineMs: 120_000 });
  const ch = await Channel.open(socket);
  let baseCh;
  if (values.baseline) {
    const kernel = join(temp.dir, 'baseline.elf');
    await copyFile(values.baseline, kernel);
    const baseDisk = join(temp.dir, 'baseline.img');
    await buildStoreDisk(baseDisk, programs, ['.test.caller', '.test.spinner']);
    const baseSocket = join(temp.dir, 'baseline.sock');
    baseline = new Machine({
      disk: baseDisk,
      append: 'snap=0',
      debugSocket: baseSocket,
      kernel,
      extraArgs: ['-name', 'baseline,debug-threads=on'],
      ...baselineBoot,
    });
    await baseline.waitForLine(/^spin 2$/, { deadlineMs: 120_000 });
    baseCh = await Channel.open(baseSocket);
    await baseCh.request(M.PAUSE);
  }

  const places = [];
  for (const name of ['tick', 'run']) {
    const method = await ch.findMethod('.demo.counter', name);
    for (const pc of await instructionStarts(ch, method)) places.push([method.addr, pc]);
  }
  places.length = Math.min(places.length, W.DBG_MAX_BREAKPOINTS);

  const sums = {};
  const rows = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    const order = ['none', 'set', ...(baseline ? ['baseline'] : [])];
    if (round % 2 === 0) order.reverse(); /* ABBA: a steady drift of the host's load favours neither */
    for (const config of order) {
      sums[config] ??= { calls: 0, spins: 0, cpu: 0, wall: 0 };
      if (config === 'baseline') {
        await ch.request(M.PAUSE);
        await baseCh.request(M.RESUME);
        process.stderr.write(`debugger bench: round ${round}, baseline kernel\n`);
        const w = await window(baseline);
        await baseCh.request(M.PAUSE);
        await ch.request(M.RESUME);
        for (const k of Object.keys(w)) sums[config][k] += w[k];
        rows.push({ round, config, ...w });
        continue;
      }
      const ids = [];
      if (config === 'set')
        for (const [method, pc] of places) ids.push(W.decodeBreakpointReply(await ch.request(M.SET_BREAKPOINT, setBreakpoint(method, pc))).id);
      process.stderr.write(`debugger bench: round ${round}, breakpoints ${config}\n`);
      const w = await window(machine);
      for (const id of ids) await ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id }));
      for (const k of Object.keys(w)) sums[config][k] += w[k];
      rows.push({ round, config, ...w });
    }
  }

  ch.close();
  baseCh?.close();
  await machine.kill();
  await baseline?.kill();
  const trips = await stepTable(programs);
  const rate = (n, d) => (n / d).toFixed(2);
  /** The median over rounds of a / b per vCPU second, each round's two windows side by side (a host's load shifts between rounds). */
  const roundRatio = (a, b, what) => {
    const ratios = [];
    for (let round = 1; round <= Number(values.rounds); round++) {
      const x = rows.find((r) => r.round === round && r.config === a);
      const y = rows.find((r) => r.round === round && r.config === b);
      ratios.push(x[what] / x.cpu / (y[what] / y.cpu));
    }
    ratios.sort((p, q) => p - q);
    const mid = ratios.length / 2;
    const median = ratios.length % 2 ? ratios[Math.floor(mid)] : (ratios[mid - 1] + ratios[mid]) / 2;
    return `${(100 * median).toFixed(1)}%`;
  };
  const pct = (a, b) => `${((100 * a) / b).toFixed(1)}%`;
  const none = sums.none;
  const set = sums.set;
  const out = [
    acceleratorLine(accelerator),
    '',
    `Command: \`node kernel-src/tests/bench/debugger.mjs ${process.argv.slice(2).join(' ')}\``,
    `(${started} UTC, ${values.seconds} s windows, ${places.length} breakpoints, host load average ${loadavg()[0].toFixed(1)} at the start${values.baseline ? '; baseline: the kernel at --baseline, without the debugger' : ''}).`,
    '',
    '| round | breakpoints | caller lines / vCPU s | spinner lines / vCPU s | caller lines / s | spinner lines / s |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.round} | ${{ set: `${places.length}, never reached`, none: 'none', baseline: 'baseline kernel (no debugger)' }[r.config]} | ${rate(r.calls, r.cpu)} | ${rate(r.spins, r.cpu)} | ${rate(r.calls, r.wall)} | ${rate(r.spins, r.wall)} |`,
    ),
    `| all | set / none | ${pct(set.calls / set.cpu, none.calls / none.cpu)} | ${pct(set.spins / set.cpu, none.spins / none.cpu)} | ${pct(set.calls / set.wall, none.calls / none.wall)} | ${pct(set.spins / set.wall, none.spins / none.wall)} |`,
    `| median | set / none, of each round's adjacent windows | ${roundRatio('set', 'none', 'calls')} | ${roundRatio('set', 'none', 'spins')} | | |`,
    ...(sums.baseline
      ? [
          `| median | none / baseline, of each round's windows | ${roundRatio('none', 'baseline', 'calls')} | ${roundRatio('none', 'baseline', 'spins')} | | |`,
          `| all | none / baseline | ${pct(none.calls / none.cpu, sums.baseline.calls / sums.baseline.cpu)} | ${pct(none.spins / none.cpu, sums.baseline.spins / sums.baseline.cpu)} | ${pct(none.calls / none.wall, sums.baseline.calls / sums.baseline.wall)} | ${pct(none.spins / none.wall, sums.baseline.spins / sums.baseline.wall)} |`,
        ]
      : []),
    '',
    ...stepRows(trips),
  ];
  console.log(out.join('\n'));
  console.log(`\n${await attachedTable(programs)}`);
  if (values['phrun-baseline']) console.log(`\n${await hostedTable(temp.dir)}`);
} finally {
  await machine?.kill();
  await baseline?.kill();
  await temp.cleanup();
}
