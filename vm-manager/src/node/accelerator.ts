/**
 * Which accelerator QEMU runs the Phantom kernel with: KVM only when a probe boot under KVM
 * succeeded, TCG (software emulation) otherwise. A `/dev/kvm` that opens proves nothing: on
 * machines with a software KVM (the `kvm_pvm` module, no VMX or SVM in the CPU) our i386 kernel
 * dies at its first IRET with "KVM internal error". So the probe boots the real kernel with
 * `debug=accel-probe` (it takes timer interrupts and returns from them with paging on, prints a
 * line and halts through isa-debug-exit) under a short deadline.
 *
 * Everything that starts a guest asks here: both drivers, the kernel's boot tests and benchmarks
 * (kernel-src/tests/qemu.mjs), the inspector's test machines, `make qemu` and `phantom doctor`.
 * The answer is cached per QEMU binary, kernel build, KVM device and host boot, so a host pays for
 * one probe, not one per boot. `PHANTOM_ACCEL=kvm|tcg` forces a choice; a forced `kvm` that the
 * probe shows cannot work is refused with the probe's words.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { ACCELERATORS, type Accelerator } from '../common/api.js';
import { VmError } from '../common/errors.js';
import { chooseFirmware, machineArguments } from './firmware.js';
import { writeJsonAtomically } from './machine-dir.js';
import { cacheDir } from './state-dir.js';

/** How a choice was made: forced by PHANTOM_ACCEL, by a probe (now or cached), or without KVM to try. */
export type AcceleratorSource = 'forced' | 'probe' | 'cached-probe' | 'no-kvm';

export interface AcceleratorChoice {
  accel: Accelerator;
  /** One line saying why, for logs, `phantom doctor` and the studio's status bar. */
  why: string;
  source: AcceleratorSource;
}

export interface AcceleratorOptions {
  /** The kernel the probe boots (the one about to run); without one KVM cannot be checked. */
  kernelPath: string | undefined;
  /** A command name looked up on PATH, or a path. */
  qemuBinary?: string;
  env?: NodeJS.ProcessEnv;
  kvmDevice?: string;
  /** Where answers are kept; default `<cache dir>/accelerator.json`. */
  cacheFile?: string;
  probeDeadlineMs?: number;
  /** The machine and firmware the probe boots; default the ones machines get (firmware.ts). */
  machine?: string[];
}

export const DEFAULT_QEMU_BINARY = 'qemu-system-i386';
export const KVM_DEVICE = '/dev/kvm';
/** Under a KVM that works the probe takes well under a second; under TCG about 0.2 s. */
export const PROBE_DEADLINE_MS = 5000;
/** What the kernel prints when the probe passes (arch/selftest.c). */
export const PROBE_OK_LINE = 'selftest accel-probe: ok';
/** isa-debug-exit's exit status for machine_halt(HALT_OK): (0 << 1) | 1. */
const PROBE_OK_EXIT = 1;
/** QEMU's words when KVM cannot go on; the probe ends at the first of them instead of waiting. */
const KVM_FAILURE =
  /KVM internal error|emulation failure|failed to set MSR|Could not access KVM|kvm_init|KVM_\w+ failed/i;
/** Answers kept in the cache file; older ones (other builds, other QEMUs) are dropped. */
const CACHE_ENTRIES = 16;

interface ProbeResult {
  ok: boolean;
  /** What the probe showed: the reason it failed, or how long it took. */
  detail: string;
}

interface CacheEntry extends ProbeResult {
  key: string;
  at: string;
}

const inProcess = new Map<string, Promise<ProbeResult>>();

/** PHANTOM_ACCEL's value, checked; undefined when unset or empty. */
export function forcedAccelerator(env: NodeJS.ProcessEnv = process.env): Accelerator | undefined {
  const value = env.PHANTOM_ACCEL?.trim();
  if (!value) return undefined;
  if ((ACCELERATORS as readonly string[]).includes(value)) return value as Accelerator;
  throw new VmError('bad-input', `PHANTOM_ACCEL is 'kvm' or 'tcg' (or unset to probe), not '${value}'`);
}

/** The first `name` on PATH as an absolute path, or undefined; a name with a slash is taken as is. */
export async function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Why `device` cannot be opened for reading and writing, or undefined when it can. */
async function kvmDeviceProblem(device: string): Promise<string | undefined> {
  try {
    const handle = await open(device, constants.O_RDWR);
    await handle.close();
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `there is no ${device} on this host`;
    if (code === 'EACCES' || code === 'EPERM')
      return `${device} exists but this user cannot open it (join the group that owns it, usually kvm)`;
    return `${device} cannot be opened: ${(err as Error).message}`;
  }
}

/** Decides the accelerator for booting `kernelPath`; see the file comment. */
export async function chooseAccelerator(options: AcceleratorOptions): Promise<AcceleratorChoice> {
  const env = options.env ?? process.env;
  const forced = forcedAccelerator(env);
  if (forced === 'tcg') return { accel: 'tcg', why: 'PHANTOM_ACCEL=tcg', source: 'forced' };
  const device = options.kvmDevice ?? KVM_DEVICE;
  const problem = await kvmDeviceProblem(device);
  if (problem) {
    if (forced === 'kvm') throw new VmError('hypervisor-failed', `PHANTOM_ACCEL=kvm, but ${problem}`);
    return { accel: 'tcg', why: `TCG: ${problem}`, source: 'no-kvm' };
  }
  const qemu = await findOnPath(options.qemuBinary ?? DEFAULT_QEMU_BINARY, env);
  const kernel = options.kernelPath;
  if (!qemu || !kernel || !(await stat(kernel).catch(() => undefined))?.isFile()) {
    const missing = !qemu
      ? `${options.qemuBinary ?? DEFAULT_QEMU_BINARY} is not installed`
      : 'no kernel to probe with';
    if (forced === 'kvm')
      return { accel: 'kvm', why: `PHANTOM_ACCEL=kvm (not probed: ${missing})`, source: 'forced' };
    return { accel: 'tcg', why: `TCG: KVM not probed (${missing})`, source: 'no-kvm' };
  }
  const { result, cached } = await probeOnce({
    qemu,
    kernel,
    machine: options.machine ?? machineArguments(await chooseFirmware({ env })),
    device,
    cacheFile: options.cacheFile ?? join(cacheDir(env), 'accelerator.json'),
    deadlineMs: options.probeDeadlineMs ?? PROBE_DEADLINE_MS,
  });
  const source: AcceleratorSource = cached ? 'cached-probe' : 'probe';
  if (forced === 'kvm') {
    if (!result.ok)
      throw new VmError(
        'hypervisor-failed',
        `PHANTOM_ACCEL=kvm, but KVM cannot run the Phantom kernel here: ${result.detail}; unset PHANTOM_ACCEL to use TCG`,
      );
    return { accel: 'kvm', why: `PHANTOM_ACCEL=kvm (probe passed: ${result.detail})`, source: 'forced' };
  }
  return result.ok
    ? { accel: 'kvm', why: `KVM: the probe boot passed (${result.detail})`, source }
    : {
        accel: 'tcg',
        why: `TCG: ${device} is present but KVM cannot run this kernel: ${result.detail}`,
        source,
      };
}

interface ProbeRequest {
  qemu: string;
  kernel: string;
  /** The probe boots the machine and firmware machines get: KVM must run the kernel on those. */
  machine: string[];
  device: string;
  cacheFile: string;
  deadlineMs: number;
}

const versions = new Map<string, Promise<string>>();

/**
 * QEMU's version line. The binary's own stat is not enough: Debian's qemu-system-i386 is a
 * shell script in front of the real binary, unchanged when QEMU is upgraded.
 */
export function qemuVersion(path: string, size: number, mtimeMs: number): Promise<string> {
  const key = `${path}\0${size}\0${mtimeMs}`;
  let version = versions.get(key);
  if (!version) {
    version = new Promise((resolve) => {
      execFile(path, ['--version'], { timeout: PROBE_DEADLINE_MS }, (err, stdout) =>
        resolve(err ? `unknown (${err.message})` : (stdout.split('\n')[0] ?? '')),
      );
    });
    versions.set(key, version);
  }
  return version;
}

/** What the probe's answer depends on: QEMU and its version, the kernel's bytes, the device, this boot of the host. */
async function probeKey(request: ProbeRequest): Promise<string> {
  const qemuPath = await realpath(request.qemu);
  const [qemuStat, kernelBytes, deviceStat, bootId] = await Promise.all([
    stat(qemuPath),
    readFile(request.kernel),
    stat(request.device),
    readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown'),
  ]);
  return JSON.stringify({
    qemu: [
      qemuPath,
      qemuStat.size,
      qemuStat.mtimeMs,
      await qemuVersion(qemuPath, qemuStat.size, qemuStat.mtimeMs),
    ],
    kernel: createHash('sha256').update(kernelBytes).digest('hex'),
    machine: request.machine,
    device: [request.device, deviceStat.rdev, deviceStat.ino],
    boot: bootId.trim(),
  });
}

async function probeOnce(request: ProbeRequest): Promise<{ result: ProbeResult; cached: boolean }> {
  const key = await probeKey(request);
  const entries = await readCache(request.cacheFile);
  const hit = entries.find((e) => e.key === key);
  if (hit) return { result: { ok: hit.ok, detail: hit.detail }, cached: true };
  let running = inProcess.get(key);
  if (!running) {
    running = probe(request).then(async (result) => {
      const kept = (await readCache(request.cacheFile)).filter((e) => e.key !== key);
      kept.unshift({ key, ...result, at: new Date().toISOString() });
      // A cache that cannot be written (a read-only home) costs a probe per process, nothing more.
      await mkdir(dirname(request.cacheFile), { recursive: true })
        .then(() => writeJsonAtomically(request.cacheFile, kept.slice(0, CACHE_ENTRIES)))
        .catch(() => undefined);
      return result;
    });
    running.finally(() => inProcess.delete(key)).catch(() => undefined);
    inProcess.set(key, running);
  }
  return { result: await running, cached: false };
}

/**
 * The entries of a cache file (a JSON array of objects with a string `key`) that `valid` accepts;
 * none when the file is missing or is not such an array. Also debug-transport.ts's.
 */
export async function readCacheEntries<T extends { key: string }>(
  file: string,
  valid: (entry: Record<string, unknown>) => boolean,
): Promise<T[]> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e): e is T => typeof e === 'object' && e !== null && typeof e.key === 'string' && valid(e),
    );
  } catch {
    return [];
  }
}

function readCache(file: string): Promise<CacheEntry[]> {
  return readCacheEntries(file, (e) => typeof e.ok === 'boolean' && typeof e.detail === 'string');
}

/**
 * The arguments of a probe boot: the kernel alone on `machine` (machine and firmware arguments,
 * firmware.ts's), its console on stdout, isa-debug-exit to end.
 */
export function probeArguments(kernel: string, machine: string[]): string[] {
  return [
    ...machine,
    ...['-accel', 'kvm', '-m', '32M', '-kernel', kernel, '-append', 'debug=accel-probe'],
    ...['-nodefaults', '-no-user-config', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'],
    ...['-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
  ];
}

/** The first line of QEMU's stderr worth showing (KVM's error, not the register dump after it). */
function firstMessage(stderr: string): string | undefined {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !/^[A-Z][A-Z0-9]{1,3} ?=/.test(l));
}

function probe(request: ProbeRequest): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(request.qemu, probeArguments(request.kernel, request.machine), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          detail: `the probe boot did not finish within ${request.deadlineMs} ms${stdout.includes('Phantom kernel') ? ' (the kernel started, then hung)' : ''}`,
        }),
      request.deadlineMs,
    );
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('latin1');
    child.stdout.on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.on('data', (text: string) => {
      stderr += text;
      if (KVM_FAILURE.test(stderr)) finish({ ok: false, detail: `QEMU said: ${firstMessage(stderr)}` });
    });
    child.on('error', (err) => finish({ ok: false, detail: `cannot run ${request.qemu}: ${err.message}` }));
    child.on('close', (code) => {
      const ms = Math.round(performance.now() - started);
      if (code === PROBE_OK_EXIT && stdout.includes(PROBE_OK_LINE))
        return finish({ ok: true, detail: `booted and halted in ${ms} ms` });
      const said = firstMessage(stderr);
      finish({
        ok: false,
        detail: said
          ? `QEMU said: ${said}`
          : `QEMU exited with status ${code} without the probe's line ("${PROBE_OK_LINE}")`,
      });
    });
  });
}
