/**
 * Electron's main process, kept thin: one instance, one window with every web-security
 * switch on, native menus, and a utility process running the host. It forwards the
 * renderer's API frames to the host unchanged; validation happens in the host.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, session, utilityProcess } from 'electron';
import { API_CHANNEL } from '../common/ipc.js';

const shellDist = join(import.meta.dirname, '..');
const indexUrl = pathToFileURL(join(shellDist, 'www', 'index.html')).href;

if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | undefined;
const host = utilityProcess.fork(join(shellDist, 'host', 'electron-host.js'), [], {
  serviceName: 'phantom-host',
});
const pending = new Map<number, (reply: string) => void>();
let nextSeq = 1;
host.on('message', ({ seq, reply }: { seq: number; reply: string }) => {
  pending.get(seq)?.(reply);
  pending.delete(seq);
});
host.on('exit', (code) => {
  for (const resolve of pending.values()) {
    resolve(
      JSON.stringify({ id: null, error: { code: 'failed', message: `the host process exited (${code})` } }),
    );
  }
  pending.clear();
});

ipcMain.handle(API_CHANNEL, (event, frame: unknown) => {
  // Only our own page may call the API.
  if (event.senderFrame?.url !== indexUrl || typeof frame !== 'string') throw new Error('API call refused');
  return new Promise<string>((resolve) => {
    const seq = nextSeq++;
    pending.set(seq, resolve);
    host.postMessage({ seq, frame });
  });
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
