// debug-channel.test.mjs — the debug channel on serial port 2 of a booted kernel (the counter
// example, built by `phc image`): HELLO, STATS, and PAUSE/RESUME, which must stop and restart
// the program's output. Frames are encoded and decoded with the inspector's codec, the same the
// studio uses. Skipped, saying why, while `phc image` cannot build images yet.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { boot, kernelDir, tempDir } from './qemu.mjs';

const langDir = join(kernelDir, '..', 'lang');
const phc = join(langDir, 'bin', 'phc.mjs');
const notReady = existsSync(join(langDir, 'dist', 'node', 'image-file.js'))
  ? false
  : 'phc image is not available yet (lang/dist/node/image-file.js)';
const REPLY_DEADLINE_MS = 30_000;

let temp;
before(async () => {
  temp = await tempDir();
});
after(() => temp?.cleanup());

/** Polls until cond() holds, or fails after deadlineMs naming what it waited for. */
async function waitFor(cond, what, deadlineMs = REPLY_DEADLINE_MS) {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the debug channel answers HELLO and STATS and holds the threads while paused', { skip: notReady }, async () => {
  const P = await import('@phantom/inspector/common/debug-protocol.js');
  const image = join(temp.dir, 'counter.img');
  const built = spawnSync(process.execPath, [phc, 'image', join(langDir, 'examples', 'counter.ph'), '--main', '.demo.counter', '-o', image], {
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, `phc image failed:\n${built.stderr}`);
  const socketPath = join(temp.dir, 'debug.sock');
  const ticks = [];
  const running = boot({
    disk: image,
    append: 'snap=0',
    extraArgs: ['-chardev', `socket,id=debug,path=${socketPath},server=on,wait=off`, '-serial', 'chardev:debug'],
    onLine: (line) => {
      if (/^tick \d+$/.test(line)) ticks.push(line);
    },
  });
  const replies = new Map();
  const decoder = new P.FrameDecoder((frame) => replies.set(frame.id, frame));
  let socket;
  try {
    await waitFor(() => ticks.length > 0, 'the program to print its first tick', 60_000);
    socket = connect(socketPath);
    socket.on('data', (chunk) => decoder.push(new Uint8Array(chunk)));
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let nextId = 1;
    const request = async (type, payload = new Uint8Array(0)) => {
      const id = nextId++;
      socket.write(P.encodeFrame(type, id, payload));
      await waitFor(() => replies.has(id), `the reply to request ${id} (type ${type})`);
      const reply = replies.get(id);
      assert.equal(reply.type, type | P.DBG_REPLY_BIT, `reply type (payload ${Buffer.from(reply.payload).toString('latin1')})`);
      return reply.payload;
    };
    const h = P.decodeHello(await request(P.MessageType.HELLO, new P.PayloadWriter().u16(P.DBG_VERSION).finish()));
    assert.equal(h.protocolVersion, P.DBG_VERSION);
    assert.equal(h.spaceBase, 0x40000000);
    assert.equal(h.spaceSize, 64 << 20);
    assert.match(h.kernel, /^phantom-kernel/);

    const s = P.decodeStats(await request(P.MessageType.STATS));
    assert.ok(s.threads >= 1, `threads ${s.threads}`);
    assert.equal(s.paused, false);

    await request(P.MessageType.PAUSE);
    assert.equal(P.decodeStats(await request(P.MessageType.STATS)).paused, true);
    const ticksAtPause = ticks.length;
    // The counter ticks every 100 ms of machine time; a second without a tick shows the hold.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(ticks.length <= ticksAtPause + 1, `${ticks.length - ticksAtPause} ticks while paused`);
    await request(P.MessageType.RESUME);
    assert.equal(P.decodeStats(await request(P.MessageType.STATS)).paused, false);
    await waitFor(() => ticks.length >= ticksAtPause + 3, 'ticks after RESUME');
  } finally {
    socket?.destroy();
    running.stop();
    await running;
  }
});
