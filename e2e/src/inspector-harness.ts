/**
 * Serves the inspector's harness page (inspector/src/browser/harness.ts, bundled with esbuild,
 * and the graph's layout worker beside it) under the studio's Content-Security-Policy,
 * with generations of a real program: the example is compiled by lang, its image built, and the
 * reference interpreter runs it; the space is copied after each run step, so every "generation"
 * is the machine's object space at that moment, exactly as the kernel would commit it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRAPH_LAYOUT_WORKER_FILE } from '@phantom/inspector/common/graph-layout.js';
import { compile } from '@phantom/lang/common/compiler.js';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { Machine } from '@phantom/lang/common/interp/machine.js';
import { SH_TOP, SPACE_BASE } from '@phantom/lang/common/spec/generated.js';
import { build } from 'esbuild';
import { repoRoot } from './fixtures.js';
import { serveHarness } from './harness-server.js';

export interface HarnessServer {
  url: string;
  /** Generation n's space bytes (up to SH_TOP). */
  generations: Uint8Array[];
  stop(): Promise<void>;
}

/**
 * Compiles `examples/<name>.ph`, builds its image (a space of `spaceBytes`), and records a
 * generation after each run step: `steps` are the machine times (ms) each step runs up to.
 */
export function programGenerations(
  name: string,
  mainClass: string,
  steps: readonly number[],
  spaceBytes = 4 << 20,
): Uint8Array[] {
  const file = join(repoRoot, 'lang/examples', `${name}.ph`);
  const { program, diagnostics } = compile([{ file, text: readFileSync(file, 'utf8') }]);
  if (!program)
    throw new Error(`${name}.ph does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  const space = buildSpace(program, { spaceBytes, mainClasses: [mainClass] });
  const machine = new Machine(space);
  const used = (bytes: Uint8Array) => {
    const top = new DataView(bytes.buffer, bytes.byteOffset).getUint32(SH_TOP, true) - SPACE_BASE;
    return bytes.slice(0, Math.ceil(top / 4096) * 4096);
  };
  const generations = [used(space)];
  for (const ms of steps) {
    machine.run({ maxMachineMs: ms, maxSteps: 50_000_000 });
    generations.push(used(space));
  }
  return generations;
}

export async function startHarness(generations: Uint8Array[]): Promise<HarnessServer> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-inspector-harness-'));
  await build({
    entryPoints: [join(repoRoot, 'inspector/dist/browser/harness.js')],
    outfile: join(dir, 'harness.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(repoRoot, 'inspector/dist/browser/graph-layout-worker.js')],
    outfile: join(dir, GRAPH_LAYOUT_WORKER_FILE),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  });
  const files: Record<string, [string, Buffer]> = {
    '/': [
      'text/html',
      Buffer.from(
        '<!doctype html><html><head><meta charset="utf-8"><title>Inspector</title>' +
          '<link rel="stylesheet" href="/uplot.css"><link rel="stylesheet" href="/inspector.css">' +
          '<style>html,body,#app{margin:0;height:100%}</style></head>' +
          '<body><div id="app"></div><div id="errors" data-testid="harness-errors"></div>' +
          '<script type="module" src="/harness.js"></script></body></html>',
      ),
    ],
    '/harness.js': ['text/javascript', readFileSync(join(dir, 'harness.js'))],
    [`/${GRAPH_LAYOUT_WORKER_FILE}`]: ['text/javascript', readFileSync(join(dir, GRAPH_LAYOUT_WORKER_FILE))],
    '/inspector.css': ['text/css', readFileSync(join(repoRoot, 'inspector/src/browser/inspector.css'))],
    // uPlot's own stylesheet, which the charts need: the studio bundles it into app.css.
    '/uplot.css': [
      'text/css',
      readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css')),
    ],
  };
  // Under the studio's own policy, so the views (and the graph's worker) are tested under it.
  const server = await serveHarness(files, (url, res) => {
    if (url.pathname === '/generations') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(generations.map((_, i) => ({ generation: i, parent: i === 0 ? null : i - 1 }))));
      return true;
    }
    if (url.pathname === '/space') {
      const gen = url.searchParams.has('gen') ? Number(url.searchParams.get('gen')) : generations.length - 1;
      const bytes = generations[gen];
      if (!bytes) {
        res.writeHead(404).end(`no generation ${gen}`);
        return true;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Generation': String(gen) });
      res.end(Buffer.from(bytes));
      return true;
    }
    return false;
  });
  return {
    url: server.url,
    generations,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
