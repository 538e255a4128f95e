import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DebuggerSettingsFile } from './debugger-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'ph-debugger-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('what is written is read back; with no file, nothing is set', async () => {
  const store = new DebuggerSettingsFile(join(dir, 'a', 'debugger.json'));
  assert.deepEqual(await store.read(), { breakpoints: {}, watches: [] });
  const settings = {
    breakpoints: { 'examples/counter.ph': [{ line: 23, enabled: true, condition: 'count > 3' }] },
    watches: ['this.count'],
  };
  await store.write(settings);
  assert.deepEqual(await store.read(), settings);
});

test('a file that does not read as settings is kept aside, and the debugger starts with none', async () => {
  for (const [name, text] of [
    ['not-json', '{ nope'],
    [
      'bad-line',
      JSON.stringify({ breakpoints: { 'examples/x.ph': [{ line: -2, enabled: true }] }, watches: [] }),
    ],
    ['extra', JSON.stringify({ breakpoints: {}, watches: [], more: 1 })],
  ] as const) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, text);
    const store = new DebuggerSettingsFile(file);
    assert.deepEqual(await store.read(), { breakpoints: {}, watches: [] });
    assert.equal(readFileSync(`${file}.unreadable`, 'utf8'), text, 'nothing lost');
  }
  assert.ok(readdirSync(dir).every((f) => !f.endsWith('.tmp')));
});
