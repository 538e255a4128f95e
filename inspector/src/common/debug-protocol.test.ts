import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import * as P from './debug-protocol.js';

function collect() {
  const frames: P.Frame[] = [];
  const problems: P.FrameProblem[] = [];
  const decoder = new P.FrameDecoder(
    (f) => frames.push(f),
    (p) => problems.push(p),
  );
  return { frames, problems, decoder };
}

test('frames round-trip, whole or a byte at a time', () => {
  const a = P.encodeFrame(P.MessageType.HELLO, 7, new P.PayloadWriter().u16(1).finish());
  const b = P.encodeFrame(P.MessageType.STATS, 8);
  for (const chunking of [0, 1, 5]) {
    const { frames, problems, decoder } = collect();
    const all = new Uint8Array([...a, ...b]);
    if (chunking === 0) decoder.push(all);
    else for (let i = 0; i < all.length; i += chunking) decoder.push(all.subarray(i, i + chunking));
    assert.deepEqual(problems, []);
    assert.deepEqual(
      frames.map((f) => [f.type, f.id, f.payload.length]),
      [
        [P.MessageType.HELLO, 7, 2],
        [P.MessageType.STATS, 8, 0],
      ],
    );
  }
});

test('garbage, a corrupted frame and an oversized header are reported and skipped; later frames survive', () => {
  const good = P.encodeFrame(P.MessageType.ROOTS, 3);
  const bad = P.encodeFrame(P.MessageType.STATS, 4, new Uint8Array([1, 2, 3]));
  bad[17]! ^= 0xff;
  const huge = P.encodeFrame(P.MessageType.STATS, 5);
  new DataView(huge.buffer).setUint32(P.DF_LENGTH, P.DBG_MAX_PAYLOAD + 1, true);
  const { frames, problems, decoder } = collect();
  decoder.push(new Uint8Array([9, 9, 9, ...bad, ...huge, ...good]));
  assert.deepEqual(
    frames.map((f) => f.id),
    [3],
  );
  assert.ok(problems.some((p) => p.kind === 'garbage'));
  assert.ok(problems.some((p) => p.kind === 'bad-crc' && p.id === 4));
  assert.ok(problems.some((p) => p.kind === 'too-large' && p.id === 5));
});

test('payload decoders read what the writer wrote and reject short and long payloads', () => {
  const hello = new P.PayloadWriter()
    .u16(1)
    .u16(0)
    .u32(1)
    .u32(0x40000000)
    .u32(64 << 20)
    .u32(65536)
    .str('phantom 0.1')
    .finish();
  assert.deepEqual(P.decodeHello(hello), {
    protocolVersion: 1,
    revision: 0,
    formatVersion: 1,
    spaceBase: 0x40000000,
    spaceSize: 64 << 20,
    maxPayload: 65536,
    kernel: 'phantom 0.1',
  });
  assert.throws(() => P.decodeHello(hello.subarray(0, 10)), P.DebugProtocolError);
  assert.throws(() => P.decodeHello(new Uint8Array([...hello, 0])), /trailing/);
  const objects = new P.PayloadWriter()
    .u16(1)
    .u16(0)
    .u32(0x40000100)
    .u8(0)
    .u8(0)
    .u16(0)
    .u32(0x40000041)
    .u32(5)
    .u32(2)
    .u32(5)
    .raw(new Uint8Array([104, 101, 108, 108, 111, 0, 0, 0]))
    .finish();
  const [obj] = P.decodeReadObjects(objects);
  assert.equal(new TextDecoder().decode(obj!.payload), 'hello');
  const gens = new P.PayloadWriter().u32(2).u32(1).u32(2).u32(1).u64(1_700_000_000).u64(1234);
  for (let i = 0; i < 6; i++) gens.u32(i);
  assert.deepEqual(P.decodeGenerations(gens.finish()).generations[0]!.machineMs, 1234);
  const run = P.encodeRun('.demo.notes', '');
  assert.deepEqual([...run], [11, 0, ...new TextEncoder().encode('.demo.notes'), 0, 0]);
  assert.throws(() => P.encodeRun('', 'run'), /class_name is shorter than 1/);
  assert.deepEqual(P.decodeRun(new P.PayloadWriter().u32(0x40000200).u32(3).finish()), {
    thread: 0x40000200,
    id: 3,
  });
  assert.throws(() => P.decodeRun(new Uint8Array(7)), P.DebugProtocolError);
});

test('fuzz: random and mutated bytes never throw anything but DebugProtocolError', () => {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 8;
  };
  const decoders = [
    P.decodeHello,
    P.decodeStats,
    P.decodeRoots,
    P.decodeThreads,
    P.decodeReadObjects,
    P.decodeEnumerate,
    P.decodeClasses,
    P.decodeGenerations,
    P.decodeRun,
    P.decodeError,
  ];
  const sample = P.encodeFrame(P.MessageType.STATS, 1, new Uint8Array(68));
  for (let round = 0; round < 3000; round++) {
    const len = rand() % 200;
    const bytes =
      round % 2
        ? new Uint8Array(len).map(() => rand() & 0xff)
        : sample.map((b) => (rand() % 16 === 0 ? rand() & 0xff : b));
    const { decoder } = collect();
    decoder.push(bytes);
    for (const decode of decoders) {
      try {
        decode(bytes);
      } catch (err) {
        assert.ok(err instanceof P.DebugProtocolError, `${decode.name}: ${err}`);
      }
    }
  }
});

test('findResetFrame finds a whole RESET frame with a good CRC, and nothing else', () => {
  const reset = P.encodeFrame(P.MessageType.RESET, 0x1234);
  const noise = new Uint8Array([0x50, 0x44, 1, P.MessageType.RESET, 9]);
  assert.equal(P.findResetFrame(new Uint8Array([...noise, ...reset, 0])), noise.length);
  assert.equal(P.findResetFrame(reset, 1), -1);
  const badCrc = reset.slice();
  badCrc[P.DF_CRC] ^= 1;
  assert.equal(P.findResetFrame(badCrc), -1);
  assert.equal(P.findResetFrame(P.encodeFrame(P.MessageType.RESET, 7, new Uint8Array(1))), -1, 'a payload');
  assert.equal(P.findResetFrame(P.encodeFrame(P.MessageType.STATS, 7)), -1);
});

test('fuzz: syncing on an id drops whatever an earlier client left, however it arrives', () => {
  let seed = 777;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 8;
  };
  const bytes = (n: number) => new Uint8Array(n).map(() => rand() & 0xff);
  /** What an earlier client may leave: noise, whole frames, and a frame cut short. */
  const leftover = () => {
    const parts: Uint8Array[] = [];
    for (let n = rand() % 4; n > 0; n--) {
      const kind = rand() % 3;
      if (kind === 0) parts.push(bytes(rand() % 40));
      else if (kind === 1)
        parts.push(P.encodeFrame(0x80 | (rand() % 16), 1 + (rand() % 8), bytes(rand() % 64)));
      else {
        const whole = P.encodeFrame(0x8e, rand(), bytes(rand() % 5000));
        parts.push(whole.subarray(0, rand() % whole.length));
      }
    }
    return parts.flatMap((p) => [...p]);
  };
  for (let round = 0; round < 500; round++) {
    const syncId = 0x10000 + rand();
    const stream = new Uint8Array([
      ...leftover(),
      ...P.encodeFrame(P.MessageType.RESET | P.DBG_REPLY_BIT, syncId, new P.PayloadWriter().u32(0).finish()),
      ...P.encodeFrame(P.MessageType.HELLO | P.DBG_REPLY_BIT, 1, bytes(30)),
    ]);
    const { frames, decoder } = collect();
    decoder.syncTo(syncId);
    for (let at = 0; at < stream.length; ) {
      const n = 1 + (rand() % 700);
      decoder.push(stream.subarray(at, at + n));
      at += n;
    }
    assert.deepEqual(
      frames.map((f) => f.id),
      [syncId, 1],
      `round ${round}`,
    );
  }
});

test('DIRTY_PAGES: the bitmap becomes ascending page numbers, and a count that disagrees with it is refused', () => {
  const bitmap = new Uint8Array(4);
  bitmap[0] = 0b1000_0001;
  bitmap[3] = 0b0000_0100;
  const reply = (dirty: number) => W.encodeDirtyPagesReply({ generation: 9, dirty, bitmap });
  assert.deepEqual(P.decodeDirtyPages(reply(3)), { generation: 9, pages: [0, 7, 26] });
  assert.throws(() => P.decodeDirtyPages(reply(2)), P.DebugProtocolError);
  assert.throws(() => P.decodeDirtyPages(reply(3).subarray(0, 13)), P.DebugProtocolError);
});

test('NOW_PAGES: all the pages that differ, or none; a part of them is refused', () => {
  const page = (n: number) => ({ page: n, bytes: new Uint8Array(P.DBG_PAGE_BYTES).fill(n) });
  const reply = (dirty: number, pages: number[]) =>
    W.encodeNowPagesReply({ generation: 4, dirty, buildUs: 12, pages: pages.map(page) });
  assert.deepEqual(
    P.decodeNowPages(reply(2, [3, 5])).pages.map((p) => p.page),
    [3, 5],
  );
  assert.equal(P.decodeNowPages(reply(40, [])).pages.length, 0);
  assert.throws(() => P.decodeNowPages(reply(3, [3, 5])), P.DebugProtocolError);
});
