import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryEntry } from './diff.js';
import { historySeries } from './history-series.js';
import type { ObjectView } from './objects.js';

const counter = (count: number, label?: string): ObjectView => ({
  ref: '@0x40000100',
  className: '.demo.counter',
  size: 20,
  fields: [
    { name: 'count', value: { kind: 'int', value: count } },
    {
      name: 'label',
      value: label ? { kind: 'ref', ref: '@0x40000200', className: '.internal.string' } : { kind: 'null' },
    },
  ],
});

test('integer fields become columns over the generations where they changed', () => {
  const entries: HistoryEntry[] = [
    { generation: 2, value: counter(1) },
    { generation: 5, value: counter(4) },
    { generation: 3, value: counter(2) },
  ];
  const data = historySeries(entries);
  assert.deepEqual(data.generations, [2, 3, 5]);
  assert.deepEqual(data.series, [{ name: 'count', values: [1, 2, 4] }]);
});

test('the last value is held to the newest generation looked at; absence is a gap', () => {
  const entries: HistoryEntry[] = [
    { generation: 1, value: null },
    { generation: 2, value: counter(7) },
    { generation: 4, value: null },
    { generation: 6, value: counter(9) },
  ];
  const data = historySeries(entries, 10);
  assert.deepEqual(data.generations, [1, 2, 4, 6, 10]);
  assert.deepEqual(data.series[0], { name: 'count', values: [null, 7, null, 9, 9] });
  assert.deepEqual(
    historySeries(entries, 3).generations,
    [1, 2, 4, 6],
    'an older last generation adds nothing',
  );
});

test("a string's and an array's length are their numbers", () => {
  const text = (t: string): ObjectView => ({
    ref: '@0x1',
    className: '.internal.string',
    size: 12,
    fields: [],
    text: t,
  });
  assert.deepEqual(historySeries([{ generation: 1, value: text('abc') }]).series, [
    { name: 'length', values: [3] },
  ]);
  const array: ObjectView = {
    ref: '@0x2',
    className: '.internal.array',
    size: 20,
    fields: [],
    elements: { length: 4, offset: 0, values: [] },
  };
  assert.deepEqual(historySeries([{ generation: 1, value: array }]).series, [
    { name: 'length', values: [4] },
  ]);
  assert.deepEqual(historySeries([]), { generations: [], series: [] });
});
