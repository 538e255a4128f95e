/**
 * The libvirt driver: machines as libvirt domains named `phantom-<name>`, on the local daemon
 * (`qemu:///system`) or a remote one (`qemu+ssh://host/system`). Lifecycle goes through the
 * `@unraid/libvirt` binding; what it lacks (snapshots, the console, why a domain stopped) goes
 * through `virsh`, libvirt's own client, which speaks every URI libvirt does. README.md says why
 * `virsh` rather than an addon of our own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEBUG_PORT_NAME } from '@phantom/inspector/common/debug-protocol.js';
import { Emitter } from '@phantom/inspector/common/events.js';
import type { Domain, Hypervisor } from '@unraid/libvirt';
import type { IPty } from 'node-pty';
import type { AcceleratorUsed, MachineConfig, StartResult } from '../common/api.js';
import { isVmError, VmError } from '../common/errors.js';
import { lastMeaningfulLines } from '../common/log-lines.js';
import { chooseAccelerator, forcedAccelerator } from './accelerator.js';
import type { BootOptions, ConsoleSource, Driver, FailureReport, RuntimeState } from './driver.js';
import { chooseFirmware, type FirmwareChoice } from './firmware.js';
import { kernelCommandLine } from './kernel-command-line.js';
import type { MachineDir } from './machine-dir.js';
import { readLogTail } from './qemu-driver.js';
import { dacBaseLabel, grantSearch, groupsOf } from './qemu-user-access.js';

const execFileAsync = promisify(execFile);

/** libvirt's numbers for a domain's state (virDomainState). */
const DOMAIN_STATE = {
  running: 1,
  blocked: 2,
  paused: 3,
  shuttingDown: 4,
  shutoff: 5,
  crashed: 6,
  pmSuspended: 7,
};

/**
 * What `virsh domstate --reason` says of a pause nobody asked for, the guest unable to go on:
 * libvirt 9 shows QEMU's stop on an internal error (a KVM that cannot run the kernel) as
 * "paused (unknown)", since it neither asked for the stop nor was told why; "crashed" is a guest
 * panic met with a pause. The other reasons are a pause someone asked for ("user", "from
 * snapshot", "creating snapshot", "saving"…) or one that ends when its cause does ("I/O error":
 * a host disk full; the qemu driver keeps QEMU's io-error paused too).
 */
const FAILED_PAUSE = /^paused \((unknown|crashed)\)$/;

/** Whether `virsh domstate --reason`'s answer is a pause the guest cannot go on from. */
export function isFailedPause(reason: string): boolean {
  return FAILED_PAUSE.test(reason);
}

/** libvirtd's system instance on this host: QEMU runs as libvirt's own user, and logs where we can read. */
const LOCAL_SYSTEM_URI = /^qemu(\+unix)?:\/\/\/system$/;

/** Where libvirtd's system instance keeps each domain's QEMU log (QEMU's stderr among it). */
const SYSTEM_QEMU_LOG_DIR = '/var/log/libvirt/qemu';

/** Memory snapshots under TCG on a loaded machine take a while. */
const VIRSH_TIMEOUT_MS = 180_000;

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function domainName(machine: string): string {
  return `phantom-${machine}`;
}

/** Whether `uri` names a daemon on this host (`qemu:///system`, `qemu+unix:///session`), not a remote one. */
export function isLocalUri(uri: string): boolean {
  return /^[a-z0-9]+(\+unix)?:\/\/\//i.test(uri);
}

/** A path the domain needs and libvirt could not find, and what it is, for the error message. */
interface NeededPath {
  what: 'kernel' | 'disk' | 'console log folder' | 'debug channel folder';
  path: string;
  code: 'bad-input' | 'disk-problem';
}

/**
 * libvirt reports a missing file in its own words ("unable to stat: P: No such file…",
 * "Cannot access storage file 'P' …"); on a remote host that means the far host lacks a path
 * this host has, so say which one and what a remote host needs.
 */
export function missingPathError(message: string, needed: NeededPath[], uri: string): VmError | undefined {
  if (!/no such file or directory|does not exist/i.test(message)) return undefined;
  const missing = needed.find((n) => message.includes(n.path));
  if (!missing) return undefined;
  const where = isLocalUri(uri)
    ? `on this host (${uri})`
    : `on the host of ${uri}; a remote libvirt host needs the machine's kernel and folder at the same paths as here (shared storage)`;
  return new VmError(missing.code, `the ${missing.what} ${missing.path} does not exist ${where}`);
}

export function domainXml(
  dir: MachineDir,
  config: MachineConfig,
  boot: BootOptions,
  type: 'kvm' | 'qemu',
  uuid: string | undefined,
  firmware: FirmwareChoice,
): string {
  // As with the qemu driver, a dead guest must look dead: a reset (a triple fault) destroys the
  // domain instead of rebooting it, and a halt announced on the pvpanic device leaves it crashed.
  // qboot (firmware.ts) as a ROM libvirt passes to QEMU as -bios, only for a kernel QEMU loads, and
  // the machine firmware.ts's MACHINE_TYPE names, as far as libvirt says it: no ACPI (no <acpi/>
  // feature), no VMware port, no HPET; libvirt has no word for the SMBus controller, which stays.
  const loader =
    config.kernelPath && firmware.kind === 'qboot'
      ? `<loader type='rom'>${xmlEscape(firmware.rom)}</loader>`
      : '';
  const kernel = config.kernelPath
    ? `${loader}<kernel>${xmlEscape(config.kernelPath)}</kernel><cmdline>${xmlEscape(kernelCommandLine(config, boot))}</cmdline>`
    : '';
  return `<domain type='${type}'>
  <name>${domainName(dir.name)}</name>${uuid ? `\n  <uuid>${uuid}</uuid>` : ''}
  <memory unit='MiB'>${config.memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os><type arch='i686' machine='pc'>hvm</type>${kernel}</os>
  <features><vmport state='off'/></features>
  <clock offset='utc'><timer name='hpet' present='no'/></clock>
  <on_reboot>destroy</on_reboot>
  <on_crash>preserve</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${xmlEscape(dir.disk)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'>
      <log file='${xmlEscape(dir.consoleLog)}' append='on'/>
      <target port='0'/>
    </serial>
    <serial type='unix'>
      <source mode='bind' path='${xmlEscape(dir.debugSocket)}'/>
      <target port='1'/>
    </serial>
    <channel type='unix'>
      <source mode='bind' path='${xmlEscape(dir.debugPortSocket)}'/>
      <target type='virtio' name='${DEBUG_PORT_NAME}'/>
    </channel>
    <console type='pty'><target type='serial' port='0'/></console>
    <panic model='isa'><address type='isa' iobase='0x505'/></panic>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

export class LibvirtDriver implements Driver {
  readonly kind = 'libvirt' as const;
  private readonly domain: string;
  private connection: Promise<Hypervisor> | undefined;
  private remoteKvm: Promise<boolean> | undefined;
  /** The domain state runtimeState last saw (virDomainState), for failureReport. */
  private lastState: number | undefined;
  /**
   * Why the domain is paused, asked once per pause: runtimeState is polled every second, and with
   * a remote URI each `virsh` is an ssh login. Forgotten when the domain is seen out of the pause
   * and when this driver pauses, resumes or reverts it.
   */
  private pauseReason: Promise<string> | undefined;

  constructor(
    private readonly dir: MachineDir,
    private readonly uri: string,
  ) {
    this.domain = domainName(dir.name);
  }

  async start(config: MachineConfig, boot: BootOptions): Promise<StartResult> {
    const state = await this.runtimeState();
    if (state !== 'off' && state !== 'shutdown')
      throw new VmError(
        'bad-state',
        `domain ${this.domain} is ${state} on ${this.uri}; it must be off to start`,
      );
    const accelerator = await this.acceleratorFor(config);
    const type = accelerator.name === 'kvm' ? 'kvm' : 'qemu';
    const notes: string[] = [];
    const granted = await this.letQemuReach(config, type);
    if (granted) notes.push(granted);
    const firmware = await this.firmwareFor();
    if (firmware.kind === 'default' && config.kernelPath) notes.push(firmware.why);
    // Redefining keeps the domain's UUID (libvirt refuses a new one under an old name) and its snapshots.
    const uuid = await this.withDomain((domain) => domain.getUUIDString());
    try {
      await this.withHypervisor(async (hypervisor) => {
        const domain = await hypervisor.domainDefineXML(
          domainXml(this.dir, config, boot, type, uuid, firmware),
        );
        await domain.create();
      });
    } catch (err) {
      const needed: NeededPath[] = [
        { what: 'disk', path: this.dir.disk, code: 'disk-problem' },
        { what: 'console log folder', path: this.dir.logsDir, code: 'disk-problem' },
        { what: 'debug channel folder', path: this.dir.runDir, code: 'disk-problem' },
      ];
      if (config.kernelPath) needed.unshift({ what: 'kernel', path: config.kernelPath, code: 'bad-input' });
      throw (err instanceof Error && missingPathError(err.message, needed, this.uri)) || err;
    }
    return { accelerator, notes };
  }

  /**
   * qboot where this host has it, for a daemon on this host (its QEMU reads the same files). A far
   * host's files are not ours to look at: it gets QEMU's default firmware, which it surely has.
   */
  private async firmwareFor(): Promise<FirmwareChoice> {
    if (isLocalUri(this.uri)) return chooseFirmware();
    return {
      kind: 'default',
      why: `default firmware (SeaBIOS): whether the host of ${this.uri} has qboot is not checked`,
    };
  }

  /**
   * The system daemon on this host runs QEMU as its own user, which must pass through the
   * folders above the disk and kernel (a 0700 home stops it): see qemu-user-access.ts. A session
   * daemon runs QEMU as us; a remote host's folders are its own business.
   */
  private async letQemuReach(config: MachineConfig, type: 'kvm' | 'qemu'): Promise<string | undefined> {
    if (!LOCAL_SYSTEM_URI.test(this.uri)) return undefined;
    const label = dacBaseLabel(await this.virsh(['capabilities']), type);
    if (!label || label.uid === process.getuid?.()) return undefined;
    const user = { ...label, groups: await groupsOf(label.uid, label.gid) };
    const paths = [
      this.dir.disk,
      this.dir.debugSocket,
      this.dir.debugPortSocket,
      ...(config.kernelPath ? [config.kernelPath] : []),
    ];
    return grantSearch(paths, user, "libvirt's QEMU");
  }

  /**
   * On this host, the probe's answer (libvirt runs the same QEMU). On a remote host, PHANTOM_ACCEL
   * or else what its libvirt offers, unprobed: the far host's KVM is trusted (and says so). A guest
   * it cannot run is stopped by QEMU with an internal error, which libvirt shows as a pause of
   * unknown reason: runtimeState reports that as failed, so the machine is crashed with libvirt's
   * words.
   */
  private async acceleratorFor(config: MachineConfig): Promise<AcceleratorUsed> {
    if (isLocalUri(this.uri)) {
      const choice = await chooseAccelerator({ kernelPath: config.kernelPath });
      return { name: choice.accel, why: choice.why };
    }
    const forced = forcedAccelerator();
    if (forced) return { name: forced, why: `PHANTOM_ACCEL=${forced} (on the host of ${this.uri})` };
    return (await this.remoteOffersKvm())
      ? { name: 'kvm', why: `KVM: libvirt at ${this.uri} offers it (not probed on the far host)` }
      : { name: 'tcg', why: `TCG: libvirt at ${this.uri} offers no KVM` };
  }

  /** What a remote libvirt says of KVM; its answer is kept (each ask is an ssh login), a failure to ask is not. */
  private remoteOffersKvm(): Promise<boolean> {
    const args = ['domcapabilities', '--virttype', 'kvm', '--arch', 'i686', '--machine', 'pc'];
    this.remoteKvm ??= this.virsh(args).then(
      () => true,
      (err: unknown) => {
        // libvirt says "the accel 'kvm' is not supported by …" when the host has no KVM.
        if (err instanceof Error && /kvm'? is not supported/i.test(err.message)) return false;
        this.remoteKvm = undefined;
        return false;
      },
    );
    return this.remoteKvm;
  }

  async runtimeState(): Promise<RuntimeState> {
    const info = await this.withDomain((domain) => domain.getInfo());
    this.lastState = info?.state;
    if (info?.state !== DOMAIN_STATE.paused) this.pauseReason = undefined;
    if (!info) return 'off';
    switch (info.state) {
      case DOMAIN_STATE.running:
      case DOMAIN_STATE.blocked:
      case DOMAIN_STATE.shuttingDown:
        return 'running';
      case DOMAIN_STATE.paused:
        return isFailedPause((await this.askPauseReason()) ?? '') ? 'failed' : 'paused';
      case DOMAIN_STATE.pmSuspended:
        return 'paused';
      case DOMAIN_STATE.crashed:
        return 'failed';
      default:
        // Shut off for whatever reason (a guest reset destroys the domain): no QEMU runs it.
        return 'off';
    }
  }

  /**
   * libvirt's words for the pause ("paused (user)"), asked once per pause; undefined when virsh
   * cannot say, which is asked again at the next call rather than kept.
   */
  private async askPauseReason(): Promise<string | undefined> {
    // virsh prints the reason in the client's language; FAILED_PAUSE is libvirt's English.
    this.pauseReason ??= this.virsh(['domstate', '--reason', this.domain], { LC_ALL: 'C' }).then((text) =>
      text.trim(),
    );
    const asked = this.pauseReason;
    try {
      return await asked;
    } catch {
      if (this.pauseReason === asked) this.pauseReason = undefined;
      return undefined;
    }
  }

  async failureReport(): Promise<FailureReport> {
    // The system daemon's log of the domain (QEMU's stderr), where this host has it and we may read it.
    const log = LOCAL_SYSTEM_URI.test(this.uri)
      ? await readLogTail(`${SYSTEM_QEMU_LOG_DIR}/${this.domain}.log`)
      : '';
    const lines = lastMeaningfulLines(log, 3);
    // A crashed domain was stopped by a guest panic (pvpanic, kept by on_crash=preserve): no need
    // to ask, which with a remote URI is an ssh login.
    if (this.lastState === DOMAIN_STATE.crashed)
      return {
        cause: 'the kernel halted: it panicked or met an error it cannot go on from (libvirt: crashed)',
        lines,
      };
    // Shut off while it should run: the guest reset itself (on_reboot=destroy) or its QEMU died.
    // libvirt's reason for it (an ssh login away with a remote URI) adds nothing a person needs
    // before being told; its log, where we can read it, is quoted.
    if (this.lastState === DOMAIN_STATE.shutoff)
      return {
        cause: `libvirt shut domain ${this.domain} off: the guest reset itself (a triple fault; the kernel never reboots) or its QEMU died`,
        lines,
      };
    // Paused by nobody: the reason runtimeState asked for once is the one to give.
    const paused = this.lastState === DOMAIN_STATE.paused ? await this.askPauseReason() : undefined;
    if (paused && isFailedPause(paused))
      return {
        cause: /\(crashed\)/.test(paused)
          ? `the kernel halted: it panicked or met an error it cannot go on from (libvirt: ${paused})`
          : `QEMU stopped the guest by itself (libvirt: ${paused}), as on an internal error: under KVM, "KVM internal error", a KVM that cannot run this kernel (PHANTOM_ACCEL=tcg chooses TCG)`,
        lines,
      };
    const reason = await this.virsh(['domstate', '--reason', this.domain]).then(
      (text) => text.trim(),
      () => undefined,
    );
    if (reason === undefined) return { cause: `libvirt no longer knows domain ${this.domain}`, lines };
    return { cause: `libvirt reports domain ${this.domain} as ${reason}`, lines };
  }

  async pause(): Promise<void> {
    this.pauseReason = undefined;
    await this.requireDomain((domain) => domain.suspend());
  }

  async resume(): Promise<void> {
    this.pauseReason = undefined;
    await this.requireDomain((domain) => domain.resume());
  }

  /**
   * libvirt's destroy sends QEMU SIGTERM first, on which QEMU flushes its disks and exits:
   * clean from the disk's point of view, and the Phantom kernel needs no shutdown protocol.
   */
  async stop(): Promise<void> {
    await this.destroyIfActive();
  }

  /** As close to a power cut as libvirt offers remotely: destroy without asking the guest. */
  async powerOff(): Promise<void> {
    await this.destroyIfActive();
  }

  async saveSnapshot(tag: string): Promise<void> {
    await this.virsh(['snapshot-create-as', '--domain', this.domain, '--name', tag, '--atomic']);
  }

  async loadSnapshot(tag: string): Promise<'running' | 'paused'> {
    // virsh would start a shut-off domain to revert it; the contract is that only a live one reverts.
    const state = await this.runtimeState();
    if (state !== 'running' && state !== 'paused')
      throw new VmError('hypervisor-failed', `domain ${this.domain} is not running`);
    try {
      await this.virsh(['snapshot-revert', '--domain', this.domain, '--snapshotname', tag]);
    } catch (err) {
      if (isVmError(err) && /not found|no domain snapshot/i.test(err.message))
        throw new VmError('qmp-error', `snapshot ${tag} not found: ${err.message}`);
      throw err;
    } finally {
      this.pauseReason = undefined;
    }
    return (await this.runtimeState()) === 'paused' ? 'paused' : 'running';
  }

  async deleteSnapshot(tag: string): Promise<void> {
    await this.virsh(['snapshot-delete', '--domain', this.domain, '--snapshotname', tag]);
  }

  async listSnapshots(): Promise<string[]> {
    if (!(await this.withDomain(async () => true))) return [];
    const text = await this.virsh(['snapshot-list', '--domain', this.domain, '--name']);
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  }

  async openConsole(): Promise<ConsoleSource> {
    // Loaded here, not at the top: a native module the qemu driver and most commands never need.
    const { spawn } = await import('node-pty');
    const source = new VirshConsole(spawn, this.uri, this.domain);
    await source.ready;
    return source;
  }

  async forget(): Promise<void> {
    await this.destroyIfActive();
    if (await this.withDomain(async () => true))
      await this.virsh(['undefine', '--snapshots-metadata', '--domain', this.domain]);
  }

  /** Closes the connection this driver holds; the domain runs on. */
  dispose(): void {
    if (this.connection) this.dropConnection(this.connection);
  }

  private async destroyIfActive(): Promise<void> {
    const state = await this.runtimeState();
    if (state === 'off' || state === 'shutdown') return;
    await this.requireDomain((domain) => domain.destroy());
  }

  private async requireDomain<T>(use: (domain: Domain) => Promise<T>): Promise<T> {
    const found = await this.withDomain(async (domain) => ({ value: await use(domain) }));
    if (!found) throw new VmError('bad-state', `domain ${this.domain} is not defined on ${this.uri}`);
    return found.value;
  }

  /** Runs `use` on the domain, or resolves to undefined when libvirt has no such domain. */
  private withDomain<T>(use: (domain: Domain) => Promise<T>): Promise<T | undefined> {
    return this.withHypervisor(async (hypervisor) => {
      let domain: Domain;
      try {
        domain = await hypervisor.domainLookupByName(this.domain);
      } catch (err) {
        // Only libvirt's own answer means "no such domain"; a broken connection says nothing.
        if (err instanceof Error && /domain not found/i.test(err.message)) return undefined;
        throw err;
      }
      return use(domain);
    });
  }

  /**
   * Runs `use` on this driver's connection, opened on first use and then kept: with a remote
   * URI every connection is an ssh login, which costs far more than the call. A kept
   * connection that died (libvirtd restarted, the link dropped) is replaced once.
   */
  private async withHypervisor<T>(use: (hypervisor: Hypervisor) => Promise<T>): Promise<T> {
    const reused = this.connection !== undefined;
    const connection = this.connect();
    const hypervisor = await connection;
    try {
      return await use(hypervisor);
    } catch (err) {
      if (err instanceof VmError) throw err;
      if (reused && !(await this.answers(hypervisor))) {
        this.dropConnection(connection);
        return this.withHypervisor(use);
      }
      throw new VmError('hypervisor-failed', `libvirt: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }

  private connect(): Promise<Hypervisor> {
    this.connection ??= this.open().catch((err: unknown) => {
      this.connection = undefined;
      throw err;
    });
    return this.connection;
  }

  private async open(): Promise<Hypervisor> {
    let binding: typeof import('@unraid/libvirt');
    try {
      binding = await import('@unraid/libvirt');
    } catch (err) {
      throw new VmError(
        'hypervisor-missing',
        `the libvirt binding cannot load (is libvirt installed?): ${String(err)}`,
      );
    }
    const hypervisor = new binding.Hypervisor({ uri: this.uri });
    try {
      await hypervisor.connectOpen();
    } catch (err) {
      throw new VmError(
        'hypervisor-failed',
        `cannot connect to libvirt at ${this.uri} (is libvirtd running?): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return hypervisor;
  }

  /** Whether the connection still reaches libvirtd (the binding has no virConnectIsAlive). */
  private async answers(hypervisor: Hypervisor): Promise<boolean> {
    try {
      await hypervisor.connectGetHostname();
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets `connection` (unless another call already replaced it) and closes it. */
  private dropConnection(connection: Promise<Hypervisor>): void {
    if (this.connection === connection) this.connection = undefined;
    connection.then((hypervisor) => hypervisor.connectClose()).catch(() => undefined);
  }

  private async virsh(args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
    try {
      const { stdout } = await execFileAsync('virsh', ['-q', '-c', this.uri, ...args], {
        timeout: VIRSH_TIMEOUT_MS,
        ...(env ? { env: { ...process.env, ...env } } : {}),
      });
      return stdout;
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT')
        throw new VmError('hypervisor-missing', 'virsh is not installed (Debian: libvirt-clients)');
      throw new VmError('hypervisor-failed', `virsh ${args[0]}: ${(e.stderr || e.message).trim()}`, {
        cause: err,
      });
    }
  }
}

/** The first lines virsh prints before the guest's own output. */
const VIRSH_CONSOLE_BANNER = /Escape character is[^\n]*\n/;

/** `virsh console` in a pseudo-terminal: it works with every URI, remote ones included. */
class VirshConsole implements ConsoleSource {
  private readonly onDataEmitter = new Emitter<Uint8Array>();
  private readonly onDidCloseEmitter = new Emitter<void>();
  readonly onData = this.onDataEmitter.event;
  readonly onDidClose = this.onDidCloseEmitter.event;
  readonly ready: Promise<void>;
  private readonly pty: IPty;
  private banner = '';
  private bannerSeen = false;

  constructor(spawnPty: typeof import('node-pty').spawn, uri: string, domain: string) {
    this.pty = spawnPty('virsh', ['-c', uri, 'console', '--force', domain], {
      name: 'xterm',
      cols: 200,
      rows: 50,
      encoding: null,
    } as Parameters<typeof spawnPty>[2]);
    let markReady: () => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    this.pty.onData((data: string | Buffer) => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      if (this.bannerSeen) {
        this.onDataEmitter.fire(new Uint8Array(bytes));
        return;
      }
      this.banner += bytes.toString('latin1');
      const match = VIRSH_CONSOLE_BANNER.exec(this.banner);
      if (!match) return;
      this.bannerSeen = true;
      markReady();
      const rest = Buffer.from(this.banner.slice(match.index + match[0].length), 'latin1');
      if (rest.length > 0) this.onDataEmitter.fire(new Uint8Array(rest));
    });
    this.pty.onExit(() => {
      fail(new VmError('hypervisor-failed', `virsh console ended: ${this.banner.trim() || 'no output'}`));
      this.onDidCloseEmitter.fire();
      this.onDataEmitter.dispose();
      this.onDidCloseEmitter.dispose();
    });
  }

  write(data: Uint8Array | string): void {
    this.pty.write(typeof data === 'string' ? data : Buffer.from(data).toString('latin1'));
  }
  close(): void {
    // virsh console outlived SIGHUP (node-pty's default) and SIGTERM for minutes here, and with
    // it this process. libvirtd drops the console stream of a client that is gone.
    this.pty.kill('SIGKILL');
  }
}
