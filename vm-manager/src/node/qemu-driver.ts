/**
 * The embedded driver: runs `qemu-system-i386` itself (daemonized, so a machine outlives the
 * CLI command that started it) and controls it over QMP on a unix socket in the machine's
 * `run/` folder. The first serial port is a socket (and a log file, the console's scroll-back
 * across processes). The kernel's debug channel has two sockets: a virtio-serial port named
 * DEBUG_PORT_NAME, which the kernel uses when it finds it, and serial port 2, the fallback of
 * kernels without a driver for it and of QEMUs without the device (debug-transport.ts: the machine
 * then has serial port 2 alone, and its start says why); the channel broker uses whichever the
 * kernel answers on. QEMU holds a lock
 * on its pid file, so two processes can never run the same machine.
 */
import { spawn } from 'node:child_process';
import { readFile, rename, rm } from 'node:fs/promises';
import { DEBUG_PORT_NAME } from '@phantom/inspector/common/debug-protocol.js';
import type { Accelerator, MachineConfig, StartResult } from '../common/api.js';
import { VmError } from '../common/errors.js';
import { lastMeaningfulLines } from '../common/log-lines.js';
import { chooseAccelerator } from './accelerator.js';
import { readTail } from './console-hub.js';
import { consoleKeeperPaths, ensureConsoleKeeper } from './console-keeper.js';
import { endDaemon } from './daemon.js';
import { chooseDebugTransport, type DebugTransportChoice } from './debug-transport.js';
import type { BootOptions, ConsoleSource, Driver, FailureReport, RuntimeState } from './driver.js';
import { chooseFirmware, type FirmwareChoice, firmwareArguments, MACHINE_TYPE } from './firmware.js';
import { kernelCommandLine } from './kernel-command-line.js';
import type { MachineDir } from './machine-dir.js';
import { isProcessAlive, pollUntil } from './process-watch.js';
import { QMP_DEFAULT_TIMEOUT_MS, QmpClient } from './qmp-client.js';
import { connectConsoleKeeper } from './socket-console.js';

export const QEMU_BINARY = 'qemu-system-i386';

/** The qcow2 block node that holds the store and every snapshot's CPU and RAM state. */
const STORE_NODE = 'store';

/** How long QEMU may take to take in the console keeper's connection. */
const CONSOLE_TAKEN_MS = 10_000;

/** See `withQmp`. */
const QMP_IDLE_CLOSE_MS = 250;

/** Snapshots write all guest RAM; under TCG on a busy machine that can take a while. */
const SNAPSHOT_TIMEOUT_MS = 120_000;

const PAUSED_STATUSES = new Set([
  'paused',
  'prelaunch',
  'suspended',
  'save-vm',
  'restore-vm',
  'finish-migrate',
  'inmigrate',
  'postmigrate',
  'debug',
  'io-error',
  'watchdog',
  'colo',
]);

/** How much of the hypervisor log a crash report reads: its last lines are what matter. */
const LOG_TAIL_BYTES = 64 * 1024;
/** QEMU's lines quoted in a crash reason. */
const REPORTED_LOG_LINES = 3;

/** What a QEMU run status means for a guest that is no longer running, in a user's words. */
const FAILED_STATUS_CAUSES: Record<string, string> = {
  'guest-panicked':
    'the kernel halted: it panicked or met an error it cannot go on from (it said so on the pvpanic device)',
  'internal-error':
    'QEMU stopped the guest with an internal error: the accelerator cannot run this kernel (with KVM: set PHANTOM_ACCEL=tcg)',
};

/** A log's last part as text. */
export async function readLogTail(path: string): Promise<string> {
  return new TextDecoder().decode(await readTail(path, LOG_TAIL_BYTES));
}

export function qemuArguments(
  dir: MachineDir,
  config: MachineConfig,
  boot: BootOptions,
  accel: Accelerator,
  firmware: FirmwareChoice,
  debugTransport: DebugTransportChoice['kind'] = 'virtio',
): string[] {
  const args = [
    '-name',
    `phantom-${dir.name},process=phantom-${dir.name}`,
    '-machine',
    MACHINE_TYPE,
    '-accel',
    accel,
    '-m',
    `${config.memoryMiB}M`,
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    // A dead guest must look dead, not like a running machine: a reset (a triple fault; the kernel
    // never reboots) becomes a shutdown, a shutdown leaves QEMU alive in the `shutdown` state,
    // and a halt announced on the pvpanic device leaves it in `guest-panicked`, where status sees them.
    '-action',
    'reboot=shutdown,shutdown=pause,panic=pause',
    '-device',
    'pvpanic',
    // Paused until the console keeper reads the console, so that no boot line goes unrecorded.
    '-S',
    '-daemonize',
    '-pidfile',
    dir.pidFile,
    // With a log item set, QEMU writes its stderr (a "KVM internal error") into this log once it
    // has daemonized; cpu_reset adds "Triple fault" under TCG, and the CPU state at each reset.
    '-D',
    dir.hypervisorLog,
    '-d',
    'cpu_reset',
    '-chardev',
    `socket,id=qmp,path=${dir.qmpSocket},server=on,wait=off`,
    '-mon',
    'chardev=qmp,mode=control',
    '-chardev',
    // No logfile: QEMU's records a byte once per try when the socket is full. The console keeper
    // (console-keeper.ts) writes the log from what it reads.
    `socket,id=console,path=${dir.consoleSocket},server=on,wait=off`,
    '-serial',
    'chardev:console',
    '-chardev',
    `socket,id=debug,path=${dir.debugSocket},server=on,wait=off`,
    '-serial',
    'chardev:debug',
    ...(debugTransport === 'virtio'
      ? [
          '-device',
          'virtio-serial-pci,id=debugbus',
          '-chardev',
          `socket,id=debugport,path=${dir.debugPortSocket},server=on,wait=off`,
          '-device',
          `virtserialport,bus=debugbus.0,chardev=debugport,name=${DEBUG_PORT_NAME}`,
        ]
      : []),
    '-blockdev',
    `driver=file,filename=${dir.disk},node-name=${STORE_NODE}-file`,
    '-blockdev',
    `driver=qcow2,file=${STORE_NODE}-file,node-name=${STORE_NODE}`,
    '-device',
    `virtio-blk-pci,drive=${STORE_NODE}`,
  ];
  // qboot only starts a kernel QEMU loads itself; every restart (a rollback, a resume after a
  // power cut) saves the few hundred ms SeaBIOS spends (kernel-src/docs/bench-coldstart.md).
  if (config.kernelPath)
    args.push(
      ...firmwareArguments(firmware),
      '-kernel',
      config.kernelPath,
      '-append',
      kernelCommandLine(config, boot),
    );
  return args;
}

export class QemuDriver implements Driver {
  readonly kind = 'qemu' as const;
  private qmp: QmpClient | undefined;
  private qmpConnecting: Promise<QmpClient> | undefined;
  private qmpUsers = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: MachineDir) {}

  async start(config: MachineConfig, boot: BootOptions): Promise<StartResult> {
    if ((await this.runtimeState()) !== 'off')
      throw new VmError('bad-state', `machine '${this.dir.name}' already has a QEMU running`);
    const accelerator = await chooseAccelerator({ kernelPath: config.kernelPath, qemuBinary: QEMU_BINARY });
    for (const socket of [
      this.dir.qmpSocket,
      this.dir.consoleSocket,
      this.dir.debugSocket,
      this.dir.debugPortSocket,
      this.dir.consoleKeeperSocket,
    ])
      await rm(socket, { force: true });
    // The last run's console keeper may still be closing; this run's starts afresh.
    await endDaemon(this.dir.consoleKeeperLock);
    // QEMU starts its log afresh; the last run's (a crash's) is kept beside it.
    await rename(this.dir.hypervisorLog, this.dir.previousHypervisorLog).catch(() => undefined);
    const [firmware, debugTransport] = await Promise.all([
      chooseFirmware(),
      chooseDebugTransport({ qemuBinary: QEMU_BINARY }),
    ]);
    const args = qemuArguments(this.dir, config, boot, accelerator.accel, firmware, debugTransport.kind);
    // With -daemonize the command returns once QEMU is initialised: its sockets exist, and errors
    // that stop it from starting are on stderr or, with -D, in the hypervisor log.
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(QEMU_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
      });
      child.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'ENOENT'
            ? new VmError('hypervisor-missing', `${QEMU_BINARY} is not installed (Debian: qemu-system-x86)`)
            : new VmError('hypervisor-failed', `cannot run ${QEMU_BINARY}: ${err.message}`),
        ),
      );
      child.on('close', (code) => resolve({ code, stderr }));
    });
    if (code !== 0) {
      const logged = lastMeaningfulLines(await readLogTail(this.dir.hypervisorLog), REPORTED_LOG_LINES);
      const message = [stderr.trim(), ...logged].filter(Boolean).join('\n') || `exit status ${code}`;
      if (/\block\b/i.test(message))
        throw new VmError(
          'machine-busy',
          `machine '${this.dir.name}' is being run by another process: ${message}`,
        );
      if (message.includes(this.dir.disk) || message.includes(`node-name=${STORE_NODE}`))
        throw new VmError('disk-problem', `QEMU cannot use the disk of '${this.dir.name}': ${message}`);
      throw new VmError('hypervisor-failed', `QEMU did not start: ${message}`);
    }
    try {
      await ensureConsoleKeeper(consoleKeeperPaths(this.dir), this.dir.consoleKeeperLog);
      // The keeper's connect returns once the kernel queued it; QEMU takes it in from its main
      // loop, and output before that is dropped: the guest runs only once QEMU says so.
      const taken = await pollUntil(
        () =>
          this.withQmp((qmp) => qmp.execute('query-chardev', {})).then((chardevs) =>
            chardevs.some((c) => c.label === 'console' && !c.filename.startsWith('disconnected:')),
          ),
        CONSOLE_TAKEN_MS,
        10,
      );
      if (!taken)
        throw new Error(`QEMU did not take the console keeper's connection within ${CONSOLE_TAKEN_MS} ms`);
      await this.withQmp((qmp) => qmp.execute('cont', {}));
    } catch (err) {
      await this.powerOff().catch(() => undefined);
      throw new VmError(
        'hypervisor-failed',
        `QEMU started but its console could not be kept: ${(err as Error).message}`,
      );
    }
    // A guest that already died (a panic, a triple fault: QEMU holds it stopped) did start; the
    // machine's watch reports it crashed, with the reason. A fast kernel on a slow host gets there
    // before this check.
    const after = await this.runtimeState();
    if (after !== 'running' && after !== 'failed' && after !== 'shutdown')
      throw new VmError(
        'hypervisor-failed',
        `QEMU started but the guest is not running (see ${this.dir.hypervisorLog})`,
      );
    return {
      accelerator: { name: accelerator.accel, why: accelerator.why },
      notes: [
        ...(firmware.kind === 'default' && config.kernelPath ? [firmware.why] : []),
        ...(debugTransport.kind === 'serial' ? [debugTransport.why] : []),
      ],
    };
  }

  async failureReport(): Promise<FailureReport> {
    const status = (await this.alive())
      ? await this.withQmp((qmp) => qmp.execute('query-status', {})).then(
          (s) => s.status,
          () => undefined,
        )
      : undefined;
    const log = await readLogTail(this.dir.hypervisorLog);
    const lines = lastMeaningfulLines(log, REPORTED_LOG_LINES);
    if (status === undefined) return { cause: 'QEMU exited unexpectedly', lines };
    if (status === 'shutdown')
      return {
        cause: /Triple fault/.test(log)
          ? 'the CPU triple-faulted (a fault while reporting a fault) and QEMU stopped it'
          : 'the guest reset or powered itself off, which the Phantom kernel never does (a triple fault under KVM looks so)',
        lines,
      };
    return { cause: FAILED_STATUS_CAUSES[status] ?? `QEMU reports the guest as '${status}'`, lines };
  }

  async runtimeState(): Promise<RuntimeState> {
    if (!(await this.alive())) return 'off';
    try {
      const status = await this.withQmp((qmp) => qmp.execute('query-status', {}));
      if (status.status === 'running') return 'running';
      if (status.status === 'shutdown') return 'shutdown';
      if (PAUSED_STATUSES.has(status.status)) return 'paused';
      return 'failed';
    } catch (err) {
      // QEMU exiting between the two checks is an ordinary race, not an error.
      if (!(await this.alive())) return 'off';
      throw err;
    }
  }

  async pause(): Promise<void> {
    await this.withQmp((qmp) => qmp.execute('stop', {}));
  }

  async resume(): Promise<void> {
    await this.withQmp((qmp) => qmp.execute('cont', {}));
  }

  async stop(timeoutMs: number): Promise<void> {
    const pid = await this.pid();
    if (pid === undefined) return;
    try {
      await this.withQmp((qmp) => qmp.execute('quit', {}));
    } catch {
      // QEMU may close the connection before its reply to `quit` arrives.
    }
    if (!(await pollUntil(() => this.alive().then((a) => !a), timeoutMs))) await this.powerOff();
  }

  async powerOff(): Promise<void> {
    const pid = await this.pid();
    if (pid === undefined || !(await this.alive())) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    if (!(await pollUntil(() => this.alive().then((a) => !a), 10_000)))
      throw new VmError('hypervisor-failed', `QEMU (pid ${pid}) did not die after SIGKILL`);
  }

  async saveSnapshot(tag: string): Promise<void> {
    await this.withQmp((qmp) =>
      qmp.runJob(
        'snapshot-save',
        { 'job-id': `save-${tag}`, tag, vmstate: STORE_NODE, devices: [STORE_NODE] },
        SNAPSHOT_TIMEOUT_MS,
      ),
    );
  }

  async loadSnapshot(tag: string): Promise<'running' | 'paused'> {
    return this.withQmp(async (qmp) => {
      // The load stops the guest and restarts it if it ran: the last STOP or RESUME event says
      // how it ends, without another round trip. No STOP at all means it was paused already.
      let ending: 'running' | 'paused' = 'paused';
      const watch = qmp.onEvent((e) => {
        if (e.event === 'RESUME') ending = 'running';
        if (e.event === 'STOP') ending = 'paused';
      });
      try {
        await qmp.runJob(
          'snapshot-load',
          { 'job-id': `load-${tag}`, tag, vmstate: STORE_NODE, devices: [STORE_NODE] },
          SNAPSHOT_TIMEOUT_MS,
        );
      } finally {
        watch.dispose();
      }
      return ending;
    });
  }

  async deleteSnapshot(tag: string): Promise<void> {
    if (await this.alive()) {
      await this.withQmp((qmp) =>
        qmp.runJob(
          'snapshot-delete',
          { 'job-id': `delete-${tag}`, tag, devices: [STORE_NODE] },
          SNAPSHOT_TIMEOUT_MS,
        ),
      );
    } else {
      await this.dir.deleteDiskSnapshot(tag);
    }
  }

  async listSnapshots(): Promise<string[]> {
    return (await this.dir.diskSnapshots()).map((s) => s.tag);
  }

  async openConsole(): Promise<ConsoleSource> {
    return connectConsoleKeeper(
      await ensureConsoleKeeper(consoleKeeperPaths(this.dir), this.dir.consoleKeeperLog),
    );
  }

  async forget(): Promise<void> {
    await this.powerOff();
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    this.qmp?.close();
  }

  private async pid(): Promise<number | undefined> {
    try {
      const pid = Number((await readFile(this.dir.pidFile, 'utf8')).trim());
      return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async alive(): Promise<boolean> {
    const pid = await this.pid();
    return pid !== undefined && isProcessAlive(pid, QEMU_BINARY);
  }

  /**
   * QEMU serves one QMP client at a time, so a connection is kept only while calls come in and
   * closed when idle: a burst (a revert makes several calls) pays for one connection, and another
   * process (the CLI beside the studio) waits at most this idle time for its turn.
   */
  private async withQmp<T>(use: (qmp: QmpClient) => Promise<T>): Promise<T> {
    clearTimeout(this.idleTimer);
    this.qmpUsers++;
    try {
      return await use(await this.qmpConnection());
    } finally {
      this.qmpUsers--;
      if (this.qmpUsers === 0) {
        this.idleTimer = setTimeout(() => this.qmp?.close(), QMP_IDLE_CLOSE_MS);
        this.idleTimer.unref();
      }
    }
  }

  private qmpConnection(): Promise<QmpClient> {
    if (this.qmp && !this.qmp.closed) return Promise.resolve(this.qmp);
    this.qmpConnecting ??= QmpClient.connect(this.dir.qmpSocket, QMP_DEFAULT_TIMEOUT_MS)
      .then((client) => {
        this.qmp = client;
        client.onDidClose(() => {
          if (this.qmp === client) this.qmp = undefined;
        });
        return client;
      })
      .finally(() => {
        this.qmpConnecting = undefined;
      });
    return this.qmpConnecting;
  }
}
