import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DapConnection, type DapEvent, DapRequestError } from './dap-connection.js';

function connection() {
  const sent: { seq: number; command: string; arguments: unknown }[] = [];
  const problems: string[] = [];
  const dap = new DapConnection(
    (json) => sent.push(JSON.parse(json)),
    (p) => problems.push(p),
  );
  return { dap, sent, problems };
}

test('a response resolves its request by seq, in whatever order they come', async () => {
  const { dap, sent } = connection();
  const a = dap.request('threads');
  const b = dap.request('stackTrace', { threadId: 3 });
  assert.deepEqual(
    sent.map((m) => [m.seq, m.command]),
    [
      [1, 'threads'],
      [2, 'stackTrace'],
    ],
  );
  dap.receive(
    `${JSON.stringify({ seq: 9, type: 'response', request_seq: 2, command: 'stackTrace', success: true, body: { stackFrames: [] } })}\n`,
  );
  dap.receive(
    `${JSON.stringify({ seq: 10, type: 'response', request_seq: 1, command: 'threads', success: false, message: 'not attached' })}\n`,
  );
  assert.deepEqual(await b, { stackFrames: [] });
  await assert.rejects(a, (err: unknown) => err instanceof DapRequestError && err.message === 'not attached');
});

test('events go to listeners; a line split across batches is read once whole', () => {
  const { dap } = connection();
  const seen: DapEvent[] = [];
  dap.onEvent((e) => seen.push(e));
  const line = JSON.stringify({
    seq: 1,
    type: 'event',
    event: 'stopped',
    body: { threadId: 4, reason: 'breakpoint' },
  });
  dap.receive(line.slice(0, 10));
  assert.equal(seen.length, 0);
  dap.receive(`${line.slice(10)}\n`);
  assert.deepEqual(seen, [{ event: 'stopped', body: { threadId: 4, reason: 'breakpoint' } }]);
});

test('lines the studio cannot read are reported, not thrown', () => {
  const { dap, problems } = connection();
  dap.receive('not json\n{"seq":1,"type":"nonsense"}\n[]\n{"seq":-1,"type":"event","event":"x"}\n');
  assert.equal(problems.length, 4);
});

test('the end of the stream fails pending and later requests with its reason', async () => {
  const { dap } = connection();
  const pending = dap.request('continue', { threadId: 1 });
  dap.end('the debug session ended');
  await assert.rejects(pending, /the debug session ended/);
  await assert.rejects(dap.request('threads'), /the debug session ended/);
  assert.equal(dap.isEnded, true);
});
