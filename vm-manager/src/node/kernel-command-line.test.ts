// The kernel command line a machine boots with: the studio's options first, then the image's own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelCommandLine } from './kernel-command-line.js';

test("the store, the interval and a rollback's generation come first, the image's options after", () => {
  assert.equal(
    kernelCommandLine({ snapshotIntervalMs: 1000, kernelCommandLine: '' }, {}),
    'store=virtio0 snap=1000',
  );
  assert.equal(
    kernelCommandLine({ snapshotIntervalMs: 250, kernelCommandLine: 'debug=snapshots' }, { generation: 7 }),
    'store=virtio0 snap=250 gen=7 debug=snapshots',
  );
});
