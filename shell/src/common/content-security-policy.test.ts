// The renderer's Content-Security-Policy: what it allows, directive by directive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy } from './content-security-policy.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

test('scripts come from the page itself only: no inline script, no eval, nothing remote', () => {
  const policy = directives(contentSecurityPolicy(['ws://127.0.0.1:4000']));
  assert.deepEqual(policy.get('default-src'), ["'none'"]);
  assert.deepEqual(policy.get('script-src'), ["'self'"]);
  assert.deepEqual(policy.get('worker-src'), ["'self'"]);
  assert.deepEqual(policy.get('object-src'), ["'none'"]);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
  for (const [name, sources] of policy) {
    assert.ok(!sources.includes("'unsafe-eval'"), `${name} allows eval`);
    assert.ok(!sources.some((s) => s.includes('*')), `${name} has a wildcard`);
    assert.ok(!sources.some((s) => /^https?:/.test(s)), `${name} allows a remote origin`);
  }
  assert.deepEqual(
    [...policy].filter(([, sources]) => sources.includes("'unsafe-inline'")).map(([name]) => name),
    ['style-src'],
  );
});

test('the page connects to itself, and to the API origins given, and nowhere else', () => {
  assert.deepEqual(directives(contentSecurityPolicy()).get('connect-src'), ["'self'"]);
  assert.deepEqual(directives(contentSecurityPolicy(['ws://127.0.0.1:4000'])).get('connect-src'), [
    "'self'",
    'ws://127.0.0.1:4000',
  ]);
});

test('an API source that could widen the policy is refused', () => {
  for (const bad of ['*', 'ws://*', "ws://a 'unsafe-eval'", 'ws://a; script-src *', 'https://a', '']) {
    assert.throws(() => contentSecurityPolicy([bad]), /is not a WebSocket origin/, bad);
  }
});
