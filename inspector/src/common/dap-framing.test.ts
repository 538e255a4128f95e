// The adapter's DAP reader: whole and split messages, and every kind of bad input (not JSON, not a
// request, no or bad Content-Length, oversized, not UTF-8), each answered as a problem and followed
// by a good message that still gets through; fuzzed with random bytes and random splits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import { classifyMessage, DAP_MAX_MESSAGE_BYTES, DapReader, frameDapMessage } from './dap-framing.js';

const enc = new TextEncoder();
const threads = { seq: 7, type: 'request', command: 'threads' };

function raw(header: string, body: string | Uint8Array): Uint8Array {
  const b = typeof body === 'string' ? enc.encode(body) : body;
  const h = enc.encode(header);
  const out = new Uint8Array(h.length + b.length);
  out.set(h);
  out.set(b, h.length);
  return out;
}

test('a message split anywhere is read once, whole', () => {
  const bytes = frameDapMessage({ ...threads, arguments: { x: 'é' } });
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new DapReader();
    const got = [...reader.feed(bytes.subarray(0, cut)), ...reader.feed(bytes.subarray(cut))];
    assert.equal(got.length, 1);
    assert.equal(got[0]!.kind, 'request');
  }
});

test('bad input of each kind is a problem, and the next message still gets through', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['not JSON', raw('Content-Length: 5\r\n\r\n', '{oops'), /not JSON/],
    ['an array', raw('Content-Length: 2\r\n\r\n', '[]'), /JSON object/],
    ['no command', raw('Content-Length: 28\r\n\r\n', '{"seq":3,"type":"request"}  '), /command/],
    ['bad seq', raw('Content-Length: 41\r\n\r\n', '{"seq":-1,"type":"request","command":"x"}'), /seq/],
    [
      'arguments not an object',
      raw('Content-Length: 55\r\n\r\n', '{"seq":1,"type":"request","command":"x","arguments":3} '),
      /must be an object/,
    ],
    ['unknown type', raw('Content-Length: 15\r\n\r\n', '{"type":"what"}'), /unknown message type/],
    ['no Content-Length', raw('Content-Type: x\r\n\r\n', ''), /without Content-Length/],
    ['a bad Content-Length', raw('Content-Length: lots\r\n\r\n', ''), /not a number/],
    ['not UTF-8', raw('Content-Length: 2\r\n\r\n', new Uint8Array([0xff, 0xfe])), /UTF-8/],
    ['a header that never ends', enc.encode('X'.repeat(5000)), /header longer/],
  ];
  for (const [what, bytes, message] of cases) {
    const reader = new DapReader();
    const got = [...reader.feed(bytes), ...reader.feed(frameDapMessage(threads))];
    const problem = got.find((g) => g.kind === 'problem');
    assert.ok(problem && problem.kind === 'problem', `${what}: a problem`);
    assert.match(problem.message, message, what);
    assert.ok(
      got.some((g) => g.kind === 'request' && g.request.seq === 7),
      `${what}: the next request still gets through`,
    );
  }
});

test('an oversized message is skipped as it arrives, never held, and answered once', () => {
  const reader = new DapReader();
  const size = DAP_MAX_MESSAGE_BYTES * 4;
  const got = [...reader.feed(enc.encode(`Content-Length: ${size}\r\n\r\n`))];
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  for (let sent = 0; sent < size; sent += chunk.length) got.push(...reader.feed(chunk));
  got.push(...reader.feed(frameDapMessage(threads)));
  assert.equal(got.filter((g) => g.kind === 'problem').length, 1);
  assert.match((got[0] as { message: string }).message, /at most/);
  assert.equal(got.filter((g) => g.kind === 'request').length, 1);
});

test('the seq and command of a refused request are kept for the error response', () => {
  const got = classifyMessage('{"seq":12,"type":"request","command":"stackTrace","arguments":[1]}');
  assert.deepEqual(got.kind === 'problem' && [got.seq, got.command], [12, 'stackTrace']);
});

test('fuzz: random bytes and random cuts never throw, and memory stays bounded', () => {
  const random = seededRandom(18);
  const good = frameDapMessage(threads);
  for (let round = 0; round < 500; round++) {
    const reader = new DapReader();
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      if (random() < 0.5) parts.push(good);
      else {
        const noise = new Uint8Array(Math.floor(random() * 300));
        for (let j = 0; j < noise.length; j++) noise[j] = Math.floor(random() * 256);
        if (random() < 0.5) parts.push(enc.encode(`Content-Length: ${Math.floor(random() * 400)}\r\n\r\n`));
        parts.push(noise);
      }
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    for (let i = 0; i < all.length; ) {
      const n = 1 + Math.floor(random() * 64);
      for (const input of reader.feed(all.subarray(i, i + n)))
        if (input.kind === 'request') assert.equal(typeof input.request.command, 'string');
      i += n;
    }
  }
});
