import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import { methods, Reply } from '../common/api.js';
import { fuzzSeed } from '../test-support/fuzz-seed.js';
import { composeServices } from './compose.js';
import { Session } from './session.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'phantom-session-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function newSession(): { session: Session; frames: string[] } {
  const frames: string[] = [];
  const services = composeServices({ version: '1.0.0', mode: 'browser' }, { PHANTOM_STATE_DIR: dir });
  return { session: new Session(services, (f) => frames.push(f)), frames };
}

function fuzzFrames(seed: number, count: number): string[] {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = Object.keys(methods);
  /**
   * Odd values as JSON text, parsed afresh at each use: a hostile frame carries `__proto__` as an
   * own key, and no two frames may share (and so mutate into cycles) one object.
   */
  const oddJson = [
    'null',
    '-1',
    '0',
    '1.5',
    String(2 ** 53),
    String(Number.MAX_VALUE),
    '""',
    JSON.stringify('x'.repeat(300)),
    '"../../etc/passwd.ph"',
    '"/etc/passwd"',
    '"a\\u0000b.ph"',
    'true',
    '[]',
    '[1,2]',
    '{}',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{}}}',
  ];
  const odd = (): unknown => JSON.parse(pick(oddJson));
  const template = (): Record<string, unknown> => ({
    id: Math.floor(next() * 1000),
    method: pick(names),
    params: {
      machine: 'demo',
      stream: 1,
      chars: 5,
      cols: 80,
      rows: 24,
      root: 'project',
      path: 'a.ph',
      text: '',
    },
  });
  const mutate = (value: Record<string, unknown>): Record<string, unknown> => {
    const params = (typeof value.params === 'object' && value.params !== null ? value.params : {}) as Record<
      string,
      unknown
    >;
    const keys = [...Object.keys(value), ...Object.keys(params).map((k) => `params.${k}`)];
    const key = pick(keys);
    const target = key.startsWith('params.') ? params : value;
    const field = key.replace(/^params\./, '');
    switch (Math.floor(next() * 3)) {
      case 0:
        delete target[field];
        break;
      case 1:
        target[field] = odd();
        break;
      default:
        // defineProperty: `__proto__` as an own key, as JSON.parse makes it, not a new prototype.
        Object.defineProperty(target, pick(['__proto__', 'constructor', 'extra', 'toString']), {
          value: odd(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return value;
  };
  const frames: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(next() * 5);
    if (kind === 0) {
      const length = Math.floor(next() * 200);
      frames.push(Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 0x10000))).join(''));
    } else if (kind === 1) {
      const json = JSON.stringify(template());
      frames.push(json.slice(0, Math.floor(next() * json.length)));
    } else if (kind === 2) {
      const json = [...JSON.stringify(template())];
      json[Math.floor(next() * json.length)] = pick(['{', '}', '"', ',', ':', '\\', '0', ' ']);
      frames.push(json.join(''));
    } else {
      let value = template();
      for (let m = 0; m < 1 + Math.floor(next() * 3); m++) value = mutate(value);
      frames.push(JSON.stringify(value));
    }
  }
  frames.push('['.repeat(100_000) + ']'.repeat(100_000), '"\\ud800"', '{"id":1e400,"method":"studio.info"}');
  return frames;
}

test('fuzzed frames each get exactly one well-formed reply, and the session keeps serving', async () => {
  const seed = fuzzSeed(Date.now() % 2 ** 31);
  // Made before the session opens: a session left open keeps the test process alive.
  const inputs = fuzzFrames(seed, 3000);
  const { session, frames } = newSession();
  try {
    for (const [index, input] of inputs.entries()) {
      const before = frames.length;
      await session.receive(input);
      const replies = frames.slice(before).filter((f) => !f.startsWith('{"stream"'));
      assert.equal(replies.length, 1, `seed ${seed}, frame ${index}: ${input.slice(0, 120)}`);
      assert.ok(
        Reply.safeParse(JSON.parse(replies[0]!)).success,
        `seed ${seed}, frame ${index}: ${replies[0]}`,
      );
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    frames.length = 0;
    await session.receive('{"id":99,"method":"studio.info"}');
    assert.deepEqual(JSON.parse(frames[0]!).id, 99);
    assert.ok('result' in JSON.parse(frames[0]!), `seed ${seed}`);
  } finally {
    session.close();
  }
  assert.equal(session.openStreams, 0);
});

test('a terminal opened through the session streams output and closes with the session', async () => {
  const { session, frames } = newSession();
  await session.receive('{"id":1,"method":"terminal.open","params":{"cols":80,"rows":24}}');
  const opened = JSON.parse(frames[0]!) as { result: { stream: number } };
  const stream = opened.result.stream;
  await session.receive(
    JSON.stringify({ id: 2, method: 'stream.input', params: { stream, data: 'echo marker-$((6*7))\r' } }),
  );
  const deadline = Date.now() + 20_000;
  while (!frames.some((f) => f.includes('marker-42'))) {
    if (Date.now() > deadline) throw new Error(`no terminal output: ${frames.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await session.receive(JSON.stringify({ id: 3, method: 'stream.ack', params: { stream, chars: 1 } }));
  assert.ok(frames.some((f) => f === '{"id":3,"result":null}'));
  assert.equal(session.openStreams, 1);
  session.close();
  assert.equal(session.openStreams, 0);
});
