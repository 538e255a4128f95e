// The host's "when did this change?" (`inspector.when`): answered from a machine's store disk — a
// real one, made by phrun with a generation every millisecond — with the API's own errors for
// what to follow and values that do not parse, and for an address that holds no object.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PhrunStore, phrunStore, resetterSource } from '@phantom/inspector/node/phrun-store.test.js';
import { loadGeneration, openStoreFile } from '@phantom/inspector/node/store-file.js';
import { ApiError, ErrorCode } from '../common/api.js';
import { InspectorSpaces } from './inspector-spaces.js';

let store: PhrunStore;
let spaces: InspectorSpaces;
let tally: number;

before(() => {
  store = phrunStore({ source: resetterSource(60), mainClass: '.demo.main', maxMs: 100, snapshotMs: 1 });
  spaces = new InspectorSpaces({
    machine: async () => ({ dir: { disk: store.path }, status: async () => ({ state: 'running' }) }),
    followedGeneration: () => undefined,
    withDebugChannel: () => Promise.reject(new Error('"when" must not use the debug channel')),
  });
  const opened = openStoreFile(store.path);
  try {
    const { heap } = loadGeneration(opened);
    for (let v = 0; v < heap.count && !tally; v++)
      if (heap.className(heap.classOf[v]!) === '.demo.tally') tally = heap.addr[v]!;
  } finally {
    opened.close();
  }
});
after(() => store?.dispose());

test('inspector.when answers from the store disk of a running machine, never its channel', async () => {
  const answer = await spaces.when('demo', tally, '.resets', {});
  assert.deepEqual(answer.change?.from, { kind: 'int', value: 0 });
  assert.deepEqual(answer.change?.to, { kind: 'int', value: 1 });
  assert.ok(answer.reads.pages > 0);
  const equals = await spaces.when('demo', tally, 'resets', { equals: '1' });
  assert.deepEqual(equals.change, answer.change);
  const all = await spaces.when('demo', tally, '.resets', { all: true });
  assert.equal(all.changes?.length, 2);
});

test('inspector.when refuses what it cannot follow with the API error that says why', async () => {
  const refused = async (promise: Promise<unknown>, code: ErrorCode, message: RegExp) => {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.body.code, code);
      assert.match(err.message, message);
      return true;
    });
  };
  await refused(
    spaces.when('demo', tally, 'not a target', {}),
    ErrorCode.InvalidParams,
    /\.field, \[index\]/,
  );
  await refused(
    spaces.when('demo', tally, '.count', { equals: 'seven' }),
    ErrorCode.InvalidParams,
    /equals takes/,
  );
  await refused(
    spaces.when('demo', tally, '.count', { equals: '1', all: true }),
    ErrorCode.InvalidParams,
    /do not go together/,
  );
  await refused(spaces.when('demo', tally, '.nope', {}), ErrorCode.Failed, /has no field nope/);
  await refused(spaces.when('demo', tally + 4, '.count', {}), ErrorCode.Failed, /object start/);
});
