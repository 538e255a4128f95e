/**
 * The Content-Security-Policy at work in browser mode: the studio's page carries the same
 * policy Electron's app scheme sends (shell/src/common/content-security-policy.ts), and under
 * it Chromium runs no inline script and no eval, and reaches no other origin, while the studio's
 * own module worker (the inspector graph's layout) loads and answers. The "remote"
 * origin is a real server on another port of 127.0.0.1 that counts the requests it gets and
 * would answer every one (CORS open), so only the policy can be what stops them.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { GRAPH_LAYOUT_WORKER_FILE } from '@phantom/inspector/common/graph-layout.js';
import { contentSecurityPolicy } from '@phantom/shell/common/content-security-policy.js';
import type { Browser, Page } from 'playwright-core';
import {
  cspViolations,
  launchChromium,
  type RunningStudio,
  recordCspViolations,
  startStudio,
} from './fixtures.js';
import { StudioPage } from './pages/studio-page.js';

/** How long a blocked request gets to show up at the other server, had it not been blocked. */
const SETTLE_MS = 1_000;

let studio: RunningStudio;
let browser: Browser;
let page: Page;
let elsewhere: Server;
let elsewhereUrl: string;
const requestsElsewhere: string[] = [];

before(async () => {
  elsewhere = createServer((req, res) => {
    requestsElsewhere.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Access-Control-Allow-Origin': '*' });
    res.end('globalThis.remoteScriptRan = true;');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  studio = await startStudio();
  browser = await launchChromium();
  page = await browser.newPage();
  await recordCspViolations(page);
  await new StudioPage(page).open(studio.urlWithToken);
});

after(async () => {
  await browser?.close();
  await studio?.stop();
  await new Promise((resolve) => elsewhere?.close(resolve));
});

function violations(): Promise<string[]> {
  return cspViolations(page);
}

async function waitForViolation(pattern: RegExp): Promise<void> {
  await page.waitForFunction(
    (source) =>
      ((globalThis as { cspViolations?: string[] }).cspViolations ?? []).some((v) =>
        new RegExp(source).test(v),
      ),
    pattern.source,
    { timeout: 10_000 },
  );
}

test("the page carries the studio's one policy, with the API's WebSocket its only other source", async () => {
  const response = await page.request.get(studio.url);
  const wsOrigin = studio.url.replace(/^http/, 'ws').replace(/\/$/, '');
  assert.equal(response.headers()['content-security-policy'], contentSecurityPolicy([wsOrigin]));
});

test("the inspector graph's layout worker loads from the page's origin and lays out a graph", async () => {
  const update = await page.evaluate(
    ([file]) =>
      new Promise<{ id: number; positions: number; settled: boolean }>((resolve, reject) => {
        const worker = new Worker(new URL(file!, location.href), { type: 'module' });
        worker.onerror = (event) => reject(new Error(event.message || 'the worker did not load'));
        worker.onmessage = (event) => {
          if (!event.data.settled) return;
          resolve({ id: event.data.id, positions: event.data.positions.length, settled: event.data.settled });
          worker.terminate();
        };
        worker.postMessage({
          kind: 'layout',
          id: 7,
          nodeCount: 3,
          edgeFrom: Int32Array.from([0, 1]),
          edgeTo: Int32Array.from([1, 2]),
        });
      }),
    [GRAPH_LAYOUT_WORKER_FILE],
  );
  assert.deepEqual(update, { id: 7, positions: 6, settled: true });
  assert.deepEqual(await violations(), []);
});

test('an inline script does not run', async () => {
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'globalThis.inlineScriptRan = true;';
    document.head.append(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return (globalThis as { inlineScriptRan?: boolean }).inlineScriptRan === true;
  });
  assert.equal(ran, false);
  await waitForViolation(/^script-src-elem inline$/);
});

test('an inline event handler and a string timer do not run', async () => {
  // Code evaluated through DevTools is exempt from the policy, so each attempt here hands the
  // page source text that Chromium must compile itself: an onclick attribute, a timer string.
  const ran = await page.evaluate(async () => {
    const button = document.createElement('button');
    button.setAttribute('onclick', 'globalThis.handlerRan = true;');
    document.body.append(button);
    button.click();
    button.remove();
    (setTimeout as (code: string, ms: number) => number)('globalThis.timerStringRan = true;', 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen = globalThis as { handlerRan?: boolean; timerStringRan?: boolean };
    return { handler: seen.handlerRan === true, timerString: seen.timerStringRan === true };
  });
  assert.deepEqual(ran, { handler: false, timerString: false });
  await waitForViolation(/^script-src-attr inline$/);
  await waitForViolation(/^script-src eval$/);
});

test('fetch, script and image requests to another origin never leave the page', async () => {
  const fetched = await page.evaluate(
    (url) =>
      fetch(`${url}/fetched`).then(
        () => 'answered',
        (err: Error) => err.name,
      ),
    elsewhereUrl,
  );
  assert.equal(fetched, 'TypeError');
  await waitForViolation(/^connect-src http:\/\/127\.0\.0\.1:\d+\/fetched$/);
  await page.evaluate((url) => {
    const script = document.createElement('script');
    script.src = `${url}/script.js`;
    document.head.append(script);
    const image = new Image();
    image.src = `${url}/image.png`;
  }, elsewhereUrl);
  await waitForViolation(/^script-src-elem http:\/\/127\.0\.0\.1:\d+\/script\.js$/);
  await waitForViolation(/^img-src http:\/\/127\.0\.0\.1:\d+\/image\.png$/);
  const sockets = await page.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        try {
          const ws = new WebSocket(url.replace('http', 'ws'));
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('error');
        } catch (err) {
          resolve((err as Error).name);
        }
      }),
    elsewhereUrl,
  );
  assert.notEqual(sockets, 'open');
  // Give anything that did slip out time to arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  assert.deepEqual(requestsElsewhere, []);
  assert.equal(
    await page.evaluate(() => (globalThis as { remoteScriptRan?: boolean }).remoteScriptRan),
    undefined,
  );
  assert.ok((await violations()).length >= 4);
});
