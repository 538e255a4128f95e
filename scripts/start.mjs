// `npm start`: bootstraps, builds, and opens the studio. With a working Electron binary and a
// display it opens the Electron window; otherwise it starts browser mode: the host on
// 127.0.0.1 with a per-run token, printing the URL, and (when a display is present) opens it in
// Chromium's app mode. Ctrl-C (or closing the app window) stops it.
//
//   npm start -- [--browser] [--headless] [--port N] [--no-build]
//     --browser   browser mode even where Electron works
//     --headless  do not open a window; just print the URL
//     --no-build  skip bootstrap and build (the e2e tests use it after npm test has built)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, root } from './lib.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !flag('--headless');

/** The Electron binary's path when one is installed and runs, else a reason why not. */
function electronBinary() {
  let binary;
  try {
    binary = createRequire(join(root, 'shell/package.json'))('electron');
  } catch (err) {
    return { reason: `the Electron binary is not installed (${String(err.message).split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary))
    return { reason: 'the Electron binary is not installed' };
  const probe = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 15000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  return probe.status === 0
    ? { binary }
    : { reason: `the Electron binary does not run (${probe.stderr?.trim() || probe.error?.message})` };
}

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

/** Chromium in app mode with its own profile; closing the window ends the studio. */
function openAppWindow(url) {
  const stateHome = process.env.XDG_STATE_HOME?.startsWith('/')
    ? process.env.XDG_STATE_HOME
    : join(homedir(), '.local/state');
  const profile = join(stateHome, 'phantom', 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  const chromiumArgs = [
    `--app=${url}`,
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ];
  const child = spawn('chromium', chromiumArgs, { stdio: 'ignore' });
  child.on('error', (err) =>
    console.error(`Could not open Chromium (${err.message}); open the URL above yourself.`),
  );
  child.on('close', () => process.kill(process.pid, 'SIGTERM'));
  return child;
}
