// The window's web permissions: only the clipboard write, only for the app's own page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_PAGE_URL } from './app-protocol-policy.js';
import { mayGrantPermission } from './permission-policy.js';

test('the app page may write the clipboard and nothing else', () => {
  assert.equal(mayGrantPermission('clipboard-sanitized-write', APP_PAGE_URL), true);
  for (const permission of [
    'media',
    'geolocation',
    'notifications',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'hid',
    'serial',
    'usb',
    'display-capture',
    'unknown',
  ]) {
    assert.equal(mayGrantPermission(permission, APP_PAGE_URL), false, permission);
  }
});

test('no other page gets even the clipboard', () => {
  for (const url of ['https://example.com/', 'file:///x.html', 'phantom-studio://other/', 'about:blank', ''])
    assert.equal(mayGrantPermission('clipboard-sanitized-write', url), false, url);
});
