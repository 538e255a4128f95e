/**
 * The studio's relay to the debug adapter, with the real adapter over the real machines folder
 * (empty here: a machine's journey through the debugger is e2e/src/debugger-journey.test.ts):
 * requests answered, hostile input refused with an error response while the session goes on,
 * and a closed stream disconnected as an editor would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DebugAdapterStream } from './debug-adapter.js';
import { MachineService } from './machine-service.js';

const dir = mkdtempSync(join(tmpdir(), 'ph-debug-adapter-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Message {
  type: string;
  request_seq?: number;
  command?: string;
  success?: boolean;
  message?: string;
  event?: string;
  body?: { supportsConditionalBreakpoints?: boolean };
}

function open() {
  const service = new MachineService(join(dir, 'machines'));
  let ended: string | undefined;
  const adapter = new DebugAdapterStream(
    (done) =>
      service.debugHost(() => {
        done();
      }),
    async () => true,
  );
  const messages: Message[] = [];
  adapter.onData((text) => {
    for (const line of text.split('\n')) if (line) messages.push(JSON.parse(line) as Message);
  });
  adapter.onEnd((reason) => {
    ended = reason;
  });
  const answer = async (seq: number): Promise<Message> => {
    for (let i = 0; i < 200; i++) {
      const found = messages.find((m) => m.type === 'response' && m.request_seq === seq);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no response to ${seq}`);
  };
  return { adapter, messages, answer, ended: () => ended, service };
}

test('the adapter answers the renderer: capabilities, then refusals saying why', async () => {
  const { adapter, messages, answer, service } = open();
  adapter.write(
    JSON.stringify({
      seq: 1,
      type: 'request',
      command: 'initialize',
      arguments: { adapterID: 'phantom', pathFormat: 'path', linesStartAt1: true },
    }),
  );
  const init = await answer(1);
  assert.equal(init.success, true);
  assert.equal(init.body?.supportsConditionalBreakpoints, true);
  assert.ok(messages.some((m) => m.type === 'event' && m.event === 'initialized'));
  adapter.write(
    JSON.stringify({ seq: 2, type: 'request', command: 'attach', arguments: { machine: 'nope' } }),
  );
  const attach = await answer(2);
  assert.equal(attach.success, false);
  assert.match(attach.message ?? '', /nope/);
  adapter.write('{ not json');
  adapter.write(JSON.stringify({ seq: 3, type: 'request', command: 'setBreakpoints', arguments: [] }));
  adapter.write(JSON.stringify({ seq: 4, type: 'response', command: 'x' }));
  assert.equal((await answer(3)).success, false);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const refusals = messages.filter((m) => m.type === 'response' && m.success === false);
  assert.equal(refusals.length, 4, 'every hostile message got an error response');
  adapter.write(JSON.stringify({ seq: 5, type: 'request', command: 'threads' }));
  assert.match((await answer(5)).message ?? '', /not attached/, 'and the session goes on');
  await adapter.close();
  service.dispose();
});

test('closing the stream disconnects the session; nothing is sent to a renderer that went away', async () => {
  const { adapter, messages, ended, service } = open();
  adapter.write(JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: {} }));
  const before = Date.now();
  await adapter.close();
  assert.ok(Date.now() - before < 5000, 'the disconnect was answered, not timed out');
  const count = messages.length;
  adapter.write(JSON.stringify({ seq: 2, type: 'request', command: 'threads' }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(messages.length, count);
  assert.equal(ended(), undefined, 'a stream closed by the renderer does not report its end to it');
  service.dispose();
});

test("the renderer's own disconnect ends the stream, saying so", async () => {
  const { adapter, answer, ended, service } = open();
  adapter.write(JSON.stringify({ seq: 1, type: 'request', command: 'disconnect', arguments: {} }));
  assert.equal((await answer(1)).success, true);
  for (let i = 0; i < 100 && ended() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(ended(), 'the debug session ended');
  await adapter.close();
  service.dispose();
});
