import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifactsDir, launchChromium, type RunningStudio, repoRoot, startStudio } from './fixtures.js';
import { StudioPage } from './pages/studio-page.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
let studio: RunningStudio;
let browser: Browser;

before(async () => {
  studio = await startStudio();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await studio?.stop();
});

test('npm start serves the empty layout with the title and version', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const studioPage = new StudioPage(page);
  await studioPage.open(studio.urlWithToken);
  assert.equal(await page.title(), 'Phantom Studio');
  assert.equal(await studioPage.version.textContent(), `Phantom Studio ${version}`);
  assert.equal(await studioPage.mode.textContent(), 'browser mode');
  for (const panel of ['machine-bar', 'explorer', 'editor', 'inspector', 'console', 'timeline'] as const) {
    assert.ok(await studioPage.panel(panel).isVisible(), `${panel} is visible`);
  }
  // The token left the address bar for an HttpOnly cookie.
  assert.equal(page.url(), studio.url);
  await page.screenshot({ path: join(artifactsDir, 'empty-layout.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('without the token nothing is served and the API refuses the connection', async () => {
  const stranger = await browser.newContext();
  const page = await stranger.newPage();
  const response = await page.goto(studio.url);
  assert.equal(response?.status(), 403);
  const opened = await page.evaluate(
    (url) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => resolve(true);
        ws.onerror = () => resolve(false);
      }),
    `${studio.url.replace('http', 'ws')}api`,
  );
  assert.equal(opened, false);
  await stranger.close();
});

test('the API rejects a connection from another origin even with the cookie', async () => {
  const response = await fetch(`${studio.url}api`, {
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      Origin: 'http://evil.example',
      Cookie: `phantom_token=${studio.urlWithToken.split('token=')[1]}`,
    },
  }).catch((err: Error) => err);
  // Node's fetch cannot upgrade; a refused upgrade ends the connection or answers 403.
  assert.ok(response instanceof Error || response.status === 403, String(response));
});

test('a malformed API message gets an error reply and the host keeps serving', async () => {
  const page = await browser.newPage();
  await new StudioPage(page).open(studio.urlWithToken);
  const replies = await page.evaluate(
    async (url) => {
      const ws = new WebSocket(url);
      await new Promise((resolve) => {
        ws.onopen = resolve;
      });
      const frames = [
        '{not json',
        '{"id":1,"method":"no.such.method"}',
        '{"id":2,"method":"studio.info","params":{"x":1}}',
        '{"id":3,"method":"studio.info"}',
      ];
      const out: unknown[] = [];
      for (const frame of frames) {
        out.push(
          await new Promise((resolve) => {
            ws.onmessage = (e) => resolve(JSON.parse(String(e.data)));
            ws.send(frame);
          }),
        );
      }
      ws.close();
      return out as { id: number | null; error?: { code: string }; result?: { version: string } }[];
    },
    `${studio.url.replace('http', 'ws')}api`,
  );
  assert.deepEqual(
    replies.map((r) => r.error?.code ?? 'ok'),
    ['malformed-message', 'unknown-method', 'invalid-params', 'ok'],
  );
  assert.equal(replies[3]?.result?.version, version);
  await page.close();
});
