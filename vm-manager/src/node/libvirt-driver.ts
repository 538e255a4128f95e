/**
 * The libvirt driver: machines as libvirt domains named `phantom-<name>`, on the local daemon
 * (`qemu:///system`) or a remote one (`qemu+ssh://host/system`). Lifecycle goes through the
 * `@unraid/libvirt` binding; what it lacks (snapshots, the console, why a domain stopped) goes
 * through `virsh`, libvirt's own client, which speaks every URI libvirt does. README.md says why
 * `virsh` rather than an addon of our own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Domain, Hypervisor } from '@unraid/libvirt';
import type { IPty } from 'node-pty';
import type { MachineConfig } from '../common/api.js';
import { isVmError, VmError } from '../common/errors.js';
import { Emitter } from '../common/events.js';
import type { BootOptions, ConsoleSource, Driver, RuntimeState } from './driver.js';
import { kernelCommandLine } from './kernel-command-line.js';
import type { MachineDir } from './machine-dir.js';
import { kvmUsable, QEMU_BINARY } from './qemu-driver.js';

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

/** Memory snapshots under TCG on a loaded machine take a while. */
const VIRSH_TIMEOUT_MS = 180_000;

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function domainName(machine: string): string {
  return `phantom-${machine}`;
}

export function domainXml(
  dir: MachineDir,
  config: MachineConfig,
  boot: BootOptions,
  type: 'kvm' | 'qemu',
  uuid: string | undefined,
): string {
  const kernel = config.kernelPath
    ? `<kernel>${xmlEscape(config.kernelPath)}</kernel><cmdline>${xmlEscape(kernelCommandLine(config, boot))}</cmdline>`
    : '';
  return `<domain type='${type}'>
  <name>${domainName(dir.name)}</name>${uuid ? `\n  <uuid>${uuid}</uuid>` : ''}
  <memory unit='MiB'>${config.memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os><type arch='i686' machine='pc'>hvm</type>${kernel}</os>
  <devices>
    <emulator>/usr/bin/${QEMU_BINARY}</emulator>
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
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
`;
}

export class LibvirtDriver implements Driver {
  readonly kind = 'libvirt' as const;
  private readonly domain: string;

  constructor(
    private readonly dir: MachineDir,
    private readonly uri: string,
  ) {
    this.domain = domainName(dir.name);
  }

  async start(config: MachineConfig, boot: BootOptions): Promise<void> {
    if ((await this.runtimeState()) !== 'off')
      throw new VmError('bad-state', `domain ${this.domain} is already running on ${this.uri}`);
    const type = this.uri.startsWith('qemu:///') && (await kvmUsable()) ? 'kvm' : 'qemu';
    // Redefining keeps the domain's UUID (libvirt refuses a new one under an old name) and its snapshots.
    const uuid = await this.withDomain((domain) => domain.getUUIDString());
    await this.withHypervisor(async (hypervisor) => {
      const domain = await hypervisor.domainDefineXML(domainXml(this.dir, config, boot, type, uuid));
      await domain.create();
    });
  }

  async runtimeState(): Promise<RuntimeState> {
    const info = await this.withDomain((domain) => domain.getInfo());
    if (!info) return 'off';
    switch (info.state) {
      case DOMAIN_STATE.running:
      case DOMAIN_STATE.blocked:
      case DOMAIN_STATE.shuttingDown:
        return 'running';
      case DOMAIN_STATE.paused:
      case DOMAIN_STATE.pmSuspended:
        return 'paused';
      case DOMAIN_STATE.crashed:
        return 'failed';
      case DOMAIN_STATE.shutoff: {
        // Only a guest that powered itself off counts as a clean stop; libvirt says why.
        const reason = await this.virsh(['domstate', '--reason', this.domain]);
        return /\(shutdown\)/.test(reason) ? 'shutdown' : 'off';
      }
      default:
        return 'off';
    }
  }

  async pause(): Promise<void> {
    await this.requireDomain((domain) => domain.suspend());
  }

  async resume(): Promise<void> {
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

  /** Every libvirt call opens and closes its own connection; nothing is held. */
  dispose(): void {}

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
      } catch {
        return undefined;
      }
      return use(domain);
    });
  }

  private async withHypervisor<T>(use: (hypervisor: Hypervisor) => Promise<T>): Promise<T> {
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
    try {
      return await use(hypervisor);
    } catch (err) {
      if (err instanceof VmError) throw err;
      throw new VmError('hypervisor-failed', `libvirt: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    } finally {
      await hypervisor.connectClose().catch(() => undefined);
    }
  }

  private async virsh(args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync('virsh', ['-q', '-c', this.uri, ...args], {
        timeout: VIRSH_TIMEOUT_MS,
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
  pause(): void {
    this.pty.pause();
  }
  resume(): void {
    this.pty.resume();
  }
  close(): void {
    this.pty.kill();
  }
}
