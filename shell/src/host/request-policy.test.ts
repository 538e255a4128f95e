// Who browser mode's server lets through: the decisions of request-policy.ts on requests as a
// browser, a rebinding page and a hostile client send them. None of them may throw.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type RequestHead,
  requestDecision,
  serverAuthority,
  staticFileDecision,
  upgradeDecision,
} from './request-policy.js';

const TOKEN = 'a'.repeat(64);
const server = { port: 43123, token: TOKEN };
const HOST = '127.0.0.1:43123';
const ORIGIN = 'http://127.0.0.1:43123';

const page = (head: Partial<RequestHead>): RequestHead => ({
  method: 'GET',
  target: '/',
  host: HOST,
  cookie: `phantom_token=${TOKEN}`,
  ...head,
});
const api = (head: Partial<RequestHead>): RequestHead => page({ target: '/api', origin: ORIGIN, ...head });
const status = (decision: { action: string; status?: number }) =>
  decision.action === 'refuse' ? decision.status : decision.action;

test('the server is named by its address and port; the port is left out only when it is 80', () => {
  assert.equal(serverAuthority(43123), HOST);
  assert.equal(serverAuthority(80), '127.0.0.1');
  assert.equal(status(requestDecision(page({ host: '127.0.0.1' }), { port: 80, token: TOKEN })), 'serve');
});

test('a Host other than the bound address is refused before anything else (DNS rebinding)', () => {
  for (const host of [
    'evil.example',
    'evil.example:43123',
    'localhost:43123',
    '127.0.0.1',
    '127.0.0.1:43124',
    '127.0.0.1:043123',
    '[::1]:43123',
    '127.0.0.1:43123.evil.example',
    '',
    undefined,
  ]) {
    assert.equal(status(requestDecision(page({ host }), server)), 421, String(host));
    assert.equal(
      status(requestDecision(page({ host, cookie: undefined, target: `/?token=${TOKEN}` }), server)),
      421,
    );
    assert.equal(status(upgradeDecision(api({ host }), server)), 421, String(host));
  }
  assert.equal(status(requestDecision(page({}), server)), 'serve');
});

test('only origin-form targets are served; `//` is a path, not another host', () => {
  for (const target of [
    undefined,
    '',
    '*',
    'http://[::1',
    'http://127.0.0.1:43123/',
    'evil.example:80',
    '?x',
  ]) {
    assert.equal(status(requestDecision(page({ target }), server)), 400, String(target));
    assert.equal(status(upgradeDecision(api({ target }), server)), 400, String(target));
  }
  assert.deepEqual(requestDecision(page({ target: '//' }), server), { action: 'serve', pathname: '//' });
  assert.deepEqual(requestDecision(page({ target: '//evil.example/x' }), server), {
    action: 'serve',
    pathname: '//evil.example/x',
  });
});

test('the token in the query sets the cookie and sends the browser back to the same path, never elsewhere', () => {
  assert.deepEqual(requestDecision(page({ cookie: undefined, target: `/?token=${TOKEN}` }), server), {
    action: 'set-cookie',
    location: '/',
  });
  assert.deepEqual(
    requestDecision(page({ cookie: undefined, target: `/app.js?a=1&token=${TOKEN}` }), server),
    {
      action: 'set-cookie',
      location: '/app.js?a=1',
    },
  );
  for (const target of [
    `//evil.example/?token=${TOKEN}`,
    `/\\evil.example/?token=${TOKEN}`,
    `///x?token=${TOKEN}`,
  ]) {
    const decision = requestDecision(page({ cookie: undefined, target }), server);
    assert.equal(decision.action, 'set-cookie', target);
    const location = decision.action === 'set-cookie' ? decision.location : '';
    assert.match(location, /^\/[^/\\]/, `${target} → ${location}`);
  }
});

test('without the token or its cookie: 403; other methods: 405', () => {
  for (const cookie of [
    undefined,
    '',
    'phantom_token=nope',
    `phantom_token=${TOKEN}x`,
    `phantom_token=${'a'.repeat(63)}\u00f0`,
    `phantom_token=${'\u00e9'.repeat(64)}`,
    `other=${TOKEN}`,
  ]) {
    assert.equal(status(requestDecision(page({ cookie }), server)), 403, String(cookie));
    assert.equal(status(upgradeDecision(api({ cookie }), server)), 403, String(cookie));
  }
  assert.equal(
    status(requestDecision(page({ cookie: `a=b; phantom_token=${TOKEN}; c=d` }), server)),
    'serve',
  );
  assert.equal(status(requestDecision(page({ cookie: undefined, target: '/?token=short' }), server)), 403);
  for (const method of ['POST', 'PUT', 'OPTIONS', 'get', undefined])
    assert.equal(status(requestDecision(page({ method }), server)), 405, String(method));
});

test('the API socket needs the path /api and the server own Origin as well', () => {
  assert.equal(status(upgradeDecision(api({}), server)), 'accept');
  for (const target of ['/', '//', '/api/', '/API', '//api'])
    assert.equal(status(upgradeDecision(api({ target }), server)), 403, target);
  for (const origin of [undefined, 'null', 'http://evil.example', 'http://localhost:43123', `${ORIGIN}/`])
    assert.equal(status(upgradeDecision(api({ origin }), server)), 403, String(origin));
});

test('a served path maps to a file inside the static folder, or is refused with 400 or 404', () => {
  const www = join('/srv', 'www');
  assert.deepEqual(staticFileDecision(www, '/'), { action: 'serve', file: join(www, 'index.html') });
  assert.deepEqual(staticFileDecision(www, '//'), { action: 'serve', file: join(www, 'index.html') });
  assert.deepEqual(staticFileDecision(www, '/app%2Ejs'), { action: 'serve', file: join(www, 'app.js') });
  for (const pathname of ['/%', '/%E0%A4%A', '/%ZZ', '/a%2', '/%C0%AF', '/%ed%a0%80'])
    assert.equal(status(staticFileDecision(www, pathname)), 400, pathname);
  assert.equal(status(staticFileDecision(www, '/%00')), 404);
  assert.equal(status(staticFileDecision(www, '/a%00.js')), 404);
  // Climbing out ends at the folder's own root: what is served is always inside it.
  for (const pathname of [
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/secret',
    '/..\\..\\x',
    '/a/../../..',
    '/%2F%2Fetc',
  ]) {
    const decision = staticFileDecision(www, pathname);
    assert.ok(
      decision.action === 'serve' && decision.file.startsWith(`${www}/`),
      `${pathname}: ${JSON.stringify(decision)}`,
    );
  }
});
