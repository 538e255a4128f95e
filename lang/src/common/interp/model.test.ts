// The VM model the reference interpreter shares with the kernel (kernel-src/docs/vm.md, "One
// model, two VMs"), on compiled programs: frames reused within a turn and freed after it, so
// constructor calls leave no holes between the objects they make; time that passes while threads
// spin or yield; the clock at --max-ms; an error that cannot be allocated skips every handler;
// an uncaught report writes the message bytes untouched.
// The kernel's differential tests check that phrun does exactly the same; these pin the model
// down on this side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../compiler.js';
import { buildSpace } from '../image/builder.js';
import * as L from '../spec/generated.js';
import { Machine, type RunLimits } from './machine.js';

function start(text: string, spaceBytes: number): { machine: Machine; output: () => string } {
  const r = compile([{ file: 'model.ph', text }]);
  assert.deepEqual(r.diagnostics, []);
  let out = '';
  const decoder = new TextDecoder();
  const machine = new Machine(buildSpace(r.program!, { mainClasses: ['.t.main'], spaceBytes }), {
    onOutput: (bytes) => {
      out += decoder.decode(bytes);
    },
  });
  return { machine, output: () => out };
}

function run(
  text: string,
  spaceBytes: number,
  limits: RunLimits,
): { machine: Machine; output: string; reason: string } {
  const { machine, output } = start(text, spaceBytes);
  const { reason } = machine.run(limits);
  return { machine, output: output(), reason };
}

/** Objects of class .internal.frame still allocated (not free blocks) in the space. */
function framesLeft(machine: Machine): number {
  const s = machine.space;
  const frameClass = machine.internalClass(L.CID_FRAME);
  let frames = 0;
  for (let addr = L.SPACE_BASE + L.SPACE_HEADER_BYTES; addr < s.headerField(L.SH_TOP); ) {
    const ref = addr + 1;
    if (s.kindOf(ref) !== L.KIND_FREE && s.classOf(ref) === frameClass) frames++;
    addr += L.HEADER_BYTES + ((s.payloadBytes(ref) + 3) & ~3);
  }
  return frames;
}

const NODES = `package .t;
import .internal.io.tty;
class node {
  var next : node; var a : int; var b : int;
  node(var n : node, var x : int) { next = n; a = x; b = x + 1; }
};
class main {
  void run() {
    var head : node = null;
    for (var i = 0; i < 60000; i++) head = new node(head, i);
    var big = new int[65536];
    tty.println("room for " + big.length + " beside node " + head.a);
  }
};`;

test('constructor calls reuse their frames: 1.44 MB of nodes and a 256 KiB array fit in 4 MiB', () => {
  const { machine, output, reason } = run(NODES, 4 << 20, { maxSteps: 10_000_000 });
  assert.equal(reason, 'all-ended');
  assert.equal(output, 'room for 65536 beside node 59999\n');
  const top = machine.space.headerField(L.SH_TOP) - L.SPACE_BASE;
  assert.ok(top < 60000 * 24 + 65536 * 4 + 20000, `no holes between the nodes: SH_TOP at ${top}`);
  assert.equal(framesLeft(machine), 0, 'every frame went back to the free list when its turn ended');
});

const WAITING = `package .t;
import .internal.io.tty;
import .internal.time;
import .internal.thread;
class sleeper {
  void run() { time.sleep(50); tty.println("slept until " + time.uptime()); }
};
class main {
  void run() {
    var t = thread.start(new sleeper());
    while (t.isAlive()) thread.yield();
    t = thread.start(new sleeper());
    while (t.isAlive()) {}
    tty.println("done at " + time.uptime());
  }
};`;

test('threads that wait for a sleeper by yielding or spinning let virtual time pass', () => {
  const { output, reason, machine } = run(WAITING, L.SPACE_SIZE_MIN, { maxSteps: 10_000_000 });
  assert.equal(reason, 'all-ended');
  const times = [...output.matchAll(/(\d+)\n/g)].map((m) => Number(m[1]));
  assert.equal(times.length, 3, output);
  assert.ok(times[0]! >= 50 && times[1]! >= times[0]! + 50 && times[2]! >= times[1]!, output);
  assert.equal(
    machine.machineMs,
    Math.floor(machine.steps / L.VIRTUAL_MS_STEPS),
    'no thread ever slept alone: instructions made all the time',
  );
});

const TICKER = `package .t;
import .internal.io.tty;
import .internal.time;
class main {
  void run() { while (true) { tty.println("tick " + time.uptime()); time.sleep(100); } }
};`;

test('--max-ms: a machine whose threads all sleep past the limit stops with its clock at the limit', () => {
  const { output, reason, machine } = run(TICKER, L.SPACE_SIZE_MIN, { maxMachineMs: 250 });
  assert.equal(reason, 'max-time');
  assert.equal(output, 'tick 0\ntick 100\ntick 200\n');
  assert.equal(machine.machineMs, 250);
  assert.equal(machine.rootSlot(L.ROOT_CLOCK) >> 1, 250);
});

const FULL = `package .t;
import .internal.io.tty;
class cell { var next : cell; };
class main {
  void run() {
    var head : cell = null;
    var n = 0;
    try {
      while (true) { var c = new cell(); c.next = head; head = c; n++; }
    } catch (var e) {
      tty.println("the handler ran");
    }
  }
};`;

test('when not even the error object fits, no handler runs and the report names OutOfMemory', () => {
  const { output, reason, machine } = run(FULL, L.SPACE_SIZE_MIN, { maxSteps: 10_000_000 });
  assert.equal(reason, 'all-ended');
  assert.equal(output, '*** thread 1: uncaught .internal.error: OutOfMemory (at .t.main.run line 9)\n');
  assert.equal(framesLeft(machine), 0, 'the thread ended and its frames were dropped');
});

const RAW = `package .t;
import .internal.io.tty;
class oops extends .internal.error { oops(var m : string) { super(m); } };
class main {
  void run() { throw new oops("byte " + string.fromChar(255)); }
};`;

test('an uncaught report carries the message bytes as they are, UTF-8 or not, as the kernel writes them', () => {
  const r = compile([{ file: 'raw.ph', text: RAW }]);
  const chunks: Uint8Array[] = [];
  const machine = new Machine(
    buildSpace(r.program!, { mainClasses: ['.t.main'], spaceBytes: L.SPACE_SIZE_MIN }),
    {
      onOutput: (bytes) => chunks.push(bytes),
    },
  );
  machine.run({ maxSteps: 100_000 });
  const text = '*** thread 1: uncaught .t.oops: byte \xff (at .t.main.run line 5)\n';
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(text, 'latin1'));
});
