// The window's web preferences against Electron's security checklist: the studio's own pass, and
// each way of loosening a window (every value here is the unsafe one, written out, not read from
// the policy) is found and named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { studioWebPreferences, webPreferencesProblems } from './web-preferences-policy.js';

const studio = studioWebPreferences('/app/preload.cjs');

test("the studio window's preferences pass, with its preload", () => {
  assert.deepEqual(webPreferencesProblems(studio), []);
  assert.equal(studio.preload, '/app/preload.cjs');
});

test('every loosened switch is a problem that names it', () => {
  const loosened: [string, unknown][] = [
    ['contextIsolation', false],
    ['sandbox', false],
    ['nodeIntegration', true],
    ['nodeIntegrationInWorker', true],
    ['nodeIntegrationInSubFrames', true],
    ['webSecurity', false],
    ['allowRunningInsecureContent', true],
    ['experimentalFeatures', true],
    ['webviewTag', true],
    ['navigateOnDragDrop', true],
    ['safeDialogs', false],
    // Not a boolean at all: only the exact safe value passes.
    ['nodeIntegration', 'false'],
    ['sandbox', 1],
  ];
  for (const [name, value] of loosened) {
    const problems = webPreferencesProblems({ ...studio, [name]: value });
    assert.equal(problems.length, 1, `${name}: ${String(value)} → ${problems.join('; ')}`);
    assert.match(problems[0]!, new RegExp(`^${name} is ${String(value)}`));
  }
});

test("a switch left to Electron's default is a problem: a new default must not loosen the window", () => {
  for (const name of ['contextIsolation', 'sandbox', 'nodeIntegration', 'webSecurity', 'webviewTag']) {
    const rest: Record<string, unknown> = { ...studio };
    delete rest[name];
    const problems = webPreferencesProblems(rest);
    assert.equal(problems.length, 1, problems.join('; '));
    assert.match(problems[0]!, new RegExp(`^${name} is left to Electron's default`));
  }
});

test('experimental Blink features and a relative or missing preload are problems', () => {
  assert.match(
    webPreferencesProblems({ ...studio, enableBlinkFeatures: 'WebGPU' }).join(),
    /enableBlinkFeatures/,
  );
  assert.deepEqual(webPreferencesProblems({ ...studio, enableBlinkFeatures: '' }), []);
  for (const preload of ['preload.cjs', './dist/preload.cjs', '', undefined, 42])
    assert.match(webPreferencesProblems({ ...studio, preload }).join(), /^preload must be an absolute path/);
});

test('the studio refuses to build a window whose preload is not an absolute path', () => {
  assert.throws(() => studioWebPreferences('preload.cjs'), /preload must be an absolute path/);
});
