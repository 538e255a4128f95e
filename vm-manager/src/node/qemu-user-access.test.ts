/**
 * Whether libvirt's QEMU user can pass through a folder: the DAC label from libvirt's
 * capabilities, getfacl's entries, and POSIX.1e's access check over them; then the real thing, a
 * 0700 folder that stops another user until the grant lets it through.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { dacBaseLabel, foldersInTheWay, grantSearch, maySearch, parseAcl } from './qemu-user-access.js';

const CAPABILITIES = `<capabilities><host>
    <secmodel>
      <model>none</model>
      <doi>0</doi>
    </secmodel>
    <secmodel>
      <model>dac</model>
      <doi>0</doi>
      <baselabel type='kvm'>+64055:+64055</baselabel>
      <baselabel type='qemu'>+64055:+993</baselabel>
    </secmodel>
</host></capabilities>`;

test("libvirt's capabilities name the user each domain type runs as", () => {
  assert.deepEqual(dacBaseLabel(CAPABILITIES, 'kvm'), { uid: 64055, gid: 64055 });
  assert.deepEqual(dacBaseLabel(CAPABILITIES, 'qemu'), { uid: 64055, gid: 993 });
  assert.equal(dacBaseLabel('<capabilities/>', 'qemu'), undefined);
});

const qemu = { uid: 64055, gid: 64055, groups: [64055, 993] };
const acl = (text: string) => parseAcl(text);

test('the access check follows POSIX.1e: owner, named user under the mask, groups, other', () => {
  const home700 = acl('user::rwx\ngroup::---\nother::---\n');
  assert.equal(maySearch(home700, 0, 0, qemu), false);
  assert.equal(maySearch(home700, 64055, 0, qemu), true, 'the owner');
  assert.equal(maySearch(acl('user::rwx\ngroup::---\nother::--x\n'), 0, 0, qemu), true, 'other x');
  assert.equal(maySearch(acl('user::rwx\ngroup::r-x\nother::---\n'), 0, 993, qemu), true, 'its group');
  const granted = acl('user::rwx\nuser:64055:--x\ngroup::---\nmask::--x\nother::---\n');
  assert.equal(maySearch(granted, 0, 0, qemu), true, 'a named entry');
  const masked = acl('user::rwx\nuser:64055:--x\ngroup::---\nmask::r--\nother::--x\n');
  assert.equal(maySearch(masked, 0, 0, qemu), false, 'the mask takes x away, and other is not consulted');
  const groupWithoutX = acl('user::rwx\ngroup::r--\nother::--x\n');
  assert.equal(maySearch(groupWithoutX, 0, 64055, qemu), false, 'a matching group without x denies');
});

test('a folder another user cannot pass is found, granted, and then passes', {
  skip: process.getuid?.() === 0 ? false : 'needs root to make a folder another user cannot enter',
}, async () => {
  const top = await mkdtemp('/tmp/phantom-acl-');
  try {
    const home = join(top, 'home');
    await mkdir(join(home, 'machines'), { recursive: true });
    await chmod(top, 0o755);
    await chmod(home, 0o700);
    const disk = join(home, 'machines', 'disk.qcow2');
    await writeFile(disk, '');
    const nobody = { uid: 65534, gid: 65534, groups: [65534] };
    assert.deepEqual(await foldersInTheWay([disk], nobody), [home]);
    const note = await grantSearch([disk], nobody, 'the test user');
    assert.match(note ?? '', new RegExp(`search permission on ${home} with an ACL entry`));
    assert.deepEqual(await foldersInTheWay([disk], nobody), []);
    assert.equal(await grantSearch([disk], nobody, 'the test user'), undefined, 'nothing more to do');
    // The kernel agrees: that user can now stat the file it could not reach.
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'stat', disk], {
      stdio: 'ignore',
    });
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});
