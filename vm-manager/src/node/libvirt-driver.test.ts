/**
 * The libvirt driver's pure parts: which URIs are local, how libvirt's words for a missing
 * file become an error that names the path and says what a remote host needs, and which paused
 * reasons mean a guest that cannot go on. The driver itself runs against libvirtd in
 * driver.contract.test.ts and libvirt-kvm-failure.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFailedPause, isLocalUri, missingPathError } from './libvirt-driver.js';

const NEEDED = [
  { what: 'kernel', path: '/s/tick.elf', code: 'bad-input' },
  { what: 'disk', path: '/s/machines/a/disk.qcow2', code: 'disk-problem' },
  { what: 'console log folder', path: '/s/machines/a/logs', code: 'disk-problem' },
] as const;
const REMOTE = 'qemu+ssh://root@far/system?keyfile=/k';

test('local and remote URIs', () => {
  for (const uri of ['qemu:///system', 'qemu:///session', 'qemu+unix:///system'])
    assert.equal(isLocalUri(uri), true, uri);
  for (const uri of [REMOTE, 'qemu+tcp://far/system', 'qemu://far/system', 'qemu+ssh://far/system'])
    assert.equal(isLocalUri(uri), false, uri);
});

test("libvirt's missing kernel, disk and log become errors naming the path", () => {
  const kernel = missingPathError(
    'unable to stat: /s/tick.elf: No such file or directory',
    [...NEEDED],
    REMOTE,
  );
  assert.equal(kernel?.code, 'bad-input');
  assert.match(
    kernel?.message ?? '',
    /^the kernel \/s\/tick\.elf does not exist on the host of qemu\+ssh.*shared storage/,
  );
  const disk = missingPathError(
    "Cannot access storage file '/s/machines/a/disk.qcow2' (as uid:64055, gid:64055): No such file or directory",
    [...NEEDED],
    'qemu:///system',
  );
  assert.equal(disk?.code, 'disk-problem');
  assert.equal(
    disk?.message,
    'the disk /s/machines/a/disk.qcow2 does not exist on this host (qemu:///system)',
  );
  const log = missingPathError(
    "Unable to open '/s/machines/a/logs/console.log': No such file or directory",
    [...NEEDED],
    REMOTE,
  );
  assert.match(log?.message ?? '', /^the console log folder \/s\/machines\/a\/logs does not exist/);
});

test('other failures are left as libvirt said them', () => {
  assert.equal(
    missingPathError('internal error: process exited while connecting to monitor', [...NEEDED], REMOTE),
    undefined,
  );
  assert.equal(missingPathError('/other/file: No such file or directory', [...NEEDED], REMOTE), undefined);
  assert.equal(missingPathError('permission denied: /s/tick.elf', [...NEEDED], REMOTE), undefined);
});

test("a pause nobody asked for is a failure; one someone asked for, or a full disk's, is not", () => {
  // "unknown" is what libvirt 9 said here of QEMU's stop on "KVM internal error".
  for (const reason of ['paused (unknown)', 'paused (crashed)'])
    assert.equal(isFailedPause(reason), true, reason);
  for (const reason of [
    'paused (user)',
    'paused (from snapshot)',
    'paused (creating snapshot)',
    'paused (saving)',
    'paused (migrating)',
    'paused (I/O error)',
    'running (unpaused)',
    'shut off (destroyed)',
  ])
    assert.equal(isFailedPause(reason), false, reason);
});
