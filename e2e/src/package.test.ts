/**
 * The package, as far as it can be made here. `npm run dist` stages the app and packs it with
 * electron-builder (where there is no Electron binary it stops after app.asar and says so); then
 * the packed app, copied out of the repository into a folder laid out as a package's resources/
 * (electron-builder.yml's extraResources beside it), runs its host with plain node: hello, the
 * example programs and images, a machine booted from the kernel and built image the package carries, its
 * console, and a terminal through the packaged node-pty. Any require of a workspace package or a
 * file of the repository fails there, so a pass means the package is self-contained. The boot
 * needs QEMU; that test is skipped with the reason where it is missing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { listPackage, statFile } from '@electron/asar';
import { WebSocket } from 'ws';
import { repoRoot } from './fixtures.js';
import { builderConfig, layOutPackage, packedResources, stagedApp, walk } from './package-layout.js';

/** What the staged app's node_modules may hold: the host's native modules and their runtime deps. */
const STAGED_PACKAGES = ['@unraid/libvirt', 'node-pty', 'sax', 'xml2js', 'xmlbuilder'];
/** npm run dist --no-build: the images and electron-builder; minutes on a loaded machine. */
const DIST_DEADLINE_MS = 300_000;
/** The host prints its URL in well under a second; generous for a loaded machine. */
const HOST_START_DEADLINE_MS = 30_000;
/** A boot under TCG to the counter's third tick. */
const CONSOLE_DEADLINE_MS = 120_000;

let dist: { code: number | null; output: string };

before(() => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts/dist.mjs'), '--no-build'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: DIST_DEADLINE_MS,
  });
  dist = { code: run.status, output: `${run.stdout}${run.stderr}` };
});

test('npm run dist stages and packs the app, and says what stopped it', () => {
  assert.equal(builderConfig.directories.app, relative(repoRoot, stagedApp));
  assert.ok(existsSync(join(packedResources, 'app.asar')), dist.output);
  assert.ok(existsSync(join(packedResources, 'app.asar.unpacked')), dist.output);
  // Here there is no Electron binary: no package, and a message that says why (not a stack).
  if (dist.code !== 0) {
    assert.equal(dist.code, 1, dist.output);
    assert.match(dist.output, /npm run dist: no AppImage or \.deb made: .*Electron/);
    assert.match(dist.output, /electron-builder packed .*app\.asar and app\.asar\.unpacked, then stopped/);
  }
});

test('the staged app holds the bundles, the renderer and the native modules only, with no links', () => {
  const { files, links } = walk(stagedApp);
  assert.deepEqual(links, []);
  const manifest = JSON.parse(readFileSync(join(stagedApp, 'package.json'), 'utf8'));
  assert.ok(files.includes(manifest.main), `main ${manifest.main} is staged`);
  const packages = new Set(
    files
      .filter((file) => file.startsWith(`node_modules${sep}`))
      .map((file) =>
        file
          .split(sep)
          .slice(1, file.split(sep)[1]?.startsWith('@') ? 3 : 2)
          .join('/'),
      ),
  );
  assert.deepEqual([...packages].sort(), STAGED_PACKAGES);
  const topLevel = new Set(files.map((file) => file.split(sep)[0]));
  assert.deepEqual([...topLevel].sort(), ['dist', 'node_modules', 'package.json']);
  for (const bundle of [
    'main/main.bundle.js',
    'preload/preload.cjs',
    'host/electron-host.bundle.js',
    'www/index.html',
  ])
    assert.ok(files.includes(join('dist', bundle)), bundle);
  // No source maps, no sources of the addons, no declared build-only dependency.
  assert.deepEqual(
    files.filter((file) => /\.(map|ts|cc|gyp)$/.test(file) && !file.endsWith('.d.ts')),
    [],
  );
});

test('app.asar holds exactly the staged files, the native modules unpacked and executable', () => {
  const archive = join(packedResources, 'app.asar');
  const unpackedDir = `${archive}.unpacked`;
  const packedFiles = listPackage(archive, { isPack: false })
    .map((entry) => entry.replace(/^[\\/]/, ''))
    .filter((entry) => !('files' in statFile(archive, entry)))
    .sort();
  assert.deepEqual(packedFiles, walk(stagedApp).files);
  assert.deepEqual(walk(unpackedDir).links, []);
  const natives = packedFiles.filter((file) => file.endsWith('.node') || file.endsWith(`${sep}spawn-helper`));
  assert.ok(
    natives.some((file) => file.startsWith(join('node_modules', 'node-pty'))),
    'node-pty addon',
  );
  assert.ok(
    natives.some((file) => file.startsWith(join('node_modules', '@unraid', 'libvirt'))),
    'libvirt addon',
  );
  for (const file of natives) {
    assert.equal((statFile(archive, file) as { unpacked?: boolean }).unpacked, true, `${file} is unpacked`);
    const mode = statSync(join(unpackedDir, file)).mode;
    assert.ok(mode & 0o100, `${file} is executable (mode ${mode.toString(8)})`);
  }
});

/** One WebSocket to the host's API: calls by id, stream output collected per stream. */
class HostApi {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    (reply: { result?: unknown; error?: { message: string } }) => void
  >();
  private readonly streams = new Map<number, string>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (typeof frame.id === 'number') this.pending.get(frame.id)?.(frame);
      else if (typeof frame.stream === 'number' && typeof frame.data === 'string') {
        this.streams.set(frame.stream, (this.streams.get(frame.stream) ?? '') + frame.data);
        // The stream may end (a power cut closes the console) before the ack arrives; that is fine.
        this.call('stream.ack', { stream: frame.stream, chars: frame.data.length || 1 }).catch(
          () => undefined,
        );
      }
    });
  }

  static async connect(urlWithToken: string): Promise<HostApi> {
    const url = new URL(urlWithToken);
    const cookie = await new Promise<string>((resolve, reject) => {
      const req = request(url, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie']).split(';')[0] ?? '');
      });
      req.on('error', reject);
      req.end();
    });
    const socket = new WebSocket(`ws://${url.host}/api`, { origin: url.origin, headers: { Cookie: cookie } });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new HostApi(socket);
  }

  async call(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    const reply = await new Promise<{ result?: unknown; error?: { message: string } }>((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
    this.pending.delete(id);
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result;
  }

  /** Polls a stream's output until it matches, under a deadline. */
  async waitForOutput(stream: number, pattern: RegExp, deadlineMs: number): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    while (!pattern.test(this.streams.get(stream) ?? '')) {
      if (Date.now() > deadline)
        throw new Error(
          `no ${pattern} in ${deadlineMs} ms; the stream had:\n${this.streams.get(stream) ?? ''}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.streams.get(stream) ?? '';
  }

  close(): void {
    this.socket.close();
  }
}

const qemu = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
const noQemu = qemu.status === 0 ? undefined : 'qemu-system-i386 is not installed';
if (noQemu) console.log(`# the packaged host's machine test skipped: ${noQemu}`);

let scratch: string;
let host: ChildProcess | undefined;

after(async () => {
  if (host && host.exitCode === null && host.signalCode === null) {
    const closed = new Promise((resolve) => host?.once('close', resolve));
    host.kill('SIGTERM');
    await closed;
  }
  if (!scratch) return;
  // QEMU runs daemonized and outlives the host; a test that failed before its power cut leaves it.
  for (const file of walk(scratch).files.filter((path) => path.endsWith('qemu.pid'))) {
    const pid = Number(readFileSync(join(scratch, file), 'utf8').trim());
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

test('the packaged host runs with plain node outside the repository and boots the carried machine', {
  timeout: 300_000,
  skip: noQemu,
}, async () => {
  // Short: machines keep unix sockets under the state folder, and those paths are limited to 108 bytes.
  scratch = mkdtempSync(join(tmpdir(), 'ph-pkg-'));
  for (let dir = scratch; dirname(dir) !== dir; dir = dirname(dir))
    assert.ok(
      !existsSync(join(dir, 'node_modules')),
      `${dir}/node_modules would let the package borrow modules`,
    );
  const resources = layOutPackage(scratch);
  const appDir = join(resources, 'app');
  // The environment of a desktop session: no NODE_PATH, nothing of the repository.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch,
    SHELL: '/bin/sh',
    PHANTOM_STATE_DIR: join(scratch, 's'),
    // What Electron's main gives a packaged host (process.resourcesPath).
    PHANTOM_PREBUILT_DIR: resources,
  };

  // Electron's entry resolves all its imports, then refuses to run outside Electron.
  const electronHost = spawnSync(process.execPath, [join(appDir, 'dist/host/electron-host.bundle.js')], {
    cwd: scratch,
    env,
    encoding: 'utf8',
  });
  assert.equal(electronHost.status, 2, electronHost.stderr);
  assert.match(electronHost.stderr, /must be started by the Electron main process/);
  // The libvirt binding loads from the packaged node_modules (the host imports it for libvirt machines).
  const libvirt = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { Hypervisor } = await import('@unraid/libvirt'); console.log(typeof Hypervisor);",
    ],
    { cwd: appDir, env, encoding: 'utf8' },
  );
  assert.equal(libvirt.stdout.trim(), 'function', libvirt.stderr);

  const started = spawn(process.execPath, [join(appDir, 'dist/host/main.bundle.js'), '--port', '0'], {
    cwd: scratch,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  host = started;
  let output = '';
  started.stdout.on('data', (chunk) => {
    output += chunk;
  });
  started.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + HOST_START_DEADLINE_MS;
  let urlWithToken: string | undefined;
  while (!urlWithToken) {
    urlWithToken = output.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/)?.[0];
    if (started.exitCode !== null || Date.now() > deadline)
      assert.fail(`the packaged host printed no URL (exit ${started.exitCode}):\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const api = await HostApi.connect(urlWithToken);
  try {
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
    assert.deepEqual(await api.call('studio.info'), {
      name: 'Phantom Studio',
      version,
      mode: 'browser',
      platform: process.platform,
    });
    const files = (await api.call('files.list')) as { root: string; path: string }[];
    assert.ok(
      files.some((file) => file.root === 'examples' && file.path === 'counter.ph'),
      JSON.stringify(files),
    );
    assert.deepEqual(await api.call('machines.list'), []);
    // The images the package carries, from their definitions in resources/images/.
    const images = (await api.call('images.list')) as { name: string; problem?: string }[];
    assert.deepEqual(
      images.map((image) => [image.name, image.problem]),
      ['bench', 'counter', 'graph', 'notes', 'prodcons'].map((name) => [name, undefined]),
    );

    await api.call('machines.create', { machine: 'packaged', image: 'counter' });
    await api.call('machine.start', { machine: 'packaged' });
    const { stream: console } = (await api.call('console.attach', { machine: 'packaged' })) as {
      stream: number;
    };
    await api.waitForOutput(console, /tick 3/, CONSOLE_DEADLINE_MS).catch(async (err: Error) => {
      const machines = JSON.stringify(await api.call('machines.list'));
      throw new Error(`${err.message}\nmachines: ${machines}\nhost output:\n${output}`);
    });

    const { stream: terminal } = (await api.call('terminal.open', { cols: 80, rows: 24 })) as {
      stream: number;
    };
    await api.call('stream.input', { stream: terminal, data: 'echo packaged-pty-$((6 * 7))\n' });
    await api.waitForOutput(terminal, /packaged-pty-42/, HOST_START_DEADLINE_MS);

    // The editor's language server: the worker's bundle the package carries.
    const { stream: language } = (await api.call('lang.server', {})) as { stream: number };
    await api.call('stream.input', {
      stream: language,
      data: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } }),
    });
    await api.waitForOutput(language, /"id":1,"result":\{"capabilities"/, HOST_START_DEADLINE_MS);

    await api.call('machine.powerCut', { machine: 'packaged' });
    const [machine] = (await api.call('machines.list')) as { name: string; state: string }[];
    assert.equal(machine?.state, 'stopped');
  } finally {
    api.close();
  }
  assert.equal(started.exitCode, null, `the host is still serving:\n${output}`);
  assert.doesNotMatch(output, new RegExp(repoRoot.replaceAll('/', '\\/')));
});
