// The window's web preferences: every security switch on, each one spelled out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { studioWebPreferences } from './web-preferences-policy.js';

test('the studio window is isolated, sandboxed, has no Node.js and no way to loosen that', () => {
  assert.deepEqual(studioWebPreferences('/app/preload.cjs'), {
    preload: '/app/preload.cjs',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  });
});
