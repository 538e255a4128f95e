import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { contentSecurityPolicy } from '../common/content-security-policy.js';
import { composeServices } from './compose.js';
import { type HostServer, startHostServer } from './server.js';
import type { HostServices } from './services.js';

let dir: string;
let server: HostServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phantom-host-test-'));
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), '<title>t</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the static dir');
  server = await startHostServer({
    staticDir: join(dir, 'www'),
    services: composeServices({ version: '9.9.9', mode: 'browser' }, { PHANTOM_STATE_DIR: dir }),
  });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET, so that paths are sent exactly as written (fetch would normalise `..`). */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown> }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

const cookie = () => ({ Cookie: `phantom_token=${server.token}` });

test('binds to 127.0.0.1 only, with a 64-hex-digit token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(server.token, /^[0-9a-f]{64}$/);
});

test('the token is exchanged for an HttpOnly SameSite=Strict cookie', async () => {
  const res = await get(`/?token=${server.token}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/');
  assert.match(String(res.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  assert.equal((await get('/', cookie())).status, 200);
});

test('no token, a wrong token or a wrong cookie gets 403', async () => {
  assert.equal((await get('/')).status, 403);
  assert.equal((await get(`/?token=${'0'.repeat(64)}`)).status, 403);
  assert.equal((await get('/?token=short')).status, 403);
  assert.equal((await get('/', { Cookie: 'phantom_token=nope' })).status, 403);
});

test('every response carries a strict Content-Security-Policy', async () => {
  const csp = String((await get('/', cookie())).headers['content-security-policy']);
  assert.equal(csp, contentSecurityPolicy([server.url.replace('http', 'ws').slice(0, -1)]));
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval|\*/);
  assert.equal((await get('/')).headers['content-security-policy'], csp);
});

test('paths cannot leave the static folder', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/nope.js', '/%00']) {
    assert.equal((await get(path, cookie())).status, 404, path);
  }
});

test('the API socket needs the cookie and the same origin', async () => {
  const url = `${server.url.replace('http', 'ws')}api`;
  const origin = server.url.slice(0, -1);
  const opens = (headers: Record<string, string>) =>
    new Promise<boolean>((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.on('open', () => {
        ws.close();
        resolve(true);
      });
      ws.on('error', () => resolve(false));
    });
  assert.equal(await opens({ ...cookie(), Origin: origin }), true);
  assert.equal(await opens({ Origin: origin }), false);
  assert.equal(await opens({ ...cookie(), Origin: 'http://localhost:1' }), false);
  assert.equal(await opens(cookie()), false);
});

test('another Host is refused, even with the cookie, and gets no cookie (DNS rebinding)', async () => {
  const { port } = new URL(server.url);
  const elsewhere = [
    'evil.example',
    `evil.example:${port}`,
    `localhost:${port}`,
    `127.0.0.1:${Number(port) + 1}`,
    '127.0.0.1',
  ];
  for (const host of elsewhere) {
    assert.equal((await get('/', { ...cookie(), Host: host })).status, 421, host);
    const exchange = await get(`/?token=${server.token}`, { Host: host });
    assert.equal(exchange.status, 421, host);
    assert.equal(exchange.headers['set-cookie'], undefined, host);
  }
  const opens = await new Promise<boolean>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}api`, {
      headers: { ...cookie(), Origin: server.url.slice(0, -1), Host: 'evil.example' },
    });
    ws.on('open', () => {
      ws.close();
      resolve(true);
    });
    ws.on('error', () => resolve(false));
  });
  assert.equal(opens, false);
  assert.equal((await get('/', { ...cookie(), Host: `127.0.0.1:${port}` })).status, 200);
});

test('the page is served before the services are ready; the API socket waits for them', async () => {
  let ready!: (services: HostServices) => void;
  const late = await startHostServer({
    staticDir: join(dir, 'www'),
    services: new Promise<HostServices>((resolve) => {
      ready = resolve;
    }),
  });
  try {
    const { port } = new URL(late.url);
    const page = await new Promise<number>((resolve, reject) => {
      request(
        { host: '127.0.0.1', port, path: '/', headers: { Cookie: `phantom_token=${late.token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    assert.equal(page, 200);
    const ws = new WebSocket(`${late.url.replace('http', 'ws')}api`, {
      headers: { Cookie: `phantom_token=${late.token}`, Origin: late.url.slice(0, -1) },
    });
    let opened = false;
    ws.on('open', () => {
      opened = true;
    });
    // Long enough for the API's module to load: the socket still waits, for the services.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(opened, false);
    ready(composeServices({ version: '9.9.9', mode: 'browser' }, { PHANTOM_STATE_DIR: dir }));
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'studio.info', params: {} })));
      ws.on('message', (data) => resolve(data.toString()));
      ws.on('error', reject);
    });
    assert.match(reply, /"version":"9\.9\.9"/);
    ws.close();
  } finally {
    await late.close();
  }
});

test('a server whose services never load still closes', async () => {
  const stuck = await startHostServer({
    staticDir: join(dir, 'www'),
    services: new Promise<HostServices>(() => {}),
  });
  await stuck.close();
});
