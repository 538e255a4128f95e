/**
 * A guest that dies is shown as dead, at once and with its last words: a machine whose kernel
 * cannot mount its store (a blank disk) halts at boot; the studio marks it crashed, says why in a
 * notification that stays, and its console shows the kernel's last lines. The status bar names
 * the accelerator machines get, and why.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Machines } from '@phantom/vm-manager/node/machines.js';
import type { Browser } from 'playwright-core';
import { artifactsDir, launchChromium, type RunningStudio, repoRoot, startStudio } from './fixtures.js';
import { ConsolePage, MachineBarPage } from './pages/panels.js';
import { StudioPage } from './pages/studio-page.js';

let studio: RunningStudio;
let browser: Browser;

before(async () => {
  studio = await startStudio();
  browser = await launchChromium();
  // Made outside the studio, as `phantom up --kernel` would: the kernel, and a disk with no store.
  const machines = new Machines({ root: join(studio.stateDir, 'machines') });
  await machines.create('no-store', { kernelPath: join(repoRoot, 'kernel-src/build/phantom.elf') });
  machines.dispose();
});

after(async () => {
  await browser?.close();
  await studio?.stop();
});

test('a kernel that halts at boot shows as crashed, with why; the status bar names the accelerator', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await new StudioPage(page).open(studio.urlWithToken);
  const accelerator = page.getByTestId('studio-accelerator');
  await accelerator.filter({ hasText: /^QEMU (TCG|KVM)$/ }).waitFor();
  assert.match((await accelerator.getAttribute('title')) ?? '', /^(TCG|KVM): |^PHANTOM_ACCEL=/);

  const bar = new MachineBarPage(page);
  await bar.picker.selectOption('no-store');
  await bar.button('start').click();
  await bar.waitForState('crashed');
  const note = page.locator('.notification', { hasText: "Machine 'no-store' crashed" });
  await note.waitFor();
  const message = (await note.locator('.message').textContent()) ?? '';
  assert.match(message, /^the kernel halted: it panicked or met an error it cannot go on from/);
  assert.match(message, /"boot: cannot continue" "halted"/);
  assert.equal(await bar.state.getAttribute('title'), message);
  // The console shows what the kernel printed last, not an error about a console that is gone.
  await new ConsolePage(page).waitForText(/console of no-store closed: the machine is crashed/);
  await new ConsolePage(page).waitForText('boot: cannot continue');
  assert.equal(await page.locator('.notification', { hasText: 'Cannot attach to the console' }).count(), 0);
  await page.screenshot({ path: join(artifactsDir, 'machine-crashed.png') });
  await page.close();
});
