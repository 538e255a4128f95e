// The window stays on its page, opens no windows, and loads nothing from outside the app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_ORIGIN, APP_PAGE_URL } from './app-protocol-policy.js';
import { mayLoad, mayNavigate, windowOpenDecision } from './navigation-policy.js';

test('the window may reload its page and go nowhere else', () => {
  assert.equal(mayNavigate(APP_PAGE_URL), true);
  for (const url of [
    `${APP_ORIGIN}/other.html`,
    `${APP_ORIGIN}/index.html?x=1`,
    'https://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'about:blank',
    'phantom-studio://evil/index.html',
    '',
  ]) {
    assert.equal(mayNavigate(url), false, url);
  }
});

test('web links go to the system browser; no window is ever opened by the app', () => {
  assert.deepEqual(windowOpenDecision('https://example.com/a?b#c'), {
    action: 'open-in-system-browser',
    url: 'https://example.com/a?b#c',
  });
  assert.equal(windowOpenDecision('http://10.0.0.1:8080/').action, 'open-in-system-browser');
  for (const url of [
    APP_PAGE_URL,
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://host/share',
    'ms-msdt:/id',
    'https://user:pw@example.com/',
    'about:blank',
    'not a url',
    '',
  ]) {
    assert.deepEqual(windowOpenDecision(url), { action: 'deny' }, url);
  }
});

test('the page loads its own files and data: URLs, and nothing remote', () => {
  for (const url of [
    APP_PAGE_URL,
    `${APP_ORIGIN}/chunks/a.js`,
    'data:font/ttf;base64,AAAA',
    'devtools://devtools/x',
  ])
    assert.equal(mayLoad(url), true, url);
  for (const url of [
    'https://example.com/x.js',
    'http://127.0.0.1:8080/',
    'ws://127.0.0.1:1/api',
    'file:///etc/passwd',
    'phantom-studio://other/x.js',
    'blob:null/abc',
    'not a url',
  ])
    assert.equal(mayLoad(url), false, url);
});
