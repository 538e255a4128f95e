/**
 * Where the window may go and what it may load: it shows one page and never leaves it, opens
 * no windows of its own, and loads nothing from outside the app (no remote content). Links a
 * user clicks in the console (http and https only) go to the system's browser instead.
 */
import { APP_HOST, APP_PAGE_URL, APP_SCHEME } from './app-protocol-policy.js';

/** will-navigate / will-redirect: only a reload of the app's page itself. */
export function mayNavigate(url: string): boolean {
  return url === APP_PAGE_URL;
}

export type WindowOpenDecision = { action: 'deny' } | { action: 'open-in-system-browser'; url: string };

/**
 * setWindowOpenHandler: no Electron window is ever opened. A plain web link (xterm.js's link
 * addon opens the URLs printed in the console) is handed to the system's browser; anything
 * else (file:, javascript:, custom schemes, our own pages) is dropped.
 */
export function windowOpenDecision(url: string): WindowOpenDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny' };
  }
  const web = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  return web && !parsed.username && !parsed.password
    ? { action: 'open-in-system-browser', url: parsed.href }
    : { action: 'deny' };
}

/**
 * session.webRequest.onBeforeRequest: the page may load its own files, data: URLs (Monaco's
 * and xterm.js's inline fonts and icons) and, for a developer who opens them, DevTools' own.
 * Every other request (http, https, ws, file, ftp...) is cancelled before it leaves.
 */
export function mayLoad(url: string): boolean {
  if (url.startsWith('data:')) return true;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Node's URL gives a custom scheme no origin ('null'), so compare scheme and host.
  return (
    (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) || parsed.protocol === 'devtools:'
  );
}
