// rollback.test.mjs — rollback in place (the debug channel's ROLLBACK, issue 21) on a real machine:
// QEMU keeps running while the kernel drops the live space and mounts a kept generation.
// The guest is the benchmarks' dirtier (tests/lib/dirtier.mjs: 10% of a 64 MiB space rewritten
// every round, "round N" printed after each), so the program's state is its round number, and
// its generations are large enough that a rollback can arrive while one is being written.
//   - to an older generation: the program goes on from that generation's round, QEMU never
//     restarted, the debugger's state is the generation's (a logpoint set after it is gone), the
//     first commit after it names it as parent (the old branch stays kept), and a power cut after
//     that resumes on the new branch;
//     the pages it changed since come from the earlier versions the kernel keeps in memory, not
//     from the disk;
//   - to a generation with a damaged page (a bit flipped on the disk; the kernel keeps no earlier
//     versions, versions=0, so it reads the page): the mount's rule, its parent is
//     mounted instead and the console says why, as at boot;
//   - a damaged page that only a program touches, after the lazy mount accepted its generation
//     (its own machine: a program hashing a large string, whose inner pages the VM's check never
//     reads): the kernel rolls back in place to the generation's parent and the program goes on;
//   - hostile requests: a generation that is not kept, one marked damaged, a bad payload (the
//     machine runs on, unchanged), the tip of another branch (served like gen=N at boot), and a
//     rollback while a generation is being written (it is dropped; the store stays sound across a
//     power cut);
//   - with room for fewer copies than the pages written since (versions=N): the oldest copies gave
//     way, those pages are read from the disk, and the program goes on from the generation's state.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as P from '@phantom/inspector/common/debug-protocol.js';
import { DebugClient, DebugRequestError } from '@phantom/inspector/node/debug-client.js';
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import { Channel, setBreakpoint } from './lib/debugger-channel.mjs';
import { dirtierSource } from './lib/dirtier.mjs';
import { buildStoreDisk, Machine } from './lib/machine.mjs';
import { flipPageOf } from './lib/powercut.mjs';
import { kernelDir, tempDir } from './qemu.mjs';

const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');
const SPACE_BYTES = 64 << 20;
const PAGES = Math.round(SPACE_BYTES / 4096 / 10);
const APPEND = 'snap=300 debug=snapshots';
/** The disk's damage is found only where a page is read: with no copies in memory, every page changed since is. */
const APPEND_NO_VERSIONS = 'snap=300 debug=snapshots versions=0';
/** Room for fewer copies than two generations of the program write (PAGES each): the oldest give way. */
const FEW_VERSIONS = 2500;
const ROUND_LINE = /^round (\d+)$/;
const ROLLED_LINE = /^store: rolled back in place from generation (\d+) to generation (\d+)/;
const REQUEST_MS = 60_000;

describe('rollback in place', () => {
  let temp;
  let disk;
  let socketPath;
  let machine;
  let client;
  const logs = [];

  async function boot(append = APPEND) {
    client?.close();
    if (machine) logs.push(machine.log);
    machine = new Machine({ disk, append, debugSocket: socketPath, debugTransport: 'virtio' });
    await machine.waitForLine(/^debug: protocol \d+ on virtio-serial port/);
    await machine.waitForLine(ROUND_LINE);
    ({ client } = await DebugClient.connect(socketPath, REQUEST_MS));
  }

  /** The last round the program printed, from console line `from` on. */
  function lastRound(from = 0) {
    for (let i = machine.lines.length - 1; i >= from; i--) {
      const m = ROUND_LINE.exec(machine.lines[i].line);
      if (m) return Number(m[1]);
    }
    return undefined;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The generations the machine keeps, by number, and the one it runs on. */
  async function generations() {
    const { current, generations: list } = await client.generations();
    return { current, byNumber: new Map(list.map((g) => [g.number, g])) };
  }

  /** Whether `ancestor` is `number` or one of its ancestors among the kept generations. */
  function descends(byNumber, number, ancestor) {
    for (let n = number; n !== undefined; n = byNumber.get(n)?.parent) if (n === ancestor) return true;
    return false;
  }

  /** The program's state at a new generation: pause, let the console drain, snapshot, resume. */
  async function markedGeneration() {
    await client.pause();
    await sleep(300);
    const round = lastRound();
    const generation = await client.snapshotNow();
    await client.resume();
    return { generation, round };
  }

  async function rejectsWith(promise, code, pattern) {
    await assert.rejects(promise, (err) => {
      assert.ok(err instanceof DebugRequestError, `a request error, not ${err}`);
      assert.equal(err.code, code, err.message);
      assert.match(err.message, pattern);
      return true;
    });
  }

  before(async () => {
    temp = await tempDir();
    disk = join(temp.dir, 'dirtier.img');
    socketPath = join(temp.dir, 'debug.sock');
    const source = join(temp.dir, 'dirtier.ph');
    await writeFile(source, dirtierSource(PAGES, { progress: true, by: 'kernel-src/tests/rollback.test.mjs' }));
    await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: SPACE_BYTES });
    await boot();
  });

  after(async () => {
    client?.close();
    await machine?.kill();
    if (machine && process.exitCode) {
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, 'rollback.log'), [...logs, machine.log].join('\n--- power cut ---\n'));
    }
    await temp?.cleanup();
  });

  test('to an older generation: its state, the branch recorded, a power cut resumes on the new branch', async () => {
    const marked = await markedGeneration();
    const boots = machine.lines.filter(({ line }) => line.startsWith('Phantom kernel')).length;
    // A logpoint set after the marked generation: the debugger's state is the space's, so the
    // rollback takes it back to the generation's (none), as a restart from it would.
    client.close();
    const ch = await Channel.open(socketPath);
    try {
      const run = await ch.findMethod('.bench.dirtier', 'run');
      await ch.request(W.MessageType.SET_BREAKPOINT, setBreakpoint(run.addr, 0, { flags: W.DBG_BP_LOG, message: 'entered' }));
    } finally {
      ch.close();
    }
    ({ client } = await DebugClient.connect(socketPath, REQUEST_MS));
    assert.equal((await client.listBreakpoints()).length, 1);
    await machine.waitForLine(new RegExp(`^round ${marked.round + 6}$`), { deadlineMs: 120_000 });
    for (let n = 0; n < 2; n++) await machine.waitForLine(/^snapshot: generation \d+ /, { from: machine.lines.length });
    const before = await generations();
    assert.ok(before.current > marked.generation, 'generations were committed after the marked one');

    const reply = await client.rollback(marked.generation, REQUEST_MS);
    assert.equal(reply.generation, marked.generation);
    assert.equal(reply.previous, before.current);
    assert.ok(reply.pagesKept + reply.pagesRead > 0, 'the mount checked the generation\'s pages');
    const rolled = await machine.waitForLine(ROLLED_LINE);
    assert.equal(Number(rolled.match[2]), marked.generation);
    const versions = Number(/\((\d+) of them earlier versions\)/.exec(rolled.line)?.[1]);
    assert.ok(versions >= PAGES, `the pages rewritten since came from memory: ${rolled.line}`);
    const next = await machine.waitForLine(ROUND_LINE, { from: rolled.index });
    assert.equal(Number(next.match[1]), marked.round + 1, 'the program goes on from the generation\'s state');
    assert.equal(machine.exitCode, undefined, 'QEMU still runs');
    assert.equal(machine.lines.filter(({ line }) => line.startsWith('Phantom kernel')).length, boots, 'no reboot');
    assert.deepEqual(await client.listBreakpoints(), [], 'the debugger\'s state is the generation\'s');

    const branch = await client.snapshotNow();
    const after = await generations();
    assert.equal(after.current, branch);
    // The new branch: the generations committed since, down to the first one, whose parent is the generation.
    let first = branch;
    while (after.byNumber.get(first)?.parent > before.current) first = after.byNumber.get(first).parent;
    assert.equal(after.byNumber.get(first)?.parent, marked.generation, 'the new branch starts at the generation');
    assert.ok(after.byNumber.has(before.current), 'the branch left behind is kept');

    await sleep(500);
    client.close();
    client = undefined;
    await machine.kill();
    await boot();
    const mounted = await machine.waitForLine(/^store: mounted generation (\d+) /);
    const resumed = await generations();
    assert.ok(descends(resumed.byNumber, Number(mounted.match[1]), branch), 'resumed on the new branch');
    assert.ok(lastRound() > marked.round, 'and from its state');
  });

  test('to a generation with a damaged page: its parent is mounted, as the mount rule says', async () => {
    await machine.kill();
    await boot(APPEND_NO_VERSIONS);
    await machine.waitForLine(/^snapshot: generation \d+ /, { from: machine.lines.length });
    await machine.waitForLine(/^snapshot: generation \d+ /, { from: machine.lines.length });
    await client.pause();
    const { current, byNumber } = await generations();
    let flipped;
    for (let n = byNumber.get(current)?.parent; n !== undefined && !flipped; n = byNumber.get(n)?.parent) {
      const parent = byNumber.get(n)?.parent;
      if (!byNumber.has(parent)) break;
      flipped = await flipPageOf(disk, n, { notIn: [current] });
    }
    assert.ok(flipped, 'a generation with a page of its own and a kept parent');
    const parent = byNumber.get(flipped.generation).parent;
    const from = machine.lines.length;
    const reply = await client.rollback(flipped.generation, REQUEST_MS);
    assert.equal(reply.generation, parent, `generation ${flipped.generation} (${flipped.what} flipped) falls back`);
    const damaged = await machine.waitForLine(/^store: generation (\d+) is damaged: (.*)$/, { from });
    assert.equal(Number(damaged.match[1]), flipped.generation);
    assert.match(damaged.match[2], /a page fails its checksum/);
    await machine.waitForLine(new RegExp(`^store: using generation ${parent} instead of generation ${flipped.generation}$`), { from });
    await machine.waitForLine(ROUND_LINE, { from });

    // Marked damaged, then dropped at the next commit, as at boot.
    await rejectsWith(client.rollback(flipped.generation), P.DebugErrorCode.DE_NOT_FOUND, /is damaged|is not kept/);
  });

  test('hostile requests: not kept, bad payload, another branch\'s tip, during a snapshot', async () => {
    const { current, byNumber } = await generations();
    await rejectsWith(client.rollback(current + 1000), P.DebugErrorCode.DE_NOT_FOUND, /not kept/);
    await rejectsWith(client.rollback(0xffffffff), P.DebugErrorCode.DE_NOT_FOUND, /not kept/);
    await assert.rejects(client.request(P.MessageType.ROLLBACK, new Uint8Array(3)), (err) => err.code === P.DebugErrorCode.DE_BAD_REQUEST);
    await assert.rejects(client.request(P.MessageType.ROLLBACK, new Uint8Array(5)), (err) => err.code === P.DebugErrorCode.DE_BAD_REQUEST);
    const still = await generations();
    assert.equal(still.current >= current, true, 'the machine runs on where it was');
    const round = lastRound();
    await machine.waitForLine(new RegExp(`^round ${round + 2}$`), { deadlineMs: 60_000 });

    // The tip of another branch: the generations that are no ancestor of the current one.
    const ancestors = new Set();
    for (let n = still.current; n !== undefined; n = still.byNumber.get(n)?.parent) ancestors.add(n);
    const parents = new Set([...still.byNumber.values()].map((g) => g.parent));
    const tip = [...still.byNumber.keys()].filter((n) => !ancestors.has(n) && !parents.has(n)).pop();
    assert.ok(tip !== undefined, `another branch is kept (${[...byNumber.keys()].join(', ')})`);
    const reply = await client.rollback(tip, REQUEST_MS);
    assert.equal(reply.generation, tip);
    const branch = await client.snapshotNow();
    // A periodic snapshot may commit between the rollback and SNAPSHOT_NOW: the branch grows from the tip either way.
    const grown = (await generations()).byNumber;
    assert.notEqual(branch, tip);
    assert.ok(descends(grown, branch, tip), 'its branch goes on from it');

    // During a snapshot: roll back as soon as a freeze is announced, until one lands in the writing.
    let dropped;
    for (let attempt = 0; attempt < 20 && !dropped; attempt++) {
      const froze = await machine.waitForLine(/^snapshot: froze (\d+) pages/, { from: machine.lines.length });
      const target = (await generations()).current;
      const r = await client.rollback(target, REQUEST_MS);
      if (r.abandoned > 0) dropped = { ...r, froze };
    }
    assert.ok(dropped, 'a rollback arrived while a generation was being written');
    const next = await machine.waitForLine(/^snapshot: generation (\d+) \(parent (\d+)\)/, { from: dropped.froze.index + 1 });
    assert.equal(Number(next.match[2]), dropped.generation, 'the next commit follows the generation rolled back to');
    client.close();
    client = undefined;
    await machine.kill();
    await boot();
    const mounted = await machine.waitForLine(/^store: mounted generation (\d+) /);
    assert.ok(Number(mounted.match[1]) >= Number(next.match[1]), 'no committed generation was lost');
  });

  test('with room for fewer copies than the pages written since: the rest is read, the state is the generation\'s', async () => {
    await machine.kill();
    await boot(`snap=300 debug=snapshots versions=${FEW_VERSIONS}`);
    const room = await machine.waitForLine(/^store: up to (\d+) earlier page versions kept in memory/);
    assert.equal(Number(room.match[1]), FEW_VERSIONS);
    const marked = await markedGeneration();
    // The next generation rewrote the program's pages: the ring holds those, and of the marked
    // generation's at most what is left (fewer than its pages), or none when a generation being
    // written at the request took that room too.
    await machine.waitForLine(new RegExp(`^round ${marked.round + 2}$`), { deadlineMs: 120_000 });
    await machine.waitForLine(/^snapshot: generation \d+ /, { from: machine.lines.length });
    const reply = await client.rollback(marked.generation, REQUEST_MS);
    assert.equal(reply.generation, marked.generation);
    const rolled = await machine.waitForLine(ROLLED_LINE);
    const versions = Number(/\((\d+) of them earlier versions\)/.exec(rolled.line)?.[1]);
    assert.ok(versions < PAGES, rolled.line);
    assert.ok(reply.pagesRead > 0, `the copies that gave way were read from the disk: ${rolled.line}`);
    assert.ok(reply.pagesRead + reply.pagesKept >= PAGES, rolled.line);
    const next = await machine.waitForLine(ROUND_LINE, { from: rolled.index });
    assert.equal(Number(next.match[1]), marked.round + 1, 'the program goes on from the generation\'s state');
  });
});

/** The program of the lazy-damage test: each round hashes the last round's string (2 or 3 MiB of "#R#R…"), then builds a new one. */
const HASHER = `// generated by kernel-src/tests/rollback.test.mjs
package .t;

import .internal.io.tty;
import .internal.time;

class hasher {
  void run() {
    var round = 0;
    var s = "";
    while (true) {
      round++;
      tty.println("round " + round + " hash " + s.hash());
      var t = "#" + round;
      for (var i = 0; i < 20; i++) t = t + t;
      s = t;
      time.sleep(20);
    }
  }
};
`;

/** A page wholly inside one of the hasher's strings: only '#' and digits, never an object header. */
function stringInterior(bytes) {
  for (const b of bytes) if (b !== 0x23 && (b < 0x30 || b > 0x39)) return false;
  return true;
}

/** Pages the pager reads at most in one fault (FAULT_RUN_PAGES in arch/pager.c). */
const FAULT_RUN_PAGES = 256;

/**
 * String pages that the VM's check cannot read: a fault reads the pages after it in one run, so
 * a page is out of the check's reach only when the FAULT_RUN_PAGES pages before it are string
 * interior too (the check touches object headers, and a string's bytes are no references).
 */
function beyondTheCheck(pages) {
  const interior = new Set(pages.filter((p) => stringInterior(p.bytes)).map((p) => p.page));
  return pages.filter((p) => {
    for (let k = 0; k <= FAULT_RUN_PAGES; k++) if (!interior.has(p.page - k)) return false;
    return true;
  });
}

describe('a damaged page found after a lazy mount', () => {
  let temp;
  let machine;
  let client;

  before(async () => {
    temp = await tempDir();
  });

  after(async () => {
    client?.close();
    await machine?.kill();
    if (machine && process.exitCode) {
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, 'rollback-lazy-damage.log'), machine.log);
    }
    await temp?.cleanup();
  });

  test('a program touching it makes the kernel roll back in place to the parent, loudly', async () => {
    const disk = join(temp.dir, 'hasher.img');
    const socket = join(temp.dir, 'debug.sock');
    const source = join(temp.dir, 'hasher.ph');
    await writeFile(source, HASHER);
    await buildStoreDisk(disk, [source], ['.t.hasher'], { spaceBytes: 32 << 20 });
    machine = new Machine({ disk, append: APPEND_NO_VERSIONS, debugSocket: socket, debugTransport: 'virtio' });
    await machine.waitForLine(/^debug: protocol \d+ on virtio-serial port/);
    await machine.waitForLine(/^round 3 /);
    ({ client } = await DebugClient.connect(socket, REQUEST_MS));

    // G: a generation whose reachable string was built after its parent P. A round's string
    // takes longer to build than the interval under a loaded TCG host, so a generation taken
    // now may hold no string its parent lacks: then another, after the next round.
    let target;
    let parent;
    for (let attempt = 1; ; attempt++) {
      await client.pause();
      target = await client.snapshotNow();
      await client.resume();
      const { generations: list } = await client.generations();
      parent = list.find((g) => g.number === target)?.parent;
      assert.ok(list.some((g) => g.number === parent), 'the parent is kept');
      const own = await flipPageOf(disk, target, { notIn: [parent], where: beyondTheCheck, dryRun: true });
      if (own) break;
      assert.ok(attempt < 10, `none of ${attempt} generations taken wrote string pages of their own`);
      await machine.waitForLine(/^round \d+ /, { from: machine.lines.length });
    }

    // Onto P: the live space then holds none of G's string pages, so going back to G reads them.
    assert.equal((await client.rollback(parent, REQUEST_MS)).generation, parent);
    await machine.waitForLine(/^round \d+ /, { from: machine.lines.length });
    await client.pause();
    const flipped = await flipPageOf(disk, target, { notIn: [parent], where: beyondTheCheck, all: true });
    assert.ok(flipped, `generation ${target} wrote string pages of its own`);
    const from = machine.lines.length;
    const reply = await client.rollback(target, REQUEST_MS);
    assert.equal(reply.generation, target, 'the lazy mount accepts it: the check reads no string interior');
    await client.resume();

    const found = await machine.waitForLine(
      /^store: page \d+ of generation (\d+) fails its checksum or cannot be read \(block (\d+): STORE_EPAGE\), found when first touched$/,
      { from },
    );
    assert.ok(Number(found.match[1]) >= target, 'G, or a generation committed on it since');
    const rolled = await machine.waitForLine(
      /^store: rolled back in place from generation (\d+) to generation (\d+) after a damaged page/,
      { from },
    );
    assert.equal(Number(rolled.match[2]), parent, 'back to the newest generation whose pages all verify');
    await machine.waitForLine(new RegExp(`^store: generation ${target} is damaged: a page fails its checksum`), { from });
    await machine.waitForLine(/^round \d+ hash \d+$/, { from: rolled.index + 1 });
    await assert.rejects(client.rollback(target, REQUEST_MS), /is damaged|is not kept/);
  });
});
