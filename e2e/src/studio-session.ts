/**
 * A studio in one Chromium page, as most end-to-end tests open it: the studio started as
 * `npm start` does (fixtures.ts), a page of the size asked for that records its errors and CSP
 * violations, the workbench loaded. close() leaves no QEMU behind (a machine the test left
 * running gets a power cut, through the UI as a user would), then closes the browser and stops
 * the studio.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  type RunningStudio,
  recordCspViolations,
  type StudioOptions,
  startStudio,
} from './fixtures.js';
import { MachineBarPage } from './pages/panels.js';
import { StudioPage } from './pages/studio-page.js';

export interface StudioSessionOptions extends StudioOptions {
  /** The page's size; Playwright's default (1280×720) when not given. */
  viewport?: { width: number; height: number };
  /** Copy and paste through the system clipboard, as for a user who allowed it. */
  clipboard?: boolean;
}

export interface StudioSession {
  studio: RunningStudio;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, in order. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openStudioSession(options: StudioSessionOptions = {}): Promise<StudioSession> {
  const { viewport, clipboard, ...studioOptions } = options;
  const studio = await startStudio(studioOptions);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext(viewport ? { viewport } : {});
    if (clipboard)
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: studio.url });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await recordCspViolations(page);
    await new StudioPage(page).open(studio.urlWithToken);
    const opened = browser;
    return {
      studio,
      browser,
      context,
      page,
      pageErrors,
      async close() {
        await cutPowerIfRunning(page);
        await opened.close();
        await studio.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await studio.stop();
    throw err;
  }
}

/** Cleanup, not a test step: a machine still running in the page gets a power cut and is waited for. */
async function cutPowerIfRunning(page: Page): Promise<void> {
  const bar = new MachineBarPage(page);
  const running = await bar
    .button('powerCut')
    .isEnabled({ timeout: 2000 })
    .catch(() => false);
  if (!running) return;
  await bar.powerCut().catch(() => undefined);
  await bar.waitForState('stopped', 'crashed').catch(() => undefined);
}
