// What the app scheme serves: files of the renderer folder with the CSP, and nothing else.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentSecurityPolicy } from '../common/content-security-policy.js';
import { APP_ORIGIN, APP_PAGE_URL, resolveAppRequest } from './app-protocol-policy.js';

const www = '/opt/phantom/www';

test('the page and its files come from the renderer folder, with the CSP and their types', () => {
  const page = resolveAppRequest('GET', APP_PAGE_URL, www);
  assert.equal(page.kind, 'file');
  assert.equal(page.kind === 'file' && page.path, join(www, 'index.html'));
  assert.equal(page.kind === 'file' && page.headers['Content-Security-Policy'], contentSecurityPolicy());
  assert.equal(page.kind === 'file' && page.headers['Content-Type'], 'text/html; charset=utf-8');
  const root = resolveAppRequest('HEAD', `${APP_ORIGIN}/`, www);
  assert.equal(root.kind === 'file' && root.path, join(www, 'index.html'));
  const chunk = resolveAppRequest('GET', `${APP_ORIGIN}/chunks/editor-panel-X.js?v=1#top`, www);
  assert.equal(chunk.kind === 'file' && chunk.path, join(www, 'chunks', 'editor-panel-X.js'));
  assert.equal(chunk.kind === 'file' && chunk.headers['Content-Type'], 'text/javascript; charset=utf-8');
  assert.equal(chunk.kind === 'file' && chunk.headers['X-Content-Type-Options'], 'nosniff');
});

test('paths cannot leave the renderer folder, however they are spelled', () => {
  // Dot segments, plain or escaped, resolve against the folder's root and stay inside it.
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/chunks/%2e%2e/%2e%2e/%2E%2E/secret.txt']) {
    const answer = resolveAppRequest('GET', `${APP_ORIGIN}${path}`, www);
    assert.equal(answer.kind === 'file' && answer.path, join(www, 'secret.txt'), path);
  }
  for (const path of ['/..%2fsecret.txt', '/..%5csecret.txt', '/%00', '/a%00.js', '/%E0%A4%A']) {
    const answer = resolveAppRequest('GET', `${APP_ORIGIN}${path}`, www);
    assert.ok(
      answer.kind === 'refused' || answer.path.startsWith(`${www}/`),
      `${path} -> ${JSON.stringify(answer)}`,
    );
    assert.ok(answer.kind === 'refused' || !answer.path.includes('..'), path);
  }
  assert.equal(resolveAppRequest('GET', `${APP_ORIGIN}/%00`, www).kind, 'refused');
  assert.equal(resolveAppRequest('GET', `${APP_ORIGIN}/..%5csecret.txt`, www).kind, 'refused');
  assert.equal(resolveAppRequest('GET', `${APP_ORIGIN}/%E0%A4%A`, www).kind, 'refused');
});

test('other origins, schemes and methods are refused', () => {
  for (const url of [
    'phantom-studio://other/index.html',
    'phantom-studio://user:pw@app/index.html',
    'https://app/index.html',
    'file:///opt/phantom/www/index.html',
    'not a url',
  ]) {
    assert.equal(resolveAppRequest('GET', url, www).kind, 'refused', url);
  }
  const post = resolveAppRequest('POST', APP_PAGE_URL, www);
  assert.equal(post.kind === 'refused' && post.status, 405);
});
