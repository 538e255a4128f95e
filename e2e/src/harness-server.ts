/**
 * The static server a view's harness page loads from (a view mounted alone in Chromium, no
 * studio): fixed files under the studio's own Content-Security-Policy, so the view is tested under
 * the policy it ships with, and a harness's own routes in front of them.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { contentSecurityPolicy } from '@phantom/shell/common/content-security-policy.js';
import { build } from 'esbuild';
import { repoRoot } from './fixtures.js';

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

/** A view's harness page: what the page holds besides its script and the studio's stylesheet. */
export interface ViewHarness {
  /** The harness module, compiled (shell/dist/renderer/…-harness.js); bundled here with esbuild. */
  entry: string;
  title: string;
  /** The body's elements the view mounts in (the harness script is added after them). */
  body: string;
  /** Rules of the harness's own, after the studio's (the view's size, outside the workspace's grid). */
  css?: string;
}

/**
 * Serves a view's harness page at `/`: the studio's stylesheet, the stylesheet the harness's
 * imports bring (xterm.js's, say) with `css`, and the harness bundled for Chromium.
 */
export async function serveViewHarness({
  entry,
  title,
  body,
  css = '',
}: ViewHarness): Promise<HarnessServer> {
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Names the outputs (the script, and a stylesheet beside it when CSS is imported); nothing is written.
    outdir: 'harness',
    write: false,
    logLevel: 'warning',
  });
  const output = (ext: string) => bundled.outputFiles.find((f) => f.path.endsWith(ext));
  return serveHarness({
    '/': [
      'text/html',
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
        '<link rel="stylesheet" href="/studio.css"><link rel="stylesheet" href="/harness.css"></head>' +
        `<body>${body}<script type="module" src="/harness.js"></script></body></html>`,
    ],
    '/harness.js': ['text/javascript', output('.js')!.contents],
    '/harness.css': ['text/css', `${output('.css')?.text ?? ''}\n${css}`],
    '/studio.css': ['text/css', readFileSync(join(repoRoot, 'shell/static/studio.css'))],
  });
}
