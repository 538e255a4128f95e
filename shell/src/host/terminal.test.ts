import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STREAM_HIGH_WATER_CHARS, type StreamMessage } from '../common/api.js';
import { StreamHub } from './stream-hub.js';
import { Terminal } from './terminal.js';

async function until(condition: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a real shell in a pty runs a command and reports its exit through the stream', async () => {
  const sent: StreamMessage[] = [];
  const hub = new StreamHub((m) => sent.push(m));
  const terminal = new Terminal({ cols: 80, rows: 24, cwd: '/', shell: '/bin/sh' });
  const id = hub.open(terminal);
  terminal.write('echo "sum=$((40 + 2))"; exit 3\n');
  await until(() => sent.some((m) => 'end' in m), 'the shell to exit');
  const output = sent.map((m) => ('data' in m ? m.data : '')).join('');
  assert.match(output, /sum=42/);
  assert.deepEqual(sent.at(-1), { stream: id, end: 'sh exited with 3' });
});

test('a flooding program is paused until the view acknowledges, then finishes', async () => {
  const sent: StreamMessage[] = [];
  const hub = new StreamHub((m) => sent.push(m));
  const floodChars = 4 * STREAM_HIGH_WATER_CHARS;
  const terminal = new Terminal({
    cols: 80,
    rows: 24,
    cwd: '/',
    shell: '/bin/sh',
    // The program stays alive after its last line: on Linux, node-pty can drop the last
    // kilobytes of a process that exits at once, with or without flow control.
    args: ['-c', `head -c ${floodChars} /dev/zero | tr '\\0' x; echo; echo FLOOD-DONE; read line`],
  });
  const id = hub.open(terminal);
  const received = () => sent.reduce((n, m) => n + ('data' in m ? m.data.length : 0), 0);
  await until(() => received() > STREAM_HIGH_WATER_CHARS, 'the high-water mark');
  // Without acks, the pty stays paused: the flood does not finish.
  let stalled = received();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    stalled = Math.max(stalled, received());
  }
  assert.ok(stalled < floodChars, `only ${stalled} of ${floodChars} characters arrive while unacknowledged`);
  // Acknowledge as a view would, and the rest arrives.
  let acked = 0;
  const output = () => sent.map((m) => ('data' in m ? m.data : '')).join('');
  await until(() => {
    const now = received();
    if (now > acked) {
      hub.ack(id, now - acked);
      acked = now;
    }
    return output().includes('FLOOD-DONE');
  }, 'the flood to finish once acknowledged');
  assert.ok(received() >= floodChars);
  hub.close(id);
});
