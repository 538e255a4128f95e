// `npm start`: bootstraps, builds, and opens the studio. With a working Electron binary and a
// display it opens the Electron window; otherwise it starts browser mode: the host on
// 127.0.0.1 with a per-run token, printing the URL, and (when a display is present) opens it in
// Chromium's app mode. Ctrl-C (or closing the app window) stops it.
//
//   npm start -- [--browser] [--headless] [--port N] [--no-build]
//     --browser   browser mode even where Electron works
//     --headless  do not open a window; just print the URL
//     --no-build  skip bootstrap and build (the e2e tests use it after npm test has built)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, electronBinary, root } from './lib.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !flag('--headless');

if (!flag('--no-build')) {
  if ((await bootstrap()) !== 0) process.exit(1);
  if ((await build()) !== 0) process.exit(1);
}

const electron = flag('--browser') ? { reason: 'browser mode was asked for' } : electronBinary();
if (electron.binary && hasDisplay) {
  const child = spawn(electron.binary, [join(root, 'shell')], { stdio: 'inherit' });
  child.on('close', (code) => process.exit(code ?? 0));
} else {
  console.log(
    `Starting browser mode: ${electron.binary ? 'no display for the Electron window' : electron.reason}.`,
  );
  const portAt = args.indexOf('--port');
  const hostArgs = [
    join(root, 'shell/dist/host/main.bundle.js'),
    ...(portAt >= 0 ? ['--port', args[portAt + 1] ?? ''] : []),
  ];
  const host = spawn(process.execPath, hostArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let browser;
  host.stdout.setEncoding('utf8');
  host.stdout.on('data', (text) => {
    process.stdout.write(text);
    const url = text.match(/https?:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/)?.[0];
    if (url && hasDisplay && !browser) browser = openAppWindow(url);
  });
  host.on('close', (code) => {
    browser?.kill();
    process.exit(code ?? 0);
  });
  const stop = () => host.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Chromium refuses to start as root with its sandbox on, so as root (and only then) it gets
 * --no-sandbox. That flag alone puts an "unsupported command-line flag" bar over the studio on
 * every start; --test-type, which ChromeDriver passes for the same reason, leaves that bar out.
 * As an ordinary user neither is passed and Chromium keeps its sandbox (the README says so).
 */
const ROOT_ONLY_FLAGS = ['--no-sandbox', '--test-type'];
/** The app window's size the first time (later starts keep what the user chose). */
const FIRST_WINDOW_SIZE = '1440,900';

/** Chromium in app mode with its own profile; closing the window ends the studio. */
function openAppWindow(url) {
  const stateHome = process.env.XDG_STATE_HOME?.startsWith('/')
    ? process.env.XDG_STATE_HOME
    : join(homedir(), '.local/state');
  const profile = join(stateHome, 'phantom', 'chromium-profile');
  const firstStart = !existsSync(profile);
  mkdirSync(profile, { recursive: true });
  const chromiumArgs = [
    `--app=${url}`,
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(firstStart ? [`--window-size=${FIRST_WINDOW_SIZE}`] : []),
    ...(process.getuid?.() === 0 ? ROOT_ONLY_FLAGS : []),
  ];
  const child = spawn('chromium', chromiumArgs, { stdio: 'ignore' });
  child.on('error', (err) =>
    console.error(`Could not open Chromium (${err.message}); open the URL above yourself.`),
  );
  child.on('close', () => process.kill(process.pid, 'SIGTERM'));
  return child;
}
