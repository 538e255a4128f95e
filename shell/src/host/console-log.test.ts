import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readLogPage } from './console-log.js';

const dir = mkdtempSync(join(tmpdir(), 'console-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A counter's log: a banner, then `ticks` tick lines with a note every 10th, CRLF as a serial port writes. */
function counterLog(ticks: number): string {
  const path = join(dir, `log-${ticks}`);
  const lines = ['\x1b[1mPhantom kernel\x1b[0m booting'];
  for (let i = 1; i <= ticks; i++) lines.push(i % 10 === 0 ? `note at ${i}` : `tick ${i}`);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
}

test('the last page by default, pages counted over the whole log', async () => {
  const path = counterLog(24_999);
  const last = await readLogPage(path, {}, 10_000);
  assert.equal(last.totalLines, 25_000);
  assert.equal(last.pages, 3);
  assert.equal(last.page, 2);
  assert.equal(last.firstLine, 20_000);
  const lines = last.text.split('\r\n').slice(0, -1);
  assert.equal(lines.length, 5000);
  assert.equal(lines.at(-1), 'tick 24999');
  const first = await readLogPage(path, { page: 0 }, 10_000);
  assert.match(first.text, /^\x1b\[1mPhantom kernel/);
  assert.equal(first.text.split('\r\n').length - 1, 10_000);
  assert.equal((await readLogPage(path, { page: 99 }, 10_000)).page, 2, 'past the end: the last page');
});

test('hiding lines that contain a text keeps the rest, counted', async () => {
  const path = counterLog(1000);
  const page = await readLogPage(path, { hide: 'TICK' }, 10_000);
  assert.equal(page.hiddenLines, 900);
  assert.equal(page.totalLines, 101);
  assert.deepEqual(page.text.split('\r\n').slice(0, 3), [
    '\x1b[1mPhantom kernel\x1b[0m booting',
    'note at 10',
    'note at 20',
  ]);
  // Escape sequences are not matched: "1mPhantom" is not in the text a user sees.
  assert.equal((await readLogPage(path, { hide: '1mphantom' }, 10_000)).hiddenLines, 0);
});

test('a log not written yet is one empty page', async () => {
  assert.deepEqual(await readLogPage(join(dir, 'none'), {}), {
    text: '',
    page: 0,
    pages: 1,
    firstLine: 0,
    totalLines: 0,
    hiddenLines: 0,
  });
});
