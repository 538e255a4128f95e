/**
 * What this host offers Phantom Studio, for `phantom doctor` and the studio's status bar: QEMU
 * and its version, the accelerator machines get and why, the firmware they boot with, the debug channel's transport, whether libvirtd answers, Chromium for
 * browser mode and Electron for the window, and where machines and caches live. Every check is
 * bounded in time and reports a failure as text; nothing here throws for a missing part.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Accelerator, DEFAULT_LIBVIRT_URI } from '../common/api.js';
import { chooseAccelerator, DEFAULT_QEMU_BINARY, findOnPath } from './accelerator.js';
import { SOURCE_ROOT } from './build.js';
import { chooseDebugTransport } from './debug-transport.js';
import { chooseFirmware } from './firmware.js';
import { cacheDir, machinesDir, stateDir } from './state-dir.js';

const execFileAsync = promisify(execFile);

/** A version query that does not answer within this is reported as not answering. */
const CHECK_TIMEOUT_MS = 10_000;
/** Browsers browser mode can open, in the order `npm start` would prefer them. */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

/** One part of the host: whether it is usable, and what was found (a version and a path, or why not). */
export interface HostPart {
  ok: boolean;
  detail: string;
}

export interface HostReport {
  qemu: HostPart;
  qemuImg: HostPart;
  /** name: null when no machine can start (PHANTOM_ACCEL asks for what this host cannot do). */
  accelerator: HostPart & { name: Accelerator | null };
  /** qboot, or QEMU's default firmware (slower to start) with the reason: machines boot either way. */
  firmware: HostPart;
  /** The debug channel's transport machines get: a virtio-serial port, or serial port 2 (slow) and why. */
  debugChannel: HostPart;
  kernel: HostPart;
  libvirt: HostPart;
  chromium: HostPart;
  electron: HostPart;
  stateDir: string;
  cacheDir: string;
  machines: number;
}

export interface HostReportOptions {
  env?: NodeJS.ProcessEnv;
  /** The kernel the accelerator is probed with; default the checkout's build, else a package's. */
  kernelPath?: string;
  libvirtUri?: string;
}

/** The kernel machines would boot: this checkout's build, or the one a package carries. */
export function defaultKernelPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [join(SOURCE_ROOT, 'kernel-src', 'build', 'phantom.elf')];
  if (env.PHANTOM_PREBUILT_DIR)
    candidates.unshift(join(env.PHANTOM_PREBUILT_DIR, 'kernel-src', 'build', 'phantom.elf'));
  return candidates.find((path) => existsSync(path));
}

/** The first line a program prints for `args`, or why it printed nothing. */
async function firstLine(path: string, args: string[]): Promise<HostPart> {
  try {
    const { stdout } = await execFileAsync(path, args, { timeout: CHECK_TIMEOUT_MS });
    return { ok: true, detail: `${stdout.trim().split('\n')[0]} (${path})` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    return { ok: false, detail: `${path} does not answer: ${(e.stderr || e.message).trim().split('\n')[0]}` };
  }
}

async function program(
  names: string[],
  args: string[],
  missing: string,
  env: NodeJS.ProcessEnv,
): Promise<HostPart> {
  for (const name of names) {
    const path = await findOnPath(name, env);
    if (path) return firstLine(path, args);
  }
  return { ok: false, detail: missing };
}

async function libvirtPart(uri: string, env: NodeJS.ProcessEnv): Promise<HostPart> {
  const virsh = await findOnPath('virsh', env);
  if (!virsh)
    return {
      ok: false,
      detail: 'virsh is not installed (Debian: libvirt-clients); the libvirt driver is optional',
    };
  try {
    const { stdout } = await execFileAsync(virsh, ['-c', uri, 'version'], { timeout: CHECK_TIMEOUT_MS });
    const version = /Running hypervisor: (.*)/.exec(stdout)?.[1]?.trim();
    return { ok: true, detail: `libvirtd answers at ${uri}${version ? ` (${version})` : ''}` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why =
      (e.stderr || e.message)
        .trim()
        .split('\n')
        .find((l) => l.trim()) ?? 'no answer';
    return { ok: false, detail: `libvirtd does not answer at ${uri}: ${why}` };
  }
}

/** Electron is an optional npm package whose binary is downloaded separately; browser mode needs neither. */
async function electronPart(): Promise<HostPart> {
  let binary: string;
  try {
    // The package's main module is the path of its binary, and throws when the download failed.
    binary = createRequire(join(SOURCE_ROOT, 'package.json'))('electron') as string;
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
        ? 'the electron package is not installed'
        : 'the electron package is installed, but the download of its binary failed or was not allowed';
    return { ok: false, detail: `${why}: the studio runs in browser mode` };
  }
  const part = await firstLine(binary, ['--version']);
  return part.ok ? part : { ...part, detail: `${part.detail}; the studio runs in browser mode` };
}

export async function hostReport(options: HostReportOptions = {}): Promise<HostReport> {
  const env = options.env ?? process.env;
  const kernelPath = options.kernelPath ?? defaultKernelPath(env);
  const [qemu, qemuImg, accelerator, firmware, debugChannel, libvirt, chromium, electron, machines] =
    await Promise.all([
      program(
        [DEFAULT_QEMU_BINARY],
        ['--version'],
        `${DEFAULT_QEMU_BINARY} is not installed (Debian: qemu-system-x86)`,
        env,
      ),
      program(['qemu-img'], ['--version'], 'qemu-img is not installed (Debian: qemu-utils)', env),
      chooseAccelerator({ kernelPath, env }).then(
        (choice) => ({ ok: true, name: choice.accel, detail: choice.why }),
        (err: unknown) => ({ ok: false, name: null, detail: (err as Error).message }),
      ),
      chooseFirmware({ env }).then((choice) => ({ ok: choice.kind === 'qboot', detail: choice.why })),
      chooseDebugTransport({ env }).then((choice) => ({ ok: choice.kind === 'virtio', detail: choice.why })),
      libvirtPart(options.libvirtUri ?? DEFAULT_LIBVIRT_URI, env),
      program(
        CHROMIUM_NAMES,
        ['--version'],
        'no Chromium on PATH (Debian: chromium): browser mode cannot open a window',
        env,
      ),
      electronPart(),
      readdir(machinesDir(env)).then(
        (names) => names.length,
        () => 0,
      ),
    ]);
  return {
    qemu,
    qemuImg,
    accelerator,
    firmware,
    debugChannel,
    kernel: kernelPath
      ? { ok: true, detail: kernelPath }
      : { ok: false, detail: 'not built yet: `phantom build` (or `npm start`) builds it' },
    libvirt,
    chromium,
    electron,
    stateDir: stateDir(env),
    cacheDir: cacheDir(env),
    machines,
  };
}

/** "TCG: why" as the accelerator's reasons are written, or "tcg (why)" where the reason does not name it. */
function acceleratorLine(name: Accelerator | null, why: string): string {
  if (name === null) return `none: ${why}`;
  return why.startsWith(`${name.toUpperCase()}:`) ? why : `${name.toUpperCase()} (${why})`;
}

/** The report as `phantom doctor` prints it: a line a part, marked ok or not. */
export function formatHostReport(report: HostReport): string {
  const rows: [string, HostPart][] = [
    ['QEMU', report.qemu],
    ['qemu-img', report.qemuImg],
    [
      'accelerator',
      {
        ok: report.accelerator.ok,
        detail: acceleratorLine(report.accelerator.name, report.accelerator.detail),
      },
    ],
    ['firmware', report.firmware],
    ['debug port', report.debugChannel],
    ['kernel', report.kernel],
    ['libvirt', report.libvirt],
    ['Chromium', report.chromium],
    ['Electron', report.electron],
  ];
  const lines = rows.map(([name, part]) => `${part.ok ? 'ok ' : '-- '} ${name.padEnd(12)}${part.detail}`);
  lines.push(`    ${'machines'.padEnd(12)}${report.machines} in ${report.stateDir}`);
  lines.push(`    ${'cache'.padEnd(12)}${report.cacheDir}`);
  return `${lines.join('\n')}\n`;
}
