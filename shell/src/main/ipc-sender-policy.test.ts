// API frames are taken only from the main frame of the studio's window, on the app's page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_PAGE_URL } from './app-protocol-policy.js';
import { isTrustedSender } from './ipc-sender-policy.js';

const studio = { webContentsId: 7, frameUrl: APP_PAGE_URL, isMainFrame: true };

test("the studio window's page is trusted", () => {
  assert.equal(isTrustedSender(studio, 7), true);
});

test('other windows, subframes, other pages and gone frames are not', () => {
  assert.equal(isTrustedSender({ ...studio, webContentsId: 8 }, 7), false);
  assert.equal(isTrustedSender(studio, undefined), false);
  assert.equal(isTrustedSender({ ...studio, isMainFrame: false }, 7), false);
  assert.equal(isTrustedSender({ ...studio, frameUrl: undefined }, 7), false);
  for (const url of [
    'https://example.com/',
    'file:///index.html',
    'phantom-studio://app/other.html',
    'about:blank',
  ])
    assert.equal(isTrustedSender({ ...studio, frameUrl: url }, 7), false, url);
});
