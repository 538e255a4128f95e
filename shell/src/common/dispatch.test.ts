import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from './api.js';
import { dispatch, type Handlers } from './dispatch.js';

const info = { name: 'Phantom Studio', version: '1.2.3', mode: 'browser' as const, platform: 'linux' };
const handlers: Partial<Handlers> = { 'studio.info': () => info };

test('a valid request gets its result under the same id', async () => {
  assert.deepEqual(await dispatch(handlers, JSON.stringify({ id: 7, method: 'studio.info', params: {} })), {
    id: 7,
    result: info,
  });
  assert.deepEqual(await dispatch(handlers, JSON.stringify({ id: 8, method: 'studio.info' })), {
    id: 8,
    result: info,
  });
});

test('malformed frames get error replies, never exceptions', async () => {
  const cases: [string, ErrorCode][] = [
    ['not json', ErrorCode.MalformedMessage],
    ['null', ErrorCode.MalformedMessage],
    ['[]', ErrorCode.MalformedMessage],
    ['{"id":-1,"method":"studio.info"}', ErrorCode.MalformedMessage],
    ['{"id":1,"method":"studio.info","extra":1}', ErrorCode.MalformedMessage],
    ['{"id":1,"method":"nope"}', ErrorCode.UnknownMethod],
    ['{"id":1,"method":"__proto__"}', ErrorCode.UnknownMethod],
    ['{"id":1,"method":"studio.info","params":{"x":1}}', ErrorCode.InvalidParams],
    ['{"id":1,"method":"studio.info","params":"x"}', ErrorCode.InvalidParams],
    ['x'.repeat(5 * 1024 * 1024), ErrorCode.MalformedMessage],
  ];
  for (const [frame, code] of cases) {
    const reply = await dispatch(handlers, frame);
    assert.ok('error' in reply, frame.slice(0, 40));
    assert.equal(reply.error.code, code, frame.slice(0, 40));
  }
});

test('a handler that throws becomes a failed reply with details', async () => {
  const reply = await dispatch(
    {
      'studio.info': () => {
        throw new Error('QEMU died');
      },
    },
    '{"id":3,"method":"studio.info"}',
  );
  assert.ok('error' in reply);
  assert.equal(reply.error.code, ErrorCode.Failed);
  assert.equal(reply.error.message, 'QEMU died');
  assert.match(reply.error.details ?? '', /Error: QEMU died/);
});
