import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyQmpFrame, parseQmpLine, QMP_MAX_FRAME_CHARS, QmpFrameReader } from './qmp-protocol.js';

const GREETING =
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian"}, "capabilities": ["oob"]}}';

test('a greeting, a return, an error and an event split across chunks come out typed', () => {
  const reader = new QmpFrameReader();
  const text = `${GREETING}\n{"return": {}, "id": "c1"}\r\n{"error": {"class": "GenericError", "desc": "no"}, "id": "c2"}\n{"event": "STOP", "timestamp": {"seconds": 2, "microseconds": 5}}\n`;
  const frames = [];
  for (let i = 0; i < text.length; i += 7) frames.push(...reader.push(text.slice(i, i + 7)));
  assert.deepEqual(
    frames.map((f) => f.kind),
    ['greeting', 'return', 'error', 'event'],
  );
  assert.deepEqual(frames[0], {
    kind: 'greeting',
    version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'Debian' },
    capabilities: ['oob'],
  });
  assert.deepEqual(frames[2], { kind: 'error', id: 'c2', errorClass: 'GenericError', description: 'no' });
  assert.deepEqual(frames[3], { kind: 'event', event: 'STOP', data: {}, timestampMicros: 2_000_005 });
});

test('malformed frames are reported with a reason, never thrown', () => {
  const cases = [
    'not json',
    '[]',
    '42',
    'null',
    '{}',
    '{"QMP": 1}',
    '{"QMP": {"version": {"qemu": {"major": -1, "minor": 0, "micro": 0}}, "capabilities": []}}',
    '{"QMP": {"version": {"qemu": {"major": 1, "minor": 0, "micro": 0}}, "capabilities": [3]}}',
    '{"return": 1, "id": 5}',
    '{"error": "x", "id": "c1"}',
    '{"error": {"class": 1, "desc": "d"}}',
    '{"event": 7}',
    '{"event": ""}',
    '{"event": "X", "data": [1]}',
  ];
  for (const line of cases) {
    const frame = parseQmpLine(line);
    assert.equal(frame.kind, 'malformed', line);
    if (frame.kind === 'malformed') assert.ok(frame.reason.length > 0);
  }
});

test('a frame longer than the limit is dropped as malformed and the reader recovers', () => {
  const reader = new QmpFrameReader();
  const frames = reader.push('x'.repeat(QMP_MAX_FRAME_CHARS + 1));
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.kind, 'malformed');
  assert.deepEqual(
    reader.push('{"return": {}, "id": "c9"}\n').map((f) => f.kind),
    ['return'],
  );
});

/** xorshift32: a fuzz run that fails can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

test('fuzz: random and mutated frames never throw and always classify', () => {
  const seed = 0x5eed;
  const next = random(seed);
  const valid = [
    GREETING,
    '{"return": {"running": true, "status": "running"}, "id": "c3"}',
    '{"error": {"class": "GenericError", "desc": "Snapshot not found"}, "id": "c4"}',
    '{"event": "JOB_STATUS_CHANGE", "data": {"id": "j1", "status": "concluded"}, "timestamp": {"seconds": 1, "microseconds": 2}}',
  ];
  const alphabet = '{}[]":,\\\n\r 0123456789abcdefQMPreturnerroevent-\u0000\u00ff\ud800';
  const kinds = new Set(['greeting', 'return', 'error', 'event', 'malformed']);
  for (let round = 0; round < 20_000; round++) {
    const base = valid[Math.floor(next() * valid.length)]!;
    const chars = [...base];
    const mutations = 1 + Math.floor(next() * 4);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(next() * (chars.length + 1));
      const op = next();
      const c = alphabet[Math.floor(next() * alphabet.length)]!;
      if (op < 0.4) chars.splice(at, 1);
      else if (op < 0.8) chars.splice(at, 0, c);
      else chars[at] = c;
    }
    const text =
      round % 10 === 0 ? chars.slice(0, Math.floor(next() * chars.length)).join('') : chars.join('');
    const reader = new QmpFrameReader();
    let frames: ReturnType<QmpFrameReader['push']> = [];
    assert.doesNotThrow(
      () => {
        frames = reader.push(`${text}\n`);
      },
      `seed ${seed} round ${round}: ${JSON.stringify(text)}`,
    );
    for (const frame of frames) assert.ok(kinds.has(frame.kind));
  }
});

test('fuzz: arbitrary JSON values classify without throwing', () => {
  const next = random(77);
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.2) return [null, true, 1, -1.5, 'x', ''][Math.floor(next() * 6)];
    if (r < 0.5) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
    const keys = ['QMP', 'return', 'error', 'event', 'id', 'data', 'class', 'desc', 'version', 'qemu'];
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 4) }, () => [
        keys[Math.floor(next() * keys.length)]!,
        value(depth + 1),
      ]),
    );
  };
  for (let i = 0; i < 20_000; i++) assert.doesNotThrow(() => classifyQmpFrame(value(0)));
});
