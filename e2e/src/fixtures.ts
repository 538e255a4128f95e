/**
 * Fixtures for end-to-end tests: start the studio exactly as `npm start` does (browser mode,
 * headless), a Chromium driven by Playwright, and the `phantom` CLI on the studio's own state
 * folder (as a user would run it beside the studio). Each creates its own temporary state and
 * removes it; artefacts (screenshots, logs) go to artifacts/e2e/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifactsDir = join(repoRoot, 'artifacts', 'e2e');

/**
 * How long the studio may take to print its URL. It starts in about a second, but that is a
 * second of CPU for `npm start`'s script and the host: on these 2 cores with 20 runnable
 * processes (QEMU runs beside the tests) it measured 9-16 s, and more than 30 s once.
 */
const START_DEADLINE_MS = 120_000;

export interface RunningStudio {
  /** The studio's own state folder (PHANTOM_STATE_DIR), removed by stop(). */
  stateDir: string;
  url: string;
  urlWithToken: string;
  output: () => string;
  stop(): Promise<void>;
}

export interface StudioOptions {
  /** Programs to put in the user's project folder before the studio starts: path → text. */
  projectFiles?: Record<string, string>;
}

export async function startStudio(options: StudioOptions = {}): Promise<RunningStudio> {
  // Short: machines keep unix sockets under it, and those paths are limited to 108 bytes.
  const stateDir = mkdtempSync(join(tmpdir(), 'ph-e2e-'));
  for (const [path, text] of Object.entries(options.projectFiles ?? {})) {
    mkdirSync(dirname(join(stateDir, 'project', path)), { recursive: true });
    writeFileSync(join(stateDir, 'project', path), text);
  }
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
  return { stateDir, url: urlWithToken.replace(/\?token=.*$/, ''), urlWithToken, output: () => output, stop };
}

/** What one run of the `phantom` CLI printed, and its exit status. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A CLI command may build and boot: generous, as for the machine's own steps. */
const CLI_DEADLINE_MS = 300_000;

/** Runs `phantom ARGS` on `studio`'s state folder, as `npx phantom` would in a terminal beside it. */
export function runPhantom(studio: RunningStudio, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'vm-manager/bin/phantom.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, PHANTOM_STATE_DIR: studio.stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CLI_DEADLINE_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr!.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
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

/**
 * Records every Content-Security-Policy violation the page reports (its
 * `securitypolicyviolation` events, in `globalThis.cspViolations`), from before its first script
 * runs; call before the page loads. Read them with cspViolations(page).
 */
export async function recordCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as { cspViolations?: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
}

/** The violations recorded so far by recordCspViolations. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as { cspViolations?: string[] }).cspViolations ?? []);
}

/** Waits until `condition` holds, checking every `pollMs`; fails naming `what` after `deadlineMs`. */
export async function until(
  condition: () => Promise<boolean>,
  what: string,
  deadlineMs: number,
  pollMs = 20,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
