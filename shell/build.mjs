// Bundles what tsc alone cannot ship: the renderer (ES modules for the browser, with their static
// files) into dist/www, Monaco's editor worker and the inspector graph's layout worker as
// same-origin module workers (dist/www/editor.worker.js, graph-layout.worker.js), the preload into CommonJS (dist/preload/preload.cjs), as
// Electron's sandboxed preloads require, the host into one file per entry (browser mode's
// dist/host/main.bundle.js, Electron's dist/host/electron-host.bundle.js), the language server
// the host runs in a worker (dist/host/language-server.bundle.js), the channel broker and the
// console keeper a host starts for a machine (dist/host/channel-broker-main.js,
// console-keeper-main.js) and Electron's main into
// dist/main/main.bundle.js. Fast enough (esbuild) to run on every build.
//
// Start-up is what shapes the renderer bundle: app.js holds only the workspace frame (machine
// bar, explorer, console panel, timeline, the API client and its validators); xterm.js, the
// inspector's views and Monaco are chunks imported dynamically, and index.html preloads the
// chunks app.js imports statically, so the browser fetches them in parallel with app.js.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const shell = dirname(fileURLToPath(import.meta.url));
const www = join(shell, 'dist', 'www');
mkdirSync(www, { recursive: true });
for (const name of readdirSync(join(shell, 'static')))
  if (name !== 'index.html') copyFileSync(join(shell, 'static', name), join(www, name));

const browserTarget = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome120',
  logLevel: 'warning',
};

/**
 * zod's `z.locales` (every language's error messages, 258 KB minified) is a namespace the studio
 * never reads; the renderer gets an empty one. Errors stay English: zod's schemas import its
 * English locale directly.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'without-zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'without-zod-locales' }, () => ({ contents: '', loader: 'js' }));
  },
};

/**
 * Monaco's own stylesheets (170 KB) would otherwise land in app.css, which the browser must parse
 * before the first paint; they go to editor.css instead, which the renderer links when it loads
 * the editor.
 */
const monacoCss = /[\\/]node_modules[\\/]monaco-editor[\\/].*\.css$/;
const withoutMonacoCss = {
  name: 'without-monaco-css',
  setup(b) {
    b.onLoad({ filter: monacoCss }, () => ({ contents: '', loader: 'css' }));
  },
};

rmSync(join(www, 'chunks'), { recursive: true, force: true });
const renderer = await build({
  ...browserTarget,
  entryPoints: { app: join(shell, 'src/renderer/app.ts') },
  outdir: www,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  minify: true,
  sourcemap: true,
  metafile: true,
  loader: { '.ttf': 'file' },
  plugins: [withoutZodLocales, withoutMonacoCss],
});
const appOutput = renderer.metafile.outputs[relative(process.cwd(), join(www, 'app.js'))];
if (!appOutput) throw new Error('build: esbuild did not report dist/www/app.js');
const preloads = appOutput.imports
  .filter((i) => i.kind === 'import-statement')
  .map((i) => `    <link rel="modulepreload" href="${relative(www, i.path)}" />\n`)
  .join('');
const page = readFileSync(join(shell, 'static/index.html'), 'utf8');
const appScript = '    <script type="module" src="app.js"></script>\n';
if (!page.includes(appScript)) throw new Error('build: static/index.html does not load app.js');
writeFileSync(join(www, 'index.html'), page.replace(appScript, appScript + preloads));

// Monaco's CSS in import order: the CSS output of bundling the editor's setup module on its own.
const editorStyles = await build({
  ...browserTarget,
  entryPoints: { editor: join(shell, 'src/renderer/monaco.ts') },
  outdir: www,
  minify: true,
  write: false,
  loader: { '.ttf': 'file' },
  assetNames: '[name]-[hash]',
});
for (const file of editorStyles.outputFiles)
  if (file.path.endsWith('.css') || file.path.endsWith('.ttf')) writeFileSync(file.path, file.contents);

await build({
  ...browserTarget,
  entryPoints: { 'editor.worker': 'monaco-editor/editor/editor.worker.js' },
  outdir: www,
  minify: true,
});
// The inspector graph's layout worker (d3-force), beside the page under the name the graph view
// asks for, for the same reason: a same-origin module worker, which the CSP's worker-src 'self' allows.
const { GRAPH_LAYOUT_WORKER_FILE } = await import('@phantom/inspector/common/graph-layout.js');
await build({
  ...browserTarget,
  entryPoints: ['@phantom/inspector/browser/graph-layout-worker.js'],
  outfile: join(www, GRAPH_LAYOUT_WORKER_FILE),
  minify: true,
});
// The host as one module per entry: browser mode's (main.bundle.js) and Electron's utility
// process's (electron-host.bundle.js). Node resolves and loads about 200 ES modules for it
// otherwise (zod alone is 99 files), which is most of its start-up; and a package carries these
// files, not the workspace packages. They stay in dist/host because paths.ts and vm-manager's
// build.ts find the repository (in a package: the resources folder) from import.meta.url, two
// and three folders up. The native addons (node-pty, @unraid/libvirt, which loads its .node file
// relative to its own JavaScript) and ws's optional accelerators stay outside, resolved from
// node_modules at run time; the banner gives the CommonJS modules inside (ws) the `require` an ES
// module lacks. Compiling the bundle is most of the host's start-up CPU, so it leaves out zod's
// locales and is minified, but keeps its names (the host's stack traces reach the user as error
// details): 1.4 MB becomes 0.7 MB. What an entry imports dynamically (the services and the API's
// side) is a chunk beside it (main.bundle.*.js), which the host compiles while the browser loads
// the page; scripts/stage-app.mjs carries the chunks too.
const hostDir = join(shell, 'dist/host');
for (const name of readdirSync(hostDir)) if (name.startsWith('main.bundle.')) rmSync(join(hostDir, name));
await build({
  entryPoints: {
    'main.bundle': join(shell, 'dist/host/main.js'),
    'electron-host.bundle': join(shell, 'dist/host/electron-host.js'),
  },
  outdir: hostDir,
  chunkNames: 'main.bundle.[name]-[hash]',
  splitting: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [withoutZodLocales],
  sourcemap: true,
  external: ['node-pty', '@unraid/libvirt', 'bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
  logLevel: 'warning',
});
// The editor's language server (lang's worker entry), one file beside the host's bundles, where the
// host starts it as a worker thread (src/host/language-server.ts): vscode-languageserver and the
// compiler inside, so a package needs no lang package to run it.
await build({
  entryPoints: { 'language-server.bundle': join(shell, '../lang/dist/node/lsp/worker.js') },
  outdir: hostDir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
  logLevel: 'warning',
});
// A machine's channel broker and console keeper (vm-manager's channel-broker-main.js and
// console-keeper-main.js), a file each beside the host's bundles, where vm-manager's code in them
// finds them (a URL relative to itself) and starts them as Node processes of their own: browser
// mode's host runs them; a packaged Electron, which cannot run a script as Node, runs them inside
// its host instead.
await build({
  entryPoints: {
    'channel-broker-main': join(shell, '../vm-manager/dist/node/channel-broker-main.js'),
    'console-keeper-main': join(shell, '../vm-manager/dist/node/console-keeper-main.js'),
  },
  outdir: hostDir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
});
// Electron's main process in one file, for the package (electron-builder.yml); a checkout's
// `electron shell` runs the unbundled dist/main/main.js.
await build({
  entryPoints: { 'main.bundle': join(shell, 'dist/main/main.js') },
  outdir: join(shell, 'dist/main'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['electron'],
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
