// Fuzzing the compiler: thousands of random and mutated sources (from the examples), each must
// end with diagnostics or a program — never an exception — within a time bound; and random valid
// programs that store, copy, cast and alias arrays through covariant views must never let an
// array hold what its type forbids (they check every element they read, on the reference
// interpreter). The generators are seeded, so a failure names a seed that reproduces it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { callSites } from './codegen.js';
import { checkSource, compile } from './compiler.js';
import { verifyMethod } from './disasm.js';
import { buildSpace } from './image/builder.js';
import { Machine } from './interp/machine.js';
import { DocumentAnalysis } from './language-service.js';
import { seededRandom } from './seeded-random.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.ph'))
  .map((f) => readFileSync(`${examplesDir}${f}`, 'utf8'));

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
    const random = seededRandom(seed);
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

/**
 * Array variables of a generated program: name, static type, the element class a read is checked
 * against with instanceof (null for int[] and boolean[], checked by value), and the element
 * classes (or `int`, `boolean`) whose arrays fit the static type.
 */
const ARRAY_VARS = [
  { name: 'anys', type: 'any[]', check: null, makes: ['animal', 'dog', 'cat', 'puppy', 'string', 'any'] },
  { name: 'animals', type: 'animal[]', check: 'animal', makes: ['animal', 'dog', 'cat', 'puppy'] },
  { name: 'dogs', type: 'dog[]', check: 'dog', makes: ['dog', 'puppy'] },
  { name: 'cats', type: 'cat[]', check: 'cat', makes: ['cat'] },
  { name: 'puppies', type: 'puppy[]', check: 'puppy', makes: ['puppy'] },
  { name: 'texts', type: 'string[]', check: 'string', makes: ['string'] },
  { name: 'ints', type: 'int[]', check: null, makes: ['int'] },
  { name: 'flags', type: 'boolean[]', check: null, makes: ['boolean'] },
] as const;
type ArrayVar = (typeof ARRAY_VARS)[number];
/** Which array variables a value of the other's static type may be assigned to (the language's rule). */
const FITS: Record<string, readonly string[]> = {
  anys: ['anys'],
  animals: ['anys', 'animals'],
  dogs: ['anys', 'animals', 'dogs'],
  cats: ['anys', 'animals', 'cats'],
  puppies: ['anys', 'animals', 'dogs', 'puppies'],
  texts: ['anys', 'texts'],
  ints: ['ints'],
  flags: ['flags'],
};
/** Values for stores, by the static element type they have. */
const VALUES: Record<string, readonly string[]> = {
  any: ['new animal()', 'new dog()', 'new cat()', 'new puppy()', '"text"', 'new int[1]', 'null'],
  animal: ['new animal()', 'new dog()', 'new cat()', 'new puppy()', 'null'],
  dog: ['new dog()', 'new puppy()', 'null'],
  cat: ['new cat()', 'null'],
  puppy: ['new puppy()', 'null'],
  string: ['"text"', 'null'],
  int: ['7', '42'],
  boolean: ['true', 'false'],
};
const ELEMENT_OF: Record<string, string> = {
  anys: 'any',
  animals: 'animal',
  dogs: 'dog',
  cats: 'cat',
  puppies: 'puppy',
  texts: 'string',
  ints: 'int',
  flags: 'boolean',
};

/** A random statement that moves values or arrays around; some fail at run time (caught). */
function arrayStatement(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const v: ArrayVar = pick(ARRAY_VARS);
  const i = Math.floor(random() * 3);
  switch (Math.floor(random() * 6)) {
    case 0: // a store of any value the static element type allows: through a covariant view, some are refused
      return `${v.name}[${i}] = ${pick(VALUES[ELEMENT_OF[v.name]!]!)};`;
    case 1: {
      // aliasing: a view of a narrower array
      const from = pick(ARRAY_VARS.filter((w) => FITS[w.name]!.includes(v.name)));
      return `${v.name} = ${from.name};`;
    }
    case 2: // a downcast of any array to this view's type: checked against the array's class
      return `${v.name} = (${v.type}) (any) ${pick(ARRAY_VARS).name};`;
    case 3: // copy between any two arrays: checked value by value before anything is copied
      return `array.copy(${pick(ARRAY_VARS).name}, 0, ${v.name}, ${i % 2}, ${1 + (i % 2)});`;
    case 4: // resize keeps the class, so the cast back to the view's type holds when the class fits
      return `${v.name} = (${v.type}) array.resize(${v.name}, ${3 + i});`;
    default: // a fresh array of a type that fits the view
      return `${v.name} = new ${pick(v.makes)}[3];`;
  }
}

/** Checks every element of every array variable against its static type, counting holes. */
function checkAll(): string {
  return ARRAY_VARS.map((v) => {
    const element = `${v.name}[k]`;
    const ok =
      v.name === 'ints'
        ? `${element} >= 0 && ${element} <= 42` // stored ints or copied booleans; an address is far larger
        : v.name === 'flags'
          ? `${element} == true || ${element} == false`
          : v.check === null
            ? `${element} == null || ${element} instanceof .internal.object`
            : `${element} == null || ${element} instanceof ${v.check}`;
    return `for (var k = 0; k < ${v.name}.length; k++) { if (!(${ok})) holes++; }`;
  }).join('\n    ');
}

function arrayProgram(random: () => number): string {
  const statements: string[] = [];
  for (let n = 10 + Math.floor(random() * 30); n > 0; n--) {
    statements.push(`try { ${arrayStatement(random)} } catch (var e : .internal.error) { count(e); }`);
    if (random() < 0.3) statements.push(checkAll());
  }
  statements.push(checkAll());
  return `package .f;
import .internal.io.tty;
import .internal.array;
class animal { };
class dog extends animal { };
class cat extends animal { };
class puppy extends dog { };
class main {
  var holes : int;
  var refused : int;
  var others : int;
  void count(var e : .internal.error) {
    if (e.message.equals("ArrayStore") || e.message.equals("BadCast")) refused++; else others++;
  }
  void run() {
    var anys : any[] = new any[3];
    var animals : animal[] = new animal[3];
    var dogs : dog[] = new dog[3];
    var cats : cat[] = new cat[3];
    var puppies : puppy[] = new puppy[3];
    var texts : string[] = new string[3];
    var ints : int[] = new int[3];
    var flags : boolean[] = new boolean[3];
    ${statements.join('\n    ')}
    tty.println("holes " + holes + " refused " + refused + " others " + others);
  }
};
`;
}

test("300 random programs storing, copying and casting through covariant array views never break an array's type", () => {
  let refused = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const text = arrayProgram(seededRandom(seed));
    const result = compile([{ file: 'arrays.ph', text }]);
    assert.ok(
      result.program !== null,
      `seed ${seed} does not compile: ${JSON.stringify(result.diagnostics[0])}\n${text}`,
    );
    for (const cls of result.program.classes)
      for (const m of cls.methods) {
        const sites = callSites(m);
        assert.deepEqual(
          verifyMethod(m, (ins) => sites?.get(ins.pc) ?? null),
          [],
          `seed ${seed}: ${cls.name}.${m.name}`,
        );
      }
    let out = '';
    const machine = new Machine(
      buildSpace(result.program, { mainClasses: ['.f.main'], spaceBytes: 1 << 20 }),
      {
        onOutput: (bytes) => {
          out += new TextDecoder().decode(bytes);
        },
      },
    );
    assert.equal(machine.run({ maxSteps: 10_000_000 }).reason, 'all-ended', `seed ${seed}`);
    const counts = /^holes (\d+) refused (\d+) others (\d+)\n$/.exec(out);
    assert.ok(counts, `seed ${seed} printed ${JSON.stringify(out)}\n${text}`);
    assert.equal(counts[1], '0', `seed ${seed}: an array held what its type forbids\n${text}`);
    assert.equal(counts[3], '0', `seed ${seed}: an error other than ArrayStore or BadCast\n${text}`);
    refused += Number(counts[2]);
  }
  assert.ok(
    refused > 300,
    `only ${refused} stores and casts were refused: the programs do not reach the checks`,
  );
});
