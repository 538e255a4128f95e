// Lost and damaged frames between the client and a real kernel (booted in QEMU, the counter
// running): a relay on the line damages one reply on its way back, drops one request whole, and
// damages one request on its way in. Each read is still answered, by a resend of the same
// request, and correctly; a request that changes the machine (SNAPSHOT_NOW) is not resent, so its
// loss is a timeout. Needs kernel-src/build/phantom.elf and qemu-system-i386.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as P from '../common/debug-protocol.js';
import { DebugClient } from './debug-client.js';
import { bootMachine, type TestMachine } from './test-machine.test.js';

const COUNTER = `package .demo;
import .internal.io.tty;
import .internal.time;

class counter {
  var count : int;

  void run() {
    while (true) {
      count++;
      tty.println("tick " + count);
      time.sleep(100);
    }
  }
}
`;

/** What the relay does to the next frame of a type, in one direction. */
type Fault = { direction: 'request' | 'reply'; type: number; action: 'drop' | 'damage' };

let machine: TestMachine;
let relay: { path: string; server: Server; faults: Fault[]; done: Fault[] };

/**
 * A unix socket in front of the kernel's that passes whole frames both ways, except that the first
 * frame matching each fault is dropped or has one payload byte flipped (its CRC then fails).
 */
async function startRelay(kernelSocket: string): Promise<typeof relay> {
  const faults: Fault[] = [];
  const done: Fault[] = [];
  const path = join(machine.dir, 'relay.sock');
  const pass = (direction: Fault['direction'], to: Socket) => (frame: P.Frame) => {
    const type = direction === 'reply' ? frame.type & ~P.DBG_REPLY_BIT : frame.type;
    const at = faults.findIndex((f) => f.direction === direction && f.type === type);
    const bytes = P.encodeFrame(frame.type, frame.id, frame.payload);
    if (at >= 0) {
      const [fault] = faults.splice(at, 1);
      done.push(fault!);
      if (fault!.action === 'drop') return;
      bytes[bytes.length - 1]! ^= 0x40;
    }
    to.write(bytes);
  };
  const server = createServer((client) => {
    const kernel = connect(kernelSocket);
    const fromClient = new P.FrameDecoder(pass('request', kernel));
    const fromKernel = new P.FrameDecoder(pass('reply', client));
    client.on('data', (chunk) => fromClient.push(chunk));
    kernel.on('data', (chunk) => fromKernel.push(chunk));
    client.on('close', () => kernel.destroy());
    kernel.on('close', () => client.destroy());
    client.on('error', () => kernel.destroy());
    kernel.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server, faults, done };
}

before(async () => {
  machine = bootMachine({ name: 'loss', source: COUNTER, mainClass: '.demo.counter', append: 'snap=0' });
  await machine.waitFor(/tick 2/, 60_000);
  relay = await startRelay(machine.socket);
});

after(() => {
  relay?.server.close();
  machine?.dispose();
});

test('reads are resent after a damaged reply, a dropped request and a damaged request', async () => {
  const { client } = await DebugClient.connect(relay.path, 8000);
  try {
    await client.pause(); // the same bytes on every read
    const expected = await client.readPage(0);
    relay.faults.push({ direction: 'reply', type: P.MessageType.READ_PAGE, action: 'damage' });
    assert.deepEqual(await client.readPage(0), expected, 'after a damaged reply');
    assert.equal(client.resent, 1);
    assert.ok(client.problems.some((p) => p.kind === 'bad-crc'));

    // A request lost whole leaves no trace: the quiet timer (a quarter of the 8 s deadline) resends it.
    relay.faults.push({ direction: 'request', type: P.MessageType.READ_PAGE, action: 'drop' });
    assert.deepEqual(await client.readPage(0), expected, 'after a dropped request');
    assert.equal(client.resent, 2);

    // A damaged request: the kernel answers BAD_FRAME with its id, and the client sends it again.
    relay.faults.push({ direction: 'request', type: P.MessageType.STATS, action: 'damage' });
    assert.ok((await client.stats()).threads >= 1, 'after a damaged request');
    assert.equal(client.resent, 3);
    assert.equal(relay.faults.length, 0, 'every fault happened');
    await client.resume();
  } finally {
    client.close();
  }
});

test('a request that changes the machine is not resent: its loss is a timeout', async () => {
  const { client } = await DebugClient.connect(relay.path, 3000);
  try {
    relay.faults.push({ direction: 'request', type: P.MessageType.SNAPSHOT_NOW, action: 'drop' });
    await assert.rejects(client.snapshotNow(), /got no reply within 3000 ms/);
    assert.equal(client.resent, 0);
    assert.ok((await client.stats()).threads >= 1, 'the channel goes on');
  } finally {
    client.close();
  }
});
