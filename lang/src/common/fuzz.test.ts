// Fuzzing the compiler: thousands of random and mutated sources (from the examples), each must
// end with diagnostics or a program — never an exception — within a time bound. The generator
// is seeded, so a failure names a seed that reproduces it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { callSites } from './codegen.js';
import { checkSource, compile } from './compiler.js';
import { verifyMethod } from './disasm.js';
import { DocumentAnalysis } from './language-service.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.ph'))
  .map((f) => readFileSync(`${examplesDir}${f}`, 'utf8'));

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  'class',
  'var',
  '{',
  '}',
  '(',
  ')',
  ';',
  '[',
  ']',
  '.',
  ',',
  ':',
  '=',
  '+',
  '&&',
  '||',
  '!',
  'new',
  'return',
  'if',
  'else',
  'while',
  'for',
  'try',
  'catch',
  'throw',
  'super',
  'this',
  'null',
  'int',
  'string',
  'void',
  '"',
  "'",
  '/*',
  '*/',
  '//',
  '\n',
  '0x',
  '1073741824',
  'x',
  '.internal.io.tty',
  'instanceof',
  'extends',
  'static',
  'native',
  '++',
  '<<=',
  '\u0000',
  '\ud800',
  'é',
  '\\',
];

/** Mutates a source: deletes, duplicates, swaps and inserts slices and fragments. */
function mutate(text: string, random: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(random() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (s.length + 1));
    const len = Math.floor(random() * 20);
    switch (Math.floor(random() * 5)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at, at + len).repeat(2) + s.slice(at);
        break;
      case 2: {
        const other = Math.floor(random() * s.length);
        s = s.slice(0, at) + s.slice(other, other + len) + s.slice(at);
        break;
      }
      case 3:
        s = s.slice(0, at) + FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]! + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + s.slice(at);
    }
  }
  return s;
}

function randomSource(random: () => number): string {
  const n = Math.floor(random() * 200);
  let s = '';
  for (let i = 0; i < n; i++)
    s +=
      random() < 0.8
        ? FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!
        : String.fromCharCode(Math.floor(random() * 128));
  if (random() < 0.5) s += ' ';
  return s;
}

/** Per-source bound: generous for a shared 2-core machine, far below a hang. */
const PER_SOURCE_MS = 2000;

test('3,000 mutated example sources and 2,000 random ones end in diagnostics or a program that verifies, and the editor features answer on them', () => {
  let programs = 0;
  let diagnosed = 0;
  for (let seed = 1; seed <= 5000; seed++) {
    const random = rng(seed);
    const text = seed <= 3000 ? mutate(examples[seed % examples.length]!, random) : randomSource(random);
    const t0 = performance.now();
    let result: ReturnType<typeof compile>;
    try {
      result = compile([{ file: 'fuzz.ph', text }]);
      if (seed % 10 === 0) {
        checkSource(text, 'fuzz.ph');
        // Every editor feature, at a few random places of the same broken source.
        const doc = new DocumentAnalysis('fuzz.ph', text);
        doc.outline();
        for (let i = 0; i < 4; i++) {
          const line = 1 + Math.floor(random() * 40);
          const column = 1 + Math.floor(random() * 40);
          doc.definition(line, column);
          doc.hover(line, column);
          doc.completions(line, column);
          doc.references(line, column, true);
          doc.rename(line, column, 'renamed');
        }
      }
    } catch (e) {
      assert.fail(`seed ${seed} threw ${(e as Error).stack}\n--- source ---\n${text}`);
    }
    const ms = performance.now() - t0;
    assert.ok(ms < PER_SOURCE_MS, `seed ${seed} took ${ms.toFixed(0)} ms`);
    if (result.program !== null) {
      programs++;
      for (const cls of result.program.classes)
        for (const m of cls.methods) {
          const sites = callSites(m);
          const problems = verifyMethod(m, (ins) => sites?.get(ins.pc) ?? null);
          assert.deepEqual(problems, [], `seed ${seed}: ${cls.name}.${m.name} does not verify\n${text}`);
        }
    } else {
      assert.ok(
        result.diagnostics.some((d) => d.severity === 'error'),
        `seed ${seed}: no program and no error`,
      );
      diagnosed++;
    }
    for (const d of result.diagnostics) {
      assert.ok(d.line >= 1 && d.column >= 1 && d.endLine >= d.line, `seed ${seed}: bad range`);
      assert.match(d.code, /^PH\d{3}$/);
    }
  }
  assert.equal(programs + diagnosed, 5000);
  assert.ok(diagnosed > 4000);
});
