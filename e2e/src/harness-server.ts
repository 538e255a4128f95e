/**
 * The static server a view's harness page loads from (a view mounted alone in Chromium, no
 * studio): fixed files under the studio's own Content-Security-Policy, so the view is tested under
 * the policy it ships with, and a harness's own routes in front of them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentSecurityPolicy } from '@phantom/shell/common/content-security-policy.js';

/** A harness page's files: URL path → [content type, body]. */
export type HarnessFiles = Record<string, [string, string | Uint8Array]>;

/** Answers a request the files do not (true when it did). */
export type HarnessRoute = (url: URL, res: ServerResponse, req: IncomingMessage) => boolean;

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `files` (and `route` before them) on 127.0.0.1 at a free port. */
export async function serveHarness(files: HarnessFiles, route?: HarnessRoute): Promise<HarnessServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (route?.(url, res, req)) return;
    const file = files[url.pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file[0], 'Content-Security-Policy': contentSecurityPolicy() });
    res.end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
