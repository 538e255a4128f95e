/**
 * The app's own URL scheme. Electron loads the renderer from `phantom-studio://app/`, not from
 * file://, so the page has an origin of its own (file:// pages share one and may read any
 * file), and every response carries the Content-Security-Policy. This file decides what a
 * request on that scheme gets; main.ts only reads the file it names.
 */
import { join, posix, sep } from 'node:path';
import { contentSecurityPolicy } from '../common/content-security-policy.js';
import { rendererContentType } from '../common/renderer-files.js';

export const APP_SCHEME = 'phantom-studio';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The one page the window shows. */
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/**
 * The scheme's privileges (protocol.registerSchemesAsPrivileged): a standard, secure origin so
 * that ES modules, module workers (Monaco's) and fetch work as on https; V8's code cache for a
 * faster second start. No service workers, no CORS for others, no bypassing the CSP.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  codeCache: true,
  allowServiceWorkers: false,
  corsEnabled: false,
  bypassCSP: false,
  stream: false,
} as const;

export type AppResponse =
  | { kind: 'file'; path: string; headers: Record<string, string> }
  | { kind: 'refused'; status: 400 | 404 | 405; reason: string };

/** Headers of every file the scheme serves. */
export function appResponseHeaders(path: string): Record<string, string> {
  return {
    'Content-Type': rendererContentType(path),
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

/** Which file of `rendererDir` a request gets, if any: nothing outside it, only GET and HEAD. */
export function resolveAppRequest(method: string, url: string, rendererDir: string): AppResponse {
  if (method !== 'GET' && method !== 'HEAD')
    return { kind: 'refused', status: 405, reason: `method ${method}` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'refused', status: 400, reason: `not a URL: ${url}` };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username || parsed.password)
    return { kind: 'refused', status: 404, reason: `not the app's origin: ${parsed.origin}` };
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return { kind: 'refused', status: 400, reason: `bad escape in ${parsed.pathname}` };
  }
  if (pathname.includes('\0') || pathname.includes('\\'))
    return { kind: 'refused', status: 404, reason: `bad character in ${pathname}` };
  // Normalising an absolute path resolves every '..' against the root, inside the folder.
  const relative = posix.normalize(pathname).replace(/^\/+/, '');
  const path = join(rendererDir, relative === '' ? 'index.html' : relative);
  if (!path.startsWith(rendererDir + sep))
    return { kind: 'refused', status: 404, reason: `outside the app: ${pathname}` };
  return { kind: 'file', path, headers: appResponseHeaders(path) };
}
