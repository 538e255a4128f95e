/**
 * The studio in Electron, driven by Playwright's Electron support. Runs where the `electron`
 * package has a binary that starts and a display is present; elsewhere (as on our build
 * machines, where the binary cannot be downloaded) it is skipped with the reason printed. The
 * last test runs the packed app (npm run dist's app.asar) from a package's resources/ layout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentSecurityPolicy } from '@phantom/shell/common/content-security-policy.js';
import { APP_PAGE_URL } from '@phantom/shell/main/app-protocol-policy.js';
import { _electron } from 'playwright-core';
import { artifactsDir, repoRoot } from './fixtures.js';
import { layOutPackage, packedResources } from './package-layout.js';

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
    // The page comes from the app's own scheme, with the same policy as browser mode's.
    assert.equal(page.url(), APP_PAGE_URL);
    const policy = await page.evaluate(async () =>
      (await fetch(location.href)).headers.get('content-security-policy'),
    );
    assert.equal(policy, contentSecurityPolicy());
    const attempts = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'globalThis.inlineScriptRan = true;';
      document.head.append(script);
      const opened = window.open('https://example.com/') !== null;
      const remote = await fetch('https://example.com/').then(
        () => 'answered',
        () => 'refused',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      return {
        inline: (globalThis as { inlineScriptRan?: boolean }).inlineScriptRan === true,
        opened,
        remote,
      };
    });
    assert.deepEqual(attempts, { inline: false, opened: false, remote: 'refused' });
    // Navigation away is cancelled: the window stays on its page.
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.locator('body[data-ready="true"]').waitFor();
    assert.equal(page.url(), APP_PAGE_URL);
    assert.equal(app.windows().length, 1);
    await page.screenshot({ path: join(artifactsDir, 'electron-window.png') });
  } finally {
    await app.close();
  }
});

test('a second start hands over to the first instance and quits', { skip: problem }, async () => {
  const first = await _electron.launch({ args: [join(repoRoot, 'shell')] });
  try {
    await (await first.firstWindow()).locator('body[data-ready="true"]').waitFor();
    const binary = createRequire(join(repoRoot, 'shell/package.json'))('electron') as string;
    const second = spawnSync(binary, [join(repoRoot, 'shell')], { timeout: 60_000 });
    assert.equal(second.status, 0, `the second instance quits by itself: ${String(second.stderr)}`);
    assert.equal(first.windows().length, 1);
  } finally {
    await first.close();
  }
});

const packed = existsSync(join(packedResources, 'app.asar'))
  ? undefined
  : 'no packed app (npm run dist, or the package test, makes it)';

test('the packed app runs in Electron from a package layout outside the repository', {
  skip: problem ?? packed,
}, async () => {
  // Short: machines keep unix sockets under the state folder, and those paths are limited to 108 bytes.
  const scratch = mkdtempSync(join(tmpdir(), 'ph-pkg-e-'));
  try {
    const resources = layOutPackage(scratch);
    // npm's Electron (a package's own binary has its fuses flipped: no --inspect for Playwright)
    // runs the extracted app; the host gets the carried kernel and boot images as in a package.
    const app = await _electron.launch({
      args: [join(resources, 'app')],
      cwd: scratch,
      env: { ...process.env, PHANTOM_PREBUILT_DIR: resources, PHANTOM_STATE_DIR: join(scratch, 's') },
    });
    try {
      const page = await app.firstWindow();
      await page.locator('body[data-ready="true"]').waitFor();
      const version = (
        JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
      ).version;
      // The version comes from the host (the bundled utility process) reading resources/package.json.
      assert.equal(await page.getByTestId('studio-version').textContent(), `Phantom Studio ${version}`);
      assert.equal(await page.getByTestId('studio-mode').textContent(), 'Electron');
      await page.screenshot({ path: join(artifactsDir, 'electron-packed-app.png') });
    } finally {
      await app.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
