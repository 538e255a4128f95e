// Small helpers shared by the repository's scripts (build, lint, test, start, bench).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The npm workspaces in dependency order: each may import only those before it. */
export const workspaces = ['lang', 'inspector', 'vm-manager', 'shell', 'e2e'];

/** Runs a command with inherited output; resolves to its exit code (signals count as failure). */
export function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('error', (err) => {
      console.error(`${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export function runSync(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  return r.status ?? 1;
}

/** Every file under `dir` (recursively) whose name satisfies `accept`, skipping node_modules. */
export function findFiles(dir, accept) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findFiles(path, accept));
    else if (accept(name)) out.push(path);
  }
  return out;
}

export async function bootstrap() {
  if (process.env.PHANTOM_SKIP_BOOTSTRAP === '1') return 0;
  return run('bash', [join(root, 'scripts/bootstrap')], {
    env: { ...process.env, PHANTOM_BOOTSTRAP_QUIET: '1' },
  });
}

/** How long a daemon just started may take before its socket answers. */
const SERVICE_READY_MS = 15_000;

/**
 * Starts the services the tests (and the studio's libvirt machines) use and that a machine
 * without systemd does not start by itself: libvirt's virtlogd and libvirtd, as root, then waits
 * until libvirtd answers. A running daemon is left alone. Where they cannot be started (not
 * root), says so in a line: the libvirt tests will then say what is missing.
 */
export async function startServices() {
  if (spawnSync('sh', ['-c', 'command -v libvirtd']).status !== 0) return;
  const running = (name) => spawnSync('pgrep', ['-x', name]).status === 0;
  const missing = ['virtlogd', 'libvirtd'].filter((name) => !running(name));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.log(
      `services: ${missing.join(' and ')} not running, and only root starts them (sudo systemctl start libvirtd)`,
    );
    return;
  }
  for (const name of missing) runSync(name, ['-d']);
  const answers = () =>
    spawnSync('virsh', ['-c', 'qemu:///system', 'version'], { stdio: 'ignore' }).status === 0;
  const deadline = Date.now() + SERVICE_READY_MS;
  while (!answers()) {
    if (Date.now() > deadline) {
      console.log(
        `services: started ${missing.join(' and ')}, but libvirtd does not answer at qemu:///system`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`services: started ${missing.join(' and ')}`);
}

/** The Electron binary's path when one is installed and runs, else a reason why not. */
export function electronBinary() {
  let binary;
  try {
    binary = createRequire(join(root, 'shell/package.json'))('electron');
  } catch (err) {
    return { reason: `the Electron binary is not installed (${String(err.message).split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary))
    return { reason: 'the Electron binary is not installed' };
  const probe = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 15000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  return probe.status === 0
    ? { binary }
    : { reason: `the Electron binary does not run (${probe.stderr?.trim() || probe.error?.message})` };
}
