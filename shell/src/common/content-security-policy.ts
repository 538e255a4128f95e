/**
 * The renderer's Content-Security-Policy, one for both modes: browser mode's server sends it
 * with every response, and Electron's app protocol with every file it serves. Nothing remote,
 * no inline script, no eval, no plugins, no frames; the page talks to its own origin only
 * (plus, in browser mode, the API's WebSocket on that same host and port).
 */

/**
 * Inline styles stay allowed because Monaco and xterm.js need them: both create `<style>`
 * elements at run time whose text changes (Monaco's theme, decorations and widget sizes;
 * xterm.js's cell dimensions) and set `style` attributes, so no hash or nonce can cover them.
 * With `style-src 'self'` Chromium reports about fifty violations on opening one file and
 * Monaco draws no squiggles. Scripts need neither 'unsafe-inline' nor 'unsafe-eval'.
 */
const STYLE_SOURCES = "'self' 'unsafe-inline'";

/**
 * The policy as a header value. `apiSources` are the extra origins the page may connect to
 * besides its own: browser mode's `ws://127.0.0.1:PORT` (a WebSocket is not 'self' in every
 * browser); none in Electron, where the API goes over IPC.
 */
export function contentSecurityPolicy(apiSources: readonly string[] = []): string {
  for (const source of apiSources) {
    if (!/^wss?:\/\/[^\s;,*'"]+$/.test(source))
      throw new Error(`contentSecurityPolicy: '${source}' is not a WebSocket origin`);
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${STYLE_SOURCES}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...apiSources].join(' '),
    "worker-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
