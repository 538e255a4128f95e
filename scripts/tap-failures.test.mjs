import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tapFailures } from './tap-failures.mjs';

test('the failures of a real node:test TAP report are named with their place and message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tap-failures-'));
  try {
    const file = join(dir, 'sample.test.mjs');
    writeFileSync(
      file,
      [
        "import assert from 'node:assert/strict';",
        "import { describe, test } from 'node:test';",
        "test('passes', () => {});",
        "test('compares', () => assert.equal(1, 2));",
        "describe('group', () => { test('throws', () => { throw new Error('first line\\nsecond line'); }); });",
      ].join('\n'),
    );
    const tap = join(dir, 'out.tap');
    // Without NODE_TEST_CONTEXT the child reports on its own instead of to this test runner.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    spawnSync(
      process.execPath,
      ['--test', '--test-reporter=tap', `--test-reporter-destination=${tap}`, file],
      { env },
    );
    const failures = tapFailures(readFileSync(tap, 'utf8'), dir);
    assert.equal(failures.length, 3, failures.join('\n'));
    assert.match(failures[0], /^compares \(sample\.test\.mjs:4:\d+\) — .*1 !== 2/s);
    assert.match(failures[1], /^throws \(sample\.test\.mjs:5:\d+\) — first line \/ second line$/);
    assert.match(failures[2], /^group \(sample\.test\.mjs:5:\d+\)/);
    assert.ok(!failures.some((f) => f.startsWith('passes')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a report with no failure gives none, and so does an empty one', () => {
  assert.deepEqual(tapFailures('TAP version 13\nok 1 - fine\n  ---\n  duration_ms: 1\n  ...\n1..1\n'), []);
  assert.deepEqual(tapFailures(''), []);
});
