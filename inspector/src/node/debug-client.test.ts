import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compile } from '@phantom/lang/common/compiler.js';
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import { encodeClassBlob } from '../common/class-blob.js';
import * as P from '../common/debug-protocol.js';
import { DebugClient, DebugRequestError } from './debug-client.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-debug-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A peer on the other end of the socket: answers RESET as a kernel of revision 2 that dropped
 * `discarded` bytes (RESET goes to `answer` when that is null), everything else per `answer`,
 * which may write anything. `onConnection` may write first, as a line an earlier client left would.
 * `close` ends the server and every connection to it.
 */
async function peer(
  answer: (frame: P.Frame, socket: Socket) => void,
  { discarded = 0 as number | null, onConnection = (_socket: Socket) => {} } = {},
): Promise<{ path: string; server: Server; close: () => void }> {
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
    const decoder = new P.FrameDecoder((f) => {
      if (discarded !== null && f.type === P.MessageType.RESET)
        reply(socket, f, new P.PayloadWriter().u32(discarded).finish());
      else answer(f, socket);
    });
    socket.on('data', (d) => decoder.push(d));
  });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    server,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const hello = P.encodeHello({
  protocolVersion: 1,
  revision: 0,
  formatVersion: 1,
  spaceBase: 0x40000000,
  spaceSize: 1 << 26,
  maxPayload: 65536,
  kernel: 'test peer',
});
const reply = (socket: Socket, f: P.Frame, payload: Uint8Array) =>
  socket.write(P.encodeFrame(f.type | P.DBG_REPLY_BIT, f.id, payload));

test('hello, replies matched by id even out of order, events, and kernel errors', async () => {
  let held: P.Frame | undefined;
  const { path, server } = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) {
      reply(s, f, hello);
    } else if (f.type === P.MessageType.ROOTS) {
      held = f; // answered after the STATS request that follows it
    } else if (f.type === P.MessageType.STATS) {
      s.write(new Uint8Array([1, 2, 3])); // noise on the line
      const stats = new P.PayloadWriter().u64(5).u64(6);
      for (let i = 0; i < 9; i++) stats.u32(i === 8 ? 1 : i);
      reply(s, f, stats.finish());
      reply(s, held!, new P.PayloadWriter().u32(0x41).u32(0x51).u32(0x61).u32(0x71).finish());
      const gen = new P.PayloadWriter().u32(3).u32(2).u64(1).u64(2);
      for (let i = 0; i < 6; i++) gen.u32(i);
      s.write(P.encodeFrame(P.EventType.EV_GENERATION, 0, gen.finish()));
    } else {
      s.write(
        P.encodeFrame(P.DBG_ERROR_TYPE, f.id, P.encodeError(P.DebugErrorCode.DE_UNKNOWN, 'no such request')),
      );
    }
  });
  const { client, hello: h } = await DebugClient.connect(path, 5000);
  assert.equal(h.kernel, 'test peer');
  const generations: number[] = [];
  client.onDidCommitGeneration((g) => generations.push(g.number));
  const [roots, stats] = await Promise.all([client.roots(), client.stats()]);
  assert.equal(roots.root, 0x41);
  assert.equal(stats.paused, true);
  await assert.rejects(
    client.classes(),
    (err) => err instanceof DebugRequestError && err.code === P.DebugErrorCode.DE_UNKNOWN,
  );
  assert.deepEqual(generations, [3]);
  assert.ok(client.problems.some((p) => p.kind === 'garbage'));
  client.close();
  server.close();
});

test('a request without a reply times out; a closed channel fails what is pending', async () => {
  const { path, server } = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) reply(s, f, hello);
    if (f.type === P.MessageType.PAUSE) s.destroy();
  });
  const { client } = await DebugClient.connect(path, 300);
  await assert.rejects(client.stats(), /no reply within 300 ms/);
  await assert.rejects(client.pause(), /closed/);
  await assert.rejects(client.resume(), /closed/);
  server.close();
});

test('a peer speaking another protocol version is refused at hello', async () => {
  const { path, server } = await peer((f, s) => {
    const other = hello.slice();
    other[0] = 9;
    reply(s, f, other);
  });
  await assert.rejects(DebugClient.connect(path, 2000), /protocol 9/);
  server.close();
});

test('run sends the class and method and reads the thread; a kernel of revision 0 is refused before sending', async () => {
  const runs: string[] = [];
  const revision1 = hello.slice();
  new DataView(revision1.buffer).setUint16(2, 1, true);
  const { path, server } = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) reply(s, f, revision1);
    if (f.type === P.MessageType.RUN) {
      const r = W.decodeRunRequest(f.payload);
      runs.push(`${r.className}.${r.method}`);
      reply(s, f, W.encodeRunReply({ thread: 0x40001000, id: 7 }));
    }
  });
  const { client, hello: h } = await DebugClient.connect(path, 2000);
  assert.equal(h.revision, 1);
  assert.deepEqual(await client.run('.demo.notes'), { thread: 0x40001000, id: 7 });
  await client.run('.demo.notes', 'again');
  assert.deepEqual(runs, ['.demo.notes.', '.demo.notes.again']);
  client.close();
  server.close();

  const old = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) reply(s, f, hello);
    if (f.type === P.MessageType.RUN) runs.push('sent to an old kernel');
  });
  const { client: oldClient } = await DebugClient.connect(old.path, 2000);
  await assert.rejects(
    oldClient.run('.demo.notes'),
    /RUN needs debug protocol revision 1; this kernel has 0/,
  );
  assert.equal(runs.length, 2);
  oldClient.close();
  old.server.close();
});

test('connecting resets the channel: what an earlier client left on the line is not taken for replies', async () => {
  const stale = P.encodeFrame(P.MessageType.STATS | P.DBG_REPLY_BIT, 1, new Uint8Array(68));
  const unfinished = P.encodeFrame(
    P.MessageType.READ_PAGE | P.DBG_REPLY_BIT,
    2,
    new Uint8Array(4096),
  ).subarray(0, 116);
  const { path, close } = await peer(
    (f, s) => {
      if (f.type === P.MessageType.HELLO) reply(s, f, hello);
    },
    { discarded: 26, onConnection: (s) => s.write(new Uint8Array([...stale, ...unfinished])) },
  );
  try {
    const { client, hello: h } = await DebugClient.connect(path, 2000);
    assert.equal(h.kernel, 'test peer');
    assert.equal(client.discardedAtReset, 26);
    assert.ok(client.problems.some((p) => p.kind === 'stale' && p.id === 1));
    client.close();
  } finally {
    close();
  }
});

test('a kernel from before RESET answers it UNKNOWN and is connected to all the same', async () => {
  const { path, close } = await peer(
    (f, s) => {
      if (f.type === P.MessageType.HELLO) reply(s, f, hello);
      else
        s.write(P.encodeFrame(P.DBG_ERROR_TYPE, f.id, P.encodeError(P.DebugErrorCode.DE_UNKNOWN, 'unknown')));
    },
    { discarded: null },
  );
  try {
    const { client, hello: h } = await DebugClient.connect(path, 2000);
    assert.equal(h.revision, 0);
    assert.equal(client.discardedAtReset, undefined);
    client.close();
  } finally {
    close();
  }
});

test('an unanswered connection says what it saw: nothing at all, or frames but no answer', async () => {
  const silent = await peer(() => {}, { discarded: null });
  try {
    await assert.rejects(
      DebugClient.connect(silent.path, 2000, 300),
      /did not answer within 300 ms and sent nothing: another client .* may hold it .* or the kernel is not serving it/,
    );
  } finally {
    silent.close();
  }
  const generation = new P.PayloadWriter().u32(3).u32(2).u64(1).u64(2);
  for (let i = 0; i < 6; i++) generation.u32(i);
  const event = P.encodeFrame(P.EventType.EV_GENERATION, 0, generation.finish());
  const stuck = await peer(() => {}, {
    discarded: null,
    onConnection: (s) => {
      const timer = setInterval(() => s.write(event), 50);
      s.on('close', () => clearInterval(timer));
    },
  });
  try {
    await assert.rejects(
      DebugClient.connect(stuck.path, 2000, 300),
      /sent \d+ bytes within 300 ms but answered neither RESET nor HELLO: .* a frame an earlier client left unfinished/,
    );
  } finally {
    stuck.close();
  }
});

/** A RESET frame whose every byte is ASCII, so a string constant can hold it. */
function asciiResetFrame(): Uint8Array {
  for (let id = 0x41414141; ; id++) {
    const frame = P.encodeFrame(P.MessageType.RESET, id);
    if (frame.every((b) => b < 0x80)) return frame;
  }
}

test('no request carries a RESET frame: an install chunk ends inside one, other requests are refused', async () => {
  const reset = asciiResetFrame();
  const { program } = compile([{ file: 'r.ph', text: 'package .demo;\nclass r {\n  void run() {}\n};\n' }]);
  const plain = program!.classes.find((c) => c.name === '.demo.r')!;
  const [run, ...others] = plain.methods;
  const withReset = {
    ...run!,
    consts: [...run!.consts, { kind: 'string' as const, value: String.fromCharCode(...reset) }],
  };
  const cls = { ...plain, methods: [withReset, ...others] };
  const blob = encodeClassBlob(cls);
  assert.ok(P.findResetFrame(blob) >= 0, 'the blob holds a RESET frame');
  const received: Uint8Array[] = [];
  const framesHoldingReset: number[] = [];
  const { path, close } = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) reply(s, f, hello);
    if (f.type !== P.MessageType.INSTALL_CLASS) return;
    if (P.findResetFrame(P.encodeFrame(f.type, f.id, f.payload), 1) >= 0) framesHoldingReset.push(f.id);
    received.push(f.payload.slice(8));
    const total = received.reduce((n, c) => n + c.length, 0);
    reply(
      s,
      f,
      new P.PayloadWriter()
        .u32(total)
        .u32(total === blob.length ? 0x40001000 : 0)
        .finish(),
    );
  });
  try {
    const { client } = await DebugClient.connect(path, 2000);
    assert.equal(await client.installClass(cls), 0x40001000);
    assert.ok(received.length >= 2, `${received.length} chunks`);
    assert.deepEqual(framesHoldingReset, []);
    assert.deepEqual(Buffer.concat(received), Buffer.from(blob));
    await assert.rejects(client.request(P.MessageType.READ_PAGE, reset), /holds a RESET frame/);
    client.close();
  } finally {
    close();
  }
});

test('debugger requests: a kernel of revision 2 refuses them unsent; at 3 they and their events go through', async () => {
  const seen: string[] = [];
  const revision2 = hello.slice();
  new DataView(revision2.buffer).setUint16(2, 2, true);
  const old = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) reply(s, f, revision2);
    else seen.push(`sent to an old kernel: ${P.MessageType[f.type]}`);
  });
  const { client: oldClient } = await DebugClient.connect(old.path, 2000);
  const spec = {
    method: 0x40002000,
    pc: 12,
    flags: 0,
    condition: 0,
    local: 0,
    value: 0,
    hitCount: 0,
    message: '',
  };
  await assert.rejects(
    oldClient.setBreakpoint(spec),
    /SET_BREAKPOINT needs debug protocol revision 3; this kernel has 2/,
  );
  await assert.rejects(oldClient.step(0x40001000, P.StepKind.Over), /STEP needs debug protocol revision 3/);
  await assert.rejects(oldClient.stopped(), /STOPPED needs debug protocol revision 3/);
  assert.equal(seen.length, 0, seen.join());
  oldClient.close();
  old.close();

  const revision3 = hello.slice();
  new DataView(revision3.buffer).setUint16(2, 3, true);
  const stop = {
    thread: 0x40001000,
    id: 4,
    reason: P.StopReason.Step,
    breakpoint: 0,
    method: 0x40002000,
    pc: 20,
    line: 7,
    exception: 0,
  };
  const { path, close } = await peer((f, s) => {
    if (f.type === P.MessageType.HELLO) {
      reply(s, f, revision3);
      return;
    }
    seen.push(P.MessageType[f.type] ?? String(f.type));
    if (f.type === P.MessageType.SET_BREAKPOINT) {
      assert.deepEqual(W.decodeSetBreakpointRequest(f.payload), spec);
      reply(s, f, W.encodeBreakpointReply({ id: 9 }));
    } else if (f.type === P.MessageType.STEP) {
      assert.deepEqual(W.decodeStepRequest(f.payload), { thread: 0x40001000, kind: P.StepKind.Over });
      reply(s, f, new Uint8Array(0));
      s.write(P.encodeFrame(P.EventType.EV_STOPPED, 0, new Uint8Array(3)));
      s.write(P.encodeFrame(P.EventType.EV_STOPPED, 0, W.encodeStoppedEvent(stop)));
    } else if (f.type === P.MessageType.CLEAR_BREAKPOINT) {
      reply(s, f, new Uint8Array(1));
    }
  });
  const { client } = await DebugClient.connect(path, 2000);
  const stopped = new Promise<P.StoppedInfo>((resolve) => client.onDidStop(resolve));
  assert.equal(await client.setBreakpoint(spec), 9);
  await client.step(0x40001000, P.StepKind.Over);
  assert.deepEqual(await stopped, stop);
  assert.equal(
    client.problems.filter((p) => p.kind === 'bad-payload').length,
    1,
    'the short EV_STOPPED is a problem, not an event',
  );
  await assert.rejects(client.clearBreakpoint(9), /CLEAR_BREAKPOINT reply: 1 bytes where none belong/);
  assert.deepEqual(seen, ['SET_BREAKPOINT', 'STEP', 'CLEAR_BREAKPOINT']);
  client.close();
  close();
});
