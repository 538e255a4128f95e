// `npm run bench -w lang` (after a build): measures the compiler against its goals — compile
// 10,000 lines in under 1 s, re-check a 2,000-line file for the editor in under 50 ms — and
// writes the figures into the "compiler" section of docs/bench-lang.md (other sections of that
// file, such as the interpreter's, are left as they are).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchHeading, HOST_ONLY } from '../../scripts/bench-header.mjs';
import { checkSource, compile } from '../dist/common/compiler.js';

const root = join(import.meta.dirname, '..', '..');
const docPath = join(root, 'docs', 'bench-lang.md');

/** A realistic program of about `lines` lines: classes with fields, loops, calls, strings, try/catch. */
function program(lines) {
  const header = 'package .bench;\nimport .internal.io.tty;\n';
  const classes = [];
  let count = 2;
  for (let c = 0; count < lines; c++) {
    const methods = [];
    for (let m = 0; m < 8; m++) {
      methods.push(`  int m${m}(var x : int, var s : string) {
    var total = x;
    for (var i = 0; i < 10; i++) {
      if (i % 2 == 0 && total > ${m}) {
        total += i * ${m + 1};
      } else {
        total = total - 1;
      }
    }
    try {
      tty.println(s + " " + total + " " + (total > 3));
    } catch (var e : .internal.error) {
      return -1;
    }
    return total + count + helper.value;
  }
`);
    }
    const text = `class c${c} {
  var count : int;
  var helper : c${c}h;
  c${c}() {
    helper = new c${c}h(${c});
  }
${methods.join('')}};
class c${c}h {
  var value : int;
  c${c}h(var v : int) {
    value = v;
  }
};
`;
    classes.push(text);
    count += text.split('\n').length - 1;
  }
  return header + classes.join('');
}

function median(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall-clock and CPU time (user + system) of each run: on a shared machine CPU time shows the work itself. */
function time(fn, runs) {
  for (let i = 0; i < 3; i++) fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { median: median(wall), min: Math.min(...wall), max: Math.max(...wall), cpu: median(cpu) };
}

const big = program(10_000);
const bigLines = big.split('\n').length - 1;
const bigResult = compile([{ file: 'big.ph', text: big }]);
if (bigResult.program === null)
  throw new Error(`bench program does not compile: ${bigResult.diagnostics[0]?.message}`);
const compileTime = time(() => compile([{ file: 'big.ph', text: big }]), 10);

const editor = program(2_000);
const editorLines = editor.split('\n').length - 1;
const edited = editor.replace('total = total - 1;', 'total = total - y;');
if (checkSource(edited, 'e.ph').length !== 1)
  throw new Error('the edited file should have exactly one diagnostic');
const recheck = time(() => checkSource(edited, 'e.ph'), 30);

const fmt = (n) => n.toFixed(1);
const verdict = (ms, goal) => (ms < goal ? 'met' : 'missed');
const section = `<!-- BEGIN compiler -->
${benchHeading('## Compiler', HOST_ONLY)}

Made by \`npm run bench -w lang\` (lang/bench/compile.mjs) on ${new Date().toISOString().slice(0, 10)},
Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared with
other work). Median of the timed runs after 3 warm-up runs; min and max beside it. CPU time is
user + system time of this process during a run: on a loaded machine wall-clock time is mostly
waiting for a core, CPU time is the compiler's own cost. The result compares the wall-clock median.

| benchmark | input | runs | median ms | min ms | max ms | median CPU ms | goal | result (median) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| compile (parse, check, generate code, prelude included) | ${bigLines} lines, ${bigResult.program.classes.length} classes | 10 | ${fmt(compileTime.median)} | ${fmt(compileTime.min)} | ${fmt(compileTime.max)} | ${fmt(compileTime.cpu)} | < 1000 ms | ${verdict(compileTime.median, 1000)} |
| editor re-check (\`checkSource\`, one error) | ${editorLines} lines | 30 | ${fmt(recheck.median)} | ${fmt(recheck.min)} | ${fmt(recheck.max)} | ${fmt(recheck.cpu)} | < 50 ms | ${verdict(recheck.median, 50)} |

Load average while it ran: ${loadavg()
  .map((l) => l.toFixed(1))
  .join(', ')} (1, 5, 15 min).
Throughput: ${Math.round(bigLines / (compileTime.median / 1000)).toLocaleString('en-US')} lines/s compiled.
<!-- END compiler -->`;

let doc;
try {
  doc = readFileSync(docPath, 'utf8');
} catch {
  doc = '# Benchmarks of lang\n\nOne section per benchmark; each is rewritten by the command it names.\n';
}
doc = /<!-- BEGIN compiler -->[\s\S]*<!-- END compiler -->/.test(doc)
  ? doc.replace(/<!-- BEGIN compiler -->[\s\S]*<!-- END compiler -->/, section)
  : `${doc.trimEnd()}\n\n${section}\n`;
writeFileSync(docPath, doc);
console.log(section);
