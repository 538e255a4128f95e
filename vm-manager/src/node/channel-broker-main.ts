/**
 * The channel broker's process (channel-broker.ts): `node channel-broker-main.js SOCKET LOCK
 * KERNEL...` (the kernel's channels, the preferred first), started detached by `ensureChannelBroker`. Serves until the machine's QEMU closes the
 * channel, then exits 0; exits 1 when it cannot start (another broker serves, or the channel is not
 * there), saying why on stderr (the machine's logs/channel-broker.log).
 */
import { ChannelBroker } from './channel-broker.js';
import { runDaemon } from './daemon.js';

const [socket, lock, ...kernel] = process.argv.slice(2);
if (!socket || !lock || kernel.length === 0) {
  process.stderr.write('usage: channel-broker-main.js BROKER-SOCKET LOCK KERNEL-SOCKET...\n');
  process.exit(2);
}
await runDaemon('channel broker', async () => {
  const broker = await ChannelBroker.start({ kernel, socket, lock });
  broker.onDidChoose((path) =>
    process.stderr.write(`${new Date().toISOString()} channel broker ${process.pid}: the kernel answers on ${path}
`),
  );
  return broker;
});
