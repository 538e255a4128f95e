// The replay engine against a forward run's own record: every reverse step and reverse continue
// must land where the forward run stood, with the same locals and fields; data breakpoints stop
// at each change; hit counts count from the generation; bad requests and spaces are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '@phantom/lang/common/compiler.js';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { Machine } from '@phantom/lang/common/interp/machine.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import { Replay, ReplayError, type StepKind } from './replay.js';

const SOURCE = `package .demo;
import .internal.io.tty;
import .internal.time;

class box {
  var n : int;
};

class trace {
  int square(var x : int) {
    var y = x * x;
    return y;
  }

  void run() {
    var b = new box();
    var total = 0;
    for (var i = 0; i < 30; i++) {
      total = total + square(i);
      b.n = total;
      if (i % 10 == 9)
        time.sleep(5);
    }
    tty.println("total " + total);
  }
};

class other {
  void run() {
    for (var k = 0; k < 12; k++) {
      tty.println("other " + k);
      time.sleep(3);
    }
  }
};
`;

function space(): Uint8Array {
  const { program, diagnostics } = compile([{ file: '/src/trace.ph', text: SOURCE }]);
  assert.ok(program, diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'));
  return buildSpace(program, { spaceBytes: 1 << 20, mainClasses: ['.demo.trace', '.demo.other'] });
}

/** Where the replay stands: position, thread, and the innermost frame's method, pc and slots. */
function where(r: Replay, thread: number): string {
  const s = r.machine.space;
  const frames = r.frames(thread);
  const top = frames[0];
  if (top === undefined) return `${r.position} ${thread} ended`;
  const locals = intOf(s.slot(top.method, L.METHOD_LOCALS));
  const slots = [];
  for (let i = 0; i < locals; i++) slots.push(s.slot(top.frame, L.FRAME_LOCALS + i));
  return `${r.position} ${thread} ${top.method}:${top.pc} depth ${frames.length} [${slots.join(',')}]`;
}

const intOf = (w: number) => w >> 1;

function traceForward(kind: StepKind, thread: number, max: number, every = 997): string[] {
  const r = new Replay(space(), { checkpointEvery: every });
  // From the first statement of run() (the thread begins in the object's constructor).
  while (r.frames(thread).length !== 2) r.step('into', thread);
  const out = [where(r, thread)];
  for (let i = 0; i < max; i++) {
    const stop = r.step(kind, thread);
    if (stop.reason === 'end') break;
    assert.equal(stop.position, r.position);
    out.push(where(r, thread));
  }
  return out;
}

function mainThread(r: Replay): number {
  return r.machine.rootSlot(L.ROOT_THREADS);
}

test('reverse steps (into, over) retrace a forward run step by step, locals and all', () => {
  const probe = new Replay(space());
  const main = mainThread(probe);
  for (const kind of ['into', 'over'] as const) {
    const forward = traceForward(kind, main, 400);
    assert.ok(forward.length > 60, `${kind}: ${forward.length} steps`);
    // A second replay with other checkpoints goes to the last step and walks back.
    const r = new Replay(space(), { checkpointEvery: 1500 });
    r.goto(Number(forward[forward.length - 1]!.split(' ')[0]));
    assert.equal(where(r, main), forward[forward.length - 1]);
    for (let i = forward.length - 2; i >= 0; i--) {
      assert.equal(r.stepBack(kind, main).reason, 'step');
      assert.equal(where(r, main), forward[i], `${kind}: back to step ${i}`);
    }
  }
});

test('reverse instruction steps retrace forward instruction steps', () => {
  const r = new Replay(space(), { checkpointEvery: 64 });
  const main = mainThread(r);
  const forward = [where(r, main)];
  for (let i = 0; i < 500; i++) {
    r.step('instruction');
    forward.push(`${where(r, main)} ${r.thread}`);
  }
  for (let i = forward.length - 2; i >= 1; i--) {
    r.stepBack('instruction');
    assert.equal(`${where(r, main)} ${r.thread}`, forward[i]);
  }
});

test('reverse continue visits the breakpoint hits of a forward run backwards, then the generation', () => {
  const r = new Replay(space(), { checkpointEvery: 2000 });
  const main = mainThread(r);
  const square = findMethod(r, 'square');
  const statement = firstStatements(r, square)[1]!; // return y
  r.setBreakpoints([{ id: 7, method: square, pc: statement }]);
  const hits: string[] = [];
  for (;;) {
    const stop = r.continue();
    if (stop.reason === 'end') break;
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(stop.breakpoint, 7);
    hits.push(where(r, main));
  }
  assert.equal(hits.length, 30);
  for (let i = hits.length - 1; i >= 0; i--) {
    const stop = r.reverseContinue();
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(where(r, main), hits[i]);
  }
  assert.equal(r.reverseContinue().reason, 'start');
  assert.equal(r.position, 0);
  // A condition on a local and a hit count (counted from the generation, wherever the replay stands).
  r.goto(hits[20]!.split(' ').map(Number)[0]!);
  r.setBreakpoints([
    { id: 8, method: square, pc: statement, condition: { local: 1, op: '>=', value: 5 }, hitCount: 3 },
  ]);
  r.goto(0);
  const stop = r.continue();
  assert.equal(stop.breakpoint, 8);
  assert.equal(where(r, main), hits[7]); // x = 5, 6 are hits 1 and 2; x = 7 the third
  assert.equal(r.reverseContinue().reason, 'start');
});

test('a data breakpoint stops after each change of the field, forward and back', () => {
  const r = new Replay(space(), { checkpointEvery: 3000 });
  const main = mainThread(r);
  const run = findMethod(r, 'run', '.demo.trace');
  // Stop on the first statement after `var b = new box()` to learn the box.
  r.setBreakpoints([{ id: 1, method: run, pc: firstStatements(r, run)[1]! }]);
  assert.equal(r.continue().reason, 'breakpoint');
  r.setBreakpoints([]);
  const box = r.frames(main)[0]!;
  const ref = r.machine.space.slot(box.frame, L.FRAME_LOCALS + 1);
  r.setWatches([{ id: 3, ref, slot: 0 }]);
  const seen: { position: number; after: number }[] = [];
  for (;;) {
    const stop = r.continue();
    if (stop.reason === 'end') break;
    assert.equal(stop.reason, 'data');
    assert.equal(stop.watch?.id, 3);
    assert.equal(r.machine.space.slot(ref, 0), stop.watch?.after);
    seen.push({ position: stop.position, after: intOf(stop.watch!.after) });
  }
  // total after i: sum of squares 0..i; the first change is 0 -> 1 (i = 1: b.n = 0 changes nothing).
  const sums = [];
  let t = 0;
  for (let i = 1; i < 30; i++) {
    t += i * i;
    sums.push(t);
  }
  assert.deepEqual(
    seen.map((s) => s.after),
    sums,
  );
  for (let i = seen.length - 1; i >= 0; i--) {
    const stop = r.reverseContinue();
    assert.equal(stop.reason, 'data');
    assert.equal(stop.position, seen[i]!.position);
  }
});

test('output is said once, however often the replay goes back over it', () => {
  const said: string[] = [];
  const r = new Replay(space(), {
    checkpointEvery: 500,
    onOutput: (b) => said.push(new TextDecoder().decode(b)),
  });
  while (r.continue().reason !== 'end');
  const once = said.join('');
  assert.match(once, /total 8555/);
  r.goto(10);
  while (r.continue().reason !== 'end');
  assert.equal(said.join(''), once);
});

test('bad breakpoints, watches, positions and spaces are refused saying why', () => {
  const r = new Replay(space());
  const run = findMethod(r, 'run', '.demo.trace');
  assert.throws(() => r.setBreakpoints([{ id: 1, method: run, pc: 100_000 }]), /pc 100000 is outside/);
  assert.throws(() => r.setBreakpoints([{ id: 1, method: 8, pc: 0 }]), ReplayError);
  assert.throws(() => r.setWatches([{ id: 1, ref: run, slot: 10_000 }]), /has no slot 10000/);
  assert.throws(() => r.goto(-1), /not a whole number/);
  const broken = space();
  broken.fill(0, 0, 16);
  assert.throws(() => new Replay(broken), /cannot be replayed: not a loadable object space/);
});

function findMethod(r: Replay, name: string, owner?: string): number {
  const found = r.programMethods().find((m) => m.name === name && (owner === undefined || m.owner === owner));
  if (!found) throw new Error(`no method ${name}`);
  return found.method;
}

function firstStatements(r: Replay, method: number): number[] {
  const pcs = [];
  const code = r.machine.space.payloadBytes(r.machine.space.slot(method, L.METHOD_CODE));
  for (let pc = 0; pc < code; pc++) if (r.statementAt(method, pc) !== undefined) pcs.push(pc);
  return pcs;
}

const THROWER = `package .demo;
import .internal.io.tty;

class holder {
  var n : int;
};

class thrower {
  var rounds : int;

  void run() {
    var h : holder = null;
    while (rounds < 3) {
      rounds++;
      try {
        this.fail();
      } catch (var x : .internal.error) {
        tty.println("caught " + rounds);
      }
    }
    tty.println("last");
    h.n = 1;
  }

  void fail() {
    throw new .internal.error("round " + rounds);
  }
};
`;

function throwerSpace(): Uint8Array {
  const { program, diagnostics } = compile([{ file: '/src/thrower.ph', text: THROWER }]);
  assert.ok(program, diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'));
  return buildSpace(program, { spaceBytes: 1 << 20, mainClasses: ['.demo.thrower'] });
}

/** The output up to here, as text. */
function printed(r: Replay): string {
  return Buffer.concat(r.consoleOutput.map((b) => Buffer.from(b))).toString();
}

test('exception stops: every throw, or only uncaught ones, stand before the throwing instruction', () => {
  // Every throw: the three caught ones (before each "caught N" is printed), then the VM's.
  const all = new Replay(throwerSpace(), { checkpointEvery: 301 });
  all.setExceptionStops('all');
  const stops = [];
  for (;;) {
    const stop = all.continue();
    if (stop.reason === 'end') break;
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.position, all.position);
    const top = all.frames(stop.thread)[0]!;
    const code = all.machine.space.slot(top.method, L.METHOD_CODE);
    const op = all.machine.space.bytes[all.machine.space.payloadOffset(code) + top.pc];
    stops.push({
      ...stop.exception!,
      op,
      position: stop.position,
      lines: printed(all).split('\n').length - 1,
    });
  }
  assert.deepEqual(
    stops.map((s) => [s.className, s.message, s.caught, s.lines]),
    [
      ['.internal.error', 'round 1', true, 0],
      ['.internal.error', 'round 2', true, 1],
      ['.internal.error', 'round 3', true, 2],
      ['.internal.error', 'NullReference', false, 4],
    ],
  );
  // A THROW's object exists where the replay stands; the VM's error is made by the throw.
  assert.ok(stops.slice(0, 3).every((s) => s.thrown !== 0 && s.op === L.OP_THROW));
  assert.equal(stops[3]!.thrown, 0);
  assert.equal(stops[3]!.op, L.OP_PUT_FIELD);
  assert.match(printed(all), /uncaught \.internal\.error: NullReference/);

  // Only uncaught: straight to the null reference, with the three rounds printed before it.
  const uncaught = new Replay(throwerSpace(), { checkpointEvery: 301 });
  uncaught.setExceptionStops('uncaught');
  const stop = uncaught.continue();
  assert.equal(stop.reason, 'exception');
  assert.equal(stop.position, stops.at(-1)!.position);
  assert.equal(printed(uncaught), 'caught 1\ncaught 2\ncaught 3\nlast\n');

  // Reverse continue goes back through the same throws, and to the generation after them.
  const back = [];
  for (;;) {
    const s = all.reverseContinue();
    back.push(s.reason === 'exception' ? s.exception!.message : s.reason);
    if (s.reason === 'start') break;
  }
  assert.deepEqual(back, ['NullReference', 'round 3', 'round 2', 'round 1', 'start']);

  // Off: the run goes to its end.
  const none = new Replay(throwerSpace());
  assert.equal(none.continue().reason, 'end');
});

/**
 * The space with the kernel's debugger holding `.demo.other`'s thread stopped, as a generation
 * frozen while a client had it stopped at a breakpoint keeps it (layout.def's DEBUGGER_*).
 */
function spaceWithHeldThread(): { bytes: Uint8Array; held: number } {
  const m = new Machine(space());
  const s = m.space;
  const threads = [];
  for (let t = m.rootSlot(L.ROOT_THREADS); t !== 0; t = s.slot(t, L.THREAD_NEXT)) threads.push(t);
  const held = threads.at(-1)!;
  const key = m.heap.allocate(m.internalClass(L.CID_STRING), L.KIND_BYTES, 9);
  s.bytes.set(new TextEncoder().encode('$debugger'), s.payloadOffset(key));
  const state = m.heap.allocate(m.internalClass(L.CID_DIRECTORY), L.KIND_SLOTS, 4 * L.DEBUGGER_STATE_SLOTS);
  s.setSlot(state, L.DEBUGGER_STATE_VERSION, L.DEBUGGER_STATE_V1 << 1);
  s.setSlot(state, L.DEBUGGER_THREAD_ROWS + L.DEBUGGER_ROW_THREAD, held);
  s.setSlot(state, L.DEBUGGER_THREAD_ROWS + L.DEBUGGER_ROW_MODE, L.DEBUGGER_MODE_STOPPED << 1);
  const dir = m.rootSlot(L.ROOT_DIRECTORY);
  s.setSlot(s.slot(dir, L.DIR_KEYS), 0, key);
  s.setSlot(s.slot(dir, L.DIR_VALUES), 0, state);
  s.setSlot(dir, L.DIR_COUNT, 1 << 1);
  return { bytes: s.bytes.slice(), held };
}

test("a thread the machine's debugger held stays held in the replay; the rest runs to its end", {
  timeout: 30_000,
}, () => {
  const { bytes, held } = spaceWithHeldThread();
  const r = new Replay(bytes, { checkpointEvery: 997 });
  const stop = r.continue();
  assert.equal(stop.reason, 'end');
  assert.ok(r.ended);
  assert.equal(r.heldThreads, 1);
  assert.match(printed(r), /^total 8555\n$/);
  assert.equal(r.frames(held).length > 0, true, 'the held thread still has its frames');
  // Going back from there works as from any end.
  assert.equal(r.reverseContinue().reason, 'start');
});
