/**
 * A machine's directory under the state dir and the files in it: its validated config, its
 * persisted state, its checkpoint records, its qcow2 disk, its sockets and its logs. Writes
 * go to a temporary file renamed into place, so a crash never leaves half a JSON file.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { z } from 'zod';
import {
  type AcceleratorUsed,
  type Checkpoint,
  type MachineConfig,
  type MachineState,
  machineConfigSchema,
} from '../common/api.js';
import { VmError } from '../common/errors.js';
import { acquirePidLock, pidLockHeld } from './pid-lock.js';

const execFileAsync = promisify(execFile);

/** The kernel of Linux rejects longer unix socket paths (sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** "QFI\xfb", the first four bytes of every qcow2 image. */
const QCOW2_MAGIC = 0x514649fb;
/** The fixed part of a qcow2 version 2 header; version 3 headers are longer. */
const QCOW2_HEADER_BYTES = 72;

export interface PersistedState {
  state: MachineState;
  since: number;
  reason?: string;
  /** What the running machine was booted with; dropped when it stops. */
  accelerator?: AcceleratorUsed;
}

export interface CheckpointRecords {
  current: string | null;
  checkpoints: Checkpoint[];
}

/** A snapshot inside the qcow2 disk, as `qemu-img info` reports it. */
export interface DiskSnapshot {
  tag: string;
  /** Machine memory (CPU and RAM state) it holds; 0 for a snapshot of the disk alone. */
  vmStateBytes: number;
}

export class MachineDir {
  constructor(
    readonly name: string,
    readonly path: string,
  ) {}

  get configFile(): string {
    return join(this.path, 'config.json');
  }
  get stateFile(): string {
    return join(this.path, 'state.json');
  }
  get checkpointsFile(): string {
    return join(this.path, 'checkpoints.json');
  }
  get disk(): string {
    return join(this.path, 'disk.qcow2');
  }
  /** Records of the breakpoints each `phantom dap` process set (dap-owners.ts); kept across restarts. */
  get dapOwnersDir(): string {
    return join(this.path, 'dap-owners');
  }
  get runDir(): string {
    return join(this.path, 'run');
  }
  get logsDir(): string {
    return join(this.path, 'logs');
  }
  get qmpSocket(): string {
    return join(this.runDir, 'qmp.sock');
  }
  get consoleSocket(): string {
    return join(this.runDir, 'console.sock');
  }
  /** QEMU's socket of serial port 2, the debug channel of kernels without a virtio-serial port. */
  get debugSocket(): string {
    return join(this.runDir, 'debug.sock');
  }
  /** QEMU's socket of the virtio-serial port DEBUG_PORT_NAME, the debug channel kernels prefer. */
  get debugPortSocket(): string {
    return join(this.runDir, 'debug-port.sock');
  }
  get pidFile(): string {
    return join(this.runDir, 'qemu.pid');
  }
  get startLock(): string {
    return join(this.runDir, 'start.lock');
  }
  get consoleLog(): string {
    return join(this.logsDir, 'console.log');
  }
  get hypervisorLog(): string {
    return join(this.logsDir, 'hypervisor.log');
  }
  /** The run before this one's hypervisor log (a crash's, when the machine is started again). */
  get previousHypervisorLog(): string {
    return join(this.logsDir, 'hypervisor.previous.log');
  }

  socketPathProblem(): string | undefined {
    const longest = Math.max(
      ...[
        this.consoleSocket,
        this.consoleKeeperSocket,
        this.channelSocket,
        this.debugSocket,
        this.qmpSocket,
      ].map((p) => Buffer.byteLength(p)),
    );
    if (longest > MAX_SOCKET_PATH_BYTES)
      return `the state dir path is too long for unix sockets (${longest} > ${MAX_SOCKET_PATH_BYTES} bytes): set PHANTOM_STATE_DIR to a shorter path`;
    return undefined;
  }

  /**
   * What tells this machine from another made under the same name since (its config file's inode
   * and birth), or undefined when there is no machine here.
   */
  async identity(): Promise<string | undefined> {
    const found = await stat(this.configFile, { bigint: true }).catch(() => undefined);
    return found?.isFile() ? `${found.ino}:${found.birthtimeNs}` : undefined;
  }

  async exists(): Promise<boolean> {
    try {
      await stat(this.configFile);
      return true;
    } catch {
      return false;
    }
  }

  /** Creates the folders; 0755 so a hypervisor running as another user (libvirt's qemu) can reach the disk. */
  async makeFolders(): Promise<void> {
    for (const dir of [this.path, this.runDir, this.logsDir])
      await mkdir(dir, { recursive: true, mode: 0o755 });
  }

  async readConfig(): Promise<MachineConfig> {
    const value = await this.readJson(this.configFile, 'config');
    const parsed = machineConfigSchema.safeParse(value);
    if (!parsed.success)
      throw new VmError(
        'bad-input',
        `${this.configFile} is not a valid machine config: ${describeIssues(parsed.error)}`,
      );
    return parsed.data;
  }

  writeConfig(config: MachineConfig): Promise<void> {
    return writeJsonAtomically(this.configFile, config);
  }

  async readState(): Promise<PersistedState> {
    try {
      const value = (await this.readJson(this.stateFile, 'state')) as Partial<PersistedState>;
      if (typeof value.state === 'string' && typeof value.since === 'number') return value as PersistedState;
    } catch {
      // A missing or unreadable state file means nothing ever ran.
    }
    return { state: 'stopped', since: 0 };
  }

  writeState(state: PersistedState): Promise<void> {
    return writeJsonAtomically(this.stateFile, state);
  }

  async readCheckpoints(): Promise<CheckpointRecords> {
    try {
      const value = (await this.readJson(this.checkpointsFile, 'checkpoints')) as CheckpointRecords;
      if (Array.isArray(value.checkpoints)) return value;
    } catch {
      // No checkpoints yet.
    }
    return { current: null, checkpoints: [] };
  }

  writeCheckpoints(records: CheckpointRecords): Promise<void> {
    return writeJsonAtomically(this.checkpointsFile, records);
  }

  /** The socket of the machine's channel broker (channel-broker.ts), which every client connects to. */
  get channelSocket(): string {
    return join(this.runDir, 'channel.sock');
  }
  get channelBrokerLock(): string {
    return join(this.runDir, 'channel-broker.lock');
  }
  get channelBrokerLog(): string {
    return join(this.logsDir, 'channel-broker.log');
  }

  /** The socket of the machine's console keeper (console-keeper.ts), which every console hub reads. */
  get consoleKeeperSocket(): string {
    return join(this.runDir, 'console-keeper.sock');
  }
  get consoleKeeperLock(): string {
    return join(this.runDir, 'console-keeper.lock');
  }
  get consoleKeeperLog(): string {
    return join(this.logsDir, 'console-keeper.log');
  }

  /**
   * Taken while a machine starts, so two processes never start it at once (once QEMU runs, its
   * locked pid file does the same job). A lock whose owner died is taken over.
   */
  acquireStartLock(): Promise<() => Promise<void>> {
    return acquirePidLock(this.startLock, `machine '${this.name}' is being started by another process`);
  }

  /** Whether a live process holds the start lock. */
  startLockHeld(): Promise<boolean> {
    return pidLockHeld(this.startLock);
  }

  /**
   * Makes the qcow2 disk: a copy of the image when there is one (raw, as the build writes it, or
   * qcow2, as a package carries it), else an empty disk.
   */
  async createDisk(config: MachineConfig): Promise<void> {
    const args = config.imagePath
      ? [
          'convert',
          '-q',
          '-f',
          await imageFormat(config.imagePath),
          '-O',
          'qcow2',
          config.imagePath,
          this.disk,
        ]
      : ['create', '-q', '-f', 'qcow2', this.disk, `${config.diskMiB}M`];
    await runQemuImg(args);
  }

  /** The snapshots inside the disk; `-U` reads without the image lock a running QEMU holds. */
  async diskSnapshots(): Promise<DiskSnapshot[]> {
    const text = await runQemuImg(['info', '-U', '--output=json', this.disk]);
    const info = JSON.parse(text) as { snapshots?: { name: string; 'vm-state-size'?: number }[] };
    return (info.snapshots ?? []).map((s) => ({ tag: s.name, vmStateBytes: s['vm-state-size'] ?? 0 }));
  }

  /**
   * Snapshots of the disk alone, made, applied and deleted by qemu-img while no hypervisor has
   * it open (qemu-img refuses while one holds its lock): the checkpoints of a stopped machine,
   * the same for both drivers since both keep the store in this one qcow2 file.
   */
  async createDiskSnapshot(tag: string): Promise<void> {
    await runQemuImg(['snapshot', '-c', tag, this.disk]);
  }

  async applyDiskSnapshot(tag: string): Promise<void> {
    await runQemuImg(['snapshot', '-a', tag, this.disk]);
  }

  async deleteDiskSnapshot(tag: string): Promise<void> {
    await runQemuImg(['snapshot', '-d', tag, this.disk]);
  }

  /**
   * Checks the disk before a start, so a missing or foreign disk is a clear error rather than
   * QEMU's. Only the qcow2 header is read here (a `qemu-img check` would cost a process on every
   * start); damage deeper in the image makes QEMU refuse it, which the driver reports as a disk
   * problem too.
   */
  async checkDisk(): Promise<void> {
    let header: Buffer;
    try {
      header = await readStart(this.disk, QCOW2_HEADER_BYTES);
    } catch {
      throw new VmError('disk-problem', `machine '${this.name}' has no disk (${this.disk} is missing)`);
    }
    if (
      header.length < QCOW2_HEADER_BYTES ||
      header.readUInt32BE(0) !== QCOW2_MAGIC ||
      (header.readUInt32BE(4) !== 2 && header.readUInt32BE(4) !== 3)
    )
      throw new VmError(
        'disk-problem',
        `machine '${this.name}': ${this.disk} is not a qcow2 disk (damaged or replaced)`,
      );
  }

  private async readJson(file: string, what: string): Promise<unknown> {
    const text = await readFile(file, 'utf8');
    try {
      return JSON.parse(text);
    } catch {
      throw new VmError('bad-input', `machine '${this.name}': ${what} file ${file} is not JSON`);
    }
  }
}

/**
 * An image's format by its first bytes: qcow2's magic, else raw. Named to qemu-img rather than
 * left to its probing, which would let a raw image that happens to start like a qcow2 header
 * name a backing file.
 */
async function imageFormat(path: string): Promise<'qcow2' | 'raw'> {
  let start: Buffer;
  try {
    start = await readStart(path, 4);
  } catch (err) {
    throw new VmError('disk-problem', `cannot read the boot image ${path}: ${(err as Error).message}`);
  }
  return start.length === 4 && start.readUInt32BE(0) === QCOW2_MAGIC ? 'qcow2' : 'raw';
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
async function readStart(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export async function runQemuImg(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('qemu-img', args);
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new VmError('hypervisor-missing', 'qemu-img is not installed (Debian: qemu-utils)');
    throw new VmError('disk-problem', `qemu-img ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`, {
      cause: err,
    });
  }
}

/**
 * Replaces `file` with `value` as JSON in one rename, so a reader never sees half a file. The
 * temporary name is unique per call: two writes of one file in flight at once each rename their own.
 */
export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, file);
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}
