/**
 * Electron's main process, kept thin: one instance, one locked-down window, native menus, and
 * a utility process running the host. It forwards the renderer's API frames to the host
 * unchanged (validation happens in the host). Every security decision is a pure function in a
 * *-policy.ts file beside this one, tested without Electron; this file only wires them in.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  type UtilityProcess,
  utilityProcess,
  type WebContents,
} from 'electron';
import { API_FROM_HOST_CHANNEL, API_TO_HOST_CHANNEL } from '../common/ipc.js';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, resolveAppRequest } from './app-protocol-policy.js';
import { isTrustedSender } from './ipc-sender-policy.js';
import { mayLoad, mayNavigate, windowOpenDecision } from './navigation-policy.js';
import { mayGrantPermission } from './permission-policy.js';
import { studioWebPreferences } from './web-preferences-policy.js';

const shellDist = join(import.meta.dirname, '..');
const rendererDir = join(shellDist, 'www');

let window: BrowserWindow | undefined;
let host: UtilityProcess | undefined;

function sendToRenderer(frame: string): void {
  window?.webContents.send(API_FROM_HOST_CHANNEL, frame);
}

function startHost(): UtilityProcess {
  // The host in one file (shell/build.mjs): a package carries it without the workspace packages.
  const child = utilityProcess.fork(join(shellDist, 'host', 'electron-host.bundle.js'), [], {
    serviceName: 'phantom-host',
    // A package carries a prebuilt kernel and boot images (electron-builder.yml) and has no
    // compiler; from a checkout the host builds them.
    env: app.isPackaged ? { ...process.env, PHANTOM_PREBUILT_DIR: process.resourcesPath } : process.env,
  });
  child.on('message', ({ frame }: { frame: string }) => sendToRenderer(frame));
  child.on('exit', (code) => {
    sendToRenderer(
      JSON.stringify({
        event: 'studio.error',
        data: { title: 'The studio host stopped', message: `exit code ${code}` },
      }),
    );
  });
  return child;
}

/** Serves the renderer's files on the app scheme, each with the Content-Security-Policy. */
function serveAppScheme(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const answer = resolveAppRequest(request.method, request.url, rendererDir);
    if (answer.kind === 'refused') return new Response(answer.reason, { status: answer.status });
    try {
      const body = request.method === 'HEAD' ? null : await readFile(answer.path);
      return new Response(body, { status: 200, headers: answer.headers });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

/** The same rules for every web contents the app ever has (the window, DevTools...). */
function lockDown(contents: WebContents): void {
  const stayOnPage = (event: { preventDefault(): void }, url: string) => {
    if (!mayNavigate(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayOnPage);
  contents.on('will-redirect', stayOnPage);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.action === 'open-in-system-browser') void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
}

function lockDownSession(): void {
  const studioSession = session.defaultSession;
  studioSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(mayGrantPermission(permission, details.requestingUrl)),
  );
  studioSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    mayGrantPermission(permission, requestingOrigin),
  );
  studioSession.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) =>
    callback({ cancel: !mayLoad(details.url) }),
  );
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Phantom Studio',
    backgroundColor: '#1e1e1e',
    webPreferences: studioWebPreferences(join(shellDist, 'preload', 'preload.cjs')),
  });
  window.on('closed', () => {
    window = undefined;
  });
  void window.loadURL(APP_PAGE_URL);
}

function start(): void {
  ipcMain.on(API_TO_HOST_CHANNEL, (event, frame: unknown) => {
    const sender = {
      webContentsId: event.sender.id,
      frameUrl: event.senderFrame?.url,
      isMainFrame: event.senderFrame?.parent === null,
    };
    if (!isTrustedSender(sender, window?.webContents.id) || typeof frame !== 'string') return;
    host?.postMessage({ frame });
  });
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => {
    host?.kill();
    app.quit();
  });
  void app.whenReady().then(() => {
    lockDownSession();
    serveAppScheme();
    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        { role: 'fileMenu' },
        { role: 'editMenu' },
        { role: 'viewMenu' },
        { role: 'windowMenu' },
        { role: 'help', submenu: [{ label: `Phantom Studio ${app.getVersion()}`, enabled: false }] },
      ]),
    );
    host = startHost();
    createWindow();
  });
}

// Before the app is ready, or the scheme gets no privileges.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
// A second start hands over to the first (which focuses its window) and quits.
if (app.requestSingleInstanceLock()) start();
else app.quit();
