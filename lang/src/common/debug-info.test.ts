// The debugger's part of compiled methods (CompiledDebugInfo): statement starts with exact pcs and
// columns, locals with their slots and pc ranges, through nested blocks, loops, sibling scopes that
// reuse names and slots, catch clauses and a local that shadows a field; and the .phx reader's
// checks of it, fuzzed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledLocal, CompiledMethod, CompiledProgram } from './compiled.js';
import { compile } from './compiler.js';
import { programFromPhx, programToPhx } from './compiler-phx.js';
import { decode, decodeAt } from './disasm.js';
import { buildSpace } from './image/builder.js';
import { checkSpace } from './image/check.js';
import { intOf, Space } from './image/space.js';
import { seededRandom } from './seeded-random.js';
import { LineMap } from './source-map.js';
import * as L from './spec/generated.js';

const source = `package .t;
import .internal.io.tty;
class c {
  var total : int;

  int sum(var n : int) {
    var total = 0;
    for (var i = 0;
         i < n;
         i++) {
      var sq = i * i;
      total += sq;
    }
    for (var i = 0; i < 2; i++) { total = total + i; }
    {
      var inner = 1;
      if (n > 3) { var deep = inner + 1; total += deep; } else { var other = 2; total += other; }
    }
    while (total > 100) total -= 7;
    try { tty.println("x"); } catch (var e : .internal.error) { total = 0; }
    return total;
  }

  void run() {
    tty.println("" + this.sum(4));
  }
};
`;

function compiled(): CompiledProgram {
  const { program, diagnostics } = compile([{ file: 'c.ph', text: source }]);
  assert.ok(program, diagnostics.map((d) => d.message).join('\n'));
  return program;
}

function sumMethod(program = compiled()): CompiledMethod {
  return program.classes.find((c) => c.name === '.t.c')!.methods.find((m) => m.name === 'sum')!;
}

const lines = new LineMap(source);

/** The source text a statement entry points at, up to the end of its line. */
function textAt(line: number, column: number): string {
  const at = lines.offsetAt({ line, column });
  const end = source.indexOf('\n', at);
  return source.slice(at, end < 0 ? undefined : end);
}

function statementsOf(m: CompiledMethod): { pc: number; line: number; column: number; text: string }[] {
  const s = m.debug!.statements;
  const out = [];
  for (let i = 0; i < s.length; i += 3)
    out.push({ pc: s[i]!, line: s[i + 1]!, column: s[i + 2]!, text: textAt(s[i + 1]!, s[i + 2]!) });
  return out;
}

function localsNamed(m: CompiledMethod, name: string): CompiledLocal[] {
  return m.debug!.locals.filter((l) => l.name === name);
}

test('every statement starts at an instruction boundary, pc ascending, at its own text', () => {
  const m = sumMethod();
  const boundaries = new Set(decode(m.code).instructions.map((i) => i.pc));
  const entries = statementsOf(m);
  for (const [i, e] of entries.entries()) {
    assert.ok(
      boundaries.has(e.pc),
      `statement at ${e.line}:${e.column} starts inside an instruction (pc ${e.pc})`,
    );
    if (i > 0) assert.ok(e.pc > entries[i - 1]!.pc, 'pcs ascend strictly');
  }
  const texts = entries.map((e) => e.text.trim());
  for (const want of [
    'var total = 0;',
    'i < n;',
    'i++) {',
    'var sq = i * i;',
    'total += sq;',
    'var inner = 1;',
    'return total;',
  ])
    assert.ok(texts.includes(want), `a statement starts at '${want}' (have ${JSON.stringify(texts)})`);
  assert.ok(texts.some((t) => t.startsWith('var deep')) && texts.some((t) => t.startsWith('var other')));
  assert.ok(
    texts.some((t) => t.startsWith('catch (var e')),
    'the catch clause is a place to stop',
  );
  // The for statement, its init and its first instruction share pc 0 of the loop: the init wins.
  assert.ok(!texts.some((t) => t.startsWith('for (var i = 0;\n')));
});

test("a statement's pc is exactly its first instruction", () => {
  const m = sumMethod();
  const total = localsNamed(m, 'total')[0]!;
  const sq = localsNamed(m, 'sq')[0]!;
  const entry = statementsOf(m).find((e) => e.text.trim() === 'total += sq;')!;
  const first = decodeAt(m.code, entry.pc);
  assert.ok(typeof first !== 'string');
  assert.deepEqual([first.op.name, first.operands[0]], ['LOAD', total.slot]);
  const second = decodeAt(m.code, entry.pc + first.length);
  assert.ok(typeof second !== 'string');
  assert.deepEqual([second.op.name, second.operands[0]], ['LOAD', sq.slot]);
  // The loop condition on its own line is where the jump back lands.
  const cond = statementsOf(m).find((e) => e.text.trim() === 'i < n;')!;
  const jumps = decode(m.code).instructions.filter((i) => i.op.name === 'JMP');
  assert.ok(
    jumps.some((j) => j.pc + j.length + j.operands[0]! === cond.pc),
    'a JMP goes back to the condition',
  );
});

test('locals: parameters from pc 0, each local from after its STORE to the end of its block', () => {
  const m = sumMethod();
  const locals = m.debug!.locals;
  assert.deepEqual(
    locals.map((l) => l.name),
    ['n', 'total', 'i', 'sq', 'i', 'inner', 'deep', 'other', 'e'],
    'the receiver is slot 0 of every instance method, not a named local',
  );
  assert.deepEqual([locals[0]!.slot, locals[0]!.start, locals[0]!.end], [1, 0, m.code.length]);
  for (const l of locals) {
    assert.ok(l.slot < m.locals, `${l.name}'s slot is a local slot`);
    assert.ok(l.start <= l.end && l.end <= m.code.length);
    if (l.start === 0) continue;
    const before = decode(m.code).instructions.find((i) => i.pc + i.length === l.start);
    assert.ok(before !== undefined, `${l.name} starts at an instruction boundary`);
    assert.deepEqual(
      [before.op.name, before.operands[0]],
      ['STORE', l.slot],
      `${l.name} starts after its STORE`,
    );
  }
  const total = localsNamed(m, 'total')[0]!;
  assert.equal(total.end, m.code.length, 'the method-level local lives to the end');
  const [i1, i2] = localsNamed(m, 'i') as [CompiledLocal, CompiledLocal];
  const sq = localsNamed(m, 'sq')[0]!;
  assert.ok(i1.start <= sq.start && sq.end <= i1.end, 'the loop body is inside the loop variable');
  assert.ok(i1.end <= i2.start, 'the two loops named i do not overlap');
  assert.equal(i1.slot, i2.slot, "the second loop reuses the first one's slot");
  const inner = localsNamed(m, 'inner')[0]!;
  const deep = localsNamed(m, 'deep')[0]!;
  const other = localsNamed(m, 'other')[0]!;
  assert.equal(deep.slot, other.slot, 'sibling blocks share a slot');
  assert.ok(deep.end <= other.start, 'and never at one pc');
  assert.ok(inner.start < deep.start && deep.end <= inner.end && other.end <= inner.end);
  assert.ok(inner.end < m.code.length, 'the block ends before the method does');
});

test('no two locals hold one slot at one pc, nor one name', () => {
  const m = sumMethod();
  for (let pc = 0; pc < m.code.length; pc++) {
    const live = m.debug!.locals.filter((l) => l.start <= pc && pc < l.end);
    assert.equal(new Set(live.map((l) => l.slot)).size, live.length, `slots at pc ${pc}`);
    assert.equal(new Set(live.map((l) => l.name)).size, live.length, `names at pc ${pc}`);
  }
});

test('a local shadowing a field is recorded; shadowing a local is refused', () => {
  const m = sumMethod();
  assert.equal(localsNamed(m, 'total').length, 1);
  const { diagnostics } = compile([
    {
      file: 'd.ph',
      text: 'package .t;\nclass d {\n  void m() {\n    var x = 1;\n    { var x = 2; }\n  }\n};\n',
    },
  ]);
  assert.ok(diagnostics.some((d) => d.code === 'PH320'));
});

test('natives and synthesised constructors: no debug info, or only what they have', () => {
  const program = compiled();
  const object = program.classes.find((c) => c.name === '.internal.io.tty')!;
  for (const m of object.methods) assert.equal(m.debug, undefined, `${m.name} is native`);
  const ctor = program.classes.find((c) => c.name === '.t.c')!.methods.find((m) => m.name === '<init>')!;
  assert.deepEqual(
    ctor.debug!.locals.map((l) => [l.name, l.slot, l.start, l.end]),
    [],
    'the default constructor has no parameters to name (this is implicit)',
  );
});

test('the .phx keeps debug info, reads files without it, and refuses a damaged one clearly', () => {
  const program = compiled();
  const text = programToPhx(program);
  const back = programFromPhx(text);
  assert.ok(typeof back !== 'string', String(back));
  assert.deepEqual(sumMethod(back).debug, sumMethod(program).debug);
  const json = JSON.parse(text);
  const cls = json.classes.find((c: { name: string }) => c.name === '.t.c');
  const sum = cls.methods.find((m: { name: string }) => m.name === 'sum');
  const withoutDebug = structuredClone(json);
  for (const c of withoutDebug.classes) for (const m of c.methods) delete m.debug;
  const old = programFromPhx(JSON.stringify(withoutDebug));
  assert.ok(typeof old !== 'string' && sumMethod(old).debug === undefined);
  const damaged: [
    string,
    (d: { statements: number[]; locals: Record<string, unknown>[] }) => void,
    RegExp,
  ][] = [
    ['odd statements', (d) => d.statements.pop(), /triples/],
    [
      'pc past the code',
      (d) => (d.statements[d.statements.length - 3] = 1e6),
      /not ascending within the code/,
    ],
    ['pcs out of order', (d) => (d.statements[3] = 0), /not ascending/],
    ['line 0', (d) => (d.statements[1] = 0), /start at 1/],
    ['slot out of range', (d) => (d.locals[0]!.slot = 999), /not a local slot/],
    ['end before start', (d) => (d.locals[2]!.end = 0), /pc range/],
    ['name not a string', (d) => (d.locals[1]!.name = 7), /expected a string/],
    ['locals not an array', (d) => ((d as { locals: unknown }).locals = {}), /expected an array/],
  ];
  for (const [what, damage, message] of damaged) {
    const copy = structuredClone(json);
    const m = copy.classes
      .find((c: { name: string }) => c.name === '.t.c')
      .methods.find((x: { name: string }) => x.name === 'sum');
    damage(m.debug);
    const result = programFromPhx(JSON.stringify(copy));
    assert.equal(typeof result, 'string', what);
    assert.match(result as string, message, what);
    assert.match(result as string, /\.t\.c\.methods\[\d+\]\.debug/, `${what}: the error says where`);
  }
  assert.ok(sum.debug.locals.length > 0);
});

test('fuzz: damaged debug records give a string error or a consistent program, never a throw', () => {
  const text = programToPhx(compiled());
  const json = JSON.parse(text);
  const random = seededRandom(18);
  const values: unknown[] = [-1, 0, 1, 2 ** 31, 1.5, null, 'x', [], {}, true, Number.MAX_SAFE_INTEGER];
  for (let round = 0; round < 400; round++) {
    const copy = structuredClone(json);
    const methods = copy.classes.flatMap((c: { methods: { debug?: Record<string, unknown[]> }[] }) =>
      c.methods.filter((m) => m.debug !== undefined),
    );
    const m = methods[Math.floor(random() * methods.length)]!;
    const debug = m.debug!;
    const key = random() < 0.5 ? 'statements' : 'locals';
    const list = debug[key]!;
    const value = values[Math.floor(random() * values.length)];
    if (list.length > 0 && random() < 0.8) {
      const at = Math.floor(random() * list.length);
      if (key === 'locals') {
        const field = ['name', 'slot', 'start', 'end', 'extra'][Math.floor(random() * 5)]!;
        (list[at] as Record<string, unknown>)[field] = value;
      } else list[at] = value;
    } else debug[key] = value as unknown[];
    const result = programFromPhx(JSON.stringify(copy));
    if (typeof result === 'string') continue;
    for (const c of result.classes)
      for (const cm of c.methods) {
        const d = cm.debug;
        if (d === undefined) continue;
        assert.equal(d.statements.length % 3, 0);
        for (const l of d.locals) assert.ok(l.start >= 0 && l.start <= l.end && l.end <= cm.code.length);
      }
  }
});

test("an image carries each method's debug info in its method object (METHOD_DEBUG)", () => {
  const program = compiled();
  const space = new Space(buildSpace(program, { mainClasses: ['.t.c'] }));
  const root = space.headerField(L.SH_ROOT);
  const classes = space.slot(root, L.ROOT_PROGRAM_CLASSES);
  const cls = [...Array(space.payloadBytes(classes) / 4).keys()]
    .map((i) => space.slot(classes, i))
    .find((c) => space.text(space.slot(c, L.CLASS_NAME)) === '.t.c')!;
  const methods = space.slot(cls, L.CLASS_METHODS);
  const ints = (array: number): number[] =>
    [...Array(space.payloadBytes(array) / 4).keys()].map((i) => intOf(space.slot(array, i)));
  for (const i of Array(space.payloadBytes(methods) / 4).keys()) {
    const method = space.slot(methods, i);
    const name = space.text(space.slot(method, L.METHOD_NAME));
    const m = program.classes.find((c) => c.name === '.t.c')!.methods.find((x) => x.name === name)!;
    assert.equal(
      space.payloadBytes(method) / 4,
      L.INTERNAL_CLASSES[L.CID_METHOD - 1]!.slots + 1,
      `${name}: 13 slots`,
    );
    const debug = space.slot(method, L.METHOD_DEBUG);
    assert.equal(space.payloadBytes(debug) / 4, 3);
    assert.equal(space.text(space.slot(debug, 0)), 'c.ph');
    assert.deepEqual(ints(space.slot(debug, 1)), m.debug!.statements);
    const locals = space.slot(debug, 2);
    const words = [...Array(space.payloadBytes(locals) / 4).keys()].map((k) => space.slot(locals, k));
    const back = [];
    for (let k = 0; k < words.length; k += 4)
      back.push({
        name: space.text(words[k]!),
        slot: intOf(words[k + 1]!),
        start: intOf(words[k + 2]!),
        end: intOf(words[k + 3]!),
      });
    assert.deepEqual(back, m.debug!.locals);
  }
  const tty = program.classes.find((c) => c.name === '.internal.io.tty')!;
  assert.ok(
    tty.methods.every((m) => m.debug === undefined),
    'natives keep 12 slots',
  );
  assert.equal(checkSpace(space.bytes), undefined, 'the image is valid');
});
