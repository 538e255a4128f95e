/**
 * Electron's main process, kept thin: one instance, one window with every web-security
 * switch on, native menus, and a utility process running the host. It forwards the
 * renderer's API frames to the host unchanged; validation happens in the host.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, session, utilityProcess } from 'electron';
import { API_FROM_HOST_CHANNEL, API_TO_HOST_CHANNEL } from '../common/ipc.js';

const shellDist = join(import.meta.dirname, '..');
const indexUrl = pathToFileURL(join(shellDist, 'www', 'index.html')).href;

if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | undefined;
const host = utilityProcess.fork(join(shellDist, 'host', 'electron-host.js'), [], {
  serviceName: 'phantom-host',
});
host.on('message', ({ frame }: { frame: string }) => {
  window?.webContents.send(API_FROM_HOST_CHANNEL, frame);
});
host.on('exit', (code) => {
  window?.webContents.send(
    API_FROM_HOST_CHANNEL,
    JSON.stringify({
      event: 'studio.error',
      data: { title: 'The studio host stopped', message: `exit code ${code}` },
    }),
  );
});

ipcMain.on(API_TO_HOST_CHANNEL, (event, frame: unknown) => {
  // Only our own page may call the API.
  if (event.senderFrame?.url !== indexUrl || typeof frame !== 'string') return;
  host.postMessage({ frame });
});

function createWindow(): void {
  window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Phantom Studio',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: join(shellDist, 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== indexUrl) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void window.loadURL(indexUrl);
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      { role: 'help', submenu: [{ label: `Phantom Studio ${app.getVersion()}`, enabled: false }] },
    ]),
  );
  createWindow();
});

app.on('window-all-closed', () => {
  host.kill();
  app.quit();
});
