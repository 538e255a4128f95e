// The channel broker on a real machine (the counter image under QEMU): this process's
// Machine.channel (as the studio's host uses it, following generations and reading "now"),
// `phantom inspect` in a process of its own and a third client read the machine at the same time;
// a client that dies mid-frame, or mid-read with the world paused, disturbs no one and leaves the
// world running; there is one broker per machine, and it ends with the machine. Needs
// kernel-src/build/phantom.elf (npm test builds it) and qemu-system-i386.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeFrame, type GenerationInfo, MessageType } from '@phantom/inspector/common/debug-protocol.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { liveHeap } from '@phantom/inspector/node/live-source.js';
import { imageMachineConfig } from '../common/image-definition.js';
import { BOOT_DEADLINE_MS, runPhantom, type TestState, temporaryState } from '../test-support/fixtures.js';
import { build, SOURCE_ROOT } from './build.js';
import { channelBrokerPaths, ensureChannelBroker } from './channel-broker.js';
import type { Machine } from './machines.js';
import { pollUntil } from './process-watch.js';

const kernelPath = join(SOURCE_ROOT, 'kernel-src/build/phantom.elf');
const problem = existsSync(kernelPath) ? undefined : `${kernelPath} is missing: build the kernel first`;

let state: TestState;
let machine: Machine;

before(async () => {
  if (problem) return;
  state = await temporaryState();
  const built = await build({ image: 'counter' }, () => undefined, {
    sourceRoot: SOURCE_ROOT,
    outDir: join(state.root, 'build'),
  });
  machine = await state.machines.create('shared', {
    kernelPath: built.kernelPath,
    ...(built.imagePath ? { imagePath: built.imagePath } : {}),
    ...(built.definition ? imageMachineConfig(built.definition) : {}),
  });
  await machine.start();
});

after(async () => {
  await state?.cleanup();
});

/** A client of the broker's socket that speaks raw frames. */
function rawClient(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(machine.dir.channelSocket);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The pids of the processes running a channel broker for this machine. */
function brokerProcesses(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('channel-broker-main.js') && line.includes(machine.dir.channelSocket))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

test('this process, phantom inspect and a third client read the running machine at once', {
  skip: problem,
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  // This process's one connection follows the generations the kernel commits, as the host does.
  const announced: GenerationInfo[] = [];
  const following = machine.channel.shared.onDidCommitGeneration((g) => announced.push(g));
  await machine.channel.use(({ client }) => client.stats());
  const { client: third } = await DebugClient.connect(machine.dir.channelSocket, 60_000);
  try {
    const [now, inspected, reads] = await Promise.all([
      // The studio's "now": the whole space read with the world paused.
      machine.channel.use(({ client, hello }) => liveHeap(client, hello)),
      runPhantom(['inspect', 'shared', 'summary', '--json'], {
        ...process.env,
        PHANTOM_STATE_DIR: state.root,
      }),
      (async () => {
        const seen: number[] = [];
        for (let i = 0; i < 20; i++) {
          const [stats, threads] = await Promise.all([third.stats(), third.threads()]);
          seen.push(stats.generation);
          assert.ok(threads.length > 0);
        }
        return seen;
      })(),
    ]);
    assert.ok(now.heap.count > 0);
    // A running machine is inspected live, never from the store, so this read went through the
    // broker while the other two held their connections.
    assert.equal(inspected.code, 0, inspected.stderr);
    const summary = JSON.parse(inspected.stdout) as { classes: { className: string; count: number }[] };
    assert.equal(summary.classes.find((c) => c.className === '.demo.counter')?.count, 1);
    assert.ok(reads.every((g, i) => i === 0 || g >= reads[i - 1]!));
    // Every client hears the kernel's announcements.
    const heard: GenerationInfo[] = [];
    third.onDidCommitGeneration((g) => heard.push(g));
    assert.ok(
      await pollUntil(
        async () => heard.length > 0 && announced.some((g) => g.number === heard[0]!.number),
        BOOT_DEADLINE_MS,
        100,
      ),
      `both heard one generation: ${JSON.stringify({ heard, announced: announced.map((g) => g.number) })}`,
    );
  } finally {
    following.dispose();
    third.close();
  }
});

test('a client that dies mid-frame or holding the world paused disturbs no one', {
  skip: problem,
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const { client: steady } = await DebugClient.connect(machine.dir.channelSocket, 60_000);
  try {
    // Requests in flight from a client that stays...
    const inFlight = Promise.all(Array.from({ length: 8 }, (_, page) => steady.readPage(page)));
    // ...while one client quits halfway through a frame...
    const halfway = await rawClient();
    halfway.end(encodeFrame(MessageType.STATS, 1).subarray(0, 10));
    // ...and another pauses the world and is gone before it resumes it, mid-read.
    const pauser = await rawClient();
    const pauseReply = new Promise<void>((resolve) => pauser.once('data', () => resolve()));
    pauser.write(encodeFrame(MessageType.PAUSE, 1));
    await pauseReply;
    pauser.write(encodeFrame(MessageType.READ_PAGE, 2, new Uint8Array(8)));
    pauser.destroy();
    const pages = await inFlight;
    assert.ok(pages.every((p) => p.length === 4096));
    // The next client is served, and finds the world running: the broker resumed it.
    const { client: next } = await DebugClient.connect(machine.dir.channelSocket, 60_000);
    try {
      let paused = true;
      assert.ok(
        await pollUntil(
          async () => {
            paused = (await next.stats()).paused;
            return !paused;
          },
          BOOT_DEADLINE_MS,
          100,
        ),
        'the world stayed paused after its pauser died',
      );
      // Programs run on: the counter's machine time moves.
      const first = (await steady.stats()).machineMs;
      assert.ok(await pollUntil(async () => (await next.stats()).machineMs > first, BOOT_DEADLINE_MS, 100));
    } finally {
      next.close();
    }
  } finally {
    steady.close();
  }
});

test('one broker per machine, whoever asks, and it ends with the machine', {
  skip: problem,
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const paths = channelBrokerPaths(machine.dir);
  const other = await state.machines.get('shared');
  const sockets = await Promise.all([
    machine.channel.socket(),
    other.channel.socket(),
    ensureChannelBroker(paths, machine.dir.channelBrokerLog),
  ]);
  assert.deepEqual(new Set(sockets), new Set([machine.dir.channelSocket]));
  const brokers = brokerProcesses();
  assert.equal(brokers.length, 1, `one broker: ${brokers.join(', ')}`);
  assert.equal(Number(readFileSync(paths.lock, 'utf8')), brokers[0]);
  await machine.powerOff();
  assert.ok(
    await pollUntil(
      async () => brokerProcesses().length === 0 && !existsSync(paths.lock),
      BOOT_DEADLINE_MS,
      100,
    ),
    'the broker ended with the machine',
  );
  assert.equal(existsSync(paths.socket), false);
  // Nothing to broker while the machine is off; the next start gets a broker of its own.
  await assert.rejects(machine.channel.socket(), /machine 'shared' is stopped/);
  await machine.start();
  assert.ok((await machine.channel.use(({ client }) => client.stats())).uptimeMs >= 0);
  assert.equal(brokerProcesses().length, 1);
});
