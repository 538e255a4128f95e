// The shared connection against a peer speaking the debug protocol on a unix socket (the kernel's
// side is tested with QEMU in shell/src/host/live-machine.test.ts): one connection however many
// ask, a new one after the peer closes with the generation listeners carried over, a busy channel
// (RESET and HELLO unanswered) given up at the deadline, and no connection left open when closed
// mid-connect.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as P from '../common/debug-protocol.js';
import { SharedDebugChannel } from './shared-channel.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-shared-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const helloPayload = P.encodeHello({
  protocolVersion: 1,
  revision: 0,
  formatVersion: 1,
  spaceBase: 0x40000000,
  spaceSize: 1 << 26,
  maxPayload: 65536,
  kernel: 'test peer',
});

function generationEvent(n: number): Uint8Array {
  const w = new P.PayloadWriter()
    .u32(n)
    .u32(n - 1)
    .u64(1)
    .u64(2);
  for (let i = 0; i < 6; i++) w.u32(i);
  return P.encodeFrame(P.EventType.EV_GENERATION, 0, w.finish());
}

const options = { requestTimeoutMs: 2000, helloTimeoutMs: 300, connectDeadlineMs: 1500, retryMs: 50 };

/**
 * A peer that answers RESET and HELLO after `helloDelayMs` (never, if null) and records its
 * connections.
 */
async function peer(helloDelayMs: number | null) {
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    const decoder = new P.FrameDecoder((f) => {
      if (helloDelayMs === null) return;
      const payload =
        f.type === P.MessageType.HELLO
          ? helloPayload
          : f.type === P.MessageType.RESET
            ? new P.PayloadWriter().u32(0).finish()
            : undefined;
      if (!payload) return;
      setTimeout(() => {
        if (!socket.destroyed) socket.write(P.encodeFrame(f.type | P.DBG_REPLY_BIT, f.id, payload));
      }, helloDelayMs);
    });
    socket.on('data', (d) => decoder.push(d));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server, sockets };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('one connection for every asker; after the peer closes, a new one, listeners carried over', async () => {
  const { path, server, sockets } = await peer(0);
  const channel = new SharedDebugChannel(path, options);
  const seen: number[] = [];
  channel.onDidCommitGeneration((g) => seen.push(g.number));
  try {
    const [a, b] = await Promise.all([channel.connect(), channel.use(async (c) => c)]);
    assert.equal(a.client, b.client);
    assert.equal(sockets.length, 1);
    sockets[0]!.write(generationEvent(5));
    await until(() => seen.length === 1, 'the first announcement');
    sockets[0]!.destroy();
    await until(() => !channel.connected, 'the channel to notice');
    const again = await channel.connect();
    assert.notEqual(again.client, a.client);
    assert.equal(sockets.length, 2);
    sockets[1]!.write(generationEvent(6));
    await until(() => seen.length === 2, 'the announcement on the new connection');
    assert.deepEqual(seen, [5, 6]);
  } finally {
    channel.close();
    server.close();
  }
});

test('a channel that never answers is given up at the deadline, saying it may be busy', async () => {
  const { path, server } = await peer(null);
  const channel = new SharedDebugChannel(path, options);
  try {
    await assert.rejects(channel.connect(), /did not answer within 300 ms and sent nothing: another client/);
  } finally {
    channel.close();
    server.close();
  }
});

test('closed while connecting, the channel leaves no connection open', async () => {
  const { path, server, sockets } = await peer(200);
  const channel = new SharedDebugChannel(path, options);
  try {
    const connecting = channel.connect();
    await until(() => sockets.length === 1, 'the connection attempt');
    channel.close();
    await assert.rejects(connecting, /closed/);
    await until(() => sockets[0]!.destroyed || sockets[0]!.readableEnded, 'the socket to close');
    await assert.rejects(channel.connect(), /closed/);
  } finally {
    server.close();
  }
});
