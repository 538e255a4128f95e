/**
 * Browser mode's front door: an HTTP server on 127.0.0.1 only, that serves the renderer's
 * static files and the API over a WebSocket, to holders of the per-run token and nobody else.
 *
 * The token arrives once in the URL (`/?token=…`); the server answers with an HttpOnly,
 * SameSite=Strict cookie and a redirect to the bare URL, so the token does not stay in the
 * address bar or the history. Every request needs that cookie (or the token in the query);
 * the WebSocket also needs an Origin equal to the server's own, so another page open in the
 * same browser cannot reach the API.
 *
 * Start-up: the server listens and serves the page first; the API's side (api-socket.ts: ws,
 * the contract's validators, the services) is imported once it listens, while the browser
 * fetches and runs the page, which opens the API's socket last. An upgrade that arrives
 * before it is loaded waits for it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, type Stats, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { contentSecurityPolicy } from '../common/content-security-policy.js';
import { rendererContentType } from '../common/renderer-files.js';
import type { ApiSocket } from './api-socket.js';
import type { HostServices } from './services.js';

const TOKEN_COOKIE = 'phantom_token';

export interface HostServerOptions {
  /** Folder with the built renderer (index.html, app.js, ...). */
  staticDir: string;
  /** The services behind the API; as a promise, the server listens while they load. */
  services: HostServices | Promise<HostServices>;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to 32 random bytes, hex. */
  token?: string;
}

export interface HostServer {
  readonly url: string;
  /** The URL with the token: the one to open. */
  readonly urlWithToken: string;
  readonly token: string;
  close(): Promise<void>;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

export function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  let origin = '';
  // Set once the port is known, before the first request can arrive.
  let policy = '';
  const securityHeaders = () => ({
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });

  const deny = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() });
    res.end(`${message}\n`);
  };

  const serveFile = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    const file = join(options.staticDir, relative || 'index.html');
    if (!file.startsWith(options.staticDir + sep) && file !== options.staticDir)
      return deny(res, 404, 'not found');
    let stats: Stats;
    try {
      stats = statSync(file);
    } catch {
      return deny(res, 404, 'not found');
    }
    if (!stats.isFile()) return deny(res, 404, 'not found');
    res.writeHead(200, {
      'Content-Type': rendererContentType(file),
      'Content-Length': stats.size,
      ...securityHeaders(),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    if (sameToken(queryToken, token)) {
      url.searchParams.delete('token');
      res.writeHead(303, {
        Location: url.pathname + url.search,
        'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        ...securityHeaders(),
      });
      return res.end();
    }
    if (!sameToken(cookieToken(req), token)) {
      return deny(res, 403, 'Phantom Studio: open the URL with the token that `npm start` printed.');
    }
    serveFile(req, res, url.pathname);
  });

  let api: Promise<ApiSocket> | undefined;
  /** The endpoint once loaded; closing the server does not wait for services still loading. */
  let endpoint: ApiSocket | undefined;
  let closed = false;
  const apiSocket = () => {
    api ??= Promise.all([import('./api-socket.js'), options.services]).then(([{ ApiSocket }, services]) => {
      endpoint = new ApiSocket(services);
      if (closed) endpoint.close();
      return endpoint;
    });
    return api;
  };
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path !== '/api' || req.headers.origin !== origin || !sameToken(cookieToken(req), token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    apiSocket().then(
      (endpoint) => endpoint.accept(req, socket, head),
      (err: Error) =>
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n${err.message}`),
    );
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      origin = `http://127.0.0.1:${port}`;
      policy = contentSecurityPolicy([`ws://127.0.0.1:${port}`]);
      // After this turn, so whoever started the server can print its URL first. A failure is
      // said here once; every upgrade is then refused with it (503).
      setImmediate(() =>
        apiSocket().catch((err: Error) => console.error(`phantom host: the API did not load: ${err.stack}`)),
      );
      resolve({
        url: `${origin}/`,
        urlWithToken: `${origin}/?token=${token}`,
        token,
        close: () =>
          new Promise<void>((done) => {
            closed = true;
            endpoint?.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
