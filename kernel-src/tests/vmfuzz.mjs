// vmfuzz.mjs — the differential fuzzer of the two VMs: random valid programs (lib/progen.mjs:
// threads, errors, arrays, directories, allocation pressure) each run on lang's reference
// interpreter and on the kernel's VM (build/hosted/phrun --virtual-clock), to their end (or a step
// cap), and again stopped at a random bytecode or machine time. Each time the console outputs must
// be identical byte for byte, and the spaces both leave the same machine (lang's compareSpaces:
// header, every block's address and header, every reachable object's payload; see docs/vm.md,
// "One model, two VMs").
//
//   node kernel-src/tests/vmfuzz.mjs [--programs N] [--seed S] [--table]
//
// Programs are seeds S, S+1, …, S+N-1 (default 1 and 300): a failure names the seed that
// reproduces it, and its source and the differences go to artifacts/vmfuzz/. Prints
// "vmfuzz: N passed, N failed" (one per program; npm test runs 300 through tests/hosted/vmfuzz.sh).
// --table (npm run soak:vm) also prints the soak table and writes it into docs/soak-vm.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compile } from '@phantom/lang/common/compiler.js';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { Machine } from '@phantom/lang/common/interp/machine.js';
import { compareSpaces } from '@phantom/lang/common/interp/space-compare.js';
import { SH_TOP, SPACE_BASE } from '@phantom/lang/common/spec/generated.js';
import { readSpaceDump, writeSpaceDump } from '@phantom/lang/node/space-file.js';
import { generateProgram, random } from './lib/progen.mjs';
import { buildTools, PHRUN } from './lib/store-agree.mjs';
import { kernelDir } from './qemu.mjs';

const { values } = parseArgs({
  options: {
    programs: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    table: { type: 'boolean', default: false },
  },
});
const programs = Number(values.programs);
const firstSeed = Number(values.seed);
for (const [name, n] of [['--programs', programs], ['--seed', firstSeed]]) {
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`vmfuzz: ${name} must be a whole number > 0`);
    process.exit(2);
  }
}
/** Bytecodes a whole run may take; a program still running then is compared there (a cut like any other). */
const MAX_STEPS = 3_000_000;
// A phrun older than the tree's core/ would report the tree's changes as differences.
buildTools();
const phrun = PHRUN;
const root = join(kernelDir, '..');
const artifacts = join(root, 'artifacts', 'vmfuzz');
// Spaces go to memory when it can: thousands of megabyte files are written and read back.
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'phantom-vmfuzz-'));

/**
 * Spaces of each size, allocated once and reused: a fresh page costs a page fault, and on a shared
 * VM thousands of megabyte spaces made that the fuzzer's main cost. Each role (a reference run, a
 * phrun dump; whole and cut) has its own, so the two runs of a program never share one.
 */
const pool = new Map();
function pooled(role, size) {
  const key = `${role} ${size}`;
  if (!pool.has(key)) pool.set(key, new Uint8Array(size));
  return pool.get(key);
}

/**
 * phrun runs through one small shell, not spawned from here: forking this process (its heap, its
 * page tables) for every run cost more than the runs. run(lines) sends one shell command that
 * ends by printing `done <id>`, and resolves when it has.
 */
const shell = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'inherit'] });
const waiting = new Map();
let shellOutput = '';
shell.stdout.on('data', (chunk) => {
  shellOutput += chunk;
  for (let end = shellOutput.indexOf('\n'); end >= 0; end = shellOutput.indexOf('\n')) {
    const [word, id] = shellOutput.slice(0, end).split(' ');
    shellOutput = shellOutput.slice(end + 1);
    if (word === 'done') waiting.get(id)?.();
  }
});
let commands = 0;
function inShell(command) {
  const id = String(commands++);
  return new Promise((resolve) => {
    waiting.set(id, () => {
      waiting.delete(id);
      resolve();
    });
    shell.stdin.write(`${command}; echo done ${id}\n`);
  });
}
const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;

/** Runs phrun; resolves to { status, stdout (bytes), stderr, space (bytes, or null) }. */
async function runPhrun(image, limits, dump, role) {
  const args = ['--virtual-clock', '--dump-space', dump];
  if (limits.maxSteps !== undefined) args.push('--max-steps', String(limits.maxSteps));
  if (limits.maxMachineMs !== undefined) args.push('--max-ms', String(limits.maxMachineMs));
  const files = { out: `${dump}.out`, err: `${dump}.err`, status: `${dump}.status` };
  // The previous program's dump must not pass for this one's.
  await inShell(
    `rm -f ${quote(dump)}; ${[phrun, ...args, image].map(quote).join(' ')} >${quote(files.out)} 2>${quote(files.err)}; echo $? >${quote(files.status)}`,
  );
  const read = (path) => {
    try {
      return readFileSync(path);
    } catch {
      return Buffer.alloc(0);
    }
  };
  let space = null;
  try {
    space = readSpaceDump(dump, pooled(`phrun ${role}`, statSync(dump).size));
  } catch {}
  return {
    status: Number(read(files.status).toString().trim() || -1),
    stdout: read(files.out),
    stderr: read(files.err).toString(),
    space,
  };
}

/** Runs the reference interpreter on a copy of the space: { output (bytes), space, result, collections }. */
function runReference(space, limits, role) {
  const chunks = [];
  const copy = pooled(`reference ${role}`, space.length).fill(0);
  copy.set(space.subarray(0, new DataView(space.buffer, space.byteOffset).getUint32(SH_TOP, true) - SPACE_BASE));
  const machine = new Machine(copy, { onOutput: (b) => chunks.push(b) });
  const result = machine.run(limits);
  return { output: Buffer.concat(chunks), space: machine.space.bytes, result, collections: machine.heap.collections };
}

/** The differences between a reference run and a phrun run of the same limits, as lines; [] when none. */
function differences(what, reference, kernel) {
  if (kernel.status !== 0) return [`${what}: phrun exited ${kernel.status}: ${kernel.stderr.trim()}`];
  const lines = [];
  if (!reference.output.equals(kernel.stdout)) {
    const a = reference.output;
    const b = kernel.stdout;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const around = (bytes) => JSON.stringify(bytes.subarray(Math.max(0, i - 40), i + 40).toString('latin1'));
    lines.push(`${what}: outputs differ at byte ${i}: reference ${around(a)}, phrun ${around(b)}`);
  }
  if (kernel.space === null) lines.push(`${what}: phrun wrote no space`);
  else for (const d of compareSpaces(reference.space, kernel.space, 10)) lines.push(`${what}: heap: ${d}`);
  return lines;
}

/** What the soak document says of the counts, above its table. */
const NOTE = `BadField stays at 0: a valid program never reaches it. A thread, an error or the root directory
stored into a \`fake[]\` (whose fields sit where theirs do) is refused with ArrayStore before any field
is written; the BadField check behind it is tested on hand-assembled bytecode on both sides
(lang/src/common/interp/machine.test.ts, kernel-src/tests/unit/vm_safety_test.c). "a fake[]
written" counts writes into real \`fake\` objects; a program that wrote into a system object that
way fails the soak even when both VMs agree.`;

/** What the soak table counts, per program. */
const FEATURES = [
  ['OutOfMemory', /OutOfMemory/],
  ['StackOverflow', /StackOverflow/],
  ['DivideByZero', /DivideByZero/],
  ['IndexOutOfRange', /IndexOutOfRange/],
  ['NullReference', /NullReference/],
  ['BadCast', /BadCast/],
  ['BadArgument', /BadArgument/],
  ['ArrayStore', /ArrayStore/],
  ['BadField', /BadField/],
  ['a fake[] written', /^written into a fake$/m],
  ['oops thrown', /oops /],
  ['uncaught', /^\*\*\* thread \d+: uncaught/m],
  ['worker threads', /^worker \d+ /m],
];

const totals = {
  passed: 0,
  failed: 0,
  outputDiffs: 0,
  heapDiffs: 0,
  otherFailures: 0,
  steps: 0,
  collections: 0,
  stepCapped: 0,
  timeCuts: 0,
  features: Object.fromEntries(FEATURES.map(([name]) => [name, 0])),
};

async function fuzzOne(seed) {
  const program = generateProgram(seed);
  const compiled = compile([{ file: `fuzz-${seed}.ph`, text: program.source }]);
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (compiled.program === null || errors.length > 0) {
    return { program, problems: errors.map((d) => `does not compile: ${d.line}:${d.column}: ${d.message}`), other: true };
  }
  const space = buildSpace(compiled.program, { mainClasses: [program.mainClass], spaceBytes: program.spaceBytes });
  const image = join(work, 'image');
  writeSpaceDump(image, space);
  const whole = { maxSteps: MAX_STEPS };
  const reference = runReference(space, whole, 'whole');
  // The cut: a random bytecode of the run, or (one time in four) a random machine time.
  const r = random(seed ^ 0x5eed);
  const cut = r.chance(0.25)
    ? { maxMachineMs: r.int(0, Math.max(0, reference.result.machineMs)) }
    : { maxSteps: r.int(1, Math.max(1, reference.result.steps)) };
  const kernelRuns = Promise.all([
    runPhrun(image, whole, join(work, 'whole'), 'whole'),
    runPhrun(image, { ...cut, maxSteps: cut.maxSteps ?? MAX_STEPS }, join(work, 'cut'), 'cut'),
  ]);
  const referenceCut = runReference(space, { ...cut, maxSteps: cut.maxSteps ?? MAX_STEPS }, 'cut');
  const [kernelWhole, kernelCut] = await kernelRuns;
  const wholeProblems = differences('whole run', reference, kernelWhole);
  const cutName = cut.maxSteps !== undefined ? `cut at ${cut.maxSteps} bytecodes` : `cut at ${cut.maxMachineMs} ms`;
  const cutProblems = differences(cutName, referenceCut, kernelCut);
  // Two VMs agreeing on a hole in the type system fail too.
  const holes = /^written into a system object$/m.test(kernelWhole.stdout.toString('latin1'))
    ? ['a system object was written through a fake[] (the store into it should raise ArrayStore)']
    : [];
  return { program, reference, cut, problems: [...wholeProblems, ...cutProblems, ...holes] };
}

const started = performance.now();
const load = loadavg()[0];
for (let seed = firstSeed; seed < firstSeed + programs; seed++) {
  let outcome;
  try {
    outcome = await fuzzOne(seed);
  } catch (err) {
    outcome = { program: generateProgram(seed), problems: [`crashed: ${err.stack ?? err}`], other: true };
  }
  const { program, reference, cut, problems } = outcome;
  if (reference) {
    totals.steps += reference.result.steps;
    totals.collections += reference.collections;
    if (reference.result.reason === 'max-steps') totals.stepCapped++;
    const text = reference.output.toString('utf8');
    for (const [name, pattern] of FEATURES) if (pattern.test(text)) totals.features[name]++;
  }
  if (cut?.maxMachineMs !== undefined) totals.timeCuts++;
  if (problems.length === 0) {
    totals.passed++;
  } else {
    totals.failed++;
    if (outcome.other || problems.some((p) => / exited |crashed|wrote no space/.test(p))) totals.otherFailures++;
    if (problems.some((p) => p.includes('outputs differ'))) totals.outputDiffs++;
    if (problems.some((p) => p.includes(': heap: '))) totals.heapDiffs++;
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, `seed-${seed}.ph`), program.source);
    writeFileSync(join(artifacts, `seed-${seed}.txt`), `${problems.join('\n')}\n`);
    console.error(`FAIL vmfuzz seed ${seed} (artifacts/vmfuzz/seed-${seed}.ph):\n  ${problems.slice(0, 8).join('\n  ')}`);
  }
  if (values.table && process.stderr.isTTY) process.stderr.write(`\rprogram ${seed - firstSeed + 1}/${programs}`);
}
shell.stdin.end();
await new Promise((resolve) => shell.on('close', resolve));
rmSync(work, { recursive: true, force: true });
const seconds = Math.round((performance.now() - started) / 1000);
if (values.table && process.stderr.isTTY) process.stderr.write('\n');

if (values.table) {
  const n = (v) => v.toLocaleString('en-US');
  const section = `<!-- BEGIN soak -->
Made by \`npm run soak:vm -- --programs ${programs}${firstSeed === 1 ? '' : ` --seed ${firstSeed}`}\` (kernel-src/tests/vmfuzz.mjs), finished
${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores shared with other
work; load average ${load.toFixed(1)} when it started). Seeds ${firstSeed} … ${firstSeed + programs - 1}; each program runs whole (at most
${n(MAX_STEPS)} bytecodes) and again cut at a random bytecode (or, one time in four, a random machine time),
on both VMs: ${n(2 * programs)} runs on each, compared in output and heap.

| programs | differing in output | differing in heap | other failures | bytecodes (whole runs, reference) | collections (reference) | runs at the step cap | cuts by machine time | wall time |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${n(programs)} | ${totals.outputDiffs} | ${totals.heapDiffs} | ${totals.otherFailures} | ${n(totals.steps)} | ${n(totals.collections)} | ${totals.stepCapped} | ${totals.timeCuts} | ${seconds} s |

What the programs reached (programs whose output shows it):

| ${FEATURES.map(([name]) => name).join(' | ')} |
| ${FEATURES.map(() => '---:').join(' | ')} |
| ${FEATURES.map(([name]) => n(totals.features[name])).join(' | ')} |
<!-- END soak -->`;
  console.log(section);
  const docPath = join(root, 'docs', 'soak-vm.md');
  let doc;
  try {
    doc = readFileSync(docPath, 'utf8');
  } catch {
    doc = `# The VM soak: the kernel's VM against lang's reference interpreter

Random valid programs (kernel-src/tests/lib/progen.mjs) on both VMs, compared in console output
and in the machine they leave (docs: kernel-src/docs/vm.md, "One model, two VMs"). Rewritten by
the command it names; \`npm test\` runs the first 300 seeds.

${NOTE}
`;
  }
  const pattern = /<!-- BEGIN soak -->[\s\S]*<!-- END soak -->/;
  doc = pattern.test(doc) ? doc.replace(pattern, section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(docPath, doc);
}
console.log(`vmfuzz: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
