// debugger.test.mjs — the debugger's requests (debug.def revision 3) against a booted kernel in
// QEMU: a breakpoint in the counter example's tick() stops its thread (EV_STOPPED), FRAME shows
// `this` whose count a step over changes, steps by instruction and out, then continue; while the
// counter is stopped the spinner goes on printing and snapshots go on being committed. A power
// cut while a thread sits at a breakpoint: after the restart it is still stopped there with the
// breakpoint set (and lang's reference interpreter, run on that generation, keeps it stopped too),
// and a rollback to that generation brings both back after they were cleared.
// SET_LOCAL and SET_FIELD (revision 4) write a stopped spinner's loop count and the counter's
// count, and refuse what a slot may not hold, this, system objects and the VM's own arrays.
// A program reads the root directory the same before and after the debugger made its `$debugger`
// entry there (tests/lib/rootdir.ph), and its put of that name raises BadArgument.
// Bad requests get errors with a message, and random and mutated debugger requests (fuzzed) get
// replies or errors while the machine keeps running.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Machine as ReferenceMachine } from '@phantom/lang/common/interp/machine.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import { openStore } from '@phantom/lang/common/store/reader.js';
import { Channel, ChannelError, setBreakpoint, slotInt, slotRef } from './lib/debugger-channel.mjs';
import { buildStoreDisk, Machine } from './lib/machine.mjs';
import { kernelDir, tempDir } from './qemu.mjs';

const COUNTER = join(kernelDir, '..', 'lang', 'examples', 'counter.ph');
const SPINNER = join(kernelDir, 'tests', 'lib', 'spinner.ph');
const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');
const M = W.MessageType;
const THREAD = (thread) => W.encodeThreadRequest({ thread });
/** Random and mutated debugger requests the fuzz test sends. */
const FUZZ_REQUESTS = 400;

let temp;
const machines = [];
before(async () => {
  temp = await tempDir();
});
after(async () => {
  for (const m of machines) await m.kill();
  if (process.exitCode) {
    mkdirSync(artifacts, { recursive: true });
    machines.forEach((m, i) => writeFileSync(join(artifacts, `debugger-${i}.log`), m.log));
  }
  await temp?.cleanup();
});

function boot(disk, socket, append) {
  const m = new Machine({ disk, append, debugSocket: socket });
  machines.push(m);
  return m;
}

async function rejectsWith(promise, code, pattern) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ChannelError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

const ticks = (m) => m.lines.filter((l) => /^tick \d+$/.test(l.line)).length;
const spins = (m) => m.lines.filter((l) => /^spin \d+$/.test(l.line)).length;

/** The count field of the counter that frame 0 of the stopped thread runs in. */
async function countOf(ch, thread) {
  const frame = W.decodeFrameReply(await ch.request(M.FRAME, W.encodeFrameRequest({ thread, depth: 0 })));
  const self = frame.values[0];
  assert.equal(self.kind, W.DBG_VALUE_REF, 'local 0 of tick() is this, a reference');
  return { frame, count: slotInt(await ch.readObject(self.bits), 0) };
}

describe('a breakpoint in the counter, with the spinner beside it', () => {
  let machine;
  let ch;
  before(async () => {
    const disk = join(temp.dir, 'two.img');
    await buildStoreDisk(disk, [COUNTER, SPINNER], ['.demo.counter', '.test.spinner']);
    const socket = join(temp.dir, 'two.sock');
    machine = boot(disk, socket, 'snap=500');
    await machine.waitForLine(/^tick 2$/);
    ch = await Channel.open(socket);
    assert.equal(ch.hello.revision, W.DBG_REVISION);
  });
  after(() => ch?.close());

  test('stop at tick(), read the frame, step over, by instruction and out, continue', async () => {
    const tick = await ch.findMethod('.demo.counter', 'tick');
    const run = await ch.findMethod('.demo.counter', 'run');
    const from = ch.events.length;
    const { id } = W.decodeBreakpointReply(await ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 0)));
    assert.ok(id > 0);
    const listed = W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints;
    assert.deepEqual(
      listed.map((b) => [b.id, b.method, b.pc]),
      [[id, tick.addr, 0]],
    );

    const { event: stop } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_BREAKPOINT, { from });
    assert.equal(stop.breakpoint, id);
    assert.equal(stop.method, tick.addr);
    assert.equal(stop.pc, 0);
    assert.equal(stop.line, tick.lines[0][1], 'the line of pc 0 from the line table');
    const stopped = W.decodeStoppedReply(await ch.request(M.STOPPED)).threads;
    assert.deepEqual(stopped.map((t) => t.thread), [stop.thread]);

    const before = await countOf(ch, stop.thread);
    assert.equal(before.frame.method, tick.addr);
    assert.ok(before.frame.localCount >= 1 && before.frame.values.length >= before.frame.localCount);
    const line = tick.lines.find(([pc]) => pc === 0)[1];
    const caller = W.decodeFrameReply(await ch.request(M.FRAME, W.encodeFrameRequest({ thread: stop.thread, depth: 1 })));
    assert.equal(caller.method, run.addr, 'frame 1 is run(), which called tick()');

    // The counter's thread is stopped: no tick for a second, while the spinner spins on.
    const ticksAt = ticks(machine);
    const spinsAt = spins(machine);
    const generationsFrom = ch.events.length;
    await ch.waitEvent(W.EventType.EV_GENERATION, W.decodeGeneration, () => true, { from: generationsFrom });
    const startSpins = performance.now();
    while (spins(machine) < spinsAt + 3 && performance.now() - startSpins < 30_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(spins(machine) >= spinsAt + 3, 'the spinner went on');
    assert.equal(ticks(machine), ticksAt, 'the stopped counter printed nothing');

    // Step over count++: the next line of tick(), with count one more.
    let mark = ch.events.length;
    await ch.request(M.STEP, W.encodeStepRequest({ thread: stop.thread, kind: W.DBG_STEP_OVER }));
    await ch.waitEvent(W.EventType.EV_CONTINUED, W.decodeContinuedEvent, (e) => e.thread === stop.thread, { from: mark });
    const { event: over } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_STEP, { from: mark });
    assert.equal(over.method, tick.addr);
    assert.notEqual(over.line, line, 'a new line');
    const after = await countOf(ch, stop.thread);
    assert.equal(after.count, before.count + 1, 'count++ ran');

    // One instruction: the pc moves on, in the same method.
    mark = ch.events.length;
    await ch.request(M.STEP, W.encodeStepRequest({ thread: stop.thread, kind: W.DBG_STEP_INSTRUCTION }));
    const { event: one } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_STEP, { from: mark });
    assert.equal(one.method, tick.addr);
    assert.ok(one.pc > over.pc, `pc ${over.pc} -> ${one.pc}`);

    // Out: back in run(), after the call.
    mark = ch.events.length;
    await ch.request(M.STEP, W.encodeStepRequest({ thread: stop.thread, kind: W.DBG_STEP_OUT }));
    const { event: out } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_STEP, { from: mark });
    assert.equal(out.method, run.addr);
    // The console is another port than the channel: the line may come in after the event.
    await machine.waitForLine(new RegExp(`^tick ${after.count}$`));
    assert.equal(machine.lines.filter((l) => l.line === `tick ${after.count}`).length, 1, 'tick() printed its line on the way out');

    // Into: line by line through run() (sleep is a native: no frame) until the call enters tick().
    let into = out;
    for (let i = 0; i < 6 && into.method !== tick.addr; i++) {
      mark = ch.events.length;
      await ch.request(M.STEP, W.encodeStepRequest({ thread: stop.thread, kind: W.DBG_STEP_INTO }));
      ({ event: into } = await ch.waitStopped((e) => e.thread === stop.thread, { from: mark }));
      if (into.method === run.addr) assert.notEqual(into.line, out.line, 'each step into in run() is a new line');
    }
    assert.equal(into.method, tick.addr, 'stepping into reaches tick()');
    assert.equal(into.pc, 0);
    assert.equal((await countOf(ch, stop.thread)).count, after.count, 'tick() has not run yet');

    // Continue: the breakpoint stops the next tick again; cleared, the counter runs on.
    mark = ch.events.length;
    await ch.request(M.CONTINUE_THREAD, THREAD(stop.thread));
    const { event: again } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_BREAKPOINT, { from: mark });
    assert.equal(again.thread, stop.thread);
    assert.equal((await countOf(ch, stop.thread)).count, after.count + 1);
    const hits = W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints[0].hits;
    assert.ok(hits === 2 || hits === 3, `hits ${hits}: the first stop, the step into (if it met it), this one`);
    await ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id }));
    assert.deepEqual(W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints, []);
    await ch.request(M.CONTINUE_THREAD, THREAD(stop.thread));
    await machine.waitForLine(new RegExp(`^tick ${after.count + 3}$`));
    assert.deepEqual(W.decodeStoppedReply(await ch.request(M.STOPPED)).threads, []);
  });

  test('a conditional logpoint reports without stopping; PAUSE_THREAD stops a spinning thread', async () => {
    const tick = await ch.findMethod('.demo.counter', 'tick');
    const spin = await ch.findMethod('.test.spinner', 'run');
    let from = ch.events.length;
    await ch.request(M.PAUSE_THREAD, THREAD(0));
    await ch.waitStopped((e) => e.reason === W.DBG_STOP_PAUSE, { from });
    const all = W.decodeStoppedReply(await ch.request(M.STOPPED)).threads;
    assert.equal(all.length, 2, 'both live threads are stopped');
    assert.ok(all.some((t) => t.method === spin.addr), 'the spinner stopped in run()');
    const spinsAt = spins(machine);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(spins(machine) <= spinsAt + 1, 'the paused spinner does not spin');
    await ch.request(M.CONTINUE_THREAD, THREAD(0));
    await machine.waitForLine(/^spin \d+$/, { from: machine.lines.length });

    // The condition reads local 0, this, a reference: NE an integer always holds, EQ never does.
    from = ch.events.length;
    const { id } = W.decodeBreakpointReply(
      await ch.request(
        M.SET_BREAKPOINT,
        setBreakpoint(tick.addr, 0, { flags: W.DBG_BP_LOG, condition: W.DBG_COND_NE, local: 0, value: 7, hitCount: 2, message: 'tick!' }),
      ),
    );
    const { event: log } = await ch.waitEvent(W.EventType.EV_LOGPOINT, W.decodeLogpointEvent, (e) => e.breakpoint === id, { from });
    assert.equal(log.message, 'tick!');
    assert.equal(log.hits, 2, 'hit_count 2: the second counted hit is the first that logs');
    const ticksAt = ticks(machine);
    await machine.waitForLine(/^tick \d+$/, { from: machine.lines.length });
    assert.ok(ticks(machine) > ticksAt, 'a logpoint does not stop the thread');
    await ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id }));
    const { id: never } = W.decodeBreakpointReply(
      await ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 0, { condition: W.DBG_COND_EQ, local: 0, value: 7 })),
    );
    const ticksThen = ticks(machine);
    await machine.waitForLine(new RegExp(`^tick`), { from: machine.lines.length });
    await machine.waitForLine(new RegExp(`^tick`), { from: machine.lines.length });
    assert.ok(ticks(machine) >= ticksThen + 2, 'a condition that never holds never stops');
    await ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id: never }));
  });

  test('SET_LOCAL and SET_FIELD write what a slot may hold and refuse the rest', async () => {
    const spin = await ch.findMethod('.test.spinner', 'run');
    let from = ch.events.length;
    await ch.request(M.PAUSE_THREAD, THREAD(0));
    await ch.waitStopped((e) => e.method === spin.addr, { from });
    const stopped = W.decodeStoppedReply(await ch.request(M.STOPPED)).threads;
    const spinner = stopped.find((t) => t.method === spin.addr).thread;
    const counter = stopped.find((t) => t.method !== spin.addr).thread;
    const local = (slot, kind, bits, depth = 0) => W.encodeSetLocalRequest({ thread: spinner, depth, slot, kind, bits });
    const field = (object, slot, kind, bits) => W.encodeSetFieldRequest({ object, slot, kind, bits });
    const frame = async (thread) => W.decodeFrameReply(await ch.request(M.FRAME, W.encodeFrameRequest({ thread, depth: 0 })));
    // run()'s locals: this, h, n, i.
    const before = await frame(spinner);
    assert.equal(before.localCount, 4);
    const self = (await frame(counter)).values[0].bits;
    const count = slotInt(await ch.readObject(self), 0);

    await rejectsWith(ch.request(M.SET_LOCAL, local(0, W.DBG_VALUE_INT, 1)), W.DE_BAD_REQUEST, /this/);
    await rejectsWith(ch.request(M.SET_LOCAL, local(2, W.DBG_VALUE_REF, spin.addr)), W.DE_BAD_REQUEST, /holds an int/);
    await rejectsWith(ch.request(M.SET_LOCAL, local(2, W.DBG_VALUE_REF, spin.addr + 4)), W.DE_NOT_FOUND, /no object starts/);
    await rejectsWith(ch.request(M.SET_LOCAL, local(2, W.DBG_VALUE_INT, 2 ** 30)), W.DE_BAD_REQUEST, /small integer/);
    await rejectsWith(ch.request(M.SET_LOCAL, local(9, W.DBG_VALUE_INT, 1)), W.DE_BAD_REQUEST, /not a local/);
    await rejectsWith(ch.request(M.SET_LOCAL, local(2, W.DBG_VALUE_INT, 1, 5)), W.DE_NOT_FOUND, /no frame that deep/);
    await rejectsWith(ch.request(M.SET_FIELD, field(self, 0, W.DBG_VALUE_REF, self)), W.DE_BAD_REQUEST, /holds an int/);
    await rejectsWith(ch.request(M.SET_FIELD, field(self, 1, W.DBG_VALUE_INT, 1)), W.DE_BAD_REQUEST, /beyond/);
    await rejectsWith(ch.request(M.SET_FIELD, field(spinner, 1, W.DBG_VALUE_INT, 1)), W.DE_BAD_REQUEST, /system class/);
    await rejectsWith(ch.request(M.SET_FIELD, field(spin.addr, 4, W.DBG_VALUE_INT, 1)), W.DE_BAD_REQUEST, /system class/);
    await rejectsWith(ch.request(M.SET_FIELD, field(self + 4, 0, W.DBG_VALUE_INT, 1)), W.DE_NOT_FOUND, /no object/);
    const roots = (await import('@phantom/inspector/common/debug-protocol.js')).decodeRoots(await ch.request(M.ROOTS));
    const keys = slotRef(await ch.readObject(roots.directory), 1);
    await rejectsWith(ch.request(M.SET_FIELD, field(keys, 0, W.DBG_VALUE_INT, 0)), W.DE_BAD_REQUEST, /VM's own arrays/);
    assert.deepEqual((await frame(spinner)).values.slice(0, 4), before.values.slice(0, 4), 'refused writes changed nothing');
    assert.equal(slotInt(await ch.readObject(self), 0), count);

    // n = 5000 and count = 100000: the threads go on from there.
    await ch.request(M.SET_LOCAL, local(2, W.DBG_VALUE_INT, 5000));
    assert.deepEqual((await frame(spinner)).values[2], { kind: W.DBG_VALUE_INT, bits: 5000 });
    await ch.request(M.SET_FIELD, field(self, 0, W.DBG_VALUE_INT, 100000));
    from = machine.lines.length;
    await ch.request(M.CONTINUE_THREAD, THREAD(0));
    await machine.waitForLine(/^spin 500[01]$/, { from });
    await machine.waitForLine(/^tick 100001$/, { from });
    assert.deepEqual(W.decodeStoppedReply(await ch.request(M.STOPPED)).threads, []);
  });

  test('bad requests get an error with a message and change nothing', async () => {
    const tick = await ch.findMethod('.demo.counter', 'tick');
    const threads = (await import('@phantom/inspector/common/debug-protocol.js')).decodeThreads(await ch.request(M.THREADS));
    const live = threads.find((t) => t.state === 0 || t.state === 1);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 1)), W.DE_BAD_REQUEST, /not the start of an instruction/);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 100000)), W.DE_BAD_REQUEST, /not the start/);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr + 4, 0)), W.DE_NOT_FOUND, /no such method/);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(0, 0)), W.DE_NOT_FOUND, /no such method/);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 0, { condition: W.DBG_COND_EQ, local: 200 })), W.DE_BAD_REQUEST, /local/);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 0, { value: 2 ** 30 })), W.DE_BAD_REQUEST, /small integer/);
    await rejectsWith(ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 0, { message: 'x'.repeat(W.DBG_MAX_LOG_MESSAGE + 1) })), W.DE_BAD_REQUEST, /message/);
    await rejectsWith(ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id: 999999 })), W.DE_NOT_FOUND, /no breakpoint/);
    await rejectsWith(ch.request(M.FRAME, W.encodeFrameRequest({ thread: live.ref, depth: 0 })), W.DE_BAD_REQUEST, /not stopped/);
    await rejectsWith(ch.request(M.CONTINUE_THREAD, THREAD(live.ref)), W.DE_BAD_REQUEST, /not stopped/);
    await rejectsWith(ch.request(M.STEP, W.encodeStepRequest({ thread: live.ref, kind: W.DBG_STEP_OVER })), W.DE_BAD_REQUEST, /not stopped/);
    await rejectsWith(ch.request(M.STEP, W.encodeStepRequest({ thread: tick.addr, kind: W.DBG_STEP_OVER })), W.DE_NOT_FOUND, /no such thread/);
    await rejectsWith(ch.request(M.PAUSE_THREAD, THREAD(live.ref + 12)), W.DE_NOT_FOUND, /no such thread/);
    const shape = await ch.call(M.STEP, W.encodeStepRequest({ thread: live.ref, kind: W.DBG_STEP_OVER }).slice(0, 5));
    assert.equal(shape.type, W.DBG_ERROR_TYPE);
    assert.equal(W.decodeErrorReply(shape.payload).code, W.DE_BAD_REQUEST);
    const kind = W.encodeStepRequest({ thread: live.ref, kind: W.DBG_STEP_OUT });
    kind[4] = W.DBG_STEP_OUT + 1;
    assert.equal(W.decodeErrorReply((await ch.call(M.STEP, kind)).payload).code, W.DE_BAD_REQUEST);
    assert.deepEqual(W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints, []);
    assert.deepEqual(W.decodeStoppedReply(await ch.request(M.STOPPED)).threads, []);
  });

  test(`${FUZZ_REQUESTS} random and mutated debugger requests get replies or errors; the machine runs on`, async () => {
    const tick = await ch.findMethod('.demo.counter', 'tick');
    const threads = (await import('@phantom/inspector/common/debug-protocol.js')).decodeThreads(await ch.request(M.THREADS));
    const refs = [0, tick.addr, ...threads.map((t) => t.ref), ch.hello.spaceBase + randomInt(ch.hello.spaceSize)];
    const pick = (a) => a[randomInt(a.length)];
    const types = [M.SET_BREAKPOINT, M.CLEAR_BREAKPOINT, M.LIST_BREAKPOINTS, M.PAUSE_THREAD, M.CONTINUE_THREAD, M.STEP, M.FRAME, M.EXCEPTION_STOPS, M.STOPPED, M.SET_LOCAL, M.SET_FIELD];
    const value = () => (randomInt(2) ? { kind: W.DBG_VALUE_INT, bits: randomInt(100) } : { kind: W.DBG_VALUE_REF, bits: pick(refs) });
    const valid = () => {
      switch (randomInt(9)) {
        case 7: return [M.SET_LOCAL, W.encodeSetLocalRequest({ thread: pick(refs), depth: randomInt(2), slot: randomInt(5), ...value() })];
        case 8: return [M.SET_FIELD, W.encodeSetFieldRequest({ object: pick(refs), slot: randomInt(5), ...value() })];
        case 0: return [M.SET_BREAKPOINT, setBreakpoint(pick(refs), randomInt(40), { condition: randomInt(7), local: randomInt(3), hitCount: randomInt(3), flags: randomInt(2) })];
        case 1: return [M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id: randomInt(20) })];
        case 2: return [M.PAUSE_THREAD, THREAD(pick(refs))];
        case 3: return [M.CONTINUE_THREAD, THREAD(pick(refs))];
        case 4: return [M.STEP, W.encodeStepRequest({ thread: pick(refs), kind: randomInt(4) })];
        case 5: return [M.FRAME, W.encodeFrameRequest({ thread: pick(refs), depth: randomInt(4) })];
        default: return [M.EXCEPTION_STOPS, W.encodeExceptionStopsRequest({ mode: randomInt(2) })];
      }
    };
    const counts = new Map();
    for (let i = 0; i < FUZZ_REQUESTS; i++) {
      let [type, payload] = valid();
      if (i % 3 === 1) {
        payload = payload.slice();
        if (payload.length) payload[randomInt(payload.length)] = randomInt(256);
        if (randomInt(2)) payload = payload.slice(0, randomInt(payload.length + 1));
      } else if (i % 3 === 2) {
        type = pick(types);
        payload = Uint8Array.from({ length: randomInt(24) }, () => randomInt(256));
      }
      const reply = await ch.call(type, payload);
      const outcome = reply.type === W.DBG_ERROR_TYPE ? W.decodeErrorReply(reply.payload) : null;
      if (outcome) {
        assert.ok([W.DE_BAD_REQUEST, W.DE_NOT_FOUND, W.DE_BUSY, W.DE_FAILED].includes(outcome.code), `error ${outcome.code}`);
        assert.ok(outcome.message.length > 0, 'an error says why');
      } else assert.equal(reply.type, type | W.DBG_REPLY_BIT);
      const key = outcome ? `error ${outcome.code}` : 'ok';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.ok((counts.get('ok') ?? 0) > 10 && (counts.get(`error ${W.DE_BAD_REQUEST}`) ?? 0) > 10, JSON.stringify([...counts]));
    // Put it all back: nothing set, nothing stopped; both programs run on.
    await ch.request(M.EXCEPTION_STOPS, W.encodeExceptionStopsRequest({ mode: 0 }));
    for (const b of W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints)
      await ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id: b.id }));
    await ch.request(M.CONTINUE_THREAD, THREAD(0));
    const lines = machine.lines.length;
    await machine.waitForLine(/^tick \d+$/, { from: lines });
    await machine.waitForLine(/^spin \d+$/, { from: lines });
    assert.equal(W.decodeHelloReply(await ch.request(M.HELLO, W.encodeHelloRequest({ clientVersion: 1 }))).revision, W.DBG_REVISION);
  });
});

test('a power cut while stopped at a breakpoint: still stopped there after the restart; a rollback brings it back', async () => {
  const disk = join(temp.dir, 'cut.img');
  await buildStoreDisk(disk, [COUNTER], ['.demo.counter']);
  const socket = join(temp.dir, 'cut.sock');
  const first = boot(disk, socket, 'snap=300');
  await first.waitForLine(/^tick 2$/);
  let ch = await Channel.open(socket);
  const tick = await ch.findMethod('.demo.counter', 'tick');
  const from = ch.events.length;
  const { id } = W.decodeBreakpointReply(await ch.request(M.SET_BREAKPOINT, setBreakpoint(tick.addr, 0)));
  const { event: stop } = await ch.waitStopped((e) => e.breakpoint === id, { from });
  const { count } = await countOf(ch, stop.thread);
  const generation = W.decodeSnapshotReply(await ch.request(M.SNAPSHOT_NOW)).generation;
  ch.close();
  await first.kill();

  // lang's reference interpreter, run on that generation of the disk, keeps the thread stopped too.
  const blocks = readFileSync(disk);
  const store = openStore((b) => blocks.subarray(b * L.BLOCK_SIZE, (b + 1) * L.BLOCK_SIZE), blocks.length / L.BLOCK_SIZE);
  let printed = '';
  const reference = new ReferenceMachine(store.readGenerationPages(generation), { onOutput: (b) => (printed += Buffer.from(b).toString()) });
  assert.equal(reference.run({ maxSteps: 1_000_000 }).reason, 'debugger-stopped');
  assert.equal(printed, '', 'the stopped counter ran nothing in the reference interpreter');

  const second = boot(disk, socket, 'snap=300');
  await second.waitForLine(/^debug: protocol/);
  ch = await Channel.open(socket);
  const stopped = W.decodeStoppedReply(await ch.request(M.STOPPED)).threads;
  assert.deepEqual(
    stopped.map((t) => [t.thread, t.reason, t.breakpoint, t.method, t.pc]),
    [[stop.thread, W.DBG_STOP_BREAKPOINT, id, tick.addr, 0]],
  );
  assert.deepEqual(W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints.map((b) => b.id), [id]);
  assert.equal((await countOf(ch, stop.thread)).count, count, 'the frame is as it was');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(ticks(second), 0, 'the stopped counter printed nothing after the restart');
  // Cleared and continued, it goes on from where it stopped; the next snapshot has neither.
  await ch.request(M.CLEAR_BREAKPOINT, W.encodeBreakpointRequest({ id }));
  await ch.request(M.CONTINUE_THREAD, THREAD(stop.thread));
  await second.waitForLine(new RegExp(`^tick ${count + 1}$`));
  W.decodeSnapshotReply(await ch.request(M.SNAPSHOT_NOW));
  ch.close();
  await second.kill();

  const rolled = boot(disk, socket, `snap=300 gen=${generation}`);
  await rolled.waitForLine(/^debug: protocol/);
  ch = await Channel.open(socket);
  try {
    assert.deepEqual(W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints.map((b) => b.id), [id]);
    assert.deepEqual(W.decodeStoppedReply(await ch.request(M.STOPPED)).threads.map((t) => t.thread), [stop.thread]);
  } finally {
    ch.close();
  }
});

test('throws stop their thread: every one, then only the one nothing catches', async () => {
  const disk = join(temp.dir, 'throw.img');
  await buildStoreDisk(disk, [join(kernelDir, 'tests', 'lib', 'thrower.ph')], ['.test.thrower']);
  const socket = join(temp.dir, 'throw.sock');
  const machine = boot(disk, socket, 'snap=0');
  await machine.waitForLine(/^caught 1$/);
  const ch = await Channel.open(socket);
  try {
    const fail = await ch.findMethod('.test.thrower', 'fail');
    let from = ch.events.length;
    await ch.request(M.EXCEPTION_STOPS, W.encodeExceptionStopsRequest({ mode: W.DBG_EXCEPTIONS_ALL }));
    const { event: caught } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_EXCEPTION, { from });
    assert.equal(caught.method, fail.addr, 'stopped at the throw in fail()');
    const error = await ch.readObject(caught.exception);
    const round = Number(/^round (\d+)$/.exec(await ch.readString(slotRef(error, 0)))[1]);
    const [listed] = W.decodeStoppedReply(await ch.request(M.STOPPED)).threads;
    assert.equal(listed.exception, caught.exception);
    assert.equal(W.decodeStoppedReply(await ch.request(M.STOPPED)).exceptions, W.DBG_EXCEPTIONS_ALL);
    assert.equal(machine.lines.filter((l) => l.line === `caught ${round}`).length, 0, 'the handler has not run yet');

    // Only uncaught throws stop now: the caught ones run their handlers, round 20 stops.
    await ch.request(M.EXCEPTION_STOPS, W.encodeExceptionStopsRequest({ mode: W.DBG_EXCEPTIONS_UNCAUGHT }));
    from = ch.events.length;
    await ch.request(M.CONTINUE_THREAD, THREAD(caught.thread));
    await machine.waitForLine(new RegExp(`^caught ${round}$`));
    const { event: uncaught } = await ch.waitStopped((e) => e.reason === W.DBG_STOP_EXCEPTION, { from });
    assert.equal(uncaught.method, fail.addr);
    assert.equal(await ch.readString(slotRef(await ch.readObject(uncaught.exception), 0)), 'round 20');
    assert.ok(machine.lines.some((l) => l.line === 'caught 20'), 'round 20 threw a caught one first');
    assert.ok(!machine.lines.some((l) => /^\*\*\* thread/.test(l.line)), 'the thread has not failed yet');
    from = ch.events.length;
    await ch.request(M.CONTINUE_THREAD, THREAD(uncaught.thread));
    await ch.waitEvent(W.EventType.EV_THREAD_END, W.decodeThreadEndEvent, (e) => e.thread === uncaught.thread, { from });
    await machine.waitForLine(/^\*\*\* thread \d+: uncaught \.internal\.error: round 20/);
    assert.deepEqual(W.decodeStoppedReply(await ch.request(M.STOPPED)).threads, []);
  } finally {
    ch.close();
  }
});

test("programs do not see the root directory's $debugger entry, nor may they put one", async () => {
  const disk = join(temp.dir, 'rootdir.img');
  await buildStoreDisk(disk, [join(kernelDir, 'tests', 'lib', 'rootdir.ph')], ['.test.rootdir']);
  const socket = join(temp.dir, 'rootdir.sock');
  const machine = boot(disk, socket, 'snap=0');
  const { line: before } = await machine.waitForLine(/^before: /);
  const ch = await Channel.open(socket);
  try {
    const never = await ch.findMethod('.test.rootdir', 'never');
    const { id } = W.decodeBreakpointReply(await ch.request(M.SET_BREAKPOINT, setBreakpoint(never.addr, 0)));
    const roots = (await import('@phantom/inspector/common/debug-protocol.js')).decodeRoots(await ch.request(M.ROOTS));
    const dir = await ch.readObject(roots.directory);
    assert.equal(slotInt(dir, 0), 2, 'the directory holds "mine" and $debugger');
    assert.equal(await ch.readString(slotRef(await ch.readObject(slotRef(dir, 1)), 1)), '$debugger');
    const { line: afterLine } = await machine.waitForLine(/^after: /);
    assert.equal(afterLine.replace(/^after/, 'before'), before, 'the program sees the same directory');
    assert.equal(before, 'before: size 1, keys 1, first mine, has false, get null true, remove false');
    await machine.waitForLine(/^\*\*\* thread \d+: uncaught \.internal\.error: BadArgument/);
    assert.ok(!machine.lines.some((l) => l.line === 'put it'));
    assert.deepEqual(W.decodeBreakpointsReply(await ch.request(M.LIST_BREAKPOINTS)).breakpoints.map((b) => b.id), [id]);
  } finally {
    ch.close();
  }
});
