// progen.mjs — random valid Phantom programs for the VM fuzzer (vmfuzz.mjs): from a seed, one
// source file with a few classes (a list node and a subclass that overrides, an error subclass, a
// worker thread class, the main class) whose methods are random statements over typed locals:
// arithmetic at the 31-bit edges, strings and their natives, arrays, the root directory, virtual
// calls, bounded recursion (sometimes deep enough to overflow), errors thrown, raised by the VM
// and caught or not, threads started, joined by yielding, spinning or sleeping, allocation
// pressure (lists and arrays kept or dropped, sometimes more than the space holds), and attempts
// on the type system through covariant arrays: stores and copies of what an array's class does not
// admit (ArrayStore), views cast back, the VM's own arrays written, and system objects (the
// running thread, errors, the root directory) stored into an array of a program class whose fields
// sit where theirs do, then written through it (language.md, "Arrays").
//
// Every program compiles (the types are tracked) and ends: loops are bounded, a thread only waits
// for threads it started, and waiting lets time pass on the virtual clock. Not here: the running
// and comparing (vmfuzz.mjs).
import { seededRandom } from '@phantom/lang/common/seeded-random.js';

/** The fuzz tests' seeded generator (lang's seededRandom) with helpers: the same seed gives the same program. */
export function random(seed) {
  const next = seededRandom(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (list) => list[int(0, list.length - 1)],
  };
}

// The smallest int is written as a difference: phc folds -(-1073741824) into a literal it refuses.
const INT_LITERALS = ['0', '1', '2', '3', '5', '7', '10', '100', '255', '-1', '-7', '1073741823', '(-1073741823 - 1)', '65536', '46341'];
const STRING_LITERALS = ['', 'a', 'abc', '12', '-7', 'x1', 'hello world', '1073741824', 'key'];
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];

/**
 * One program: { source, mainClass, spaceBytes }. `size` scales how much each method does.
 */
export function generateProgram(seed, size = 1) {
  const r = random(seed);
  let names = 0;
  const fresh = (prefix) => `${prefix}${names++}`;
  /** Generating a static method: no `keep` field to read or write. */
  let inStatic = false;

  /** Expressions of a type, over the locals in scope (a list of { name, type }). */
  function expr(type, scope, depth) {
    const vars = scope.filter((v) => v.type === type);
    const leaf = depth <= 0 || r.chance(0.35);
    if (vars.length > 0 && r.chance(leaf ? 0.6 : 0.25)) return r.pick(vars).name;
    switch (type) {
      case 'int':
        return intExpr(scope, depth, leaf);
      case 'boolean':
        return boolExpr(scope, depth, leaf);
      case 'string':
        return stringExpr(scope, depth, leaf);
      case 'item':
        return itemExpr(scope, depth, leaf);
      case 'int[]':
        return `(new int[${r.chance(0.9) ? r.int(0, 40) : r.pick([-1, 100000, 300000])}])`;
      case 'item[]':
        return `(new item[${r.int(0, 20)}])`;
      default:
        throw new Error(`progen: no expressions of type ${type}`);
    }
  }

  function intExpr(scope, depth, leaf) {
    if (leaf) return r.chance(0.8) ? r.pick(INT_LITERALS) : String(r.int(-1000, 1000));
    const d = depth - 1;
    switch (r.int(0, 13)) {
      case 0:
      case 1:
        return `(${expr('int', scope, d)} ${r.pick(['+', '-', '*', '&', '|', '^', '<<', '>>'])} ${expr('int', scope, d)})`;
      case 2:
        return `(${expr('int', scope, d)} ${r.pick(['/', '%'])} ${expr('int', scope, d)})`;
      case 3:
        return `-(${expr('int', scope, d)})`;
      case 4:
        return `${expr('string', scope, d)}.${r.pick(['length()', 'hash()', 'toInt()'])}`;
      case 5:
        return `${expr('string', scope, d)}.charAt(${expr('int', scope, d)})`;
      case 6:
        return `${expr('string', scope, d)}.${r.pick(['indexOf', 'compareTo'])}(${expr('string', scope, d)})`;
      case 7:
        return `${expr('int[]', scope, d)}.length`;
      case 8:
        return `${expr('int[]', scope, d)}[${expr('int', scope, d)}]`;
      case 9:
        return `${expr('item', scope, d)}.${r.pick(['n', 'value()'])}`;
      case 10:
        return r.pick(['time.uptime()', 'thread.current().id()', 'directory.root().size()']);
      case 11:
        return `main.rec(${r.chance(0.93) ? r.int(0, 30) : r.int(1900, 2100)})`;
      case 12:
        return `main.mix(${expr('int', scope, d)}, ${expr('int', scope, d)})`;
      default:
        return `${expr('item[]', scope, d)}.length`;
    }
  }

  function boolExpr(scope, depth, leaf) {
    if (leaf) return r.pick(['true', 'false']);
    const d = depth - 1;
    switch (r.int(0, 7)) {
      case 0:
      case 1:
        return `(${expr('int', scope, d)} ${r.pick(['<', '<=', '>', '>=', '==', '!='])} ${expr('int', scope, d)})`;
      case 2:
        return `!${expr('boolean', scope, d)}`;
      case 3:
        return `(${expr('boolean', scope, d)} ${r.pick(['&&', '||'])} ${expr('boolean', scope, d)})`;
      case 4:
        return `${expr('string', scope, d)}.equals(${expr('string', scope, d)})`;
      case 5:
        return `(${expr('item', scope, d)} ${r.pick(['==', '!='])} null)`;
      case 6:
        return `directory.root().has(${keyExpr(scope, d)})`;
      default:
        return `(${expr('item', scope, d)} instanceof item2)`;
    }
  }

  function stringExpr(scope, depth, leaf) {
    if (leaf) return JSON.stringify(r.pick(STRING_LITERALS));
    const d = depth - 1;
    switch (r.int(0, 7)) {
      case 0:
        return `(${expr('string', scope, d)} + ${expr('string', scope, d)})`;
      case 1:
        return `(${JSON.stringify(r.pick(STRING_LITERALS))} + ${expr(r.pick(['int', 'boolean']), scope, d)})`;
      case 2:
        return `${expr('string', scope, d)}.substring(${expr('int', scope, d)}, ${expr('int', scope, d)})`;
      case 3:
        return `string.fromChar(${expr('int', scope, d)})`;
      case 4:
        return `${expr('item', scope, d)}.s`;
      case 5:
        return `("obj " + ${expr('item', scope, d)})`;
      case 6:
        return `${expr('item', scope, d)}.className()`;
      default:
        return keyExpr(scope, d);
    }
  }

  function itemExpr(scope, depth, leaf) {
    if (leaf) return r.chance(0.2) ? '((item) null)' : `(new ${r.pick(['item', 'item2'])}(${r.int(-5, 50)}, "i"))`;
    const d = depth - 1;
    switch (r.int(0, 5)) {
      case 0:
      case 1:
        return `(new ${r.pick(['item', 'item2'])}(${expr('int', scope, d)}, ${expr('string', scope, d)}))`;
      case 2:
        return `${expr('item', scope, d)}.next`;
      case 3:
        return `${expr('item[]', scope, d)}[${expr('int', scope, d)}]`;
      case 4:
        return `((item) directory.root().get(${keyExpr(scope, d)}))`;
      default:
        return inStatic ? '((item) null)' : 'keep';
    }
  }

  /** A directory key: mostly one of a few, so puts, gets and removes meet. */
  function keyExpr(scope, depth) {
    return r.chance(0.8) ? JSON.stringify(r.pick(KEYS)) : `("k" + ${expr('int', scope, depth)})`;
  }

  /** Something printable: a string expression, or a value converted by concatenation. */
  function printable(scope) {
    const type = r.pick(['int', 'boolean', 'string', 'item', 'int']);
    const e = expr(type, scope, 2);
    return type === 'string' ? e : `("${type} " + ${e})`;
  }

  /**
   * A block of `count` statements at nesting `depth`. `context` says what the method may do:
   * { threads: may start workers, budget: how much allocation pressure it may add }.
   */
  function block(scope, count, depth, context, indent) {
    const inner = [...scope];
    const lines = [];
    for (let i = 0; i < count; i++) lines.push(...statement(inner, depth, context, indent));
    return lines;
  }

  function statement(scope, depth, context, indent) {
    const pad = '  '.repeat(indent);
    const deeper = depth > 0;
    if (r.chance(0.07)) return covariant(scope, pad);
    const choice = r.int(0, deeper ? 20 : 11);
    switch (choice) {
      case 0:
      case 1: {
        const type = r.pick(['int', 'int', 'boolean', 'string', 'item', 'int[]', 'item[]']);
        const name = fresh('v');
        const line = `${pad}var ${name} : ${type} = ${expr(type, scope, 2)};`;
        scope.push({ name, type });
        return [line];
      }
      case 2: {
        const vars = scope.filter((v) => !v.fixed);
        if (vars.length === 0) return [`${pad}tty.println(${printable(scope)});`];
        const v = r.pick(vars);
        return [`${pad}${v.name} = ${expr(v.type, scope, 2)};`];
      }
      case 3:
      case 4:
        return [`${pad}tty.println(${printable(scope)});`];
      case 5:
        return [
          `${pad}${expr('item', scope, 1)}.${r.pick([`n = ${expr('int', scope, 1)}`, `s = ${expr('string', scope, 1)}`, `next = ${expr('item', scope, 1)}`, `a = ${expr('int[]', scope, 1)}`])};`,
        ];
      case 6:
        return r.chance(0.5)
          ? [`${pad}${expr('int[]', scope, 1)}[${expr('int', scope, 1)}] = ${expr('int', scope, 1)};`]
          : [`${pad}${expr('item[]', scope, 1)}[${expr('int', scope, 1)}] = ${expr('item', scope, 1)};`];
      case 7: {
        const what = r.pick(['put', 'put', 'remove']);
        if (what === 'remove') return [`${pad}directory.root().remove(${keyExpr(scope, 1)});`];
        const value = expr(r.pick(['item', 'string', 'int[]']), scope, 1);
        return [`${pad}directory.root().put(${keyExpr(scope, 1)}, ${value});`];
      }
      case 8:
        return [`${pad}${r.pick(['time.sleep(' + r.int(0, 15) + ')', 'thread.yield()'])};`];
      case 9:
        return [`${pad}array.copy(${expr('int[]', scope, 1)}, ${r.int(0, 3)}, ${expr('int[]', scope, 1)}, ${r.int(0, 3)}, ${r.int(0, 5)});`];
      case 10:
        return [`${pad}throw new oops(${expr('string', scope, 1)});`];
      case 11:
        if (inStatic) return [`${pad}tty.println(${printable(scope)});`];
        return [`${pad}keep = ${expr('item', scope, 1)};`];
      case 12:
      case 13: {
        const lines = [`${pad}if (${expr('boolean', scope, 2)}) {`, ...block(scope, r.int(1, 3), depth - 1, context, indent + 1)];
        if (r.chance(0.5)) lines.push(`${pad}} else {`, ...block(scope, r.int(1, 2), depth - 1, context, indent + 1));
        lines.push(`${pad}}`);
        return lines;
      }
      case 14: {
        const i = fresh('i');
        const n = r.int(1, 12);
        const body = block([...scope, { name: i, type: 'int', fixed: true }], r.int(1, 3), depth - 1, context, indent + 1);
        return [`${pad}for (var ${i} = 0; ${i} < ${n}; ${i}++) {`, ...body, `${pad}}`];
      }
      case 15:
      case 16: {
        const e = fresh('e');
        const f = fresh('e');
        const lines = [`${pad}try {`, ...block(scope, r.int(1, 4), depth - 1, context, indent + 1)];
        if (r.chance(0.5)) lines.push(`${pad}} catch (var ${e} : oops) {`, `${pad}  tty.println("oops " + ${e}.message);`);
        if (r.chance(0.8)) lines.push(`${pad}} catch (var ${f} : .internal.error) {`, `${pad}  tty.println("error " + ${f}.message);`);
        else lines.push(`${pad}} catch (var ${f}) {`, `${pad}  tty.println("caught " + ${f});`);
        lines.push(`${pad}}`);
        return lines;
      }
      case 17:
      case 20:
        return pressure(scope, pad, context, depth);
      case 18:
        if (context.threads > 0) return startWorker(scope, pad, context);
        return [`${pad}tty.println(${printable(scope)});`];
      default: {
        const d = fresh('d');
        return [
          `${pad}var ${d} : string[] = directory.root().keys();`,
          `${pad}tty.println("keys " + ${d}.length);`,
        ];
      }
    }
  }

  /**
   * Allocation pressure: a list built in a loop, then kept (live) or dropped (garbage), or arrays
   * made and dropped (kilobytes of garbage for few bytecodes, so collections come often). Big
   * lists only at the top of a method (`depth` 3), so no loop multiplies them.
   */
  function pressure(scope, pad, context, depth) {
    const head = fresh('h');
    const i = fresh('i');
    if (r.chance(0.4)) {
      const keepEvery = r.pick([0, 7, 50]);
      const lines = [
        `${pad}var ${head} : item = null;`,
        `${pad}for (var ${i} = 0; ${i} < ${r.int(20, 400)}; ${i}++) {`,
        `${pad}  var ${head}a : int[] = new int[${r.int(50, 3000)}];`,
        `${pad}  ${head}a[0] = ${i};`,
      ];
      if (keepEvery > 0) {
        lines.push(
          `${pad}  if (${i} % ${keepEvery} == 0) {`,
          `${pad}    var ${head}x : item = new item(${i}, "c");`,
          `${pad}    ${head}x.a = ${head}a;`,
          `${pad}    ${head}x.next = ${head};`,
          `${pad}    ${head} = ${head}x;`,
          `${pad}  }`,
        );
      }
      lines.push(`${pad}}`);
      scope.push({ name: head, type: 'item' });
      return lines;
    }
    const big = depth >= 3 && context.budget > 0 && r.chance(0.5);
    if (big) context.budget--;
    const n = big ? r.int(2000, 40000) : r.int(10, 1500);
    const lines = [`${pad}var ${head} : item = null;`, `${pad}for (var ${i} = 0; ${i} < ${n}; ${i}++) {`];
    const node = r.pick(['item', 'item2']);
    lines.push(`${pad}  var ${head}x : item = new ${node}(${i}, ${r.chance(0.3) ? `"n" + ${i}` : '"n"'});`);
    if (r.chance(0.5)) lines.push(`${pad}  ${head}x.a = new int[${r.int(0, big ? 60 : 120)}];`);
    lines.push(`${pad}  ${head}x.next = ${head};`, `${pad}  ${head} = ${head}x;`, `${pad}}`);
    lines.push(
      !inStatic && r.chance(0.4) ? `${pad}keep = ${head};` : `${pad}tty.println("built " + ${head}.n);`,
    );
    scope.push({ name: head, type: 'item' });
    return lines;
  }

  /** An array of one of the kinds a program meets, as an expression of type any[]. */
  function anyArray(scope) {
    const n = r.int(0, 4);
    return r.pick([
      () => expr('item[]', scope, 1),
      () => `(new item2[${n}])`,
      () => `(new string[${n}])`,
      () => `(new oops[${n}])`,
      () => `(new fake[${n}])`,
      () => `(new .internal.error[${n}])`,
      () => 'directory.root().keys()',
      // the VM's own arrays: readable, but no store goes into them
      () => 'directory.root().names',
      () => 'directory.root().values',
    ])();
  }

  /** A reference of any kind: program objects, strings, errors, threads, arrays, the directory. */
  function anyValue(scope, arrays) {
    const threads = scope.filter((v) => v.type === 'thread');
    return r.pick([
      () => 'null',
      () => expr('item', scope, 1),
      () => `(new item2(${r.int(0, 9)}, "c"))`,
      () => expr('string', scope, 1),
      () => `(new oops(${JSON.stringify(r.pick(STRING_LITERALS))}))`,
      () => '(new .internal.error("e"))',
      () => '(new fake())',
      () => 'thread.current()',
      () => (threads.length > 0 ? r.pick(threads).name : 'thread.current()'),
      () => 'directory.root()',
      () => expr('int[]', scope, 1),
      () => (arrays.length > 0 ? r.pick(arrays) : 'null'),
    ])();
  }

  /**
   * Attempts on the type system through covariant arrays (language.md, "Arrays"): a store or a
   * copy through an any[] view of what the array's class may not hold, a view cast back to its
   * real or a wrong type, a store into one of the VM's own arrays, and a system object (the running
   * thread, an error, the root directory) stored into a fake[] whose fields sit where its fields do,
   * then written through it: the store must raise ArrayStore, so that no write reaches the thread
   * list or an error's message. What each array holds afterwards is printed, and so are the error's
   * message and the running thread's link.
   */
  function covariant(scope, pad) {
    const a = fresh('c');
    const lines = [`${pad}var ${a} : any[] = ${anyArray(scope)};`];
    switch (r.int(0, 4)) {
      case 0:
      case 1:
        for (let k = r.int(1, 3); k > 0; k--) lines.push(`${pad}${a}[${r.int(0, 3)}] = ${anyValue(scope, [a])};`);
        break;
      case 2: {
        const b = fresh('c');
        const n = r.int(0, 4);
        lines.push(
          `${pad}var ${b} : any[] = ${anyArray(scope)};`,
          `${pad}${b}[0] = ${anyValue(scope, [a])};`,
          `${pad}array.copy(${b}, ${r.int(0, 2)}, ${a}, ${r.int(0, 2)}, ${n});`,
        );
        break;
      }
      case 3: {
        const type = r.pick(['item', 'item2', 'string', 'oops', 'fake', '.internal.error']);
        const b = fresh('c');
        const array = r.chance(0.5) ? a : `array.resize(${a}, ${r.int(0, 6)})`;
        lines.push(`${pad}var ${b} : ${type}[] = (${type}[]) ${array};`, `${pad}main.show(${b});`);
        break;
      }
      default: {
        const f = fresh('f');
        const target = fresh('t');
        const value = r.pick([
          () => ['.internal.error', `(new oops(${JSON.stringify(r.pick(STRING_LITERALS))}))`],
          () => ['.internal.error', '(new .internal.error("original"))'],
          () => ['.internal.thread', 'thread.current()'],
          () => ['.internal.directory', 'directory.root()'],
          () => ['fake', '(new fake())'],
        ])();
        const write = r.pick([
          `${f}[0].message = ${expr('string', scope, 1)}`,
          `${f}[0].b = ${f}[0]`,
          `${f}[0].c = null`,
          `${f}[0].next = ${f}[0]`,
          `${f}[0].next = ${anyValue(scope, [a])}`,
        ]);
        lines.push(
          `${pad}var ${target} : ${value[0]} = ${value[1]};`,
          `${pad}var ${f} : fake[] = new fake[1];`,
          `${pad}${a} = ${f};`,
          `${pad}try {`,
          `${pad}  ${a}[0] = ${target};`,
          `${pad}  ${write};`,
          `${pad}  tty.println("written into ${value[0] === 'fake' ? 'a fake' : 'a system object'}");`,
          `${pad}} catch (var ${f}e : .internal.error) {`,
          `${pad}  tty.println("fake refused " + ${f}e.message);`,
          `${pad}}`,
        );
        if (value[0] === '.internal.error') lines.push(`${pad}tty.println("message " + ${target}.message);`);
        lines.push(`${pad}tty.println("next is null " + (thread.current().next == null));`);
      }
    }
    lines.push(`${pad}main.show(${a});`);
    return lines;
  }

  /** Starts a worker and maybe waits for it: by yielding, by spinning, by sleeping, or not at all. */
  function startWorker(scope, pad, context) {
    context.threads--;
    const t = fresh('t');
    const lines = [`${pad}var ${t} : thread = thread.start(new worker(${r.int(1, 99)}));`];
    switch (r.int(0, 3)) {
      case 0:
        lines.push(`${pad}while (${t}.isAlive()) thread.yield();`);
        break;
      case 1:
        lines.push(`${pad}while (${t}.isAlive()) {}`);
        break;
      case 2:
        lines.push(`${pad}while (${t}.isAlive()) time.sleep(${r.int(1, 10)});`);
        break;
      default:
        break;
    }
    lines.push(`${pad}tty.println("worker " + ${t}.id() + " alive " + ${t}.isAlive());`);
    scope.push({ name: t, type: 'thread', fixed: true });
    return lines;
  }

  /**
   * A method body: a few locals every phase sees, then phases of random statements, most of them
   * in a try whose handler reports the error and lets the next phase run (so a program does not
   * end at its first null), some bare (so errors also end threads).
   */
  function body(fixed, phases, statements, depth, context) {
    const scope = [...fixed];
    const lines = [];
    const safe = {
      int: () => String(r.int(-3, 20)),
      string: () => JSON.stringify(r.pick(STRING_LITERALS)),
      item: () => `(new ${r.pick(['item', 'item2'])}(${r.int(0, 9)}, "l"))`,
      'int[]': () => `(new int[${r.int(1, 16)}])`,
      'item[]': () => `(new item[${r.int(1, 8)}])`,
    };
    for (const [type, value] of Object.entries(safe)) {
      const name = fresh('l');
      lines.push(`    var ${name} : ${type} = ${value()};`);
      scope.push({ name, type });
    }
    for (let p = 0; p < phases; p++) {
      const inner = block(scope, Math.max(1, Math.round(r.int(2, statements) * size)), depth, context, 3);
      if (r.chance(0.85)) {
        const e = fresh('e');
        const f = fresh('e');
        lines.push('    try {', ...inner, `    } catch (var ${e} : .internal.error) {`, `      tty.println("phase ${p}: " + ${e}.message);`);
        lines.push(`    } catch (var ${f}) {`, `      tty.println("phase ${p}: " + ${f});`, '    }');
      } else {
        lines.push(...inner.map((line) => line.slice(2)));
      }
    }
    return lines;
  }

  const mainContext = { threads: r.int(0, 4), budget: r.int(0, 3) };
  const workerContext = { threads: 0, budget: r.int(0, 1) };
  const mainBody = ['    keep = (new item(0, "keep"));', ...body([], r.int(2, 8), 6, 3, mainContext)];
  const workerBody = body([{ name: 'id', type: 'int', fixed: true }], r.int(1, 4), 5, 2, workerContext);
  inStatic = true;
  const mixBody = block(
    [
      { name: 'a', type: 'int' },
      { name: 'b', type: 'int' },
    ],
    r.int(0, 3),
    1,
    { threads: 0, budget: 0 },
    2,
  );
  inStatic = false;

  const source = `package .f;

import .internal.io.tty;
import .internal.time;
import .internal.thread;
import .internal.directory;
import .internal.array;

class oops extends .internal.error {
  oops(var m : string) {
    super(m);
  }
};

class item {
  var next : item;
  var n : int;
  var s : string;
  var a : int[];

  item(var n0 : int, var s0 : string) {
    n = n0;
    s = s0;
  }

  int value() {
    return n;
  }
};

class item2 extends item {
  var extra : int;

  item2(var n0 : int, var s0 : string) {
    super(n0, s0);
    extra = n0 * 3;
  }

  int value() {
    return n + extra;
  }
};

// Its fields sit where a thread's (frame, state, wakeAt, next) and an error's (message) do.
class fake {
  var message : string;
  var b : any;
  var c : any;
  var next : any;
};

class worker {
  var id : int;
  var keep : item;

  worker(var i : int) {
    id = i;
  }

  void run() {
${workerBody.join('\n')}
    tty.println("worker " + id + " ends at " + time.uptime());
  }
};

class main {
  var keep : item;

  static int rec(var n : int) {
    if (n <= 0) return 0;
    return main.rec(n - 1) + 1;
  }

  static void show(var a : any[]) {
    var line = "array " + a.length;
    for (var i = 0; i < a.length; i++) {
      var x : any = a[i];
      if (x == null) line = line + " null";
      else line = line + " " + x.className();
    }
    tty.println(line);
  }

  static int mix(var a : int, var b : int) {
${mixBody.join('\n')}
    return a * 31 + b;
  }

  void run() {
${mainBody.join('\n')}
    tty.println("main ends at " + time.uptime());
  }
};
`;
  // Mostly the smallest space (it runs out soonest); now and then one where the collector is
  // started by SH_GC_ALLOWANCE (GC_BUDGET_MIN is 4 MiB) rather than by a failed allocation.
  return { source, mainClass: '.f.main', spaceBytes: r.pick([1, 1, 1, 1, 2, 2, 4, 8]) << 20 };
}
