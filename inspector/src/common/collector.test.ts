import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collectorForecast,
  collectorRan,
  freedBetween,
  KERNEL_COLLECT_BUDGET_MIN,
  memorySample,
  memoryStep,
} from './collector.js';
import { dominators } from './graph.js';
import { HeapSnapshot } from './heap.js';
import { int, ref, SpaceFixture } from './heap-fixture.test.js';

/**
 * A counter's space: the counter held by the root, and `garbage` strings nothing refers to (the
 * ticks it printed). With `collected`, the strings' places are free blocks, as after a sweep.
 */
function space(garbage: string[], collected = false, extra = 0) {
  const f = new SpaceFixture();
  f.rootClass(['counter']);
  f.defineClass('.demo.counter', ['count']);
  const counter = f.object('.demo.counter', [int(7)]);
  const root = f.object('.internal.root', [ref(counter)]);
  for (const text of garbage) {
    if (collected) f.free(new TextEncoder().encode(text).length);
    else f.string(text);
  }
  for (let i = 0; i < extra; i++) f.string(`new ${i}`);
  return new HeapSnapshot(f.finish(root));
}

test('a sample counts the garbage apart from what the root reaches', () => {
  // The fixture's classes hang from no root: they are garbage too, in both.
  const clean = space([]);
  const base = memorySample(0, clean, dominators(clean));
  const heap = space(['tick 1', 'tick 2']);
  const sample = memorySample(3, heap, dominators(heap));
  assert.equal(sample.generation, 3);
  assert.equal(sample.objects, clean.count + 2);
  assert.equal(sample.garbageObjects, base.garbageObjects + 2);
  assert.equal(sample.garbageBytes, base.garbageBytes + 2 * (12 + 8));
  assert.equal(sample.bytes, base.bytes + 2 * (12 + 8));
});

test('freed between two generations: the objects gone from the older one, by address', () => {
  const before = space(['tick 1', 'tick 2', 'tick 3']);
  const idom = dominators(before);
  const after = space(['tick 1', 'tick 2', 'tick 3'], true, 1);
  const base = freedBetween(space([]), space([]), dominators(space([])));
  const freed = freedBetween(before, after, idom);
  assert.equal(freed.objects, 3);
  assert.equal(freed.bytes, 3 * (12 + 8));
  assert.equal(freed.garbageFreed, 3);
  assert.equal(freed.garbageBefore, base.garbageBefore + 3);
  assert.equal(freedBetween(before, before, idom).objects, 0);
  // Objects only added: nothing freed.
  assert.equal(freedBetween(space(['a']), space(['a'], false, 2), dominators(space(['a']))).objects, 0);
});

test('garbage replaced by other bytes at its address was freed: the allocator reused the place', () => {
  const before = space(['tick 1', 'tick 2']);
  const after = space(['tock 1', 'tick 2']);
  const freed = freedBetween(before, after, dominators(before));
  assert.equal(freed.objects, 1, 'the new string in the old one’s place is not the old one');
});

test('the collector ran when all the older garbage is gone; dropped frames alone are not a collection', () => {
  const full = { objects: 600, bytes: 20_000, garbageBefore: 600, garbageFreed: 600 };
  assert.equal(collectorRan(full), true);
  assert.equal(collectorRan({ ...full, garbageFreed: 590 }), true, 'a few new objects identical to old ones');
  assert.equal(collectorRan({ objects: 137, bytes: 2400, garbageBefore: 600, garbageFreed: 137 }), false);
  assert.equal(collectorRan({ objects: 0, bytes: 0, garbageBefore: 0, garbageFreed: 0 }), false);
});

test('a step counts what was allocated: the growth plus what was freed', () => {
  const a = { generation: 1, objects: 10, bytes: 1000, garbageObjects: 4, garbageBytes: 100 };
  const b = { generation: 3, objects: 8, bytes: 900, garbageObjects: 0, garbageBytes: 0 };
  const step = memoryStep(a, b, { objects: 4, bytes: 100, garbageBefore: 4, garbageFreed: 4 });
  assert.deepEqual(step, {
    from: 1,
    to: 3,
    freedObjects: 4,
    freedBytes: 100,
    collected: true,
    allocatedBytes: 0,
  });
  const none = { objects: 0, bytes: 0, garbageBefore: 4, garbageFreed: 0 };
  assert.equal(memoryStep(a, { ...b, bytes: 1360 }, none).allocatedBytes, 360);
});

test("the forecast: a counter's 360 bytes a generation take thousands of generations to fill the budget", () => {
  const steps = [
    { from: 1, to: 2, freedObjects: 0, freedBytes: 0, collected: false, allocatedBytes: 360 },
    { from: 2, to: 4, freedObjects: 0, freedBytes: 0, collected: false, allocatedBytes: 720 },
  ];
  const latest = { generation: 4, objects: 400, bytes: 20_000, garbageObjects: 100, garbageBytes: 3600 };
  const forecast = collectorForecast(steps, latest)!;
  assert.equal(forecast.bytesPerGeneration, 360);
  assert.equal(forecast.budgetBytes, KERNEL_COLLECT_BUDGET_MIN, 'live data under 4 MiB: the minimum');
  assert.equal(Math.round(forecast.generationsPerCollection), Math.round((4 << 20) / 360));
  const big = { ...latest, bytes: 10 << 20, garbageBytes: 0 };
  assert.equal(collectorForecast(steps, big)!.budgetBytes, 10 << 20, 'live data above it: the live bytes');
  assert.equal(collectorForecast([], latest), undefined);
});
