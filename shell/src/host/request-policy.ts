/**
 * Which requests browser mode's server (server.ts) lets through, as pure functions over what a
 * request says: the Host it names, its target, its method, its token or cookie, its Origin. A
 * request is the one input any local process or web page controls, so every function here is
 * total: whatever the bytes, the answer is a decision, never a throw.
 *
 * The rules: the Host must be the address the server bound (a page on a name that an attacker's
 * DNS points at 127.0.0.1 is still refused: DNS rebinding); the target must be a path (origin
 * form); the token, given once in the query, is exchanged for a cookie that every later request
 * carries; the API's WebSocket also needs an Origin equal to the server's own.
 */
import { timingSafeEqual } from 'node:crypto';
import { join, normalize, sep } from 'node:path';

export const TOKEN_COOKIE = 'phantom_token';

/** The one address browser mode listens on. */
export const HOST_ADDRESS = '127.0.0.1';

export interface ServerIdentity {
  port: number;
  token: string;
}

/** What the request and upgrade handlers read off an IncomingMessage. */
export interface RequestHead {
  method: string | undefined;
  /** The request line's target, as sent (req.url). */
  target: string | undefined;
  host: string | undefined;
  cookie: string | undefined;
  origin?: string | undefined;
}

export type Refusal = { action: 'refuse'; status: 400 | 403 | 404 | 405 | 421; message: string };

export type RequestDecision =
  | Refusal
  /** The token was in the query: set the cookie and send the browser to the same URL without it. */
  | { action: 'set-cookie'; location: string }
  | { action: 'serve'; pathname: string };

export type UpgradeDecision = Refusal | { action: 'accept' };

export type StaticFileDecision = Refusal | { action: 'serve'; file: string };

/** host[:port] as a browser writes it in Host and Origin: no port when it is HTTP's default. */
export function serverAuthority(port: number): string {
  return port === 80 ? HOST_ADDRESS : `${HOST_ADDRESS}:${port}`;
}

export function serverOrigin(port: number): string {
  return `http://${serverAuthority(port)}`;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  // Bytes, not characters: a header's 'ð' is one character and two bytes, and timingSafeEqual
  // throws on buffers of different lengths.
  const givenBytes = Buffer.from(given);
  const tokenBytes = Buffer.from(token);
  return givenBytes.length === tokenBytes.length && timingSafeEqual(givenBytes, tokenBytes);
}

function cookieToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

/** The path and query of an origin-form target (`/path?query`); undefined for any other form. */
function parseTarget(target: string | undefined): URL | undefined {
  // Absolute form (`http://host/…`), authority form and `*` are for proxies; the studio is none.
  if (target === undefined || !target.startsWith('/')) return undefined;
  try {
    // Appended to a fixed origin rather than resolved against it, so `//x` stays a path.
    return new URL(`http://${HOST_ADDRESS}${target}`);
  } catch {
    return undefined;
  }
}

function refuse(status: Refusal['status'], message: string): Refusal {
  return { action: 'refuse', status, message };
}

function misdirected(server: ServerIdentity): Refusal {
  return refuse(421, `Phantom Studio answers only to ${serverAuthority(server.port)}.`);
}

export function requestDecision(head: RequestHead, server: ServerIdentity): RequestDecision {
  if (head.host !== serverAuthority(server.port)) return misdirected(server);
  const url = parseTarget(head.target);
  if (url === undefined) return refuse(400, 'bad request target');
  if (head.method !== 'GET' && head.method !== 'HEAD') return refuse(405, 'method not allowed');
  if (sameToken(url.searchParams.get('token') ?? undefined, server.token)) {
    url.searchParams.delete('token');
    // One leading slash: `//evil.example/` in a Location would leave for evil.example.
    return { action: 'set-cookie', location: `/${url.pathname.replace(/^\/+/, '')}${url.search}` };
  }
  if (!sameToken(cookieToken(head.cookie), server.token))
    return refuse(403, 'Phantom Studio: open the URL with the token that `npm start` printed.');
  return { action: 'serve', pathname: url.pathname };
}

/** The API's WebSocket: the own Host, the path /api, the server's own Origin and the cookie. */
export function upgradeDecision(head: RequestHead, server: ServerIdentity): UpgradeDecision {
  if (head.host !== serverAuthority(server.port)) return misdirected(server);
  const url = parseTarget(head.target);
  if (url === undefined) return refuse(400, 'bad request target');
  if (
    url.pathname !== '/api' ||
    head.origin !== serverOrigin(server.port) ||
    !sameToken(cookieToken(head.cookie), server.token)
  )
    return refuse(403, 'forbidden');
  return { action: 'accept' };
}

/** The file under `staticDir` that a served pathname names, or why there is none. */
export function staticFileDecision(staticDir: string, pathname: string): StaticFileDecision {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return refuse(400, 'bad percent-encoding in the path');
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const file = join(staticDir, relative || 'index.html');
  if (decoded.includes('\0') || (!file.startsWith(staticDir + sep) && file !== staticDir))
    return refuse(404, 'not found');
  return { action: 'serve', file };
}
