/**
 * Which transport a machine's QEMU gives the kernel's debug channel: a virtio-serial port named
 * DEBUG_PORT_NAME (the kernel's preferred: a page in a fraction of a millisecond) when this QEMU
 * has the `virtio-serial-pci` device, else serial port 2 alone (the kernel's fallback, tens of
 * milliseconds a page: kernel-src/docs/debug-protocol.md, "Transports"), with a line saying why.
 * QEMU's device list (`-device help`) is asked once per QEMU binary and version, and the answer kept
 * in the cache folder beside the accelerator's (accelerator.ts).
 *
 * Not here: the QEMU arguments of either transport (qemu-driver.ts), the libvirt driver (its
 * daemon's QEMU is on another host, and libvirt checks the device itself when the domain starts).
 */
import { execFile } from 'node:child_process';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_QEMU_BINARY, findOnPath, qemuVersion, readCacheEntries } from './accelerator.js';
import { writeJsonAtomically } from './machine-dir.js';
import { cacheDir } from './state-dir.js';

/** The QEMU device that carries virtio-serial ports over PCI. */
export const VIRTIO_SERIAL_DEVICE = 'virtio-serial-pci';
/** `-device help` prints a few hundred lines at once; one that has not by then will not. */
const DEVICE_HELP_TIMEOUT_MS = 10_000;
/** Answers kept in the cache file; older ones (other QEMUs) are dropped. */
const CACHE_ENTRIES = 8;

export type DebugTransportChoice = { kind: 'virtio' | 'serial'; why: string };

export interface DebugTransportOptions {
  /** A command name looked up on PATH, or a path. */
  qemuBinary?: string;
  env?: NodeJS.ProcessEnv;
  /** Where answers are kept; default `<cache dir>/qemu-devices.json`. */
  cacheFile?: string;
}

interface CacheEntry {
  key: string;
  virtioSerial: boolean;
  at: string;
}

/** Whether a `-device help` listing names the device (`name "virtio-serial-pci", bus PCI, …`). */
export function listsDevice(help: string, device: string): boolean {
  return help.split('\n').some((line) => line.trim().startsWith(`name "${device}"`));
}

/** The virtio-serial port when this QEMU has the device, else serial port 2 and why. */
export async function chooseDebugTransport(
  options: DebugTransportOptions = {},
): Promise<DebugTransportChoice> {
  const env = options.env ?? process.env;
  const binary = options.qemuBinary ?? DEFAULT_QEMU_BINARY;
  const qemu = await findOnPath(binary, env);
  if (!qemu)
    return {
      kind: 'serial',
      why: `serial port 2: ${binary} is not installed, so its devices cannot be asked`,
    };
  const listed = await hasVirtioSerial(qemu, options.cacheFile ?? join(cacheDir(env), 'qemu-devices.json'));
  if (listed === true) return { kind: 'virtio', why: `virtio-serial port ${VIRTIO_SERIAL_DEVICE} (${qemu})` };
  return {
    kind: 'serial',
    why:
      listed === false
        ? `serial port 2: ${qemu} has no ${VIRTIO_SERIAL_DEVICE} device, so the debug channel is the slow fallback (tens of ms a page)`
        : `serial port 2: ${qemu} -device help failed (${listed.error}), so the debug channel is the slow fallback`,
  };
}

/** Whether QEMU lists the device, from the cache or asked now; a query that failed is not kept. */
async function hasVirtioSerial(qemu: string, cacheFile: string): Promise<boolean | { error: string }> {
  const path = await realpath(qemu);
  const { size, mtimeMs } = await stat(path);
  const key = JSON.stringify([path, size, mtimeMs, await qemuVersion(path, size, mtimeMs)]);
  const entries = await readCache(cacheFile);
  const hit = entries.find((e) => e.key === key);
  if (hit) return hit.virtioSerial;
  const help = await new Promise<string | { error: string }>((resolve) =>
    execFile(
      path,
      ['-machine', 'pc', '-device', 'help'],
      { timeout: DEVICE_HELP_TIMEOUT_MS },
      (err, stdout) => resolve(err ? { error: err.message.split('\n')[0] ?? String(err) } : stdout),
    ),
  );
  if (typeof help !== 'string') return help;
  const virtioSerial = listsDevice(help, VIRTIO_SERIAL_DEVICE);
  const kept = entries.filter((e) => e.key !== key);
  kept.unshift({ key, virtioSerial, at: new Date().toISOString() });
  // A cache that cannot be written (a read-only home) costs a query per process, nothing more.
  await mkdir(dirname(cacheFile), { recursive: true })
    .then(() => writeJsonAtomically(cacheFile, kept.slice(0, CACHE_ENTRIES)))
    .catch(() => undefined);
  return virtioSerial;
}

function readCache(file: string): Promise<CacheEntry[]> {
  return readCacheEntries(file, (e) => typeof e.virtioSerial === 'boolean');
}
