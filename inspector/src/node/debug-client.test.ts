import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as P from '../common/debug-protocol.js';
import { DebugClient, DebugRequestError } from './debug-client.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-debug-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A peer on the other end of the socket: answers per `answer`, which may write anything. */
async function peer(
  answer: (frame: P.Frame, socket: Socket) => void,
): Promise<{ path: string; server: Server }> {
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  const server = createServer((socket) => {
    const decoder = new P.FrameDecoder((f) => answer(f, socket));
    socket.on('data', (d) => decoder.push(d));
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server };
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
      const r = new P.PayloadReader(f.payload, 'RUN');
      runs.push(`${r.str()}.${r.str()}`);
      reply(s, f, new P.PayloadWriter().u32(0x40001000).u32(7).finish());
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
