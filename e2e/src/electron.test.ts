/**
 * The studio in Electron, driven by Playwright's Electron support. Runs where the `electron`
 * package has a binary that starts and a display is present; elsewhere (as on our build
 * machines, where the binary cannot be downloaded) it is skipped with the reason printed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron } from 'playwright-core';
import { artifactsDir, repoRoot } from './fixtures.js';

function electronProblem(): string | undefined {
  let binary: unknown;
  try {
    binary = createRequire(join(repoRoot, 'shell/package.json'))('electron');
  } catch (err) {
    return `no Electron binary: ${(err as Error).message.split('\n')[0]}`;
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return 'no Electron binary installed';
  const probe = spawnSync(binary, ['--version'], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 15_000,
  });
  if (probe.status !== 0) return `the Electron binary does not run: ${String(probe.stderr).trim()}`;
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display for an Electron window';
  return undefined;
}

const problem = electronProblem();
if (problem) console.log(`# Electron-mode end-to-end tests skipped: ${problem}`);

test('the Electron window shows the studio with every web-security switch on', {
  skip: problem,
}, async () => {
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  const app = await _electron.launch({ args: [join(repoRoot, 'shell')] });
  try {
    const page = await app.firstWindow();
    await page.locator('body[data-ready="true"]').waitFor();
    assert.equal(await page.title(), 'Phantom Studio');
    assert.equal(await page.getByTestId('studio-version').textContent(), `Phantom Studio ${version}`);
    assert.equal(await page.getByTestId('studio-mode').textContent(), 'Electron');
    const exposure = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as { phantomApi?: object }).phantomApi ?? {}),
    }));
    assert.deepEqual(exposure, { require: 'undefined', process: 'undefined', api: ['send', 'onFrame'] });
    await page.screenshot({ path: join(artifactsDir, 'electron-window.png') });
  } finally {
    await app.close();
  }
});
