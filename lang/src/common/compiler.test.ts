// The compiler end to end: the examples compile and every method passes the verifier; the
// pieces of codegen that bytecode.md fixes (vtables, fields, constructors, handlers, lines,
// concatenation, short-circuit) come out as specified; bad programs get the right diagnostics.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { callSites } from './codegen.js';
import type { CompiledMethod, CompiledProgram } from './compiled.js';
import { checkSource, compile, entryProblems } from './compiler.js';
import { decode, type Instruction, verifyMethod } from './disasm.js';
import { definitionAt } from './language-service.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const exampleFiles = readdirSync(examples).filter((f) => f.endsWith('.ph'));

function verifyProgram(program: CompiledProgram): void {
  for (const cls of program.classes)
    for (const m of cls.methods) {
      const sites = callSites(m);
      const problems = verifyMethod(m, (ins: Instruction) => sites?.get(ins.pc) ?? null);
      assert.deepEqual(problems, [], `${cls.name}.${m.name}`);
    }
}

function build(text: string): CompiledProgram {
  const r = compile([{ file: 'test.ph', text }]);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`),
    [],
  );
  verifyProgram(r.program!);
  return r.program!;
}

function errors(text: string): string[] {
  return checkSource(text, 'test.ph').map((d) => `${d.code} ${d.message}`);
}

function methodOf(program: CompiledProgram, cls: string, name: string): CompiledMethod {
  const m = program.classes.find((c) => c.name === cls)?.methods.find((x) => x.name === name);
  assert.ok(m, `${cls}.${name}`);
  return m;
}

const ops = (m: CompiledMethod) => decode(m.code).instructions.map((i) => i.op.name);

test('every example compiles, every method verifies, and its main class is a valid entry', () => {
  assert.ok(exampleFiles.length >= 5);
  for (const f of exampleFiles) {
    const r = compile([{ file: f, text: readFileSync(join(examples, f), 'utf8') }]);
    assert.deepEqual(r.diagnostics, [], f);
    verifyProgram(r.program!);
    assert.deepEqual(entryProblems(r.program!, `.demo.${f.replace('.ph', '')}`), [], f);
  }
});

test('Phantom-style sources: a full-name parameter type, stray semicolons after members', () => {
  build(`package .ru.dz.demo;
import .internal.io.tty;
class start {
  var count : int;
  void show(var console : .internal.io.tty) { console.println("x"); };
  void run() { show(null); };
};`);
});

test('fields and vtables: inherited first, overrides replace entries in place', () => {
  const p = build(`package .t;
class a { var x : int; void f() {} int g() { return 1; } };
class b extends a { var y : int; int g() { return 2; } void h() {} };`);
  const b = p.classes.find((c) => c.name === '.t.b')!;
  assert.deepEqual(b.fieldNames, ['x', 'y']);
  assert.deepEqual(b.vtable, [
    ['.internal.object', 'className'],
    ['.t.a', 'f'],
    ['.t.b', 'g'],
    ['.t.b', 'h'],
  ]);
  assert.equal(methodOf(p, '.t.b', 'g').vindex, 2);
  assert.equal(methodOf(p, '.t.b', '<init>').vindex, -1);
  assert.equal(b.superName, '.t.a');
  const prelude = p.classes.findIndex((c) => c.internalId === 0);
  assert.ok(
    p.classes.slice(prelude).every((c) => c.internalId === 0),
    'prelude classes first',
  );
});

test('new C(args) is NEW, DUP, args, CALL_STATIC <init>; constructors call super first, then field initialisers', () => {
  const p = build(`package .t;
class a { var n : int; a(var n : int) { this.n = n; } };
class b extends a { var s : string = "x"; b() { super(3); } };
class m { static a make() { return new b(); } };`);
  assert.deepEqual(ops(methodOf(p, '.t.m', 'make')), ['NEW', 'DUP', 'CALL_STATIC', 'RET']);
  const ctor = methodOf(p, '.t.b', '<init>');
  assert.deepEqual(ops(ctor), [
    'LOAD',
    'PUSH_INT',
    'CALL_STATIC',
    'LOAD',
    'PUSH_CONST',
    'PUT_FIELD',
    'RET_VOID',
  ]);
  assert.deepEqual(ctor.consts[0], { kind: 'method', owner: '.t.a', name: '<init>' });
  assert.equal(ctor.argc, 1);
});

test('super calls are static calls of the superclass method; instance calls are virtual', () => {
  const p = build(`package .t;
class a { int f() { return 1; } };
class b extends a { int f() { return super.f() + f(); } };`);
  const f = methodOf(p, '.t.b', 'f');
  assert.deepEqual(ops(f), ['LOAD', 'CALL_STATIC', 'LOAD', 'CALL_VIRT', 'ADD', 'RET']);
  assert.deepEqual(f.consts[0], { kind: 'method', owner: '.t.a', name: 'f' });
});

test('string concatenation converts with I2S, B2S and O2S', () => {
  const p = build(`package .t;
class c { static string f(var i : int, var b : boolean, var o : c) { return "v" + i + b + o; } };`);
  assert.deepEqual(ops(methodOf(p, '.t.c', 'f')), [
    'PUSH_CONST',
    'LOAD',
    'I2S',
    'CONCAT',
    'LOAD',
    'B2S',
    'CONCAT',
    'LOAD',
    'O2S',
    'CONCAT',
    'RET',
  ]);
});

test('&& and || short-circuit; try/catch produces a handler; lines map pcs to source lines', () => {
  const p = build(`package .t;
class c {
  static boolean f(var a : boolean, var b : boolean) {
    return a && b || !a;
  }
  static int g(var x : int) {
    try {
      return 10 / x;
    } catch (var e : .internal.error) {
      return -1;
    }
  }
};`);
  const f = methodOf(p, '.t.c', 'f');
  assert.ok(ops(f).includes('JMP_FALSE'));
  assert.ok(!ops(f).includes('BAND'));
  const g = methodOf(p, '.t.c', 'g');
  assert.equal(g.handlers.length, 1);
  const h = g.handlers[0]!;
  assert.deepEqual(g.consts[h.classConst], { kind: 'class', name: '.internal.error' });
  assert.ok(h.start < h.end && h.end <= h.handler);
  assert.deepEqual(
    g.lines.filter((_, i) => i % 2 === 1),
    [8, 9, 10],
  );
});

test('loops with break and continue verify; locals are counted', () => {
  const p = build(`package .t;
class c { static int f() {
  var s = 0;
  for (var i = 0; i < 10; i++) { if (i == 3) continue; if (i == 8) break; s += i; }
  while (true) { s = s - 1; if (s < 0) break; }
  var arr = new int[4]; arr[1] += 2; arr[2]++;
  return s + arr[1] + arr.length;
} };`);
  const f = methodOf(p, '.t.c', 'f');
  assert.equal(f.locals, 2, 'block-scoped locals share slots');
  assert.ok(ops(f).includes('DUP2'));
});

test('arrays carry their class: NEW_ARRAY, array casts and instanceof name the array class; reads are unchecked', () => {
  const p = build(`package .t;
import .internal.array;
class animal { };
class dog extends animal { };
class c {
  static any f(var x : any, var a : animal[]) {
    var d = new dog[2];
    var grid = new int[3][];
    var copy = (dog[]) array.resize(d, 4);
    var back = (dog[]) a;
    var ints = (int[]) x;
    var b = x instanceof boolean[];
    var all : any[] = back;
    var arr : .internal.array = grid;
    return all;
  }
};`);
  const f = methodOf(p, '.t.c', 'f');
  const named = decode(f.code)
    .instructions.filter((i) => ['NEW_ARRAY', 'CHECKCAST', 'INSTANCEOF'].includes(i.op.name))
    .map((i) => `${i.op.name} ${(f.consts[i.operands[0]!] as { name: string }).name}`);
  assert.deepEqual(named, [
    'NEW_ARRAY .t.dog[]',
    'NEW_ARRAY int[][]',
    'CHECKCAST .t.dog[]',
    'CHECKCAST .t.dog[]',
    'CHECKCAST int[]',
    'INSTANCEOF boolean[]',
  ]);
});

test('an int[] or boolean[] is no any[], so no integer can be read as a reference', () => {
  const cases: [string, RegExp][] = [
    ['class a { void f() { var x : any[] = new int[1]; } };', /PH351 expected any\[\] but this is int\[\]/],
    ['class a { void f() { var x : int[] = new boolean[1]; } };', /PH351/],
    ['class a { void f(var x : any[]) { var y = (int[]) x; } };', /PH364 cannot cast any\[\] to int\[\]/],
    ['class a { void f(var x : string[]) { var y = (a[]) x; } };', /PH364/],
  ];
  for (const [text, expected] of cases) assert.match(errors(text).join('\n'), expected, text);
  build(`package .t;
import .internal.array;
class c { static void f(var n : int[], var s : string[]) { array.copy(n, 0, n, 1, 1); var whole : any = n; var o : any[] = s; } };`);
});

test('diagnostics name the problem, with a code', () => {
  const cases: [string, RegExp][] = [
    ['class a { void f() { x = 1; } };', /PH341 unknown variable 'x'/],
    ['class a { void f() { var x : int = "s"; } };', /PH351 expected int but this is string/],
    ['class a { int f() { } };', /PH330 .*without returning/],
    ['class a { void f() { g(1); } void g() {} };', /PH361 'g' takes 0 arguments/],
    ['class a { void f() { break; } };', /PH335/],
    ['class a extends b {};', /PH301 unknown class 'b'/],
    ['class a extends a {};', /PH307/],
    ['class a { void f() {} void f() {} };', /PH309/],
    ['import .internal.nope;', /PH302/],
    ['class a { static void f() { this.g(); } void g() {} };', /PH353/],
    ['class a { void f() { var t = tty.println("x"); } };', /PH301|PH341/],
    ['class a { void f() { var x = 2000000000; } };', /PH352/],
    ['class a { native void f(); };', /PH311/],
    ['class a { void f() { 1 + 2; } };', /PH322/],
    ['class a { void f() { if (1) {} } };', /PH351 expected boolean but this is int/],
    ['class a extends .internal.string {};', /PH306/],
    ['class a { void f() { new .internal.thread(); } };', /PH363/],
  ];
  for (const [text, expected] of cases) assert.match(errors(text).join('\n'), expected, text);
});

test('a parse error in one method does not hide errors in the next one', () => {
  const found = errors('class a {\n void f() { var = ; }\n void g() { y = 1; }\n};');
  assert.ok(found.some((d) => d.startsWith('PH201')));
  assert.ok(found.some((d) => d.includes("unknown variable 'y'")));
});

test('definitionAt finds locals, fields, methods and classes, the prelude included', () => {
  const text = `package .t;
import .internal.io.tty;
class a {
  var count : int;
  void f() {
    var local = count;
    tty.println("" + local);
    g();
  }
  void g() {}
};`;
  assert.deepEqual(definitionAt(text, 6, 18), {
    file: 'untitled.ph',
    line: 4,
    column: 7,
    endLine: 4,
    endColumn: 12,
  });
  assert.equal(definitionAt(text, 7, 23)?.line, 6);
  assert.equal(definitionAt(text, 8, 5)?.line, 10);
  const println = definitionAt(text, 7, 10);
  const typed = 'class a {};\nclass b { var x : a; a f(var p : a) { return (a) p; } };';
  for (const column of [19, 22, 34, 47])
    assert.equal(definitionAt(typed, 2, column)?.line, 1, `column ${column}`);
  assert.ok(println?.file.startsWith('<prelude>'));
  assert.equal(definitionAt(text, 1, 1), null);
  assert.ok(definitionAt(text, 2, 20)?.file.startsWith('<prelude>'), 'an import names its class');
});

test('code after return, break or throw gets a warning, and the program still compiles', () => {
  const r = compile([
    {
      file: 'w.ph',
      text: 'class a { int f() { return 1; var x = 2; x = 3; } void g() { while (true) { break; } } };',
    },
  ]);
  assert.ok(r.program);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.column]),
    [['PH370', 'warning', 31]],
  );
});

test('programs beyond the limits of the format get diagnostics, not exceptions', () => {
  const args = Array.from({ length: 300 }, (_, i) => `var p${i} : int`).join(', ');
  const many = `class a { static void f(${args}) {} static void g() { f(${Array.from({ length: 300 }, () => '1').join(', ')}); } };`;
  const codes = checkSource(many, 'l.ph').map((d) => d.code);
  assert.ok(codes.includes('PH401') && codes.includes('PH403'), codes.join());
  const strings = Array.from({ length: 70_000 }, (_, i) => `"s${i}"`).join(' + ');
  const constants = `class a { static string f() { return ${strings}; } };`;
  assert.ok(
    checkSource(constants, 'l.ph').some((d) => d.code === 'PH202' || d.code === 'PH403'),
    'a 70,000-constant expression is too deep or too many constants',
  );
  const body = Array.from({ length: 70_000 }, (_, i) => `s = "s${i}";`).join('\n');
  const wide = `class a { static void f() { var s = ""; ${body} } };`;
  const found = checkSource(wide, 'l.ph').map((d) => d.code);
  assert.ok(found.includes('PH403') && found.includes('PH402'), found.join());
});

test('a chain of 5,000 classes compiles; a three-class cycle is reported once', () => {
  const chain = Array.from(
    { length: 5000 },
    (_, i) => `class c${i}${i > 0 ? ` extends c${i - 1}` : ''} { var f${i} : int; };`,
  );
  const r = compile([{ file: 'chain.ph', text: `package .t;\n${chain.join('\n')}` }]);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.program!.classes.at(-1)!.fieldNames.length, 5000);
  const cycle = checkSource('class a extends c {}; class b extends a {}; class c extends b {};', 'c.ph');
  assert.deepEqual(
    cycle.map((d) => d.code),
    ['PH307'],
  );
});

test('checkSource and definitionAt see the other files of a project', () => {
  const lib = { file: 'lib.ph', text: 'package .p;\nclass helper { static int two() { return 2; } };' };
  const main = 'package .p;\nclass main { int f() { return helper.two(); } };';
  assert.match(
    checkSource(main, 'main.ph')
      .map((d) => d.message)
      .join(),
    /unknown name 'helper'/,
  );
  assert.deepEqual(checkSource(main, 'main.ph', [lib]), []);
  const bad = { file: 'bad.ph', text: 'class broken {' };
  assert.deepEqual(checkSource(main, 'main.ph', [lib, bad]), [], "other files' diagnostics are not returned");
  assert.deepEqual(definitionAt(main, 2, 39, 'main.ph', [lib]), {
    file: 'lib.ph',
    line: 2,
    column: 27,
    endLine: 2,
    endColumn: 30,
  });
});
