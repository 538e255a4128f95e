import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheDir, machinesDir, stateDir } from './state-dir.js';

test('state dir follows PHANTOM_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
  assert.equal(stateDir({ PHANTOM_STATE_DIR: '/tmp/p', XDG_STATE_HOME: '/x' }), '/tmp/p');
  assert.equal(stateDir({ XDG_STATE_HOME: '/x', HOME: '/home/u' }), '/x/phantom');
  assert.equal(stateDir({ XDG_STATE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.local/state/phantom');
  assert.equal(stateDir({ HOME: '/home/u' }), '/home/u/.local/state/phantom');
  assert.equal(machinesDir({ HOME: '/home/u' }), '/home/u/.local/state/phantom/machines');
});

test('cache dir follows XDG_CACHE_HOME, then ~/.cache, whatever PHANTOM_STATE_DIR says', () => {
  assert.equal(cacheDir({ PHANTOM_STATE_DIR: '/tmp/p', XDG_CACHE_HOME: '/c' }), '/c/phantom');
  assert.equal(cacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/phantom');
  assert.equal(cacheDir({ PHANTOM_STATE_DIR: '/tmp/p', HOME: '/home/u' }), '/home/u/.cache/phantom');
});
