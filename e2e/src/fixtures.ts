/**
 * Fixtures for end-to-end tests: start the studio exactly as `npm start` does (browser mode,
 * headless), and a Chromium driven by Playwright. Each creates its own temporary state and
 * removes it; artefacts (screenshots, logs) go to artifacts/e2e/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifactsDir = join(repoRoot, 'artifacts', 'e2e');

/** How long the studio may take to print its URL: it starts in well under a second. */
const START_DEADLINE_MS = 30_000;

export interface RunningStudio {
  url: string;
  urlWithToken: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function startStudio(): Promise<RunningStudio> {
  const stateDir = mkdtempSync(join(tmpdir(), 'phantom-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot, 'scripts/start.mjs'), '--no-build', '--headless'],
    {
      cwd: repoRoot,
      env: { ...process.env, PHANTOM_STATE_DIR: stateDir, DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await closed;
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  const urlWithToken = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the studio printed no URL in ${START_DEADLINE_MS} ms:\n${output}`)),
      START_DEADLINE_MS,
    );
    const look = () => {
      const url = output.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout!.on('data', look);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the studio exited (${code}) before printing its URL:\n${output}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url: urlWithToken.replace(/\?token=.*$/, ''), urlWithToken, output: () => output, stop };
}

/** Debian's Chromium, with the flags these machines need (no sandbox as root, no network chatter). */
export function launchChromium(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.PHANTOM_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
