/**
 * A private sshd for the remote-libvirt tests, never shipped: its own host key, a client key
 * in its own authorized_keys, root login by key only, bound to 127.0.0.1 on a free port. It
 * gives a `qemu+ssh://` URI whose far end is this host's libvirtd, so the libvirt driver runs
 * over the real ssh transport. Nothing of root's own ssh setup is read or written: the URI's
 * `command=` names a wrapper that points ssh at a known_hosts file in the temporary folder.
 *
 * The driver cannot probe a far host's KVM: it takes KVM when that libvirt offers it, and a KVM
 * that cannot run the kernel (these machines' PVM /dev/kvm, which libvirt offers) stops the guest
 * at its first interrupt. Since the far host is this one, the sshd sets PHANTOM_ACCEL to this
 * host's probed answer for its lifetime, as the README tells a user of such a host to.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chooseAccelerator } from '../node/accelerator.js';
import { pollUntil } from '../node/process-watch.js';

const execFileAsync = promisify(execFile);

export const SSHD_BINARY = '/usr/sbin/sshd';
/** sshd, run as root, refuses to start without its privilege-separation directory. */
const PRIVILEGE_SEPARATION_DIR = '/run/sshd';
/** How long sshd may take to listen on a loaded machine. */
const LISTEN_DEADLINE_MS = 20_000;

export interface PrivateSshd {
  port: number;
  /** A libvirt URI reaching `path` (`system`) on this host's libvirtd through this sshd. */
  libvirtUri(path: string): string;
  /** What sshd logged, for failure messages. */
  log(): string;
  /** How many logins sshd has accepted so far: each costs a remote user a round of ssh. */
  logins(): Promise<number>;
  /** Kills sshd (and with it every session), deletes the folder and puts PHANTOM_ACCEL back. */
  stop(): Promise<void>;
}

/** Why a private sshd cannot run here, or false when it can. */
export function sshdSkipReason(): string | false {
  if (!existsSync(SSHD_BINARY))
    return `openssh-server is not installed (${SSHD_BINARY}); scripts/bootstrap installs it`;
  if (process.getuid?.() !== 0) return 'the private sshd logs in as root, so the test must run as root';
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The pids whose parent is `pid`, from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (new RegExp(`^PPid:\\s+${pid}$`, 'm').test(status)) children.push(Number(entry));
  }
  return children;
}

/** Starts the sshd; `kernelPath` is the kernel whose accelerator this host's probe chooses for the far host. */
export async function startPrivateSshd(kernelPath: string): Promise<PrivateSshd> {
  const accelerator = await chooseAccelerator({ kernelPath });
  const dir = await mkdtemp('/tmp/pssh-');
  await mkdir(PRIVILEGE_SEPARATION_DIR, { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  for (const key of [hostKey, clientKey])
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'phantom-test', '-f', key]);
  const { stdout: clientPublic } = await execFileAsync('ssh-keygen', ['-y', '-f', clientKey]);
  await writeFile(join(dir, 'authorized_keys'), clientPublic, { mode: 0o600 });
  await writeFile(
    join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'AllowUsers root',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The keys live under /tmp, which is world-writable; the default check would refuse them.
      'StrictModes no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      '',
    ].join('\n'),
  );
  const sshWrapper = join(dir, 'ssh');
  await writeFile(sshWrapper, `#!/bin/sh\nexec ssh -o UserKnownHostsFile=${join(dir, 'known_hosts')} "$@"\n`);
  await chmod(sshWrapper, 0o755);
  const logFile = join(dir, 'sshd.log');

  let sshd: ChildProcess | undefined;
  let port = 0;
  let exited = false;
  // Another process may take the free port between asking and binding: then try another.
  for (let attempt = 0; attempt < 3 && !sshd; attempt++) {
    port = await freePort();
    const child = spawn(
      SSHD_BINARY,
      ['-D', '-E', logFile, '-f', join(dir, 'sshd_config'), '-p', String(port)],
      {
        stdio: 'ignore',
      },
    );
    exited = false;
    child.once('exit', () => {
      exited = true;
    });
    child.once('error', () => {
      exited = true;
    });
    await pollUntil(async () => exited || (await accepts(port)), LISTEN_DEADLINE_MS);
    if (!exited) sshd = child;
  }
  const readLog = (): Promise<string> => readFile(logFile, 'utf8').catch(() => '');
  if (!sshd) {
    const log = await readLog();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`the private sshd did not start: ${log}`);
  }
  const running = sshd;
  let lastLog = '';
  const accelBefore = process.env.PHANTOM_ACCEL;
  process.env.PHANTOM_ACCEL = accelerator.accel;
  return {
    port,
    libvirtUri: (path) =>
      `qemu+ssh://root@127.0.0.1:${port}/${path}?keyfile=${clientKey}&no_verify=1&no_tty=1&command=${sshWrapper}`,
    log: () => lastLog,
    logins: async () => (await readLog()).split('\n').filter((l) => /Accepted publickey/.test(l)).length,
    async stop() {
      lastLog = await readLog();
      if (!exited) {
        // Each connection has its own sshd process, which outlives the listener: end those too.
        const sessions = await childrenOf(running.pid ?? 0);
        const gone = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGTERM');
        await gone;
        for (const pid of sessions) killIfAlive(pid);
      }
      await rm(dir, { recursive: true, force: true });
      if (accelBefore === undefined) delete process.env.PHANTOM_ACCEL;
      else process.env.PHANTOM_ACCEL = accelBefore;
    },
  };
}
