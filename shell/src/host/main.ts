/**
 * The host process's entry point in browser mode: starts the services and the HTTP/WebSocket
 * server on 127.0.0.1 and prints the URL with its token. (In Electron, main starts the same
 * handlers behind a MessagePort instead; see ../main/main.ts.)
 *
 *   node shell/dist/host/main.bundle.js [--port N]
 *
 * main.bundle.js is this module and what it imports at once, bundled (shell/build.mjs), which
 * Node loads several times faster than the modules one by one. The services (vm-manager,
 * inspector, lang) and the API's side are a chunk of their own, imported once the server
 * listens: the URL is printed, and the page loads, while Node compiles them.
 */
// First, so that every schema of the host (vm-manager's too) is built jitless.
import '../common/zod.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rendererDir, repositoryPackageJson } from './paths.js';
import { startHostServer } from './server.js';
import { readStudioVersion } from './studio-version.js';

function parsePort(args: string[]): number {
  const at = args.indexOf('--port');
  if (at < 0) return 0;
  const port = Number(args[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`phantom host: --port needs a number from 0 to 65535, not '${args[at + 1] ?? ''}'`);
    process.exit(2);
  }
  return port;
}

const port = parsePort(process.argv.slice(2));
if (!existsSync(join(rendererDir, 'index.html'))) {
  console.error(`phantom host: the renderer is not built (${rendererDir}); run npm start`);
  process.exit(1);
}
const version = readStudioVersion(repositoryPackageJson);
const server = await startHostServer({
  staticDir: rendererDir,
  services: import('./compose.js').then(({ composeServices }) =>
    composeServices({ version, mode: 'browser' }),
  ),
  port,
});
console.log(`Phantom Studio ${version} (browser mode): ${server.urlWithToken}`);

const shutdown = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
