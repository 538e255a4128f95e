// Bundles what tsc alone cannot ship: the renderer (one ES module for the browser, with the
// CSS and fonts of xterm.js and Monaco in app.css, and its static files) into dist/www,
// Monaco's editor worker as a same-origin module worker (dist/www/editor.worker.js), and the
// preload into CommonJS (dist/preload/preload.cjs), as Electron's sandboxed preloads require.
// Fast enough (esbuild) to run on every build.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const shell = dirname(fileURLToPath(import.meta.url));
const www = join(shell, 'dist', 'www');
mkdirSync(www, { recursive: true });
for (const name of readdirSync(join(shell, 'static')))
  copyFileSync(join(shell, 'static', name), join(www, name));

// Monaco is loaded by a dynamic import, so it lands in its own chunk and the rest of the UI
// starts without waiting for it; esbuild still puts all CSS in app.css.
rmSync(join(www, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { app: join(shell, 'src/renderer/app.ts') },
  outdir: www,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  minify: true,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome120',
  sourcemap: true,
  loader: { '.ttf': 'file' },
  logLevel: 'warning',
});
await build({
  entryPoints: { 'editor.worker': 'monaco-editor/editor/editor.worker.js' },
  outdir: www,
  minify: true,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome120',
  logLevel: 'warning',
});
await build({
  entryPoints: [join(shell, 'src/preload/preload.ts')],
  outfile: join(shell, 'dist/preload/preload.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  external: ['electron'],
  logLevel: 'warning',
});
