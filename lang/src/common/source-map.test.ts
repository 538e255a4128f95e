import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineMap } from './source-map.js';

test('positions and offsets agree for LF, CRLF and CR line ends', () => {
  const text = 'class a {\n  var x : int;\r\n}\rend';
  const map = new LineMap(text);
  assert.equal(map.lineCount, 4);
  for (let offset = 0; offset <= text.length; offset++) {
    const pos = map.positionAt(offset);
    assert.equal(map.offsetAt(pos), offset, `offset ${offset} -> ${JSON.stringify(pos)}`);
  }
  assert.deepEqual(map.positionAt(text.indexOf('var')), { line: 2, column: 3 });
  assert.deepEqual(map.positionAt(text.indexOf('end')), { line: 4, column: 1 });
});

test('out-of-range positions clamp instead of throwing', () => {
  const map = new LineMap('ab\ncd');
  assert.deepEqual(map.positionAt(-5), { line: 1, column: 1 });
  assert.deepEqual(map.positionAt(99), { line: 2, column: 3 });
  assert.equal(map.offsetAt({ line: 1, column: 99 }), 3);
  assert.equal(map.offsetAt({ line: 42, column: 1 }), 3);
});
