/**
 * The accelerator decision against fake QEMUs (shell scripts standing in for qemu-system-i386)
 * and a fake KVM device (a file that opens): the probe passing, failing as the software KVM of our
 * build machines does, hanging, and PHANTOM_ACCEL forcing a choice; then the real kernel's probe
 * line through real QEMU, under TCG, since no KVM that works exists here.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isVmError } from '../common/errors.js';
import { type AcceleratorOptions, chooseAccelerator, PROBE_OK_LINE, probeArguments } from './accelerator.js';
import { SOURCE_ROOT } from './build.js';
import { chooseFirmware, machineArguments } from './firmware.js';

let dir: string;
let kernel: string;
let device: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phantom-accel-'));
  kernel = join(dir, 'kernel.elf');
  device = join(dir, 'kvm');
  await writeFile(kernel, 'a kernel');
  await writeFile(device, '');
});

after(() => rm(dir, { recursive: true, force: true }));

/** A fake QEMU that answers --version, records each other call in `<name>.calls`, then runs `body` (sh). */
async function fakeQemu(name: string, body: string): Promise<{ path: string; calls(): Promise<string[]> }> {
  const path = join(dir, name);
  const log = `${path}.calls`;
  const version = `[ "$1" = --version ] && { echo 'QEMU emulator version 7.2.22 (fake)'; exit 0; }`;
  await writeFile(path, `#!/bin/sh\n${version}\necho "$*" >> '${log}'\n${body}\n`);
  await chmod(path, 0o755);
  return {
    path,
    calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  };
}

function options(qemuBinary: string, more: Partial<AcceleratorOptions> = {}): AcceleratorOptions {
  return {
    kernelPath: kernel,
    qemuBinary,
    kvmDevice: device,
    env: { PATH: process.env.PATH },
    cacheFile: join(dir, `${qemuBinary.split('/').pop()}.cache.json`),
    ...more,
  };
}

const PASSES = `echo 'Phantom kernel (i386, multiboot)'; echo '${PROBE_OK_LINE}'; exit 1`;
/** What QEMU prints under the kvm_pvm module, and then it stays alive with the guest stopped. */
const FAILS_LIKE_PVM = `echo 'Phantom kernel (i386, multiboot)'
echo 'KVM internal error. Suberror: 1' >&2
echo 'emulation failure' >&2
echo 'EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000663' >&2
exec sleep 30`;

test('a probe that passes chooses KVM, and the answer is kept: one probe for many boots', async () => {
  const qemu = await fakeQemu('passes', PASSES);
  const first = await chooseAccelerator(options(qemu.path));
  assert.equal(first.accel, 'kvm');
  assert.equal(first.source, 'probe');
  assert.match(first.why, /probe boot passed/);
  const again = await chooseAccelerator(options(qemu.path));
  assert.deepEqual({ accel: again.accel, source: again.source }, { accel: 'kvm', source: 'cached-probe' });
  const calls = await qemu.calls();
  assert.equal(calls.length, 1, 'probed once');
  const machine = machineArguments(await chooseFirmware({ env: { PATH: process.env.PATH } }));
  assert.equal(calls[0], probeArguments(kernel, machine).join(' '));
  assert.match(calls[0]!, /^-machine pc,acpi=off\S* .*-accel kvm .*-append debug=accel-probe/);
});

test('two decisions at once in one process share the probe', async () => {
  const qemu = await fakeQemu('passes-slowly', `sleep 0.3; ${PASSES}`);
  const both = await Promise.all([
    chooseAccelerator(options(qemu.path)),
    chooseAccelerator(options(qemu.path)),
  ]);
  assert.deepEqual(
    both.map((c) => c.accel),
    ['kvm', 'kvm'],
  );
  assert.equal((await qemu.calls()).length, 1);
});

test('a probe that dies as under the software KVM chooses TCG at once, with QEMU words as the reason', async () => {
  const qemu = await fakeQemu('fails', FAILS_LIKE_PVM);
  const started = performance.now();
  const choice = await chooseAccelerator(options(qemu.path, { probeDeadlineMs: 20_000 }));
  assert.equal(choice.accel, 'tcg');
  assert.equal(choice.source, 'probe');
  assert.match(choice.why, /KVM cannot run this kernel: QEMU said: KVM internal error\. Suberror: 1$/);
  assert.ok(performance.now() - started < 10_000, 'did not wait for the deadline');
  const cached = await chooseAccelerator(options(qemu.path));
  assert.deepEqual({ accel: cached.accel, source: cached.source }, { accel: 'tcg', source: 'cached-probe' });
  assert.equal((await qemu.calls()).length, 1);
});

test('a probe that hangs chooses TCG at its deadline', async () => {
  const qemu = await fakeQemu('hangs', `echo 'Phantom kernel (i386, multiboot)'; exec sleep 30`);
  const choice = await chooseAccelerator(options(qemu.path, { probeDeadlineMs: 300 }));
  assert.equal(choice.accel, 'tcg');
  assert.match(choice.why, /did not finish within 300 ms \(the kernel started, then hung\)/);
});

test('a probe that exits without its line chooses TCG and says how QEMU ended', async () => {
  const qemu = await fakeQemu('exits', `echo 'Phantom kernel (i386, multiboot)'; exit 0`);
  const choice = await chooseAccelerator(options(qemu.path));
  assert.equal(choice.accel, 'tcg');
  assert.match(choice.why, /exited with status 0 without the probe's line/);
});

test('the answer depends on the kernel: another build is probed again', async () => {
  const qemu = await fakeQemu('per-kernel', PASSES);
  const other = join(dir, 'other.elf');
  await writeFile(other, 'another kernel');
  await chooseAccelerator(options(qemu.path));
  await chooseAccelerator(options(qemu.path, { kernelPath: other }));
  await chooseAccelerator(options(qemu.path, { kernelPath: other }));
  assert.equal((await qemu.calls()).length, 2);
});

test('the probe boots the machine it is given, and another machine is probed again', async () => {
  const qemu = await fakeQemu('per-machine', PASSES);
  await chooseAccelerator(options(qemu.path));
  await chooseAccelerator(options(qemu.path, { machine: ['-machine', 'pc'] }));
  await chooseAccelerator(options(qemu.path, { machine: ['-machine', 'pc'] }));
  const calls = await qemu.calls();
  assert.equal(calls.length, 2);
  assert.match(calls[1]!, /^-machine pc -accel kvm /);
});

test('without a KVM device there is nothing to probe: TCG, saying why', async () => {
  const qemu = await fakeQemu('unused', PASSES);
  const choice = await chooseAccelerator(options(qemu.path, { kvmDevice: join(dir, 'no-such-device') }));
  assert.deepEqual(choice, {
    accel: 'tcg',
    why: `TCG: there is no ${join(dir, 'no-such-device')} on this host`,
    source: 'no-kvm',
  });
  assert.equal((await qemu.calls()).length, 0);
});

test('PHANTOM_ACCEL forces a choice: tcg without a probe, kvm only when the probe allows it', async () => {
  const passes = await fakeQemu('forced-passes', PASSES);
  const fails = await fakeQemu('forced-fails', FAILS_LIKE_PVM);
  const forced = (accel: string) => ({ env: { PATH: process.env.PATH, PHANTOM_ACCEL: accel } });

  const tcg = await chooseAccelerator(options(passes.path, forced('tcg')));
  assert.deepEqual(tcg, { accel: 'tcg', why: 'PHANTOM_ACCEL=tcg', source: 'forced' });
  assert.equal((await passes.calls()).length, 0);

  const kvm = await chooseAccelerator(options(passes.path, forced('kvm')));
  assert.equal(kvm.accel, 'kvm');
  assert.equal(kvm.source, 'forced');

  await assert.rejects(chooseAccelerator(options(fails.path, forced('kvm'))), (err) => {
    assert.ok(isVmError(err, 'hypervisor-failed'));
    assert.match(
      err.message,
      /^PHANTOM_ACCEL=kvm, but KVM cannot run the Phantom kernel here: .*KVM internal error/,
    );
    assert.match(err.message, /unset PHANTOM_ACCEL to use TCG/);
    return true;
  });
  await assert.rejects(
    chooseAccelerator(options(passes.path, { ...forced('kvm'), kvmDevice: join(dir, 'no-such-device') })),
    /PHANTOM_ACCEL=kvm, but there is no .*no-such-device on this host/,
  );
  await assert.rejects(chooseAccelerator(options(passes.path, forced('hvf'))), (err) => {
    assert.ok(isVmError(err, 'bad-input'));
    assert.match(err.message, /PHANTOM_ACCEL is 'kvm' or 'tcg'.*not 'hvf'/);
    return true;
  });
});

test('a cache file that is not ours is ignored and replaced', async () => {
  const qemu = await fakeQemu('bad-cache', PASSES);
  const cacheFile = join(dir, 'garbage.json');
  await writeFile(cacheFile, '{"not": "a list"');
  assert.equal((await chooseAccelerator(options(qemu.path, { cacheFile }))).accel, 'kvm');
  assert.ok(Array.isArray(JSON.parse(await readFile(cacheFile, 'utf8'))));
});

test('the real kernel passes its probe boot (under TCG: QEMU with -accel kvm turned into tcg)', async () => {
  const realKernel = join(SOURCE_ROOT, 'kernel-src/build/phantom.elf');
  const qemu = await fakeQemu(
    'tcg-instead',
    `args=""; for a in "$@"; do [ "$a" = kvm ] && a=tcg; args="$args '$a'"; done; eval exec qemu-system-i386 $args`,
  );
  const choice = await chooseAccelerator(
    options(qemu.path, { kernelPath: realKernel, probeDeadlineMs: 30_000 }),
  );
  assert.equal(choice.accel, 'kvm', choice.why);
  assert.match(choice.why, /booted and halted in \d+ ms/);
});

test('an upgraded QEMU behind an unchanged wrapper (as Debian ships it) is probed again', async () => {
  const path = join(dir, 'wrapper');
  const versionFile = join(dir, 'wrapper.version');
  const log = `${path}.calls`;
  await writeFile(versionFile, 'QEMU emulator version 7.2.22\n');
  await writeFile(
    path,
    `#!/bin/sh\n[ "$1" = --version ] && { cat '${versionFile}'; exit 0; }\necho "$*" >> '${log}'\n${PASSES}\n`,
  );
  await chmod(path, 0o755);
  await chooseAccelerator(options(path));
  await chooseAccelerator(options(path));
  await writeFile(versionFile, 'QEMU emulator version 8.0.0\n');
  // A new process would ask QEMU afresh; this one remembers versions per binary stat, so the
  // cache file alone must tell the two apart: drop this process's memory of the version.
  const fresh = await import(`./accelerator.js?fresh=${Date.now()}`);
  await fresh.chooseAccelerator(options(path));
  assert.equal((await readFile(log, 'utf8')).split('\n').filter(Boolean).length, 2);
});
