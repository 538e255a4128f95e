// `npm run bench -w lang` (after a build): runs the CPU-bound example (lang/examples/bench.ph)
// on the reference interpreter and reports bytecodes per second against the goal of 20 million,
// then writes the "interpreter" section of docs/bench-lang.md (other sections are left alone).
// The machine is shared with other work, so each run's figure is kept and the median reported,
// both per second of wall-clock time (the goal) and per second of this process's CPU time
// (what the interpreter does on a core of its own; the two differ when others load the machine).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchHeading, HOST_ONLY } from '../../scripts/bench-header.mjs';
import { compile } from '../dist/common/compiler.js';
import { buildSpace } from '../dist/common/image/builder.js';
import { Machine } from '../dist/common/interp/machine.js';

const root = join(import.meta.dirname, '..', '..');
const docPath = join(root, 'docs', 'bench-lang.md');
const WARMUP = 2;
const RUNS = 7;
const GOAL = 20e6;

const text = readFileSync(join(root, 'lang', 'examples', 'bench.ph'), 'utf8');
const expected = readFileSync(join(root, 'lang', 'examples', 'bench.expected'), 'utf8');
const { program, diagnostics } = compile([{ file: 'bench.ph', text }]);
if (program === null) throw new Error(`bench.ph does not compile: ${diagnostics[0]?.message}`);
const space = buildSpace(program, { mainClasses: ['.demo.bench'] });

/** One run on a fresh copy of generation 0; returns steps, seconds and collections. */
function once() {
  let output = '';
  const decoder = new TextDecoder();
  const machine = new Machine(space.slice(), { onOutput: (b) => (output += decoder.decode(b)) });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = machine.run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (output !== expected) throw new Error(`bench.ph printed ${JSON.stringify(output)}`);
  return {
    steps: result.steps,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    collections: machine.heap.collections,
  };
}

const load = loadavg()[0];
for (let i = 0; i < WARMUP; i++) once();
const runs = Array.from({ length: RUNS }, once);
const sorted = (values) => [...values].sort((a, b) => a - b);
const rates = sorted(runs.map((r) => r.steps / r.seconds));
const cpuRates = sorted(runs.map((r) => r.steps / r.cpuSeconds));
const median = rates[Math.floor(rates.length / 2)];
const cpuMedian = cpuRates[Math.floor(cpuRates.length / 2)];
const m = (n) => (n / 1e6).toFixed(1);

const section = `<!-- BEGIN interpreter -->
${benchHeading('## Reference interpreter', HOST_ONLY)}

Made by \`npm run bench -w lang\` (lang/bench/interp.mjs) on ${new Date().toISOString().slice(0, 10)},
Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared with
other work; load average ${load.toFixed(1)} when it started). The CPU-bound example \`lang/examples/bench.ph\` (sieve, recursive Fibonacci, a
checksum loop, string building) from a fresh generation 0 of ${space.length / 2 ** 20} MiB, run to the end; its output
is checked against \`bench.expected\`. ${WARMUP} warm-up runs, then ${RUNS} timed runs.

| benchmark | bytecodes per run | runs | median M bytecodes/s (wall) | min | max | median M bytecodes/s (CPU time) | GCs per run | goal | result |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| bench.ph on the reference interpreter | ${runs[0].steps.toLocaleString('en-US')} | ${RUNS} | ${m(median)} | ${m(rates[0])} | ${m(rates.at(-1))} | ${m(cpuMedian)} | ${runs[0].collections} | ≥ 20 M/s (wall) | ${median >= GOAL ? 'met' : 'missed'} |
<!-- END interpreter -->`;

let doc;
try {
  doc = readFileSync(docPath, 'utf8');
} catch {
  doc = '# Benchmarks of lang\n\nOne section per benchmark; each is rewritten by the command it names.\n';
}
const pattern = /<!-- BEGIN interpreter -->[\s\S]*<!-- END interpreter -->/;
doc = pattern.test(doc) ? doc.replace(pattern, section) : `${doc.trimEnd()}\n\n${section}\n`;
writeFileSync(docPath, doc);
console.log(section);
