/**
 * The libvirt journey with the default state folder in a 0700 home, as a user meets it: no
 * PHANTOM_STATE_DIR, machines under ~/.local/state/phantom, and a home libvirt's QEMU user cannot
 * enter until the driver grants it search permission (saying so).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BOOT_DEADLINE_MS, libvirtSkipReason, runPhantom } from '../test-support/fixtures.js';
import { pollUntil } from './process-watch.js';

const skip =
  libvirtSkipReason() ||
  (process.getuid?.() === 0 ? false : "needs root: libvirt's system daemon is the case");

test('phantom up --driver libvirt works with the default state folder in a 0700 home', {
  skip,
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const home = await mkdtemp('/tmp/phantom-home-');
  await chmod(home, 0o700);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
  const name = `home-${process.pid}`;
  try {
    const up = await runPhantom(['up', name, '--driver', 'libvirt', '--program', 'counter'], env);
    assert.equal(up.code, 0, `phantom up exited ${up.code}:\n${up.stderr}`);
    assert.match(
      up.stderr,
      new RegExp(`gave libvirt's QEMU \\(uid \\d+\\) search permission on [^\\n]*${home}`),
    );
    const consoleLog = join(home, '.local/state/phantom/machines', name, 'logs/console.log');
    assert.ok(
      await pollUntil(
        async () => /tick [1-9]/.test(await readFile(consoleLog, 'utf8').catch(() => '')),
        BOOT_DEADLINE_MS,
        200,
      ),
      `the counter never ticked:\n${await readFile(consoleLog, 'utf8').catch(() => '(no console log)')}`,
    );
    const status = await runPhantom(['status', name], env);
    assert.match(status.stdout, /running\s+libvirt\//);
    assert.match(
      execFileSync('getfacl', ['--omit-header', '--numeric', home], { encoding: 'utf8' }),
      /^user:\d+:--x$/m,
    );
  } finally {
    await runPhantom(['rm', name, '--force'], env);
    await rm(home, { recursive: true, force: true });
  }
});
