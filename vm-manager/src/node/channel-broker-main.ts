/**
 * The channel broker's process (channel-broker.ts): `node channel-broker-main.js SOCKET LOCK
 * KERNEL...` (the kernel's channels, the preferred first), started detached by `ensureChannelBroker`. Serves until the machine's QEMU closes the
 * channel, then exits 0; exits 1 when it cannot start (another broker serves, or the channel is not
 * there), saying why on stderr (the machine's logs/channel-broker.log).
 */
import { ChannelBroker } from './channel-broker.js';

const [socket, lock, ...kernel] = process.argv.slice(2);
if (!socket || !lock || kernel.length === 0) {
  process.stderr.write('usage: channel-broker-main.js BROKER-SOCKET LOCK KERNEL-SOCKET...\n');
  process.exit(2);
}
try {
  const broker = await ChannelBroker.start({ kernel, socket, lock });
  process.stderr.write(`${new Date().toISOString()} channel broker ${process.pid} serves ${socket}\n`);
  broker.onDidChoose((path) =>
    process.stderr.write(
      `${new Date().toISOString()} channel broker ${process.pid}: the kernel answers on ${path}\n`,
    ),
  );
  broker.onDidClose(() => {
    process.stderr.write(`${new Date().toISOString()} channel broker ${process.pid}: the channel closed\n`);
    process.exit(0);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => broker.close());
} catch (err) {
  process.stderr.write(
    `${new Date().toISOString()} channel broker ${process.pid} did not start: ${(err as Error).message}\n`,
  );
  process.exit(1);
}
