// baseline-kernel.mjs — the kernel of an earlier commit, for benchmarks that measure today's code
// beside an older one in the same run: `git archive REV kernel-src lang` unpacked under
// kernel-src/build/baseline-<commit>/ (git-ignored, as all of build/) and built there with that
// revision's own Makefile; a later call finds it there and builds nothing. Works in any clone
// with the revision in its history (a fresh `git clone` of main has all of it).
// Not a way to run that revision's tests: only its kernel (its Makefile's default target) is
// built, and the other targets a caller names (a hosted tool: build/hosted/phrun).
// Run: node kernel-src/tests/bench/baseline-kernel.mjs [REV] prints the kernel's path (building it
// when it is not there yet), for a benchmark that takes a kernel file.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const kernelDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const repoRoot = dirname(kernelDir);

/** Main when issue 21 was filed (the parent of its first commit, f185bb7 "kernel: boot under qboot"). */
export const ISSUE_21_FILED = 'c4a2016';

/**
 * QEMU's machine and firmware as vm-manager started machines at ISSUE_21_FILED
 * (vm-manager/src/node/qemu-driver.ts then): `-machine pc` and no `-bios`, so SeaBIOS.
 */
export const ISSUE_21_MACHINE_ARGS = ['-machine', 'pc'];

/**
 * Where ISSUE_21_FILED's kernel serves the debug channel: serial port 2, the only transport it
 * has (the virtio-serial port came later); tests/qemu.mjs's debugChannelArgs transport.
 */
export const ISSUE_21_DEBUG_TRANSPORT = 'serial';

/**
 * Commits after which a kernel boots as machines start now: f185bb7 made it boot under qboot on
 * the trimmed PC (before it, the kernel needs SeaBIOS to assign the disk's I/O ports); 1067dba gave
 * it the debug channel on a virtio-serial port (before it, serial port 2 only).
 */
const BOOTS_UNDER_QBOOT = 'f185bb7';
const DEBUG_ON_VIRTIO = '1067dba';

/** What a revision's tree needs for its kernel: kernel-src, and lang (its spec, which the kernel includes). */
const PATHS = ['kernel-src', 'lang'];

const run = promisify(execFile);

/** `git …` in the repository; its failure as an Error that says what to do. */
async function git(args, what) {
  try {
    return (await run('git', args, { cwd: repoRoot, maxBuffer: 1 << 20 })).stdout.trim();
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`baseline kernel: git is not installed; it is needed to ${what}`);
    throw new Error(`baseline kernel: cannot ${what}: ${(err.stderr || err.message).trim()}`);
  }
}

/** The full commit `rev` names, or an Error saying how to get it. */
export async function resolveRevision(rev) {
  await git(['rev-parse', '--git-dir'], `read the history of ${repoRoot} (not a git clone?)`);
  try {
    return (await run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: repoRoot })).stdout.trim();
  } catch {
    throw new Error(
      `baseline kernel: revision '${rev}' is not in this clone's history (a shallow clone? run git fetch --unshallow)`,
    );
  }
}

/** Whether `commit` has `ancestor` in its history (git merge-base --is-ancestor). */
async function descendsFrom(commit, ancestor) {
  try {
    await run('git', ['merge-base', '--is-ancestor', ancestor, commit], { cwd: repoRoot });
    return true;
  } catch (err) {
    if (err.code === 1) return false;
    throw new Error(`baseline kernel: cannot tell whether ${commit} descends from ${ancestor}: ${(err.stderr || err.message).trim()}`);
  }
}

/**
 * Machine's options that `commit`'s kernel needs beyond its path: { machine } (the machine and
 * firmware of ISSUE_21_MACHINE_ARGS) for a kernel that cannot boot under qboot, { debugTransport }
 * for one whose debug channel is on serial port 2 only; {} for one that boots as machines do now.
 */
export async function bootOptions(commit) {
  const options = {};
  if (!(await descendsFrom(commit, BOOTS_UNDER_QBOOT))) options.machine = ISSUE_21_MACHINE_ARGS;
  if (!(await descendsFrom(commit, DEBUG_ON_VIRTIO))) options.debugTransport = ISSUE_21_DEBUG_TRANSPORT;
  return options;
}

/** Resolves when `child` exits with 0; else rejects with its stderr (and its stdout, unless `piped`). */
function finished(child, what, { piped = false } = {}) {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    if (!piped) child.stdout.on('data', (d) => (output += d));
    child.on('error', (err) => reject(new Error(`baseline kernel: cannot run ${what}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`baseline kernel: ${what} failed:\n${output.slice(-4000)}`)),
    );
  });
}

/** `git archive commit PATHS` unpacked into `dir`; fails when either side does. */
async function unpack(commit, dir) {
  const archive = spawn('git', ['archive', commit, ...PATHS], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const tar = spawn('tar', ['-x'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  archive.stdout.pipe(tar.stdin);
  await Promise.all([finished(archive, `git archive ${commit}`, { piped: true }), finished(tar, 'tar -x')]);
}

/** Env for a make we start: not the make that may have started us (make bench), its flags or jobserver. */
const makeEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'].includes(k)));

/**
 * The kernel of revision `rev` (default ISSUE_21_FILED), built once into
 * kernel-src/build/baseline-<commit>/: { rev, commit, dir (the unpacked tree), kernelSrc (its
 * kernel-src), kernelPath, boot (bootOptions: what Machine needs beyond the path to run it) }. `targets`: more of that Makefile's targets to build there (paths
 * relative to its kernel-src, e.g. 'build/hosted/phrun'), when they are not there yet.
 * Concurrent callers each build in a folder of their own; the first to finish keeps its folder.
 */
export async function baselineKernel(rev = ISSUE_21_FILED, { targets = [], log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const commit = await resolveRevision(rev);
  const dir = join(kernelDir, 'build', `baseline-${commit.slice(0, 12)}`);
  const kernelSrc = join(dir, 'kernel-src');
  const kernelPath = join(kernelSrc, 'build', 'phantom.elf');
  const built = { rev, commit, dir, kernelSrc, kernelPath, boot: await bootOptions(commit) };
  if (!(existsSync(join(dir, 'built')) && existsSync(kernelPath))) await buildTree(rev, commit, dir, log);
  const missing = targets.filter((t) => !existsSync(join(kernelSrc, t)));
  if (missing.length > 0) {
    log(`baseline kernel: building ${missing.join(' ')} of ${rev} in ${relative(repoRoot, kernelSrc)}`);
    const make = spawn('make', ['-s', '-j2', ...missing], { cwd: kernelSrc, env: makeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    await finished(make, `make ${missing.join(' ')} in ${relative(repoRoot, kernelSrc)}`);
  }
  return built;
}

/** Unpacks and builds `commit` into `dir` (through a scratch folder renamed into place). */
async function buildTree(rev, commit, dir, log) {
  const done = join(dir, 'built');
  log(`baseline kernel: building ${rev} (${commit.slice(0, 12)}) into ${relative(repoRoot, dir)}`);
  const scratch = `${dir}.building-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  try {
    await unpack(commit, scratch);
    const make = spawn('make', ['-s', '-C', 'kernel-src', '-j2'], { cwd: scratch, env: makeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    await finished(make, `make -C kernel-src in ${relative(repoRoot, scratch)}`);
    await writeFile(join(scratch, 'built'), `${commit}\n`);
    // Another caller may have finished first: its folder stays (a QEMU may be reading its kernel).
    if (!existsSync(done)) {
      await rm(dir, { recursive: true, force: true });
      await rename(scratch, dir);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The kernels of `--kernel-rev LABEL=REV` options (benchmarks that run several kernels side by
 * side): { label, path, rev, boot } each, built (or found) as baselineKernel does; undefined for a spec
 * without a label or a revision, which the caller reports with its usage.
 */
export async function revisionKernels(specs = []) {
  const kernels = [];
  for (const spec of specs) {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) return undefined;
    const rev = spec.slice(at + 1);
    const built = await baselineKernel(rev);
    kernels.push({ label: spec.slice(0, at), path: built.kernelPath, rev, boot: built.boot });
  }
  return kernels;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rev = process.argv[2] ?? ISSUE_21_FILED;
  try {
    console.log((await baselineKernel(rev)).kernelPath);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
