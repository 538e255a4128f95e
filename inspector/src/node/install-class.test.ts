// Installing a class into a running machine: the kernel booted in QEMU runs a counter, the test
// compiles a variant whose tick() prints other text, installs it over the debug channel and
// watches the console switch while the count goes on; a variant with another field layout is
// refused and the machine keeps running. Needs kernel-src/build/phantom.elf and qemu-system-i386.
//
// The counter here calls this.tick() from its loop, unlike lang/examples/counter.ph whose loop
// prints inline: a frame that is already running keeps its method's code, so only code reached
// through a new call can change, and a loop that never returns never would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import { encodeClassBlob } from '../common/class-blob.js';
import { DBG_MAX_PAYLOAD } from '../common/debug-protocol.js';
import { DebugClient, DebugRequestError } from './debug-client.js';
import { bootMachine, type TestMachine } from './test-machine.test.js';

let machine: TestMachine;
let client: DebugClient;

/** The counter, with `word` as the text tick() prints and `extraFields` added after `count`. */
function counterSource(word: string, extraFields = ''): string {
  return `package .demo;
import .internal.io.tty;
import .internal.time;

class counter {
  var count : int;${extraFields}

  void run() {
    while (true) {
      this.tick();
      time.sleep(100);
    }
  }

  void tick() {
    count++;
    tty.println("${word} " + count);
  }
};
`;
}

function compiledCounter(source: string): CompiledClass {
  const { program, diagnostics } = compile([{ file: 'counter.ph', text: source }]);
  assert.ok(program, diagnostics.map((d) => d.message).join('\n'));
  const cls = program.classes.find((c) => c.name === '.demo.counter');
  assert.ok(cls);
  return cls;
}

before(async () => {
  machine = bootMachine({ name: 'install', source: counterSource('tick'), mainClass: '.demo.counter' });
  await machine.waitFor(/tick 3\b/, 60_000);
  ({ client } = await DebugClient.connect(machine.socket, 30_000));
});

after(() => {
  client?.close();
  machine?.dispose();
});

test('a replaced class switches the running counter to the new text and the count goes on', async () => {
  const classesBefore = await client.classes();
  const classRef = await client.installClass(compiledCounter(counterSource('tock')));
  assert.ok(classesBefore.includes(classRef), 'the class object is the existing one');
  const firstTock = await machine.waitFor(/tock (\d+)/, 30_000);
  const ticks = [
    ...machine
      .console()
      .slice(0, firstTock.index)
      .matchAll(/tick (\d+)/g),
  ].map((m) => Number(m[1]));
  assert.equal(Number(firstTock[1]), ticks.at(-1)! + 1, 'the thread kept its count');
  const after = Number(firstTock[1]) + 2;
  await machine.waitFor(new RegExp(`tock ${after}\\b`), 30_000);
  assert.doesNotMatch(machine.console().slice(firstTock.index), /tick \d/, 'no old text after the switch');
  assert.deepEqual((await client.classes()).length, classesBefore.length, 'no class was added');
});

test('a class that changes the fields is refused with the reason, and the machine keeps running', async () => {
  const changed = compiledCounter(counterSource('tack', '\n  var extra : int;'));
  await assert.rejects(
    client.installClass(changed),
    (err: unknown) => err instanceof DebugRequestError && /number of fields/.test(err.message),
  );
  const last = Math.max(...[...machine.console().matchAll(/tock (\d+)/g)].map((m) => Number(m[1])));
  await machine.waitFor(new RegExp(`tock ${last + 2}\\b`), 30_000);
  assert.doesNotMatch(machine.console(), /\btack \d/);
  const stats = await client.stats();
  assert.equal(stats.paused, false);
});

test('a new class larger than one frame arrives in chunks and is added to the program classes', async () => {
  const words = (n: number) => `${'w'.repeat(30_000)}${n}`;
  const text = `package .demo;
class helper {
  var n : int;
  int twice() { return n + n; }
  string a() { return "${words(1)}"; }
  string b() { return "${words(2)}"; }
  string c() { return "${words(3)}"; }
};
`;
  const { program } = compile([{ file: 'helper.ph', text }]);
  assert.ok(program);
  const helper = program.classes.find((c) => c.name === '.demo.helper')!;
  assert.ok(encodeClassBlob(helper).length > DBG_MAX_PAYLOAD, 'the blob needs more than one chunk');
  const before = await client.classes();
  const classRef = await client.installClass(helper);
  assert.ok(classRef > 0);
  const after = await client.classes();
  assert.equal(after.length, before.length + 1);
  assert.ok(after.includes(classRef));
});
