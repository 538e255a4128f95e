/**
 * Browser mode's front door: an HTTP server on 127.0.0.1 only, that serves the renderer's
 * static files and the API over a WebSocket, to holders of the per-run token and nobody else.
 *
 * The token arrives once in the URL (`/?token=…`); the server answers with an HttpOnly,
 * SameSite=Strict cookie and a redirect to the bare URL, so the token does not stay in the
 * address bar or the history. Every request needs that cookie (or the token in the query);
 * the WebSocket also needs an Origin equal to the server's own, so another page open in the
 * same browser cannot reach the API. Every request must also name the server's own address in
 * its Host header, so a page on a name whose DNS an attacker points at 127.0.0.1 (DNS rebinding)
 * gets nothing.
 *
 * Who gets through is decided by request-policy.ts (pure functions); this file applies its
 * decisions. Nothing a request holds may end the host: a handler that throws anyway answers 500
 * (or drops its connection) and says why on stderr.
 *
 * Start-up: the server listens and serves the page first; the API's side (api-socket.ts: ws,
 * the contract's validators, the services) is imported once it listens, while the browser
 * fetches and runs the page, which opens the API's socket last. An upgrade that arrives
 * before it is loaded waits for it.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentSecurityPolicy } from '../common/content-security-policy.js';
import { rendererContentType } from '../common/renderer-files.js';
import type { ApiSocket } from './api-socket.js';
import {
  HOST_ADDRESS,
  type RequestHead,
  requestDecision,
  type ServerIdentity,
  serverAuthority,
  serverOrigin,
  staticFileDecision,
  TOKEN_COOKIE,
  upgradeDecision,
} from './request-policy.js';
import type { HostServices } from './services.js';

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

function headOf(req: IncomingMessage): RequestHead {
  return {
    method: req.method,
    target: req.url,
    host: req.headers.host,
    cookie: req.headers.cookie,
    origin: req.headers.origin,
  };
}

/** Answers an upgrade it will not take, on the raw socket (there is no ServerResponse for one). */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${message}\n`,
  );
}

function describe(req: IncomingMessage, err: unknown): string {
  const what = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return `phantom host: ${req.method} ${JSON.stringify(req.url)} failed: ${what}`;
}

export function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  // The port is set once the server listens, before the first request can arrive.
  const identity: ServerIdentity = { port: -1, token };
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

  const serveFile = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const decision = staticFileDecision(options.staticDir, pathname);
    if (decision.action === 'refuse') return deny(res, decision.status, decision.message);
    const stats = await stat(decision.file).catch(() => undefined);
    if (!stats?.isFile()) return deny(res, 404, 'not found');
    res.writeHead(200, {
      'Content-Type': rendererContentType(decision.file),
      'Content-Length': stats.size,
      ...securityHeaders(),
    });
    if (req.method === 'HEAD') return res.end();
    // A browser that goes away mid-file is no failure of ours; pipeline has closed both ends.
    await pipeline(createReadStream(decision.file), res).catch(() => undefined);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const decision = requestDecision(headOf(req), identity);
    switch (decision.action) {
      case 'refuse':
        return deny(res, decision.status, decision.message);
      case 'set-cookie':
        res.writeHead(303, {
          Location: decision.location,
          'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          ...securityHeaders(),
        });
        return res.end();
      case 'serve':
        return serveFile(req, res, decision.pathname);
    }
  };

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      console.error(describe(req, err));
      if (res.headersSent) res.destroy();
      else deny(res, 500, 'internal error');
    });
  });

  // A client may half-close its side once it has sent its request (`printf … | nc` does); by
  // default Node then ends the connection at once, losing any answer that takes a turn to come
  // (a file's stat, say). This answers first, then closes.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

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

  const handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = upgradeDecision(headOf(req), identity);
    if (decision.action === 'refuse') return refuseUpgrade(socket, decision.status, decision.message);
    let loaded: ApiSocket;
    try {
      loaded = await apiSocket();
    } catch (err) {
      return refuseUpgrade(socket, 503, (err as Error).message);
    }
    loaded.accept(req, socket, head);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node stops hearing an upgraded socket's errors; a reset before ws takes it would be uncaught.
    socket.on('error', () => socket.destroy());
    handleUpgrade(req, socket, head).catch((err: unknown) => {
      console.error(describe(req, err));
      socket.destroy();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST_ADDRESS, () => {
      identity.port = (server.address() as AddressInfo).port;
      const origin = serverOrigin(identity.port);
      policy = contentSecurityPolicy([`ws://${serverAuthority(identity.port)}`]);
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
