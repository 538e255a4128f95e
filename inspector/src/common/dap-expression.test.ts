// What evaluate accepts: paths, literals, arithmetic and comparisons with their precedence; what it
// refuses, saying where; and a fuzz that no input throws anything but DapExpressionError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import { DapExpressionError, parseDapExpression } from './dap-expression.js';

test('field paths, indexes and literals', () => {
  assert.deepEqual(parseDapExpression('this.count'), {
    kind: 'field',
    target: { kind: 'name', name: 'this' },
    name: 'count',
  });
  assert.deepEqual(parseDapExpression('items[i + 1].length'), {
    kind: 'field',
    target: {
      kind: 'index',
      target: { kind: 'name', name: 'items' },
      index: { kind: 'binary', op: '+', left: { kind: 'name', name: 'i' }, right: { kind: 'int', value: 1 } },
    },
    name: 'length',
  });
  assert.deepEqual(parseDapExpression('"a\\"b"'), { kind: 'string', value: 'a"b' });
  assert.deepEqual(parseDapExpression('null'), { kind: 'null' });
  assert.deepEqual(parseDapExpression('@0x1F40.next'), {
    kind: 'field',
    target: { kind: 'object', ref: 0x1f40 },
    name: 'next',
  });
});

test('precedence: * before +, + before <, < before ==, && before ||', () => {
  const e = parseDapExpression('a || b && 1 + 2 * 3 < 4 == true');
  assert.equal(e.kind === 'binary' && e.op, '||');
  const right = e.kind === 'binary' ? e.right : e;
  assert.equal(right.kind === 'binary' && right.op, '&&');
  assert.deepEqual(parseDapExpression('-(1 - 2)'), {
    kind: 'neg',
    operand: { kind: 'binary', op: '-', left: { kind: 'int', value: 1 }, right: { kind: 'int', value: 2 } },
  });
});

test('what is refused says why and where', () => {
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['@1f40', /an address such as @0x/],
    ['@0x123456789', /an address such as @0x/],
    ['a.', /field name at column 3/],
    ['a +', /ends too early/],
    ['f(1)', /unexpected '\('/],
    ['a = 1', /unexpected '='/],
    ['a[1', /expected '\]'/],
    ['"abc', /unterminated/],
    ['99999999999', /too large/],
    ['#', /unexpected '#' at column 1/],
    ['x'.repeat(2000), /at most/],
    ['('.repeat(500), /deeper/],
    ['-'.repeat(500), /deeper/],
    [`a${'[0]'.repeat(200)}`, /deeper/],
  ];
  for (const [text, message] of bad)
    assert.throws(() => parseDapExpression(text), message, text.slice(0, 20));
});

test('fuzz: any input parses or throws DapExpressionError', () => {
  const random = seededRandom(18);
  const alphabet = 'ab1 ._[]()+-*/%<>=!&|"\\x9\n';
  for (let round = 0; round < 5000; round++) {
    let text = '';
    const n = Math.floor(random() * 40);
    for (let i = 0; i < n; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    try {
      parseDapExpression(text);
    } catch (err) {
      assert.ok(err instanceof DapExpressionError, `${JSON.stringify(text)}: ${err}`);
    }
  }
});
