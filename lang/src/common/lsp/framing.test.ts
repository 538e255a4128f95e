// The base protocol's framing against a peer that sends anything: messages split at every byte,
// each kind of broken header or body reported once with the next message still decoded, memory
// bounded under a flood, and a fuzz of mutated frames (replay one with PHANTOM_FUZZ_SEED=<seed>).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../seeded-random.js';
import {
  encodeFrame,
  FrameDecoder,
  type FrameEvent,
  MAX_HEADER_BYTES,
  MAX_MESSAGE_BYTES,
} from './framing.js';
import { decodeMessage, RpcErrorCode } from './message.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function bodies(events: FrameEvent[]): string[] {
  return events.flatMap((e) => ('body' in e ? [e.body] : []));
}

function errors(events: FrameEvent[]): string[] {
  return events.flatMap((e) => ('error' in e ? [e.error] : []));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const messages = [
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
  '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"text":"tty.println(\\"héllo ✓ 𝄞\\");\\r\\nContent-Length: 5"}}',
  '{}',
  '',
];

test('messages decode whole however the bytes are split, multi-byte characters included', () => {
  const stream = concat(...messages.map(encodeFrame));
  for (const size of [1, 2, 3, 7, 64, stream.length]) {
    const decoder = new FrameDecoder();
    const events: FrameEvent[] = [];
    for (let at = 0; at < stream.length; at += size)
      events.push(...decoder.push(stream.subarray(at, at + size)));
    assert.deepEqual(bodies(events), messages, `chunks of ${size}`);
    assert.deepEqual(errors(events), []);
    assert.equal(decoder.buffered, 0);
  }
});

test('each broken frame is one error, and the next message on a new line is still decoded', () => {
  const next = encodeFrame('{"next":true}');
  const cases: [string, Uint8Array, RegExp][] = [
    ['no Content-Length', bytes('Content-Type: x\r\n\r\n{}'), /without a Content-Length/],
    ['a length that is no number', bytes('Content-Length: twelve\r\n\r\n{}'), /not a number/],
    ['a negative length', bytes('Content-Length: -4\r\n\r\n{}'), /not a number/],
    ['a line that is no header', bytes('GET / HTTP/1.1\r\n\r\n'), /not "Name: value"/],
    [
      'another charset',
      bytes('Content-Length: 2\r\nContent-Type: text/plain; charset=latin1\r\n\r\n{}'),
      /UTF-8/,
    ],
    ['a length past the limit', bytes(`Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n{"a":1}`), /at most/],
    ['an endless header', bytes(`X-Junk: ${'x'.repeat(MAX_HEADER_BYTES + 10)}`), /longer than/],
    [
      'a body that is not UTF-8',
      concat(bytes('Content-Length: 2\r\n\r\n'), new Uint8Array([0xc3, 0x28])),
      /UTF-8/,
    ],
  ];
  for (const [what, broken, expected] of cases) {
    const decoder = new FrameDecoder();
    const events = decoder.push(concat(broken, bytes('\r\n'), next));
    assert.equal(errors(events).length, 1, what);
    assert.match(errors(events)[0]!, expected, what);
    assert.deepEqual(bodies(events), ['{"next":true}'], what);
  }
});

test('junk before a header on the same line is dropped with its line; the header after it is read', () => {
  const decoder = new FrameDecoder();
  const events = decoder.push(concat(bytes('garbage\n'), encodeFrame('{"a":1}')));
  assert.deepEqual(bodies(events), ['{"a":1}']);
  assert.equal(errors(events).length, 1);
});

test('a flood without a frame holds only a few bytes', () => {
  const decoder = new FrameDecoder();
  const junk = new Uint8Array(1 << 20).fill(0x41);
  let reported = 0;
  for (let i = 0; i < 10; i++) {
    reported += errors(decoder.push(junk)).length;
    assert.ok(decoder.buffered <= junk.length, `holds ${decoder.buffered} bytes`);
  }
  assert.equal(reported, 1, 'one error for the flood, not one per chunk');
  assert.ok(decoder.buffered < 64);
  assert.deepEqual(bodies(decoder.push(concat(bytes('\n'), encodeFrame('{"after":1}')))), ['{"after":1}']);
});

/** Damages a frame the ways a broken peer or a bad pipe might. */
function mutate(frame: Uint8Array, random: () => number): Uint8Array {
  const out = [...frame];
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const r = random();
    if (r < 0.3) out[at] = Math.floor(random() * 256);
    else if (r < 0.5) out.splice(at, 1);
    else if (r < 0.7) out.splice(at, 0, Math.floor(random() * 256));
    else if (r < 0.85) out.splice(at, 0, ...out.slice(at, at + Math.floor(random() * 40)));
    else out.length = at;
  }
  return Uint8Array.from(out);
}

test('fuzz: 3,000 damaged frames never throw; a good frame after them is decoded once the damage is passed', () => {
  const seeds = process.env.PHANTOM_FUZZ_SEED ? [Number(process.env.PHANTOM_FUZZ_SEED)] : [1, 2, 3];
  for (const seed of seeds) {
    const random = seededRandom(seed);
    const decoder = new FrameDecoder();
    let reported = 0;
    for (let round = 0; round < 1000; round++) {
      const garbage = mutate(encodeFrame(messages[round % messages.length]!), random);
      // A damaged header may still declare a length: pad past it, so what follows is a fresh line.
      const declared = [...new TextDecoder().decode(garbage).matchAll(/content-length:\s*(\d{1,7})/gi)];
      const pad = Math.max(0, ...declared.map((m) => Number(m[1]))) + 2;
      const marker = `{"round":${round}}`;
      let events: FrameEvent[];
      try {
        events = [
          ...decoder.push(garbage),
          ...decoder.push(new Uint8Array(pad).fill(10)),
          ...decoder.push(encodeFrame(marker)),
        ];
      } catch (e) {
        assert.fail(`seed ${seed} round ${round} threw ${(e as Error).stack}`);
      }
      assert.equal(
        bodies(events).at(-1),
        marker,
        `seed ${seed} round ${round}: the good frame after the damage`,
      );
      assert.equal(decoder.buffered, 0, `seed ${seed} round ${round}`);
      if (errors(events).length > 0) reported++;
    }
    // Most damage is caught by the framing; the rest reaches JSON-RPC's checks as a body.
    assert.ok(reported > 400, `seed ${seed}: only ${reported} of 1,000 damaged frames were reported`);
  }
});

test('decodeMessage: requests, notifications and responses pass; anything else is the error to answer', () => {
  assert.ok('message' in decodeMessage('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}'));
  assert.ok('message' in decodeMessage('{"jsonrpc":"2.0","method":"exit"}'));
  assert.ok('message' in decodeMessage('{"jsonrpc":"2.0","id":"a","result":null}'));
  assert.ok('message' in decodeMessage('{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"x"}}'));
  const refused: [string, RpcErrorCode, number | string | null][] = [
    ['{"jsonrpc":"2.0","id":1,', RpcErrorCode.ParseError, null],
    ['[{"jsonrpc":"2.0","id":1,"method":"a"}]', RpcErrorCode.InvalidRequest, null],
    ['"text"', RpcErrorCode.InvalidRequest, null],
    ['{"id":7,"method":"a"}', RpcErrorCode.InvalidRequest, 7],
    ['{"jsonrpc":"2.0","id":8,"method":3}', RpcErrorCode.InvalidRequest, 8],
    ['{"jsonrpc":"2.0","id":{},"method":"a"}', RpcErrorCode.InvalidRequest, null],
    ['{"jsonrpc":"2.0","id":9,"method":"a","params":5}', RpcErrorCode.InvalidRequest, 9],
    ['{"jsonrpc":"2.0","id":10}', RpcErrorCode.InvalidRequest, 10],
    ['{"jsonrpc":"2.0","id":11,"result":1,"error":{}}', RpcErrorCode.InvalidRequest, 11],
  ];
  for (const [text, code, id] of refused) {
    const decoded = decodeMessage(text);
    assert.ok('error' in decoded, text);
    assert.equal(decoded.error.code, code, text);
    assert.equal(decoded.error.id, id, text);
  }
});
