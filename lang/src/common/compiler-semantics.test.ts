// What compiled code does, not just what it looks like: programs compiled here run on the
// reference interpreter (interp/) and must print exactly what the language's rules say —
// virtual and super calls, constructors and field initialisers, integer arithmetic and its
// wrapping, string conversion, exceptions from callees and from the VM, casts, arrays, loops.
// Also each example runs and prints its .expected output.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile } from './compiler.js';
import { buildSpace } from './image/builder.js';
import { Machine } from './interp/machine.js';
import { seededRandom } from './seeded-random.js';

function run(text: string, mainClass: string, stopAfterLines?: number): string {
  const r = compile([{ file: 'run.ph', text }]);
  assert.deepEqual(r.diagnostics, []);
  const decoder = new TextDecoder();
  let out = '';
  const m = new Machine(buildSpace(r.program!, { mainClasses: [mainClass], spaceBytes: 8 << 20 }), {
    onOutput: (bytes) => {
      out += decoder.decode(bytes, { stream: true });
    },
  });
  if (stopAfterLines === undefined) assert.equal(m.run({ maxSteps: 200_000_000 }).reason, 'all-ended');
  else {
    for (let ms = 100; out.split('\n').length <= stopAfterLines && ms < 60_000; ms += 100)
      m.run({ maxMachineMs: ms });
  }
  return out;
}

const PROGRAM = `package .t;
import .internal.io.tty;
import .internal.error;

class shape {
  var name : string;
  shape(var name : string) { this.name = name; }
  int area() { return 0; }
  string describe() { return name + " area " + area(); }
};
class rect extends shape {
  var w : int; var h : int;
  rect(var w : int, var h : int) { super("rect"); this.w = w; this.h = h; }
  int area() { return w * h; }
};
class square extends rect {
  square(var s : int) { super(s, s); name = "square"; }
  string describe() { return "[" + super.describe() + "]"; }
};
class myError extends error {
  var code : int;
  myError(var code : int) { super("my error " + code); this.code = code; }
};
class counterBox { var n : int = 5; var tag = "box"; };

class sem {
  static int twice(var x : int) { return x * 2; }
  int thrower(var depth : int) {
    if (depth == 0) throw new myError(42);
    return thrower(depth - 1) + 1;
  }
  void run() {
    var shapes = new shape[3];
    shapes[0] = new shape("blob");
    shapes[1] = new rect(2, 3);
    shapes[2] = new square(4);
    for (var i = 0; i < shapes.length; i++) tty.println(shapes[i].describe());
    tty.println(1 + 2 + "x" + 1 + 2);
    tty.println("" + (7 / 2) + " " + (-7 / 2) + " " + (-7 % 3) + " " + (1 << 4) + " " + (-16 >> 2) + " " + (5 & 3) + " " + (5 | 3) + " " + (5 ^ 3) + " " + ~5);
    tty.println("chars " + 'A' + " " + "hello".charAt(1) + " " + .internal.string.fromChar('z'));
    try { thrower(3); } catch (var e : myError) { tty.println("caught " + e.message + " code " + e.code); }
    try { var z = 0; tty.println("" + 1 / z); } catch (var e : error) { tty.println("vm error " + e.message); }
    try { var s : shape = null; s.area(); } catch (var e) { tty.println("catch-all " + e); }
    try {
      try { throw new myError(1); } catch (var e : myError) { tty.println("inner"); throw new error("rethrown"); }
    } catch (var e : error) { tty.println("outer " + e.message); }
    var o : any = shapes[2];
    tty.println("instanceof " + (o instanceof rect) + " " + (o instanceof myError) + " " + (null instanceof shape));
    var r = (rect) o;
    tty.println("cast " + r.w);
    try { var bad = (myError) o; tty.println("no"); } catch (var e : error) { tty.println("cast failed " + e.message); }
    var box = new counterBox();
    box.n += 10; box.n *= 2; box.n -= 1; box.n++; box.tag += "!";
    tty.println("box " + box.n + " " + box.tag + " " + box.className());
    var grid = new int[3][];
    for (var i = 0; i < 3; i++) { grid[i] = new int[3]; for (var j = 0; j < 3; j++) grid[i][j] = i * j; }
    grid[2][2] += 100;
    tty.println("grid " + grid[2][2] + " " + grid[1].length + " twice " + twice(21) + " " + sem.twice(5));
    var b = true; b = b && !false; b &= true; b = b ^ false;
    tty.println("bool " + b + " " + (3 > 2 == true) + " " + ("a" == "a") + " " + "a".equals("a"));
    var n = 0;
    while (true) { n++; if (n < 5) continue; if (n >= 7) break; }
    tty.println("loop " + n + " null " + (shapes == null) + " " + null);
    var keys = .internal.directory.root().keys();
    tty.println("keys " + keys.length);
    var big = 1073741823; big = big + 1;
    tty.println("wrap " + big);
    throw new myError(7);
  }
};
`;

test('a program using most of the language prints what the language rules say', () => {
  assert.equal(
    run(PROGRAM, '.t.sem'),
    `blob area 0
rect area 6
[square area 16]
3x12
3 -3 -1 16 -4 1 7 6 -6
chars 65 101 z
caught my error 42 code 42
vm error DivideByZero
catch-all <.internal.error>
inner
outer rethrown
instanceof true false false
cast 4
cast failed BadCast
box 30 box! .t.counterBox
grid 104 3 twice 42 10
bool true true true true
loop 7 null false null
keys 0
wrap -1073741824
*** thread 1: uncaught .t.myError: my error 7 (at .t.sem.run line 68)
`,
  );
});

test('every example prints its .expected output on the reference interpreter', () => {
  const dir = fileURLToPath(new URL('../../examples/', import.meta.url));
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ph'))) {
    const name = f.slice(0, -3);
    const expected = readFileSync(`${dir}${name}.expected`, 'utf8');
    const lines = expected.split('\n').length - 1;
    const endless = name === 'counter';
    const out = run(readFileSync(`${dir}${f}`, 'utf8'), `.demo.${name}`, endless ? lines : undefined);
    assert.equal(endless ? `${out.split('\n').slice(0, lines).join('\n')}\n` : out, expected, f);
  }
});

/** 31-bit two's complement wrap, as the VM's small integers behave. */
const wrap = (n: number) => (n << 1) >> 1;
type Gen = { text: string; value: number | boolean };

const INT_OPS: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => wrap(a + b),
  '-': (a, b) => wrap(a - b),
  '*': (a, b) => wrap(Math.imul(a, b)),
  '/': (a, b) => wrap(Math.trunc(a / b)),
  '%': (a, b) => wrap(a % b),
  '&': (a, b) => a & b,
  '|': (a, b) => a | b,
  '^': (a, b) => a ^ b,
  '<<': (a, b) => wrap(a << (b & 31)),
  '>>': (a, b) => a >> (b & 31),
};
const CMP_OPS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};
const VARS: Record<string, number> = { a: 7, b: -13, c: 1073741823, d: 0 };

function genInt(random: () => number, depth: number): Gen {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  if (depth <= 0 || random() < 0.2) {
    if (random() < 0.5) {
      const name = pick(Object.keys(VARS));
      return { text: name, value: VARS[name]! };
    }
    const n = random() < 0.8 ? Math.floor(random() * 2001) - 1000 : Math.floor(random() * 2 ** 31) - 2 ** 30;
    return { text: n < 0 ? `(${n})` : String(n), value: n };
  }
  const r = random();
  if (r < 0.1) {
    const x = genInt(random, depth - 1);
    return random() < 0.5
      ? { text: `(-${x.text})`, value: wrap(-(x.value as number)) }
      : { text: `(~${x.text})`, value: ~(x.value as number) };
  }
  const op = pick(Object.keys(INT_OPS));
  const left = genInt(random, depth - 1);
  let right = genInt(random, depth - 1);
  if (op === '/' || op === '%') right = { text: `(${right.text} | 1)`, value: (right.value as number) | 1 };
  return {
    text: `(${left.text} ${op} ${right.text})`,
    value: INT_OPS[op]!(left.value as number, right.value as number),
  };
}

function genBool(random: () => number, depth: number): Gen {
  const r = random();
  if (depth <= 0 || r < 0.15) {
    const b = random() < 0.5;
    return { text: String(b), value: b };
  }
  if (r < 0.55) {
    const ops = Object.keys(CMP_OPS);
    const op = ops[Math.floor(random() * ops.length)]!;
    const left = genInt(random, depth - 1);
    const right = genInt(random, depth - 1);
    return {
      text: `(${left.text} ${op} ${right.text})`,
      value: CMP_OPS[op]!(left.value as number, right.value as number),
    };
  }
  if (r < 0.65) {
    const x = genBool(random, depth - 1);
    return { text: `(!${x.text})`, value: !x.value };
  }
  const left = genBool(random, depth - 1);
  const right = genBool(random, depth - 1);
  const op = random() < 0.5 ? '&&' : '||';
  return {
    text: `(${left.text} ${op} ${right.text})`,
    value:
      op === '&&'
        ? (left.value as boolean) && (right.value as boolean)
        : (left.value as boolean) || (right.value as boolean),
  };
}

test('random integer and boolean expressions evaluate as 31-bit arithmetic says (compiler against interpreter)', () => {
  const random = seededRandom(20261125);
  const methods: string[] = [];
  const expected: string[] = [];
  for (let m = 0; m < 8; m++) {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const g = random() < 0.6 ? genInt(random, 4) : genBool(random, 4);
      lines.push(`    tty.println("" + ${g.text});`);
      expected.push(String(g.value));
    }
    methods.push(`  void m${m}() {\n${lines.join('\n')}\n  }`);
  }
  const fields = Object.entries(VARS)
    .map(([k, v]) => `  var ${k} : int = ${v};`)
    .join('\n');
  const calls = methods.map((_, m) => `    m${m}();`).join('\n');
  const text = `package .t;\nimport .internal.io.tty;\nclass exprs {\n${fields}\n${methods.join('\n')}\n  void run() {\n${calls}\n  }\n};\n`;
  const out = run(text, '.t.exprs').split('\n');
  const want = expected;
  assert.equal(out.length, want.length + 1, 'one line per expression');
  for (let i = 0; i < want.length; i++) assert.equal(out[i], want[i], `expression ${i}`);
});
