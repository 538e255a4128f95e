// debug.test.mjs — the debug channel on a real machine, over each transport (a virtio-serial port,
// serial port 2): boots lang/examples/counter.ph with the channel on a unix socket and talks to the kernel's debug agent with the inspector's
// DebugClient: hello, roots, threads with frames, objects live and as of a past generation,
// enumerate, generations, snapshot now (and its EV_GENERATION event). Then fuzzes the channel
// with garbage, mutated frames (READ_OBJECTS and RUN) and well-formed frames of random types and
// payloads, and checks that bad frames get error replies and the kernel neither hangs nor crashes.
// A client that quits in the middle of a frame must not hold up the next one: a new DebugClient's
// RESET ends the unfinished frame at once, and a client that does not reset is answered once the
// unfinished frame has timed out in the kernel; fuzzed, clients quit at random points of random
// frames and each next one must connect.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as P from '@phantom/inspector/common/debug-protocol.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { liveHeap, nowHeap } from '@phantom/inspector/node/live-source.js';
import { committedSpaces } from '@phantom/inspector/node/store-file.js';
import { HEADER_BYTES, PAGE_SIZE, ROOT_CLOCK, SH_ROOT, SH_TOP } from '@phantom/lang/common/spec/generated.js';
import { buildStoreDisk, Machine } from './lib/machine.mjs';
import { DEBUG_TRANSPORTS, kernelDir, tempDir } from './qemu.mjs';

const COUNTER = join(kernelDir, '..', 'lang', 'examples', 'counter.ph');
const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');
const SPACE_BYTES = 64 << 20;
/** Random and mutated frames sent by the fuzz test. */
const FUZZ_FRAMES = 300;
/** Replies of the fuzz test stop for this long before it sends its RESET: the agent has read every frame. */
const FUZZ_QUIET_MS = 500;
/** Clients of the fuzz test that quit at a random point. */
const QUITTING_CLIENTS = 8;

for (const transport of DEBUG_TRANSPORTS) describe(`over ${transport}`, () => {
  let temp;
  let machine;
  let socketPath;
  let disk;

  before(async () => {
    temp = await tempDir();
    disk = join(temp.dir, 'counter.img');
    await buildStoreDisk(disk, [COUNTER], ['.demo.counter'], { spaceBytes: SPACE_BYTES });
    socketPath = join(temp.dir, 'debug.sock');
    machine = new Machine({ disk, append: 'snap=1000', debugSocket: socketPath, debugTransport: transport });
    await machine.waitForLine(new RegExp(`^debug: protocol \\d+ on ${transport === 'virtio' ? 'virtio-serial port' : 'serial port 2'}`));
    await machine.waitForLine(/^tick 2$/);
  });

  after(async () => {
    await machine?.kill();
    if (machine && process.exitCode) {
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `debug-${transport}.log`), machine.log);
    }
    await temp?.cleanup();
  });

  /** Resolves once count() has not changed for quietMs (polling; at most 60 s). */
  async function quiet(count, quietMs) {
    let last = count();
    let since = performance.now();
    const end = since + 60_000;
    while (performance.now() - since < quietMs && performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (count() !== last) {
        last = count();
        since = performance.now();
      }
    }
  }

  /** Resolves when fn() is true, polling; rejects at the deadline. */
  async function until(fn, what, deadlineMs = 30_000) {
    const end = performance.now() + deadlineMs;
    while (!fn()) {
      if (performance.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function withClient(body) {
    const { client, hello } = await DebugClient.connect(socketPath, 60_000);
    try {
      return await body(client, hello);
    } finally {
      client.close();
    }
  }

  test('hello, roots, threads with frames, objects, enumerate and classes from the live machine', async () => {
    await withClient(async (client, hello) => {
      assert.equal(hello.protocolVersion, P.DBG_VERSION);
      assert.equal(hello.spaceBase, 0x40000000);
      assert.equal(hello.spaceSize, SPACE_BYTES);
      assert.match(hello.kernel, /phantom/);

      const roots = await client.roots();
      for (const key of ['root', 'directory', 'threads', 'classes'])
        assert.ok(roots[key] >= hello.spaceBase, `${key} is an object-space reference`);

      const threads = await client.threads();
      assert.ok(threads.length >= 1, 'the counter thread is listed');
      const counter = threads[0];
      assert.ok(counter.frames.length >= 1, 'the counter thread has frames');
      for (const f of counter.frames) assert.ok(f.frame >= hello.spaceBase && f.method >= hello.spaceBase);

      const objects = await client.readObjects([roots.root, counter.ref, counter.frames[0].frame]);
      assert.deepEqual(
        objects.map((o) => o.status),
        [P.ObjectStatus.Ok, P.ObjectStatus.Ok, P.ObjectStatus.Ok],
      );
      const [notAnObject] = await client.readObjects([hello.spaceBase + 2]);
      assert.equal(notAnObject.status, P.ObjectStatus.NotAnObject);

      const page = await client.enumerate(0, 0, 64);
      assert.ok(page.objects.length > 0 && page.objects.length <= 64, 'enumerate from the first object');
      assert.ok(page.next > page.objects.at(-1), 'enumerate says where to go on');
      const classes = await client.classes();
      assert.ok(classes.length > 0);
      const ofClass = await client.enumerate(0, classes[0], 16);
      const [first] = await client.readObjects(ofClass.objects.slice(0, 1));
      if (first) assert.equal(first.classWord, classes[0], 'enumerate by class returns objects of that class');
      await assert.rejects(client.enumerate(hello.spaceBase + 6, 0, 4), /NOT_FOUND/);

      const stats = await client.stats();
      assert.ok(stats.threads >= 1);
    });
  });

  test('snapshot now commits a generation, lists it with its parent, announces it, and serves it', async () => {
    await withClient(async (client, hello) => {
      const before = await client.generations();
      const announced = [];
      client.onDidCommitGeneration((g) => announced.push(g.number));
      const number = await client.snapshotNow();
      assert.ok(number > before.current, `generation ${number} is newer than ${before.current}`);
      const after = await client.generations();
      assert.equal(after.current, number);
      const made = after.generations.find((g) => g.number === number);
      assert.ok(made, 'the new generation is listed');
      assert.equal(made.parent, before.current);
      assert.ok(made.pagesWritten >= 1, 'the counter changed pages since the last generation');
      await until(() => announced.includes(number), 'EV_GENERATION for the snapshot');

      const roots = await client.roots();
      const [rootThen] = await client.readObjects([roots.root], number);
      assert.equal(rootThen.status, P.ObjectStatus.Ok);
      const first = await client.readPage(0, number);
      const again = await client.readPage(0, number);
      assert.deepEqual(first, again, 'a committed generation does not change');
      assert.equal(new DataView(first.buffer, first.byteOffset).getUint32(0, true), 0x534f4850, 'space magic');
      await assert.rejects(client.readPage(0, 0x7ffffff0), /NOT_FOUND/);
      await assert.rejects(client.readPage(hello.spaceSize / 4096, number), /NOT_FOUND/);
    });
  });

  test('DIRTY_PAGES and NOW_PAGES: every page they leave out is the committed generation\'s, and "now" built on the disk is the live space', async () => {
    await withClient(async (client, hello) => {
      assert.equal(hello.revision, P.DBG_REVISION);
      await client.pause();
      try {
        const { generation, pages } = await client.dirtyPages();
        assert.equal(generation, (await client.stats()).generation, 'relative to the generation the machine runs on');
        const first = await client.readPage(0);
        const top = new DataView(first.buffer, first.byteOffset).getUint32(SH_TOP, true);
        const dirty = new Set(pages);
        assert.ok(pages.every((page) => page < hello.spaceSize / PAGE_SIZE), 'pages inside the space');
        for (let page = 0; page * PAGE_SIZE < top - hello.spaceBase; page++) {
          if (dirty.has(page)) continue;
          assert.deepEqual(await client.readPage(page), await client.readPage(page, generation), `page ${page} is clean`);
        }
      } finally {
        await client.resume();
      }
      await machine.waitForLine(/^tick \d+$/, { from: machine.lines.length });
      assert.ok((await client.dirtyPages()).pages.length > 0, 'a tick of the counter writes pages');

      // NOW_PAGES: the same pages with their bytes, read at one safe point.
      await client.pause();
      try {
        const few = await client.nowPages();
        const { generation, pages } = await client.dirtyPages();
        assert.equal(few.generation, generation);
        assert.deepEqual(
          few.pages.map((p) => p.page),
          pages,
          'the counter changes few pages: all of them come',
        );
        for (const { page, bytes } of few.pages) assert.deepEqual(bytes, await client.readPage(page), `page ${page}`);
      } finally {
        await client.resume();
      }

      // Threads held where they are (the world runs on, snapshots too): the two ways of reading now agree.
      await client.pauseThread(0);
      try {
        const now = await nowHeap(client, hello, committedSpaces(disk));
        const whole = await liveHeap(client, hello);
        assert.ok(now.pagesRead < whole.pagesRead, `${now.pagesRead} pages read instead of ${whole.pagesRead}`);
        assert.equal(now.oneSafePoint, true, 'read at one safe point');
        // The machine clock (a slot of the root) advances between the two reads: all else is equal.
        const root = new DataView(whole.heap.space.buffer, whole.heap.space.byteOffset).getUint32(SH_ROOT, true) - 1 - hello.spaceBase;
        for (const { heap } of [now, whole]) heap.space.fill(0, root + HEADER_BYTES + 4 * ROOT_CLOCK, root + HEADER_BYTES + 4 * ROOT_CLOCK + 4);
        assert.deepEqual(now.heap.space, whole.heap.space);
      } finally {
        await client.continueThread(0);
      }
    });
  });

  /** A well-formed frame of a random type and payload, or a valid request with a few bytes changed. */
  function fuzzFrame(i) {
    if (i % 3 === 0) return randomBytes(randomInt(1, 200));
    if (i % 3 === 1) {
      let type = randomInt(256);
      if (type === P.MessageType.PAUSE) type = P.MessageType.STATS; /* a pause would stop the checks below */
      return P.encodeFrame(type, randomInt(1, 0xffffffff), randomBytes(randomInt(0, 64)));
    }
    if (i % 2 === 0) {
      // A RUN of a method the counter lacks, sound or with payload bytes changed under a good CRC:
      // NOT_FOUND or BAD_REQUEST, never a new thread.
      const payload = P.encodeRun('.demo.counter', 'nope');
      for (let n = randomInt(0, 3); n > 0; n--) payload[randomInt(payload.length)] = randomInt(256);
      return P.encodeFrame(P.MessageType.RUN, randomInt(1, 0xffffffff), payload);
    }
    const valid = P.encodeFrame(P.MessageType.READ_OBJECTS, 7, P.encodeReadObjects([0x40000000 + randomInt(1 << 20)]));
    for (let n = randomInt(1, 5); n > 0; n--) valid[randomInt(valid.length)] ^= 1 << randomInt(8);
    return valid;
  }

  /**
   * One frame for each error the kernel must give, with the code it must get. The fuzz's own frames
   * may be swallowed (a mutated header announcing a long payload takes the frames behind it until
   * the RESET), so whether a code turns up among their replies is chance: these are sent after it.
   */
  function errorProbes(firstId) {
    const badCrc = P.encodeFrame(P.MessageType.STATS, firstId);
    badCrc[P.DF_CRC] ^= 1;
    return [
      { frame: badCrc, code: P.DebugErrorCode.DE_BAD_FRAME, what: 'a frame whose CRC is wrong' },
      { frame: P.encodeFrame(0x7e, firstId + 1), code: P.DebugErrorCode.DE_UNKNOWN, what: 'a type the kernel lacks' },
      {
        frame: P.encodeFrame(P.MessageType.STATS, firstId + 2, new Uint8Array(1)),
        code: P.DebugErrorCode.DE_BAD_REQUEST,
        what: 'a payload where none belongs',
      },
      {
        frame: P.encodeFrame(P.MessageType.RUN, firstId + 3, P.encodeRun('.demo.counter', 'nope')),
        code: P.DebugErrorCode.DE_NOT_FOUND,
        what: 'a RUN of a method the class lacks',
      },
    ].map((probe, i) => ({ ...probe, id: firstId + i }));
  }

  test('random and mutated frames get error replies and never hang or crash the kernel', async () => {
    const replies = [];
    const decoder = new P.FrameDecoder((frame) => replies.push(frame));
    const socket = connect(socketPath);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('data', (chunk) => decoder.push(chunk));
    const ticksBefore = machine.lines.length;
    const helloId = 0xfeed;
    const probes = errorProbes(helloId + 2);
    try {
      for (let i = 0; i < FUZZ_FRAMES; i++) socket.write(fuzzFrame(i));
      // Every frame is read before the RESET comes: on a fast transport a RESET in the same burst
      // would end a mutated header's wait at once, dropping the frames inside its announced length.
      await quiet(() => replies.length, FUZZ_QUIET_MS);
      assert.ok(replies.length > 0, 'the fuzz got replies');
      // A header with a plausible length makes the agent wait for its payload; a RESET ends it.
      socket.write(P.encodeFrame(P.MessageType.RESET, helloId - 1));
      socket.write(P.encodeFrame(P.MessageType.HELLO, helloId, new P.PayloadWriter().u16(P.DBG_VERSION).finish()));
      await until(() => replies.some((f) => f.id === helloId), 'HELLO answered after the fuzz', 120_000);
      assert.equal(replies.find((f) => f.id === helloId - 1)?.type, P.MessageType.RESET | P.DBG_REPLY_BIT);
      socket.write(P.encodeFrame(P.MessageType.RESUME, helloId + 1));
      await until(() => replies.some((f) => f.id === helloId + 1), 'RESUME answered', 30_000);
      // The channel still tells each kind of bad frame from the others.
      for (const { frame } of probes) socket.write(frame);
      await until(() => probes.every(({ id }) => replies.some((f) => f.id === id)), 'every probe answered', 30_000);
    } finally {
      socket.destroy();
    }
    const known = new Set(Object.values(P.DebugErrorCode).filter((v) => typeof v === 'number'));
    for (const frame of replies.filter((f) => f.type === P.DBG_ERROR_TYPE)) {
      const { code } = P.decodeError(frame.payload);
      assert.ok(known.has(code), `error code ${code} (reply ${frame.id}) is one the protocol names`);
    }
    for (const { id, code, what } of probes) {
      const reply = replies.find((f) => f.id === id);
      assert.equal(reply.type, P.DBG_ERROR_TYPE, `${what}: an error reply`);
      assert.equal(P.decodeError(reply.payload).code, code, `${what}: ${P.DebugErrorCode[code]}`);
    }
    await machine.waitForLine(/^tick \d+$/, { from: ticksBefore + 1, deadlineMs: 30_000 });
    assert.ok(!machine.lines.some((l) => /PANIC/.test(l.line)), 'no panic');
    await withClient(async (client) => assert.equal((await client.stats()).threads, 1, 'the fuzz started no thread'));
  });

  /** A header announcing the largest payload and 10 of its bytes: what a client that quit mid-frame leaves. */
  function unfinishedFrame(id) {
    const header = P.encodeFrame(P.MessageType.STATS, id);
    new DataView(header.buffer).setUint32(P.DF_LENGTH, P.DBG_MAX_PAYLOAD, true);
    return new Uint8Array([...header, ...new Uint8Array(10)]);
  }

  /** Connects, writes `bytes` and disconnects (what arrives meanwhile is thrown away), as a client that quits. */
  async function sendAndQuit(bytes) {
    const socket = connect(socketPath);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.resume();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end(bytes);
    await closed;
  }

  test('a client that quits in the middle of a frame does not hold up the next one', async () => {
    await sendAndQuit(unfinishedFrame(0x51));
    await withClient(async (client, hello) => {
      assert.equal(client.discardedAtReset, 16 + 10, 'the RESET ended the unfinished frame');
      assert.equal(hello.revision, P.DBG_REVISION);
      assert.ok((await client.stats()).threads >= 1);
    });
  });

  test('a client that does not reset is answered once an unfinished frame has timed out', async () => {
    await sendAndQuit(unfinishedFrame(0x52));
    const replies = [];
    const decoder = new P.FrameDecoder((frame) => replies.push(frame));
    const socket = connect(socketPath);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('data', (chunk) => decoder.push(chunk));
    try {
      // A client from before RESET: its HELLO lands inside the unfinished frame.
      socket.write(P.encodeFrame(P.MessageType.HELLO, 0x53, new P.PayloadWriter().u16(P.DBG_VERSION).finish()));
      await until(() => replies.some((f) => f.id === 0x53), 'HELLO answered', 30_000);
    } finally {
      socket.destroy();
    }
    const timedOut = replies.find((f) => f.id === 0x52);
    assert.ok(timedOut, 'the unfinished frame got an error reply');
    assert.equal(P.decodeError(timedOut.payload).code, P.DebugErrorCode.DE_BAD_FRAME);
    assert.match(P.decodeError(timedOut.payload).message, /unfinished/);
    assert.equal(replies.find((f) => f.id === 0x53).type, P.MessageType.HELLO | P.DBG_REPLY_BIT);
  });

  test('fuzz: clients that quit at random points of random frames never keep the next one out', async () => {
    const ticksBefore = machine.lines.length;
    for (let round = 0; round < QUITTING_CLIENTS; round++) {
      const frames = Array.from({ length: randomInt(0, 20) }, (_, i) => fuzzFrame(i));
      const last = P.encodeFrame(P.MessageType.READ_OBJECTS, round + 1, P.encodeReadObjects([0x40000000]));
      const cut = round % 2 ? unfinishedFrame(round + 1) : last.subarray(0, randomInt(1, last.length));
      await sendAndQuit(new Uint8Array([...frames.flatMap((f) => [...f]), ...cut]));
      await withClient(async (client) => assert.ok((await client.stats()).threads >= 1, `round ${round}`));
    }
    await machine.waitForLine(/^tick \d+$/, { from: ticksBefore + 1, deadlineMs: 30_000 });
    assert.ok(!machine.lines.some((l) => /PANIC/.test(l.line)), 'no panic');
  });
});
