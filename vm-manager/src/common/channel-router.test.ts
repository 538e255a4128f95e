// The channel broker's routing, frame by frame: ids kept apart, events to all, RESET answered
// here, pauses held per client, and a client that goes away taking only its own requests along.
// The whole broker, with real clients on a real machine, is channel-broker.test.ts. The fuzzed run
// replays with PHANTOM_FUZZ_SEED.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DBG_ERROR_TYPE,
  DBG_REPLY_BIT,
  decodeError,
  EventType,
  encodeFrame,
  type Frame,
  FrameDecoder,
  MessageType,
} from '@phantom/inspector/common/debug-protocol.js';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import { ChannelRouter } from './channel-router.js';

function decode(bytes: Uint8Array): Frame {
  const frames: Frame[] = [];
  new FrameDecoder((f) => frames.push(f)).push(bytes);
  assert.equal(frames.length, 1, 'one whole frame with a good CRC');
  return frames[0]!;
}

function harness() {
  const kernel: Frame[] = [];
  const clients = new Map<number, Frame[]>();
  const router = new ChannelRouter({
    toKernel: (bytes) => kernel.push(decode(bytes)),
    toClient: (client, bytes) => {
      const list = clients.get(client) ?? [];
      list.push(decode(bytes));
      clients.set(client, list);
    },
  });
  const received = (client: number) => clients.get(client) ?? [];
  const u32 = (value: number) => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value, true);
    return bytes;
  };
  /** The kernel answers the request sent `index`-th with `payload`. */
  const answer = (index: number, payload: Uint8Array, type = kernel[index]!.type | DBG_REPLY_BIT) =>
    router.fromKernel({ type, id: kernel[index]!.id, payload });
  const request = (type: number, id: number, payload = new Uint8Array(0)): Frame => ({ type, id, payload });
  return { router, kernel, received, answer, request, u32 };
}

test('two clients using the same ids each get their own replies', () => {
  const { router, kernel, received, answer, request, u32 } = harness();
  const a = router.addClient();
  const b = router.addClient();
  router.fromClient(a, request(MessageType.STATS, 1));
  router.fromClient(b, request(MessageType.STATS, 1));
  router.fromClient(b, request(MessageType.ROOTS, 2, u32(7)));
  assert.equal(kernel.length, 3);
  assert.equal(new Set(kernel.map((f) => f.id)).size, 3, 'distinct ids on the kernel side');
  assert.ok(kernel.every((f) => f.id !== 0));
  assert.deepEqual(kernel[2]!.payload, u32(7), 'the payload goes on unchanged');
  // Replies come back in any order, each to its asker under its own id.
  answer(1, u32(11));
  answer(0, u32(10));
  answer(2, u32(12));
  assert.deepEqual(
    received(a).map((f) => [f.type, f.id, [...f.payload]]),
    [[MessageType.STATS | DBG_REPLY_BIT, 1, [10, 0, 0, 0]]],
  );
  assert.deepEqual(
    received(b).map((f) => [f.type, f.id, f.payload[0]]),
    [
      [MessageType.STATS | DBG_REPLY_BIT, 1, 11],
      [MessageType.ROOTS | DBG_REPLY_BIT, 2, 12],
    ],
  );
  // An error reply is routed like any other; a reply nobody asked for goes nowhere.
  router.fromClient(a, request(MessageType.READ_PAGE, 9));
  answer(3, new Uint8Array([8, 0, 0, 0]), DBG_ERROR_TYPE);
  router.fromKernel({ type: MessageType.STATS | DBG_REPLY_BIT, id: 12345, payload: new Uint8Array(0) });
  assert.deepEqual(
    received(a).map((f) => [f.type, f.id]),
    [
      [MessageType.STATS | DBG_REPLY_BIT, 1],
      [DBG_ERROR_TYPE, 9],
    ],
  );
  assert.equal(received(b).length, 2);
});

test('events go to every client; RESET, what is no request and a payload with a RESET are answered here', () => {
  const { router, kernel, received, request } = harness();
  const a = router.addClient();
  const b = router.addClient();
  router.fromKernel({ type: EventType.EV_GENERATION, id: 0, payload: new Uint8Array([1, 2]) });
  for (const client of [a, b]) assert.deepEqual(received(client)[0]!.payload, new Uint8Array([1, 2]));
  router.fromClient(a, request(MessageType.RESET, 77));
  assert.equal(kernel.length, 0, 'the kernel never sees a client reset');
  assert.deepEqual(
    [received(a)[1]!.type, received(a)[1]!.id, [...received(a)[1]!.payload]],
    [MessageType.RESET | DBG_REPLY_BIT, 77, [0, 0, 0, 0]],
  );
  router.fromClient(b, request(MessageType.STATS | DBG_REPLY_BIT, 5));
  const refused = received(b)[1]!;
  assert.equal(refused.type, DBG_ERROR_TYPE);
  assert.equal(refused.id, 5);
  assert.match(decodeError(refused.payload).message, /not a request/);
  // A payload carrying a RESET frame would be cut short by the kernel: refused here.
  const blob = new Uint8Array(64);
  blob.set(encodeFrame(MessageType.RESET, 3), 20);
  router.fromClient(b, request(MessageType.INSTALL_CLASS, 6, blob));
  assert.deepEqual([received(b)[2]!.type, received(b)[2]!.id], [DBG_ERROR_TYPE, 6]);
  assert.match(decodeError(received(b)[2]!.payload).message, /holds a RESET frame/);
  assert.equal(kernel.length, 0);
});

test("one client's RESUME does not end another's pause; the last one out resumes the world", () => {
  const { router, kernel, received, answer, request } = harness();
  const a = router.addClient();
  const b = router.addClient();
  router.fromClient(a, request(MessageType.PAUSE, 1));
  router.fromClient(b, request(MessageType.PAUSE, 1));
  assert.deepEqual(
    kernel.map((f) => f.type),
    [MessageType.PAUSE, MessageType.PAUSE],
  );
  answer(0, new Uint8Array([1, 0, 0, 0]));
  answer(1, new Uint8Array([1, 0, 0, 0]));
  router.fromClient(a, request(MessageType.RESUME, 2));
  assert.equal(kernel.length, 2, 'B still reads: the world stays paused');
  const resumed = received(a).at(-1)!;
  assert.deepEqual(
    [resumed.type, resumed.id, resumed.payload[0]],
    [MessageType.RESUME | DBG_REPLY_BIT, 2, 1],
  );
  router.fromClient(b, request(MessageType.RESUME, 2));
  assert.equal(kernel.at(-1)!.type, MessageType.RESUME, 'the last pauser resumes the world');
  answer(2, new Uint8Array([0, 0, 0, 0]));
  assert.deepEqual(received(b).at(-1)!.payload, new Uint8Array([0, 0, 0, 0]));

  // A client that paused and went away (killed mid-read) does not leave the world paused.
  router.fromClient(a, request(MessageType.PAUSE, 3));
  router.fromClient(a, request(MessageType.READ_PAGE, 4));
  const before = kernel.length;
  router.removeClient(a);
  assert.equal(kernel.length, before + 1);
  assert.equal(kernel.at(-1)!.type, MessageType.RESUME);
  // Its replies are dropped, and the router's own RESUME reply reaches no one.
  const bSeen = received(b).length;
  answer(before - 2, new Uint8Array([1, 0, 0, 0]));
  answer(before - 1, new Uint8Array(4096));
  answer(before, new Uint8Array([0, 0, 0, 0]));
  assert.equal(received(b).length, bSeen);
  assert.equal(received(a).length, 2);
  // A refused PAUSE holds nothing.
  router.fromClient(b, request(MessageType.PAUSE, 5));
  answer(kernel.length - 1, new Uint8Array([7, 0, 0, 0]), DBG_ERROR_TYPE);
  const c = router.addClient();
  router.fromClient(c, request(MessageType.PAUSE, 1));
  router.fromClient(c, request(MessageType.RESUME, 2));
  assert.equal(kernel.at(-1)!.type, MessageType.RESUME, 'B holds no pause after its PAUSE failed');
  assert.equal(router.clientCount, 2);
});

test('fuzzed: clients come and go and send anything; each gets only its own replies, once', () => {
  const seed = Number(process.env.PHANTOM_FUZZ_SEED ?? 0x5eed17);
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const types = [
    MessageType.HELLO,
    MessageType.STATS,
    MessageType.READ_PAGE,
    MessageType.PAUSE,
    MessageType.RESUME,
    MessageType.RESET,
    0,
    0x85,
    0x7f,
  ];
  const toKernel: Frame[] = [];
  /** Per live client: its requests not yet answered (id → type), and whether it holds a pause. */
  const asked = new Map<number, Map<number, number>>();
  const holding = new Set<number>();
  let worldPaused = false;
  let resumes = 0;
  let kernelResumes = 0;
  const fail = (message: string) => assert.fail(`${message} (PHANTOM_FUZZ_SEED=${seed})`);
  const router = new ChannelRouter(
    {
      toKernel: (bytes) => {
        const frame = decode(bytes);
        if (
          frame.id === 0 ||
          frame.type === MessageType.RESET ||
          frame.type === 0 ||
          frame.type >= DBG_REPLY_BIT
        )
          fail(`the kernel got type ${frame.type} id ${frame.id}`);
        if (toKernel.some((f) => f.id === frame.id)) fail(`id ${frame.id} twice in flight`);
        if (frame.type === MessageType.RESUME && holding.size > 0)
          fail(`RESUME reached the kernel while ${[...holding]} hold a pause`);
        if (frame.type === MessageType.RESUME) kernelResumes++;
        toKernel.push(frame);
      },
      toClient: (client, bytes) => {
        const frame = decode(bytes);
        const mine = asked.get(client);
        if (!mine) return fail(`a frame for client ${client}, which is gone`);
        if (frame.id === 0 && frame.type === EventType.EV_GENERATION) return;
        const type = mine.get(frame.id);
        if (type === undefined)
          return fail(`client ${client} got id ${frame.id}, which it is not waiting for`);
        if (frame.type !== DBG_ERROR_TYPE && frame.type !== (type | DBG_REPLY_BIT))
          fail(`client ${client} got type ${frame.type} for its request of type ${type}`);
        mine.delete(frame.id);
        if (type === MessageType.RESUME) resumes++;
      },
    },
    Math.floor(random() * 0xffffffff) + 1,
  );
  /** The kernel answers the oldest request it has, as the real one does. */
  const kernelAnswers = () => {
    const frame = toKernel.shift();
    if (!frame) return;
    if (frame.type === MessageType.PAUSE) worldPaused = true;
    if (frame.type === MessageType.RESUME) worldPaused = false;
    // The kernel refuses some requests (a tenth, at random); never PAUSE or RESUME.
    const refused = random() < 0.1 && frame.type !== MessageType.PAUSE && frame.type !== MessageType.RESUME;
    const type = refused ? DBG_ERROR_TYPE : frame.type | DBG_REPLY_BIT;
    router.fromKernel({ type, id: frame.id, payload: new Uint8Array([worldPaused ? 1 : 0, 0, 0, 0]) });
  };
  for (let step = 0; step < 20_000; step++) {
    const roll = random();
    const live = [...asked.keys()];
    if (live.length === 0 || (roll < 0.04 && live.length < 5)) {
      asked.set(router.addClient(), new Map());
    } else if (roll < 0.04) {
    } else if (roll < 0.07) {
      const client = pick(live);
      asked.delete(client);
      holding.delete(client);
      router.removeClient(client);
    } else if (roll < 0.5) {
      const client = pick(live);
      // One that holds a pause resumes soon, as a paused read does.
      const type = holding.has(client) && random() < 0.5 ? MessageType.RESUME : pick(types);
      const id = Math.floor(random() * 8) + 1;
      // A client waits for its own id's reply before using it again, as DebugClient does.
      if (asked.get(client)!.has(id)) continue;
      asked.get(client)!.set(id, type);
      if (type === MessageType.PAUSE) holding.add(client);
      if (type === MessageType.RESUME) holding.delete(client);
      router.fromClient(client, { type, id, payload: new Uint8Array(random() < 0.5 ? 0 : 8) });
    } else if (roll < 0.97) {
      kernelAnswers();
    } else {
      router.fromKernel({ type: EventType.EV_GENERATION, id: 0, payload: new Uint8Array(4) });
      router.fromKernel({
        type: MessageType.STATS | DBG_REPLY_BIT,
        id: Math.floor(random() * 0xffffffff),
        payload: new Uint8Array(0),
      });
    }
  }
  while (toKernel.length > 0) kernelAnswers();
  for (const [client, mine] of asked)
    if (mine.size > 0) fail(`client ${client} still waits for ${[...mine.keys()]}`);
  for (const client of [...asked.keys()]) {
    asked.delete(client);
    holding.delete(client);
    router.removeClient(client);
  }
  while (toKernel.length > 0) kernelAnswers();
  assert.equal(worldPaused, false, `the world is left paused (PHANTOM_FUZZ_SEED=${seed})`);
  // The run did exercise both kinds of RESUME: passed on, and answered while others hold a pause.
  assert.ok(
    kernelResumes > 100 && resumes > kernelResumes,
    `${kernelResumes} of ${resumes} RESUMEs passed on`,
  );
});
