import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostMessage } from './host-message.js';

test('replies, events and stream frames parse to typed messages', () => {
  const good = [
    { id: 1, result: { any: 'thing' } },
    { id: null, error: { code: 'malformed-message', message: 'x' } },
    { event: 'machine.state', data: { machine: 'demo', state: 'running' } },
    { stream: 3, data: 'hello\r\n' },
    { stream: 3, end: 'the machine stopped' },
  ];
  for (const message of good) {
    const parsed = parseHostMessage(JSON.stringify(message));
    assert.ok(parsed.ok, JSON.stringify(message));
    assert.deepEqual(parsed.message, message);
  }
});

test('garbage from the host is described, never thrown', () => {
  const bad = [
    'nope',
    '[]',
    'null',
    '{"stream":0,"data":"x"}',
    '{"stream":1,"data":5}',
    '{"event":"no.such","data":{}}',
    '{"event":"machine.state","data":{"machine":"demo","state":"exploded"}}',
    '{"id":1,"error":{"code":"bogus","message":"x"}}',
    '{"id":1}',
  ];
  for (const frame of bad) {
    const parsed = parseHostMessage(frame);
    assert.equal(parsed.ok, false, frame);
  }
});
